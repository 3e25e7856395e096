"""tapcheck's own rules, one module per area, and the registry of all of them."""

from __future__ import annotations

from tapcheck.checker.findings import engine_by_shape

from . import code_permissions, encryption, exposure, iam, monitoring, naming, suppressions, tags
from .base import Rule

ALL_RULES: list[Rule] = [
    *suppressions.RULES,
    *tags.RULES,
    *encryption.RULES,
    *iam.RULES,
    *code_permissions.RULES,
    *exposure.RULES,
    *naming.RULES,
    *monitoring.RULES,
]
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in ALL_RULES}


def known_rule(rule_id: str) -> bool:
    """Whether `rule_id` names a tapcheck rule or has the shape of another engine's."""
    return engine_of(rule_id) is not None


def engine_of(rule_id: str) -> str | None:
    """`tapcheck`, `cfn-lint` or `checkov` by the shape of the id; None if unknown."""
    if rule_id in RULES_BY_ID:
        return "tapcheck"
    return engine_by_shape(rule_id)


__all__ = ["ALL_RULES", "RULES_BY_ID", "Rule", "engine_of", "known_rule"]

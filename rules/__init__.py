"""tapcheck's own rules, one module per area, and the registry of all of them."""

from __future__ import annotations

import re

from . import encryption, exposure, iam, monitoring, naming, suppressions, tags
from .base import AREAS, Rule

ALL_RULES: list[Rule] = [
    *suppressions.RULES,
    *tags.RULES,
    *encryption.RULES,
    *iam.RULES,
    *exposure.RULES,
    *naming.RULES,
    *monitoring.RULES,
]
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in ALL_RULES}

ENGINE_RULE_IDS = {
    "cfn-lint": re.compile(r"^[EWI]\d{4}$"),
    "checkov": re.compile(r"^CKV2?_[A-Z0-9]+_\d+$"),
}
"""The shape of other engines' rule ids, which suppressions and config may name."""


def known_rule(rule_id: str) -> bool:
    """Whether `rule_id` names a tapcheck rule or has the shape of another engine's."""
    return rule_id in RULES_BY_ID or any(p.match(rule_id) for p in ENGINE_RULE_IDS.values())


def get_rule(rule_id: str) -> Rule | None:
    return RULES_BY_ID.get(rule_id.upper())


__all__ = ["ALL_RULES", "AREAS", "RULES_BY_ID", "Rule", "get_rule", "known_rule"]

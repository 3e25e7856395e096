"""What `tapcheck rules` and `tapcheck explain` print, without importing the rules.

A rule's metadata and docs are written on its class, but importing the rule modules
imports everything their checks use (the IAM index, code analysis, data tables): most
of the time these two commands would take. So the catalogue, built from the rule classes
the first time, is kept in the cache directory under the identity of tapcheck's own
code, and read from there while the code is unchanged.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from .caches import cache_dir, own_code_identity, write_atomically
from .findings import RuleMetadata, engine_by_shape


def rule_catalogue() -> list[RuleMetadata]:
    """Every tapcheck rule's metadata, in the registry's order."""
    folder = cache_dir() / "rules"
    path = folder / f"{own_code_identity()}.json"
    try:
        return [_entry(item) for item in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError, KeyError):
        pass
    from tapcheck.rules import ALL_RULES

    catalogue = [rule.metadata() for rule in ALL_RULES]
    for stale in folder.glob("*.json"):  # catalogues of earlier code
        stale.unlink(missing_ok=True)
    write_atomically(path, json.dumps([asdict(entry) for entry in catalogue]))
    return catalogue


def engine_catalogue(engine: str) -> list[RuleMetadata]:
    """Another engine's rules, from the engine itself (cfn-lint's; checkov's when installed)."""
    if engine == "cfn-lint":
        from .engines import cfn_lint

        return cfn_lint.all_rule_metadata()
    from .engines import checkov

    return checkov.all_rule_metadata()


def engine_of(rule_id: str) -> str | None:
    """Which engine's id `rule_id` is, by its shape; tapcheck's by the catalogue."""
    wanted = rule_id.upper()
    if any(entry.id == wanted for entry in rule_catalogue()):
        return "tapcheck"
    return engine_by_shape(wanted)


def known_rule(rule_id: str) -> bool:
    """Whether a configuration may name `rule_id`: a tapcheck rule (by the catalogue) or an
    id of another engine's shape."""
    return any(entry.id == rule_id for entry in rule_catalogue()) or engine_by_shape(rule_id) is not None


def catalogue_entry(rule_id: str) -> RuleMetadata | None:
    """The rule with this id (in any case) of any engine, or None."""
    wanted, engine = rule_id.upper(), engine_of(rule_id)
    entries = rule_catalogue() if engine == "tapcheck" else engine_catalogue(engine) if engine else []
    return next((entry for entry in entries if entry.id == wanted), None)


def _entry(item: dict) -> RuleMetadata:
    return RuleMetadata(**{**item, "tags": tuple(item["tags"])})

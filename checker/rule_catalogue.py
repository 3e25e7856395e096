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
from .findings import RuleMetadata


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


def catalogue_entry(rule_id: str) -> RuleMetadata | None:
    wanted = rule_id.upper()
    return next((entry for entry in rule_catalogue() if entry.id == wanted), None)


def _entry(item: dict) -> RuleMetadata:
    return RuleMetadata(**{**item, "tags": tuple(item["tags"])})

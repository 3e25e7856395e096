"""Suppressions: read from template `Metadata` and from config, and applied to findings.

In a template, `Metadata: {tapcheck: {suppress: [{id: TAP302, reason: "..."}]}}` on a
resource covers that resource's findings; at template level it covers the whole file.
`rule:` works as well as `id:`, here and in `.tapcheck.yml`. An entry without a reason
suppresses nothing (TAP001 reports it); one that matches no finding is reported by TAP002.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import ConfigSuppression
from .findings import Finding


@dataclass
class Suppression:
    rule_id: str | None
    reason: str | None
    resource: str | None
    """The resource whose Metadata holds it; None at template level."""
    node: object
    problem: str | None = None
    """Why the entry is not a valid suppression, if it is not."""
    hint: str = ""
    """What to change to make it one (TAP001's fix)."""
    used: bool = False

    def covers(self, finding: Finding) -> bool:
        return (
            self.problem is None
            and self.rule_id == finding.rule_id
            and (self.resource is None or self.resource == finding.resource)
        )


def read_suppressions(template) -> list[Suppression]:
    """Every suppression entry written in the template, valid or not."""
    found = _entries(template.metadata, None, template.data)
    for logical_id, resource in template.resources.items():
        metadata = resource.get("Metadata")
        if isinstance(metadata, dict):
            found.extend(_entries(metadata, str(logical_id), resource))
    return found


def _entries(metadata: dict, resource: str | None, owner) -> list[Suppression]:
    settings = metadata.get("tapcheck")
    if settings is None or (isinstance(settings, dict) and "suppress" not in settings):
        return []  # other settings (e.g. a function's `source`) but no suppressions
    if not isinstance(settings, dict):
        return [
            Suppression(
                None,
                None,
                resource,
                _marked(settings, owner),
                "Metadata.tapcheck must be a mapping (with a 'suppress' list)",
                "write it as a mapping: tapcheck: {suppress: [{id: TAP302, reason: ...}]}",
            )
        ]
    entries = settings["suppress"]
    if not isinstance(entries, list):
        return [
            Suppression(
                None,
                None,
                resource,
                _marked(entries, settings),
                "Metadata.tapcheck.suppress must be a list of {id, reason}",
                "make suppress a list: one {id: RULE, reason: why} mapping per rule",
            )
        ]
    found = []
    for entry in entries:
        rule_id, problem, hint = _rule_id(entry)
        if problem is not None:
            found.append(Suppression(None, None, resource, _marked(entry, entries), problem, hint))
            continue
        reason = entry.get("reason")
        valid_reason = isinstance(reason, str) and reason.strip()
        found.append(
            Suppression(
                rule_id,
                str(reason).strip() if valid_reason else None,
                resource,
                entry,
                None if valid_reason else f"suppression of {rule_id} has no reason",
                "" if valid_reason else "give the suppression a reason: why the finding is acceptable here",
            )
        )
    return found


def _rule_id(entry) -> tuple[str | None, str | None, str]:
    """The rule an entry names (`id`, or `rule`), else the problem and how to fix it."""
    if isinstance(entry, dict) and "id" in entry and "rule" in entry:
        return None, "suppression entry names its rule twice ('id' and 'rule')", "keep one of id and rule"
    rule_id = entry.get("id", entry.get("rule")) if isinstance(entry, dict) else None
    if isinstance(rule_id, str):
        return rule_id, None, ""
    given = "a mapping without a rule id" if isinstance(entry, dict) else repr(entry)
    return (
        None,
        f"suppression entry needs an 'id' (the rule id) and a 'reason', got {given}",
        "write the entry as {id: RULE, reason: why}, e.g. {id: TAP302, reason: cannot be scoped}",
    )


def _marked(node, owner):
    """`node` if it knows where it is in the file, else its owner."""
    return node if hasattr(node, "start_mark") else owner


def apply_suppressions(
    findings: list[Finding],
    in_template: list[Suppression],
    in_config: list[ConfigSuppression],
) -> tuple[list[Finding], list[Finding]]:
    """Split findings into (kept, suppressed), marking the suppressions used."""
    kept, suppressed = [], []
    for finding in findings:
        reason, where = None, "template"
        for suppression in in_template:
            if suppression.covers(finding):
                suppression.used = True
                reason = reason or suppression.reason
        if reason is None:
            reason, where = next(
                (
                    (f"{s.reason} (config)", "config")
                    for s in in_config
                    if s.matches(finding.rule_id, finding.file, finding.resource)
                ),
                (None, None),
            )
        if reason is None:
            kept.append(finding)
        else:
            finding.reason, finding.suppressed_in = reason, where
            suppressed.append(finding)
    return kept, suppressed

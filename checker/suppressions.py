"""Suppressions: read from template `Metadata` and from config, and applied to findings.

In a template, `Metadata: {tapcheck: {suppress: [{id: TAP302, reason: "..."}]}}` on a
resource covers that resource's findings; at template level it covers the whole file.
An entry without a reason suppresses nothing (TAP001 reports it); one that matches no
finding is reported by TAP002.
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
            )
        ]
    found = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            found.append(
                Suppression(
                    None,
                    None,
                    resource,
                    _marked(entry, entries),
                    "suppression entry needs an 'id' (the rule id) and a 'reason'",
                )
            )
            continue
        reason = entry.get("reason")
        valid_reason = isinstance(reason, str) and reason.strip()
        found.append(
            Suppression(
                str(entry["id"]),
                str(reason).strip() if valid_reason else None,
                resource,
                entry,
                None if valid_reason else f"suppression of {entry['id']} has no reason",
            )
        )
    return found


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

"""`--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`),
which GitLab shows in the merge request widget and the changes tab.

A JSON array of issues: description, check_name, a fingerprint that stays the same across
runs and is unique in the report, severity (`info`, `minor`, `major`, `critical`;
`blocker` for a file that could not be checked), and the location relative to the
repository with its first line. Suppressed findings are left out.
"""

from __future__ import annotations

import hashlib
import json

from tapcheck.checker.findings import Finding, Result

from .paths import display_path
from .security import SECURITY_AREAS


def severity(finding: Finding) -> str:
    if finding.severity == "error":
        return "critical" if finding.area in SECURITY_AREAS else "major"
    return "minor" if finding.severity == "warning" else "info"


def render(result: Result, *, color: bool = False, quiet: bool = False) -> str:
    issues = []
    seen: set[str] = set()

    def unique(fingerprint: str) -> str:
        while fingerprint in seen:  # the same finding twice in one file: still one issue each
            fingerprint = hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
        seen.add(fingerprint)
        return fingerprint

    for error in result.errors:
        path = display_path(error.file, result)
        issues.append(
            {
                "type": "issue",
                "description": f"could not be checked: {error.message}",
                "check_name": "tapcheck/file-error",
                "fingerprint": unique(hashlib.sha256(f"file-error\x1f{path}".encode()).hexdigest()[:32]),
                "severity": "blocker",
                "location": {"path": path, "lines": {"begin": error.line or 1}},
            }
        )
    for finding in sorted(result.findings, key=Finding.sort_key):
        description = f"{finding.rule_id} {finding.message}"
        if finding.scenarios:
            description += f" ({'; '.join(finding.scenarios)})"
        issue = {
            "type": "issue",
            "description": description,
            "check_name": finding.rule_id,
            "fingerprint": unique(finding.fingerprint()),
            "severity": severity(finding),
            "location": {"path": display_path(finding.file, result), "lines": {"begin": finding.line}},
            "engine_name": finding.engine,
        }
        if finding.fix:
            issue["content"] = {"body": f"fix: {finding.fix}"}
        issues.append(issue)
    return json.dumps(issues, indent=2) + "\n"

"""`--format sarif`: SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning and others).

Rules carry their full docs, tags (`security` first, which makes GitHub read their
`security-severity`) and precision; results carry file/line/column regions relative to the
repository (`%SRCROOT%`), the resource as a logical location, stable partial
fingerprints, and suppressions with their reasons. Files that could not be checked are
tool execution notifications, and make the invocation unsuccessful.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from tapcheck.checker.findings import Finding, Result, RuleMetadata

from .paths import repository_path
from .security import SECURITY_AREAS

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = "https://pypi.org/project/tapcheck/"
SRCROOT = "%SRCROOT%"
SECURITY_SEVERITY = {
    # GitHub's bands: critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9
    True: {"error": "8.0", "warning": "5.5", "info": "2.0"},  # who can do what, what is readable
    False: {"error": "5.0", "warning": "3.0", "info": "1.0"},  # tags, names, alarms, template validity
}
PRECISION = {"tapcheck": "high", "cfn-lint": "very-high", "checkov": "medium"}


def render(result: Result, *, color: bool = False, quiet: bool = False) -> str:
    findings = result.findings + result.suppressed
    rules = _rules(result, findings)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    root = Path(result.root) if result.root else None
    run = {
        "tool": {
            "driver": {
                "name": "tapcheck",
                "version": result.version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
                "properties": {"engines": result.versions},
            }
        },
        "invocations": [_invocation(result)],
        "results": [_result(f, index, result) for f in sorted(findings, key=Finding.sort_key)],
        "columnKind": "unicodeCodePoints",
    }
    if root is not None:
        uri = root.as_uri()
        run["originalUriBaseIds"] = {SRCROOT: {"uri": uri if uri.endswith("/") else uri + "/"}}
    if result.revision:
        run["versionControlProvenance"] = [
            {"repositoryUri": root.as_uri(), "revisionId": result.revision, "mappedTo": {"uriBaseId": SRCROOT}}
        ]
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _rules(result: Result, findings: list[Finding]) -> list[dict]:
    """tapcheck's rules, then the other engines' rules that have results."""
    infos = {rule.id: rule for rule in result.rules}
    for finding in findings:  # a rule the result has no metadata for still gets a descriptor
        if finding.rule_id not in infos:
            infos[finding.rule_id] = RuleMetadata(
                finding.rule_id,
                finding.name,
                finding.name,
                finding.severity,
                finding.area,
                description="",
                docs="",
                engine=finding.engine,
                docs_url=finding.docs_url,
            )
    return [_rule(info) for info in infos.values()]


def _rule(info: RuleMetadata) -> dict:
    description = info.description or info.title
    rule = {
        "id": info.id,
        "name": info.name,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": description},
        "defaultConfiguration": {"level": LEVELS[info.severity]},
        "properties": {
            "engine": info.engine,
            "area": info.area,
            "tags": list(dict.fromkeys(("security", info.area, *info.tags))),
            "precision": PRECISION.get(info.engine, "medium"),
            "security-severity": SECURITY_SEVERITY[info.area in SECURITY_AREAS][info.severity],
        },
    }
    if info.docs:
        rule["help"] = {"text": info.docs, "markdown": info.docs}
    elif info.docs_url:
        text = f"{description}\n\nDocumentation: {info.docs_url}"
        rule["help"] = {"text": text, "markdown": f"{description}\n\n[Documentation]({info.docs_url})"}
    if info.docs_url:
        rule["helpUri"] = info.docs_url
    return rule


def _result(finding: Finding, index: dict[str, int], result: Result) -> dict:
    location = {
        "physicalLocation": {
            "artifactLocation": _artifact(finding.file, result),
            "region": {"startLine": finding.line, "startColumn": finding.column},
        }
    }
    if finding.resource:
        name = ".".join(filter(None, ("Resources", finding.resource, finding.path)))
        location["logicalLocations"] = [{"name": finding.resource, "fullyQualifiedName": name, "kind": "resource"}]
    entry = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message + (f" (fix: {finding.fix})" if finding.fix else "")},
        "locations": [location],
        "partialFingerprints": {"tapcheckFinding/v1": finding.fingerprint()},
        "properties": {"engine": finding.engine, "area": finding.area, "scenarios": finding.scenarios},
    }
    if finding.reason is not None:
        kind = "external" if finding.suppressed_in == "config" else "inSource"
        entry["suppressions"] = [{"kind": kind, "justification": finding.reason}]
    return entry


def _invocation(result: Result) -> dict:
    notifications = []
    for error in result.errors:
        notification = {
            "level": "error",
            "message": {"text": f"could not be checked: {error.message}"},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(error.file, result)}}],
        }
        if error.line:
            notification["locations"][0]["physicalLocation"]["region"] = {"startLine": error.line}
        notifications.append(notification)
    return {"executionSuccessful": not result.errors, "toolExecutionNotifications": notifications}


def _artifact(path: str, result: Result) -> dict:
    """The file relative to the repository root (`%SRCROOT%`), as code scanning expects;
    a file outside it by its absolute file URI."""
    relative = repository_path(path, result)
    if relative is not None:
        return {"uri": quote(relative), "uriBaseId": SRCROOT}
    return {"uri": Path(path).resolve().as_uri()}

"""`--format sarif`: SARIF 2.1.0 for code-scanning dashboards.

Rules carry their full docs; results carry file/line/column regions, the resource as
a logical location, stable partial fingerprints, and suppressions with their reasons.
Files that could not be checked are tool execution notifications, and make the
invocation unsuccessful.
"""

from __future__ import annotations

import json
from pathlib import Path

from tapcheck.checker.findings import Finding, Result, RuleMetadata

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = "https://pypi.org/project/tapcheck/"


def render(result: Result, *, color: bool = False, quiet: bool = False) -> str:
    findings = result.findings + result.suppressed
    rules = _rules(result.rules, findings)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
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
        "results": [_result(f, index) for f in sorted(findings, key=Finding.sort_key)],
        "columnKind": "unicodeCodePoints",
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _rules(tapcheck_rules: list[RuleMetadata], findings: list[Finding]) -> list[dict]:
    """Every tapcheck rule, then the other engines' rules that have results."""
    rules = [_tapcheck_rule(rule) for rule in tapcheck_rules]
    seen = {rule.id for rule in tapcheck_rules}
    for finding in findings:
        if finding.rule_id not in seen:
            seen.add(finding.rule_id)
            rule = {
                "id": finding.rule_id,
                "name": finding.name,
                "shortDescription": {"text": finding.name.replace("-", " ")},
                "properties": {"engine": finding.engine, "tags": [finding.engine]},
            }
            if finding.docs_url:
                rule["helpUri"] = finding.docs_url
            rules.append(rule)
    return rules


def _tapcheck_rule(rule: RuleMetadata) -> dict:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "help": {"text": rule.docs, "markdown": rule.docs},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"engine": "tapcheck", "tags": [rule.area], "area": rule.area},
    }


def _result(finding: Finding, index: dict[str, int]) -> dict:
    location = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(finding.file)},
            "region": {"startLine": finding.line, "startColumn": finding.column},
        }
    }
    if finding.resource:
        name = ".".join(filter(None, ("Resources", finding.resource, finding.path)))
        location["logicalLocations"] = [{"name": finding.resource, "fullyQualifiedName": name, "kind": "resource"}]
    result = {
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
        result["suppressions"] = [{"kind": kind, "justification": finding.reason}]
    return result


def _invocation(result: Result) -> dict:
    notifications = []
    for error in result.errors:
        notification = {
            "level": "error",
            "message": {"text": f"could not be checked: {error.message}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(error.file)}}}],
        }
        if error.line:
            notification["locations"][0]["physicalLocation"]["region"] = {"startLine": error.line}
        notifications.append(notification)
    return {"executionSuccessful": not result.errors, "toolExecutionNotifications": notifications}


def _uri(path: str) -> str:
    """Relative paths stay relative (code scanning resolves them against the checkout)."""
    candidate = Path(path)
    return candidate.as_uri() if candidate.is_absolute() else candidate.as_posix()

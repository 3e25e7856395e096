"""`--format github`: GitHub Actions workflow commands, which GitHub shows as annotations
on the pull request's changed files and in the run summary.

    ::error file=stacks/app.yml,line=12,col=5,title=TAP101 missing-required-tags::message

Paths are relative to the repository (GitHub resolves them against the checkout).
Escaping follows GitHub's toolkit: `%`, CR and LF in messages; also `:` and `,` in
property values. Suppressed findings are not annotated.
"""

from __future__ import annotations

from tapcheck.checker.findings import Finding, Result

from .paths import display_path

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def render(result: Result, *, color: bool = False, quiet: bool = False) -> str:
    lines = []
    for error in result.errors:
        properties = {"file": display_path(error.file, result), "line": error.line, "title": "tapcheck"}
        lines.append(_command("error", properties, f"could not be checked: {error.message}"))
    for finding in sorted(result.findings, key=Finding.sort_key):
        properties = {
            "file": display_path(finding.file, result),
            "line": finding.line,
            "col": finding.column,
            "title": f"{finding.rule_id} {finding.name}",
        }
        message = finding.message
        if finding.scenarios:
            message += f" ({'; '.join(finding.scenarios)})"
        if finding.fix:
            message += f"\nfix: {finding.fix}"
        lines.append(_command(LEVELS[finding.severity], properties, message))
    return "".join(line + "\n" for line in lines)


def _command(level: str, properties: dict, message: str) -> str:
    listed = ",".join(f"{key}={_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{level} {listed}::{_data(message)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")

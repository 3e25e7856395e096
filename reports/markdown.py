"""`--format markdown`: a CI job summary or pull-request comment.

A status line and a per-area table, then the findings; a clean run stays a few lines.
"""

from __future__ import annotations

from tapcheck.checker.findings import AREA_COLUMNS, Finding, Result

ICONS = {"error": "🔴", "warning": "🟡", "info": "🔵"}


def render(result: Result, *, color: bool = False, quiet: bool = False) -> str:
    lines = [f"## tapcheck: {_status(result)}", ""]
    lines.append(f"Engines: {', '.join(f'{e} {v}' for e, v in result.versions.items()) or ', '.join(result.engines)}")
    lines.append("")
    if result.findings or result.suppressed:
        lines += [f"| area | {' | '.join(AREA_COLUMNS)} |", "|---|" + "---:|" * len(AREA_COLUMNS)]
        for area, counts in result.by_area().items():
            lines.append(f"| {area} | {' | '.join(map(str, counts))} |")
        lines.append("")
    if result.errors:
        lines += ["### Files that could not be checked", ""]
        for error in result.errors:
            where = f"{error.file}:{error.line}" if error.line else error.file
            lines.append(f"- `{_cell(where)}`: {_cell(error.message)}")
        lines.append("")
    if result.findings:
        lines += [
            "### Findings",
            "",
            "| | rule | location | resource | message | scenarios |",
            "|---|---|---|---|---|---|",
        ]
        for finding in sorted(result.findings, key=Finding.sort_key):
            lines.append(_row(finding))
        lines.append("")
    if result.suppressed:
        lines += ["<details><summary>Suppressed findings</summary>", ""]
        lines += ["| rule | location | resource | message | reason |", "|---|---|---|---|---|"]
        for finding in sorted(result.suppressed, key=Finding.sort_key):
            lines.append(
                f"| {finding.rule_id} | `{_cell(finding.file)}:{finding.line}` | {_cell(finding.resource or '')} | "
                f"{_cell(finding.message)} | {_cell(finding.reason or '')} |"
            )
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def _status(result: Result) -> str:
    checked = sum(1 for f in result.files if f.status == "checked")
    parts = [
        f"{result.count(s)} {s}{'s' if s != 'info' and result.count(s) != 1 else ''}"
        for s in ("error", "warning", "info")
    ]
    failed = f", {len(result.errors)} not checked" if result.errors else ""
    if not result.findings and not result.errors:
        return f"✅ no findings in {checked} file{'s' if checked != 1 else ''}"
    return f"❌ {', '.join(parts)} in {checked} file{'s' if checked != 1 else ''}{failed}"


def _row(finding: Finding) -> str:
    return (
        f"| {ICONS[finding.severity]} {finding.severity} | {finding.rule_id} {finding.name} | "
        f"`{_cell(finding.file)}:{finding.line}` | {_cell(finding.resource or '')} | {_cell(finding.message)} | "
        f"{_cell('; '.join(finding.scenarios)) or 'all'} |"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")

"""The console report, for a terminal or a CI log.

Per file, the findings in the order of the template, findings with the same rule and
message made into one entry that lists their resources; each entry with its place, the
snippet with the offending line marked, and its rule's fix hint (once per rule and file);
then the file's suppressed findings with their reasons. At the end a summary per area and
per rule, the totals, and how many findings `tapcheck fix` can fix. One line when all is
clean.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tapcheck.checker.findings import AREA_COLUMNS, Finding, Result, severity_rank

STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}
MARKS = {"error": "✖", "warning": "▲", "info": "●"}


def render(result: Result, *, color: bool = False, quiet: bool = False) -> str:
    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=110,
        highlight=False,
        soft_wrap=True,
    )
    if quiet:
        _quiet(console, result)
    else:
        _full(console, result)
    return buffer.getvalue()


def _quiet(console: Console, result: Result) -> None:
    """One line per finding or error, nothing when clean."""
    for error in result.errors:
        console.print(Text(f"{_where(error.file, error.line)}: error: could not be checked: {error.message}"))
    for finding in result.findings:
        console.print(
            Text(
                f"{_where(finding.file, finding.line, finding.column)}: {finding.severity}: "
                f"{finding.rule_id} {finding.message}{_scenario_suffix(finding)}"
            )
        )


def _full(console: Console, result: Result) -> None:
    for file_result in result.files:
        if file_result.error is not None:
            error = file_result.error
            console.print(
                Text.assemble(
                    (f"{MARKS['error']} {_where(error.file, error.line)}", "bold red"),
                    ": could not be checked: ",
                    error.message,
                )
            )
            continue
        for note in file_result.notes:
            console.print(Text(f"note: {file_result.path}: {note}", style="dim"))
        if not file_result.findings and not file_result.suppressed:
            continue
        console.print(
            Text.assemble((file_result.path, "bold underline"), f"  ({_plural(file_result.scenarios, 'scenario')})")
        )
        hinted: set[str] = set()
        for entry in _entries(file_result.findings):
            _entry(console, entry, hint=entry[0].rule_id not in hinted)
            hinted.add(entry[0].rule_id)
        if file_result.suppressed:
            console.print(Text(f"  suppressed ({len(file_result.suppressed)})", style="bold"))
            for finding in file_result.suppressed:
                console.print(
                    Text.assemble(
                        f"    {finding.rule_id} {finding.resource or '(template)'}  ",
                        (_where(finding.file, finding.line, finding.column), "blue"),
                        f"  {finding.message}",
                    )
                )
                console.print(Text(f"      reason: {finding.reason}", style="dim"))
        console.print()
    for entry in result.fixed:
        console.print(
            Text(
                f"fixed since the baseline: {entry.get('file')}: {entry.get('rule_id')} {entry.get('message')}",
                style="green",
            )
        )
    if result.findings or result.suppressed:
        console.print(_area_table(result))
        if len({f.rule_id for f in result.findings + result.suppressed}) > 1:
            console.print()
            console.print(_rule_table(result))
    console.print(_summary(result))
    fixable = Counter(f.rule_id for f in result.findings if f.rule_id in result.fixable and f.severity != "info")
    if fixable:
        listed = ", ".join(f"{rule} ×{count}" for rule, count in sorted(fixable.items()))
        console.print(Text(f"{sum(fixable.values())} fixable with `tapcheck fix` ({listed})", style="green"))


def _entries(findings: list[Finding]) -> list[list[Finding]]:
    """Findings with the same rule, severity, message and scenarios, in the order of their
    first place in the file."""
    entries: dict[tuple, list[Finding]] = {}
    for finding in findings:
        key = (finding.rule_id, finding.severity, finding.message, tuple(finding.scenarios))
        entries.setdefault(key, []).append(finding)
    return list(entries.values())


def _entry(console: Console, entry: list[Finding], hint: bool) -> None:
    first = entry[0]
    console.print(
        Text.assemble(
            "  ",
            (f"{MARKS[first.severity]} {first.severity}", STYLES[first.severity]),
            " ",
            (first.rule_id, "bold"),
            f" {first.name}  ",
            (first.resource or "(template)", "bold") if len(entry) == 1 else "",
            "  " if len(entry) == 1 else "",
            (_where(first.file, first.line, first.column), "blue"),
        )
    )
    console.print(Text(f"    {first.message}"))
    if len(entry) > 1:
        places = ", ".join(f"{f.resource or '(template)'} :{f.line}" for f in entry)
        console.print(Text.assemble(f"    {len(entry)} resources: ", (places, "bold")))
    if first.scenarios:
        console.print(Text(f"    {'; '.join(first.scenarios)}", style="magenta"))
    for line in first.snippet.splitlines():
        console.print(Text(f"    {line}", style="bold" if line.startswith(">") else "dim"))
    if first.fix and hint:
        console.print(Text(f"    fix: {first.fix}", style="green"))


def _area_table(result: Result) -> Table:
    table = Table(title="By area", title_justify="left", show_edge=False)
    for column in ("area", *AREA_COLUMNS):
        table.add_column(column, justify="left" if column == "area" else "right")
    for area, counts in result.by_area().items():
        table.add_row(area, *map(str, counts))
    return table


def _rule_table(result: Result) -> Table:
    table = Table(title="By rule", title_justify="left", show_edge=False)
    for column in ("rule", "name", "severity", "findings", "suppressed", "fix"):
        table.add_column(column, justify="right" if column in ("findings", "suppressed") else "left")
    rules: dict[str, list[Finding]] = {}
    for finding in result.findings + result.suppressed:
        rules.setdefault(finding.rule_id, []).append(finding)
    rows = []
    for rule_id, findings in rules.items():
        suppressed = sum(1 for f in findings if f.reason is not None)
        severity = min((f.severity for f in findings), key=severity_rank)
        rows.append(
            (severity_rank(severity), suppressed - len(findings), rule_id, findings[0].name, severity, suppressed)
        )
    for _, minus_open, rule_id, name, severity, suppressed in sorted(rows):  # most severe, then most findings first
        fix = "tapcheck fix" if rule_id in result.fixable else ""
        table.add_row(rule_id, name, Text(severity, style=STYLES[severity]), str(-minus_open), str(suppressed), fix)
    return table


def _summary(result: Result) -> Text:
    checked = sum(1 for f in result.files if f.status == "checked")
    parts = [
        _plural(result.count("error"), "error"),
        _plural(result.count("warning"), "warning"),
        f"{result.count('info')} info",
    ]
    text = Text()
    if result.errors:
        text.append(f"{_plural(len(result.errors), 'file')} could not be checked; ", style="bold red")
    if result.findings:
        text.append(f"{', '.join(parts)} in {_plural(checked, 'checked file')}", style="bold")
    elif result.errors:  # no check mark beside files that could not be checked
        text.append(f"{_plural(checked, 'file')} checked: no findings")
    else:
        text.append(f"✔ {_plural(checked, 'file')} checked: no findings", style="bold green")
    if result.suppressed:
        text.append(f" ({len(result.suppressed)} suppressed)")
    if result.baselined or result.fixed:
        text.append(f"; baseline: {len(result.baselined)} known, {len(result.fixed)} fixed since")
    return text


def _where(file: str, line: int | None, column: int | None = None) -> str:
    if line is None:
        return file
    return f"{file}:{line}" + (f":{column}" if column else "")


def _scenario_suffix(finding: Finding) -> str:
    return f" [{'; '.join(finding.scenarios)}]" if finding.scenarios else ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"

"""The console report: grouped by file and resource, each finding with its place,
snippet and fix hint, then a summary per area. One line when all is clean."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from itertools import groupby

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tapcheck.checker.findings import Finding, Result

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
        if not file_result.findings:
            continue
        console.print(
            Text.assemble((file_result.path, "bold underline"), f"  ({_plural(file_result.scenarios, 'scenario')})")
        )
        for resource, findings in groupby(file_result.findings, key=lambda f: f.resource):
            findings = list(findings)
            console.print(Text(f"  {resource or '(template)'}", style="bold"))
            for finding in findings:
                _finding(console, finding)
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
    console.print(_summary(result))


def _finding(console: Console, finding: Finding) -> None:
    console.print(
        Text.assemble(
            "    ",
            (f"{MARKS[finding.severity]} {finding.severity}", STYLES[finding.severity]),
            " ",
            (finding.rule_id, "bold"),
            f" {finding.name}  ",
            (_where(finding.file, finding.line, finding.column), "blue"),
        )
    )
    console.print(Text(f"      {finding.message}"))
    if finding.scenarios:
        console.print(Text(f"      only in: {'; '.join(finding.scenarios)}", style="magenta"))
    for line in finding.snippet.splitlines():
        console.print(Text(f"      {line}", style="dim"))
    if finding.fix:
        console.print(Text(f"      fix: {finding.fix}", style="green"))


def _area_table(result: Result) -> Table:
    table = Table(title="By area", title_justify="left", show_edge=False)
    for column in ("area", "errors", "warnings", "info", "suppressed"):
        table.add_column(column, justify="left" if column == "area" else "right")
    counts = Counter((f.area, f.severity) for f in result.findings)
    suppressed = Counter(f.area for f in result.suppressed)
    areas = sorted({f.area for f in result.findings} | set(suppressed))
    for area in areas:
        table.add_row(
            area,
            str(counts[area, "error"]),
            str(counts[area, "warning"]),
            str(counts[area, "info"]),
            str(suppressed[area]),
        )
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
    return f" [only in: {'; '.join(finding.scenarios)}]" if finding.scenarios else ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"

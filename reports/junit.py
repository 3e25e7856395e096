"""`--format junit`: JUnit XML for CI test tabs (Jenkins, GitLab, Azure DevOps, ...).

A test suite per file, named by its path. A finding at or above `--fail-on` is a failing
test case; one below it is a passing case whose system-out and properties say what was
found, so a run that exits 0 never shows failed tests. Every case carries the `file` and
`line` attributes; names are unique in their suite; the class name is the file's
directories as packages and its name with `_` for `.`, so CI systems that split class
names at dots do not split a file name. A tapcheck rule (and another engine) that found
nothing in the file is a passing case; suppressed findings are skipped cases with their
reason; a file that could not be checked is an errored case.
"""

from __future__ import annotations

from collections import Counter
from xml.etree import ElementTree as ET

from tapcheck.checker.findings import FileResult, Finding, Result, severity_rank

from .paths import display_path


def render(result: Result, *, color: bool = False, quiet: bool = False) -> str:
    root = ET.Element("testsuites", name="tapcheck")
    totals = Counter({key: 0 for key in ("tests", "failures", "errors", "skipped")})
    for file_result in result.files:
        suite = _suite(root, file_result, result)
        totals.update({key: int(suite.get(key)) for key in totals})
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


class _Cases:
    """Test cases of one suite, with names made unique."""

    def __init__(self, suite: ET.Element, path: str):
        self.suite, self.path, self.classname, self.names = suite, path, _classname(path), Counter()

    def add(self, name: str, line: int = 1) -> ET.Element:
        self.names[name] += 1
        if self.names[name] > 1:
            name = f"{name} ({self.names[name]})"
        attributes = {"classname": self.classname, "name": name, "file": self.path, "line": str(line)}
        return ET.SubElement(self.suite, "testcase", attributes)


def _suite(root: ET.Element, file_result: FileResult, result: Result) -> ET.Element:
    path = display_path(file_result.path, result)
    suite = ET.SubElement(root, "testsuite", name=path)
    cases = _Cases(suite, path)
    counts = Counter({key: 0 for key in ("failures", "errors", "skipped")})
    if file_result.error is not None:
        error = file_result.error
        where = f"{path}:{error.line}" if error.line else path
        case = cases.add("load template", error.line or 1)
        ET.SubElement(case, "error", message=f"{where}: could not be checked: {error.message}", type="FileError")
        counts["errors"] += 1
    threshold = severity_rank(result.fail_on)
    for finding in file_result.findings:
        case = cases.add(_name(finding), finding.line)
        message = _message(finding, path)
        text = "\n".join(filter(None, (message, finding.snippet, finding.fix and f"fix: {finding.fix}")))
        if severity_rank(finding.severity) <= threshold:
            ET.SubElement(case, "failure", message=message, type=finding.severity).text = text
            counts["failures"] += 1
        else:
            properties = ET.SubElement(case, "properties")
            for key, value in (("severity", finding.severity), ("rule", finding.rule_id)):
                ET.SubElement(properties, "property", name=key, value=value)
            ET.SubElement(case, "system-out").text = text
    for finding in file_result.suppressed:
        case = cases.add(_name(finding), finding.line)
        ET.SubElement(case, "skipped", message=f"suppressed: {finding.reason}")
        counts["skipped"] += 1
    if file_result.error is None:
        reported = {f.rule_id for f in file_result.findings + file_result.suppressed}
        engines = {f.engine for f in file_result.findings + file_result.suppressed}
        for info in result.rules:
            if info.engine == "tapcheck" and info.id not in reported:
                cases.add(f"{info.id} {info.name}")
        for engine in result.engines:
            if engine != "tapcheck" and engine not in engines:
                cases.add(engine)
    suite.set("tests", str(len(suite)))
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _classname(path: str) -> str:
    """`stacks/app/TapStack.seed.yml` -> `stacks.app.TapStack_seed_yml`: directories are
    packages, the file is the class (leading `..` and `.` left out)."""
    parts = [part.replace(".", "_") for part in path.split("/") if part not in ("", ".", "..")]
    return ".".join(parts) or "template"


def _name(finding: Finding) -> str:
    where = " ".join(filter(None, (finding.resource or "(template)", finding.path)))
    return f"{finding.rule_id} {where}: {finding.message}"


def _message(finding: Finding, path: str) -> str:
    scenarios = f" [{'; '.join(finding.scenarios)}]" if finding.scenarios else ""
    return f"{path}:{finding.line}:{finding.column}: {finding.severity}: {finding.rule_id} {finding.message}{scenarios}"

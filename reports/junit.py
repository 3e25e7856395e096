"""`--format junit`: JUnit XML for CI test tabs.

A test suite per file; a failing test case per finding (its message has file:line);
a passing test case per tapcheck rule (and per engine) that found nothing in the
file; suppressed findings as skipped cases with their reason; a file that could not
be checked as an errored case.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from tapcheck.checker.findings import Finding, Result


def render(result: Result, *, color: bool = False, quiet: bool = False) -> str:
    root = ET.Element("testsuites", name="tapcheck", tests="0", failures="0", errors="0", skipped="0")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for file_result in result.files:
        suite = ET.SubElement(root, "testsuite", name=file_result.path)
        counts = dict.fromkeys(totals, 0)
        if file_result.error is not None:
            error = file_result.error
            case = ET.SubElement(suite, "testcase", classname=file_result.path, name="load template")
            where = f"{error.file}:{error.line}" if error.line else error.file
            ET.SubElement(case, "error", message=f"{where}: could not be checked: {error.message}", type="FileError")
            counts["tests"] += 1
            counts["errors"] += 1
        for finding in file_result.findings:
            case = _case(suite, finding)
            failure = ET.SubElement(case, "failure", message=_message(finding), type=finding.severity)
            failure.text = "\n".join(
                filter(None, (_message(finding), finding.snippet, finding.fix and f"fix: {finding.fix}"))
            )
            counts["tests"] += 1
            counts["failures"] += 1
        for finding in file_result.suppressed:
            case = _case(suite, finding)
            ET.SubElement(case, "skipped", message=f"suppressed: {finding.reason}")
            counts["tests"] += 1
            counts["skipped"] += 1
        if file_result.error is None:
            reported = {f.rule_id for f in file_result.findings + file_result.suppressed}
            engines = {f.engine for f in file_result.findings + file_result.suppressed}
            passed = [f"{r.id} {r.name}" for r in result.rules if "tapcheck" in result.engines and r.id not in reported]
            passed += [engine for engine in result.engines if engine != "tapcheck" and engine not in engines]
            for name in passed:
                ET.SubElement(suite, "testcase", classname=file_result.path, name=name)
                counts["tests"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _case(suite, finding: Finding):
    name = f"{finding.rule_id} {finding.name} {finding.resource or '(template)'} {finding.path}".strip()
    return ET.SubElement(suite, "testcase", classname=finding.file, name=name)


def _message(finding: Finding) -> str:
    scenarios = f" [only in: {'; '.join(finding.scenarios)}]" if finding.scenarios else ""
    where = f"{finding.file}:{finding.line}:{finding.column}"
    return f"{where}: {finding.severity}: {finding.rule_id} {finding.message}{scenarios}"

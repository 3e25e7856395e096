"""The report formats: SARIF validates against the 2.1.0 schema, JUnit parses, and
console, JSON, SARIF, JUnit, Markdown and HTML all carry the same findings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped, xunit2

from tapcheck.checker.config import Config
from tapcheck.checker.findings import Result
from tapcheck.checker.runner import run
from tapcheck.reports import RENDERERS
from tapcheck.reports.paths import display_path

from conftest import FIXTURES, REPO, SEED, SHARED, needs_shared

SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
SUPPRESSED = FIXTURES / "suppressions" / "used_with_reason.yml"
WITH_FINDINGS = FIXTURES / "fix" / "mixed.yml"  # findings of every severity, with or without ../shared
BROKEN = FIXTURES / "bad" / "broken.yml"


@pytest.fixture(scope="module")
def result() -> Result:
    BROKEN.parent.mkdir(exist_ok=True)
    paths = [str(SEED), str(REPO / "reference" / "TapStack.yml"), str(WITH_FINDINGS), str(SUPPRESSED), str(BROKEN)]
    return run([p for p in paths if p != str(SEED) or SEED.is_file()], Config())


def render(result, name):
    return RENDERERS[name](result, color=False, quiet=False)


def keys(result):
    return sorted((f.rule_id, f.file, f.line) for f in result.findings)


@needs_shared
def test_sarif_validates_and_carries_docs_fingerprints_and_suppressions(result):
    data = json.loads(render(result, "sarif"))
    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text())).validate(data)
    run_ = data["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert "## Why it matters" in rules["TAP101"]["help"]["markdown"]
    assert rules["TAP101"]["defaultConfiguration"]["level"] == "error"
    results = run_["results"]
    open_results = [r for r in results if "suppressions" not in r]
    located = [
        (
            r["ruleId"],
            physical_path(run_, r["locations"][0]["physicalLocation"]["artifactLocation"]),
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in open_results
    ]
    assert sorted(located) == sorted((rule, str(Path(file).resolve()), line) for rule, file, line in keys(result))
    (suppressed,) = [r for r in results if "suppressions" in r]
    assert suppressed["suppressions"] == [
        {"kind": "inSource", "justification": "Elastic IPs are tagged by the network team's automation"}
    ]
    assert all(r["ruleIndex"] == list(rules).index(r["ruleId"]) for r in results)
    assert run_["invocations"][0]["executionSuccessful"] is False
    notification = run_["invocations"][0]["toolExecutionNotifications"][0]
    assert "could not be checked" in notification["message"]["text"]


def test_sarif_takes_rule_docs_and_suppression_kinds_from_the_result():
    """Reports render from the Result alone: the rules it lists, an engine rule's docs URL
    and where a suppression is written are fields, not text parsed back."""
    from tapcheck.checker.findings import FileResult, Finding, RuleMetadata

    def finding(rule_id, engine, **extra):
        return Finding(rule_id, "a-rule", "error", engine, "t.yml", "Queue", "", 3, 3, "msg", engine, **extra)

    rule = RuleMetadata("TAP900", "a-rule", "A rule", "warning", "tags", "What it checks.", "# TAP900 a-rule")
    findings = [finding("E3001", "cfn-lint", fix="add it", docs_url="https://example.org/E3001")]
    suppressed = [finding("TAP900", "tapcheck", reason="why (config)", suppressed_in="config")]
    files = [FileResult("t.yml", "checked", 1, findings, suppressed)]
    data = json.loads(render(Result(files, ["tapcheck", "cfn-lint"], "0", rules=[rule]), "sarif"))
    rules = data["runs"][0]["tool"]["driver"]["rules"]
    assert [(r["id"], r.get("helpUri"), r["help"]["markdown"] if "help" in r else None) for r in rules] == [
        ("TAP900", None, "# TAP900 a-rule"),
        ("E3001", "https://example.org/E3001", "a-rule\n\n[Documentation](https://example.org/E3001)"),
    ]
    kinds = [r["suppressions"][0]["kind"] for r in data["runs"][0]["results"] if "suppressions" in r]
    assert kinds == ["external"]
    clean = Result([FileResult("t.yml", "checked", 1)], ["tapcheck"], "0", rules=[rule])
    xml = JUnitXml.fromstring(render(clean, "junit"))
    assert [case.name for suite in xml for case in suite] == ["TAP900 a-rule"]  # the Result's rules pass


def physical_path(run_, location) -> str:
    """The file a SARIF artifact location names, resolved as code scanning does."""
    if "uriBaseId" in location:
        base = run_["originalUriBaseIds"][location["uriBaseId"]]["uri"]
        return str(Path(unquote(base.removeprefix("file://"))) / unquote(location["uri"]))
    return unquote(location["uri"].removeprefix("file://"))


@needs_shared
def test_sarif_rules_carry_what_code_scanning_reads(result):
    run_ = json.loads(render(result, "sarif"))["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    for rule in rules:
        properties = rule["properties"]
        assert properties["tags"][0] == "security" and properties["precision"] in ("very-high", "high", "medium")
        assert 0.0 < float(properties["security-severity"]) < 10.0
    by_id = {rule["id"]: rule for rule in rules}
    assert float(by_id["TAP301"]["properties"]["security-severity"]) >= 7.0  # an IAM error ranks high
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    cfn_lint_rules = Runner(ConfigMixIn(cli_args=[], regions=["us-east-1"])).rules
    engine_rules = [rule for rule in rules if rule["properties"]["engine"] == "cfn-lint"]
    assert engine_rules
    for rule in engine_rules:  # cfn-lint's own words and documentation, not a slug of the id
        real = cfn_lint_rules[rule["id"]]
        assert rule["shortDescription"]["text"] == real.shortdesc
        assert rule["fullDescription"]["text"] == real.description
        assert rule["helpUri"] == real.source_url and real.source_url in rule["help"]["markdown"]


def test_sarif_paths_are_relative_to_the_repository_root(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "stacks").mkdir(parents=True)
    shutil.copy(FIXTURES / "cli" / "failing.yml", repo / "stacks" / "app stack.yml")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    monkeypatch.chdir(repo / "stacks")  # run from a subdirectory: paths are still the repository's
    run_ = json.loads(render(run(["app stack.yml"], Config()), "sarif"))["runs"][0]
    locations = {json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"]) for r in run_["results"]}
    assert locations == {json.dumps({"uri": "stacks/app%20stack.yml", "uriBaseId": "%SRCROOT%"})}
    assert run_["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)  # no repository: relative to the working directory
    result = run([str(repo / "stacks" / "app stack.yml")], Config())
    assert result.root == str(outside) and result.revision == ""
    uri = json.loads(render(result, "sarif"))["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"].startswith("file:///") and "uriBaseId" not in uri["artifactLocation"]


def test_fingerprints_survive_unrelated_edits_above(tmp_path):
    template = tmp_path / "t.yml"
    original = (FIXTURES / "cli" / "failing.yml").read_text()
    template.write_text(original)
    before = run([str(template)], Config()).findings
    template.write_text(original.replace("Resources:\n", "Description: added later\nMetadata: {}\nResources:\n"))
    after = run([str(template)], Config()).findings
    assert len(before) == 4
    assert [f.fingerprint() for f in before] == [f.fingerprint() for f in after]
    assert [f.line + 2 for f in before] == [f.line for f in after]
    assert len({f.fingerprint() for f in before}) == 4


def test_fingerprints_of_code_findings_ignore_the_call_line(tmp_path):
    """TAP308 names the call as `file:line`; a line added above it keeps the fingerprint."""
    template = tmp_path / "permissions.yml"
    original = (FIXTURES / "code" / "permissions.yml").read_text()
    shutil.copytree(FIXTURES / "code" / "src", tmp_path / "src")
    template.write_text(original)
    before = [f for f in run([str(template)], Config()).findings if f.rule_id == "TAP308"]
    template.write_text(original.replace("Resources:\n", "# a comment added later\nResources:\n"))
    after = [f for f in run([str(template)], Config()).findings if f.rule_id == "TAP308"]
    assert len(before) == 2 and [f.message for f in before] != [f.message for f in after]
    assert [f.fingerprint() for f in before] == [f.fingerprint() for f in after]


def outcomes(xml):
    failures, skipped, errors, passed = [], [], [], []
    for suite in xml:
        for case in suite:
            outcome = case.result
            if any(isinstance(r, Failure) for r in outcome):
                failures.append(case)
            elif any(isinstance(r, Skipped) for r in outcome):
                skipped.append(case)
            elif any(isinstance(r, Error) for r in outcome):
                errors.append(case)
            else:
                passed.append(case)
    return failures, skipped, errors, passed


def test_junit_parses_with_a_suite_per_file(result):
    xml = JUnitXml.fromstring(render(result, "junit"))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {display_path(f.path, result) for f in result.files}
    failures, skipped, errors, passed = outcomes(xml)
    at_threshold = [f for f in result.findings if f.severity == "error"]  # --fail-on error
    assert len(failures) == len(at_threshold) and len(skipped) == len(result.suppressed)
    assert len(errors) == len(result.errors) == 1
    messages = sorted(re.match(r"(.+?):(\d+):", c.result[0].message).groups() for c in failures)
    expected = sorted((display_path(f.file, result), str(f.line)) for f in at_threshold)
    assert messages == expected
    assert any(case.name.startswith("TAP204 ") for case in passed)  # a rule with nothing to report passes
    below = [c for c in passed if c.system_out]
    assert len(below) == len(result.findings) - len(at_threshold)
    assert all(": warning: " in c.system_out or ": info: " in c.system_out for c in below)
    for suite in xml:
        names = [case.name for case in suite]
        assert len(names) == len(set(names)), suite.name
        for case in suite:
            assert case._elem.get("file") == suite.name and int(case._elem.get("line")) >= 1


@needs_shared
def test_junit_of_a_passing_run_has_no_failures_and_keeps_file_names_whole(tmp_path):
    result = run([str(SEED)], Config(fail_on="error"))
    warnings = [f for f in result.findings if f.severity == "warning"]
    result = replace(result, files=[replace(fr, findings=warnings) for fr in result.files])
    assert result.exit_code() == 0 and len(warnings) >= 7
    xml = xunit2.JUnitXml.fromstring(render(result, "junit"))
    failures, skipped, errors, passed = outcomes(xml)
    assert failures == [] and errors == [] and xml.failures == 0
    (suite,) = list(xml)
    cases = {case.name: case for case in suite}
    tap307 = [case for name, case in cases.items() if name.startswith("TAP307 ")]
    assert len(tap307) == len({case.name for case in tap307}) == sum(1 for f in warnings if f.rule_id == "TAP307")
    properties = {p.name: p.value for p in tap307[0].properties()}
    assert properties == {"severity": "warning", "rule": "TAP307"}
    (classname,) = {case.classname for case in suite}  # Jenkins: package ...shared.seed, class TapStack_seed_yml
    assert classname.endswith(".shared.seed.TapStack_seed_yml")


def test_markdown_lists_every_finding_and_is_short_when_clean(result):
    text = render(result, "markdown")
    rows = [
        line
        for line in text.splitlines()
        if line.startswith("| 🔴") or line.startswith("| 🟡") or line.startswith("| 🔵")
    ]
    assert len(rows) == len(result.findings)
    clean = run([str(FIXTURES / "cli" / "compliant.yml")], Config())
    clean_text = render(clean, "markdown")
    assert clean_text.startswith("## tapcheck: ✅ no findings in 1 file") and len(clean_text.splitlines()) <= 4


class Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.external = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-severity" in attrs:
            self.rows.append(attrs)
        if tag in ("script", "link", "img") and (attrs.get("src") or attrs.get("href")):
            self.external.append(attrs)


def test_html_is_self_contained_and_lists_every_finding(result):
    text = render(result, "html")
    parser = Rows()
    parser.feed(text)
    assert parser.external == []
    assert len(parser.rows) == len(result.findings)
    assert sorted(r["data-severity"] for r in parser.rows) == sorted(f.severity for f in result.findings)
    for part in (
        'id="areas"',
        'id="findings"',
        'id="suppressed"',
        'id="errors"',
        'id="files"',
        "fix:",
        "Engines: tapcheck",
    ):
        assert part in text
    assert "Elastic IPs are tagged by the network team" in text


def test_console_and_json_agree_with_the_others(result):
    data = json.loads(render(result, "json"))
    assert sorted((f["rule_id"], f["file"], f["line"]) for f in data["findings"]) == keys(result)
    console = RENDERERS["console"](result, color=False, quiet=True)
    quiet = sorted(
        re.match(r"(.+?):(\d+):\d+: \w+: (\S+) ", line).groups()
        for line in console.splitlines()
        if ": could not be checked" not in line
    )
    assert sorted((rule, file, int(line)) for file, line, rule in quiet) == keys(result)

"""The formats CI systems read natively: GitHub Actions workflow commands and GitLab Code
Quality; format names accept the aliases other tools' users type."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tapcheck.checker.config import Config
from tapcheck.checker.findings import FileResult, Finding, Result
from tapcheck.checker.runner import run
from tapcheck.reports import RENDERERS, format_name

from conftest import FIXTURES

FAILING = FIXTURES / "fix" / "mixed.yml"  # findings of every severity


def finding(**changes) -> Finding:
    values = dict(
        rule_id="TAP101",
        name="missing-required-tags",
        severity="error",
        area="tags",
        file="stacks/app.yml",
        resource="Queue",
        path="Properties.Tags",
        line=12,
        column=5,
        message="missing tag",
    )
    return Finding(**{**values, **changes})


def result_of(*findings: Finding) -> Result:
    return Result([FileResult("stacks/app.yml", "checked", 1, list(findings))], ["tapcheck"], "0")


@pytest.fixture
def in_repository(tmp_path, monkeypatch):
    """A git repository with the template at stacks/mixed.yml, checked from stacks/."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "stacks").mkdir()
    template = tmp_path / "stacks" / "mixed.yml"
    template.write_text(FAILING.read_text())
    monkeypatch.chdir(tmp_path / "stacks")
    return template


def test_github_annotations_escape_as_the_actions_toolkit_does():
    tricky = finding(
        file="stacks/a,b:c%.yml",
        name="x",
        message="100% open\r\nsecond line, with: colon",
        fix="",
        severity="warning",
    )
    (line,) = RENDERERS["github"](result_of(tricky), color=False, quiet=False).splitlines()
    assert line == (
        "::warning file=stacks/a%2Cb%3Ac%25.yml,line=12,col=5,title=TAP101 x::100%25 open%0D%0Asecond line, with: colon"
    )


def test_github_annotations_for_a_real_run(in_repository):
    result = run(["mixed.yml"], Config())
    lines = RENDERERS["github"](result, color=False, quiet=False).splitlines()
    assert len(lines) == len(result.findings)
    pattern = re.compile(r"^::(error|warning|notice) file=stacks/mixed\.yml,line=(\d+),col=\d+,title=(\S+) [^:]+::.+")
    parsed = [pattern.match(line) for line in lines]
    assert all(parsed), lines
    levels = {"error": "error", "warning": "warning", "info": "notice"}
    assert sorted((m[1], int(m[2]), m[3]) for m in parsed) == sorted(
        (levels[f.severity], f.line, f.rule_id) for f in result.findings
    )
    assert {m[1] for m in parsed} >= {"error", "warning"}


def test_gitlab_code_quality_report(in_repository):
    result = run(["mixed.yml"], Config())
    issues = json.loads(RENDERERS["gitlab"](result, color=False, quiet=False))
    assert len(issues) == len(result.findings)
    for issue in issues:
        assert issue["description"] and issue["check_name"]
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"] == "stacks/mixed.yml" and issue["location"]["lines"]["begin"] >= 1
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    in_repository.write_text("# a line added above\n" + FAILING.read_text())
    again = json.loads(RENDERERS["gitlab"](run(["mixed.yml"], Config()), color=False, quiet=False))
    assert [issue["fingerprint"] for issue in again] == fingerprints  # stable across edits above
    assert {issue["severity"] for issue in issues} >= {"major", "minor"}


def test_gitlab_fingerprints_stay_unique_for_repeated_findings():
    twice = result_of(finding(), finding(line=30))
    issues = json.loads(RENDERERS["gitlab"](twice, color=False, quiet=False))
    assert len({issue["fingerprint"] for issue in issues}) == 2
    assert {issue["severity"] for issue in issues} == {"major"}
    critical = json.loads(RENDERERS["gitlab"](result_of(finding(area="iam")), color=False, quiet=False))
    assert critical[0]["severity"] == "critical"


@pytest.mark.parametrize(
    "alias, name",
    [
        ("junitxml", "junit"),
        ("JUnit", "junit"),
        ("gitlab-codequality", "gitlab"),
        ("codeclimate", "gitlab"),
        ("github-actions", "github"),
        ("sarif", "sarif"),
        ("md", "markdown"),
        ("pdf", None),
    ],
)
def test_format_aliases(alias, name):
    assert format_name(alias) == name


def test_an_alias_on_the_command_line(run_cli, tmp_path):
    code, out, _ = run_cli("-f", f"junitxml:{tmp_path}/r.xml", "-f", "gitlab-codequality", FAILING)
    assert code == 1 and json.loads(out) and (tmp_path / "r.xml").read_text().startswith("<?xml")

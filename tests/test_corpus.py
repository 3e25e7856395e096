"""Every file of the shared corpus of public templates is checked or reported as a
clean error: never an exception, never a traceback."""

from __future__ import annotations

import csv

import pytest

from tapcheck.checker.config import Config
from tapcheck.checker.discovery import looks_like_template
from tapcheck.checker.runner import check_file, run

from conftest import CORPUS, needs_shared, run_process

pytestmark = needs_shared


def manifest() -> list[dict]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture(scope="module")
def results() -> dict:
    """tapcheck's own rules on every file (the CLI test below runs cfn-lint too)."""
    config = Config(engines=("tapcheck",))
    return {row["file"]: (row, check_file(CORPUS / row["file"], config)) for row in manifest()}


def test_every_corpus_file_is_checked_or_a_clean_error(results):
    assert len(results) == 400
    unexpected = []
    for name, (row, result) in results.items():
        if result.status == "error":
            message = result.error.message
            assert "internal error" not in message, (name, message)
            expected = ("pre-processor", "file is empty", "Properties that are not a mapping")
            if row["parse_ok"] == "yes" and not any(reason in message for reason in expected):
                unexpected.append((name, message))
        else:
            assert row["parse_ok"] == "yes", name
            for finding in result.findings:
                assert finding.line >= 1 and finding.message
                # every finding names a resource, but for TAP401's template-level one
                assert finding.resource is not None or finding.path == "Parameters"
    assert unexpected == []


def test_the_cli_on_the_whole_corpus_reports_errors_and_carries_on(results):
    process = run_process("-q", "--no-color", CORPUS)
    assert process.returncode == 2
    assert "Traceback" not in process.stdout + process.stderr
    assert process.stderr == ""
    lines = process.stdout.splitlines()
    errored = {line.split(":", 1)[0] for line in lines if "could not be checked" in line}
    expected = {
        str(CORPUS / name)
        for name, (_, result) in results.items()
        if result.status == "error" and looks_like_template(CORPUS / name)
    }
    assert errored == expected and len(errored) >= 10
    reported = {line.split(":", 1)[0] for line in lines if ": error: " in line and "could not be checked" not in line}
    assert reported >= {
        str(CORPUS / name)
        for name, (_, result) in results.items()
        if any(f.severity == "error" for f in result.findings)
    }
    assert any(": error: E" in line for line in lines)  # cfn-lint ran too


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_for_each_loops_are_expanded_and_checked(suffix):
    result = check_file(CORPUS / f"aws-cloudformation-templates__CloudFormation__fn-foreach-ddb.{suffix}")
    assert result.status == "checked" and result.notes == []
    tables = {f.resource for f in result.findings if f.rule_id == "TAP101"}
    assert tables == {"DynamoDBPoints", "DynamoDBScore", "DynamoDBName", "DynamoDBLeaderboard"}


def test_results_are_the_same_with_one_and_two_jobs(results):
    config = Config(engines=("tapcheck",))
    one = run([str(CORPUS)], config, jobs=1)
    two = run([str(CORPUS)], config, jobs=2)

    def files(result):
        return [
            (f.path, f.status, [x.to_dict() for x in f.findings], f.error and f.error.message) for f in result.files
        ]

    assert files(one) == files(two)
    assert len(one.files) >= 390

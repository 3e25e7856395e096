"""The optional checkov engine: a clear error when it is asked for and not installed;
when installed (CI installs it in a second virtualenv), its failed checks as findings,
without any network access."""

from __future__ import annotations

import socket

import pytest

from tapcheck.checker.config import Config
from tapcheck.checker.engines import checkov as checkov_engine

from conftest import FIXTURES, SEED, check, needs_shared

installed = pytest.mark.skipif(not checkov_engine.available(), reason="checkov is not installed (tapcheck[checkov])")


def test_asking_for_checkov_without_it_is_a_usage_error(run_cli, monkeypatch):
    monkeypatch.setattr(checkov_engine, "available", lambda: False)
    code, out, err = run_cli("--engines", "tapcheck,checkov", FIXTURES / "cli" / "compliant.yml")
    assert code == 2 and out == ""
    assert "checkov is not installed (pip install 'tapcheck[checkov]')" in err


def test_checkov_is_not_a_dependency():
    from importlib import metadata

    requirements = metadata.requires("tapcheck") or []
    hard = [r for r in requirements if "extra ==" not in r]
    assert not any(r.lower().startswith("checkov") for r in hard)
    assert any(r.lower().startswith("checkov") and 'extra == "checkov"' in r for r in requirements)


@installed
@needs_shared
def test_checkov_findings_without_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    result = check(SEED, Config(engines=("tapcheck", "checkov")))
    checkov = [f for f in result.findings if f.engine == "checkov"]
    assert checkov and all(f.rule_id.startswith("CKV") and f.line > 1 and f.resource for f in checkov)
    assert ("CKV_AWS_116", "ProcessingLambda") in {(f.rule_id, f.resource) for f in checkov}
    # covered concerns are reported once, by tapcheck
    tapcheck = {(f.rule_id, f.resource) for f in result.findings if f.engine == "tapcheck"}
    for finding in checkov:
        covering = checkov_engine.COVERED_BY_TAPCHECK.get(finding.rule_id)
        assert covering is None or (covering, finding.resource) not in tapcheck


@installed
def test_the_reference_stack_fails_no_checkov_check_and_every_skip_has_a_reason():
    from checkov.cloudformation.runner import Runner
    from checkov.runner_filter import RunnerFilter

    from tapcheck.reference import TEMPLATE

    report = Runner().run(
        root_folder=None, files=[str(TEMPLATE)], runner_filter=RunnerFilter(framework=["cloudformation"])
    )
    assert [(c.check_id, c.resource) for c in report.failed_checks] == []
    assert report.passed_checks
    for skipped in report.skipped_checks:
        assert len(skipped.check_result.get("suppress_comment", "")) > 40, (skipped.check_id, skipped.resource)
    result = check(TEMPLATE, Config(engines=("tapcheck", "cfn-lint", "checkov")))
    assert result.findings == []


def test_explaining_a_checkov_rule_without_checkov_is_a_usage_error(run_cli, monkeypatch):
    monkeypatch.setattr(checkov_engine, "available", lambda: False)
    for argv in (("explain", "CKV_AWS_18"), ("rules", "--engines", "checkov")):
        code, out, err = run_cli(*argv)
        assert code == 2 and out == "" and "pip install 'tapcheck[checkov]'" in err, argv


@installed
def test_checkovs_rules_are_listed_and_explained(run_cli):
    import json

    code, out, _ = run_cli("rules", "--engines", "checkov", "--format", "json")
    listed = {rule["id"]: rule for rule in json.loads(out)}
    assert code == 0 and len(listed) > 100 and {"CKV_AWS_18", "CKV2_AWS_69"} <= set(listed)
    assert listed["CKV_AWS_18"]["title"] == "Ensure the S3 bucket has access logging enabled"
    assert all(rule["engine"] == "checkov" for rule in listed.values())
    code, out, _ = run_cli("explain", "ckv_aws_18")
    assert code == 0 and out.startswith("# CKV_AWS_18 Ensure the S3 bucket has access logging enabled\n")
    assert "checkov rule" in out


@installed
def test_sarif_describes_checkov_checks_as_its_registry_does():
    import json

    from checkov.cloudformation.checks.resource.registry import cfn_registry

    from tapcheck.checker.runner import run
    from tapcheck.reports import RENDERERS

    result = run([str(FIXTURES / "engines" / "checkov_bucket.yml")], Config(engines=("checkov",)), jobs=1)
    rules = json.loads(RENDERERS["sarif"](result, color=False, quiet=False))["runs"][0]["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    check_18 = cfn_registry.get_check_by_id("CKV_AWS_18")
    assert by_id["CKV_AWS_18"]["shortDescription"]["text"] == check_18.name
    # its resource types and categories, not the finding's message twice
    assert by_id["CKV_AWS_18"]["fullDescription"]["text"] == f"{check_18.name}, on AWS::S3::Bucket."
    assert "logging" in by_id["CKV_AWS_18"]["properties"]["tags"]

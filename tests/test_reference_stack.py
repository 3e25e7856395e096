"""The reference stack passes every check we ship, and keeps the seed's architecture."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cfnlint
from handler_aws import reference_template

from tapcheck.checker.config import Config
from tapcheck.reference import TEMPLATE

from conftest import check


def test_tapcheck_reports_nothing_in_any_scenario():
    result = check(TEMPLATE, Config(engines=("tapcheck", "cfn-lint")))
    assert result.findings == [] and result.suppressed == []
    assert result.scenarios == 3


def test_cfn_lint_reports_nothing_warnings_and_informational_included():
    process = subprocess.run(
        [Path(sys.executable).with_name("cfn-lint"), "--include-checks", "I", "--", str(TEMPLATE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (process.returncode, process.stdout, process.stderr) == (0, "", "")


def test_functions_use_the_newest_python_runtime_cfn_lint_knows():
    lifecycle = json.loads(
        (Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "LmbdRuntimeLifecycle.json").read_text()
    )
    newest = max((r for r in lifecycle if r.startswith("python3.")), key=lambda r: int(r.split(".")[1]))
    runtimes = {
        r["Properties"]["Runtime"]
        for r in reference_template()["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    }
    assert runtimes == {newest}


def test_the_seed_architecture_is_kept():
    resources = reference_template()["Resources"]
    types = sorted(r["Type"] for r in resources.values())
    assert types.count("AWS::Lambda::Function") == 3
    assert types.count("AWS::EC2::Subnet") == 3  # two private (one per AZ), one public for the NAT gateway
    for required in (
        "AWS::ApiGateway::RestApi",
        "AWS::StepFunctions::StateMachine",
        "AWS::DynamoDB::Table",
        "AWS::EC2::NatGateway",
        "AWS::EC2::VPCEndpoint",
        "AWS::S3::Bucket",
    ):
        assert required in types
    table = resources["ApplicationTable"]["Properties"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "GSI1"
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["gsi1pk", "gsi1sk"]
    parameters = reference_template()["Parameters"]
    assert parameters["Environment"]["AllowedValues"] == ["development", "staging", "production"]
    assert "EnvironmentSuffix" in parameters


def test_each_function_has_its_own_role():
    resources = reference_template()["Resources"]
    roles = [
        r["Properties"]["Role"]["Fn::GetAtt"][0] for r in resources.values() if r["Type"] == "AWS::Lambda::Function"
    ]
    assert len(set(roles)) == len(roles) == 3

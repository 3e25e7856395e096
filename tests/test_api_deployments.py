"""API deployments named after their API's definition, so `tapcheck deploy` redeploys a changed API."""

from __future__ import annotations

import copy
import json
import shutil

from tapcheck.checker.deploying.api_deployments import fingerprint_deployments
from tapcheck.checker.model.loader import load_template

from conftest import REPO

REFERENCE = REPO / "reference"

SMALL = {
    "Resources": {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "api"}},
        "Method": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {"RestApiId": {"Ref": "Api"}, "HttpMethod": "GET", "AuthorizationType": "AWS_IAM"},
        },
        "Deployment": {
            "Type": "AWS::ApiGateway::Deployment",
            "DependsOn": "Method",
            "Properties": {"RestApiId": {"Ref": "Api"}},
        },
        "Stage": {
            "Type": "AWS::ApiGateway::Stage",
            "DependsOn": ["Method", "Deployment"],
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "DeploymentId": {"Ref": "Deployment"},
                "Description": {"Fn::Sub": "${Deployment} ${Deployment.Id} ${!Deployment} ${Api}"},
                "StageName": "prod",
            },
        },
        "Other": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Type": "String",
                "Value": {"Fn::Sub": ["${Deployment}/${Stage}", {"Deployment": "a local value"}]},
                "Description": {"Fn::GetAtt": "Deployment.Id"},
            },
        },
        "SelfStaged": {
            "Type": "AWS::ApiGateway::Deployment",
            "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "dev"},
        },
    },
    "Outputs": {
        "DeploymentId": {"Value": {"Ref": "Deployment"}},
        "DeploymentAttribute": {"Value": {"Fn::GetAtt": ["Deployment", "Id"]}},
    },
}


def renamed_id(data: dict) -> str:
    _, renames = fingerprint_deployments(data)
    return renames["Deployment"]


def test_every_kind_of_reference_follows_the_new_name():
    data, renames = fingerprint_deployments(copy.deepcopy(SMALL))
    new = renames["Deployment"]
    assert new.startswith("Deployment") and len(new) == len("Deployment") + 10
    resources = data["Resources"]
    assert "Deployment" not in resources and resources[new]["Properties"] == {"RestApiId": {"Ref": "Api"}}
    assert list(resources) == ["Api", "Method", new, "Stage", "Other", "SelfStaged"]  # order kept
    stage = resources["Stage"]
    assert stage["DependsOn"] == ["Method", new]
    assert stage["Properties"]["DeploymentId"] == {"Ref": new}
    assert stage["Properties"]["Description"] == {"Fn::Sub": f"${{{new}}} ${{{new}.Id}} ${{!Deployment}} ${{Api}}"}
    other = resources["Other"]["Properties"]
    # a Sub variable of the same name is the Sub's own, not the resource
    assert other["Value"] == {"Fn::Sub": ["${Deployment}/${Stage}", {"Deployment": "a local value"}]}
    assert other["Description"] == {"Fn::GetAtt": f"{new}.Id"}
    assert data["Outputs"] == {
        "DeploymentId": {"Value": {"Ref": new}},
        "DeploymentAttribute": {"Value": {"Fn::GetAtt": [new, "Id"]}},
    }
    # a deployment that creates its own stage cannot have a second copy: left alone
    assert "SelfStaged" not in renames and "SelfStaged" in resources
    assert SMALL["Resources"]["Stage"]["Properties"]["DeploymentId"] == {"Ref": "Deployment"}  # input untouched


def test_the_name_changes_with_the_api_definition_and_only_with_it():
    base = renamed_id(copy.deepcopy(SMALL))
    assert renamed_id(copy.deepcopy(SMALL)) == base

    changed_method = copy.deepcopy(SMALL)
    changed_method["Resources"]["Method"]["Properties"]["HttpMethod"] = "POST"
    changed_api = copy.deepcopy(SMALL)
    changed_api["Resources"]["Api"]["Properties"]["Name"] = "renamed"
    changed_deployment = copy.deepcopy(SMALL)
    changed_deployment["Resources"]["Deployment"]["Properties"]["Description"] = "v2"
    assert len({base} | {renamed_id(d) for d in (changed_method, changed_api, changed_deployment)}) == 4

    unrelated = copy.deepcopy(SMALL)
    unrelated["Resources"]["Other"]["Properties"]["Type"] = "StringList"
    unrelated["Resources"]["Stage"]["Properties"]["Description"] = "the stage is not part of the snapshot"
    other_api = copy.deepcopy(SMALL)
    other_api["Resources"]["OtherApi"] = {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "other"}}
    other_api["Resources"]["OtherMethod"] = {
        "Type": "AWS::ApiGateway::Method",
        "Properties": {"RestApiId": {"Ref": "OtherApi"}, "HttpMethod": "PUT"},
    }
    assert renamed_id(unrelated) == renamed_id(other_api) == base


def test_templates_without_a_deployment_of_their_own_api_are_unchanged():
    for data in (
        {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}},
        {"Resources": {"D": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": "imported-id"}}}},
        {"Resources": {"D": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Param"}}}}},
        {"Resources": {"D": {"Type": "AWS::ApiGateway::Deployment", "Properties": ["not", "a", "mapping"]}}},
        {"Resources": []},
    ):
        assert fingerprint_deployments(data) == (data, {})


def test_the_reference_stack_renamed_still_passes_every_engine(run_cli, tmp_path):
    loaded = load_template(REFERENCE / "TapStack.yml")
    data, renames = fingerprint_deployments(loaded.data)
    assert set(renames) == {"ApiDeployment"}
    assert fingerprint_deployments(load_template(REFERENCE / "TapStack.yml").data)[1] == renames

    changed = load_template(REFERENCE / "TapStack.yml").data
    changed["Resources"]["ProcessRequestModel"]["Properties"]["Schema"]["required"].append("data")
    assert fingerprint_deployments(changed)[1]["ApiDeployment"] != renames["ApiDeployment"]

    shutil.copytree(REFERENCE / "handlers", tmp_path / "handlers", ignore=shutil.ignore_patterns("__pycache__"))
    deployed = tmp_path / "TapStack.json"
    deployed.write_text(json.dumps(data, indent=1), encoding="utf-8")
    code, out, err = run_cli(deployed, "--format", "json")
    assert code == 0, out + err
    report = json.loads(out)
    assert [f["status"] for f in report["files"]] == ["checked"]
    assert report["engines"] == ["tapcheck", "cfn-lint"]
    assert report["findings"] == [] and report["errors"] == []

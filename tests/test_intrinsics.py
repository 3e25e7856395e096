"""The resolver on its own: each intrinsic, conditions, and what stays unknown."""

from __future__ import annotations

import pytest

from tapcheck.checker.model.intrinsics import NO_VALUE, Resolver, Unknown, referenced_names
from tapcheck.checker.model.template import Template

TEMPLATE = Template(
    path="t.yml",
    text="",
    data={
        "Parameters": {"Env": {"Type": "String"}, "Zones": {"Type": "CommaDelimitedList"}},
        "Mappings": {"Config": {"prod": {"Size": 3, "Name": "big"}, "dev": {"Size": 1}}},
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
            "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]},
            "Either": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]},
            "Loop": {"Fn::Not": [{"Condition": "Loop"}]},
            "OnUnknown": {"Fn::Equals": [{"Ref": "Unset"}, "x"]},
            "OrUnknown": {"Fn::Or": [{"Condition": "OnUnknown"}, {"Condition": "IsProd"}]},
        },
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
    },
)


def resolver(env="prod", **extra):
    parameters = {"Env": env, "Zones": ["a", "b", "c"], "Unset": Unknown("parameter Unset has no default"), **extra}
    return Resolver(TEMPLATE, parameters, {"AWS::StackName": "my-stack"})


@pytest.mark.parametrize(
    "node, expected",
    [
        ({"Ref": "Env"}, "prod"),
        ({"Ref": "AWS::StackName"}, "my-stack"),
        ({"Ref": "AWS::Partition"}, "aws"),
        ({"Fn::Sub": "${AWS::StackName}-${Env}"}, "my-stack-prod"),
        ({"Fn::Sub": ["${A}-${Env}", {"A": {"Ref": "AWS::StackName"}}]}, "my-stack-prod"),
        ({"Fn::Sub": "literal ${!Env} stays"}, "literal ${Env} stays"),
        ({"Fn::Join": ["-", ["a", {"Ref": "Env"}, 3]]}, "a-prod-3"),
        ({"Fn::Select": [1, {"Ref": "Zones"}]}, "b"),
        ({"Fn::Select": ["0", ["x", {"Fn::GetAtt": ["Queue", "Arn"]}]]}, "x"),
        ({"Fn::Split": [",", "a,b"]}, ["a", "b"]),
        ({"Fn::FindInMap": ["Config", {"Ref": "Env"}, "Size"]}, 3),
        ({"Fn::FindInMap": ["Config", "dev", "Name", {"DefaultValue": "small"}]}, "small"),
        ({"Fn::If": ["IsProd", "yes", "no"]}, "yes"),
        ({"Fn::Base64": "hi"}, "aGk="),
        ({"Fn::ToJsonString": {"a": [1, {"Ref": "Env"}]}}, '{"a":[1,"prod"]}'),
        ({"Fn::Length": {"Ref": "Zones"}}, 3),
        ({"A": {"Ref": "AWS::NoValue"}, "B": [1, {"Fn::If": ["IsDev", 2, {"Ref": "AWS::NoValue"}]}]}, {"B": [1]}),
    ],
)
def test_resolves(node, expected):
    assert resolver().resolve(node) == expected


@pytest.mark.parametrize(
    "node, reason",
    [
        ({"Fn::GetAtt": ["Queue", "Arn"]}, "GetAtt Queue.Arn"),
        ({"Fn::GetAtt": "Queue.Arn"}, "GetAtt Queue.Arn"),
        ({"Ref": "Queue"}, "Ref Queue"),
        ({"Ref": "AWS::Region"}, "AWS::Region is only known at deployment"),
        ({"Ref": "Unset"}, "parameter Unset has no default"),
        ({"Ref": "Nowhere"}, "undefined Nowhere"),
        ({"Fn::Sub": "${Queue.Arn}/x"}, "GetAtt Queue.Arn"),
        ({"Fn::Sub": "${AWS::AccountId}"}, "AWS::AccountId"),
        ({"Fn::Join": ["", ["a", {"Fn::ImportValue": "x"}]]}, "Fn::ImportValue"),
        ({"Fn::FindInMap": ["Config", "test", "Size"]}, "key test is not in the mapping"),
        ({"Fn::If": ["OnUnknown", "a", "b"]}, "not known"),
        ({"Fn::Select": [9, ["a"]]}, "out of range"),
        ({"Fn::GetAZs": ""}, "Fn::GetAZs"),
    ],
)
def test_unknown_values_say_why(node, reason):
    value = resolver().resolve(node)
    assert isinstance(value, Unknown) and reason in value.reason


def test_conditions_three_valued():
    prod, dev = resolver("prod"), resolver("dev")
    assert prod.condition("IsProd") is True and dev.condition("IsProd") is False
    assert prod.condition("IsDev") is False and dev.condition("IsDev") is True
    assert prod.condition("Both") is False and prod.condition("Either") is True
    assert isinstance(prod.condition("Loop"), Unknown)
    assert isinstance(prod.condition("OnUnknown"), Unknown)
    assert prod.condition("OrUnknown") is True  # True settles an Or whatever the rest is
    assert isinstance(dev.condition("OrUnknown"), Unknown)
    assert isinstance(prod.condition("Missing"), Unknown)


def test_active_keeps_the_written_node():
    branch = {"Key": "a"}
    r = resolver("prod")
    assert r.active({"Fn::If": ["IsProd", branch, {"Ref": "AWS::NoValue"}]}) is branch
    assert resolver("dev").active({"Fn::If": ["IsProd", branch, {"Ref": "AWS::NoValue"}]}) is NO_VALUE
    assert isinstance(r.active({"Fn::If": ["OnUnknown", branch, branch]}), Unknown)
    assert isinstance(r.active({"Fn::If": ["IsProd"]}), Unknown)


def test_resource_condition():
    assert resolver("dev").resource_exists({"Type": "X", "Condition": "IsProd"}) is False
    assert resolver("prod").resource_exists({"Type": "X", "Condition": "IsProd"}) is True
    assert resolver("prod").resource_exists({"Type": "X"}) is True


def test_referenced_names():
    node = {
        "A": [
            {"Ref": "Env"},
            {"Fn::Sub": "${Zones}-${Queue.Arn}-${!Skip}"},
            {"Fn::Sub": ["${X}", {"X": {"Ref": "Other"}}]},
        ]
    }
    assert set(referenced_names(node)) == {"Env", "Zones", "Queue", "X", "Other"}


def test_symbolic_resolution_names_the_resources_referenced():
    symbolic = resolver().symbolic
    assert symbolic.resolve({"Fn::Sub": "${Queue.Arn}/*"}) == "{{GetAtt:Queue.Arn}}/*"
    assert symbolic.resolve({"Fn::Join": ["", ["arn:aws:sqs:::", {"Ref": "Queue"}]]}) == "arn:aws:sqs:::{{Ref:Queue}}"
    assert symbolic.resolve({"Fn::GetAtt": ["Queue", "Arn"]}) == "{{GetAtt:Queue.Arn}}"
    assert symbolic.resolve({"Fn::If": ["IsProd", {"Ref": "Env"}, "x"]}) == "prod"
    assert isinstance(symbolic.resolve({"Fn::GetAtt": ["Elsewhere", "Arn"]}), Unknown)
    assert (
        symbolic.resolve({"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:x"})
        == "arn:aws:logs:{{Ref:AWS::Region}}:x"
    )
    assert resolver().resolve({"Ref": "Queue"}).reason == "Ref Queue"  # the plain resolver still does not guess

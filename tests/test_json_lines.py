"""A finding on a JSON template points at the element it is about, as on YAML: a string
inside a list has its own line and column (cfn-lint's decoder gave it none, so such
findings pointed at the statement or at 1:1)."""

from __future__ import annotations

import json

import pytest

from conftest import check_text

ROLE_TRUST = {
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
}

KINDS = {
    # kind: (template, rule, the string the finding is about)
    "an action in a list": (
        {
            "Resources": {
                "Policy": {
                    "Type": "AWS::IAM::ManagedPolicy",
                    "Properties": {
                        "PolicyDocument": {
                            "Statement": [
                                {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": "*"}
                            ]
                        }
                    },
                }
            }
        },
        "TAP301",
        "s3:*",
    ),
    "a managed-policy ARN in a list": (
        {
            "Resources": {
                "Role": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": ROLE_TRUST,
                        "ManagedPolicyArns": [
                            "arn:aws:iam::aws:policy/ReadOnlyAccess",
                            "arn:aws:iam::aws:policy/AdministratorAccess",
                        ],
                    },
                }
            }
        },
        "TAP304",
        "arn:aws:iam::aws:policy/AdministratorAccess",
    ),
    "a SAM Policies string": (
        {
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {
                "Function": {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {
                        "Runtime": "python3.13",
                        "Handler": "app.handler",
                        "InlineCode": "def handler(event, context): return event",
                        "Policies": "AdministratorAccess",
                    },
                }
            },
        },
        "TAP304",
        "AdministratorAccess",
    ),
}


def place_of(text: str, string: str) -> tuple[int, int]:
    """1-based line and column of the quoted `string` in `text` (it is written once)."""
    written = json.dumps(string)
    assert text.count(written) == 1
    index = text.index(written)
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


@pytest.mark.parametrize("kind", KINDS)
def test_a_finding_on_a_json_template_is_at_the_elements_own_line(tmp_path, kind):
    data, rule, string = KINDS[kind]
    text = json.dumps(data, indent=2)
    found = [f for f in check_text(tmp_path, text, name="template.json").findings if f.rule_id == rule]
    assert [(f.line, f.column) for f in found] == [place_of(text, string)], [(f.line, f.message) for f in found]

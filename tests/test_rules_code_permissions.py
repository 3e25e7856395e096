"""TAP307/TAP308: permissions compared with the AWS SDK calls of the functions' code."""

from __future__ import annotations

import shutil

import pytest

from tapcheck.checker.code_analysis.sdk_calls import SourceModule, sdk_calls
from tapcheck.checker.config import Config
from tapcheck.checker.runner import run

from conftest import FIXTURES, REPO, SEED, check, findings, needs_shared

CODE = FIXTURES / "code"


def calls(source: str, **siblings: str):
    modules = {"index": SourceModule("index", source, "index.py")}
    modules |= {name: SourceModule(name, text, f"{name}.py") for name, text in siblings.items()}
    return [
        (c.service, c.operation, c.line) if c.operation else (c.service, c.detail, c.line)
        for c in sdk_calls(modules, "index")
    ]


def summary(found):
    return sorted((f.rule_id, f.severity, f.resource, f.line, f.message) for f in found)


@needs_shared
def test_seed_tap307_names_the_dynamodb_actions_the_code_never_calls():
    found = findings(SEED, "TAP307")
    assert sorted(f.message.split()[0] for f in found) == [
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:UpdateItem",
    ]
    assert all("LambdaExecutionRole" in f.message and f.resource == "LambdaExecutionRole" for f in found)
    assert findings(SEED, "TAP308") == []


def test_fixture_shared_role_global_table_helper_client_dynamic_service():
    found = [f for f in check(CODE / "permissions.yml").findings if f.rule_id in ("TAP307", "TAP308")]
    source = str(CODE / "src" / "orders.py")
    line = next(i for i, t in enumerate((CODE / "src" / "orders.py").read_text().splitlines(), 1) if ".publish(" in t)
    assert summary(found) == [
        (
            "TAP307",
            "warning",
            "OrdersRole",
            19,
            "dynamodb:DeleteItem is granted to OrdersRole, but no code of OrdersFunction, InvoicesFunction needs it",
        ),
        (
            "TAP308",
            "error",
            "OrdersFunction",
            35,
            f"{source}:{line} calls sns Publish, which needs sns:Publish; role OrdersRole does not grant it",
        ),
        (
            "TAP308",
            "info",
            "DispatchFunction",
            75,
            f"{CODE / 'permissions.yml'}:75: cannot tell which action this call needs "
            "(.send() on a client whose service is not known statically)",
        ),
    ]
    # inline code is part of the template: its call is reported at its own line
    assert "client.send(event)" in (CODE / "permissions.yml").read_text().splitlines()[74]


def test_reference_stack_code_is_analysed_and_matches_its_roles(tmp_path):
    assert [f for f in check(REPO / "reference" / "TapStack.yml").findings if f.rule_id in ("TAP307", "TAP308")] == []
    # take sns:Publish away from the notification role: the call is reported where it is made
    copy = tmp_path / "reference"
    shutil.copytree(REPO / "reference", copy, ignore=shutil.ignore_patterns("__pycache__"))
    template = copy / "TapStack.yml"
    text = template.read_text()
    template.write_text(
        text.replace("                Action: sns:Publish\n", "                Action: sns:ListTopics\n")
    )
    (missing,) = findings(template, "TAP308")
    line = next(
        i for i, t in enumerate((copy / "handlers" / "notification.py").read_text().splitlines(), 1) if ".publish(" in t
    )
    assert missing.resource == "NotificationFunction" and missing.severity == "error"
    assert missing.message.startswith(f"{copy / 'handlers' / 'notification.py'}:{line} calls sns Publish")
    (unused,) = findings(template, "TAP307")
    assert unused.message.startswith("sns:ListTopics is granted to NotificationFunctionRole")


def test_an_edited_handler_is_not_answered_from_the_cache(tmp_path):
    shutil.copytree(CODE, tmp_path / "code")
    template, source = tmp_path / "code" / "permissions.yml", tmp_path / "code" / "src" / "orders.py"
    config = Config(engines=("tapcheck",))

    def tap308():
        (result,) = run([str(template)], config, use_cache=True).files
        return [f for f in result.findings if f.rule_id == "TAP308" and f.severity == "error"]

    assert len(tap308()) == 1
    assert len(tap308()) == 1  # from the cache
    source.write_text(source.read_text().replace('    make_client("sns").publish', '    # make_client("sns").publish'))
    assert tap308() == []


def test_sam_code_uri_and_policy_templates(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "app.py").write_text(
        "import boto3\nddb = boto3.client('dynamodb')\ndef handler(e, c):\n    ddb.put_item(TableName='t', Item={})\n"
        "    boto3.client('s3').put_object(Bucket='b', Key='k')\n"
    )
    template = tmp_path / "sam.yml"
    template.write_text(
        """
Transform: AWS::Serverless-2016-10-31
Resources:
  Function:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      CodeUri: app
      Policies:
        - DynamoDBWritePolicy: {TableName: t}
        - SQSSendMessagePolicy: {QueueName: q}
"""
    )
    found = [(f.rule_id, f.line, f.message) for f in findings(template, "TAP307") + findings(template, "TAP308")]
    # the policy templates' actions come from aws-sam-translator's data; without a Role, SAM's role is `Policies`
    assert found == [
        (
            "TAP307",
            11,
            "dynamodb:UpdateItem, dynamodb:BatchWriteItem are granted to Function, but no code of Function needs them",
        ),
        ("TAP307", 12, "sqs:SendMessage* is granted to Function, but no code of Function needs it"),
        (
            "TAP308",
            10,
            f"{tmp_path / 'app' / 'app.py'}:5 calls s3 PutObject, which needs s3:PutObject; role Function does not grant it",
        ),
    ]


def test_a_source_that_does_not_parse_is_info(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(e, c)\n    return 1\n")
    template = tmp_path / "t.yml"
    template.write_text(
        """
Resources:
  Function:
    Type: AWS::Lambda::Function
    Metadata: {tapcheck: {source: src/app.py}}
    Properties:
      Runtime: python3.13
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/r
      Code: {S3Bucket: b, S3Key: k}
"""
    )
    (found,) = findings(template, "TAP308")
    assert found.severity == "info" and "app.py:1 does not parse" in found.message


@pytest.mark.parametrize(
    ("source", "siblings", "expected"),
    [
        (  # a table resource reached through a global
            "import boto3\nT = boto3.resource('dynamodb').Table('t')\ndef h(e, c):\n    T.update_item(Key={})\n",
            {},
            [("dynamodb", "UpdateItem", 4)],
        ),
        (  # a client created in a helper of another module, kept in a global set by a function
            "from common import client\n_c = None\ndef get():\n    global _c\n    _c = _c or client('sqs')\n"
            "    return _c\ndef h(e, c):\n    get().send_message(QueueUrl='q', MessageBody='b')\n",
            {"common": "import boto3\ndef client(name):\n    return boto3.client(name)\n"},
            [("sqs", "SendMessage", 8)],
        ),
        (  # sessions, self attributes, paginators, waiters, collections, customizations
            "import boto3\nfrom boto3.session import Session\nclass R:\n    def __init__(self):\n"
            "        self.s3 = Session().client('s3')\n    def go(self):\n"
            "        self.s3.get_paginator('list_objects_v2').paginate(Bucket='b')\n"
            "        self.s3.upload_file('f', 'b', 'k')\n"
            "        boto3.client('dynamodb').get_waiter('table_exists').wait(TableName='t')\n"
            "        boto3.resource('s3').Bucket('b').objects.all()\n",
            {},
            [
                ("s3", "ListObjectsV2", 7),
                ("s3", "PutObject", 8),
                ("dynamodb", "DescribeTable", 9),
                ("s3", "ListObjects", 10),
            ],
        ),
        (  # never guessed: a computed service name, getattr, an f-string
            "import boto3, os\ndef h(e, c):\n    boto3.client(os.environ['S']).go()\n"
            "    getattr(boto3.client('sns'), e['op'])()\n    boto3.client(f\"{e['s']}\").x()\n",
            {},
            [
                (None, ".go() on a client whose service is not known statically", 3),
                ("sns", "getattr() on a sns client: the operation is not known", 4),
                (None, ".x() on a client whose service is not known statically", 5),
            ],
        ),
        (  # not an operation of the service; local methods make no call
            "import boto3\nc = boto3.client('sns')\nc.pubish(Message='m')\nc.generate_presigned_url('x')\n",
            {},
            [("sns", "sns has no operation pubish()", 3)],
        ),
    ],
)
def test_sdk_calls(source, siblings, expected):
    assert calls(source, **siblings) == expected


def test_values_passed_through_too_many_steps_make_the_analysis_say_it_is_incomplete():
    chain = "\n".join(f"x{i} = x{i - 1} if c else x{i + 1}" for i in range(1, 300))
    found = calls(
        f"import boto3\n{chain}\nx0 = boto3.client('s3')\nx300 = x1\nx150.list_buckets()\nx2.list_buckets()\n"
    )
    assert ("s3", "ListBuckets", 304) in found
    assert any(service is None and "the analysis is incomplete" in detail for service, detail, _ in found)


def test_inline_code_with_a_nul_byte_is_info_not_a_crash(tmp_path):
    template = tmp_path / "nul.yml"
    template.write_text(
        "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.13\n"
        "      Handler: index.handler\n      Role: arn:aws:iam::123456789012:role/r\n"
        '      Code:\n        ZipFile: "import boto3\\0x = 1"\n'
    )
    (found,) = findings(template, "TAP308")
    assert found.severity == "info" and "does not parse" in found.message


def test_inline_code_runs_only_as_the_module_index():
    found = summary(f for f in findings(CODE / "inline_module.yml") if f.rule_id in ("TAP307", "TAP308"))
    assert found == [
        (
            "TAP307",
            "warning",
            "IndexRole",
            38,
            "dynamodb:GetItem is granted to IndexRole, but no code of Index needs it",
        ),
        (
            "TAP308",
            "info",
            "Agent",
            22,
            "source not analysed: the inline code is the module index, but Handler module agent.handler runs: "
            "the code that runs is not here",
        ),
    ]

"""The reference stack's Lambda handlers, against moto's in-process DynamoDB and SNS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from handler_aws import HANDLERS, TABLE, aws_fixture, handler_module  # noqa: F401 (a fixture)
from moto import mock_aws

from conftest import REPO

CONTEXT = SimpleNamespace(aws_request_id="11111111-2222-3333-4444-555555555555")
VALID_BODY = {"userId": "user-1", "action": "order.create", "timestamp": "2026-11-25T06:00:00Z", "data": {"n": 1.5}}
validation = handler_module("validation")
processing = handler_module("processing")
notification = handler_module("notification")
common = handler_module("common")


def validated(body=VALID_BODY, request_id="api-request-1"):
    answer = validation.handler({"requestId": request_id, "body": body}, CONTEXT)
    assert answer["isValid"] is True, answer
    return answer["request"]


def items(aws):
    return aws.dynamodb.scan(TableName=TABLE)["Items"]


# -- validation ---------------------------------------------------------------------------


def test_valid_request_is_normalised():
    request = validated({**VALID_BODY, "timestamp": "2026-11-25T07:00:00+01:00"})
    assert request == {
        "requestId": "api-request-1",
        "userId": "user-1",
        "action": "order.create",
        "timestamp": "2026-11-25T06:00:00.000Z",
        "data": {"n": 1.5},
    }


def test_client_request_id_and_epoch_timestamp_and_json_text_body():
    body = json.dumps({"userId": "u", "action": "a", "timestamp": 0, "requestId": "client-key-7"})
    request = validated(body)
    assert request["requestId"] == "client-key-7"
    assert request["timestamp"] == "1970-01-01T00:00:00.000Z"
    assert request["data"] == {}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({**VALID_BODY, "userId": None} | {}, "userId", "must be 1-64 characters"),
        ({k: v for k, v in VALID_BODY.items() if k != "userId"}, "userId", "is required"),
        ({**VALID_BODY, "userId": "a#b"}, "userId", "must be 1-64 characters"),
        ({**VALID_BODY, "userId": "x" * 65}, "userId", "must be 1-64 characters"),
        ({k: v for k, v in VALID_BODY.items() if k != "action"}, "action", "is required"),
        ({**VALID_BODY, "action": "1st"}, "action", "must start with a letter"),
        ({k: v for k, v in VALID_BODY.items() if k != "timestamp"}, "timestamp", "is required"),
        ({**VALID_BODY, "timestamp": "yesterday"}, "timestamp", "ISO 8601"),
        ({**VALID_BODY, "timestamp": "2026-11-25T06:00:00"}, "timestamp", "time zone"),
        ({**VALID_BODY, "timestamp": True}, "timestamp", "ISO 8601"),
        ({**VALID_BODY, "timestamp": 1e300}, "timestamp", "ISO 8601"),
        ({**VALID_BODY, "timestamp": ["2026"]}, "timestamp", "ISO 8601"),
        ({**VALID_BODY, "data": [1]}, "data", "must be a JSON object"),
        ({**VALID_BODY, "data": {"x": float("nan")}}, "data", "NaN"),
        ({**VALID_BODY, "data": {"x": "y" * 40000}}, "data", "at most 32768"),
        ({**VALID_BODY, "requestId": "has space"}, "requestId", "1-128 characters"),
        ({**VALID_BODY, "extra": 1}, "extra", "is not a known field"),
    ],
)
def test_each_invalid_field_gets_its_error(body, field, message):
    answer = validation.handler({"requestId": "api-request-1", "body": body}, CONTEXT)
    assert answer["isValid"] is False
    assert any(e["field"] == field and message in e["message"] for e in answer["errors"]), answer["errors"]


def test_all_field_errors_are_reported_at_once():
    answer = validation.handler({"requestId": "r", "body": {}}, CONTEXT)
    assert sorted(e["field"] for e in answer["errors"]) == ["action", "timestamp", "userId"]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({}, "is required"),
        ("not an object", "is required"),
        ({"body": "{not json"}, "is not valid JSON"),
        ({"body": "[1, 2]"}, "must be a JSON object"),
        ({"body": VALID_BODY}, "requestId"),
    ],
)
def test_malformed_events_are_answers_not_exceptions(event, message):
    answer = validation.handler(event, CONTEXT)
    assert answer["isValid"] is False
    assert message in json.dumps(answer["errors"])


# -- processing ---------------------------------------------------------------------------


def test_valid_request_lands_exactly_once_with_its_keys(aws):
    result = processing.handler(validated(), CONTEXT)
    assert result == {"stored": True, "duplicate": False, "pk": "USER#user-1", "sk": "REQUEST#api-request-1"}
    [item] = items(aws)
    assert item["pk"] == {"S": "USER#user-1"}
    assert item["sk"] == {"S": "REQUEST#api-request-1"}
    assert item["gsi1pk"] == {"S": "ACTION#order.create"}
    assert item["gsi1sk"] == {"S": "2026-11-25T06:00:00.000Z"}
    assert item["data"] == {"M": {"n": {"N": "1.5"}}}
    by_action = aws.dynamodb.query(
        TableName=TABLE,
        IndexName="GSI1",
        KeyConditionExpression="gsi1pk = :a",
        ExpressionAttributeValues={":a": {"S": "ACTION#order.create"}},
    )
    assert by_action["Count"] == 1


def test_a_retried_or_resent_request_neither_duplicates_nor_overwrites(aws):
    request = validated()
    processing.handler(request, CONTEXT)
    stored_at = items(aws)[0]["storedAt"]
    resent = {**request, "data": {"changed": True}}
    assert processing.handler(resent, CONTEXT)["duplicate"] is True
    [item] = items(aws)
    assert item["storedAt"] == stored_at
    assert item["data"] == {"M": {"n": {"N": "1.5"}}}


def test_nested_data_of_every_json_type_is_stored():
    item = processing.to_item(
        validated({**VALID_BODY, "data": {"list": [1, "two", None, False, {"f": 0.1}], "big": 10**20}})
    )
    assert item["data"]["M"]["list"] == {
        "L": [{"N": "1"}, {"S": "two"}, {"NULL": True}, {"BOOL": False}, {"M": {"f": {"N": "0.1"}}}]
    }
    assert item["data"]["M"]["big"] == {"N": str(10**20)}


def test_a_dynamodb_failure_raises_so_the_workflow_retries(aws):
    aws.dynamodb.delete_table(TableName=TABLE)
    with pytest.raises(common.TransientError, match="ResourceNotFoundException"):
        processing.handler(validated(), CONTEXT)


def test_an_unreachable_dynamodb_raises_so_the_workflow_retries(aws, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
    monkeypatch.setattr(common, "AWS_CLIENT_CONFIG", common.Config(connect_timeout=0.2, retries={"max_attempts": 1}))
    with mock_aws(config={"core": {"passthrough": {"urls": [r"http://127\.0\.0\.1:9.*"]}}}):
        with pytest.raises(common.TransientError, match="Could not connect"):
            processing.handler(validated(), CONTEXT)


@pytest.mark.parametrize("request_", [None, {}, {"requestId": "r", "userId": "u", "action": "a"}])
def test_processing_rejects_input_that_did_not_come_from_validation(aws, request_):
    with pytest.raises(common.InvalidRequest):
        processing.handler(request_, CONTEXT)
    assert items(aws) == []


def test_unstorable_values_are_invalid():
    with pytest.raises(common.InvalidRequest, match="type set"):
        processing.attribute_value({1, 2})


def test_missing_table_name_is_a_deployment_bug(aws, monkeypatch):
    monkeypatch.delenv("TABLE_NAME")
    with pytest.raises(RuntimeError, match="TABLE_NAME"):
        processing.handler(validated(), CONTEXT)


# -- notification -------------------------------------------------------------------------


def test_notification_publishes_the_outcome_to_the_topic(aws):
    request = validated()
    result = notification.handler({"request": request, "processing": processing.handler(request, CONTEXT)}, CONTEXT)
    assert result["notified"] is True and result["messageId"]
    [message] = aws.sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(message["Body"]) == {
        "requestId": "api-request-1",
        "userId": "user-1",
        "action": "order.create",
        "timestamp": "2026-11-25T06:00:00.000Z",
        "stored": True,
        "duplicate": False,
    }


def test_an_sns_failure_raises_so_the_workflow_retries(aws, monkeypatch):
    monkeypatch.setenv("NOTIFICATION_TOPIC_ARN", aws.topic + "-gone")
    event = {"request": validated(), "processing": {"stored": True}}
    with pytest.raises(common.TransientError, match="NotFound"):
        notification.handler(event, CONTEXT)


@pytest.mark.parametrize(
    "event", [None, {}, {"request": {}, "processing": {}}, {"request": {"requestId": "r"}, "processing": {}}]
)
def test_notification_rejects_malformed_input(aws, event):
    with pytest.raises(common.InvalidRequest):
        notification.handler(event, CONTEXT)


# -- the handlers as a whole --------------------------------------------------------------


def test_handlers_use_only_the_standard_library_and_boto3():
    allowed = set(sys.stdlib_module_names) | {"boto3", "botocore", "common", "validation", "processing"}
    for path in HANDLERS.glob("*.py"):
        imported = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import ast,sys;t=ast.parse(open({str(path)!r}).read());"
                "print(' '.join({(n.module if isinstance(n, ast.ImportFrom) else a.name).split('.')[0] "
                "for n in ast.walk(t) if isinstance(n,(ast.Import,ast.ImportFrom)) "
                "for a in (n.names if isinstance(n, ast.Import) else [n])}))",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert set(imported) <= allowed, (path.name, set(imported) - allowed)


@pytest.mark.skipif(os.environ.get("TAPCHECK_IN_COVERAGE") == "1", reason="this is the coverage run itself")
def test_handler_line_coverage_is_at_least_90_percent(tmp_path):
    env = {**os.environ, "TAPCHECK_IN_COVERAGE": "1", "COVERAGE_FILE": str(tmp_path / ".coverage")}
    run = [sys.executable, "-m", "coverage"]
    subprocess.run(
        [*run, "run", f"--source={HANDLERS}", "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    report = subprocess.run([*run, "report", "--fail-under=90"], env=env, capture_output=True, text=True)
    assert report.returncode == 0, report.stdout + report.stderr

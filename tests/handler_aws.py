"""The reference handlers as the Lambda runtime imports them, and moto's in-process AWS
with the stack's table (its key schema read from the template) and notification topic."""

from __future__ import annotations

import importlib
import sys
from functools import cache
from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws

from tapcheck.checker.model.loader import load_template

from conftest import REPO

REFERENCE = REPO / "reference"
HANDLERS = REFERENCE / "handlers"
TABLE = "tap-stack-test-application-table"


def handler_module(name: str):
    """A handler module, imported as the Lambda runtime does (the handlers folder on sys.path)."""
    if str(HANDLERS) not in sys.path:
        sys.path.insert(0, str(HANDLERS))
    return importlib.import_module(name)


@cache
def reference_template() -> dict:
    return load_template(REFERENCE / "TapStack.yml").data


def table_shape() -> dict:
    """The application table's keys and indexes as the reference stack declares them."""
    table = reference_template()["Resources"]["ApplicationTable"]["Properties"]
    return {
        "AttributeDefinitions": table["AttributeDefinitions"],
        "KeySchema": table["KeySchema"],
        "GlobalSecondaryIndexes": [
            {k: v for k, v in index.items() if k != "ProvisionedThroughput"}
            for index in table["GlobalSecondaryIndexes"]
        ],
    }


@pytest.fixture(name="aws")
def aws_fixture(monkeypatch):
    """moto's in-process AWS with the stack's table and topic; the handlers' cached clients reset."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": TABLE,
    }.items():
        monkeypatch.setenv(name, value)
    client_cache = handler_module("common").aws_client
    client_cache.cache_clear()  # clients are made once per execution environment: each test is a new one
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST", **table_shape())
        sns = boto3.client("sns")
        topic = sns.create_topic(Name="tap-stack-test-notifications")["TopicArn"]
        sqs = boto3.client("sqs")
        queue_url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        monkeypatch.setenv("NOTIFICATION_TOPIC_ARN", topic)
        yield SimpleNamespace(dynamodb=dynamodb, sqs=sqs, queue_url=queue_url, topic=topic)
    client_cache.cache_clear()

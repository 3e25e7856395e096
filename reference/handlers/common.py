"""What the three handlers share: errors the workflow understands, logging, AWS clients.

Only the standard library and boto3 (which the Lambda Python runtime provides) are used.
"""

import functools
import json
import logging
import os

import boto3
from botocore.config import Config

logger = logging.getLogger("tapstack")
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

# Fail fast inside a Lambda invocation and let the workflow's Retry do the waiting.
AWS_CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"})


class InvalidRequest(Exception):
    """The input cannot be processed as it is; retrying will not help.

    The state machine catches it by name (``InvalidRequest``) and fails the execution.
    """


class TransientError(Exception):
    """A dependency (DynamoDB, SNS) failed; the state machine retries the task by name."""


@functools.cache
def aws_client(service):
    """A boto3 client for the function's region, with short timeouts, created once per
    execution environment (and reused by the invocations it serves)."""
    return boto3.client(service, config=AWS_CLIENT_CONFIG)


def required_env(name):
    """An environment variable the stack always sets; its absence is a deployment bug."""
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


def log(message, **fields):
    """One structured (JSON) log line, which CloudWatch Logs Insights can query by field."""
    logger.info(json.dumps({"message": message, **fields}, default=str, sort_keys=True))

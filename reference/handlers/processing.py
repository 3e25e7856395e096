"""ProcessData: store a validated request in the application table, exactly once.

Input (the state's ``InputPath`` is ``$.validation.request``): the request that
ValidateInput normalised. The item's key is ``pk=USER#<userId>``, ``sk=REQUEST#<requestId>``;
the write is conditional on the key being new, so a retried task or a re-sent request
never duplicates or overwrites a record. DynamoDB failures raise ``TransientError``,
which the state machine retries.
"""

import json
from datetime import UTC, datetime
from decimal import Decimal

from botocore.exceptions import BotoCoreError, ClientError
from common import InvalidRequest, TransientError, aws_client, log, required_env

REQUIRED = ("requestId", "userId", "action", "timestamp")


def handler(event, context):
    item = to_item(event)
    key = {"pk": item["pk"]["S"], "sk": item["sk"]["S"]}
    try:
        aws_client("dynamodb").put_item(
            TableName=required_env("TABLE_NAME"),
            Item=item,
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise TransientError(f"DynamoDB PutItem failed: {error}") from error
        log("duplicate ignored", awsRequestId=context.aws_request_id, **key)
        return {"stored": False, "duplicate": True, **key}
    except BotoCoreError as error:
        raise TransientError(f"DynamoDB PutItem failed: {error}") from error
    log("stored", awsRequestId=context.aws_request_id, **key)
    return {"stored": True, "duplicate": False, **key}


def to_item(request):
    """The DynamoDB item (in the low-level attribute-value form) for a validated request."""
    if not isinstance(request, dict):
        raise InvalidRequest("the request must be an object")
    missing = [name for name in REQUIRED if not isinstance(request.get(name), str) or not request[name]]
    if missing:
        raise InvalidRequest(f"the request has no valid {', '.join(missing)}")
    item = {
        "pk": f"USER#{request['userId']}",
        "sk": f"REQUEST#{request['requestId']}",
        "gsi1pk": f"ACTION#{request['action']}",
        "gsi1sk": request["timestamp"],
        "requestId": request["requestId"],
        "userId": request["userId"],
        "action": request["action"],
        "timestamp": request["timestamp"],
        "data": _decimals(request.get("data", {})),
        "storedAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    return {name: attribute_value(value) for name, value in item.items()}


def _decimals(value):
    """JSON data with every number as a Decimal: DynamoDB rejects floats."""
    return json.loads(json.dumps(value), parse_float=Decimal, parse_int=Decimal)


def attribute_value(value):
    """``value`` in DynamoDB's attribute-value form (``{"S": ...}``, ``{"M": ...}``...)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, Decimal):
        return {"N": str(value)}
    if isinstance(value, list):
        return {"L": [attribute_value(element) for element in value]}
    if isinstance(value, dict):
        return {"M": {str(name): attribute_value(element) for name, element in value.items()}}
    raise InvalidRequest(f"cannot store a value of type {type(value).__name__}")

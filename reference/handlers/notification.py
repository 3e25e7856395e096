"""SendNotification: publish the outcome of a processed request to the stack's SNS topic.

Input (the state's ``Parameters``): ``{"request": <the validated request>, "processing":
<ProcessData's result>}``. SNS failures raise ``TransientError``, which the state machine
retries.
"""

import json

from botocore.exceptions import BotoCoreError, ClientError
from common import InvalidRequest, TransientError, aws_client, log, required_env


def handler(event, context):
    request, processing = _parts(event)
    message = {
        "requestId": request["requestId"],
        "userId": request["userId"],
        "action": request["action"],
        "timestamp": request["timestamp"],
        "stored": processing.get("stored") is True,
        "duplicate": processing.get("duplicate") is True,
    }
    try:
        response = aws_client("sns").publish(
            TopicArn=required_env("NOTIFICATION_TOPIC_ARN"),
            Subject=f"Request {request['action']} processed",
            Message=json.dumps(message, sort_keys=True),
            MessageAttributes={"action": {"DataType": "String", "StringValue": request["action"]}},
        )
    except (ClientError, BotoCoreError) as error:
        raise TransientError(f"SNS Publish failed: {error}") from error
    log("notified", awsRequestId=context.aws_request_id, messageId=response["MessageId"], **message)
    return {"notified": True, "messageId": response["MessageId"]}


def _parts(event):
    request = event.get("request") if isinstance(event, dict) else None
    processing = event.get("processing") if isinstance(event, dict) else None
    if not isinstance(request, dict) or not isinstance(processing, dict):
        raise InvalidRequest("the input must have a 'request' and a 'processing' object")
    missing = [name for name in ("requestId", "userId", "action", "timestamp") if name not in request]
    if missing:
        raise InvalidRequest(f"the request has no {', '.join(missing)}")
    return request, processing

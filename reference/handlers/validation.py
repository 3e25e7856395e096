"""ValidateInput: check the request the API passed to the workflow, field by field.

Input (from API Gateway): ``{"requestId": "<API request id>", "body": {...}}``, where
``body`` is the client's JSON object (or its JSON text). Output, stored by the state
machine at ``$.validation``: ``{"isValid": true, "request": {...}}`` with the normalised
request, or ``{"isValid": false, "errors": [{"field": ..., "message": ...}]}``. Bad input
is an answer, never an exception: only a bug raises here.
"""

import json
import re
from datetime import UTC, datetime

from common import log

IDENTIFIER = re.compile(r"[A-Za-z0-9_-]{1,64}")
REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
ACTION = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")
MAX_DATA_BYTES = 32 * 1024
FIELDS = ("requestId", "userId", "action", "timestamp", "data")


def handler(event, context):
    body, errors = _body(event)
    request = {}
    if body is not None:
        request, errors = validate(body, default_request_id=event.get("requestId"))
    log("validated", awsRequestId=context.aws_request_id, valid=not errors, errors=errors)
    if errors:
        return {"isValid": False, "errors": errors}
    return {"isValid": True, "request": request}


def _body(event):
    if not isinstance(event, dict) or "body" not in event:
        return None, [_error("body", "is required")]
    body = event["body"]
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError as error:
            return None, [_error("body", f"is not valid JSON ({error.msg} at position {error.pos})")]
    if not isinstance(body, dict):
        return None, [_error("body", "must be a JSON object")]
    return body, []


def validate(body, default_request_id=None):
    """The normalised request and a list of field errors (empty when valid)."""
    errors = [_error(name, "is not a known field") for name in sorted(set(body) - set(FIELDS))]
    request = {}

    request_id = body.get("requestId", default_request_id)
    if request_id is None:
        errors.append(_error("requestId", "is required (the API sets it when the client does not)"))
    elif not _matches(REQUEST_ID, request_id):
        errors.append(_error("requestId", "must be 1-128 characters of letters, digits, '-' and '_'"))
    else:
        request["requestId"] = request_id

    for name, pattern, rule in (
        ("userId", IDENTIFIER, "must be 1-64 characters of letters, digits, '-' and '_'"),
        ("action", ACTION, "must start with a letter and be 1-64 characters of letters, digits, '_.:-'"),
    ):
        if name not in body:
            errors.append(_error(name, "is required"))
        elif not _matches(pattern, body[name]):
            errors.append(_error(name, rule))
        else:
            request[name] = body[name]

    if "timestamp" not in body:
        errors.append(_error("timestamp", "is required"))
    else:
        timestamp = normalise_timestamp(body["timestamp"])
        if timestamp is None:
            errors.append(_error("timestamp", "must be an ISO 8601 date-time with a time zone or epoch seconds"))
        else:
            request["timestamp"] = timestamp

    data = body.get("data", {})
    data_error = _data_error(data)
    if data_error:
        errors.append(_error("data", data_error))
    else:
        request["data"] = data
    return request, errors


def normalise_timestamp(value):
    """``value`` as UTC ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (sorts as time does), or None."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            moment = datetime.fromtimestamp(value, tz=UTC)
        elif isinstance(value, str):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                return None
        else:
            return None
    except (ValueError, OverflowError, OSError):
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _data_error(data):
    if not isinstance(data, dict):
        return "must be a JSON object"
    try:
        size = len(json.dumps(data, allow_nan=False).encode())
    except ValueError:
        return "must not contain NaN or Infinity"
    if size > MAX_DATA_BYTES:
        return f"is {size} bytes; at most {MAX_DATA_BYTES} are allowed"
    return None


def _matches(pattern, value):
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _error(field, message):
    return {"field": field, "message": message}

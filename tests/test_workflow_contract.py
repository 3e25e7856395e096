"""The workflow's data contract: the reference state machine, run with the real handlers.

A small interpreter of the Amazon States Language subset the definition uses (Task with
InputPath/Parameters/ResultPath, Retry and Catch; Choice; Fail) passes each handler the
input its state receives, so every path a state reads must exist in what the previous
state produced, and the Choice rule must find a boolean. DynamoDB and SNS are moto's.
"""

from __future__ import annotations

import copy
import json
import re
from types import SimpleNamespace

import jsonschema
import pytest
from handler_aws import TABLE, aws_fixture, handler_module, reference_template  # noqa: F401 (a fixture)

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"
CONTEXT = SimpleNamespace(aws_request_id="00000000-0000-0000-0000-000000000000")
BODY = {"userId": "user-7", "action": "order.create", "timestamp": 1764050400, "data": {"total": 12.5}}
common = handler_module("common")


class ContractError(AssertionError):
    """A state read a path that its input does not have (States.Runtime in AWS)."""


def definition() -> dict:
    """The state machine definition with each function's ${X.Arn} replaced by a stand-in ARN."""
    text = reference_template()["Resources"]["ApplicationStateMachine"]["Properties"]["DefinitionString"]["Fn::Sub"]
    return json.loads(re.sub(r"\$\{(\w+)\.Arn\}", lambda m: FUNCTION_ARN.format(m.group(1)), text))


def handlers() -> dict:
    """Stand-in ARN -> the handler function the template's Handler property names."""
    found = {}
    for logical_id, resource in reference_template()["Resources"].items():
        if resource["Type"] == "AWS::Lambda::Function":
            module, function = resource["Properties"]["Handler"].split(".")
            found[FUNCTION_ARN.format(logical_id)] = getattr(handler_module(module), function)
    return found


def read_path(data, path: str):
    if path == "$":
        return data
    value = data
    for name in path.removeprefix("$.").split("."):
        if not isinstance(value, dict) or name not in value:
            raise ContractError(f"path {path} is not in the state's input {json.dumps(data)[:300]}")
        value = value[name]
    return value


def write_path(data, path: str, result):
    if path == "$":
        return result
    data = copy.deepcopy(data)
    *parents, last = path.removeprefix("$.").split(".")
    target = data
    for name in parents:
        target = target.setdefault(name, {})
    target[last] = result
    return data


def parameters(template, data):
    if isinstance(template, dict):
        return {
            (k[:-2] if k.endswith(".$") else k): read_path(data, v) if k.endswith(".$") else parameters(v, data)
            for k, v in template.items()
        }
    return template


def matches(error: str, equals: list[str]) -> bool:
    return "States.ALL" in equals or error in equals or (error != "States.Runtime" and "States.TaskFailed" in equals)


def run_task(state: dict, effective, function):
    """Run a Task with its Retry rules: (error name or None, result, attempts)."""
    attempts, retried = 0, {}
    while True:
        attempts += 1
        try:
            result = function(copy.deepcopy(effective), CONTEXT)
            json.dumps(result)  # a Lambda result must be JSON
            return None, result, attempts
        except ContractError:
            raise
        except Exception as raised:  # Step Functions sees the exception's class name
            error = type(raised).__name__
            result = {"Error": error, "Cause": str(raised)}
        retrier = next((i for i, r in enumerate(state.get("Retry", [])) if matches(error, r["ErrorEquals"])), None)
        if retrier is None or retried.get(retrier, 0) >= state["Retry"][retrier].get("MaxAttempts", 3):
            return error, result, attempts
        retried[retrier] = retried.get(retrier, 0) + 1


def run_workflow(execution_input, functions=None, machine=None):
    """(final status, error, final data, [(state, attempts)] in the order visited)."""
    machine = machine or definition()
    functions = functions or handlers()
    state_name, data, trail = machine["StartAt"], execution_input, []
    while True:
        state = machine["States"][state_name]
        if state["Type"] == "Fail":
            trail.append((state_name, 1))
            return "FAILED", state["Error"], data, trail
        if state["Type"] == "Choice":
            trail.append((state_name, 1))
            state_name = state["Default"]
            for rule in state["Choices"]:
                value = read_path(data, rule["Variable"])
                assert isinstance(value, bool), f"{rule['Variable']} is {value!r}, not a boolean"
                if value == rule["BooleanEquals"]:
                    state_name = rule["Next"]
                    break
            continue
        assert state["Type"] == "Task", state
        effective = read_path(data, state.get("InputPath", "$"))
        if "Parameters" in state:
            effective = parameters(state["Parameters"], effective)
        error, result, attempts = run_task(state, effective, functions[state["Resource"]])
        trail.append((state_name, attempts))
        if error is not None:
            catcher = next((c for c in state.get("Catch", []) if matches(error, c["ErrorEquals"])), None)
            if catcher is None:
                return "FAILED", error, data, trail
            data = write_path(data, catcher.get("ResultPath", "$"), result)
            state_name = catcher["Next"]
            continue
        data = write_path(data, state.get("ResultPath", "$"), result)
        if state.get("End"):
            return "SUCCEEDED", None, data, trail
        state_name = state["Next"]


def api_input(body, request_id="api-req-1"):
    """What the API's request template gives the workflow: the request id and the body."""
    return {"requestId": request_id, "body": body}


def test_a_valid_request_goes_through_every_state_and_is_stored_and_notified(aws):
    status, error, output, trail = run_workflow(api_input(BODY))
    assert (status, error) == ("SUCCEEDED", None)
    assert [name for name, _ in trail] == ["ValidateInput", "CheckValidation", "ProcessData", "SendNotification"]
    assert output["processing"] == {
        "stored": True,
        "duplicate": False,
        "pk": "USER#user-7",
        "sk": "REQUEST#api-req-1",
    }
    assert output["notification"]["notified"] is True
    [item] = aws.dynamodb.scan(TableName=TABLE)["Items"]
    assert item["gsi1sk"] == {"S": "2025-11-25T06:00:00.000Z"}
    [message] = aws.sqs.receive_message(QueueUrl=aws.queue_url)["Messages"]
    assert json.loads(message["Body"])["stored"] is True


def test_a_resent_request_is_ignored_by_processing_and_still_succeeds(aws):
    run_workflow(api_input({**BODY, "requestId": "client-1"}))
    status, _, output, _ = run_workflow(api_input({**BODY, "requestId": "client-1"}, request_id="api-req-2"))
    assert status == "SUCCEEDED" and output["processing"]["duplicate"] is True
    assert aws.dynamodb.scan(TableName=TABLE)["Count"] == 1


@pytest.mark.parametrize("body", [{**BODY, "timestamp": "yesterday"}, {"userId": "u"}, "not json {"])
def test_invalid_input_ends_in_invalid_input_without_touching_the_table(aws, body):
    status, error, output, trail = run_workflow(api_input(body))
    assert (status, error) == ("FAILED", "InvalidInput")
    assert output["validation"]["isValid"] is False and output["validation"]["errors"]
    assert "ProcessData" not in [name for name, _ in trail]
    assert aws.dynamodb.scan(TableName=TABLE)["Count"] == 0


def test_a_dynamodb_failure_is_retried_then_fails_the_execution(aws):
    aws.dynamodb.delete_table(TableName=TABLE)
    status, error, output, trail = run_workflow(api_input(BODY))
    assert (status, error) == ("FAILED", "ProcessingFailed")
    retry = definition()["States"]["ProcessData"]["Retry"][0]
    assert "TransientError" in retry["ErrorEquals"]
    assert dict(trail)["ProcessData"] == 1 + retry["MaxAttempts"]
    assert output["error"]["Error"] == "TransientError"


def test_a_transient_failure_that_clears_is_retried_to_success(aws):
    functions = handlers()
    processing = functions[FUNCTION_ARN.format("ProcessingFunction")]
    calls = []

    def flaky(event, context):
        calls.append(event)
        if len(calls) == 1:
            raise common.TransientError("throttled")
        return processing(event, context)

    functions[FUNCTION_ARN.format("ProcessingFunction")] = flaky
    status, _, output, trail = run_workflow(api_input(BODY), functions)
    assert status == "SUCCEEDED" and dict(trail)["ProcessData"] == 2
    assert calls[0] == calls[1]  # a retry gets the same input, hence the same key
    assert aws.dynamodb.scan(TableName=TABLE)["Count"] == 1


def test_every_task_names_a_function_whose_handler_exists():
    functions = handlers()
    for name, state in definition()["States"].items():
        if state["Type"] == "Task":
            assert state["Resource"] in functions, name


def test_the_api_passes_the_request_id_and_the_body_to_the_workflow():
    method = reference_template()["Resources"]["ProcessMethod"]["Properties"]
    request_template = method["Integration"]["RequestTemplates"]["application/json"]["Fn::Sub"]
    assert '"name": "$context.requestId"' in request_template
    assert '"input": "{\\"requestId\\": \\"$context.requestId\\", \\"body\\": $body}"' in request_template


def test_the_api_model_never_rejects_what_validation_accepts():
    """The API answers 400 itself for most bad bodies; it must not turn away a valid one,
    and its fields are exactly the handler's."""
    validation = handler_module("validation")
    model = reference_template()["Resources"]["ProcessRequestModel"]["Properties"]["Schema"]
    schema = jsonschema.Draft4Validator(model)
    assert set(model["properties"]) == set(validation.FIELDS)
    assert set(model["required"]) == {"userId", "action", "timestamp"}
    bodies = [
        BODY,
        {**BODY, "timestamp": "2026-01-01T00:00:00+02:00", "requestId": "k-1"},
        {**BODY, "data": {}},
        {**BODY, "userId": ""},
        {**BODY, "userId": "a#b"},
        {**BODY, "action": "9lives"},
        {**BODY, "timestamp": True},
        {**BODY, "timestamp": "2026-01-01"},
        {**BODY, "data": []},
        {**BODY, "requestId": "x" * 129},
        {**BODY, "other": 1},
        {k: v for k, v in BODY.items() if k != "action"},
    ]
    for body in bodies:
        _, errors = validation.validate(body, default_request_id="api-req")
        model_errors = list(schema.iter_errors(body))
        if not errors:
            assert not model_errors, (body, model_errors)
        if model_errors:
            assert errors, body


def test_the_contract_checker_catches_a_broken_path(aws):
    """The interpreter is strict: a state reading a path its input lacks fails the test."""
    broken = definition()
    broken["States"]["ProcessData"]["InputPath"] = "$.validation.normalised"
    with pytest.raises(ContractError, match=r"\$\.validation\.normalised"):
        run_workflow(api_input(BODY), machine=broken)

"""TAP501-TAP505 on their fixtures: alarms linked by Sub, metric math, misspelt
metrics, alarms on absent resources, tracing, log groups named through a Ref."""

from __future__ import annotations

from tapcheck.checker.config import Config

from conftest import FIXTURES, findings

MONITORING = FIXTURES / "monitoring"


def rule(path, rule_id, config=None):
    return sorted((f.resource, f.severity, f.message, tuple(f.scenarios)) for f in findings(path, rule_id, config))


def test_tap501_sub_links_metric_math_and_api_name():
    assert rule(MONITORING / "alarms.yml", "TAP501") == [
        ("Function", "error", "no alarm on AWS/Lambda Throttles for this AWS::Lambda::Function", ()),
    ]


def test_tap501_matrix_is_configurable():
    config = Config(alarm_matrix={"AWS::Lambda::Function": None})
    assert rule(MONITORING / "alarms.yml", "TAP501", config) == []


def test_tap502_alarm_without_actions():
    assert rule(MONITORING / "alarms.yml", "TAP502") == [
        ("ElsewhereErrors", "error", "alarm has no AlarmActions: nobody is told when it fires", ()),
    ]


def test_tap503_misspelt_metric_and_absent_resource():
    assert rule(MONITORING / "alarms.yml", "TAP503") == [
        (
            "ElsewhereErrors",
            "warning",
            "dimension FunctionName = 'some-other-function' names no resource of this template",
            (),
        ),
        ("FunctionThrottle", "warning", "AWS/Lambda has no metric 'Throttle'; did you mean 'Throttles'?", ()),
    ]


def test_tap504_tracing():
    assert rule(MONITORING / "logs_and_tracing.yml", "TAP504") == [
        ("Stage", "warning", "AWS::ApiGateway::Stage has tracing off (set TracingEnabled: true)", ()),
        ("Untraced", "warning", "AWS::Lambda::Function has tracing off (set TracingConfig.Mode: Active)", ()),
    ]


def test_tap505_log_groups_and_retention_per_scenario():
    assert rule(MONITORING / "logs_and_tracing.yml", "TAP505") == [
        ("SharedLogs", "warning", "log group has no RetentionInDays: logs are kept forever", ()),
        (
            "TracedLogs",
            "warning",
            "log group keeps logs 30 days; the policy asks for at least 90",
            ("only when Environment=production",),
        ),
        (
            "Untraced",
            "warning",
            "function has no explicit log group: Lambda creates /aws/lambda/<name> and keeps its logs forever",
            (),
        ),
    ]


def test_tap505_policy_is_configurable():
    config = Config(log_retention={"parameter": "Environment", "minimum-days": {"production": 30}, "default-days": 14})
    found = rule(MONITORING / "logs_and_tracing.yml", "TAP505", config)
    assert (
        "TracedLogs",
        "warning",
        "log group keeps logs 7 days; the policy asks for at least 14",
        ("only when Environment=development",),
    ) in found
    assert not any("at least 30" in m for _, _, m, _ in found)


def test_tap501_info_for_resources_handed_to_a_nested_application():
    found = [f for f in findings(MONITORING / "nested_and_deployments.yml", "TAP501") if f.resource != "Api"]
    assert sorted((f.resource, f.severity, f.message) for f in found) == [
        ("Unwatched", "error", "no alarm on AWS/Lambda Errors for this AWS::Lambda::Function"),
        ("Unwatched", "error", "no alarm on AWS/Lambda Throttles for this AWS::Lambda::Function"),
        (
            "Watched",
            "info",
            "cannot tell whether it has an alarm on AWS/Lambda Errors: it is handed to Alarms "
            "(AWS::Serverless::Application), which may create it",
        ),
        (
            "Watched",
            "info",
            "cannot tell whether it has an alarm on AWS/Lambda Throttles: it is handed to Alarms "
            "(AWS::Serverless::Application), which may create it",
        ),
    ]


def test_tap504_stages_that_deployments_create():
    found = findings(MONITORING / "nested_and_deployments.yml", "TAP504")
    assert [(f.resource, f.path, f.message) for f in found] == [
        (
            "UntracedDeployment",
            "Properties.StageDescription.TracingEnabled",
            "the stage prod this AWS::ApiGateway::Deployment creates has tracing off "
            "(set StageDescription.TracingEnabled: true)",
        )
    ]

"""The seed stack: its untagged resources are reported with their lines."""

from __future__ import annotations

from tapcheck.checker.runner import check_file

from conftest import SEED, needs_shared, run_process

pytestmark = needs_shared

UNTAGGED = {
    "NATGatewayEIP",
    "DynamoDBVPCEndpoint",
    "StateMachineLogGroup",
    "ProcessingLambdaLogGroup",
    "ValidationLambdaLogGroup",
    "NotificationLambdaLogGroup",
    "ProcessingLambdaErrorAlarm",
    "ProcessingLambdaDurationAlarm",
    "ProcessingLambdaThrottleAlarm",
    "DynamoDBUserErrorsAlarm",
    "ApiGateway4xxAlarm",
    "ApiGateway5xxAlarm",
    "StepFunctionsFailedExecutionsAlarm",
}
MISSING_ENVIRONMENT = {
    "PrivateSubnetAZ1",
    "PrivateSubnetAZ2",
    "PublicSubnetAZ1",
    "InternetGateway",
    "NATGateway",
    "PublicRouteTable",
    "PrivateRouteTable",
    "LambdaSecurityGroup",
}


def test_seed_untagged_resources_are_reported_with_lines():
    result = check_file(SEED)
    assert result.status == "checked" and result.scenarios == 3
    tap101 = {f.resource: f for f in result.findings if f.rule_id == "TAP101"}
    assert set(tap101) == UNTAGGED | MISSING_ENVIRONMENT
    lines = SEED.read_text().splitlines()
    for resource in UNTAGGED:
        finding = tap101[resource]
        assert "'project', 'team-number', 'Environment'" in finding.message
        assert lines[finding.line - 1].strip() == f"{resource}:"
    for resource in MISSING_ENVIRONMENT:
        assert tap101[resource].message.endswith("missing required tag(s) 'Environment'")
        assert lines[tap101[resource].line - 1].strip() == "Tags:"
    assert all(f.scenarios == [] for f in tap101.values())


def test_seed_exits_1_without_traceback():
    process = run_process("--engines", "tapcheck", SEED)
    assert process.returncode == 1
    assert "Traceback" not in process.stderr and "TAP101" in process.stdout

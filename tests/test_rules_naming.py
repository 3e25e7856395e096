"""TAP401 and TAP402 on their fixtures: direct and transitive suffixes, the Name tag,
names valid in one scenario and not another."""

from __future__ import annotations

from tapcheck.checker.aws.physical_names import name_properties
from tapcheck.checker.config import Config

from conftest import FIXTURES, findings

NAMING = FIXTURES / "naming"


def test_tap401_direct_transitive_and_name_tag():
    found = sorted((f.resource, f.line, f.message) for f in findings(NAMING / "tap401.yml", "TAP401"))
    assert found == [
        ("FixedFunction", 21, "name 'tap-stack-production-processor' does not include EnvironmentSuffix"),
        ("FixedFunctionLogs", 44, "name '/aws/lambda/${FixedFunction}' does not include EnvironmentSuffix"),
        ("Network", 51, "name 'main-vpc' does not include EnvironmentSuffix"),
    ]


def test_tap401_suffix_parameter_name_is_configurable():
    found = findings(NAMING / "tap401.yml", "TAP401", Config(suffix_parameter="Stage"))
    (finding,) = found
    assert finding.resource is None and finding.path == "Parameters"
    assert finding.message.startswith("the template sets 8 explicit physical name(s) but has no Stage parameter")


def test_tap401_template_without_suffix_parameter_fails_once():
    (finding,) = findings(NAMING / "tap401_no_parameter.yml", "TAP401")
    assert finding.resource is None and finding.message == (
        "the template sets 1 explicit physical name(s) but has no EnvironmentSuffix parameter "
        "to keep them apart between deployments: Table TableName"
    )


def test_tap401_without_the_parameter_once_per_template_whatever_the_scenario():
    (finding,) = findings(NAMING / "tap401_no_parameter_conditions.yml", "TAP401")
    assert finding.scenarios == [] and finding.line == 3
    assert finding.message.endswith("deployments: Table TableName, Queue QueueName, Subnet Name tag, Volume Name tag")


def test_tap402_valid_in_development_too_long_in_production():
    found = findings(NAMING / "tap402.yml", "TAP402")
    (function,) = [f for f in found if f.resource == "Function"]
    assert function.message == (
        "name 'tap-stack-production-production-eu-central-primary-processor-pr1234' (67 characters): "
        "Lambda function names allow 1-64 characters"
    )
    assert function.scenarios == ["only when Environment=production and EnvironmentSuffix=-pr1234"]
    bucket = [f for f in found if f.resource == "Bucket"]
    assert len(bucket) == 2 and all("S3 bucket names allow lowercase" in f.message for f in bucket)
    assert "Logs-123456789012-dev" in bucket[0].message  # the placeholder account id has a real length
    assert {f.message for f in found if f.resource == "FifoQueue"} == {
        "name 'jobs-dev': FIFO SQS queue names must end in .fifo",
        "name 'jobs-pr1234': FIFO SQS queue names must end in .fifo",
    }
    assert not [f for f in found if f.resource in ("Table", "FunctionLogs")]


def test_tap402_stack_name_comes_from_config():
    found = findings(NAMING / "tap402.yml", "TAP402", Config(stack_name="s"))
    assert not [f for f in found if f.resource == "Function"]


def test_physical_name_properties_come_from_the_schemas():
    assert name_properties("AWS::DynamoDB::Table") == ("TableName",)
    assert name_properties("AWS::SQS::Queue") == ("QueueName",)
    assert name_properties("AWS::ApiGateway::RestApi") == ("Name",)
    assert name_properties("AWS::EC2::VPCEndpoint") == ()  # ServiceName names another thing
    assert name_properties("AWS::ApiGateway::Stage") == ()
    assert name_properties("AWS::Logs::LogStream") == ("LogStreamName",)


def test_identifier_style_names_are_physical_names():
    found = sorted(
        (f.rule_id, f.resource, f.message) for f in findings(NAMING / "identifiers.yml") if f.area == "naming"
    )
    assert found == [
        ("TAP401", "Cache", "name 'sessions' does not include EnvironmentSuffix"),
        ("TAP401", "Database", "name 'orders-db' does not include EnvironmentSuffix"),
        (
            "TAP402",
            "Cluster",
            "name 'orders--cluster-dev': RDS DB cluster identifiers allow letters, digits and hyphens, starting "
            "with a letter, without two hyphens in a row or one at the end (cfn-lint W1031 says the same)",
        ),
    ]


def test_tap401_without_the_parameter_lists_a_name_tag_from_sam_globals():
    (finding,) = findings(NAMING / "tap401_no_parameter_sam.yml", "TAP401")
    assert finding.message.endswith("deployments: Worker Name tag")

"""What the property test in test_unknown_values.py found, each on a small template of
ours (tests/fixtures/unknown_values): a value that cannot be known, or is of the wrong
type, is an info naming it, never a false error, silence or a crash."""

from __future__ import annotations

from tapcheck.checker.config import Config

from conftest import FIXTURES, check

HERE = FIXTURES / "unknown_values"
OWN = Config(engines=("tapcheck",))


def found(name: str, *rules: str) -> list[tuple]:
    return sorted(
        (f.rule_id, f.severity, f.resource, f.message) for f in check(HERE / name, OWN).findings if f.rule_id in rules
    )


def test_a_wrong_type_in_an_encryption_table_test_is_unknown_not_unencrypted():
    assert found("volume_encrypted_list.yml", "TAP201") == [
        (
            "TAP201",
            "info",
            "Volume",
            "cannot tell whether AWS::EC2::Volume is encrypted at rest: Encrypted is not a single value",
        )
    ]


def test_a_tag_that_is_not_a_mapping_hides_keys_instead_of_being_skipped():
    assert found("tag_not_a_mapping.yml", "TAP101") == [
        (
            "TAP101",
            "info",
            "Queue",
            "cannot tell whether required tag(s) 'team-number', 'Environment' are set: "
            "the tag at line 9 is not a Key/Value mapping",
        )
    ]


def test_tap204_reads_unknown_rotation_and_key_spec_as_info():
    assert found("key_rotation_unknown.yml", "TAP204") == [
        (
            "TAP204",
            "info",
            "RotationUnknown",
            "cannot tell whether Properties.EnableKeyRotation equals true: parameter Rotate has no default",
        ),
        (  # TAP204 is written in the policy-pack language (rules/encryption_policies.yml): its words
            "TAP204",
            "info",
            "SpecUnknown",
            "cannot tell whether Properties.KeySpec equals SYMMETRIC_DEFAULT: parameter Spec has no default",
        ),
    ]


def test_an_alarm_with_an_unknown_namespace_makes_no_alarm_an_info_and_a_list_namespace_no_crash():
    assert found("alarm_unknown_parts.yml", "TAP501", "TAP503") == [
        (
            "TAP501",
            "error",  # the only Throttles alarm reads another metric: a known part rules it out
            "Function",
            "no alarm on AWS/Lambda Throttles for this AWS::Lambda::Function",
        ),
        (
            "TAP501",
            "info",
            "Function",
            "cannot tell whether alarm ErrorsSomewhere watches AWS/Lambda Errors for this AWS::Lambda::Function: "
            "parameter Namespace has no default",
        ),
        (
            "TAP503",
            "info",
            "ThrottlesOfSomething",
            "cannot tell whether the alarm's namespace has a metric 'Throttle': "
            "Properties.Namespace is not a single value",
        ),
    ]


def test_tap502_unknown_actions_or_actions_enabled_are_info():
    assert found("alarm_actions_unknown.yml", "TAP502") == [
        (
            "TAP502",
            "info",
            "ActionsFromParameter",
            "cannot tell whether the alarm notifies anyone: parameter Actions has no default",
        ),
        (
            "TAP502",
            "info",
            "MaybeSilent",
            "cannot tell whether an alarm without AlarmActions is meant to be silent: parameter Enabled has no default",
        ),
    ]


def test_policy_parts_that_cannot_be_read_are_info_from_the_rule_they_matter_to():
    assert found("policy_unknown_parts.yml", "TAP301", "TAP302", "TAP304") == [
        ("TAP301", "info", "Role", "cannot tell what the policy allows: parameter Statements has no default"),
        ("TAP301", "info", "Role", "cannot tell which actions the statement allows: parameter Actions has no default"),
        (
            "TAP302",
            "info",
            "Role",
            "cannot tell whether the statement scopes Resource for iam:PassRole: parameter TargetArn has no default",
        ),
        (
            "TAP304",
            "info",
            "Role",
            "cannot tell whether the statement scopes Resource for privilege-escalation actions iam:PassRole: "
            "parameter TargetArn has no default",
        ),
        ("TAP304", "info", "Role", "cannot tell which policy is attached: parameter PolicyArn has no default"),
    ]


def test_tap305_unknown_principals_of_a_resource_policy_and_a_lambda_permission_are_info():
    assert found("open_policy_unknown.yml", "TAP305") == [
        ("TAP305", "info", "Invoke", "cannot tell whom the Lambda permission is for: parameter Who has no default"),
        ("TAP305", "info", "QueuePolicy", "cannot tell whom the queue policy allows: parameter Who has no default"),
    ]


def test_statements_under_an_undecided_if_a_finding_of_both_branches_stands_one_of_one_is_info():
    result = check(HERE / "undecided_branches.yml", OWN)
    assert sorted((f.severity, f.path, f.message) for f in result.findings if f.rule_id == "TAP301") == [
        ("error", "Properties.Policies[0].PolicyDocument.Statement[0]", "allows 'ec2:*': all 780 ec2 actions"),
        (
            "info",
            "Properties.Policies[0].PolicyDocument.Statement[1]",
            "allows 's3:*': all 168 s3 actions, only where condition Undefined is true "
            "(which cannot be decided: condition Undefined is not defined)",
        ),
    ]


def test_tap310_a_list_as_auth_type_is_info():
    assert found("function_url_auth_list.yml", "TAP310") == [
        (
            "TAP310",
            "info",
            "Url",
            "cannot tell whether the function URL needs authentication: Properties.AuthType is not a single value",
        )
    ]


def test_tap504_and_tap505_wrong_types_and_unknown_names_are_info():
    assert found("logs_and_tracing_unknown.yml", "TAP504", "TAP505") == [
        (
            "TAP504",
            "info",
            "Function",
            "cannot tell whether tracing is on: Properties.TracingConfig.Mode is not a single value",
        ),
        (
            "TAP505",
            "info",
            "Function",
            "cannot tell whether log group Logs is this function's: parameter GroupName has no default",
        ),
    ]


def test_tap203_a_listed_condition_value_denies_unknown_deny_actions_or_test_values_are_info():
    assert found("bucket_policy_unknown.yml", "TAP203") == [
        (
            "TAP203",
            "info",
            "UnknownActions",
            "cannot tell whether a bucket policy denies insecure transport: parameter Denied has no default",
        ),
        (
            "TAP203",
            "info",
            "UnknownTest",
            "cannot tell whether a bucket policy denies insecure transport: parameter Secure has no default",
        ),
    ]


def test_tap308_unknown_actions_and_runtime_are_info():
    messages = {f.resource: (f.severity, f.message) for f in check(HERE / "code_unknown.yml", OWN).findings}
    assert messages["RuntimeUnknown"] == (
        "info",
        "source not analysed: cannot tell which runtime runs it (parameter Runtime has no default)",
    )
    severity, message = messages["Publisher"]
    assert severity == "info" and message.endswith(
        "calls sns Publish, which needs sns:Publish; role Role does not grant it in this template (what cannot be "
        "read at Properties.Policies[0].PolicyDocument.Statement[0] (parameter Actions has no default) may)"
    )


def test_tap309_an_egress_rule_of_the_wrong_type_is_info():
    assert found("security_group_rule_wrong_type.yml", "TAP309") == [
        (
            "TAP309",
            "info",
            "Group",
            "cannot tell whether egress on its ports is open to the internet: "
            "Properties.SecurityGroupEgress[0] is not a mapping",
        )
    ]


def test_tap310_v2_route_and_quick_create_settings_of_the_wrong_type_are_info():
    assert found("route_settings_list.yml", "TAP310") == [
        (
            "TAP310",
            "info",
            "Connect",
            "cannot tell whether the WebSocket $connect route needs authentication: "
            "Properties.AuthorizationType is not a single value",
        ),
        (
            "TAP310",
            "info",
            "QuickCreate",
            "cannot tell whether quick create (Target) makes an HTTP route with no authorization: "
            "Properties.ProtocolType is not a single value",
        ),
    ]


def test_tap203_tls_settings_of_the_wrong_type_are_info_not_plain_http():
    assert found("tls_settings_list.yml", "TAP203") == [
        (
            "TAP203",
            "info",
            "Cache",
            "cannot tell whether it requires TLS: Properties.TransitEncryptionEnabled is not a single value",
        ),
        (
            "TAP203",
            "info",
            "Distribution",
            "cannot tell whether it requires TLS: "
            "Properties.DistributionConfig.ViewerCertificate.CloudFrontDefaultCertificate is not a single value",
        ),
        (
            "TAP203",
            "info",
            "Search",
            "cannot tell whether it requires TLS: Properties.DomainEndpointOptions.EnforceHTTPS is not a single value",
        ),
    ]


def test_tap305_a_domain_with_subnets_from_a_parameter_is_in_a_vpc_and_unreadable_options_are_info():
    assert found("domain_subnets_unknown.yml", "TAP305") == [
        (
            "TAP305",
            "info",
            "OptionsList",
            "cannot tell whether the domain access policy that allows Principal '*' is reached only through a "
            "VPC: Properties.VPCOptions is not a mapping",
        ),
        (
            "TAP305",
            "warning",
            "ParameterSubnets",
            "domain access policy allows Principal '*' with no restricting condition "
            "(the domain is in a VPC: its security groups decide)",
        ),
    ]


def test_tap310_a_method_whose_http_method_is_a_list_may_be_options_an_info():
    assert found("method_http_method_list.yml", "TAP310") == [
        (
            "TAP310",
            "info",
            "Options",
            "cannot tell whether the method needs authentication (an OPTIONS method does not): "
            "Properties.HttpMethod is not a single value",
        )
    ]

"""TAP301-TAP306 and TAP309/TAP310 on their fixtures: every statement, string and list
forms, SAM policy templates, key policies and deny statements."""

from __future__ import annotations

from tapcheck.checker.aws.iam_data import iam_data
from tapcheck.checker.aws.managed_policies import extract_from_moto, managed_policy_data
from tapcheck.checker.aws.policy_documents import is_public
from tapcheck.rules.iam import has_restricting_condition, is_unscoped

from conftest import FIXTURES, REPO, findings

IAM = FIXTURES / "iam"
EXPOSURE = FIXTURES / "exposure"


def summary(found):
    return sorted((f.resource, f.severity, f.line, f.message) for f in found)


def test_tap301_every_statement_string_and_list_forms():
    s3_count = len(iam_data().expand("s3:*"))
    get_count = len(iam_data().expand("s3:Get*"))
    assert summary(findings(IAM / "tap301_fail.yml", "TAP301")) == [
        ("Everything", "error", 31, "allows Action '*': every action of every service"),
        ("Role", "error", 20, f"allows 's3:*': all {s3_count} s3 actions"),
        ("Role", "warning", 23, f"allows 's3:Get*', which expands to {get_count} actions"),
    ]
    assert s3_count > 100 and 30 < get_count < s3_count


def iam_findings(path):
    """The policy rules' findings (TAP307/TAP308, which compare with code, have their own tests)."""
    return [f for f in findings(path) if f.area == "iam" and f.rule_id not in ("TAP307", "TAP308")]


def test_tap301_passes_exact_actions_key_policy_root_sam_templates_and_denies():
    assert iam_findings(IAM / "tap301_pass.yml") == []


def test_tap302_scopable_actions_on_wildcard_resources():
    # ec2:DescribeInstances only works on '*' (per the IAM data), so it is not named
    assert summary(findings(IAM / "tap302_fail.yml", "TAP302")) == [
        (
            "Policy",
            "error",
            15,
            "allows Resource '*' for actions that can be scoped to resources: dynamodb:GetItem, dynamodb:PutItem",
        ),
        (
            "Policy",
            "error",
            18,
            "allows Resource 'arn:aws:s3:::*' for actions that can be scoped to resources: s3:GetObject",
        ),
    ]


def test_tap302_exempts_star_only_actions_and_key_policies():
    assert iam_findings(IAM / "tap302_pass.yml") == []


def test_tap303_not_elements_in_allow_only():
    assert [(f.resource, f.message) for f in findings(IAM / "tap303.yml", "TAP303")] == [
        ("Policy", "Allow statement uses NotAction"),
        ("Policy", "Allow statement uses NotResource"),
        ("BucketPolicy", "Allow statement uses NotPrincipal"),
    ]


def test_tap304_escalation_actions_full_access_policies_and_sam_names():
    found = summary(findings(IAM / "tap304.yml", "TAP304"))
    messages = [m for *_, m in found]
    assert "attaches the managed policy AdministratorAccess" in messages
    assert "attaches the managed policy IAMFullAccess" in messages
    assert "allows privilege-escalation actions on '*': iam:PassRole" in messages
    iam_star = next(m for m in messages if "iam:AddUserToGroup" in m)
    assert iam_star.endswith("(+10 more)")  # iam:* grants all 15 escalation actions of IAM
    # ReadOnlyAccess is read by its document: its glue:GetDevEndpoint is on policy_sentry's
    # list, but a read raises nothing alone
    assert not any("ReadOnlyAccess" in m for m in messages)
    assert len(found) == 4  # the scoped PassRole is not reported


def test_tap305_public_principals_without_conditions():
    found = summary(findings(IAM / "tap305.yml", "TAP305"))
    assert [(r, m) for r, _, _, m in found] == [
        ("BucketPolicy", "bucket policy allows Principal '*' with no restricting condition"),
        ("OpenInvoke", "Lambda permission for s3.amazonaws.com with neither SourceArn nor SourceAccount"),
        ("TopicPolicy", "topic policy allows Principal '*' with no restricting condition"),
    ]
    bucket = next(f for f in findings(IAM / "tap305.yml", "TAP305") if f.resource == "BucketPolicy")
    lines = (IAM / "tap305.yml").read_text().splitlines()
    assert lines[bucket.line] == "            Principal: {AWS: '*'}"  # the statement starts the line before
    assert bucket.path == "Properties.PolicyDocument.Statement[2]"


def test_tap306_unknown_actions_with_suggestions():
    # cfn-lint's W3037 says the same about each: it is left out and named
    assert [m for *_, m in summary(findings(IAM / "tap306.yml", "TAP306"))] == [
        f"{problem} (cfn-lint W3037 says the same)"
        for problem in (
            "'dynamodb:GetItems' is not an action of dynamodb; did you mean dynamodb:GetItem?",
            "'dynamodbb:GetItem': no AWS service has the prefix 'dynamodbb'",
            "'s3:Gett*' matches no action",
            "'s3' is not of the form service:action",
            "'sqs:SendMesage' is not an action of sqs; did you mean sqs:SendMessage?",
        )
    ]


def test_tap309_world_open_ports_and_egress():
    assert sorted((f.resource, f.severity, f.message) for f in findings(EXPOSURE / "tap309.yml", "TAP309")) == [
        ("Group", "error", "ingress from 0.0.0.0/0 on all ports and protocols"),
        ("Group", "error", "ingress from 0.0.0.0/0 on tcp port 22"),
        ("Group", "error", "ingress from 0.0.0.0/0 on tcp ports 80-443"),
        ("Group", "error", "ingress from ::/0 on tcp port 3389"),
        ("Group", "warning", "egress to 0.0.0.0/0 on all ports and protocols"),
        ("Standalone", "error", "ingress from 0.0.0.0/0 on all tcp ports"),
    ]


def test_tap309_compares_networks_and_names_protocols_as_written():
    found = findings(EXPOSURE / "tap309_networks.yml", "TAP309")
    assert [(f.line, f.severity, f.message) for f in found] == [
        (9, "error", "ingress from 0000:0000:0000:0000:0000:0000:0000:0000/0 on tcp port 22"),
        (10, "error", "ingress from 0000::/0 on tcp port 22"),
        (11, "error", "ingress from ::0/0 on tcp port 22"),
        (12, "error", "ingress from 0:0:0:0:0:0:0:0/0 on tcp port 22"),
        (13, "error", "ingress from 0.0.0.0/0 on all tcp ports"),  # TCP 0-65535 is not every protocol
        (14, "error", "ingress from 0.0.0.0/0 on udp ports 53-54"),
        (15, "error", "ingress from 0.0.0.0/0 on icmp (all types)"),  # ICMP -1 is not "all ports"
        (16, "error", "ingress from 0.0.0.0/0 on protocol 50 (all of it)"),
        (18, "warning", "egress to ::0/0 on all ports and protocols"),
    ]


def test_tap309_networks_short_of_the_world_and_empty_ranges_pass():
    assert findings(EXPOSURE / "tap309_networks_pass.yml", "TAP309") == []


def test_tap310_unauthenticated_methods_and_function_urls():
    assert [(r, m) for r, _, _, m in summary(findings(EXPOSURE / "tap310.yml", "TAP310"))] == [
        ("DefaultAuthMethod", "GET method has AuthorizationType NONE and no ApiKeyRequired"),
        ("Function", "function URL with AuthType NONE"),
        ("OpenMethod", "POST method has AuthorizationType NONE and no ApiKeyRequired"),
        ("OpenUrl", "function URL with AuthType NONE"),
    ]


def test_helpers():
    assert is_unscoped("*") and is_unscoped("arn:aws:s3:::*") and is_unscoped("arn:aws:dynamodb:*:*:*")
    assert not is_unscoped("arn:aws:dynamodb:*:*:table/*") and not is_unscoped("arn:aws:s3:::b/*")
    assert (
        is_public("*")
        and is_public({"AWS": ["arn:aws:iam::1:root", "*"]})
        and not is_public({"Service": "s3.amazonaws.com"})
    )
    assert has_restricting_condition({"StringEquals": {"AWS:SourceAccount": "1"}})
    assert not has_restricting_condition({"StringEquals": {"s3:prefix": "a"}})


def test_iam_data_comes_from_policy_sentry():
    data = iam_data()
    assert data.action("dynamodb:getitem").resource_level
    assert not data.action("xray:PutTraceSegments").resource_level
    assert data.action("DynamoDB:GetItem").name == "dynamodb:GetItem"
    assert data.action("dynamodb:GetItems") is None


def test_policy_forms_json_strings_conditional_statements_and_users():
    found = findings(IAM / "policy_forms.yml")
    logs = [f for f in found if f.resource == "LogsPolicy"]
    assert [(f.rule_id, f.message) for f in logs] == [
        ("TAP305", "Logs resource policy allows Principal '*' with no restricting condition"),
    ]
    role = [f for f in found if f.resource == "Role" and f.rule_id == "TAP301"]
    assert len(role) == 1 and role[0].scenarios == ["only when Environment=development"]
    user = [f for f in found if f.resource == "User" and f.rule_id == "TAP301"]
    assert len(user) == 1 and user[0].scenarios == []


def test_tap302_tap304_an_arn_of_another_service_grants_nothing():
    found = summary(f for f in findings(IAM / "arn_formats.yml") if f.rule_id in ("TAP302", "TAP304"))
    assert found == [
        (
            "Policy",
            "error",
            14,
            "allows Resource 'arn:aws:s3:::*' for actions that can be scoped to resources: s3:GetObject",
        ),
        (
            "Policy",
            "error",
            15,
            "allows Resource 'arn:aws:iam::*:*' for actions that can be scoped to resources: iam:PassRole",
        ),
        ("Policy", "error", 16, "allows privilege-escalation actions on 'arn:aws:iam::*:*': iam:PassRole"),
        (
            "Policy",
            "error",
            20,
            "allows Resource 'arn:aws:dynamodb:*:*:*' for actions that can be scoped to resources: dynamodb:GetItem",
        ),
    ]


def test_arn_formats_come_from_the_iam_data():
    pass_role = iam_data().action("iam:PassRole")
    assert pass_role.arn_formats == ("arn:*:iam::*:role/*",)
    assert not pass_role.may_apply_to("arn:aws:s3:::*")
    assert pass_role.may_apply_to("arn:aws:iam::*:*") and pass_role.may_apply_to("*")
    assert pass_role.may_apply_to("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*")
    # a wildcard stays inside its segment: the service is not reached from the partition
    assert not iam_data().action("s3:GetObject").may_apply_to("arn:*:dynamodb:*:*:*")


def test_tap310_api_gateway_v2_routes():
    assert summary(findings(EXPOSURE / "tap310_routes.yml", "TAP310")) == [
        ("Connect", "warning", 18, "WebSocket $connect route has AuthorizationType NONE and no ApiKeyRequired"),
        (
            "External",
            "info",
            60,
            "cannot tell whether the $default route is an HTTP route: "
            "its ApiId is not an API of this template, so its protocol is not known",
        ),
        ("GetItems", "warning", 43, "HTTP API route 'GET /items' has AuthorizationType NONE"),
        ("HttpDefault", "warning", 55, "HTTP API route '$default' has AuthorizationType NONE"),
        ("QuickCreate", "warning", 66, "HTTP API quick create (Target) makes route '$default' with no authorization"),
    ]
    assert findings(EXPOSURE / "tap310_routes_pass.yml", "TAP310") == []


def test_tap305_trust_domain_repository_layer_and_endpoint_policies():
    assert summary(findings(IAM / "tap305_more_policies.yml", "TAP305")) == [
        ("OpenRole", "error", 9, "role trust policy allows Principal '*' with no restricting condition"),
        ("OpenSearch", "error", 27, "domain access policy allows Principal '*' with no restricting condition"),
        (
            "PublicImages",
            "error",
            52,
            "repository policy allows Principal '*' with no restricting condition",
        ),
        (
            "PublicLayer",
            "error",
            68,
            "Lambda layer permission for Principal '*' with no OrganizationId: every AWS account may use it",
        ),
        (
            "S3Endpoint",
            "warning",
            76,
            "Gateway VPC endpoint without PolicyDocument: its default policy allows every principal full "
            "access to the service through it",
        ),
        (
            "VpcSearch",
            "warning",
            36,
            "domain access policy allows Principal '*' with no restricting condition "
            "(the domain is in a VPC: its security groups decide)",
        ),
    ]
    # the domains' es:ESHttp* and es:*, not the service role's trust policy
    assert sorted(f.resource for f in findings(IAM / "tap305_more_policies.yml", "TAP301")) == [
        "OpenSearch",
        "VpcSearch",
    ]


def test_managed_policies_judged_by_their_documents():
    found = [f for f in findings(IAM / "managed_policies.yml") if f.rule_id in ("TAP301", "TAP302", "TAP304")]
    by_line = {}
    for f in found:
        by_line.setdefault(f.line, set()).add((f.rule_id, f.severity, f.message.split(": ")[0]))
    assert by_line[12] == {
        ("TAP301", "error", "managed policy AmazonS3FullAccess allows every action of s3, s3-object-lambda"),
        (
            "TAP302",
            "error",
            "managed policy AmazonS3FullAccess allows Resource '*' for actions that can be scoped to resources",
        ),
    }
    assert (
        "TAP301",
        "error",
        "managed policy CloudWatchFullAccess allows every action of cloudwatch, logs, sns, and 1 partial wildcards",
    ) in by_line[13]
    assert 14 not in by_line and 15 not in by_line  # AWSXRayDaemonWriteAccess, a customer managed policy
    assert by_line[16] == {("TAP301", "info", "cannot tell what the managed policy NoSuchPolicyAnywhere grants")}
    (unknown,) = [f for f in found if f.severity == "info"]
    assert unknown.message.endswith(f"it is not in tapcheck's managed policy data ({managed_policy_data().describe()})")
    assert managed_policy_data().source.startswith("moto ")
    # a SAM policy name is the managed policy of that name: one finding per rule, at the name
    (escalation,) = [f for f in found if f.resource == "Function" and f.rule_id == "TAP304"]
    assert escalation.line == 23
    assert escalation.message.startswith(
        "managed policy AWSLambda_FullAccess allows privilege-escalation actions on '*'"
    )
    assert sorted(f.rule_id for f in found if f.resource == "Function") == ["TAP301", "TAP302", "TAP304"]


def test_managed_policy_data_is_read_only_for_a_template_that_attaches_one():
    managed_policy_data.cache_clear()
    findings(REPO / "reference" / "TapStack.yml")  # customer policies only
    assert managed_policy_data.cache_info().currsize == 0
    findings(IAM / "managed_policies.yml")
    assert managed_policy_data.cache_info().currsize == 1


def test_managed_policy_data_is_moto_s_documents():
    """The kept extract says what moto's copy of the managed policies says, for every
    policy at the same version (a newer moto may have newer versions)."""
    kept = managed_policy_data().policies
    current = extract_from_moto()["policies"]
    same = [name for name in kept if name in current and current[name]["version"] == kept[name]["version"]]
    assert len(same) > 1000 and all(kept[name] == current[name] for name in same)

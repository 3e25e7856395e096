"""What was measured on real templates, each on a small template of ours
(tests/fixtures/scenarios): every condition outcome is checked, the template's `Rules`
are honoured, labels name only what a finding depends on, and a value that cannot be
known gives info, never a crash, a false error or silence."""

from __future__ import annotations

from tapcheck.checker.config import Config

from conftest import FIXTURES, check

HERE = FIXTURES / "scenarios"
OWN = Config(engines=("tapcheck",))


def found(name: str, *rules: str) -> list[tuple]:
    result = check(HERE / name, OWN)
    assert result.status == "checked", result.error
    return sorted(
        (f.rule_id, f.severity, f.resource, f.message, tuple(f.scenarios))
        for f in result.findings
        if not rules or f.rule_id in rules
    )


def test_a_branch_taken_only_for_a_value_other_than_the_default_is_checked():
    assert found("branch_of_untyped_parameter.yml", "TAP301") == [
        (
            "TAP301",
            "error",
            "DeliveryRole",
            "allows Action '*': every action of every service",
            ("only when LogDestination=s3",),
        )
    ]


def test_a_combination_the_templates_rules_refuse_is_never_reported():
    assert found("refused_by_rules.yml") == []


def test_a_label_names_only_the_parameter_the_finding_depends_on():
    result = check(HERE / "many_unrelated_parameters.yml", OWN)
    (open_group,) = [f for f in result.findings if f.rule_id == "TAP309"]
    assert open_group.scenarios == ["only when Size7=large"]
    assert open_group.when == [[{"parameter": "Size7", "in": ["large"]}]]
    assert result.notes == []  # twelve independent parameters: nothing sampled
    assert result.scenarios == 3


def test_branches_under_a_condition_no_parameter_decides_are_both_checked():
    assert found("unknown_branches.yml", "TAP203", "TAP309", "TAP301") == [
        ("TAP203", "error", "Distribution", "distribution allows plain HTTP (ViewerProtocolPolicy: allow-all)", ("only when condition Imported is true",)),
        ("TAP203", "error", "Listener", "HTTP listener does not redirect to HTTPS", ("only when condition Imported is false",)),
        ("TAP301", "error", "BothAdmin", "allows Action '*': every action of every service", ("only when condition Imported is false",)),
        ("TAP301", "error", "BothAdmin", "allows Action '*': every action of every service", ("only when condition Imported is true",)),
        ("TAP309", "error", "BothOpen", "ingress from 0.0.0.0/0 on tcp port 22", ("only when condition Imported is false",)),
        ("TAP309", "error", "BothOpen", "ingress from 0.0.0.0/0 on tcp port 22", ("only when condition Imported is true",)),
    ]  # fmt: skip


def test_values_that_cannot_be_known_are_info_that_names_them():
    assert found("unknown_values.yml", "TAP203", "TAP309", "TAP310") == [
        ("TAP203", "info", "Distribution", "cannot tell whether it requires TLS: parameter Paths has no default", ()),
        ("TAP309", "info", "Ssh", "cannot tell whether ingress on tcp port 22 is open to the internet: parameter AdminCidr has no default", ()),
        ("TAP309", "info", "Ssh", "cannot tell whether ingress on tcp port 3389 is open to the internet: Properties.SecurityGroupIngress[1].CidrIp is not a single value", ()),
        ("TAP310", "info", "Method", "cannot tell whether the method needs authentication: parameter AuthType has no default", ()),
    ]  # fmt: skip


def test_rds_created_from_a_source_inherits_its_encryption():
    assert found("inherited_encryption.yml", "TAP201") == [
        ("TAP201", "info", "Replica", "AWS::RDS::DBInstance is created from SourceDBInstanceIdentifier and inherits its encryption, which cannot be checked here", ()),
        ("TAP201", "info", "Restored", "AWS::RDS::DBCluster is created from SnapshotIdentifier and inherits its encryption, which cannot be checked here", ()),
    ]  # fmt: skip


def test_code_chosen_by_a_condition_is_analysed_for_each_choice():
    assert found("code_per_scenario.yml", "TAP307") == [
        ("TAP307", "warning", "Role", "dynamodb:GetItem is granted to Role, but no code of Function needs it", ("only when Legacy=true",)),
        ("TAP307", "warning", "Role", "s3:GetObject is granted to Role, but no code of Function needs it", ("only when Legacy=false",)),
    ]  # fmt: skip


def test_a_function_url_from_sam_globals_is_checked():
    assert found("globals_function_url.yml", "TAP310") == [
        ("TAP310", "warning", "Function", "function URL with AuthType NONE", ())
    ]

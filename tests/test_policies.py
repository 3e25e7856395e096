"""Policy packs: the format and its validation, evaluation per scenario, policies as
rules everywhere (suppressions, selection, reports, `rules`, `explain`), and the
`policies test` / `policies new` loop, on the example pack and small fixtures."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from tapcheck.checker.config import Config, ConfigError
from tapcheck.checker.policies.loading import PackError, load_policies, read_pack
from tapcheck.checker.policies.testing import try_policy

from conftest import FIXTURES, REPO, findings

EXAMPLE = REPO / "examples" / "policy-pack"
POLICIES = FIXTURES / "policies"


def example_config(**settings) -> Config:
    return Config(engines=("tapcheck",), policies=tuple(read_pack(EXAMPLE, "example")), **settings)


def by_resource(found):
    return {f.resource: f for f in found}


def pack(tmp_path: Path, text: str, name: str = "pack.yml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


POLICY = """\
policies:
  - id: ACME1
    name: key-rotation
    title: Keys are rotated
    severity: warning
    area: encryption
    what: A KMS key without rotation.
    why: Benchmarks ask for it.
    fix: Set EnableKeyRotation.
    resources: AWS::KMS::Key
    assert: {path: Properties.EnableKeyRotation, equals: true}
    failing: |
      Key: {Type: AWS::KMS::Key, Properties: {KeyPolicy: {}}}
    passing: |
      Key: {Type: AWS::KMS::Key, Properties: {KeyPolicy: {}, EnableKeyRotation: true}}
"""


# --- the example pack ---------------------------------------------------------------


def test_every_example_policy_behaves_on_its_snippets():
    policies = read_pack(EXAMPLE, "example")
    assert [p.id for p in policies] == ["ORG003", "ORG004", "ORG001", "ORG002", "ORG005"]
    assert {p.id: try_policy(p).problems for p in policies} == {p.id: [] for p in policies}


def test_example_pack_on_a_template_per_scenario():
    found = [f for f in findings(POLICIES / "platform.yml", config=example_config()) if f.rule_id.startswith("ORG")]
    multi_az = [f for f in found if f.rule_id == "ORG001"]
    # production only; an Aurora member is left out by `where`; an unknown value is info
    assert {(f.resource, f.severity) for f in multi_az} == {("Database", "error"), ("Reporting", "info")}
    database = by_resource(multi_az)["Database"]
    assert database.scenarios == ["only when Environment=production"] and database.line == 23
    assert database.message == "AWS::RDS::DBInstance Properties.MultiAZ is false, not true"
    reporting = by_resource(multi_az)["Reporting"]
    assert reporting.message.startswith("cannot tell whether Properties.MultiAZ equals true: ")
    assert "DatabaseMultiAz" in reporting.message and reporting.path == "Properties.MultiAZ"
    backups = [f for f in found if f.rule_id == "ORG002"]
    assert [(f.resource, f.scenarios) for f in backups] == [("Database", ["only when Environment=staging"])]
    # wildcards: the second network interface of the template, the instance's in staging only
    public = by_resource(f for f in found if f.rule_id == "ORG003")
    assert public["Workers"].path == "Properties.LaunchTemplateData.NetworkInterfaces[1].AssociatePublicIpAddress"
    assert public["Bastion"].scenarios == ["only when Environment=staging"] and set(public) == {"Workers", "Bastion"}
    # the relation: a dead-letter queue needs none of its own
    assert [f.resource for f in found if f.rule_id == "ORG005"] == ["Events"]


def test_sam_types_and_globals():
    found = by_resource(findings(POLICIES / "sam.yml", "ORG004", example_config()))
    assert set(found) == {"Old", "Plain"}  # Globals give Old its runtime; images have none
    assert found["Old"].message.startswith("AWS::Serverless::Function Properties.Runtime is python3.9, not one of ")


def test_referenced_by_ref_getatt_and_sub(tmp_path):
    policy = POLICY.replace("AWS::KMS::Key", "AWS::SNS::Topic", 1).replace(
        "assert: {path: Properties.EnableKeyRotation, equals: true}",
        "assert: {referenced-by: {type: 'AWS::CloudWatch::*', path: Properties.Dimensions}}",
    )
    policies = tuple(read_pack(pack(tmp_path, policy), "t"))
    found = by_resource(findings(POLICIES / "alarms.yml", "ACME1", Config(engines=("tapcheck",), policies=policies)))
    # named in the description only is not watched; a reference in one branch holds in that scenario
    assert set(found) == {"Alone", "Maybe"}
    assert found["Maybe"].scenarios == ["only when Monitored=no"]
    assert found["Alone"].message.startswith(
        "AWS::SNS::Topic no AWS::CloudWatch::* refers to it in Properties.Dimensions"
    )


# --- validation on load ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("Properties.EnableKeyRotation", "Properties.EnableKeyrotation"), 11,
         "AWS::KMS::Key has no property EnableKeyrotation; did you mean EnableKeyRotation?"),
        (("AWS::KMS::Key", "AWS::KMS::Kee"), 10, "no resource type is AWS::KMS::Kee; did you mean AWS::KMS::Key?"),
        (("id: ACME1", "id: TAP901"), 2, "is not a policy id: capital letters then digits (ORG001), never TAP"),
        (("    severity: warning\n", "    severity: warning\n    severty: error\n"), 6,
         "unknown key severty; did you mean severity?"),
        (("equals: true", "matches: '[a-'"), 11, "matches: not a regular expression"),
        (("    passing: |\n", "    passed: |\n"), 14, "unknown key passed; did you mean passing?"),
    ],
)  # fmt: skip
def test_bad_pack_names_file_and_line(tmp_path, change, line, message):
    path = pack(tmp_path, POLICY.replace(*change))
    with pytest.raises(PackError) as raised:
        read_pack(path, "t")
    assert str(raised.value).startswith(f"{path}:{line}: ")
    assert message in str(raised.value)


def test_property_paths_are_checked_below_the_top(tmp_path):
    text = POLICY.replace("AWS::KMS::Key", "AWS::EC2::Instance", 1).replace(
        "Properties.EnableKeyRotation", "'Properties.BlockDeviceMappings[*].Ebs.Encryptd'"
    )
    with pytest.raises(
        PackError, match=r"has no key Encryptd in Properties.BlockDeviceMappings\[\*\].Ebs; did you mean Encrypted\?"
    ):
        read_pack(pack(tmp_path, text), "t")
    free_form = POLICY.replace("Properties.EnableKeyRotation", "'Properties.KeyPolicy.Statement[*].Effect'")
    assert read_pack(pack(tmp_path, free_form), "t")  # a policy document is JSON the schema does not describe


def test_duplicate_ids_are_an_error(tmp_path):
    pack(tmp_path, POLICY, "one.yml")
    pack(tmp_path, POLICY, "two.yml")
    with pytest.raises(PackError, match=r"two.yml:2: policy id ACME1 is already used at .*one.yml:2"):
        load_policies(None, [str(tmp_path)])


def test_bad_pack_exits_2_naming_the_line(run_cli, tmp_path):
    pack(tmp_path, POLICY.replace("EnableKeyRotation, equals", "EnableKeyRotaton, equals"))
    (tmp_path / ".tapcheck.yml").write_text("policy-packs: [pack.yml]\n", encoding="utf-8")
    code, _, err = run_cli(FIXTURES / "cli" / "compliant.yml")
    assert code == 2
    assert (
        f"{tmp_path / 'pack.yml'}:11: AWS::KMS::Key has no property EnableKeyRotaton; did you mean EnableKeyRotation?"
        in err
    )


def test_inline_policies_in_the_config_file(tmp_path):
    inline = POLICY.replace("policies:\n", "policies:\n", 1)
    config_file = pack(tmp_path, "fail-on: warning\n" + inline.replace("id: ACME1", "id: ACME2"), ".tapcheck.yml")
    from tapcheck.checker.config import load_config
    from tapcheck.rules import known_rule

    config = load_config(config_file, known_rule, load_policies)
    assert [p.id for p in config.policies] == ["ACME2"] and config.policies[0].source == f"{config_file}:3"
    bad = pack(tmp_path, inline.replace("severity: warning", "severity: fatal"), ".tapcheck.yml")
    with pytest.raises(ConfigError, match=r"tapcheck.yml:5: policies.0.severity: 'fatal' is not one of"):
        load_config(bad, known_rule, load_policies)

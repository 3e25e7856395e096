"""Policy packs: the format and its validation, evaluation per scenario, policies as
rules everywhere (suppressions, selection, reports, `rules`, `explain`), and the
`policies test` / `policies new` loop, on the example pack and small fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_robustness import FUZZ_EXAMPLES, SAMPLE, mutate, plain, serialize

from tapcheck.checker.config import Config, ConfigError
from tapcheck.checker.policies.loading import PackError, load_policies, read_pack
from tapcheck.checker.policies.testing import try_policy
from tapcheck.checker.runner import check_file

from conftest import FIXTURES, REPO, findings, needs_shared

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


# --- policies are rules everywhere -------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """A directory whose .tapcheck.yml names the example pack, with the platform fixture."""
    (tmp_path / ".tapcheck.yml").write_text(f"policy-packs: [{EXAMPLE}]\nengines: [tapcheck]\n", encoding="utf-8")
    template = tmp_path / "platform.yml"
    template.write_text((POLICIES / "platform.yml").read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def reported(out: str) -> list[tuple[str, str]]:
    return sorted((f["rule_id"], f["resource"]) for f in json.loads(out)["findings"] if f["rule_id"].startswith("ORG"))


def test_select_ignore_and_suppressions(run_cli, project):
    code, out, _ = run_cli("--no-cache", "-f", "json", "--select", "ORG", "platform.yml", cwd=project)
    assert code == 1 and ("ORG005", "Events") in reported(out)
    assert {f["rule_id"][:3] for f in json.loads(out)["findings"]} == {"ORG"}
    _, out, _ = run_cli(
        "--no-cache", "-f", "json", "--select", "ORG", "--ignore", "ORG005,ORG00", "platform.yml", cwd=project
    )
    assert reported(out) == []
    code, _, err = run_cli("--select", "ORX", "platform.yml", cwd=project)
    assert code == 2 and "selects no rule" in err
    # suppressed in the template and in the config, by the policy's id, with reasons
    text = (project / "platform.yml").read_text(encoding="utf-8")
    text = text.replace(
        "  Events:\n    Type: AWS::SQS::Queue\n",
        "  Events:\n    Type: AWS::SQS::Queue\n    Metadata:\n"
        "      tapcheck: {suppress: [{id: ORG005, reason: fan-out queue drained by a replayer}]}\n",
    )
    (project / "platform.yml").write_text(text, encoding="utf-8")
    config = (project / ".tapcheck.yml").read_text(encoding="utf-8")
    config += "suppress:\n  - {id: ORG003, resource: Bastion, reason: jump host}\nrules:\n  ORG002: {severity: error}\n"
    (project / ".tapcheck.yml").write_text(config, encoding="utf-8")
    _, out, _ = run_cli("--no-cache", "-f", "json", "platform.yml", cwd=project)
    data = json.loads(out)
    suppressed = {(f["rule_id"], f["resource"]): f["reason"] for f in data["suppressed"]}
    assert suppressed == {
        ("ORG005", "Events"): "fan-out queue drained by a replayer",
        ("ORG003", "Bastion"): "jump host (config)",
    }
    assert not [f for f in data["findings"] if f["rule_id"] in ("TAP001", "TAP002")]  # known ids, used
    assert [f["severity"] for f in data["findings"] if f["rule_id"] == "ORG002"] == ["error"]


def test_reports_rules_and_explain_show_policies(run_cli, project):
    _, out, _ = run_cli("--no-cache", "-f", "sarif", "platform.yml", cwd=project)
    rules = {rule["id"]: rule for rule in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["ORG001"]["shortDescription"]["text"] == "Production databases are Multi-AZ"
    assert "## Why it matters" in rules["ORG001"]["help"]["markdown"]
    _, out, _ = run_cli("--no-cache", "-f", "html", "platform.yml", cwd=project)
    assert "queue-has-dead-letter-queue" in out and "Every queue has a dead-letter queue" in out
    code, out, _ = run_cli("rules", "--format", "json", cwd=project)
    assert code == 0 and {"id": "ORG004", "name": "supported-lambda-runtime", "area": "runtime",
                          "severity": "warning", "title": "Functions run on a runtime the platform supports",
                          "engine": "tapcheck", "docs_url": ""} in json.loads(out)  # fmt: skip
    code, out, _ = run_cli("explain", "org001", cwd=project)
    assert code == 0 and out.startswith("# ORG001 rds-multi-az-in-production")
    assert "only when Environment is production" in out and "databases.yml:3" in out
    code, out, _ = run_cli("rules", "--engines", "tapcheck,cfn-lint", "--format", "json", cwd=project)
    engines = {rule["id"]: rule["engine"] for rule in json.loads(out)}
    assert code == 0 and [engines[rule] for rule in ("ORG001", "TAP204", "E3012")] == ["tapcheck"] * 2 + ["cfn-lint"]
    code, out, _ = run_cli("explain", "E3012", cwd=project)  # other engines' rules still explained
    assert code == 0 and out.startswith("# E3012 ")
    code, out, _ = run_cli("config", cwd=project)
    assert code == 0 and "\npolicies: ORG003, ORG004, ORG001, ORG002, ORG005\n" in out  # the packs' files in name order
    code, out, _ = run_cli("config", "--format", "json", cwd=project)
    shown = {policy["id"]: policy for policy in json.loads(out)["settings"]["policies"]}
    assert code == 0 and shown["ORG001"]["name"] == "rds-multi-az-in-production"
    assert shown["ORG001"]["severity"] == "error" and shown["ORG001"]["source"].endswith("databases.yml:3")


def test_baseline_takes_policy_findings(run_cli, project):
    code, _, _ = run_cli("--no-cache", "--write-baseline", "baseline.json", "platform.yml", cwd=project)
    assert code == 1
    code, out, _ = run_cli("--no-cache", "-f", "json", "--baseline", "baseline.json", "platform.yml", cwd=project)
    assert code == 0 and reported(out) == []


# --- the author's loop ------------------------------------------------------------------


def test_policies_test_reports_misbehaving_policies(run_cli, tmp_path):
    assert run_cli("policies", "test", EXAMPLE)[0] == 0
    wrong = POLICY.replace("EnableKeyRotation: true}}", "EnableKeyRotation: false}}")
    pack(tmp_path, wrong.replace("{KeyPolicy: {}}}", "{KeyPolicy: {}, EnableKeyRotation: true}}"))
    code, out, _ = run_cli("policies", "test", "pack.yml")
    assert code == 1
    assert "FAIL ACME1 key-rotation" in out and "its failing snippet gives no finding" in out
    assert "its passing snippet gives a finding at line 1: AWS::KMS::Key Properties.EnableKeyRotation is false" in out
    assert out.endswith("1 policy: 0 behave, 1 do not\n")


def test_policies_new_writes_a_skeleton_that_behaves(run_cli, tmp_path):
    code, _, err = run_cli("policies", "new", "policies/rds.yml", "--id", "PLAT7")
    assert code == 0 and "tapcheck policies test policies/rds.yml" in err
    text = (tmp_path / "policies" / "rds.yml").read_text(encoding="utf-8")
    assert "id: PLAT7" in text and text.count("#") > 20
    code, out, _ = run_cli("policies", "test", "policies")
    assert code == 0 and "ok   PLAT7 rds-multi-az-in-production" in out
    assert run_cli("policies", "new", "policies/rds.yml")[0] == 2  # never overwritten
    assert run_cli("policies", "new", "--id", "TAP900")[0] == 2


def test_readme_shows_a_real_run(run_cli, project):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    shown = text.split("$ tapcheck -q --select ORG platform.yml", 1)[1].split("\n", 1)[1].split("```", 1)[0]
    code, out, _ = run_cli("--no-cache", "-q", "--select", "ORG", "platform.yml", cwd=project)
    assert code == 1 and out == shown
    listed = text.split("$ tapcheck policies test\n", 1)[1].split("$ ", 1)[0]
    assert [line.split(" (")[0] for line in listed.splitlines()[:-1]] == [
        f"ok   {p.id} {p.name}" for p in read_pack(EXAMPLE, "example")
    ]


# --- the checks, one behaviour each ---------------------------------------------------------


def policy_config(tmp_path, check: str, resources: str = "AWS::SQS::Queue", more: str = "") -> Config:
    text = POLICY.replace("resources: AWS::KMS::Key", f"resources: {resources}{more}").replace(
        "assert: {path: Properties.EnableKeyRotation, equals: true}", f"assert: {check}"
    )
    return Config(engines=("tapcheck",), policies=tuple(read_pack(pack(tmp_path, text, "checks.yml"), "t")))


QUEUES = """\
Parameters:
  Stage: {Type: String}
  Size: {Type: Number, AllowedValues: [1, 5]}
Conditions:
  Big: !Equals [!Ref Size, 5]
Resources:
  Named:
    Type: AWS::SQS::Queue
    DeletionPolicy: Retain
    Properties: {QueueName: orders-prod, DelaySeconds: !Ref Size, Tags: [{Key: a, Value: b}]}
  Unnamed:
    Type: AWS::SQS::Queue
    Properties: {DelaySeconds: 900, Tags: []}
  Staged:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Sub "orders-${Stage}", DelaySeconds: !If [Big, 0, 30]}
"""


@pytest.mark.parametrize(
    ("check", "reported"),
    [
        ("{path: Properties.QueueName, exists: true}", {"Unnamed": "warning"}),
        ("{path: Properties.QueueName, absent: true}", {"Named": "warning", "Staged": "warning"}),
        ("{path: DeletionPolicy, one-of: [Retain, Snapshot]}", {"Unnamed": "warning", "Staged": "warning"}),
        ("{path: Properties.QueueName, matches: '-prod$'}", {"Unnamed": "warning", "Staged": "info"}),
        ("{path: Properties.DelaySeconds, at-most: 60}", {"Unnamed": "warning"}),
        ("{path: Properties.DelaySeconds, less-than: 5}", {"Named": "warning", "Unnamed": "warning", "Staged": "warning"}),
        ("{path: Properties.Tags, length: {at-least: 1}}", {"Unnamed": "warning", "Staged": "warning"}),
        ("{path: 'Properties.Tags[*].Key', not-one-of: [a]}", {"Named": "warning"}),
        ("{path: 'Properties.Tags[0].Key', equals: a}", {"Unnamed": "warning", "Staged": "warning"}),
        ("{not: {path: Properties.DelaySeconds, greater-than: 100}}", {"Unnamed": "warning"}),
        ("{all-of: [{path: Properties.QueueName, exists: true}, {path: DeletionPolicy, exists: true}]}",
         {"Unnamed": "warning", "Staged": "warning"}),
    ],
)  # fmt: skip
def test_checks(tmp_path, check, reported):
    found = check_text_findings(tmp_path, QUEUES, policy_config(tmp_path, check))
    assert {f.resource: f.severity for f in found} == reported


def check_text_findings(tmp_path, text: str, config: Config | None, rule_id: str = "ACME1"):
    from conftest import check_text

    result = check_text(tmp_path, text, config)
    assert result.status == "checked", result.error
    return [f for f in result.findings if f.rule_id == rule_id]


def test_messages_locations_and_scenarios(tmp_path):
    found = check_text_findings(
        tmp_path, QUEUES, policy_config(tmp_path, "{path: Properties.DelaySeconds, less-than: 5}")
    )
    found = {f.resource: f for f in found}
    assert found["Named"].message == "AWS::SQS::Queue Properties.DelaySeconds is 5, not less than 5"
    assert found["Named"].scenarios == ["only when Size=5"] and found["Named"].line == 10
    assert found["Staged"].scenarios == ["only when Size=1"]  # the Fn::If branch of that scenario
    missing = check_text_findings(
        tmp_path, QUEUES, policy_config(tmp_path, "{path: Properties.QueueName, exists: true}")
    )
    assert (missing[0].line, missing[0].column, missing[0].path) == (11, 3, "Properties.QueueName")  # the logical id
    assert missing[0].message == "AWS::SQS::Queue Properties.QueueName is not set"
    unknown = check_text_findings(
        tmp_path, QUEUES, policy_config(tmp_path, "{path: Properties.QueueName, matches: '-prod$'}")
    )
    staged = next(f for f in unknown if f.resource == "Staged")
    assert staged.message == "cannot tell whether Properties.QueueName matches -prod$: parameter Stage has no default"


def test_exists_holds_for_a_value_that_is_set_but_not_known(tmp_path):
    config = policy_config(tmp_path, "{path: Properties.QueueName, exists: true}")
    assert {f.resource for f in check_text_findings(tmp_path, QUEUES, config)} == {"Unnamed"}  # Staged: !Sub


def test_when_parameters_and_conditions(tmp_path):
    by_size = policy_config(tmp_path, "{path: Properties.QueueName, exists: true}", more="\n    when: {Size: 5}")
    assert [f.scenarios for f in check_text_findings(tmp_path, QUEUES, by_size)] == [["only when Size=5"]]
    by_condition = policy_config(
        tmp_path, "{path: Properties.QueueName, exists: true}", more="\n    when: {condition: Big}"
    )
    assert [f.scenarios for f in check_text_findings(tmp_path, QUEUES, by_condition)] == [["only when Size=5"]]
    unknown = policy_config(tmp_path, "{path: Properties.QueueName, exists: true}", more="\n    when: {Stage: prod}")
    found = check_text_findings(tmp_path, QUEUES, unknown)
    assert {f.severity for f in found} == {"info"} and len(found) == 3
    assert (
        found[0].message
        == "cannot tell whether ACME1 applies (only when Stage is prod): parameter Stage has no default"
    )
    absent = policy_config(tmp_path, "{path: Properties.QueueName, exists: true}", more="\n    when: {Region: eu}")
    assert check_text_findings(tmp_path, QUEUES, absent) == []  # no such parameter: not that deployment


def test_mapping_wildcard_on_sam_events(tmp_path):
    config = policy_config(
        tmp_path, "{path: 'Properties.Events.*.Type', not-one-of: [Schedule]}", resources="AWS::Serverless::Function"
    )
    template = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Cron:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      CodeUri: src/
      Events:
        Api: {Type: Api, Properties: {Path: /, Method: get}}
        Nightly: {Type: Schedule, Properties: {Schedule: rate(1 day)}}
"""
    (found,) = check_text_findings(tmp_path, template, config)
    assert found.path == "Properties.Events.Nightly.Type" and found.line == 11


# --- never a crash ------------------------------------------------------------------------


EVERY_CHECK = FIXTURES / "policies" / "every-check"


@needs_shared
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_policies_on_mutated_corpus_templates_never_crash(data, tmp_path_factory):
    policies = tuple(read_pack(EXAMPLE, "example") + read_pack(EVERY_CHECK, "every"))
    document = plain(data.draw(st.sampled_from(SAMPLE)))
    for _ in range(data.draw(st.integers(1, 5))):
        document = mutate(data, document)
    path = tmp_path_factory.mktemp("fuzz") / "t.yaml"
    path.write_text(serialize(data, document), encoding="utf-8", errors="surrogatepass")
    result = check_file(path, Config(engines=("tapcheck",), policies=policies, params={"Environment": "production"}))
    assert result.status in ("checked", "error")
    if result.status == "error":
        assert "internal error" not in result.error.message, result.error.message
    assert all(f.line >= 1 and f.message for f in result.findings)


# --- dogfood: TAP204 is written in the same language ----------------------------------------


def test_tap204_is_a_policy_in_the_pack_language(tmp_path):
    from tapcheck.rules import RULES_BY_ID
    from tapcheck.rules.encryption import rotation_policy

    policy = rotation_policy(RULES_BY_ID["TAP204"])
    assert policy.source.startswith("tapcheck.rules/encryption_policies.yml:")
    assert (policy.id, policy.severity, policy.hint) == ("TAP204", "warning", "set EnableKeyRotation: true")
    assert try_policy(policy).problems == []  # the rule's own snippets are its tests
    template = """\
Parameters:
  Spec: {Type: String}
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties: {KeySpec: !Ref Spec, KeyPolicy: {}}
"""
    result = check_text_findings(tmp_path, template, None, "TAP204")
    assert [(f.severity, f.message) for f in result] == [
        ("info", "cannot tell whether Properties.KeySpec equals SYMMETRIC_DEFAULT: parameter Spec has no default")
    ]

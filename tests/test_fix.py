"""`tapcheck fix`: the fixes remove their findings, keep the file's own writing, and
never make cfn-lint's result worse."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tapcheck.checker.config import Config
from tapcheck.checker.fixing import fixes
from tapcheck.checker.fixing.fixes import FIXABLE, fix_file

from conftest import CORPUS, FIXTURES, SEED, check, needs_shared

FIX = FIXTURES / "fix"


def copy(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / source.name
    shutil.copy(source, target)
    return target


def rule_ids(path: Path) -> list[str]:
    return sorted(f.rule_id for f in check(path).findings)


def engine_findings(path: Path) -> set[tuple]:
    return {(f.rule_id, f.resource) for f in check(path).findings if f.engine != "tapcheck"}


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line and "'#" not in line]


@needs_shared
def test_seed_write_removes_every_tap101_and_tap401_keeps_comments_and_cfn_lint(run_cli, tmp_path):
    template = copy(tmp_path, SEED)
    before_text = template.read_text()
    cfn_lint_before = engine_findings(template)
    assert "TAP101" in rule_ids(template)
    code, out, err = run_cli("fix", "--write", template)
    assert code == 0, err
    assert re.search(r"TapStack\.seed\.yml: 21 fixed \(TAP101 x21\)", err)
    after_text = template.read_text()
    assert not {"TAP101", "TAP401"} & set(rule_ids(template))
    assert comments(after_text) == comments(before_text)
    assert engine_findings(template) <= cfn_lint_before
    # only lines were added: every original line is still there, in order
    added = iter(after_text.splitlines())
    assert all(any(line == other for other in added) for line in before_text.splitlines())


def test_diff_writes_nothing_and_exits_1_when_there_is_something_to_fix(run_cli, tmp_path):
    template = copy(tmp_path, FIX / "mixed.yml")
    original = template.read_text()
    code, out, err = run_cli("fix", "--diff", template)
    assert code == 1
    assert out.startswith(f"--- {template}\n+++ {template}\n")
    assert "+      TableName: !Sub 'orders${EnvironmentSuffix}'" in out
    assert template.read_text() == original
    code, out, err = run_cli("fix", "--write", template)
    assert code == 0
    code, out, err = run_cli("fix", "--diff", template)
    assert (code, out) == (0, "")


def test_every_fixable_kind_on_yaml_keeps_quoting_comments_and_short_tags(tmp_path):
    template = copy(tmp_path, FIX / "mixed.yml")
    result = fix_file(template, Config(), set(FIXABLE))
    assert sorted(f.rule_id for f in result.fixed) == [
        "TAP101",
        "TAP101",
        "TAP101",
        "TAP401",
        "TAP504",
        "TAP505",
        "W3011",
    ]
    text = result.text
    assert "    DeletionPolicy: Retain   # keep the data\n" in text
    assert "    UpdateReplacePolicy: Retain\n" in text
    assert "      LogGroupName: !Sub '/app/${AWS::StackName}${EnvironmentSuffix}'   # quoted on purpose\n" in text
    assert "      RetentionInDays: 90\n" in text
    assert "      TracingEnabled: true\n" in text
    assert "        Environment: !Ref Environment\n        team-number: '2'\n" in text  # SAM map-style tags
    assert "      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n" in text
    template.write_text(text)
    assert not set(FIXABLE) & set(rule_ids(template))
    assert result.manual and all(f.rule_id not in FIXABLE for f in result.manual)


def test_json_keeps_its_indentation(tmp_path):
    template = copy(tmp_path, FIX / "mixed.json")
    result = fix_file(template, Config(), set(FIXABLE))
    assert sorted(f.rule_id for f in result.fixed) == ["TAP101", "TAP401"]
    data = json.loads(result.text)
    assert data["Resources"]["Queue"]["Properties"]["QueueName"]["Fn::Join"][1][1] == {"Ref": "EnvironmentSuffix"}
    assert '\n    "Resources": {\n        "Queue": {\n' in result.text
    template.write_text(result.text)
    assert "TAP401" not in rule_ids(template)


def test_names_that_refer_to_a_fixed_name_are_not_suffixed_twice(tmp_path):
    template = copy(tmp_path, FIXTURES / "naming" / "tap401.yml")
    result = fix_file(template, Config(), {"TAP401"})
    assert "FunctionName: !Sub '${AWS::StackName}-processor${EnvironmentSuffix}'" in result.text
    assert "LogGroupName: !Sub /aws/lambda/${FixedFunction}\n" in result.text
    assert "- {Key: Name, Value: !Sub 'main-vpc${EnvironmentSuffix}'}" in result.text
    template.write_text(result.text)
    assert "TAP401" not in rule_ids(template)


def test_only_the_chosen_rules_and_unknown_rules_are_a_usage_error(run_cli, tmp_path):
    template = copy(tmp_path, FIX / "mixed.yml")
    code, out, err = run_cli("fix", "--write", "--rules", "W3011", template)
    assert code == 0 and "1 fixed (W3011 x1)" in err
    assert "TAP101" in rule_ids(template)
    # fixable findings of rules not asked for are counted, not listed as needing a decision
    assert "note: not asked for with --rules, so not fixed: TAP101 x3, TAP401 x1, TAP504 x1, TAP505 x1" in err
    assert "    TAP101 " not in err
    code, out, err = run_cli("fix", "--rules", "TAP302", template)
    assert code == 2 and "cannot fix TAP302 mechanically" in err


def test_bad_input_is_a_clear_error_and_other_files_are_still_fixed(run_cli, tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("Resources:\n  A: [\n")
    template = copy(tmp_path, FIX / "mixed.yml")
    code, out, err = run_cli("fix", "--write", broken, tmp_path / "missing.yml", template)
    assert code == 2
    assert f"{broken}:" in err and "missing.yml: no such file" in err
    assert "7 fixed" in err and "TAP101" not in rule_ids(template)


CORPUS_SAMPLE = [
    "aws-cloudformation-templates__AutoScaling__AutoScalingMultiAZWithNotifications.yaml",
    "aws-cloudformation-templates__APIGateway__apigateway_lambda_integration.yaml",
    "widdix-aws-cf-templates__static-website__static-website.yaml",
    "checkov__tests__cloudformation__runner__resources__no_properties.yaml",
]


@needs_shared
@pytest.mark.parametrize("name", CORPUS_SAMPLE + sorted(p.name for p in CORPUS.glob("*.json"))[:4])
def test_corpus_fixes_load_remove_their_findings_and_do_not_worsen_cfn_lint(tmp_path, name):
    template = copy(tmp_path, CORPUS / name)
    before = check(template).findings
    result = fix_file(template, Config(), set(FIXABLE))
    assert result.error is None, result.error
    template.write_text(result.text)
    after = check(template).findings  # still loads
    fixed = {(f.rule_id, f.resource, f.path, f.message) for f in result.fixed}
    assert not fixed & {(f.rule_id, f.resource, f.path, f.message) for f in after}
    assert {(f.rule_id, f.resource) for f in after if f.engine != "tapcheck"} <= {
        (f.rule_id, f.resource) for f in before if f.engine != "tapcheck"
    }


def test_a_boolean_or_number_written_after_its_key_is_replaced_in_place(tmp_path):
    template = tmp_path / "stage.yml"
    template.write_text(
        "Parameters:\n"
        "  Environment: {Type: String, Default: production}\n"
        "Resources:\n"
        "  Logs:\n"
        "    Type: AWS::Logs::LogGroup\n"
        "    Properties:\n"
        "      RetentionInDays: 7   # a week\n"
        "  Stage:\n"
        "    Type: AWS::ApiGateway::Stage\n"
        "    Properties:\n"
        "      RestApiId: api\n"
        "      TracingEnabled: false  # off for now\n"
    )
    text = fix_file(template, Config(), {"TAP504", "TAP505"}).text
    assert "      TracingEnabled: true  # off for now\n" in text
    assert "      RetentionInDays: 90   # a week\n" in text


@pytest.mark.parametrize(("minimum", "written"), [(100, "      RetentionInDays: 120\n"), (5000, None)])
def test_retention_is_the_least_value_cloudwatch_accepts_that_meets_the_policy(tmp_path, minimum, written):
    template = copy(tmp_path, FIX / "mixed.yml")
    config = Config(log_retention={"parameter": "Environment", "minimum-days": {"production": minimum}})
    result = fix_file(template, config, {"TAP505"})
    if written:
        assert [f.rule_id for f in result.fixed] == ["TAP505"] and written in result.text
    else:
        [manual] = [f for f in result.manual if f.rule_id == "TAP505"]
        assert not result.fixed and "not fixed: CloudWatch Logs keeps logs at most 3653 days" in manual.message


def counted_checks(monkeypatch) -> list[tuple[str, ...]]:
    """The checks fix runs from now on, each as its engines (and its rule selection, if any)."""
    calls, checked = [], fixes.check_template

    def counting(template, config, *args, **kwargs):
        calls.append((*config.engines, *config.select))
        return checked(template, config, *args, **kwargs)

    monkeypatch.setattr(fixes, "check_template", counting)
    return calls


@pytest.mark.parametrize(
    ("fixture", "trial"),
    [("no_properties.yml", []), ("mixed.yml", [("tapcheck", "TAP401")])],
)
def test_a_file_is_checked_once_before_and_once_after_its_fixes(monkeypatch, tmp_path, fixture, trial):
    template = copy(tmp_path, FIX / fixture)
    calls = counted_checks(monkeypatch)
    result = fix_file(template, Config(), set(FIXABLE))
    assert result.fixed and result.error is None
    full = ("tapcheck", "cfn-lint")
    # before and after with every engine; the missing suffix parameter's trial runs TAP401 alone
    assert calls == [full, *trial, full]


def test_a_file_with_nothing_to_fix_is_checked_once(monkeypatch, tmp_path):
    template = copy(tmp_path, FIX / "mixed.yml")
    template.write_text(fix_file(template, Config(), set(FIXABLE)).text)
    calls = counted_checks(monkeypatch)
    result = fix_file(template, Config(), set(FIXABLE))
    assert not result.changed and result.manual
    assert calls == [("tapcheck", "cfn-lint")]


def test_two_fixes_that_insert_properties_into_one_resource_write_one_mapping(tmp_path):
    template = copy(tmp_path, FIX / "no_properties.yml")
    result = fix_file(template, Config(), set(FIXABLE))
    assert sorted(f.rule_id for f in result.fixed) == ["TAP101", "TAP504"]
    assert (
        "  Worker:\n"
        "    Properties:\n"
        "      Tracing: Active\n"
        "      Tags:\n"
        "        project: iac-rlhf-amazon\n"
        "        team-number: '2'\n"
        "        Environment: !Ref Environment\n"
        "    Type: AWS::Serverless::Function\n"
    ) in result.text
    # JSON adds keys after the others: the tags, then the tracing
    template = copy(tmp_path, FIX / "no_properties.json")
    result = fix_file(template, Config(), set(FIXABLE))
    assert sorted(f.rule_id for f in result.fixed) == ["TAP101", "TAP504"]
    machine = json.loads(result.text)["Resources"]["Machine"]
    assert list(machine["Properties"]) == ["Tags", "TracingConfiguration"]
    assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}


def test_a_fix_that_leaves_part_of_a_finding_says_why_the_rest_is_left(monkeypatch, tmp_path):
    template = tmp_path / "queue.yml"
    template.write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n")  # no Environment parameter
    calls = counted_checks(monkeypatch)
    result = fix_file(template, Config(), set(FIXABLE))
    assert [f.rule_id for f in result.fixed] == ["TAP101"]
    assert "        - Key: project\n          Value: iac-rlhf-amazon\n" in result.text
    [left] = [f for f in result.manual if f.rule_id == "TAP101"]
    assert left.message == (
        "AWS::SQS::Queue is missing required tag(s) 'Environment' (not fixed: no policy value for Environment)"
    )
    assert len(calls) == 2


def test_the_missing_suffix_parameter_reported_per_scenario_is_tried_once_and_each_says_why(monkeypatch, tmp_path):
    template = copy(tmp_path, FIX / "suffix_by_scenario.yml")
    calls = counted_checks(monkeypatch)
    result = fix_file(template, Config(), {"TAP401"})
    assert not result.changed
    missing = [f.message for f in result.manual if f.rule_id == "TAP401"]
    assert [m.split(" explicit")[0] for m in missing] == ["the template sets 1", "the template sets 2"]
    assert all(
        m.endswith(
            "(not fixed: no explicit name can take the suffix (they are computed), so the parameter would be unused)"
        )
        for m in missing
    )
    assert calls == [("tapcheck", "cfn-lint"), ("tapcheck", "TAP401")]  # nothing to write: no check after

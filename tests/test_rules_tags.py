"""TAP101-TAP103 on their fixtures, including conditional tags, SAM and map-style tags."""

from __future__ import annotations

from tapcheck.checker.config import Config, TagPolicy

from conftest import FIXTURES, check, findings

TAGS = FIXTURES / "tags"


def by_resource(found):
    return {f.resource: f for f in found}


def test_tap101_reports_each_resource_missing_keys_with_its_line():
    found = by_resource(findings(TAGS / "tap101_fail.yml", "TAP101"))
    assert set(found) == {"Queue", "Address", "Parameter", "Topic"}
    assert "'team-number', 'Environment'" in found["Queue"].message
    assert found["Queue"].line == 11 and found["Queue"].path == "Properties.Tags"
    # an untagged resource points at its logical id
    assert found["Address"].line == 14
    assert "'project', 'team-number', 'Environment'" in found["Address"].message
    # map-style tags (SSM parameters) are read as maps
    assert "'Environment'" in found["Parameter"].message and "project" not in found["Parameter"].message
    # keys are case-sensitive, and the message says so
    assert "'Project'" in found["Topic"].message and "case-sensitive" in found["Topic"].message
    assert all(f.scenarios == [] and f.severity == "error" for f in found.values())


def test_tap101_passes_complete_tags_and_ignores_untaggable_types():
    assert [f for f in findings(TAGS / "tap101_pass.yml") if f.area == "tags"] == []


def test_tap101_conditional_tags_are_missing_only_in_the_scenarios_without_them():
    result = check(TAGS / "tap101_conditional.yml")
    assert result.scenarios == 3
    found = by_resource(f for f in result.findings if f.rule_id == "TAP101")
    assert found["Bucket"].scenarios == ['only when Environment is not "production"']
    assert "'team-number'" in found["Bucket"].message
    assert found["Table"].scenarios == ["only when Environment=development"]
    assert found["ProductionQueue"].scenarios == ["only when Environment=production"]


def test_tap101_sam_globals_and_map_tags():
    found = by_resource(findings(TAGS / "tap101_sam.yml", "TAP101"))
    assert set(found) == {"UntaggedFunction", "Table"}
    assert found["UntaggedFunction"].message.endswith("missing required tag(s) 'Environment'")
    assert "'project', 'team-number'" in found["Table"].message


def test_tap101_stack_tags_from_config_count_as_present():
    config = Config(stack_tags={"team-number": "2", "Environment": None})
    found = by_resource(findings(TAGS / "tap101_fail.yml", "TAP101", config))
    assert set(found) == {"Address", "Topic"}
    assert found["Address"].message.endswith("missing required tag(s) 'project'")
    assert "missing required tag(s) 'project'" in found["Topic"].message


def test_tap101_required_tags_come_from_config():
    config = Config(required_tags={"owner": TagPolicy()})
    found = findings(TAGS / "tap101_pass.yml", "TAP101", config)
    assert {f.resource for f in found} == {"Queue", "Parameter"}
    assert all("'owner'" in f.message for f in found)


def test_tap101_unresolvable_tags_are_info_not_error(tmp_path):
    from conftest import check_text

    result = check_text(
        tmp_path,
        """
Parameters:
  TagList:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Tags: !Ref TagList
""",
    )
    (finding,) = [f for f in result.findings if f.rule_id == "TAP101"]
    assert finding.severity == "info" and "cannot tell" in finding.message


def test_tap102_reports_wrong_values_and_hard_coded_environment():
    found = findings(TAGS / "tap102_fail.yml", "TAP102")
    messages = {(f.resource, f.message): f for f in found}
    assert ("Queue", "tag 'project' is 'some-other-project'; allowed: 'iac-rlhf-amazon'") in messages
    assert ("Queue", "tag 'team-number' is '3'; allowed: '2'") in messages
    environment = messages["Queue", "tag 'Environment' is 'production', not the value of parameter Environment"]
    assert environment.scenarios == ['only when Environment is not "production"']
    assert environment.line == 19  # the value, not the key
    # values that cannot be resolved are info, never a false error
    unknown = [f for f in found if f.resource == "Topic"]
    assert {f.severity for f in unknown} == {"info"} and len(unknown) == 2
    assert any("Owner has no default" in f.message for f in unknown)


def test_tap102_resolves_intrinsics_before_comparing():
    assert findings(TAGS / "tap102_pass.yml", "TAP102") == []


def test_tap103_reports_duplicate_reserved_empty_and_long_keys():
    found = findings(TAGS / "tap103_fail.yml", "TAP103")
    messages = sorted(f.message for f in found)
    # cfn-lint's E3024 on the same key is left out and named
    assert "duplicate tag key 'project' (first set at line 7) (cfn-lint E3024 says the same)" in messages
    assert "tag key 'aws:cloudformation:stack-name' uses the reserved prefix 'aws:'" in messages
    assert "empty tag key" in messages
    assert any("characters (limit 128)" in m for m in messages)
    assert len(found) == 4
    duplicate = next(f for f in found if f.message.startswith("duplicate"))
    assert duplicate.line == 13


def test_tap103_passes_case_variants_and_inner_aws_text():
    assert findings(TAGS / "tap103_pass.yml", "TAP103") == []

"""Suppressions in template Metadata and in config; TAP001 and TAP002."""

from __future__ import annotations

from tapcheck.checker.config import Config, ConfigSuppression

from conftest import FIXTURES, check, check_text

SUPPRESSIONS = FIXTURES / "suppressions"


def test_resource_suppression_with_reason_moves_the_finding_to_suppressed():
    result = check(SUPPRESSIONS / "used_with_reason.yml")
    assert result.findings == []
    (suppressed,) = result.suppressed
    assert suppressed.rule_id == "TAP101" and suppressed.resource == "Address"
    assert suppressed.reason == "Elastic IPs are tagged by the network team's automation"


def test_template_level_suppression_covers_every_resource():
    result = check(SUPPRESSIONS / "template_level.yml")
    assert result.findings == []
    assert {f.resource for f in result.suppressed} == {"Address", "Gateway"}


def test_suppression_without_reason_is_tap001_and_does_not_suppress():
    result = check(SUPPRESSIONS / "without_reason.yml")
    by_rule = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    assert [f.resource for f in by_rule["TAP101"]] == ["Address"]  # still reported
    tap001 = sorted(by_rule["TAP001"], key=lambda f: f.line)
    assert [f.line for f in tap001] == [8, 9, 11]
    assert tap001[0].message == "suppression of TAP101 has no reason"
    assert tap001[1].message == "suppression of TAP103 has no reason"
    assert "needs an 'id'" in tap001[2].message
    assert "TAP002" not in by_rule
    assert result.suppressed == []


def test_other_tapcheck_metadata_is_not_a_malformed_suppression(tmp_path):
    template = """
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Metadata:
      tapcheck: {source: handlers/app.py}
  Queue:
    Type: AWS::SQS::Queue
    Metadata:
      tapcheck: [TAP101]
"""
    found = [f for f in check_text(tmp_path, template).findings if f.rule_id == "TAP001"]
    assert [(f.resource, f.message) for f in found] == [
        ("Queue", "Metadata.tapcheck must be a mapping (with a 'suppress' list)")
    ]


def test_unused_and_unknown_suppressions_are_tap002():
    result = check(SUPPRESSIONS / "unused.yml")
    messages = sorted((f.rule_id, f.severity, f.line, f.message) for f in result.findings)
    assert messages == [
        ("TAP002", "warning", 8, "suppression of TAP103 suppresses nothing: the rule reports no finding here"),
        ("TAP002", "warning", 10, "suppression of TAP999 suppresses nothing: no rule has that id"),
    ]


def test_config_suppression_by_rule_path_and_resource():
    template = SUPPRESSIONS.parent / "tags" / "tap101_fail.yml"
    config = Config(suppressions=[ConfigSuppression("TAP101", "tagged by the pipeline", "*/tags/*.yml", "Address")])
    result = check(template, config)
    assert [f.resource for f in result.suppressed] == ["Address"]
    assert result.suppressed[0].reason == "tagged by the pipeline (config)"
    assert result.suppressed[0].suppressed_in == "config"
    assert "Address" not in {f.resource for f in result.findings}
    elsewhere = Config(suppressions=[ConfigSuppression("TAP101", "r", "other/*.yml")])
    assert check(template, elsewhere).suppressed == []


def test_disabled_rules_and_severity_overrides():
    template = SUPPRESSIONS.parent / "tags" / "tap101_fail.yml"
    assert [
        f for f in check(template, Config(disabled_rules=frozenset({"TAP101"}))).findings if f.rule_id == "TAP101"
    ] == []
    softened = [f for f in check(template, Config(severities={"TAP101": "warning"})).findings if f.rule_id == "TAP101"]
    assert softened and {f.severity for f in softened} == {"warning"}

"""`.tapcheck.yml`: discovery, every setting, and bad files as clean errors."""

from __future__ import annotations

import pytest

from tapcheck.checker.config import Config, ConfigError, TagPolicy, config_from_data, load_config
from tapcheck.checker.config_files import find_config
from tapcheck.rules import known_rule

FULL = """
tags:
  required:
    project: iac-rlhf-amazon
    team-number: [2, 3]
    Environment: {parameter: Stage}
    owner: null
  stack-tags: [cost-center]
naming:
  suffix-parameter: Suffix
stack-name: my-stack
scenarios:
  params: {Environment: production}
  max: 8
rules:
  TAP103: {enabled: false}
  TAP101: {severity: warning}
suppress:
  - rule: TAP102
    reason: legacy
    path: legacy/*.yml
    resource: Old
fail-on: warning
engines: [tapcheck]
"""


def test_full_config(tmp_path):
    path = tmp_path / ".tapcheck.yml"
    path.write_text(FULL)
    config = load_config(path, known_rule)
    assert config.required_tags == {
        "project": TagPolicy(allowed=("iac-rlhf-amazon",)),
        "team-number": TagPolicy(allowed=("2", "3")),
        "Environment": TagPolicy(parameter="Stage"),
        "owner": TagPolicy(),
    }
    assert config.stack_tags == {"cost-center": None}
    assert config.suffix_parameter == "Suffix" and config.stack_name == "my-stack"
    assert config.params == {"Environment": "production"} and config.max_scenarios == 8
    assert config.disabled_rules == {"TAP103"} and config.severities == {"TAP101": "warning"}
    assert config.suppressions[0].matches("TAP102", "legacy/a.yml", "Old")
    assert not config.suppressions[0].matches("TAP102", "new/a.yml", "Old")
    assert config.fail_on == "warning" and config.source == str(path)


def test_defaults_are_the_documented_policy():
    config = Config()
    assert list(config.required_tags) == ["project", "team-number", "Environment"]
    assert config.required_tags["Environment"] == TagPolicy(parameter="Environment")
    assert config.suffix_parameter == "EnvironmentSuffix" and config.stack_name == "tap-stack-production"
    assert config.max_scenarios == 64 and config.fail_on == "error"


def test_found_upward(tmp_path):
    (tmp_path / ".tapcheck.yml").write_text("fail-on: info\n")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == tmp_path / ".tapcheck.yml"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"tags": {"required": {"x": {"values": 1}}}}, "tags.required.x"),
        ({"fail-on": "fatal"}, "fail-on: 'fatal' is not one of"),
        ({"rules": {"TAP999": {"enabled": False}}}, "unknown rule id 'TAP999'"),
        ({"rules": {"TAP101": {}}}, "rules.TAP101"),
        ({"suppress": [{"rule": "TAP101"}]}, "'reason' is a required property"),
        ({"suppress": [{"rule": "TAP101", "reason": "  "}]}, "suppress.0.reason"),
        ({"scenarios": {"max": 0}}, "scenarios.max"),
        ({"unknown-key": 1}, "Additional properties are not allowed"),
        ({"engines": ["pylint"]}, "engines.0"),
        ([1, 2], "top level"),
    ],
)
def test_bad_config_is_a_clear_error(data, message):
    with pytest.raises(ConfigError, match=None) as raised:
        config_from_data(data, ".tapcheck.yml", known_rule)
    assert message in str(raised.value) and str(raised.value).startswith(".tapcheck.yml: ")


def test_bad_yaml_config_names_the_line(tmp_path):
    path = tmp_path / ".tapcheck.yml"
    path.write_text("tags:\n  required: [unclosed\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path, known_rule)
    assert f"{path}:3: invalid YAML" in str(raised.value)


def test_engine_rule_ids_are_accepted_in_config():
    config = config_from_data({"rules": {"W3005": {"enabled": False}}}, "c", known_rule)
    assert config.disabled_rules == {"W3005"}

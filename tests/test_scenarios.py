"""Scenarios: which parameters span them, pins, labels, and the cap with sampling."""

from __future__ import annotations

from tapcheck.checker.model.intrinsics import Unknown
from tapcheck.checker.model.scenarios import build_scenarios
from tapcheck.checker.model.template import Template


def template(parameters, used=None):
    used = list(parameters) if used is None else used
    resources = {
        f"R{i}": {"Type": "AWS::SQS::Queue", "Properties": {"P": {"Ref": name}}} for i, name in enumerate(used)
    }
    return Template("t.yml", "", {"Parameters": parameters, "Resources": resources})


def test_allowed_values_span_scenarios_and_defaults_are_fixed():
    t = template(
        {
            "Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"},
            "Name": {"Type": "String", "Default": "n"},
            "Free": {"Type": "String"},
            "List": {"Type": "CommaDelimitedList", "Default": "a, b"},
        }
    )
    result = build_scenarios(t, {}, 64)
    assert [s.label for s in result.scenarios] == ["Env=dev", "Env=prod"]
    first = result.scenarios[0].parameters
    assert first["Name"] == "n" and first["List"] == ["a", "b"] and isinstance(first["Free"], Unknown)
    assert not result.sampled


def test_unused_parameters_do_not_multiply_scenarios():
    t = template(
        {"Env": {"AllowedValues": ["a", "b"]}, "Unused": {"AllowedValues": ["x", "y", "z"], "Default": "x"}},
        used=["Env"],
    )
    result = build_scenarios(t, {}, 64)
    assert len(result.scenarios) == 2 and result.scenarios[0].parameters["Unused"] == "x"


def test_pins_replace_allowed_values():
    t = template({"Env": {"AllowedValues": ["a", "b"]}, "Tier": {"AllowedValues": ["1", "2"]}})
    result = build_scenarios(t, {"Env": "b"}, 64)
    assert [s.label for s in result.scenarios] == ["Tier=1", "Tier=2"]
    assert all(s.parameters["Env"] == "b" for s in result.scenarios)


def test_single_scenario_has_an_empty_label():
    result = build_scenarios(template({"Name": {"Default": "n"}}), {}, 64)
    assert [s.label for s in result.scenarios] == [""]


def test_cap_samples_deterministically_and_covers_every_value():
    parameters = {f"P{i}": {"AllowedValues": ["a", "b", "c", "d"]} for i in range(8)}  # 65,536 combinations
    first = build_scenarios(template(parameters), {}, 16)
    second = build_scenarios(template(parameters), {}, 16)
    assert first.sampled and first.total == 4**8 and len(first.scenarios) == 16
    assert [s.label for s in first.scenarios] == [s.label for s in second.scenarios]
    assert len({s.label for s in first.scenarios}) == 16
    for name in parameters:
        assert {s.parameters[name] for s in first.scenarios} == {"a", "b", "c", "d"}


def test_sampling_note_reaches_the_file_result(tmp_path):
    from conftest import check_text

    params = "".join(f"  P{i}:\n    Type: String\n    AllowedValues: [a, b, c]\n" for i in range(6))
    refs = "".join(f"        - {{Key: k{i}, Value: !Ref P{i}}}\n" for i in range(6))
    text = f"Parameters:\n{params}Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags:\n{refs}"
    result = check_text(tmp_path, text)
    assert result.scenarios == 64
    assert result.notes == [
        "checked 64 of 729 parameter combinations (sampled; raise scenarios.max in .tapcheck.yml to check all)"
    ]

"""Scenarios: which values each parameter takes, which combinations exist (conditions,
the template's `Rules`), how independent parts are combined, the cap, and labels."""

from __future__ import annotations

import pytest

from tapcheck.checker.model.intrinsics import OtherValue, Resolver, Unknown
from tapcheck.checker.model.loader import parse
from tapcheck.checker.model.scenarios import OTHER, build_scenarios
from tapcheck.checker.model.template import Template


def template(parameters, used=None, together=False, **sections):
    """Parameters referenced by one queue each (or all by one queue, `together`)."""
    used = list(parameters) if used is None else used
    if together:
        tags = [{"Key": name, "Value": {"Ref": name}} for name in used]
        resources = {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": tags}}}
    else:
        resources = {
            f"R{i}": {"Type": "AWS::SQS::Queue", "Properties": {"P": {"Ref": name}}} for i, name in enumerate(used)
        }
    return Template("t.yml", "", {"Parameters": parameters, "Resources": resources, **sections})


def from_yaml(text: str) -> Template:
    return Template("t.yml", text, parse(text))


def choices(space, name):
    return [s.choices.get(name) for s in space.scenarios]


def test_allowed_values_span_scenarios_and_defaults_are_fixed():
    t = template(
        {
            "Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"},
            "Name": {"Type": "String", "Default": "n"},
            "Free": {"Type": "String"},
            "List": {"Type": "CommaDelimitedList", "Default": "a, b"},
        }
    )
    space = build_scenarios(t, {}, 64)
    assert [s.label for s in space.scenarios] == ["Env=dev", "Env=prod"]
    first = space.scenarios[0].parameters
    assert first["Name"] == "n" and first["List"] == ["a", "b"] and isinstance(first["Free"], Unknown)
    assert not space.sampled and space.notes == []


def test_unused_parameters_do_not_multiply_scenarios():
    t = template(
        {"Env": {"AllowedValues": ["a", "b"]}, "Unused": {"AllowedValues": ["x", "y", "z"], "Default": "x"}},
        used=["Env"],
    )
    space = build_scenarios(t, {}, 64)
    assert len(space.scenarios) == 2 and space.scenarios[0].parameters["Unused"] == "x"


def test_pins_replace_allowed_values():
    t = template({"Env": {"AllowedValues": ["a", "b"]}, "Tier": {"AllowedValues": ["1", "2"]}})
    space = build_scenarios(t, {"Env": "b"}, 64)
    assert [s.label for s in space.scenarios] == ["Tier=1", "Tier=2"]
    assert all(s.parameters["Env"] == "b" for s in space.scenarios)


def test_a_parameter_without_allowed_values_takes_the_literals_conditions_compare_it_with():
    t = from_yaml(
        """
Parameters:
  KmsKeyArn: {Type: String, Default: ""}
  UseHttps: {Type: String, Default: "yes"}
Conditions:
  HasKey: !Not [!Equals [!Ref KmsKeyArn, ""]]
  Https: !Equals [!Ref UseHttps, "true"]
Resources:
  Bucket: {Type: AWS::S3::Bucket, Condition: HasKey}
  Listener: {Type: AWS::SQS::Queue, Condition: Https}
"""
    )
    space = build_scenarios(t, {}, 64)
    assert space.variables["KmsKeyArn"].choices == ("", OTHER)
    assert space.variables["UseHttps"].choices == ("true", OTHER)
    # the default stands for "any other value" where it is not one of the literals
    by_choice = {s.choices["UseHttps"]: s.parameters["UseHttps"] for s in space.scenarios}
    assert by_choice == {"true": "true", OTHER: "yes"}
    # where it is, "any other value" is unknown, yet decides the conditions
    other = next(s for s in space.scenarios if s.choices["KmsKeyArn"] is OTHER)
    assert isinstance(other.parameters["KmsKeyArn"], OtherValue)
    resolver = Resolver(t, other.parameters, other.pseudo, other.outcomes)
    assert resolver.condition("HasKey") is True
    # two independent parts: two scenarios, not four, and every outcome is seen
    assert len(space.scenarios) == 2 and len(space.groups) == 2


def test_independent_parts_are_combined_side_by_side_and_meeting_parts_in_full():
    t = template({f"P{i}": {"AllowedValues": ["a", "b", "c"]} for i in range(4)})
    assert len(build_scenarios(t, {}, 64).scenarios) == 3  # not 81
    together = template({f"P{i}": {"AllowedValues": ["a", "b", "c"]} for i in range(4)}, together=True)
    space = build_scenarios(together, {}, 128)
    assert len(space.scenarios) == 81 and len(space.groups) == 1


def test_resources_that_refer_to_each_other_meet():
    t = from_yaml(
        """
Parameters:
  A: {Type: String, AllowedValues: [x, y]}
  B: {Type: String, AllowedValues: [x, y]}
Resources:
  Role: {Type: AWS::IAM::Role, Properties: {RoleName: !Ref A}}
  Policy: {Type: AWS::IAM::Policy, Properties: {PolicyName: !Ref B, Roles: [!Ref Role]}}
"""
    )
    space = build_scenarios(t, {}, 64)
    assert space.groups == [("A", "B")] and len(space.scenarios) == 4


def test_the_templates_rules_remove_combinations_that_cannot_be_deployed():
    t = from_yaml(
        """
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod]}
  Encrypt: {Type: String, AllowedValues: ["true", "false"]}
Rules:
  ProdEncrypts:
    RuleCondition: !Equals [!Ref Env, prod]
    Assertions:
      - Assert: !Equals [!Ref Encrypt, "true"]
        AssertDescription: production is encrypted
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {A: !Ref Env, B: !Ref Encrypt}}
"""
    )
    labels = sorted(s.label for s in build_scenarios(t, {}, 64).scenarios)
    assert labels == ["Encrypt=false, Env=dev", "Encrypt=true, Env=dev", "Encrypt=true, Env=prod"]


@pytest.mark.parametrize(
    "assertion, kept",
    [
        ("!Contains [[a, b], !Ref P]", ["a", "b"]),
        ("!Not [!Contains [[a, b], !Ref P]]", ["c"]),
        ("!Or [!Equals [!Ref P, a], !Equals [!Ref P, c]]", ["a", "c"]),
        ("!And [!Not [!Equals [!Ref P, a]], !Not [!Equals [!Ref P, b]]]", ["c"]),
        ("!EachMemberEquals [!Split [',', !Ref P], a]", ["a"]),
        ("!EachMemberIn [!Split [',', !Ref P], [b, c]]", ["b", "c"]),
        ("!Equals [!ValueOf [P, Tags], x]", ["a", "b", "c"]),  # cannot be known: nothing removed
    ],
)
def test_rule_functions(assertion, kept):
    t = from_yaml(
        f"""
Parameters:
  P: {{Type: String, AllowedValues: [a, b, c]}}
Rules:
  R:
    Assertions:
      - Assert: {assertion}
Resources:
  Q: {{Type: AWS::SQS::Queue, Properties: {{A: !Ref P}}}}
"""
    )
    assert choices(build_scenarios(t, {}, 64), "P") == kept


def test_rules_know_any_other_value_is_none_of_the_literals():
    t = from_yaml(
        """
Parameters:
  Key: {Type: String, Default: ""}
Conditions:
  NoKey: !Equals [!Ref Key, ""]
Rules:
  KeyRequired:
    Assertions:
      - Assert: !Not [!Equals [!Ref Key, ""]]
Resources:
  Q: {Type: AWS::SQS::Queue, Condition: NoKey}
"""
    )
    assert choices(build_scenarios(t, {}, 64), "Key") == [OTHER]


def test_contradictory_conditions_are_never_both_true():
    t = from_yaml(
        """
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
Resources:
  P: {Type: AWS::SQS::Queue, Condition: IsProd}
  D: {Type: AWS::SQS::Queue, Condition: IsDev}
"""
    )
    for s in build_scenarios(t, {}, 64).scenarios:
        resolver = Resolver(t, s.parameters, s.pseudo, s.outcomes)
        assert not (resolver.condition("IsProd") and resolver.condition("IsDev"))
    assert choices(build_scenarios(t, {}, 64), "Env") == ["dev", "prod", OTHER]


def test_a_condition_that_cannot_be_evaluated_is_a_choice_of_its_own():
    t = from_yaml(
        """
Conditions:
  Imported: !Equals [!ImportValue shared-flag, "on"]
  InEast: !Equals [!Ref "AWS::Region", us-east-1]
Resources:
  A: {Type: AWS::SQS::Queue, Condition: Imported}
  B: {Type: AWS::SQS::Queue, Condition: InEast}
"""
    )
    space = build_scenarios(t, {}, 64)
    assert space.variables["Imported"].kind == "condition"
    assert space.variables["AWS::Region"].choices == ("us-east-1", OTHER)
    outcomes = set()
    for s in space.scenarios:
        resolver = Resolver(t, s.parameters, s.pseudo, s.outcomes)
        outcomes.add((resolver.condition("Imported"), resolver.condition("InEast")))
    assert {a for a, _ in outcomes} == {True, False} and {b for _, b in outcomes} == {True, False}


def test_the_cap_applies_per_group_and_says_what_was_left_out():
    parameters = {f"P{i}": {"AllowedValues": ["a", "b", "c", "d"]} for i in range(8)}  # 65,536 combinations
    first = build_scenarios(template(parameters, together=True), {}, 16)
    second = build_scenarios(template(parameters, together=True), {}, 16)
    assert first.sampled and len(first.scenarios) == 16
    assert [s.label for s in first.scenarios] == [s.label for s in second.scenarios]
    assert len({s.label for s in first.scenarios}) == 16
    for name in parameters:
        assert {s.parameters[name] for s in first.scenarios} == {"a", "b", "c", "d"}
    assert first.notes == [
        "checked 16 of 65,536 combinations of P0, P1, P2, P3, P4, P5, P6, P7 (each value at least once; "
        "raise scenarios.max in .tapcheck.yml to check all)"
    ]


def test_sampling_note_reaches_the_file_result(tmp_path):
    from conftest import check_text

    params = "".join(f"  P{i}:\n    Type: String\n    AllowedValues: [a, b, c]\n" for i in range(6))
    refs = "".join(f"        - {{Key: k{i}, Value: !Ref P{i}}}\n" for i in range(6))
    text = f"Parameters:\n{params}Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags:\n{refs}"
    result = check_text(tmp_path, text)
    assert result.scenarios == 64
    assert result.notes == [
        "checked 64 of 729 combinations of P0, P1, P2, P3, P4, P5 (each value at least once; "
        "raise scenarios.max in .tapcheck.yml to check all)"
    ]


# --- labels ---------------------------------------------------------------------------------
def describe(t: Template, holds, resource: str):
    """The label of a finding of `resource` that holds where `holds(resolver)` is true."""
    space = build_scenarios(t, {}, 64)
    resolvers = [Resolver(t, s.parameters, s.pseudo, s.outcomes) for s in space.scenarios]
    holding = {s.index for s, r in zip(space.scenarios, resolvers, strict=True) if holds(r)}
    conditions = [{str(n): r.condition(str(n)) for n in t.conditions} for r in resolvers]
    return space.describe(holding, resource, conditions)


LABELLED = """
Parameters:
  Environment: {Type: String, AllowedValues: [development, staging, production]}
  KmsKeyArn: {Type: String, Default: ""}
  UseHttps: {Type: String, Default: "false"}
  Tier: {Type: String, AllowedValues: ["1", "2", "3", "4"]}
Conditions:
  IsProd: !Equals [!Ref Environment, production]
  NoKey: !Equals [!Ref KmsKeyArn, ""]
  Https: !Equals [!Ref UseHttps, "true"]
  ProdWithoutKey: !And [!Condition IsProd, !Condition NoKey]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      A: !If [IsProd, x, y]
      B: !If [NoKey, x, y]
      C: !Ref Tier
  Listener: {Type: AWS::SQS::Queue, Properties: {A: !If [Https, x, y]}}
"""


@pytest.mark.parametrize(
    "holds, resource, text, any_of",
    [
        (
            lambda r: r.parameters["Environment"] == "production",
            "Table",
            "only when Environment=production",
            [[{"parameter": "Environment", "in": ["production"]}]],
        ),
        (
            lambda r: r.parameters["Environment"] != "production",
            "Table",
            'only when Environment is not "production"',
            [[{"parameter": "Environment", "in": ["development", "staging"]}]],
        ),
        (
            lambda r: r.condition("NoKey"),
            "Table",
            "only when KmsKeyArn is empty",
            [[{"parameter": "KmsKeyArn", "in": [""]}]],
        ),
        (
            lambda r: not r.condition("NoKey"),
            "Table",
            "only when KmsKeyArn is not empty",
            [[{"parameter": "KmsKeyArn", "not_in": [""]}]],
        ),
        (
            lambda r: not r.condition("Https"),
            "Listener",
            'only when UseHttps is not "true"',
            [[{"parameter": "UseHttps", "not_in": ["true"]}]],
        ),
        (
            lambda r: r.condition("ProdWithoutKey"),
            "Table",
            "only when condition ProdWithoutKey is true",
            [[{"condition": "ProdWithoutKey", "is": True}]],
        ),
        (lambda r: True, "Table", None, None),
    ],
)
def test_labels_name_only_what_the_finding_depends_on(holds, resource, text, any_of):
    label = describe(from_yaml(LABELLED), holds, resource)
    if text is None:
        assert label is None
    else:
        assert (label.text, label.any_of) == (text, any_of)


def test_labels_stay_one_short_line():
    parameters = "".join(f"  P{i}: {{Type: String, AllowedValues: [a, b, c]}}\n" for i in range(5))
    tags = "".join(f"        - {{Key: k{i}, Value: !Ref P{i}}}\n" for i in range(5))
    t = from_yaml(
        f"Parameters:\n{parameters}Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags:\n{tags}"
    )
    # a pattern no one or two parameters decide
    label = describe(t, lambda r: sum(r.parameters[f"P{i}"] == "a" for i in range(5)) % 2 == 1, "Q")
    assert "\n" not in label.text and len(label.text) <= 200

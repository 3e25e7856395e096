"""A `local` rule is checked once per reading of a resource, not once per scenario
(`Rule.local`, `checker/runner.py`): the findings must be exactly those of checking it in
every scenario, on every fixture and every file of the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapcheck.checker.config import Config
from tapcheck.checker.model.loader import parse
from tapcheck.checker.model.readings import dependencies, referred
from tapcheck.checker.model.template import Template
from tapcheck.checker.runner import check_file
from tapcheck.rules import ALL_RULES

from conftest import CORPUS, FIXTURES, REPO, SEED

CONFIG = Config(engines=("tapcheck",))
LOCAL = [rule for rule in ALL_RULES if rule.local]


def templates() -> list[Path]:
    found = [p for p in sorted(FIXTURES.rglob("*")) if p.suffix in (".yml", ".yaml", ".json") and p.is_file()]
    found.append(REPO / "reference" / "TapStack.yml")
    if SEED.is_file():
        found.append(SEED)
        found += [p for p in sorted(CORPUS.iterdir()) if p.suffix in (".yml", ".yaml", ".json", ".template")]
    return found


def _findings(path: Path) -> list[dict] | None:
    result = check_file(path, CONFIG)
    if result.status != "checked":
        return None
    return sorted((f.to_dict() for f in result.findings), key=repr)


@pytest.fixture(scope="module")
def every_scenario() -> dict[Path, list[dict] | None]:
    """The findings with every rule checked in every scenario."""
    patch = pytest.MonkeyPatch()
    for rule in LOCAL:
        patch.setattr(type(rule), "local", False)
    try:
        return {path: _findings(path) for path in templates()}
    finally:
        patch.undo()


def test_the_rules_that_are_local():
    assert {rule.id for rule in LOCAL} >= {"TAP101", "TAP301", "TAP302", "TAP309"}
    assert not {rule.id for rule in LOCAL} & {"TAP201", "TAP203", "TAP307", "TAP401", "TAP501", "TAP503"}


def test_local_rules_find_what_checking_every_scenario_finds(every_scenario):
    differ = [path.name for path, expected in every_scenario.items() if _findings(path) != expected]
    assert differ == []
    assert sum(1 for found in every_scenario.values() if found) > 300


def test_a_resource_reads_what_it_names_and_the_resources_it_refers_to():
    text = """
Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: !Sub "${AWS::Region} key for ${Env}"
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !If [IsProd, !Ref AWS::NoValue, !Sub "${Env}-data"]
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              KMSMasterKeyID: !GetAtt Key.Arn
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument: {Statement: []}
  Alone:
    Type: AWS::SNS::Topic
"""
    template = Template("t.yml", text, parse(text))
    resources = template.resources
    assert dependencies(template, "Bucket", resources["Bucket"]) == (("AWS::NoValue", "Env"), ("IsProd",))
    assert dependencies(template, "Key", resources["Key"]) == (("AWS::Region", "Env"), ())
    assert dependencies(template, "Alone", resources["Alone"]) == ((), ())
    assert referred(template, "Policy") == ("Bucket", "Key")  # through the bucket
    assert referred(template, "Bucket") == ("Key",)
    assert referred(template, "Key") == () and referred(template, "Alone") == ()

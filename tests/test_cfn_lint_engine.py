"""The cfn-lint engine: its findings under its own ids, in-process on the parsed
template, deduplicated against tapcheck's, suppressible like any other."""

from __future__ import annotations

import copy

from tapcheck.checker.config import Config
from tapcheck.checker.engines.cfn_lint import cfn_lint_findings
from tapcheck.checker.model.loader import load_template

from conftest import FIXTURES, check

TEMPLATE = FIXTURES / "engines" / "cfn_lint.yml"


def by_rule(findings):
    return {(f.rule_id, f.resource): f for f in findings}


def test_cfn_lint_findings_keep_their_ids_lines_and_severities():
    result = check(TEMPLATE)
    found = by_rule(result.findings)
    invalid = found["E3012", "Network"]
    assert invalid.engine == "cfn-lint" and invalid.severity == "error" and invalid.area == "cfn-lint"
    assert invalid.line == 10 and invalid.path == "Properties.EnableDnsSupport"
    unused = found["W2001", None]
    assert unused.severity == "warning" and unused.line == 3


def test_duplicate_tag_keys_are_reported_once():
    result = check(TEMPLATE)
    assert ("TAP103", "Network") in by_rule(result.findings)
    assert ("E3024", "Network") not in by_rule(result.findings)
    alone = check(TEMPLATE, Config(engines=("cfn-lint",)))
    assert ("E3024", "Network") in by_rule(alone.findings)  # without tapcheck's rules, cfn-lint's stays


def test_cfn_lint_ids_are_suppressed_and_disabled_like_tapcheck_ids():
    result = check(TEMPLATE)
    assert [(f.rule_id, f.resource, f.reason) for f in result.suppressed] == [
        ("E3002", "Gateway", "exercised by the engine test"),
    ]
    quiet = check(TEMPLATE, Config(disabled_rules=frozenset({"W2001"})))
    assert ("W2001", None) not in by_rule(quiet.findings)
    softened = check(TEMPLATE, Config(severities={"E3012": "warning"}))
    assert by_rule(softened.findings)["E3012", "Network"].severity == "warning"


def test_engines_option_selects_engines():
    tapcheck_only = check(TEMPLATE, Config(engines=("tapcheck",)))
    assert {f.engine for f in tapcheck_only.findings} == {"tapcheck"}
    cfn_lint_only = check(TEMPLATE, Config(engines=("cfn-lint",)))
    assert {f.engine for f in cfn_lint_only.findings} == {"cfn-lint"}


def test_unused_suppression_of_an_engine_that_did_not_run():
    result = check(TEMPLATE, Config(engines=("tapcheck",)))
    (unused,) = [f for f in result.findings if f.rule_id == "TAP002"]
    assert unused.message == "suppression of E3002 suppresses nothing: the cfn-lint engine did not run"


def test_the_parsed_template_is_not_changed_by_cfn_lint():
    sam = FIXTURES / "tags" / "tap101_sam.yml"
    template = load_template(sam)
    before = copy.deepcopy(template.data)
    cfn_lint_findings(template, Config())
    assert template.data == before


def test_a_cfn_lint_failure_is_a_finding_not_a_lost_file(tmp_path):
    # found by the fuzzer: cfn-lint raises on a template whose Metadata is a list
    path = tmp_path / "t.json"
    path.write_text('{"Metadata": ["x"], "Resources": {"Address": {"Type": "AWS::EC2::EIP"}}}')
    result = check(path)
    rules = {f.rule_id for f in result.findings}
    assert "TAP101" in rules and "E0002" in rules
    (failure,) = [f for f in result.findings if f.rule_id == "E0002"]
    assert failure.severity == "error" and failure.message.startswith("cfn-lint could not check this template")


def test_unknown_actions_and_invalid_names_are_reported_once_naming_cfn_lint():
    both = check(FIXTURES / "engines" / "covered.yml")
    found = sorted(
        (f.rule_id, f.resource) for f in both.findings if f.rule_id in ("TAP306", "TAP402", "W3037", "W1032")
    )
    # W3037 stays where it says what TAP306 does not: an SQS action in a bucket policy
    assert found == [("TAP306", "Policy"), ("TAP402", "Bucket"), ("W3037", "BucketPolicy")]
    messages = {f.rule_id: f.message for f in both.findings}
    assert messages["TAP306"].endswith("did you mean dynamodb:GetItem? (cfn-lint W3037 says the same)")
    assert messages["TAP402"].endswith("starting and ending with a letter or digit (cfn-lint W1032 says the same)")
    alone = check(FIXTURES / "engines" / "covered.yml", Config(engines=("cfn-lint",)))
    assert {("W3037", "Policy"), ("W1032", "Bucket")} <= {(f.rule_id, f.resource) for f in alone.findings}
    own = check(FIXTURES / "engines" / "covered.yml", Config(engines=("tapcheck",)))
    # the note depends on which engines run; the fingerprint (baselines) does not
    assert {f.fingerprint() for f in own.findings} == {f.fingerprint() for f in both.findings if f.engine == "tapcheck"}

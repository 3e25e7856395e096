"""The conventions users of cfn-lint, checkov and ruff bring: report-only runs, colour in
CI logs, a reader that stops early, rule selection, exclusions, one suppression key,
parameters that pin nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, SEED, needs_shared, run_process

CLEAN = FIXTURES / "cli" / "compliant.yml"
FAILING = FIXTURES / "cli" / "failing.yml"  # four TAP101 findings, nothing else
MIXED = FIXTURES / "fix" / "mixed.yml"  # tapcheck's and cfn-lint's findings


def test_exit_zero_and_soft_fail_report_without_failing(run_cli, tmp_path):
    for option in ("--exit-zero", "--soft-fail"):
        code, out, _ = run_cli(option, "-q", FAILING)
        assert code == 0 and len(out.splitlines()) == 4
    # a file that cannot be checked still fails: a report-only step must not hide it
    code, out, _ = run_cli("--exit-zero", "missing.yml", FAILING)
    assert code == 2 and "missing.yml: could not be checked" in out


def test_a_file_that_cannot_be_checked_gets_no_check_mark(run_cli):
    code, out, _ = run_cli("missing.yml")
    assert code == 2 and "✔" not in out
    assert out.splitlines()[-1] == "1 file could not be checked; 0 files checked: no findings"


def test_write_baseline_says_what_it_wrote(run_cli, tmp_path):
    code, _, err = run_cli("-q", "--write-baseline", "base/line.json", FAILING)
    assert code == 1 and err == "tapcheck: wrote the baseline base/line.json (4 findings)\n"
    assert len(json.loads((tmp_path / "base" / "line.json").read_text())["findings"]) == 4


def environment(**variables: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, **variables}


@pytest.mark.parametrize(
    "args, variables, coloured",
    [
        ((), {}, False),  # a pipe is not a terminal
        ((), {"FORCE_COLOR": "1"}, True),  # a CI log that shows colour
        (("--no-color",), {"FORCE_COLOR": "1"}, False),
        ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins, as in Python's own REPL
        ((), {"FORCE_COLOR": ""}, False),  # set but empty counts as unset (force-color.org, no-color.org)
    ],
)
def test_force_color_and_no_color(args, variables, coloured):
    process = run_process(*args, FAILING, env=environment(**variables))
    assert process.returncode == 1 and ("\x1b[" in process.stdout) == coloured


def test_rules_listing_follows_force_color():
    assert "\x1b[" in run_process("rules", env=environment(FORCE_COLOR="1")).stdout
    assert "\x1b[" not in run_process("rules", env=environment()).stdout


@pytest.mark.parametrize(
    "args, repeats",
    [(("explain", "TAP101"), 5), (("rules",), 3), (("-q", FAILING), 3), (("-f", "json", FAILING), 2)],
)
def test_a_reader_that_stops_early_gets_no_traceback(args, repeats):
    """`tapcheck explain TAP101 | head -1`: the reader closes the pipe; here before
    tapcheck writes anything, so every write meets a closed pipe."""
    for _ in range(repeats):
        process = subprocess.Popen(
            [sys.executable, "-m", "tapcheck.checker.cli", *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        process.stdout.close()
        stderr = process.stderr.read().decode()
        process.stderr.close()
        assert process.wait(timeout=120) == 141 and stderr == ""


def rules_reported(out: str) -> set[str]:
    return {line.split()[2] for line in out.splitlines() if ": could not be checked" not in line}


@needs_shared
def test_select_and_ignore_take_ids_and_prefixes(run_cli):
    _, everything, _ = run_cli("-q", "--no-cache", SEED, MIXED)
    _, out, _ = run_cli("-q", "--no-cache", "--select", "TAP3", SEED, MIXED)
    assert rules_reported(out) == {r for r in rules_reported(everything) if r.startswith("TAP3")} != set()
    _, out, _ = run_cli("-q", "--no-cache", "--select", "TAP3,TAP101", "--ignore", "TAP30", SEED)
    assert rules_reported(out) == {"TAP101", "TAP310"}
    # cfn-lint's ids too, with cfn-lint's own option name; ignoring wins over selecting
    assert any(r.startswith("W") for r in rules_reported(everything))
    _, out, _ = run_cli("-q", "--no-cache", "--ignore-checks", "W", MIXED)
    assert not any(r.startswith("W") for r in rules_reported(out)) and "TAP101" in rules_reported(out)
    # the suppression of a rule left out is not "unused" (TAP002)
    code, out, _ = run_cli("--no-cache", "--ignore", "TAP101", FIXTURES / "suppressions" / "used_with_reason.yml")
    assert code == 0 and "TAP002" not in out
    code, _, err = run_cli("--select", "TAP9", MIXED)
    assert code == 2 and "--select 'TAP9' selects no rule" in err


def test_exclude_in_config_and_on_the_command_line(run_cli, tmp_path):
    for path in ("stacks/app.yml", "stacks/legacy/old.yml", "build/cdk.out/gen.yml", "stacks/app.generated.yml"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FAILING, tmp_path / path)
    (tmp_path / "stacks" / ".tapcheck.yml").write_text("exclude: [legacy, '*.generated.yml']\n")

    def checked(*args, cwd=tmp_path):
        code, out, _ = run_cli("-q", *args, cwd=cwd)
        return code, sorted({line.split(":")[0] for line in out.splitlines()})

    # the config file's patterns are relative to its directory; names match at any depth
    assert checked(".", cwd=tmp_path / "stacks") == (1, ["app.yml"])
    assert checked("--exclude", "build/*", "--config", "stacks/.tapcheck.yml", ".") == (1, ["stacks/app.yml"])
    # named files too (pre-commit names every staged file), and nothing left is no error for pre-commit
    named = ("--config", "stacks/.tapcheck.yml", "stacks/legacy/old.yml", "stacks/app.generated.yml")
    assert checked("--skip-non-templates", *named) == (0, [])


def test_suppressions_take_id_or_rule_in_both_places(run_cli, tmp_path):
    template = tmp_path / "t.yml"
    shutil.copy(FAILING, template)
    (tmp_path / ".tapcheck.yml").write_text("suppress:\n  - id: TAP101\n    reason: tagged by the pipeline\n")
    code, out, _ = run_cli("--no-cache", template)
    assert code == 0 and "(4 suppressed)" in out
    (tmp_path / ".tapcheck.yml").write_text(
        "suppress:\n  - id: TAP101\n    rule: TAP101\n    reason: tagged by the pipeline\n"
    )
    code, _, err = run_cli("--no-cache", template)
    assert code == 2 and "suppress.0: give the rule as 'id' (or 'rule'), once" in err


def test_tap001_hints_at_what_is_wrong(tmp_path):
    from tapcheck.checker.runner import check_file

    template = tmp_path / "t.yml"
    template.write_text(
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Metadata:\n      tapcheck:\n        suppress:\n"
        "          - rule: TAP101\n          - {reason: forgot the id}\n          - TAP102\n"
        "          - {id: TAP103, rule: TAP103, reason: twice}\n"
    )
    found = sorted((f.line, f.message, f.fix) for f in check_file(template).findings if f.rule_id == "TAP001")
    assert [(line, fix) for line, _, fix in found] == [
        (7, "give the suppression a reason: why the finding is acceptable here"),  # `rule` names the rule too
        (8, "write the entry as {id: RULE, reason: why}, e.g. {id: TAP302, reason: cannot be scoped}"),
        (9, "write the entry as {id: RULE, reason: why}, e.g. {id: TAP302, reason: cannot be scoped}"),
        (10, "keep one of id and rule"),
    ]
    assert found[2][1] == "suppression entry needs an 'id' (the rule id) and a 'reason', got 'TAP102'"


@needs_shared
def test_a_param_that_pins_nothing_is_said_plainly(run_cli):
    code, _, err = run_cli("-q", "--param", "Environmnt=production", "--param", "Environment=prod", SEED)
    assert code == 1
    assert err.splitlines() == [
        "tapcheck: warning: --param Environmnt: no checked template has a parameter Environmnt "
        "(they have Environment, EnvironmentSuffix)",
        f"tapcheck: warning: --param Environment=prod: not among the AllowedValues of Environment in {SEED} "
        "(development, staging, production); checked with it anyway",
    ]
    _, _, err = run_cli("-q", "--param", "Environment=production", SEED)
    assert err == ""

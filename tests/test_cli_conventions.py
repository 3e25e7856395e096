"""The conventions users of cfn-lint, checkov and ruff bring: report-only runs, colour in
CI logs, a reader that stops early, rule selection, exclusions, cfn-lint's own
configuration, the effective configuration."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, run_process

CLEAN = FIXTURES / "cli" / "compliant.yml"
FAILING = FIXTURES / "cli" / "failing.yml"  # four TAP101 findings, nothing else


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

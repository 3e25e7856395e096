"""The README opens with the two commands a new user runs; CI runs the second."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_opens_with_install_and_test_commands():
    install, test = commands()[:2]
    assert "pip install ." in install and install.endswith("tapcheck reference/TapStack.yml")
    assert "pip install -e '.[test]'" in test and "pytest" in test


def test_ci_runs_the_readme_test_command():
    assert commands()[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_rule_table_matches_the_registry():
    from tapcheck.rules import ALL_RULES

    text = (REPO / "README.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert f"| {rule.id} | {rule.name} | {rule.area} | {rule.severity} | {rule.title} |" in text


def shown_runs(section: str) -> list[tuple[list[str], list[str]]]:
    """The commands (`$ tapcheck ...`) of a README section's text blocks, each with the
    output lines shown under it."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    body = text[text.index(f"## {section}\n") :]
    body = body[: body.index("\n## ", 1)]
    runs = []
    for block in re.findall(r"```text\n(.+?)\n```", body, re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                runs.append((line[2:].split(), []))
            else:
                runs[-1][1].append(line)
    return runs


def test_the_scenarios_example_is_what_tapcheck_prints():
    runs = shown_runs("Scenarios")
    assert len(runs) == 2
    tapcheck = Path(sys.executable).parent / "tapcheck"
    for argv, shown in runs:
        assert argv[0] == "tapcheck"
        done = subprocess.run(
            [str(tapcheck), "--no-cache", *argv[1:]],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            env=dict(os.environ, NO_COLOR="1", COLUMNS="200"),
            check=False,
        )
        printed = done.stdout.splitlines()
        positions = [printed.index(line) for line in shown]  # ValueError: README shows a line tapcheck does not print
        assert positions == sorted(positions), f"{argv}: README's lines are out of order"


def test_the_scenarios_json_example_is_what_tapcheck_writes(run_cli):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    shown = json.loads("{" + re.search(r'```json\n("when": .+?)\n```', text).group(1) + "}")["when"]
    code, out, _ = run_cli(
        "--no-cache", "--select", "TAP203", "-f", "json", str(REPO / "tests/fixtures/scenarios/listener.yml")
    )
    (finding,) = json.loads(out)["findings"]
    assert finding["when"] == shown and finding["scenarios"] == ['only when UseHttps is not "true"']

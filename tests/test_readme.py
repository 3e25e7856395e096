"""The README cannot drift: it opens with the two commands a new user runs (CI runs the
second), its example report is an excerpt of a real run on the seed, its rule table is the
registry's, and its pre-commit snippet names this version's tag and the hook's id."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tapcheck import __version__

from conftest import REPO, SEED, needs_shared, run_process

README = (REPO / "README.md").read_text(encoding="utf-8")
GAP = "..."  # a line of its own in the example: output left out


def commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", README)


def test_readme_opens_with_install_and_test_commands():
    install, test = commands()[:2]
    assert "pip install ." in install and install.endswith("tapcheck reference/TapStack.yml")
    assert "pip install -e '.[test]'" in test and "pytest" in test


def test_ci_runs_the_readme_test_command():
    assert commands()[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_rule_table_matches_the_registry():
    from tapcheck.rules import ALL_RULES

    for rule in ALL_RULES:
        assert f"| {rule.id} | {rule.name} | {rule.area} | {rule.severity} | {rule.title} |" in README


def section(title: str) -> str:
    body = README[README.index(f"## {title}\n") :]
    return body[: body.index("\n## ", 1)]


def shown_runs(title: str) -> list[tuple[list[str], list[str]]]:
    """The commands (`$ tapcheck ...`) of a README section's text blocks, each with the
    output lines shown under it."""
    runs = []
    for block in re.findall(r"```text\n(.+?)\n```", section(title), re.S):
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
    shown = json.loads("{" + re.search(r'```json\n("when": .+?)\n```', README).group(1) + "}")["when"]
    code, out, _ = run_cli(
        "--no-cache", "--select", "TAP203", "-f", "json", str(REPO / "tests/fixtures/scenarios/listener.yml")
    )
    (finding,) = json.loads(out)["findings"]
    assert finding["when"] == shown and finding["scenarios"] == ['only when UseHttps is not "true"']


def example_report() -> tuple[list[str], list[list[str]]]:
    """The command of the README's example report and the runs of lines it shows, split
    where it leaves lines out."""
    ((command, shown),) = re.findall(r"```text\n\$ (.+?)\n(.+?)\n```", section("A report"), re.S)
    runs: list[list[str]] = [[]]
    for line in shown.splitlines():
        if line.strip() == GAP:
            runs.append([])
        else:
            runs[-1].append(line.rstrip())
    return shlex.split(command), runs


def find_run(lines: list[str], run: list[str], start: int) -> int | None:
    for at in range(start, len(lines) - len(run) + 1):
        if lines[at : at + len(run)] == run:
            return at
    return None


@needs_shared
def test_readme_report_is_an_excerpt_of_a_real_run_on_the_seed():
    (program, *args), runs = example_report()
    assert program == "tapcheck" and len(runs) > 1
    # no colour, and a width that is not the renderer's: the report must not depend on the terminal
    env = {**os.environ, "COLUMNS": "72", "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    process = run_process(*args, cwd=SEED.parent, env=env)
    assert process.returncode == 1 and process.stderr == ""
    real = [line.rstrip() for line in process.stdout.splitlines()]  # rich pads table cells
    at = 0
    for index, run in enumerate(runs):
        found = find_run(real, run, at)
        assert found is not None, f"the README's lines are not in the real output after its line {at}:\n" + "\n".join(
            run
        )
        assert index > 0 or found == 0, "the README's example starts where the report starts"
        at = found + len(run)
    assert at == len(real), "the README's example ends where the report ends"
    # the prose names the scenario label as the report prints it
    (label,) = re.findall(r"says where\s+\(`(.+?)`\)", README)
    assert any(line.strip() == label for line in real)


def test_pre_commit_snippet_names_this_version_and_the_hook():
    (snippet,) = re.findall(r"```yaml\n(repos:.+?)```", README, re.S)
    (repo,) = yaml.safe_load(snippet)["repos"]
    assert repo["rev"] == f"v{__version__}"  # the tag of this version (`git tag v{__version__}`)
    manifest = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in repo["hooks"]] == [hook["id"] for hook in manifest]


def test_readme_says_what_the_first_command_prints():
    (said,) = re.findall(r"The first command prints `(.+?)`", README)
    program, *args = shlex.split(commands()[0].rsplit("&& ", 1)[1])
    assert program == "tapcheck"
    process = run_process(*args, cwd=REPO, env={**os.environ, "NO_COLOR": "1"})
    assert (process.returncode, process.stdout, process.stderr) == (0, said + "\n", "")
    assert f"A clean run prints one line (`{said}`)" in README


def test_the_development_sections_layer_order_is_the_contracts():
    """The README's layer order is setup.cfg's import-linter contract, layer by layer."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Development\n") :]
    block = re.search(r"```text\n(.+?)\n```", section, re.S).group(1)
    shown = [set(layer.replace(",", " ").split()) for layer in " ".join(block.split()).split(" > ")]
    parser = configparser.ConfigParser()
    parser.read(REPO / "setup.cfg")
    contract = parser["importlinter:contract:layers"]["layers"].split("\n")
    layers = [{name.strip().rsplit(".", 1)[-1] for name in line.split("|")} for line in contract if line.strip()]
    assert shown == layers

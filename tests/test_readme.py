"""The README opens with the two commands a new user runs; CI runs the second."""

from __future__ import annotations

import re

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

"""`tapcheck config`: which configuration files a run here uses (tapcheck's and cfn-lint's)
and the settings in effect, with the command line's options on top, as text and JSON."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from test_startup_imports import imported, under

from tapcheck.checker.config import load_config
from tapcheck.rules import known_rule

from conftest import FIXTURES

FULL = FIXTURES / "config_command" / ".tapcheck.yml"  # every kind of setting


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def project(tmp_path, home):
    work = tmp_path / "work"
    (work / "stacks").mkdir(parents=True)
    shutil.copy(FULL, work / ".tapcheck.yml")
    return work


def shown(run_cli, *args, cwd):
    code, out, _ = run_cli("config", "--format", "json", *args, cwd=cwd)
    assert code == 0
    return json.loads(out)


def test_defaults_when_no_file_is_found(run_cli, tmp_path, home):
    code, out, err = run_cli("config", cwd=tmp_path)
    assert code == 0 and err == ""
    assert out.splitlines()[:6] == [
        f"configuration file: none (.tapcheck.yml or .tapcheck.yaml in {tmp_path} or above): the defaults",
        f"cfn-lint configuration: none (.cfnlintrc, .cfnlintrc.yaml, .cfnlintrc.yml in {home} or {tmp_path})",
        "cfn-lint regions: a template's Metadata.cfn-lint.config.regions, else the .cfnlintrc's, else us-east-1",
        "rules: all",
        "tables overridden: none",
        "policies: none",
    ]
    data = shown(run_cli, cwd=tmp_path)
    assert data["config-file"] is None and data["cfn-lint-files"] == [] and data["select"] == []
    settings = data["settings"]
    assert settings["fail-on"] == "error" and settings["engines"] == ["tapcheck", "cfn-lint"]
    assert settings["tags"]["required"] == {
        "project": ["iac-rlhf-amazon"],
        "team-number": ["2"],
        "Environment": {"parameter": "Environment"},
    }
    assert "regions" not in settings


def test_the_file_found_upward_and_every_setting_it_makes(run_cli, project):
    code, out, _ = run_cli("config", cwd=project / "stacks")
    assert out.splitlines()[:4] == [
        f"configuration file: {project / '.tapcheck.yml'}",
        f"cfn-lint configuration: none (.cfnlintrc, .cfnlintrc.yaml, .cfnlintrc.yml in {project.parent / 'home'} "
        f"or {project / 'stacks'})",
        "rules: switched off: TAP103",  # regions are set: no line on where they come from
        "tables overridden: encryption table (AWS::Logs::LogGroup off); alarm matrix (AWS::SQS::Queue off)",
    ]
    settings = shown(run_cli, cwd=project / "stacks")["settings"]
    assert settings["exclude"] == [{"pattern": "legacy", "relative-to": str(project)}]
    assert settings["suppress"] == [
        {
            "id": "TAP101",
            "reason": "tagged by the platform pipeline",
            "path": "legacy/*.yml",
            "resource": "LegacyBucket",
        }
    ]
    assert settings["rules"] == {"TAP103": {"enabled": False}, "TAP102": {"severity": "warning"}}
    assert settings["regions"] == ["us-east-1", "eu-west-1"] and settings["scenarios"] == {
        "params": {"Environment": "staging"},
        "max": 8,
    }
    # what it shows is what it runs with: written back as a file (exclude aside), the same settings
    written = project / "written.yml"
    text = out.split("(exclude: with what each pattern is relative to):\n", 1)[1]
    written.write_text(yaml.safe_dump({k: v for k, v in yaml.safe_load(text).items() if k != "exclude"}))
    again = load_config(written, known_rule).settings()
    assert {**again, "exclude": settings["exclude"]} == settings


def test_the_command_line_on_top(run_cli, project):
    data = shown(
        run_cli,
        "--select",
        "TAP3,E",
        "--ignore",
        "TAP307",
        "--exclude",
        "*.gen.yml",
        "--fail-on",
        "info",
        "--param",
        "Environment=production",
        "--stack-name",
        "other",
        "--engines",
        "tapcheck",
        cwd=project,
    )
    assert (data["select"], data["ignore"]) == (["TAP3", "E"], ["TAP307"])
    settings = data["settings"]
    assert settings["exclude"][-1] == {"pattern": "*.gen.yml", "relative-to": str(project)}
    assert (settings["fail-on"], settings["stack-name"], settings["engines"]) == ("info", "other", ["tapcheck"])
    assert settings["scenarios"]["params"] == {"Environment": "production"}
    code, out, _ = run_cli("config", "--engines", "tapcheck", "--select", "TAP3", "--ignore", "TAP307", cwd=project)
    assert "cfn-lint configuration: not read (the cfn-lint engine is off)" in out.splitlines()
    assert "rules: --select TAP3; --ignore TAP307; switched off: TAP103" in out.splitlines()
    other = project / "other.yml"
    other.write_text("fail-on: info\n")
    assert shown(run_cli, "--config", other, cwd=project)["config-file"] == str(other)


def test_cfn_lint_files_and_what_of_them_applies(run_cli, project, home):
    (home / ".cfnlintrc.yml").write_text("ignore_checks: [E3002]\ninclude_checks: [I]\n")
    (project / ".cfnlintrc").write_text("ignore_checks: [E3012]\ntemplates: [stacks/*.yml]\n")
    data = shown(run_cli, cwd=project)
    assert data["cfn-lint-files"] == [str(home / ".cfnlintrc.yml"), str(project / ".cfnlintrc")]
    assert data["cfn-lint-settings"] == {"ignore_checks": ["E3012"], "include_checks": ["I"]}
    code, out, err = run_cli("config", cwd=project)
    assert (
        f"cfn-lint configuration: {home / '.cfnlintrc.yml'}, {project / '.cfnlintrc'} "
        '(settings: {"ignore_checks": ["E3012"], "include_checks": ["I"]})'
    ) in out.splitlines()
    assert "templates not applied" in err


def test_bad_configuration_is_exit_2_naming_it(run_cli, project):
    (project / ".tapcheck.yml").write_text("fail-on: sometimes\n")
    code, out, err = run_cli("config", cwd=project)
    assert code == 2 and out == "" and err.startswith(f"tapcheck: {project / '.tapcheck.yml'}: fail-on: ")
    shutil.copy(FULL, project / ".tapcheck.yml")
    code, _, err = run_cli("config", "--select", "TAPX", cwd=project)
    assert code == 2 and "--select 'TAPX' selects no rule" in err


def test_config_imports_no_checking_machinery(tmp_path):
    modules = imported("config", "--config", str(FULL))
    assert "jsonschema" in modules  # it did read and validate the file
    assert (
        under(modules, "cfnlint", "tapcheck.checker.runner", "tapcheck.reports.console", "rich", "botocore", "boto3")
        == []
    )


def test_every_setting_of_a_run_is_shown(run_cli, project):
    """A field added to Config and not to `tapcheck config` fails here."""
    from dataclasses import fields

    from tapcheck.checker.config import Config

    shown_as = {
        "required_tags": "tags",
        "stack_tags": "tags",
        "suffix_parameter": "naming",
        "stack_name": "stack-name",
        "params": "scenarios",
        "max_scenarios": "scenarios",
        "disabled_rules": "rules",
        "severities": "rules",
        "suppressions": "suppress",
        "customer_managed_keys": "encryption",
        "encryption_types": "encryption",
        "alarm_matrix": "monitoring",
        "log_retention": "monitoring",
        "fail_on": "fail-on",
        "engines": "engines",
        "regions": "regions",
        "exclude": "exclude",
        "cfn_lint_files": "cfn-lint-files",
        "cfn_lint_settings": "cfn-lint-settings",
        "select": "select",
        "ignore": "ignore",
        "source": "config-file",
        "policies": "policies",
    }
    assert set(shown_as) == {f.name for f in fields(Config)}
    data = shown(run_cli, cwd=project)
    assert set(shown_as.values()) == set(data["settings"]) | set(data) - {"settings"}

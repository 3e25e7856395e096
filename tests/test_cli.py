"""The command line contract: exit codes, formats, options, subcommands, discovery."""

from __future__ import annotations

import json

import pytest

from tapcheck import __version__
from tapcheck.rules import ALL_RULES

from conftest import FIXTURES, run_process

TAGS = FIXTURES / "tags"
CLEAN = FIXTURES / "cli" / "compliant.yml"
FAILING = FIXTURES / "cli" / "failing.yml"  # four TAP101 findings, nothing else


def test_clean_file_exits_0_with_one_line(run_cli):
    code, out, err = run_cli(CLEAN)
    assert code == 0 and err == ""
    assert out.strip() == "✔ 1 file checked: no findings"


def test_quiet_clean_prints_nothing(run_cli):
    assert run_cli("-q", CLEAN) == (0, "", "")


def test_findings_exit_1_and_name_file_line_rule_and_fix(run_cli):
    code, out, _ = run_cli(FAILING)
    assert code == 1
    assert f"{FAILING}:14:3" in out and "TAP101 missing-required-tags" in out
    assert "fix: add the missing tag keys" in out and "14 |   Address:" in out
    assert "By area" in out and "4 errors, 0 warnings, 0 info in 1 checked file" in out
    assert "\x1b[" not in out  # not a terminal: no colour


def test_quiet_findings_are_one_line_each(run_cli):
    code, out, _ = run_cli("-q", FAILING)
    lines = out.splitlines()
    assert code == 1 and len(lines) == 4
    assert (
        lines[1]
        == f"{FAILING}:14:3: error: TAP101 AWS::EC2::EIP is missing required tag(s) 'project', 'team-number', 'Environment'"
    )


def test_json_format_shape(run_cli):
    code, out, _ = run_cli("--format", "json", FAILING, TAGS / "tap103_fail.yml")
    data = json.loads(out)
    assert code == 1
    assert data["tool"] == {"name": "tapcheck", "version": __version__}
    assert data["files"][0] == {"path": str(FAILING), "status": "checked", "scenarios": 2, "notes": []}
    finding = data["findings"][0]
    assert set(finding) == {
        "rule_id",
        "name",
        "severity",
        "engine",
        "area",
        "file",
        "resource",
        "path",
        "line",
        "column",
        "message",
        "scenarios",
        "when",
    }
    assert finding["engine"] == "tapcheck" and finding["area"] == "tags" and finding["scenarios"] == []
    assert data["suppressed"] == [] and data["errors"] == []
    counts = {s: sum(1 for f in data["findings"] if f["severity"] == s) for s in ("error", "warning", "info")}
    assert data["summary"] == {
        "errors": counts["error"],
        "warnings": counts["warning"],
        "info": counts["info"],
        "suppressed": 0,
        "files": 2,
    }
    assert counts["error"] > 4


def test_json_errors_section(run_cli, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("Resources: [\n")
    code, out, _ = run_cli("-f", "json", bad)
    data = json.loads(out)
    assert code == 2
    assert data["files"] == [{"path": str(bad), "status": "error", "scenarios": 0, "notes": []}]
    assert data["errors"][0]["file"] == str(bad) and data["errors"][0]["line"] == 2


def test_several_formats_to_files_in_one_run(run_cli, tmp_path):
    code, out, _ = run_cli("-f", "console", "-f", f"json:{tmp_path}/reports/t.json", FAILING)
    assert code == 1 and "TAP101" in out
    assert len(json.loads((tmp_path / "reports" / "t.json").read_text())["findings"]) == 4


def test_output_is_the_shorthand_for_one_format(run_cli, tmp_path):
    code, out, _ = run_cli("--format", "json", "--output", tmp_path / "r.json", FAILING)
    assert code == 1 and out == ""
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["errors"] == 4


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "pdf"], "unknown format 'pdf'"),
        (["--engines", "tapcheck,pylint"], "unknown engine 'pylint'"),
        (["--param", "novalue"], "--param needs KEY=VALUE"),
        (["-f", "json:a.json", "--output", "b.json"], "--output needs a --format without a path"),
        (["-f", "json", "-f", "sarif"], "json and sarif would both go to standard output"),
        (["-f", "junitxml", "-f", "console"], "junit and console would both go to standard output"),
        (["--config", "missing.yml"], "config file missing.yml not found"),
    ],
)
def test_usage_errors_exit_2(run_cli, args, message):
    code, out, err = run_cli(*args, CLEAN)
    assert code == 2 and message in err and out == ""


def test_argparse_errors_exit_2():
    process = run_process("--fail-on", "fatal", CLEAN)
    assert process.returncode == 2 and "invalid choice" in process.stderr


def test_fail_on_and_severity(run_cli, tmp_path):
    template = FIXTURES / "suppressions" / "unused.yml"  # only TAP002 warnings
    assert run_cli(template)[0] == 0
    assert run_cli("--fail-on", "warning", template)[0] == 1
    code, out, _ = run_cli("--severity", "error", "--fail-on", "warning", template)
    assert code == 0 and "TAP002" not in out


def test_param_pins_a_scenario(run_cli):
    code, out, _ = run_cli("-f", "json", "--param", "Environment=production", TAGS / "tap101_conditional.yml")
    data = json.loads(out)
    assert data["files"][0]["scenarios"] == 1
    assert {f["resource"] for f in data["findings"] if f["rule_id"] == "TAP101"} == {"ProductionQueue"}
    assert all(f["scenarios"] == [] for f in data["findings"])


def test_stack_name_resolves_aws_stack_name(run_cli, tmp_path):
    template = tmp_path / "t.yml"
    template.write_text(
        "Resources:\n  Q:\n    Type: AWS::EC2::InternetGateway\n    Properties:\n      Tags:\n"
        "        - {Key: project, Value: !Ref AWS::StackName}\n"
        "        - {Key: team-number, Value: '2'}\n        - {Key: Environment, Value: x}\n"
    )
    assert run_cli("--stack-name", "iac-rlhf-amazon", template)[0] == 0
    code, out, _ = run_cli(template)
    assert code == 1 and "tag 'project' is 'tap-stack-production'" in out


def test_config_found_upward_and_named(run_cli, tmp_path):
    (tmp_path / ".tapcheck.yml").write_text("rules:\n  TAP101: {enabled: false}\n")
    nested = tmp_path / "deep"
    nested.mkdir()
    assert run_cli(FAILING, cwd=nested)[0] == 0
    other = tmp_path / "strict.yml"
    other.write_text("tags:\n  stack-tags: [project]\n")
    code, out, _ = run_cli("--config", other, "-q", FAILING, cwd=nested)
    assert code == 1 and "'project'" not in out


def test_bad_config_exits_2(run_cli, tmp_path):
    (tmp_path / ".tapcheck.yml").write_text("fail-on: never\n")
    code, out, err = run_cli(CLEAN)
    assert code == 2 and ".tapcheck.yml: fail-on:" in err and out == ""


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path):
    from tapcheck.checker.findings import Result
    from tapcheck.checker.runner import check_file
    from tapcheck.reports import console

    result = Result([check_file(FAILING)], ["tapcheck"], __version__)
    assert "\x1b[" in console.render(result, color=True)
    assert "\x1b[" not in console.render(result, color=False)
    process = run_process(FAILING, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    assert process.returncode == 1 and "\x1b[" not in process.stdout


def test_version(run_cli, capsys):
    with pytest.raises(SystemExit) as raised:
        run_cli("--version")
    assert raised.value.code == 0 and capsys.readouterr().out.strip() == f"tapcheck {__version__}"


def test_rules_lists_every_rule(run_cli):
    code, out, _ = run_cli("rules")
    assert code == 0
    for rule in ALL_RULES:
        assert rule.id in out and rule.name in out
    code, out, _ = run_cli("rules", "--format", "json")
    assert [r["id"] for r in json.loads(out)] == [r.id for r in ALL_RULES]


def test_explain_prints_the_docs(run_cli):
    code, out, _ = run_cli("explain", "tap102")
    assert code == 0
    for heading in (
        "# TAP102 tag-value-not-allowed",
        "## What it checks",
        "## Why it matters",
        "## How to fix",
        "### Fails",
        "### Passes",
    ):
        assert heading in out
    assert run_cli("explain", "TAP999")[0] == 2


def test_cfn_lints_rules_are_listed_and_explained(run_cli):
    code, out, _ = run_cli("rules", "--engines", "tapcheck,cfn-lint", "--format", "json")
    listed = [rule["id"] for rule in json.loads(out)]
    assert code == 0 and listed[: len(ALL_RULES)] == [rule.id for rule in ALL_RULES]
    assert {"E3012", "W3005", "I3011"} <= set(listed) and len(listed) > len(ALL_RULES) + 200
    code, out, _ = run_cli("rules", "--engines", "cfn-lint")
    assert code == 0 and out.splitlines()[0].split() == ["id", "engine", "severity", "title"]
    assert any(line.split()[:3] == ["E3012", "cfn-lint", "error"] for line in out.splitlines())
    code, out, _ = run_cli("explain", "e3012")
    assert code == 0 and out.startswith("# E3012 Check resource properties values\n")
    assert "cfn-lint rule (severity in tapcheck: error)" in out
    assert "Documentation: https://github.com/aws-cloudformation/cfn-lint/" in out
    code, _, err = run_cli("explain", "E9999")  # the shape of a cfn-lint id, but no such rule
    assert code == 2 and "unknown rule 'E9999'" in err
    assert run_cli("rules", "--engines", "cfn-lint,nope")[0] == 2


def test_every_rule_has_complete_docs():
    for rule in ALL_RULES:
        assert rule.id.startswith("TAP") and rule.name == rule.name.lower()
        assert rule.severity in ("error", "warning", "info")
        for part in (rule.title, rule.what, rule.why, rule.fix, rule.hint, rule.failing, rule.passing):
            assert part.strip()


def test_directory_discovery(run_cli, tmp_path):
    (tmp_path / "stacks" / "nested").mkdir(parents=True)
    (tmp_path / "stacks" / "nested" / "queue.yaml").write_text(FAILING.read_text())
    (tmp_path / "stacks" / "api.template").write_text(CLEAN.read_text())
    (tmp_path / "stacks" / "broken.yml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    (tmp_path / "stacks" / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "stacks" / "package.json").write_text('{"name": "x", "scripts": {"Resources": "y"}}')
    (tmp_path / "stacks" / "policy.json").write_text('{"Statement": [{"Resources": "*"}]}')
    (tmp_path / "stacks" / ".aws-sam").mkdir()
    (tmp_path / "stacks" / ".aws-sam" / "built.yml").write_text(FAILING.read_text())
    code, out, _ = run_cli("-f", "json", "stacks")
    data = json.loads(out)
    assert code == 2  # broken.yml looks like a template and cannot be parsed
    assert [f["path"] for f in data["files"]] == [
        "stacks/api.template",
        "stacks/broken.yml",
        "stacks/nested/queue.yaml",  # sorted by path
    ]


def test_explicit_non_template_is_an_error(run_cli, tmp_path):
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n")
    code, out, _ = run_cli("docker-compose.yml")
    assert code == 2 and "no Resources section" in out


def test_directory_without_templates_is_a_usage_error(run_cli, tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli("empty")
    assert code == 2 and "no CloudFormation templates found in empty" in err

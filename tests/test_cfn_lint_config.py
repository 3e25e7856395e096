"""cfn-lint's own configuration, honoured by the cfn-lint engine as cfn-lint honours it:
a template's `Metadata: {cfn-lint: {config: ...}}` (and a resource's ignore_checks), and the
`.cfnlintrc` files cfn-lint reads (the user's in the home directory, under the project's
in the working directory)."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

import pytest

from tapcheck.checker.config import Config

from conftest import FIXTURES, check

HERE = FIXTURES / "engines" / "cfn_lint_config"
CFN_LINT = Config(engines=("cfn-lint",))


def found(result) -> set[tuple[str, str | None]]:
    return {(f.rule_id, f.resource) for f in result.findings}


def test_ignore_checks_of_the_template_and_of_a_resource_leave_out_only_those_ids():
    result = check(HERE / "ignore_checks.yml", CFN_LINT)
    assert found(result) == {("E3012", "Network"), ("E3002", "Subnet")}  # not W2001, not E3002 on Gateway
    # rules switched off in .tapcheck.yml do not replace the template's list (they did: cfn-lint
    # takes a list given by its caller instead of the template's)
    quieter = check(HERE / "ignore_checks.yml", Config(engines=("cfn-lint",), disabled_rules=frozenset({"E3012"})))
    assert found(quieter) == {("E3002", "Subnet")}


def test_regions_of_the_template_and_of_tapcheck_configuration():
    result = check(HERE / "regions.yml", CFN_LINT)
    (missing,) = result.findings
    assert missing.rule_id == "E3006" and missing.resource == "Site" and "'ap-east-2'" in missing.message
    # regions: in .tapcheck.yml is cfn-lint's --regions, above the template's
    assert check(HERE / "regions.yml", Config(engines=("cfn-lint",), regions=("us-east-1",))).findings == []


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A working directory with plain.yml, and a home directory of its own."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(HERE / "plain.yml", work / "plain.yml")
    return work


def ids(out: str) -> list[str]:
    return [line.split()[2] for line in out.splitlines()]


def test_project_cfnlintrc_in_the_working_directory(run_cli, project):
    code, out, err = run_cli("-q", "--engines", "cfn-lint", "plain.yml", cwd=project)
    assert (code, ids(out), err) == (1, ["E3012", "E3002"], "")
    for name in (".cfnlintrc", ".cfnlintrc.yaml", ".cfnlintrc.yml"):
        (project / name).write_text("ignore_checks:\n  - E3012\n")
        code, out, err = run_cli("-q", "--engines", "cfn-lint", "plain.yml", cwd=project)
        assert (code, ids(out), err) == (1, ["E3002"], ""), name
        (project / name).unlink()


def test_user_cfnlintrc_under_the_project_one_and_the_cache_knows_both(run_cli, project):
    home = project.parent / "home"
    (home / ".cfnlintrc.yml").write_text("ignore_checks: [E3002]\nregions: [us-east-1, ap-east-2]\n")
    code, out, _ = run_cli("-q", "--engines", "cfn-lint", "plain.yml", cwd=project)  # cached from here on
    assert (code, ids(out)) == (1, ["E3012", "E3006"])
    # the project's ignore_checks replace the user's (cfn-lint merges keys, a list is replaced)
    (project / ".cfnlintrc").write_text("ignore_checks: [E3012]\n")
    code, out, _ = run_cli("-q", "--engines", "cfn-lint", "plain.yml", cwd=project)
    assert (code, ids(out)) == (1, ["E3002", "E3006"])
    # above both, the template's own Metadata (regions.yml names its regions)
    shutil.copy(HERE / "regions.yml", project / "regions.yml")
    (project / ".cfnlintrc").write_text("regions: [us-east-1]\n")
    code, out, _ = run_cli("-q", "--engines", "cfn-lint", "regions.yml", cwd=project)
    assert (code, ids(out)) == (1, ["E3006"])


def test_cfnlintrc_settings_tapcheck_does_not_apply_are_named(run_cli, project):
    (project / ".cfnlintrc").write_text("templates: [stacks/*.yml]\nformat: json\ninclude_checks: [I]\n")
    code, out, err = run_cli("-q", "--engines", "cfn-lint", "plain.yml", cwd=project)
    assert code == 1 and ids(out) == ["E3012", "E3002"]
    assert err == (
        f"tapcheck: warning: {project / '.cfnlintrc'}: format, templates not applied: tapcheck chooses files, "
        "parameters and output with its own options and runs cfn-lint's bundled rules and specifications\n"
    )


def test_a_cfnlintrc_cfn_lint_would_refuse_is_an_error_naming_it(run_cli, project):
    (project / ".cfnlintrc").write_text("ignore_checks: [E3012\n")
    code, out, err = run_cli("-q", "plain.yml", cwd=project)
    assert code == 2 and out == ""
    assert err.startswith(f"tapcheck: {project / '.cfnlintrc'}:2: invalid YAML: ")
    (project / ".cfnlintrc").write_text("ignore_check: [E3012]\n")
    code, _, err = run_cli("-q", "plain.yml", cwd=project)
    assert code == 2 and err == (
        f"tapcheck: {project / '.cfnlintrc'}: Invalid configuration key 'ignore_check' in .cfnlintrc at ignore_check\n"
    )
    (project / ".cfnlintrc").write_text("regions: [us-east-1, moon-east-1]\n")
    code, _, err = run_cli("-q", "plain.yml", cwd=project)
    assert (
        code == 2 and err == f"tapcheck: {project / '.cfnlintrc'}: regions: 'moon-east-1' not a region cfn-lint knows\n"
    )
    # a run without the cfn-lint engine does not read it
    code, _, err = run_cli("-q", "--engines", "tapcheck", "plain.yml", cwd=project)
    assert code == 1 and err == ""


def test_the_files_are_found_where_cfn_lint_finds_them(project, monkeypatch):
    from cfnlint.config import ConfigFileArgs

    from tapcheck.checker.config import find_cfn_lint_files

    home = project.parent / "home"
    monkeypatch.chdir(project)
    layouts = [
        (),
        (home / ".cfnlintrc.yml",),
        (home / ".cfnlintrc.yaml", home / ".cfnlintrc.yml", project / ".cfnlintrc.yml"),
        (project / ".cfnlintrc", project / ".cfnlintrc.yaml"),
    ]
    for files in layouts:
        for path in files:
            path.write_text("ignore_checks: [W2001]\n")
        user, project_file = ConfigFileArgs(config_file="/dev/null")._find_config()
        assert find_cfn_lint_files() == tuple(Path(p) for p in (user, project_file) if p), files
        for path in files:
            path.unlink()


def test_include_and_mandatory_checks_of_the_cfnlintrc(run_cli, project):
    for name in ("stateful.yml", "ignore_checks.yml"):
        shutil.copy(HERE / name, project / name)
    run = partial(run_cli, "-q", "--engines", "cfn-lint", cwd=project)
    assert run("stateful.yml")[:2] == (0, "")  # informational rules are cfn-lint's opt-in
    (project / ".cfnlintrc").write_text("include_checks: [I]\n")
    code, out, _ = run("stateful.yml")
    assert code == 0 and ids(out) == ["I3011", "I3011"] and all(": info: " in line for line in out.splitlines())
    # a mandatory check overrides the resource's ignore_checks (the template's W2001 stays ignored)
    assert ids(run("ignore_checks.yml")[1]) == ["E3012", "E3002"]
    (project / ".cfnlintrc").write_text("mandatory_checks: [E3002]\n")
    assert ids(run("ignore_checks.yml")[1]) == ["E3012", "E3002", "E3002"]

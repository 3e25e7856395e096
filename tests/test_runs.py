"""Runs over many files: parallel jobs in a stable order, the result cache, baselines."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tapcheck.checker import forked, runner
from tapcheck.checker.config import Config
from tapcheck.checker.runner import run

from conftest import FIXTURES, REPO, SEED

TEMPLATES = [str(p) for p in sorted((FIXTURES / "tags").glob("*.yml")) + sorted((FIXTURES / "iam").glob("*.yml"))]


def summary(result):
    return [
        (f.path, f.status, [x.to_dict() for x in f.findings], [x.to_dict() for x in f.suppressed]) for f in result.files
    ]


def test_parallel_jobs_give_the_same_results_in_the_same_order():
    one = run(TEMPLATES, Config(), jobs=1)
    two = run(TEMPLATES, Config(), jobs=2)
    assert [f.path for f in two.files] == TEMPLATES
    assert summary(one) == summary(two)


def test_one_file_with_its_rules_in_a_forked_process_gives_the_same_result(monkeypatch):
    forks = []
    monkeypatch.setattr(forked.Forked, "result", record_fork(forks, forked.Forked.result))
    reference = str(REPO / "reference" / "TapStack.yml")
    templates = [*TEMPLATES, reference] + ([str(SEED)] if SEED.is_file() else [])
    inputs = {}
    for template in templates:
        alone = run([template], Config(), jobs=1)
        side_by_side = run([template], Config(), jobs=2)
        assert summary(side_by_side) == summary(alone)
        # the handler files the rules read in the child reach the result cache's key
        assert side_by_side.files[0].inputs == alone.files[0].inputs
        inputs[template] = side_by_side.files[0].inputs
    assert any(name.endswith("handlers/processing.py") for name in inputs[reference])
    assert len(forks) == len(templates)
    assert not forks.count(False), "a child failed and the rules were run again in the parent"


def record_fork(forks, result):
    """`Forked.result` that records whether the child delivered (no rerun in the parent)."""

    def recorded(self):
        rerun = []
        original = self.function
        self.function = lambda *args: rerun.append(True) or original(*args)
        value = result(self)
        forks.append(not rerun)
        return value

    return recorded


def test_cached_rerun_reads_results_instead_of_checking(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = run(TEMPLATES, Config(), use_cache=True)

    def fail(*args, **kwargs):
        raise AssertionError("checked again although nothing changed")

    monkeypatch.setattr(runner, "check_candidate", fail)
    again = run(TEMPLATES, Config(), use_cache=True)
    assert summary(first) == summary(again)
    with pytest.raises(AssertionError, match="checked again"):
        run(TEMPLATES, Config(disabled_rules=frozenset({"TAP101"})), use_cache=True)  # other config: other key


def test_a_command_line_run_answered_from_the_cache_imports_no_cfn_lint(tmp_path):
    """cfn-lint's import is most of a cold start (see bench/RESULTS.md); a hit must not pay it."""
    program = (
        "import sys\n"
        "from tapcheck.checker.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print('imported:', sorted({m.split('.')[0] for m in sys.modules} & {'cfnlint', 'boto3', 'botocore'}))\n"
    )
    command = [sys.executable, "-c", program, "-q", str(FIXTURES / "cli" / "compliant.yml")]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    first, second = (subprocess.run(command, env=env, capture_output=True, text=True, timeout=120) for _ in "12")
    assert first.returncode == 0 and "imported: ['cfnlint'" in first.stdout, first.stdout + first.stderr
    assert second.returncode == 0 and "imported: []" in second.stdout, second.stdout + second.stderr


def test_cache_notices_a_changed_file(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    template = tmp_path / "t.yml"
    shutil.copy(FIXTURES / "cli" / "compliant.yml", template)
    assert run([str(template)], Config(), use_cache=True).findings == []
    shutil.copy(FIXTURES / "cli" / "failing.yml", template)
    assert len(run([str(template)], Config(), use_cache=True).findings) == 4


def test_baseline_fails_only_on_new_findings(run_cli, tmp_path):
    template = tmp_path / "t.yml"
    original = (FIXTURES / "cli" / "failing.yml").read_text()
    template.write_text(original)
    baseline = tmp_path / "baseline.json"
    code, _, _ = run_cli("-q", "--write-baseline", baseline, template)
    assert code == 1 and len(json.loads(baseline.read_text())["findings"]) == 4

    # unchanged, with unrelated lines added above: nothing new
    template.write_text(original.replace("Resources:\n", "Description: later\nResources:\n"))
    code, out, _ = run_cli("--baseline", baseline, template)
    assert code == 0 and "baseline: 4 known, 0 fixed since" in out

    # one fixed (the EIP gets its tags), one new (a second untagged EIP)
    fixed = original.replace(
        "    Properties:\n      Domain: vpc\n",
        "    Properties:\n      Domain: vpc\n      Tags:\n        - {Key: project, Value: iac-rlhf-amazon}\n"
        "        - {Key: team-number, Value: '2'}\n        - {Key: Environment, Value: !Ref Environment}\n"
        "  Second:\n    Type: AWS::EC2::EIP\n",
    )
    template.write_text(fixed)
    code, out, _ = run_cli("-f", "json", "--baseline", baseline, template)
    data = json.loads(out)
    assert code == 1
    assert [f["resource"] for f in data["findings"]] == ["Second"]
    assert data["baseline"]["known"] == 3
    assert [e["resource"] for e in data["baseline"]["fixed"]] == ["Address"]


def test_bad_baseline_is_a_usage_error(run_cli, tmp_path):
    bad = tmp_path / "baseline.json"
    bad.write_text("{not json")
    code, _, err = run_cli("--baseline", bad, FIXTURES / "cli" / "compliant.yml")
    assert code == 2 and "is not JSON" in err
    bad.write_text('{"findings": 3}')
    code, _, err = run_cli("--baseline", bad, FIXTURES / "cli" / "compliant.yml")
    assert code == 2 and "not a tapcheck baseline" in err


def test_the_cache_key_covers_every_subpackage(tmp_path):
    """An edit anywhere in tapcheck's code, however deep, is never answered from the cache."""
    from tapcheck.checker import caches

    files = {str(p.relative_to(REPO)) for p in caches.own_files(REPO)}
    assert {"checker/model/template.py", "checker/aws/resource_schemas.py", "rules/monitoring.yml"} <= files
    assert not any(f.startswith(("tests/", ".venv/", "build/")) for f in files)

    package = tmp_path / "tapcheck"
    module = package / "checker" / "model" / "deep.py"
    for folder in (package, package / "checker", module.parent):
        folder.mkdir(exist_ok=True)
        (folder / "__init__.py").write_text("")
    module.write_text("A = 1\n")
    before = caches.own_code_identity(package)
    module.write_text("A = 22\n")
    caches.own_code_identity.cache_clear()
    assert caches.own_code_identity(package) != before

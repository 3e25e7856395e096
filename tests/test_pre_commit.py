"""The pre-commit hook: a valid manifest, and the hook's command on what pre-commit
passes it (templates and other YAML alike). The full `pre-commit try-repo` run
installs tapcheck from PyPI's packages, so it needs the network: it runs only with
TAPCHECK_NETWORK_TESTS=1."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
import yaml

from tapcheck import __version__

from conftest import FIXTURES, REPO, run_process

MANIFEST = REPO / ".pre-commit-hooks.yaml"


def hook() -> dict:
    (entry,) = yaml.safe_load(MANIFEST.read_text())
    return entry


def test_manifest_is_valid():
    process = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)], capture_output=True, text=True
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert hook()["id"] == "tapcheck" and hook()["language"] == "python"


@pytest.fixture
def staged(tmp_path):
    shutil.copy(FIXTURES / "cli" / "compliant.yml", tmp_path / "good.yml")
    shutil.copy(FIXTURES / "cli" / "failing.yml", tmp_path / "bad.yml")
    (tmp_path / "compose.yml").write_text("services:\n  web: {image: nginx}\n")
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    return tmp_path


def run_hook(cwd, *files):
    command, *options = shlex.split(hook()["entry"])
    assert command == "tapcheck"
    return run_process(*options, *files, cwd=cwd)


def test_hook_passes_compliant_templates_and_ignores_other_yaml(staged):
    process = run_hook(staged, "good.yml", "compose.yml", ".pre-commit-config.yaml")
    assert process.returncode == 0 and process.stdout == "" and process.stderr == ""


def test_hook_fails_on_a_non_compliant_template(staged):
    process = run_hook(staged, "good.yml", "bad.yml", "compose.yml")
    assert process.returncode == 1
    assert "bad.yml:14:3: error: TAP101" in process.stdout and "good.yml" not in process.stdout


network = pytest.mark.skipif(
    os.environ.get("TAPCHECK_NETWORK_TESTS") != "1", reason="installs from PyPI: TAPCHECK_NETWORK_TESTS=1"
)


@network
def test_pre_commit_try_repo(staged):
    subprocess.run(["git", "init", "-q"], cwd=staged, check=True)
    subprocess.run(["git", "add", "."], cwd=staged, check=True)

    def try_repo(*files):
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "tapcheck", "--files", *files],
            cwd=staged,
            capture_output=True,
            text=True,
            timeout=900,
        )

    passing = try_repo("good.yml", "compose.yml")
    assert passing.returncode == 0, passing.stdout
    failing = try_repo("good.yml", "bad.yml")
    assert failing.returncode == 1 and "bad.yml:14:3: error: TAP101" in failing.stdout


@network
def test_the_readme_snippet_runs_the_hook_at_its_rev(staged, tmp_path):
    """The README's .pre-commit-config.yaml, its repo a clone of this checkout tagged as a
    release is (`git tag v<version>`), run twice: pre-commit resolves the rev and installs the
    hook once."""
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "clone", "-q", str(REPO), str(clone)], check=True)
    subprocess.run([*git, "-C", str(clone), "tag", f"v{__version__}"], check=True)
    (snippet,) = re.findall(r"```yaml\n(repos:.+?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    config = yaml.safe_load(snippet)
    config["repos"][0]["repo"] = str(clone)
    (staged / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    subprocess.run(["git", "init", "-q"], cwd=staged, check=True)
    subprocess.run(["git", "add", "."], cwd=staged, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    for _ in "12":
        done = subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--files", "good.yml", "bad.yml"],
            cwd=staged,
            capture_output=True,
            text=True,
            timeout=900,
            env=env,
        )
        assert done.returncode == 1 and "bad.yml:14:3: error: TAP101" in done.stdout, done.stdout

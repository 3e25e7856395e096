"""Shared helpers: fixture paths, checking a file or text, running the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tapcheck.checker.cli import main
from tapcheck.checker.config import Config
from tapcheck.checker.runner import check_file

# Caches (results, the IAM index) go to a directory of this test session, never the user's.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="tapcheck-tests-cache-")

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "TapStack.seed.yml"
CORPUS = SHARED / "corpus"

needs_shared = pytest.mark.skipif(not SEED.is_file(), reason="../shared (seed and corpus) is not beside this checkout")


def check(path: Path | str, config: Config | None = None):
    result = check_file(path, config)
    assert result.status == "checked", result.error
    return result


def findings(path: Path | str, rule_id: str | None = None, config: Config | None = None):
    found = check(path, config).findings
    return [f for f in found if rule_id is None or f.rule_id == rule_id]


def check_text(tmp_path: Path, text: str, config: Config | None = None, name: str = "template.yml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return check_file(path, config)


@pytest.fixture
def run_cli(capsys, monkeypatch, tmp_path):
    """Run `tapcheck ARGS` in-process from an empty directory; (exit code, stdout, stderr)."""

    def run(*args: str, cwd: Path | None = None):
        monkeypatch.chdir(cwd or tmp_path)
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_process(*args: str, cwd: Path | None = None, env: dict | None = None):
    """Run tapcheck as a separate process, as a user or pre-commit would."""
    return subprocess.run(
        [sys.executable, "-m", "tapcheck.checker.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,  # a guard against hangs: the whole corpus takes ~40 s alone, 2 min+ on a busy machine
    )


def imported_by(code: str, *argv: str) -> set[str]:
    """The modules a fresh interpreter has imported once `code` has run (`argv` as its arguments)."""
    program = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", program, *argv], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def under(modules: set[str], *packages: str) -> list[str]:
    """The modules that are one of `packages` or inside one."""
    return sorted(m for m in modules if m in packages or m.startswith(tuple(p + "." for p in packages)))

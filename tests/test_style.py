"""The code is ruff clean (lint and format), as DESIGN.md's conventions ask."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import REPO

ruff = shutil.which("ruff")


@pytest.mark.skipif(ruff is None, reason="ruff is not installed (it is in the test extras)")
@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_clean(command):
    process = subprocess.run([ruff, *command, "."], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stdout + process.stderr

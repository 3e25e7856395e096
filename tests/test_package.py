"""Packaging: the wheel installs everything under the `tapcheck` namespace (no generic
top-level `rules` or `checker`), with its data files, and both a normal and an
editable install import from the right place."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from tapcheck import __version__

from conftest import FIXTURES, REPO


def build(kind: str, out) -> zipfile.ZipFile:
    """Build a wheel of this checkout without network access (no build isolation)."""
    code = f"from setuptools import build_meta; print(build_meta.build_{kind}({str(out)!r}))"
    process = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stderr[-2000:]
    return zipfile.ZipFile(out / process.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build("wheel", tmp_path_factory.mktemp("wheel"))


def test_wheel_has_one_namespace_and_its_data(wheel):
    names = wheel.namelist()
    assert {name.split("/")[0] for name in names} == {"tapcheck", f"tapcheck-{__version__}.dist-info"}
    for required in (
        "tapcheck/__init__.py",
        "tapcheck/checker/cli.py",
        "tapcheck/checker/config_schema.json",
        "tapcheck/rules/tags.py",
        "tapcheck/reports/console.py",
        "tapcheck/reference/TapStack.yml",
        "tapcheck/reference/handlers/processing.py",
        "tapcheck/checker/code_analysis/sdk_actions.yml",
        "tapcheck/rules/runtime_permissions.yml",
        "tapcheck/checker/aws/aws_managed_policies.json.gz",
    ):
        assert required in names
    assert not any(name.startswith("tapcheck/tests") for name in names)
    entry_points = wheel.read(f"tapcheck-{__version__}.dist-info/entry_points.txt").decode()
    assert "tapcheck = tapcheck.checker.cli:main" in entry_points


def test_installed_wheel_runs(wheel, tmp_path):
    site = tmp_path / "site"
    wheel.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = "import tapcheck, sys; print(tapcheck.__file__); from tapcheck.checker.cli import main; sys.exit(main(sys.argv[1:]))"
    process = subprocess.run(
        [sys.executable, "-c", code, "-q", FIXTURES / "tags" / "tap101_fail.yml"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert process.stdout.splitlines()[0] == str(site / "tapcheck" / "__init__.py")
    assert process.returncode == 1 and "TAP101" in process.stdout


def test_editable_install_maps_the_namespace_to_the_checkout(tmp_path):
    editable = build("editable", tmp_path)
    site = tmp_path / "site"
    editable.extractall(site)
    code = (
        f"import site, importlib.util as u; site.addsitedir({str(site)!r});"
        "print(u.find_spec('tapcheck.rules').origin); print(u.find_spec('tapcheck.checker').origin);"
        "print(u.find_spec('rules'), u.find_spec('checker'), u.find_spec('reports'))"
    )
    # -S: without this environment's own install of tapcheck in the way
    process = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert process.returncode == 0, process.stderr
    rules, checker, generic = process.stdout.splitlines()
    assert rules == str(REPO / "rules" / "__init__.py")
    assert checker == str(REPO / "checker" / "__init__.py")
    assert generic == "None None None"

"""A pack shared as a Python package: built into a wheel here, installed into a
virtualenv of its own (no network), found through its `tapcheck.policy_packs` entry
point and applied by the tapcheck run in that virtualenv."""

from __future__ import annotations

import json
import site
import subprocess
import sys
import venv
from pathlib import Path
from textwrap import dedent

SETUP_CFG = """\
[metadata]
name = acme-tapcheck-policies
version = 1.0

[options]
packages = acme_policies

[options.package_data]
acme_policies = *.yml

[options.entry_points]
tapcheck.policy_packs =
    acme = acme_policies
"""

PACK = """\
policies:
  - id: ACME100
    name: queue-retention-set
    title: Queues say how long they keep messages
    severity: warning
    area: messaging
    what: An SQS queue without `MessageRetentionPeriod`.
    why: The default of four days is shorter than a long weekend plus a holiday.
    fix: Set `MessageRetentionPeriod` (seconds).
    resources: AWS::SQS::Queue
    assert: {path: Properties.MessageRetentionPeriod, exists: true}
    failing: |
      Queue: {Type: AWS::SQS::Queue}
    passing: |
      Queue: {Type: AWS::SQS::Queue, Properties: {MessageRetentionPeriod: 1209600}}
"""


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, check=False, **kwargs)


def test_installed_pack_is_found_and_applied(tmp_path):
    source = tmp_path / "source"
    (source / "acme_policies").mkdir(parents=True)
    (source / "setup.cfg").write_text(SETUP_CFG, encoding="utf-8")
    (source / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=68", "wheel"]\nbuild-backend = "setuptools.build_meta"\n',
        encoding="utf-8",
    )
    (source / "acme_policies" / "__init__.py").write_text('"""ACME\'s tapcheck policies."""\n', encoding="utf-8")
    (source / "acme_policies" / "queues.yml").write_text(PACK, encoding="utf-8")
    wheels = tmp_path / "wheels"
    built = run(
        sys.executable, "-m", "pip", "wheel", "--no-index", "--no-build-isolation", "--no-deps",
        "-w", str(wheels), str(source),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("acme_tapcheck_policies-1.0-*.whl")

    # its own virtualenv: the pack installed there only; tapcheck and its dependencies
    # from this test's environment, added as a site directory
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    own_site = Path(run(str(python), "-c", "import site; print(site.getsitepackages()[0])").stdout.strip())
    outer = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (own_site / "outer.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in outer), encoding="utf-8"
    )
    installed = run(
        sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--no-deps", str(wheel)
    )
    assert installed.returncode == 0, installed.stderr

    template = tmp_path / "queue.yml"
    template.write_text(dedent("Resources:\n  Orders:\n    Type: AWS::SQS::Queue\n"), encoding="utf-8")
    checked = run(
        str(python), "-m", "tapcheck.checker.cli", "--no-cache", "--engines", "tapcheck", "--select", "ACME", "-f", "json", str(template),
        cwd=tmp_path,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr  # a warning does not fail the run
    found = [f for f in json.loads(checked.stdout)["findings"] if f["rule_id"] == "ACME100"]
    assert [(f["resource"], f["message"]) for f in found] == [
        ("Orders", "AWS::SQS::Queue Properties.MessageRetentionPeriod is not set")
    ]
    listed = run(str(python), "-m", "tapcheck.checker.cli", "explain", "ACME100", cwd=tmp_path)
    assert "Policy from acme (installed package acme-tapcheck-policies)" in listed.stdout
    tested = run(str(python), "-m", "tapcheck.checker.cli", "policies", "test", cwd=tmp_path)
    assert tested.returncode == 0 and "ok   ACME100 queue-retention-set" in tested.stdout

    # this environment does not have it: the entry point is what brings it
    assert "ACME100" not in run(sys.executable, "-m", "tapcheck.checker.cli", "rules", cwd=tmp_path).stdout

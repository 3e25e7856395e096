"""Baselines: record today's findings, then fail only on new ones.

`--write-baseline FILE` stores each finding's fingerprint (which does not change when
unrelated lines move); `--baseline FILE` sets the findings it knows aside and lists
the entries no finding matches any more.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from .findings import Result

BASELINE_VERSION = 1


class BaselineError(Exception):
    pass


def write_baseline(result: Result, path: Path) -> int:
    """Record the findings of `result` in `path`; how many it recorded."""
    entries = [
        {
            "fingerprint": f.fingerprint(),
            "rule_id": f.rule_id,
            "file": f.file,
            "resource": f.resource,
            "message": f.message,
        }
        for f in result.findings
    ]
    data = {
        "tool": "tapcheck",
        "version": BASELINE_VERSION,
        "findings": sorted(entries, key=lambda e: e["fingerprint"]),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as err:
        raise BaselineError(f"cannot write baseline {path}: {err.strerror or err}") from None
    return len(entries)


def read_baseline(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise BaselineError(f"cannot read baseline {path}: {err.strerror or err}") from None
    except ValueError as err:
        raise BaselineError(f"baseline {path} is not JSON: {err}") from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if (
        data.get("tool") != "tapcheck"
        or not isinstance(entries, list)
        or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries)
    ):
        raise BaselineError(f"baseline {path} is not a tapcheck baseline (write one with --write-baseline)")
    return entries


def apply_baseline(result: Result, entries: list[dict]) -> Result:
    known = {e["fingerprint"]: e for e in entries}
    seen = set()
    files, baselined = [], []
    for file_result in result.files:
        new = []
        for finding in file_result.findings:
            fingerprint = finding.fingerprint()
            if fingerprint in known:
                seen.add(fingerprint)
                baselined.append(finding)
            else:
                new.append(finding)
        files.append(replace(file_result, findings=new))
    checked = {f.path for f in result.files}
    fixed = [e for fp, e in known.items() if fp not in seen and e.get("file") in checked]
    return replace(result, files=files, baselined=baselined, fixed=fixed)

"""`--format json`: the machine-readable report other tools and CI read."""

from __future__ import annotations

import json

from tapcheck.checker.findings import Result


def report_data(result: Result) -> dict:
    return {
        "tool": {"name": "tapcheck", "version": result.version},
        "engines": result.engines,
        "files": [
            {"path": f.path, "status": f.status, "scenarios": f.scenarios, "notes": f.notes} for f in result.files
        ],
        "findings": [f.to_dict() for f in result.findings],
        "suppressed": [f.to_dict() for f in result.suppressed],
        "errors": [e.to_dict() for e in result.errors],
        "baseline": {"known": len(result.baselined), "fixed": result.fixed},
        "summary": {
            "errors": result.count("error"),
            "warnings": result.count("warning"),
            "info": result.count("info"),
            "suppressed": len(result.suppressed),
            "files": len(result.files),
        },
    }


def render(result: Result, *, color: bool = False, quiet: bool = False) -> str:
    return json.dumps(report_data(result), indent=2) + "\n"

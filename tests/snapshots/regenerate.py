"""Write the snapshots: what tapcheck reports on the seed, the reference stack and every
template of the shared corpus, one line per finding, so that a change in what the rules
say shows up as a reviewable diff (`tests/test_snapshots.py` fails until they are
regenerated).

    python tests/snapshots/regenerate.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from tapcheck.checker.config import Config
from tapcheck.checker.findings import Finding, Result
from tapcheck.checker.runner import run

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"

SNAPSHOTS = {
    # name: (what is checked, engines); the corpus with tapcheck's rules only (cfn-lint's
    # findings are cfn-lint's to keep, and the suite stays quick)
    "seed": (SHARED / "seed" / "TapStack.seed.yml", ("tapcheck", "cfn-lint")),
    "reference": (REPO / "reference" / "TapStack.yml", ("tapcheck", "cfn-lint")),
    "corpus": (SHARED / "corpus", ("tapcheck",)),
}


def describe(finding: Finding, suppressed: bool = False) -> str:
    where = f"{finding.line}:{finding.column}"
    text = f"{where} {finding.severity} {finding.rule_id} {finding.resource or '-'} {finding.path or '-'}: {finding.message}"
    if finding.scenarios:
        text += f"  [{' | '.join(finding.scenarios)}]"
    if suppressed:
        text += f"  (suppressed: {finding.reason})"
    return text


def snapshot(result: Result, root: Path) -> dict[str, list[str]]:
    """File (relative to `root`) -> one line per finding, error and note."""
    files: dict[str, list[str]] = {}
    for file_result in result.files:
        path = Path(file_result.path)
        name = path.name if path == root else str(path.relative_to(root))
        lines = [describe(f) for f in file_result.findings]
        lines += [describe(f, suppressed=True) for f in file_result.suppressed]
        if file_result.error is not None:
            lines.append(f"cannot be checked: {file_result.error.line}: {file_result.error.message}")
        lines += [f"note: {note}" for note in file_result.notes]
        files[name] = lines
    return dict(sorted(files.items()))


def take(name: str) -> dict[str, list[str]]:
    target, engines = SNAPSHOTS[name]
    result = run([str(target)], Config(engines=engines), jobs=os.cpu_count() or 1)
    return snapshot(result, target if target.is_dir() else target)


def path_of(name: str) -> Path:
    return HERE / f"{name}.json"


def render(data: dict[str, list[str]]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    if not SHARED.is_dir():
        print(f"{SHARED} is not beside this checkout", file=sys.stderr)
        return 2
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="tapcheck-snapshots-"))
    for name in SNAPSHOTS:
        path_of(name).write_text(render(take(name)), encoding="utf-8")
        print(f"wrote {path_of(name).relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

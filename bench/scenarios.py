"""Scenarios: how many each corpus file is checked in, and what tapcheck's own rules cost.

    python bench/scenarios.py --before DIR [--runs 3] [--output bench/SCENARIOS.md]

For every template of the shared corpus, a child process per variant loads it and runs
`check_template` with tapcheck's rules only (loops expanded, scenarios built, every rule
in every scenario, findings merged): the time of loading and of checking are taken
apart, the best of --runs rounds (the rounds alternate the variants, so a busy spell of
a shared machine slows both alike). With `--before DIR` (a checkout of an older commit,
e.g. `git worktree add --detach /tmp/before COMMIT`) the same runs use that checkout's
code, side by side. Reports the scenarios per file, the own-rule time, the findings and
the longest scenario label (what a finding's "only ..." says) of each variant.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from startup import environment

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"

CHILD = """\
import json, sys, time
from dataclasses import replace
from pathlib import Path
from tapcheck.checker.config import Config
from tapcheck.checker.model.loader import load_template
from tapcheck.checker.runner import check_template

# paid once, before any file is timed: cfn-lint's template (its Fn::ForEach expansion, for
# the first template with a loop; the older loader imported it anyway), the IAM index and,
# where the code has them, the AWS managed policies' documents
import cfnlint.template
from tapcheck.checker.aws.iam_data import iam_data
iam_data()
try:
    from tapcheck.checker.aws.managed_policies import managed_policy_data
    managed_policy_data()
except ImportError:
    pass

config = replace(Config(), engines=("tapcheck",))
measured = {}
for name in json.loads(sys.stdin.read()):
    start = time.perf_counter()
    template = load_template(Path(name), name, skip_non_templates=True)
    loaded = time.perf_counter()
    if not hasattr(template, "resources"):
        continue  # not a template, or one that cannot be checked (the same in both variants)
    try:
        result = check_template(template, config)
    except Exception as err:
        measured[name] = {"error": f"{type(err).__name__}: {err}"}
        continue
    labels = [", ".join(finding.scenarios) for finding in result.findings]
    measured[name] = {
        "load": loaded - start,
        "check": time.perf_counter() - loaded,
        "scenarios": result.scenarios,
        "findings": len(result.findings),
        "longest_label": max(map(len, labels), default=0),
        "notes": len(result.notes),
    }
print(json.dumps(measured))
"""


def run_variant(files: list[str], env: dict[str, str]) -> dict[str, dict]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], input=json.dumps(files), capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        sys.exit(f"a run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def summary(rounds: list[dict[str, dict]]) -> dict:
    """Per variant: totals over the files, each file's time the best of its rounds."""
    first = rounds[0]
    checked = [name for name, entry in first.items() if "error" not in entry]
    best = {name: min(r[name]["check"] for r in rounds) for name in checked}
    load = {name: min(r[name]["load"] for r in rounds) for name in checked}
    counts = [first[name]["scenarios"] for name in checked]
    longest = max(checked, key=lambda name: first[name]["longest_label"])
    return {
        "files": len(checked),
        "crashed": sorted(name for name, entry in first.items() if "error" in entry),
        "scenarios": sum(counts),
        "median scenarios": statistics.median(counts),
        "most scenarios": max(counts),
        "files with one scenario": sum(1 for c in counts if c == 1),
        "check s": sum(best.values()),
        "load s": sum(load.values()),
        "findings": sum(first[name]["findings"] for name in checked),
        "longest label": first[longest]["longest_label"],
        "longest label file": Path(longest).name,
        "per file": {name: (first[name]["scenarios"], best[name]) for name in checked},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="an older checkout to measure side by side")
    parser.add_argument("--output", type=Path, default=HERE / "SCENARIOS.md")
    args = parser.parse_args()
    files = sorted(glob.glob(str(CORPUS / "*")))
    files = [f for f in files if f.endswith((".yaml", ".yml", ".json", ".template"))]
    with tempfile.TemporaryDirectory() as links:
        variants = {"now": environment(None, Path(links))}
        if args.before:
            variants = {"before": environment(args.before, Path(links)), **variants}
        rounds: dict[str, list] = {variant: [] for variant in variants}
        for _ in range(args.runs):
            for variant, env in variants.items():
                rounds[variant].append(run_variant(files, env))
    results = {variant: summary(found) for variant, found in rounds.items()}
    rows = [k for k in results["now"] if k != "per file"]
    lines = [
        "# Scenarios on the shared corpus",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}. "
        f"`python bench/scenarios.py{' --before DIR' if args.before else ''} --runs {args.runs}`: tapcheck's rules "
        "only, in-process, each file's time the best of the rounds.",
        "",
        "| | " + " | ".join(variants) + " |",
        "|---|" + "---:|" * len(variants),
    ]
    for row in rows:
        cells = [results[v][row] for v in variants]
        shown = [
            f"{c:.2f}" if isinstance(c, float) else (", ".join(c) or "none") if isinstance(c, list) else str(c)
            for c in cells
        ]
        lines.append(f"| {row} | " + " | ".join(shown) + " |")
    if "before" in results:
        ratio = results["now"]["check s"] / results["before"]["check s"]
        lines += ["", f"Own-rule time now / before: {ratio:.2f}× (limit 1.5×)."]
        before, now = results["before"]["per file"], results["now"]["per file"]
        grown = sorted(set(before) & set(now), key=lambda n: now[n][1] - before[n][1], reverse=True)[:8]
        lines += ["", "Files whose own-rule time grew the most (scenarios and seconds, before → now):", ""]
        lines += [
            f"- {Path(n).name}: {before[n][0]} → {now[n][0]} scenarios, {before[n][1]:.3f} → {now[n][1]:.3f} s"
            for n in grown
        ]
    text = "\n".join(lines) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`tapcheck fix --write`: what it costs per file and how many checks it runs, before and after a change.

    python bench/fix.py --before DIR [--runs 1] [--output bench/FIX.md]

Copies the seed template and every template of the shared corpus into a temporary folder
for each variant (this checkout's code, and with `--before DIR` the code of another
checkout, e.g. `git worktree add --detach /tmp/fixbefore main`: a `tapcheck` link to it
goes first on PYTHONPATH, as in bench/startup.py). Each variant fixes each set in one child
process that calls `tapcheck fix --write FILE` once per file and counts the calls of the
check function that fix uses (`check_template`), split into full checks (with cfn-lint) and
checks of tapcheck's own rules alone; the process's wall time is measured from outside.
Then the texts written by the two variants are compared file by file, and so are the
lines `tapcheck fix` prints about each file: a change that only saves checks leaves both
identical. With --runs N each variant's child runs N times, in turn, and the median wall
time counts. Writes the tables to --output.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from startup import environment

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
SEED = SHARED / "seed" / "TapStack.seed.yml"
CORPUS = SHARED / "corpus"
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")


def sets() -> dict[str, list[Path]]:
    corpus = sorted(p for p in CORPUS.iterdir() if p.suffix in TEMPLATE_SUFFIXES)
    return {"seed": [SEED], "corpus": corpus}


def child(report: Path, files: list[Path]) -> None:
    """In the child process: fix each file with the CLI and count the checks it runs."""
    from tapcheck.checker import cli
    from tapcheck.checker.fixing import fixes

    checked = fixes.check_template
    calls: Counter = Counter()

    def counting(template, config, *args, **kwargs):
        calls["full" if "cfn-lint" in config.engines else "own"] += 1
        return checked(template, config, *args, **kwargs)

    fixes.check_template = counting
    results = {"module": fixes.__file__, "files": {}}
    for path in files:
        calls.clear()
        said = io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stderr(said), contextlib.redirect_stdout(said):
            code = cli.main(["fix", "--write", str(path)])
        results["files"][path.name] = {
            "seconds": time.perf_counter() - start,
            "code": code,
            "full": calls["full"],
            "own": calls["own"],
            "said": said.getvalue().replace(str(path.parent), "DIR"),
        }
    report.write_text(json.dumps(results), encoding="utf-8")


def run_variant(name: str, env: dict, folder: Path, files: list[Path], runs: int) -> dict:
    """Fix fresh copies of `files` `runs` times; the last run's results and the median wall time."""
    walls = []
    for _ in range(runs):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        copies = []
        for source in files:
            shutil.copyfile(source, folder / source.name)  # writable, whatever the source's mode
            copies.append(folder / source.name)
        report = folder.parent / f"{folder.name}.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--child", str(report), *map(str, copies)]
        start = time.perf_counter()
        # one hash seed for both codes: cfn-lint writes sets into some messages, in hash order
        subprocess.run(command, env=dict(env, PYTHONHASHSEED="0"), cwd=folder, check=True)
        walls.append(time.perf_counter() - start)
    results = json.loads(report.read_text(encoding="utf-8"))
    results["wall"] = statistics.median(walls)
    results["texts"] = {path.name: path.read_text(encoding="utf-8") for path in copies}
    print(f"{name}: {len(files)} file(s) in {results['wall']:.1f} s ({results['module']})", file=sys.stderr)
    return results


def summary(results: dict) -> dict:
    files = results["files"].values()
    full = [f["full"] for f in files]
    return {
        "wall": results["wall"],
        "fixing": sum(f["seconds"] for f in files),
        "full": sum(full),
        "own": sum(f["own"] for f in files),
        "max_full": max(full),
        "spread": Counter(full),
        "files": len(full),
    }


def compare(before: dict, after: dict) -> tuple[list[str], list[str]]:
    """The files whose written text differs, and those whose printed lines differ."""
    texts = [name for name in after["texts"] if before["texts"][name] != after["texts"][name]]
    said = [name for name in after["files"] if before["files"][name]["said"] != after["files"][name]["said"]]
    return texts, said


def first_difference(reports: dict[str, dict[str, str]], name: str) -> list[tuple[str, str]]:
    """The first line in which the two reports on a file differ, as each has it."""
    before, after = (reports[variant][name].splitlines() for variant in ("before", "after"))
    index = next((i for i, (old, new) in enumerate(zip(before, after, strict=False)) if old != new), None)
    if index is None:  # one ends where the other goes on
        index = min(len(before), len(after))
    return [
        (side, lines[index].strip() if index < len(lines) else "(end)")
        for side, lines in (("before", before), ("after", after))
    ]


def table(rows: dict[str, dict]) -> list[str]:
    lines = [
        "| set | files | code | wall time (s) | fixing (s) | full checks | own-rules checks | full checks per file |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for (set_name, variant), s in rows.items():
        spread = ", ".join(f"{count}: {n}" for count, n in sorted(s["spread"].items()))
        lines.append(
            f"| {set_name} | {s['files']} | {variant} | {s['wall']:.1f} | {s['fixing']:.1f} | {s['full']} "
            f"| {s['own']} | {s['full'] / s['files']:.2f} (max {s['max_full']}; checks: files = {spread}) |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, metavar="DIR", help="a checkout of the code to compare with")
    parser.add_argument("--runs", type=int, default=1, help="runs of each child; the median wall time counts")
    parser.add_argument("--only", choices=("seed", "corpus"), help="measure one set only")
    parser.add_argument("--output", type=Path, default=HERE / "FIX.md")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.child:
        child(args.child, [Path(p) for p in rest])
        return 0
    if not SEED.is_file():
        parser.error(f"needs the shared seed and corpus at {SHARED}")
    with tempfile.TemporaryDirectory(prefix="tapcheck-fix-bench-") as scratch:
        root = Path(scratch)
        variants = {"after": environment(None, root)}
        if args.before:
            variants = {"before": environment(args.before, root), **variants}
        rows, differences, reports = {}, {}, {}
        for set_name, files in sets().items():
            if args.only and set_name != args.only:
                continue
            results = {}
            for variant, env in variants.items():
                results[variant] = run_variant(
                    f"{set_name}/{variant}", env, root / variant / set_name, files, args.runs
                )
                rows[set_name, variant] = summary(results[variant])
            if args.before:
                differences[set_name] = compare(results["before"], results["after"])
                reports[set_name] = {v: {n: f["said"] for n, f in r["files"].items()} for v, r in results.items()}
    lines = [
        "# `tapcheck fix --write`: time and checks per file",
        "",
        f"Measured by `python bench/fix.py{' --before DIR' if args.before else ''} --runs {args.runs}` "
        f"on {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, one child process per set and code, cold (no result cache is used by fix).",
        "Wall time is the child process's, imports included; fixing is the sum of the per-file",
        "`tapcheck fix --write` calls inside it. A full check runs tapcheck's rules and cfn-lint; an",
        "own-rules check runs tapcheck's rules alone (the trial of TAP401's suffix parameter).",
        "",
        *table(rows),
    ]
    if args.before:
        lines += [
            "",
            "| set | files whose written text differs | files whose printed report differs |",
            "| --- | ---: | ---: |",
        ]
        for set_name, (texts, said) in differences.items():
            lines.append(f"| {set_name} | {len(texts)} | {len(said)} |")
        for set_name, (texts, said) in differences.items():
            for name in sorted(set(texts) | set(said)):
                lines.append(f"- {set_name}: {name} differs ({'text' if name in texts else 'report'})")
                if name in said:
                    lines += [f"  - {side}: `{line}`" for side, line in first_difference(reports[set_name], name)]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(args.output.read_text(encoding="utf-8"))
    return 1 if any(t or s for t, s in differences.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark tapcheck against cfn-lint and checkov in one run.

    python bench/run.py [--runs 5] [--checkov PATH] [--output bench/RESULTS.md]

Measures whole-process wall time (median of --runs rounds after a warm-up round, every
command in turn in each round) and peak memory of `tapcheck --engines tapcheck`,
`tapcheck` (default engines), `cfn-lint`, and `checkov --framework cloudformation
--skip-download` (when installed), on the seed template, the reference stack (with its
handlers' code analysis), the whole shared corpus, and generated templates of 50, 250 and
500 resources; plus tapcheck's own-rule time in-process on the generated templates.
Prints a table with ratios against cfn-lint (the median of each round's ratio) and writes
it, with the machine, to RESULTS.md. tapcheck runs with --no-cache: these are cold
numbers. Everything of RESULTS.md from the `<!-- notes -->` line on (the written analysis
of the numbers) is kept.
"""

from __future__ import annotations

import argparse
import glob
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
sys.path.insert(0, str(HERE))

from generate import write  # noqa: E402

NOTES = "<!-- notes -->"


def run_once(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak resident MiB) of one run of a command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def measure(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float, float]]:
    """Per tool: (median seconds, peak MiB, median ratio to cfn-lint's run of the same round).

    After a warm-up round (file and import caches), each round runs every tool in turn,
    so a slow spell of a shared machine slows the tools of that round alike and the
    ratios stay comparable when the absolute times do not.
    """
    for command in commands.values():
        run_once(command)
    times: dict[str, list[float]] = {tool: [] for tool in commands}
    peaks: dict[str, list[float]] = {tool: [] for tool in commands}
    for _ in range(runs):
        for tool, command in commands.items():
            seconds, mib = run_once(command)
            times[tool].append(seconds)
            peaks[tool].append(mib)
    return {
        tool: (
            statistics.median(times[tool]),
            max(peaks[tool]),
            statistics.median(t / base for t, base in zip(times[tool], times["cfn-lint"], strict=True)),
        )
        for tool in commands
    }


def own_rule_seconds(path: Path, runs: int) -> float:
    """tapcheck's rules alone, in-process (load and scenarios included, imports not): the
    best of at least `runs` runs and of at least 2 s of running, as timeit reports, since a
    shared machine only ever adds time (a small template gets many more tries)."""
    code = (
        "import sys, time\n"
        "from tapcheck.checker.config import Config\n"
        "from tapcheck.checker.runner import check_file\n"
        "from tapcheck.checker.cli import tune_garbage_collector\n"
        "tune_garbage_collector()  # as the command line does\n"
        "config = Config(engines=('tapcheck',))\n"
        "check_file(sys.argv[1], config)\n"
        "times = []\n"
        f"while len(times) < {runs} or sum(times) < 2.0:\n"
        "    start = time.perf_counter(); check_file(sys.argv[1], config); times.append(time.perf_counter() - start)\n"
        "print(min(times))\n"
    )
    return float(
        subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True).stdout
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checkov", default=shutil.which("checkov"), help="checkov executable (default: on PATH)")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()

    tapcheck = shutil.which("tapcheck") or sys.exit("tapcheck is not installed")
    cfn_lint = shutil.which("cfn-lint") or sys.exit("cfn-lint is not installed")
    generated = write(Path(tempfile.mkdtemp(prefix="tapcheck-bench-")))
    corpus_files = sorted(
        f for f in glob.glob(str(SHARED / "corpus" / "*")) if f.endswith((".yaml", ".yml", ".json", ".template"))
    )
    inputs = {
        "seed": [str(SHARED / "seed" / "TapStack.seed.yml")],
        "reference": [str(HERE.parent / "reference" / "TapStack.yml")],
        "corpus (400 files)": corpus_files,
    }
    inputs.update({p.stem.replace("generated-", "generated ") + " resources": [str(p)] for p in generated})
    tools = {
        "tapcheck --engines tapcheck": [tapcheck, "-q", "--no-cache", "--engines", "tapcheck"],
        "tapcheck (default engines)": [tapcheck, "-q", "--no-cache"],
        "cfn-lint": [cfn_lint],
    }
    if args.checkov:
        tools["checkov"] = [args.checkov, "--framework", "cloudformation", "--skip-download", "--quiet", "--compact"]

    rows = []
    for name, files in inputs.items():
        commands = {}
        for tool, command in tools.items():
            if tool == "checkov":
                targets = ["-d", str(SHARED / "corpus")] if name.startswith("corpus") else ["-f", *files]
            else:
                targets = [str(SHARED / "corpus")] if name.startswith("corpus") and tool != "cfn-lint" else files
            commands[tool] = command + targets
        for tool, (seconds, mib, ratio) in measure(commands, args.runs).items():
            print(f"{name:28s} {tool:28s} {seconds:7.2f} s {mib:7.0f} MiB {ratio:5.2f}x", flush=True)
            rows.append((name, tool, seconds, mib, ratio))

    own = {p.stem: own_rule_seconds(p, max(args.runs, 7)) for p in generated}
    versions = {d: _version(d) for d in ("tapcheck", "cfn-lint", "policy_sentry")}
    if args.checkov:
        checkov_version = subprocess.run([args.checkov, "--version"], capture_output=True, text=True)
        versions["checkov"] = checkov_version.stdout.strip() or "unknown"
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}.",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        f"Whole-process wall time, median of {args.runs} rounds after a warm-up round (each round runs every",
        "command in turn); peak resident memory of the process; × cfn-lint is the median of the rounds' ratios.",
        "tapcheck runs with `--no-cache` and its default `--jobs` (the number of cores).",
        "",
        "| input | command | median s | peak MiB | × cfn-lint |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [f"| {n} | {t} | {s:.2f} | {m:.0f} | {r:.2f} |" for n, t, s, m, r in rows]
    lines += [
        "",
        "tapcheck's own rules in-process (loading, scenarios, rules; no imports; best of 7 or more runs, 2 s or more):",
        "",
    ]
    lines += ["| template | best s |", "|---|---:|"] + [f"| {k} | {v:.3f} |" for k, v in own.items()]
    sizes = sorted(own, key=lambda k: int(k.rsplit("-", 1)[1]))
    growth = own[sizes[-1]] / own[sizes[0]]
    lines += ["", f"Growth from 50 to 500 resources: {growth:.1f}× for 10× the resources."]
    ratio = {(n, t): r for n, t, _, _, r in rows}
    peak = {(n, t): m for n, t, _, m, _ in rows}
    own_rules, default = "tapcheck --engines tapcheck", "tapcheck (default engines)"
    targets = [
        ("own rules on the seed", "≤ 0.15× cfn-lint", ratio["seed", own_rules], 0.15),
        ("own rules on the reference stack", "≤ 0.20× cfn-lint", ratio["reference", own_rules], 0.20),
        ("default engines on the seed", "≤ 1.00× cfn-lint (try 0.9×)", ratio["seed", default], 1.00),
        ("default engines on the corpus", "≤ 0.50× cfn-lint", ratio["corpus (400 files)", default], 0.50),
        # peak memory no higher than when issue 16 was filed (bench of 2026-12-01)
        ("peak memory, default engines, seed", "≤ 148 MiB", peak["seed", default], 148),
        ("peak memory, default engines, corpus", "≤ 256 MiB", peak["corpus (400 files)", default], 256),
        # linear: the time per resource at 500 resources within 10% of that at 50 (timer noise)
        ("own-rule growth 50 → 500 resources", "≤ 11× for 10× (linear)", growth, 11.0),
    ]
    lines += ["", "## Targets", "", "| target | wanted | measured | |", "|---|---|---:|---|"]
    lines += [f"| {n} | {w} | {m:.2f} | {'met' if m <= limit else 'MISSED'} |" for n, w, m, limit in targets]
    old = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    notes = old[old.index(NOTES) :] if NOTES in old else ""
    args.output.write_text("\n".join(lines) + "\n" + (f"\n{notes}" if notes else ""), encoding="utf-8")
    print("\n".join(lines))
    return 0


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    sys.exit(main())

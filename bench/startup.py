"""Start-up: what a tapcheck command costs as a whole process, and which imports it pays for.

    python bench/startup.py [--runs 15] [--before DIR] [--output bench/STARTUP.md]

Runs a bare Python start (`python -c pass`), `tapcheck --version`, `tapcheck rules`,
`tapcheck explain TAP101`, `tapcheck --no-cache --engines tapcheck` and `tapcheck
--no-cache` (default engines) on the seed, and cfn-lint on the seed, every command in
turn in each of --runs rounds after a warm-up round, and reports the median wall time
and the difference to the bare start. With `--before DIR` (a checkout of an older
commit, e.g. `git worktree add --detach /tmp/before COMMIT`) the same commands run that
checkout's code in the same rounds (a `tapcheck` link to it goes first on PYTHONPATH),
so the two columns are measured side by side. Then `python -X importtime` of `--version`
and of the own-rules run name the top-level imports that cost the most. Writes the
tables to --output.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = HERE.parent.parent / "shared" / "seed" / "TapStack.seed.yml"
BIN = Path(sys.executable).parent


def commands() -> dict[str, list[str]]:
    tapcheck = [str(BIN / "tapcheck")]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "tapcheck --version": [*tapcheck, "--version"],
        "tapcheck rules": [*tapcheck, "rules"],
        "tapcheck explain TAP101": [*tapcheck, "explain", "TAP101"],
        "tapcheck --engines tapcheck (seed)": [*tapcheck, "--no-cache", "--engines", "tapcheck", str(SEED)],
        "tapcheck (default engines, seed)": [*tapcheck, "--no-cache", str(SEED)],
        "cfn-lint (seed)": [str(BIN / "cfn-lint"), str(SEED)],
    }


def environment(checkout: Path | None, links: Path) -> dict[str, str]:
    env = dict(os.environ, NO_COLOR="1")
    if checkout is not None:
        link = links / "tapcheck"
        if not link.exists():
            link.symlink_to(checkout.resolve())
        env["PYTHONPATH"] = str(links)
    return env


def seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start


def measure(variants: dict[str, dict[str, str]], runs: int) -> dict[tuple[str, str], float]:
    """(variant, command) -> median seconds; every command of every variant in each round."""
    jobs = [(variant, name, command) for name, command in commands().items() for variant in variants]
    for variant, _, command in jobs:  # warm-up: file and import caches
        seconds(command, variants[variant])
    times: dict[tuple[str, str], list[float]] = {(v, n): [] for v, n, _ in jobs}
    for _ in range(runs):
        for variant, name, command in jobs:
            times[variant, name].append(seconds(command, variants[variant]))
    return {key: statistics.median(values) for key, values in times.items()}


ENTRY = "tapcheck.checker.cli"


def top_imports(command: list[str], env: dict[str, str], count: int = 8) -> list[tuple[str, float]]:
    """The imports of a run that cost the most, at the top level or directly under the
    CLI module (cumulative ms, best of 3), the CLI module itself first."""
    best: dict[str, float] = {}
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", *command], capture_output=True, text=True, env=env, check=False
        )
        for line in done.stderr.splitlines():
            found = re.match(r"import time:\s+\d+ \|\s+(\d+) \| ( *)(\S+)$", line)
            if found and len(found.group(2)) <= 2:
                micros, name = int(found.group(1)), found.group(3)
                best[name] = min(best.get(name, micros), micros)
    ranked = sorted(((name, micros / 1000) for name, micros in best.items()), key=lambda item: -item[1])
    return [item for item in ranked if item[0] == ENTRY] + [item for item in ranked if item[0] != ENTRY][:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", type=Path, help="an older checkout to measure side by side")
    parser.add_argument("--output", type=Path, default=HERE / "STARTUP.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as links:
        variants = {"now": environment(None, Path(links))}
        if args.before:
            variants = {"before": environment(args.before, Path(links)), **variants}
        medians = measure(variants, args.runs)
        tapcheck = [str(BIN / "tapcheck")]
        imports = {
            (variant, what): top_imports([*tapcheck, *argv], env)
            for variant, env in variants.items()
            for what, argv in (
                ("--version", ["--version"]),
                ("--engines tapcheck (seed)", ["--no-cache", "--engines", "tapcheck", str(SEED)]),
            )
        }
    lines = [
        "# Start-up",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}.",
        f"Whole-process wall time, median of {args.runs} rounds after a warm-up round (`python bench/startup.py"
        + (" --before DIR" if args.before else "")
        + "`); + bare is the time over `python -c pass`.",
        "",
        "| command | " + " | ".join(f"{v} s | {v} + bare ms" for v in variants) + " |",
        "|---|" + "---:|---:|" * len(variants),
    ]
    for name in commands():
        cells = []
        for variant in variants:
            median = medians[variant, name]
            cells += [f"{median:.3f}", f"{(median - medians[variant, 'python -c pass']) * 1000:.0f}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for (variant, what), top in imports.items():
        lines += ["", f"Top-level imports of `tapcheck {what}` ({variant}), cumulative ms, best of 3:", ""]
        lines += [f"- {name}: {ms:.0f}" for name, ms in top]
    text = "\n".join(lines) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

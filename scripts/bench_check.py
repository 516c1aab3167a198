#!/usr/bin/env python3
"""Benchmark `supportkit check` on the bundled library and catalogs (issue 5 target: < 1 s cold).

"Cold" is a new Python process with an empty cache folder (no parsed-template cache,
no compiled catalogs): what a writer's pre-commit hook or a CI job pays. "Warm" is a
new process with the cache left by the previous run. Each is run several times and
the median and worst are reported, with the in-process time of `run_checks` alone.

This script needs no data from ../shared. Usage:
    python scripts/bench_check.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed_run(env: dict[str, str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    script = Path(sys.executable).with_name("supportkit")  # the installed command, as a hook runs it
    command = [str(script)] if script.exists() else [sys.executable, "-m", "supportkit"]
    done = subprocess.run([*command, "check"], env=env, capture_output=True, text=True,
                          check=False)
    return time.perf_counter() - start, done.returncode, done.stderr.strip().splitlines()[-1] if done.stderr else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    cache = Path(tempfile.mkdtemp(prefix="bench-check-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "SUPPORTKIT_LANG": "en"}
    env = {k: v for k, v in env.items() if not k.startswith("SUPPORTKIT_") or k == "SUPPORTKIT_LANG"}
    cold, warm = [], []
    summary = ""
    try:
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            seconds, code, summary = timed_run(env)
            cold.append(seconds)
            seconds, code, summary = timed_run(env)
            warm.append(seconds)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    baseline = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import supportkit.cli"], env=env, check=True)
        baseline.append(time.perf_counter() - start)

    sys.path.insert(0, str(root))
    from supportkit.config import Config
    from supportkit.writers.checks import run_checks

    start = time.perf_counter()
    report = run_checks(Config())
    in_process = time.perf_counter() - start

    print(f"supportkit check on the bundled library: {report.templates} templates, {report.catalogs} catalogs, "
          f"{len(report.errors)} errors, {len(report.warnings)} warnings (exit {code}: {summary})")
    print(f"cold (empty cache), {args.runs} runs: median {statistics.median(cold):.3f} s, worst {max(cold):.3f} s")
    print(f"warm (cache kept),  {args.runs} runs: median {statistics.median(warm):.3f} s, worst {max(warm):.3f} s")
    print(f"python + import supportkit.cli alone: median {statistics.median(baseline):.3f} s")
    print(f"run_checks in process (after imports): {in_process:.3f} s")
    target = 1.0
    verdict = "meets" if max(cold) < target else "MISSES"
    print(f"target < {target:.0f} s cold: {verdict}")
    return 0 if max(cold) < target else 1


if __name__ == "__main__":
    raise SystemExit(main())

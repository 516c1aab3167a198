#!/usr/bin/env python3
"""Benchmark `supportkit report` (issue 19 targets: <= 10 s and <= 1 GB peak from already-labelled data).

Generates an export of N tickets (default 1,000,000; about 10% with two or three messages) with
timestamps, ratings, reopen flags and channels, and its labels file stamped complete
(tests/report_data.py, the generator of the report's tests), so the run reads no export and
runs no pipeline: what is measured is reading the labels and computing every figure. Each
variant runs in a fresh process (`python -m supportkit report ... --json`): wall time and the
peak resident memory of that process (ru_maxrss of the child).

Usage: python scripts/bench_report.py [--tickets 1000000] [--seed 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 10.0
TARGET_MB = 1024.0


def measure(argv: list[str]) -> tuple[float, float, float, int]:
    """(seconds, CPU seconds, peak MB, exit code) of one fresh ``supportkit report`` process.

    CPU seconds (user + system, both DuckDB threads) tell the work apart from a busy machine's waits."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), SUPPORTKIT_LANG="en")
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "supportkit", "report", *argv], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 3):
        sys.exit(f"report failed ({process.returncode}): {process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--keep", type=Path, help="Write the export here and keep it (default: a temporary folder).")
    parser.add_argument("--reuse", action="store_true", help="Measure the export already in --keep (no generation).")
    args = parser.parse_args()

    from tests.report_data import generate_rows, write_labelled

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    export = folder / "export.jsonl"
    if not (args.reuse and export.is_file()):
        started = time.perf_counter()
        export, labels = write_labelled(folder, generate_rows(args.tickets, args.seed, weeks=args.weeks))
        print(f"generated {args.tickets:,} tickets over {args.weeks} weeks in {time.perf_counter() - started:.1f} s "
              f"(labels {labels.stat().st_size / 1e6:.0f} MB)")
    variants = [
        ("text summary, by week", [str(export)]),
        ("--json, by week", [str(export), "--json"]),
        ("--json, by day, Europe/Madrid", [str(export), "--json", "--by", "day"]),
        ("--csv DIR, --no-examples", [str(export), "--csv", str(folder / "csv"), "--no-examples"]),
    ]
    (folder / "supportkit.toml").write_text('[report]\ntimezone = "Europe/Madrid"\n', encoding="utf-8")
    rows = []
    for name, argv in variants:
        cwd = os.getcwd()
        os.chdir(folder if "Europe/Madrid" in name else cwd)
        try:
            seconds, cpu, peak, _code = measure(argv)
        finally:
            os.chdir(cwd)
        rows.append((name, seconds, cpu, peak))
    print()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'variant':<34} {'seconds':>8} {'CPU s':>8} {'peak MB':>8}  target")
    for name, seconds, cpu, peak in rows:
        ok = seconds <= TARGET_SECONDS and peak <= TARGET_MB
        print(f"{name:<34} {seconds:>8.2f} {cpu:>8.2f} {peak:>8.0f}  {'ok' if ok else 'MISSED'} "
              f"(<= {TARGET_SECONDS:.0f} s, <= {TARGET_MB:.0f} MB)")
    print(f"\nself: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB peak (generator, not measured)")
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark `supportkit batch` (issue 7 targets).

Builds a synthetic export of N messages (default 100,000) from the shapes of
../shared/data/messages_dev.jsonl (each dev message with its numbers, addresses and
hashes varied), then measures: throughput with --jobs 1 and --jobs 2, peak memory of
the whole process tree at two input sizes (flat memory), and a kill -9 at a random
moment followed by --resume, compared byte for byte with an uninterrupted run.

Needs ../shared/data (development data, not shipped with the project).
Usage: python scripts/bench_batch.py [--messages 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "messages_dev.jsonl"


def synthesize(count: int, target: Path, seed: int) -> None:
    rng = random.Random(seed)
    shapes = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]

    def vary(match: re.Match[str]) -> str:
        text = match.group()
        return "".join(rng.choice("0123456789abcdef" if c.isalpha() else "0123456789") if c.isalnum() else c
                       for c in text)

    with target.open("w", encoding="utf-8") as handle:
        for index in range(count):
            shape = shapes[index % len(shapes)]
            text = re.sub(r"0x[0-9a-fA-F]+|\d+", vary, shape["text"])
            handle.write(json.dumps({"id": f"m{index}", "text": text}, ensure_ascii=False) + "\n")


def run(args: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of the largest process of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "supportkit", *args], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def tree_rss_mb(pid: int) -> float:
    """Summed RSS of a process and its children (Linux /proc)."""
    total = 0
    pids = [pid]
    # Children from /proc (each thread lists the ones it forked), not by running pgrep: that
    # scanned all of /proc in a new process 20 times a second, about 8% of this 2-core machine
    # taken from the run being measured.
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            pids += [int(c) for c in children.read_text().split()]
        except (OSError, ValueError):
            continue
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def sampled_run(args: list[str]) -> tuple[float, float]:
    """Seconds and the highest summed RSS of the process tree, sampled every 50 ms."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "supportkit", *args], stdout=subprocess.DEVNULL)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        time.sleep(0.05)
    if process.returncode != 0:
        raise SystemExit(f"batch failed: {' '.join(args)}")
    return time.perf_counter() - started, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"error: {DATA} not found: this benchmark needs the development data in ../shared/data "
              "(it is not part of the project).", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as scratch:
        root = Path(scratch)
        big, small = root / "big.jsonl", root / "small.jsonl"
        synthesize(args.messages, big, args.seed)
        synthesize(max(1000, args.messages // 5), small, args.seed)
        # Warm the template cache so every run starts alike.
        subprocess.run([sys.executable, "-m", "supportkit", "reply", "hello", "--json"], stdout=subprocess.DEVNULL,
                       check=True)
        results = {}
        for jobs in (1, 2):
            seconds, peak = sampled_run(["batch", str(big), "--out", str(root / f"out{jobs}.jsonl"),
                                         "--jobs", str(jobs)])
            results[jobs] = (seconds, peak)
        _, small_peak = sampled_run(["batch", str(small), "--out", str(root / "small-out.jsonl"), "--jobs", "2"])
        same_jobs = (root / "out1.jsonl").read_bytes() == (root / "out2.jsonl").read_bytes()

        # kill -9 at a random moment, then --resume
        killed = root / "killed.jsonl"
        delay = rng.uniform(0.2, 0.8) * results[2][0]
        process = subprocess.Popen([sys.executable, "-m", "supportkit", "batch", str(big), "--out", str(killed),
                                    "--jobs", "2"], stdout=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        lines_at_kill = sum(1 for _ in killed.open("rb")) if killed.exists() else 0
        subprocess.run([sys.executable, "-m", "supportkit", "batch", str(big), "--out", str(killed), "--jobs", "2",
                        "--resume"], check=True, stdout=subprocess.DEVNULL)
        resumed_equal = killed.read_bytes() == (root / "out2.jsonl").read_bytes()
        rejects_equal = (root / "killed.jsonl.rejects.jsonl").read_bytes() == \
            (root / "out2.jsonl.rejects.jsonl").read_bytes() if (root / "out2.jsonl.rejects.jsonl").exists() else True
        written = sum(1 for _ in (root / "out2.jsonl").open("rb"))

    print(f"## batch ({args.messages:,} synthetic messages from the dev set's shapes, {os.cpu_count()} cores)\n")
    print("| measure | value | target |")
    print("| --- | --- | --- |")
    for jobs, (seconds, peak) in results.items():
        print(f"| --jobs {jobs} | {args.messages / seconds:,.0f} messages/s ({seconds:.1f} s), "
              f"peak RSS of all processes {peak:.0f} MB | {'>= 2,000 messages/s' if jobs == 2 else ''} |")
    print(f"| memory as input grows (--jobs 2) | {small_peak:.0f} MB at {max(1000, args.messages // 5):,} messages, "
          f"{results[2][1]:.0f} MB at {args.messages:,} | flat |")
    print(f"| --jobs 1 and --jobs 2 outputs identical | {same_jobs} | |")
    print(f"| kill -9 after {delay:.1f} s ({lines_at_kill:,} records on disk), then --resume | output identical: "
          f"{resumed_equal}, rejects identical: {rejects_equal}, {written:,} records | identical |")
    return 0 if same_jobs and resumed_equal and rejects_equal else 1


if __name__ == "__main__":
    sys.exit(main())

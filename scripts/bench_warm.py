"""Warm throughput of the library's main jobs, this tree against another checkout, alternated.

    python scripts/bench_warm.py --baseline ../before [--rounds 20]

For each round, one fresh process per tree (this one, then the baseline) loads supportkit, warms
up, and times: the reply pipeline over every message of ``../shared/data/messages_dev.jsonl``
(``process_messages``, as a batch worker runs it, and ``process_message`` one by one), the guard
alone (``guard_message``), the writers' ``run_checks`` on the bundled library and catalogs, and a
full ``build_site`` of the bundled help center into a new folder. Medians over the rounds are
printed per job with the ratio to the baseline; a job more than 5% slower here is named (exit 1).
It reads ../shared/data (development data, not part of a clone) and says so when it is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "data" / "messages_dev.jsonl"

PROBE = r"""
import json, sys, tempfile, time
from pathlib import Path
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
from supportkit.config import Config
from supportkit.pipeline import process_message, process_messages
from supportkit.guard import guard_message
try:
    from supportkit.library.store import library_for
except ImportError:
    from supportkit.pipeline import library_for
try:
    from supportkit.writers.checks import run_checks
except ImportError:
    from supportkit.checks import run_checks
from supportkit.faq import BuildOptions, build_site
config = Config()
library = library_for(config)
def timed(job, repeat=1):
    start = time.perf_counter()
    for _ in range(repeat):
        job()
    return (time.perf_counter() - start) / repeat * 1000
def one_by_one():
    for text in texts:
        try:
            process_message(text, config, library=library)
        except Exception:
            pass
def guard_all():
    for text in texts:
        guard_message(text)
def site():
    with tempfile.TemporaryDirectory() as tmp:
        build_site(config, BuildOptions(out=Path(tmp) / "site"), library)
jobs = {"process_messages": lambda: process_messages([(t, None) for t in texts], config, library=library),
        "process_message": one_by_one, "guard": guard_all,
        "run_checks": lambda: run_checks(config, [config.replies_dir, config.locales_dir]), "build_site": site}
for job in jobs.values():
    job()
print(json.dumps({name: timed(job, 3) for name, job in jobs.items()}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--messages", type=Path, default=DEV)
    args = parser.parse_args()
    if not args.messages.is_file():
        print(f"{args.messages} is absent: this benchmark needs the development set (../shared/data).", file=sys.stderr)
        return 2
    home = Path(tempfile.mkdtemp(prefix="supportkit-warm-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTKIT_")}
    env.update(XDG_CACHE_HOME=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"))
    trees = {"here": ROOT, "baseline": args.baseline.resolve()}
    runs: dict[str, list[dict[str, float]]] = {label: [] for label in trees}
    for _ in range(args.rounds):
        for label, tree in trees.items():
            out = subprocess.run([sys.executable, "-c", PROBE, str(args.messages)], env={**env, "PYTHONPATH": str(tree)},
                                 cwd=home, capture_output=True, text=True, check=True).stdout
            runs[label].append(json.loads(out))
    slower = []
    print("| job | here ms (median) | baseline ms | ratio |\n|---|---|---|---|")
    for job in runs["here"][0]:
        here = statistics.median(r[job] for r in runs["here"])
        base = statistics.median(r[job] for r in runs["baseline"])
        print(f"| {job} | {here:.1f} | {base:.1f} | {here / base:.2f} |")
        if here > base * 1.05:
            slower.append(job)
    for job in slower:
        print(f"SLOWER than the baseline: {job}")
    return 1 if slower else 0


if __name__ == "__main__":
    sys.exit(main())

"""Cold-process timings of the commands an agent runs, per UI language (issue 18: no slower, fr within 10% of en).

    python scripts/bench_cold.py [--runs 20] [--json OUT] [--compare BEFORE.json] [--baseline TREE]

Each case is a new ``python`` process, run ``--runs`` times after two untimed warm-up runs (which
also fill the disk caches, as on an agent's machine after the first use); the median and the
spread are printed. Cases: ``import supportkit.cli``; ``supportkit detect "hola"``;
``supportkit reply`` on a pending-transfer message; ``supportkit guard`` on a short message;
``supportkit templates list``; each with ``SUPPORTKIT_LANG=en`` and ``fr``. Bytecode is compiled
first and written, so the figures do not depend on ``PYTHONDONTWRITEBYTECODE``.
With ``--compare`` the medians are set against an earlier ``--json`` file and any case more than
5% slower is named (exit 1). With ``--baseline TREE`` (another checkout, e.g. a ``git worktree``
of the commit before a change) every run of this tree is followed by one of TREE, so both see the
same machine load; any case more than 5% slower here is named (exit 1). A figure taken an hour
earlier on a shared machine is not a baseline. This script needs no data from ../shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "import supportkit.cli": [sys.executable, "-c", "import supportkit.cli"],
    "detect hola": [sys.executable, "-m", "supportkit", "detect", "hola"],
    "reply": [sys.executable, "-m", "supportkit", "reply", "my USDT transfer has been pending since yesterday"],
    "guard": [sys.executable, "-m", "supportkit", "guard", "hello, my wallet shows zero balance"],
    "templates list": [sys.executable, "-m", "supportkit", "templates", "list"],
}


def _time(argv: list[str], env: dict[str, str]) -> float:
    # Run from the scratch home: ``python -m``/``-c`` put the working folder first on sys.path,
    # ahead of PYTHONPATH, and a checkout there would be imported instead of the tree measured.
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=env["HOME_FOR_BENCH"])
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--baseline", type=Path, help="another checkout to alternate with")
    args = parser.parse_args()
    trees = {"here": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    for tree in trees.values():
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "supportkit")], check=True)
    home = Path(tempfile.mkdtemp(prefix="supportkit-cold-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTKIT_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(XDG_CACHE_HOME=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), HOME_FOR_BENCH=str(home))
    results: dict[str, dict[str, float]] = {}
    against: dict[str, float] = {}
    if args.baseline:
        print("| case | UI | median ms | min | max | baseline median | ratio |\n|---|---|---|---|---|---|---|")
    else:
        print("| case | UI | median ms | min | max |\n|---|---|---|---|---|")
    for name, argv in CASES.items():
        # Every run of a case is followed by the same case in the other UI language and the other
        # tree, so the fr/en ratio and the baseline ratio are taken under the same machine load.
        envs = {(lang, label): {**env, "SUPPORTKIT_LANG": lang, "PYTHONPATH": str(tree)}
                for lang in ("en", "fr") for label, tree in trees.items()}
        for case_env in envs.values():
            for _ in range(2):
                _time(argv, case_env)
        times: dict[tuple[str, str], list[float]] = {combo: [] for combo in envs}
        for _ in range(args.runs):
            for combo, case_env in envs.items():
                times[combo].append(_time(argv, case_env) * 1000)
        for lang in ("en", "fr"):
            here = times[(lang, "here")]
            median = statistics.median(here)
            key = f"{name} [{lang}]"
            results[key] = {"median_ms": round(median, 1), "min_ms": round(min(here), 1), "max_ms": round(max(here), 1)}
            row = f"| {name} | {lang} | {median:.0f} | {min(here):.0f} | {max(here):.0f} |"
            if args.baseline:
                against[key] = statistics.median(times[(lang, "baseline")])
                row += f" {against[key]:.0f} | {median / against[key]:.2f} |"
            print(row, flush=True)
    for name in CASES:
        en, fr = results[f"{name} [en]"]["median_ms"], results[f"{name} [fr]"]["median_ms"]
        print(f"{name}: fr/en {fr / en:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    if args.baseline:
        slower_here = [(k, against[k], v["median_ms"]) for k, v in results.items() if v["median_ms"] > against[k] * 1.05]
        for key, was, now in slower_here:
            print(f"SLOWER than the baseline: {key}: {was:.0f} -> {now:.0f} ms")
        if slower_here:
            return 1
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        slower = [(k, before[k]["median_ms"], v["median_ms"]) for k, v in results.items()
                  if k in before and v["median_ms"] > before[k]["median_ms"] * 1.05]
        for key, was, now in slower:
            print(f"SLOWER: {key}: {was:.0f} -> {now:.0f} ms")
        return 1 if slower else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cold-process timings of the commands an agent runs, per UI language (issue 18: no slower, fr within 10% of en).

    python scripts/bench_cold.py [--runs 20] [--json OUT] [--compare BEFORE.json]

Each case is a new ``python`` process, run ``--runs`` times after two untimed warm-up runs (which
also fill the disk caches, as on an agent's machine after the first use); the median and the
spread are printed. Cases: ``import supportkit.cli``; ``supportkit detect "hola"``;
``supportkit reply`` on a pending-transfer message; ``supportkit guard`` on a short message;
``supportkit templates list``; each with ``SUPPORTKIT_LANG=en`` and ``fr``. Bytecode is compiled
first and written, so the figures do not depend on ``PYTHONDONTWRITEBYTECODE``.
With ``--compare`` the medians are set against an earlier ``--json`` file and any case more than
5% slower is named (exit 1). This script needs no data from ../shared.
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
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "supportkit")], check=True)
    home = Path(tempfile.mkdtemp(prefix="supportkit-cold-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTKIT_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(XDG_CACHE_HOME=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), PYTHONPATH=str(ROOT))
    results: dict[str, dict[str, float]] = {}
    print("| case | UI | median ms | min | max |\n|---|---|---|---|---|")
    for name, argv in CASES.items():
        for lang in ("en", "fr"):
            case_env = {**env, "SUPPORTKIT_LANG": lang}
            for _ in range(2):
                _time(argv, case_env)
            times = [_time(argv, case_env) * 1000 for _ in range(args.runs)]
            median = statistics.median(times)
            results[f"{name} [{lang}]"] = {"median_ms": round(median, 1), "min_ms": round(min(times), 1),
                                           "max_ms": round(max(times), 1)}
            print(f"| {name} | {lang} | {median:.0f} | {min(times):.0f} | {max(times):.0f} |", flush=True)
    for name in CASES:
        en, fr = results[f"{name} [en]"]["median_ms"], results[f"{name} [fr]"]["median_ms"]
        print(f"{name}: fr/en {fr / en:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
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

#!/usr/bin/env python3
"""Time `supportkit check` on the bundled library made hostile (issue 15 target: < 10 s whatever the templates hold).

Two libraries, each a copy of the bundled replies in a temporary folder, checked by a new
process with an empty cache folder (as a CI job runs it):

- ``one``: the bundled library plus one template whose five locales each carry one attack
  (run once per attack: nested loops, a macro calling itself twice, an exponent tower,
  a huge ``%`` width, ``ljust(10**9)``, chained ``replace``...);
- ``all``: every body of every bundled template with an attack added on its first line, the
  attacks taken in turn (the worst a library of the bundled size can hold: every render
  spends its whole budget).

Before the budgets, the first attacks of ``one`` hung `check` or ended in a MemoryError.
This script needs no data from ../shared. Usage:
    python scripts/bench_template_budgets.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "replies"

ATTACKS = {
    "loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "macro": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    "caller": "{% macro t() %}{{ caller() }}{{ caller() }}{% endmacro %}" + "{% call t() %}" * 30 + "."
              + "{% endcall %}" * 30,
    "power": "{{ ((2 ** 4096) ** 4096) ** 4096 }}",
    "percent": '{{ "%0999999999d" % 1 }}',
    "ljust": '{{ "x".ljust(10 ** 9) }}',
    "replace": '{{ "xxxxxxxxxx"' + '|replace("x", "xxxxxxxxxx")' * 9 + " }}",
    "join": '{{ "xxxxxxxxxx"' + '|join("xxxxxxxxxx")' * 9 + " }}",
    "rework": '{% set s = "x" * 99999 %}{% for i in range(100000) %}{% if s[::-1] == s %}{% endif %}{% endfor %}',
    "sort": "{% set s = [3, 1, 2] * 8000 %}{% for i in range(100000) %}{% set r = s | sort %}{% endfor %}",
    "block": '{% set s %}{% for i in range(100000) %}{{ "x" * 1000 }}{% endfor %}{% endset %}{{ s }}',
}
DECLARED = "variables:\n  f: {description: a name}\n  n: {description: a count}\n  t: {description: a name}\n  caller: {description: a name}\n"


def one_hostile(folder: Path, attack: str) -> None:
    shutil.copytree(BUNDLED, folder)
    bodies = "".join(f"  {code}:\n    subject: Help\n    body: |\n      Hello.\n      {ATTACKS[attack]}\n"
                     for code in ("en", "zh", "es", "ru", "fr"))
    (folder / "zz_hostile.yaml").write_text(f"id: zz_hostile\nintents: [other]\n{DECLARED}locales:\n{bodies}",
                                           encoding="utf-8")


def all_hostile(folder: Path) -> int:
    shutil.copytree(BUNDLED, folder)
    attacks = list(ATTACKS.values())
    count = 0
    for path in sorted(folder.rglob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        out: list[str] = []
        for index, line in enumerate(lines):
            out.append(line)
            if re.fullmatch(r"\s+body: [|>][-+]?", line) and index + 1 < len(lines):
                indent = re.match(r"\s*", lines[index + 1]).group(0)  # type: ignore[union-attr]
                out.append(indent + attacks[count % len(attacks)])
                count += 1
        text = "\n".join(out) + "\n"
        if "\nvariables:" not in text:
            text = text.replace("\nlocales:", "\n" + DECLARED.rstrip("\n") + "\nlocales:", 1)
        path.write_text(text, encoding="utf-8")
    return count


def timed_check(replies: Path, cache: Path) -> tuple[float, int, str]:
    shutil.rmtree(cache, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTKIT_")}
    env.update(XDG_CACHE_HOME=str(cache), SUPPORTKIT_LANG="en", SUPPORTKIT_REPLIES_DIR=str(replies),
               PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "supportkit", "check", str(replies)], env=env,
                          capture_output=True, text=True, check=False, timeout=600)
    seconds = time.perf_counter() - start
    budget = sum("steps" in line or "a template may" in line or "digits is longer" in line
                 for line in done.stdout.splitlines() + done.stderr.splitlines())
    tail = (done.stderr.strip().splitlines() or [""])[-1]
    return seconds, budget, tail if "Traceback" not in done.stderr else "TRACEBACK"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-budgets-"))
    try:
        print(f"{'library':<22} {'median s':>9} {'worst s':>8} {'budget findings':>16}  summary")
        rows: list[tuple[str, Path]] = []
        for attack in ATTACKS:
            one_hostile(work / f"one-{attack}", attack)
            rows.append((f"bundled + {attack}", work / f"one-{attack}"))
        pieces = all_hostile(work / "all")
        rows.append((f"all {pieces} bodies", work / "all"))
        for label, folder in rows:
            times, found, tail = [], 0, ""
            for _ in range(args.runs):
                seconds, found, tail = timed_check(folder, work / "cache")
                times.append(seconds)
            print(f"{label:<22} {statistics.median(times):9.2f} {max(times):8.2f} {found:16d}  {tail}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

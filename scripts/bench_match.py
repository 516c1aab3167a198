#!/usr/bin/env python3
"""Benchmark intent matching and urgency (issue 4 targets) on the dev set and our held-out cases.

Reads ../shared/data/messages_dev.jsonl (NOT shipped with supportkit: this script exits 2
when it is absent; `--dev PATH` points elsewhere) and tests/data/match_cases.yaml (our own
held-out messages). Reports, as a markdown table: top-1 and top-3 intent accuracy per
language, precision and recall of `other`, precision and recall of `urgent` (matching
urgency OR guard urgency, as the reply pipeline computes it, when supportkit.guard exists),
warm time per message (mean, p95), and the cold process time of `supportkit reply` beside
`supportkit detect` when those commands work.

    python scripts/bench_match.py [--dev PATH] [--errors] [--no-cold]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from supportkit.config import BUNDLED_REPLIES
from supportkit.errors import TemplateError
from supportkit.library import Library, load_library
from supportkit.matching import classify
from supportkit.text import normalize

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "data" / "messages_dev.jsonl"
CASES = ROOT / "tests" / "data" / "match_cases.yaml"
LANGS = ("zh", "en", "es", "ru", "fr")


def load_dev(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_cases(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data["cases"])


def pipeline_parts() -> tuple[Callable[[str], tuple[str, bool]], Callable[[str], str] | None, list[str]]:
    """The guard and the language detector as the pipeline uses them, when they exist."""
    notes: list[str] = []
    guard: Callable[[str], tuple[str, bool]]
    if importlib.util.find_spec("supportkit.guard") is not None:
        from supportkit.guard import scan

        def guard(text: str) -> tuple[str, bool]:
            result = scan(text)
            return result.redacted, bool(result.urgent)

        notes.append("urgent = matching OR guard (supportkit.guard.scan), text redacted by the guard first")
    else:
        def guard(text: str) -> tuple[str, bool]:
            return text, False

        notes.append("urgent = matching only (supportkit.guard not available; secrets not redacted)")
    detect: Callable[[str], str] | None = None
    if importlib.util.find_spec("supportkit.detection") is not None:
        from supportkit.detection import detect as _detect

        def detect(text: str) -> str:
            return _detect(text).language

        notes.append("language = supportkit.detection.detect (as the pipeline)")
    else:
        notes.append("language = the labeled language (supportkit.detection not available)")
    return guard, detect, notes


def evaluate(rows: list[dict[str, Any]], library: Any, guard: Callable[[str], tuple[str, bool]],
             detect: Callable[[str], str] | None, show_errors: bool) -> dict[str, Any]:
    per_lang: dict[str, list[int]] = {lang: [0, 0, 0] for lang in LANGS}  # n, top1, top3
    other = {"tp": 0, "fp": 0, "fn": 0}
    urgent = {"tp": 0, "fp": 0, "fn": 0}
    times: list[float] = []
    for row in rows:
        text = normalize(row["text"]).text
        safe, guard_urgent = guard(text)
        lang = detect(safe) if detect else row["lang"]
        start = time.perf_counter()
        result = classify(safe, lang, library)
        times.append(time.perf_counter() - start)
        ranked = [s.id for s in result.intents]
        gold = row["intent"]
        if row["lang"] in per_lang:
            bucket = per_lang[row["lang"]]
            bucket[0] += 1
            bucket[1] += ranked[0] == gold
            bucket[2] += gold in ranked[:3]
        if row["lang"] in per_lang:
            predicted_other = ranked[0] == "other"
            other["tp"] += predicted_other and gold == "other"
            other["fp"] += predicted_other and gold != "other"
            other["fn"] += (not predicted_other) and gold == "other"
        is_urgent = result.urgent or guard_urgent
        gold_urgent = bool(row.get("urgent"))
        urgent["tp"] += is_urgent and gold_urgent
        urgent["fp"] += is_urgent and not gold_urgent
        urgent["fn"] += (not is_urgent) and gold_urgent
        if show_errors and (ranked[0] != gold or is_urgent != gold_urgent):
            mark = "INTENT" if ranked[0] != gold else "URGENT"
            print(f"{mark} {row.get('id', '')} [{row['lang']}] gold={gold}/{int(gold_urgent)} "
                  f"got={ranked[0]}/{int(is_urgent)} ({', '.join(f'{s.id}:{s.score:.2f}' for s in result.intents[:3])}) "
                  f"{row['text'][:110]!r}", file=sys.stderr)
    return {"langs": per_lang, "other": other, "urgent": urgent, "times": times}


def ratio(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "n/a"


def timed_process(args: list[str], runs: int = 5) -> float | None:
    """Median wall time of a fresh process, or None when the command fails."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(args, capture_output=True, text=True)
        samples.append(time.perf_counter() - start)
        if done.returncode != 0:
            return None
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--errors", action="store_true", help="print every miss to stderr")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-process timing")
    options = parser.parse_args()
    if not options.dev.is_file():
        print(f"error: {options.dev} not found. This benchmark needs the shared dev data "
              "(../shared/data/messages_dev.jsonl); it is not part of supportkit.", file=sys.stderr)
        return 2

    try:
        library = load_library(BUNDLED_REPLIES, strict=False)
    except TemplateError as error:  # no templates yet: cues only
        print(f"note: {error.message}; measuring with lexicon cues only", file=sys.stderr)
        library = Library(root=BUNDLED_REPLIES)
    examples = sum(len(p) for t in library for p in t.examples.values())
    guard, detect, notes = pipeline_parts()
    start = time.perf_counter()
    classify("warm up", "en", library)
    build = time.perf_counter() - start

    cases = load_cases(CASES)
    datasets = [("dev (messages_dev.jsonl)", load_dev(options.dev)),
                ("held-out, tuned (match_cases.yaml)", [c for c in cases if c.get("set") != "blind"]),
                ("held-out, blind (match_cases.yaml)", [c for c in cases if c.get("set") == "blind"])]
    results = []
    for name, rows in datasets:
        if options.errors:
            print(f"--- {name}", file=sys.stderr)
        results.append((name, rows, evaluate(rows, library, guard, detect, options.errors)))

    print(f"Library: {len(library)} templates, {examples} example phrases; index built in {build * 1000:.0f} ms.")
    for note in notes:
        print(f"- {note}")
    print()
    print("| set | " + " | ".join(f"{lang} top-1 / top-3" for lang in LANGS) + " | other P / R | urgent P / R |")
    print("|---|" + "---|" * (len(LANGS) + 2))
    for name, _rows, result in results:
        cells = []
        for lang in LANGS:
            n, top1, top3 = result["langs"][lang]
            cells.append(f"{ratio(top1, n)} / {ratio(top3, n)}")
        o, u = result["other"], result["urgent"]
        cells.append(f"{ratio(o['tp'], o['tp'] + o['fp'])} / {ratio(o['tp'], o['tp'] + o['fn'])}")
        cells.append(f"{ratio(u['tp'], u['tp'] + u['fp'])} / {ratio(u['tp'], u['tp'] + u['fn'])}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    times = sorted(t for _, _, r in results for t in r["times"])
    mean = statistics.fmean(times) * 1000
    p95 = times[int(0.95 * (len(times) - 1))] * 1000
    print(f"Warm classify: mean {mean:.2f} ms, p95 {p95:.2f} ms per message ({len(times)} messages; target <= 5 ms).")
    if not options.no_cold:
        exe = [sys.executable, "-m", "supportkit"]
        reply = timed_process(exe + ["reply", "--json", "I forgot my wallet password"])
        detect_time = timed_process(exe + ["detect", "--json", "I forgot my wallet password"])
        if reply is None:
            print("Cold `supportkit reply`: skipped (the command does not run yet).")
        else:
            shown = f"{detect_time * 1000:.0f} ms" if detect_time is not None else "n/a (detect does not run)"
            print(f"Cold process (median of 5): `supportkit reply` {reply * 1000:.0f} ms; `supportkit detect` {shown}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark language detection on the frozen help-desk set ``tests/data/detect_helpdesk.jsonl``.

The set (629 messages, written by hand for issue 13 before any tuning) has ten families:
zh (Hans), zh_hant, en, es, ru, fr, ru_latn (Russian in Latin letters), mixed_zh (Chinese with
English crypto words), short (openers of three words or fewer), and negative (pl cs hr sl sk
id ro tr and a few confusables, which must not become Russian).

Printed, as a markdown table per family: the language right; the script right for Chinese
(only where the text has a character that Traditional and Simplified write differently, as
OpenCC sees it: "求救" is both); ``romanized`` right (true for ru_latn, false elsewhere);
for negatives, the share not taken for Russian, not taken for any of our five, and exactly
right. Then the figure over all messages of three words or fewer, the warm CPU time per message
and the cold ``import supportkit.detection`` + first ``detect`` in a fresh process (wall time).

    python scripts/bench_detect_helpdesk.py [--errors] [--cold-runs 5]
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "detect_helpdesk.jsonl"
OURS = ("zh", "en", "es", "ru", "fr")
FAMILIES = ("zh", "zh_hant", "en", "es", "ru", "fr", "ru_latn", "mixed_zh", "short", "negative")


def load() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


@functools.cache
def script_neutral(text: str) -> bool:
    """True when the text reads the same in Traditional and Simplified (then either script is right)."""
    import importlib.util

    if importlib.util.find_spec("opencc") is None:  # without OpenCC every Chinese message counts
        return False
    return all(_converter(config).convert(text) == text for config in ("t2s", "s2t"))


@functools.cache
def _converter(config: str):  # noqa: ANN202 - an opencc.OpenCC
    import opencc

    return opencc.OpenCC(config)


def pct(hits: int, total: int) -> str:
    return f"{100 * hits / total:.1f}% ({hits}/{total})" if total else "-"


def cold_import(runs: int) -> float:
    """Median wall time of a fresh process that imports detection and detects one message (cache warm)."""
    code = "from supportkit.detection import detect; detect('hola amigo')"
    subprocess.run([sys.executable, "-c", code], check=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every message detected wrongly")
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()

    from supportkit.detection import detect

    rows = load()
    detect("warm up the model")
    results = [detect(r["text"]) for r in rows]
    # CPU time, best of five passes: the figure moves less with whatever else the machine runs.
    passes = []
    for _ in range(5):
        started = time.process_time()
        for r in rows:
            detect(r["text"])
        passes.append(time.process_time() - started)
    warm_us = min(passes) / len(rows) * 1e6

    print("| family | n | language right | script right (zh) | romanized right | not ru | not ours |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    errors: list[str] = []
    for family in FAMILIES:
        pairs = [(r, d) for r, d in zip(rows, results, strict=True) if r["family"] == family]
        n = len(pairs)
        right = sum(d.language == r["lang"] for r, d in pairs)
        with_script = [(r, d) for r, d in pairs if r.get("script") and not script_neutral(r["text"])]
        script_right = sum(d.language == "zh" and d.script == r["script"] for r, d in with_script)
        romanized_right = sum(getattr(d, "romanized", False) == bool(r.get("romanized")) for r, d in pairs)
        not_ru = sum(d.language != "ru" for _, d in pairs)
        not_ours = sum(d.language not in OURS for _, d in pairs)
        negative = family == "negative"
        print(f"| {family} | {n} | {pct(right, n)} | {pct(script_right, len(with_script))} "
              f"| {pct(romanized_right, n)} | {pct(not_ru, n) if negative else '-'} "
              f"| {pct(not_ours, n) if negative else '-'} |")
        for r, d in pairs:
            wrong = (d.language == "ru" or d.language in OURS and d.language != r["lang"]) if negative else (
                d.language != r["lang"] or getattr(d, "romanized", False) != bool(r.get("romanized"))
                or (r.get("script") and d.script != r["script"] and not script_neutral(r["text"])))
            if wrong:
                errors.append(f"{family}\t{r['lang']}\t{d.language}/{d.script}"
                              f"{'/romanized' if getattr(d, 'romanized', False) else ''}\t{r['text']}")
    ours_rows = [(r, d) for r, d in zip(rows, results, strict=True) if r["family"] != "negative"]
    short = [(r, d) for r, d in ours_rows if len(r["text"].split()) <= 3]
    print()
    print(f"- our five, all families but negative: {pct(sum(d.language == r['lang'] for r, d in ours_rows), len(ours_rows))}")
    print(f"- our five, three words or fewer: {pct(sum(d.language == r['lang'] for r, d in short), len(short))}")
    print(f"- warm detect: {warm_us:.0f} µs CPU per message (mean over the set, best of 5 passes)")
    if args.cold_runs:
        print(f"- cold process, import + first detect (median of {args.cold_runs}): {cold_import(args.cold_runs):.3f} s")
    if args.errors and errors:
        print()
        print("\n".join(errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmark intent matching and urgency (issue 4 targets) on the dev set and our held-out cases.

First the frozen blind sets, newest first: language, intent top-1 with its 95% interval, top-3,
greeting-plus-problem and urgency (split into "secret pasted" and "no secret"), through the whole
reply pipeline. ``tests/data/match_blind_2.jsonl`` (550 messages, written 2026-12-08 by five
native writers who never saw the examples, the code or the first set; never tuned on) leads;
``tests/data/match_blind.jsonl`` (472 messages, 2026-12-07) comes second: its totals were in view
while tuning, and from 2026-12-08 its misses are read (``--errors``), so it is a development set
now. Then the rest:

Reads ../shared/data/messages_dev.jsonl (NOT shipped with supportkit: this script exits 2
when it is absent; `--dev PATH` points elsewhere) and tests/data/match_cases.yaml (our own
held-out messages). Reports, as a markdown table: top-1 and top-3 intent accuracy per
language, precision and recall of `other`, precision and recall of `urgent` (matching
urgency OR guard urgency, as the reply pipeline computes it, when supportkit.guard exists),
warm time per message (mean, p95), and the cold process time of `supportkit reply` beside
`supportkit detect` when those commands work.

    python scripts/bench_match.py [--dev PATH] [--errors] [--no-cold] [--cv] [--development]

`--cv` adds a 5-fold cross-validation over the templates' own `examples:` (each fold's
phrases classified by an index built without them): how well the examples generalise,
measured without the dev set; it is what OTHER_THRESHOLD and the weights are calibrated on.
`--errors` lists the misses of the dev and tuned sets and of the first blind set (a development set
now); the second blind set is reported as totals only.
"""

from __future__ import annotations

import argparse
import functools
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
    # Matching's own share: urgency on messages without a pasted secret (the guard's part).
    matching_urgent = {"tp": 0, "fp": 0, "fn": 0}
    times: list[float] = []
    for row in rows:
        text = normalize(row["text"]).text
        safe, guard_urgent = guard(text)
        lang = detect(safe) if detect else row["lang"]
        start = time.perf_counter()
        result = classify(safe, lang, library)
        times.append(time.perf_counter() - start)
        row["classify_text"], row["classify_lang"] = safe, lang
        ranked = [s.id for s in result.intents]
        gold = row["intent"]
        accepted = LEGACY.get(gold, {gold}) if row.get("set") != "blind-3" else {gold}
        if row["lang"] in per_lang:
            bucket = per_lang[row["lang"]]
            bucket[0] += 1
            bucket[1] += ranked[0] in accepted
            bucket[2] += any(i in accepted for i in ranked[:3])
        if row["lang"] in per_lang:
            predicted_other = ranked[0] in ("other", "product_question")
            other["tp"] += predicted_other and gold == "other"
            other["fp"] += predicted_other and gold != "other"
            other["fn"] += (not predicted_other) and gold == "other"
        is_urgent = result.urgent or guard_urgent
        gold_urgent = bool(row.get("urgent"))
        urgent["tp"] += is_urgent and gold_urgent
        urgent["fp"] += is_urgent and not gold_urgent
        urgent["fn"] += (not is_urgent) and gold_urgent
        if not row.get("secret"):
            matching_urgent["tp"] += result.urgent and gold_urgent
            matching_urgent["fp"] += result.urgent and not gold_urgent
            matching_urgent["fn"] += (not result.urgent) and gold_urgent
        if show_errors and (ranked[0] not in accepted or is_urgent != gold_urgent):
            mark = "INTENT" if ranked[0] not in accepted else "URGENT"
            print(f"{mark} {row.get('id', '')} [{row['lang']}] gold={gold}/{int(gold_urgent)} "
                  f"got={ranked[0]}/{int(is_urgent)} ({', '.join(f'{s.id}:{s.score:.2f}' for s in result.intents[:3])}) "
                  f"{row['text'][:110]!r}", file=sys.stderr)
    return {"langs": per_lang, "other": other, "urgent": urgent, "matching_urgent": matching_urgent,
            "times": times}


def best_of(runs: int, call: Callable[[], object]) -> float:
    """Fastest of ``runs`` calls, in ms (the machine's other work only ever adds time)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def summary(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.fmean(times), times[int(0.95 * (len(times) - 1))]


def steady_classify(results: list[tuple[str, list[dict[str, Any]], dict[str, Any]]], library: Any) -> tuple[float, float]:
    """Mean and p95 ms of classify once every message has been seen (regexes compiled)."""
    calls = [(row["classify_text"], row["classify_lang"]) for _, rows, _ in results for row in rows]
    return summary([best_of(3, functools.partial(classify, text, lang, library)) for text, lang in calls])


def warm_pipeline(texts: list[str]) -> tuple[float, float] | None:
    """Mean and p95 ms of ``process_message`` (what `reply --lines` runs per line), after a warm-up pass."""
    try:
        from supportkit.config import load_config
        from supportkit.library.store import library_for
        from supportkit.pipeline import process_message

        config = load_config()
        library = library_for(config)
        for text in texts:  # warm-up: compiles cue regexes and Jinja templates on first use
            process_message(text, config, library=library)
    except Exception as error:  # noqa: BLE001 - a teammate's part may not run yet; say so, do not crash
        print(f"note: pipeline not timed ({type(error).__name__}: {error})", file=sys.stderr)
        return None
    return summary([best_of(3, functools.partial(process_message, text, config, library=library)) for text in texts])


def _fixed_index(index: Any, _library: Any) -> Any:
    return index


def cross_validate(library: Any, folds: int = 5) -> dict[str, list[int]]:
    """Top-1/top-3 per language when each fold of the examples is classified by an index built without it."""
    import random

    import supportkit.matching as matching
    from supportkit.matching import store as cache
    from supportkit.matching.build import build_index

    examples = cache._examples(library)
    lexicon = cache.load_lexicon()
    intents = cache._customer_intents()
    order = list(range(len(examples)))
    random.Random(7).shuffle(order)
    counts: dict[str, list[int]] = {}
    original = matching.index_for
    try:
        for fold in range(folds):
            held = set(order[fold::folds])
            index = build_index(lexicon, [e for i, e in enumerate(examples) if i not in held], intents)
            matching.index_for = functools.partial(_fixed_index, index)  # classify looks index_for up per call
            for number in sorted(held):
                intent, lang, text = examples[number]
                ranked = [s.id for s in classify(text, lang, library).intents]
                bucket = counts.setdefault(lang, [0, 0, 0])
                bucket[0] += 1
                bucket[1] += ranked[0] == intent
                bucket[2] += intent in ranked[:3]
    finally:
        matching.index_for = original
    return counts


def ratio(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "n/a"


def timed_processes(commands: dict[str, list[str]], runs: int = 9) -> dict[str, float | None]:
    """Median wall time of a fresh process per command, the commands interleaved run by run (so a
    busy minute weighs on all of them alike); None for a command that fails."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    failed: set[str] = set()
    for _ in range(runs):
        for name, args in commands.items():
            if name in failed:
                continue
            start = time.perf_counter()
            done = subprocess.run(args, capture_output=True, text=True)
            samples[name].append(time.perf_counter() - start)
            if done.returncode != 0:
                failed.add(name)
    return {name: None if name in failed else statistics.median(times) for name, times in samples.items()}


BLIND = Path(__file__).resolve().parent.parent / "tests" / "data" / "match_blind.jsonl"
BLIND_2 = Path(__file__).resolve().parent.parent / "tests" / "data" / "match_blind_2.jsonl"
LEGACY = {
    "scam_report": {"scam_report", "secret_exposed", "unauthorized_transfer", "token_approval", "investment_scam",
                    "address_poisoning"},
    "other": {"other", "product_question"},
    "greeting_thanks": {"greeting", "thanks"},
}
"""The development set and the older held-out cases were labelled before the taxonomy of December
2026: an old label accepts the intents it was split into (the blind sets are labelled in the new one)."""


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion."""
    if not n:
        return 0.0, 0.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    margin = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return max(0.0, centre - margin), min(1.0, centre + margin)


def blind_report(path: Path = BLIND, title: str = "written blind, frozen", errors: bool = False) -> None:
    """The frozen blind set first: the whole `reply` pipeline (language, guard, intent, urgency).

    A label lists every acceptable intent; a one-word message's language is right in any of our
    five. Intents the library does not have yet (secret_exposed, unauthorized_transfer, ...) count
    as misses: this is the figure before the taxonomy work. Totals only, never the messages.
    """
    from supportkit.config import load_config
    from supportkit.pipeline import process_message

    if not path.is_file():
        print(f"blind set {path} not found; skipped.")
        return
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    config = load_config()
    stats: dict[str, dict[str, int]] = {lang: dict.fromkeys(("n", "lang", "short", "short_lang", "top1", "top3", "gp", "gp_ok"), 0)
                                        for lang in LANGS}
    urgent = {split: {"tp": 0, "fp": 0, "fn": 0} for split in ("secret pasted", "no secret")}
    review = {"n": 0, "flagged": 0, "wrong": 0, "wrong_flagged": 0}
    for row in rows:
        result = process_message(row["text"], config)
        accepted = set(row["intents"])
        ranked = [i["id"] for i in result.intents]
        if errors and (ranked[0] not in accepted or result.urgent != row["urgent"]):
            print(f"{row['id']}\t{row['lang']}\t{'/'.join(row['intents'])}\tgot {'/'.join(ranked[:3])}\t"
                  f"urgent {row['urgent']} got {result.urgent}\t{row['text'][:160]!r}", file=sys.stderr)
        counts = stats[row["lang"]]
        counts["n"] += 1
        one_word = "one_word" in row.get("tags", [])
        short = len(row["text"].split()) <= 3 and not any("\u4e00" <= c <= "\u9fff" for c in row["text"])
        language_right = result.language == row["lang"] or (one_word and result.language in LANGS)
        counts["lang"] += language_right
        counts["short"] += short
        counts["short_lang"] += short and language_right
        right = ranked[0] in accepted
        counts["top1"] += right
        counts["top3"] += any(i in accepted for i in ranked[:3])
        if "greeting_plus_problem" in row.get("tags", []):
            counts["gp"] += 1
            counts["gp_ok"] += right
        review["n"] += 1
        review["flagged"] += result.needs_review
        review["wrong"] += not right
        review["wrong_flagged"] += (not right) and result.needs_review
        split = urgent["secret pasted" if result.secret_found or row.get("secret") else "no secret"]
        split["tp"] += result.urgent and row["urgent"]
        split["fp"] += result.urgent and not row["urgent"]
        split["fn"] += (not result.urgent) and row["urgent"]
    print(f"Blind set ({path.name}, {len(rows)} messages {title}; the whole reply pipeline):")
    print("| language | n | language right (<= 3 words) | intent top-1 (95% CI) | top-3 | greeting + problem |")
    print("|---|---|---|---|---|---|")
    for lang, st in stats.items():
        low, high = wilson(st["top1"], st["n"])
        print(f"| {lang} | {st['n']} | {ratio(st['lang'], st['n'])} ({ratio(st['short_lang'], st['short'])}) "
              f"| {ratio(st['top1'], st['n'])} ({low:.0%}-{high:.0%}) | {ratio(st['top3'], st['n'])} "
              f"| {st['gp_ok']}/{st['gp']} |")
    for name, counts in urgent.items():
        tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
        if tp + fp + fn == 0:
            print(f"Urgent, {name}: none in this set.")
            continue
        print(f"Urgent, {name}: precision {ratio(tp, tp + fp)}, recall {ratio(tp, tp + fn)} "
              f"({tp + fn} urgent messages).")
    print(f"needs_review: {ratio(review['flagged'], review['n'])} of messages flagged; "
          f"{ratio(review['wrong_flagged'], review['wrong'])} of the wrong top-1 answers flagged.")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--errors", action="store_true", help="print every miss to stderr")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-process timing")
    parser.add_argument("--cv", action="store_true", help="also cross-validate over the templates' examples")
    parser.add_argument("--development", action="store_true",
                        help="while tuning: leave out the second blind set (never tuned on) and the cold timing")
    options = parser.parse_args()
    if options.development:
        options.no_cold = True
    else:
        blind_report(BLIND_2, "written blind 2026-12-08, frozen, never tuned on")
    blind_report(BLIND, "written blind 2026-12-07, frozen; a development set since 2026-12-08", errors=options.errors)
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
                ("held-out, tuned (match_cases.yaml)", [c for c in cases if not c.get("set")])]
    # Blind sets ("blind", "blind-2", ...) are reported as totals only: --errors never lists
    # their misses, so nobody tunes on them by accident.
    for blind_set in sorted({str(c["set"]) for c in cases if c.get("set")}):
        datasets.append((f"held-out, {blind_set} (match_cases.yaml)", [c for c in cases if c.get("set") == blind_set]))
    results = []
    for name, rows in datasets:
        show = options.errors and "blind" not in name
        if show:
            print(f"--- {name}", file=sys.stderr)
        results.append((name, rows, evaluate(rows, library, guard, detect, show)))

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
    if options.cv:
        counts = cross_validate(library)
        cells = [f"{ratio(counts[lang][1], counts[lang][0])} / {ratio(counts[lang][2], counts[lang][0])}"
                 if lang in counts else "n/a" for lang in LANGS]
        print("| 5-fold CV over the templates' examples | " + " | ".join(cells) + " | | |")
    print()
    print("Matching's own urgency cues on messages without a secret (the guard flags those): "
          + "; ".join(f"{name.split(' (')[0]} P {ratio(m['tp'], m['tp'] + m['fp'])} / R {ratio(m['tp'], m['tp'] + m['fn'])}"
                      for name, _rows, result in results for m in [result["matching_urgent"]]) + ".")
    times = sorted(t for _, _, r in results for t in r["times"])
    mean = statistics.fmean(times) * 1000
    p95 = times[int(0.95 * (len(times) - 1))] * 1000
    print(f"Classify, first pass (cue regexes compile on first use): mean {mean:.2f} ms, p95 {p95:.2f} ms "
          f"per message ({len(times)} messages).")
    steady = steady_classify(results, library)
    print(f"Warm classify (steady state, best of 3 per message): mean {steady[0]:.2f} ms, p95 {steady[1]:.2f} ms.")
    pipeline = warm_pipeline([row["text"] for row in datasets[0][1]])
    if pipeline is None:
        print("Warm `reply` pipeline: skipped (supportkit.pipeline does not run yet).")
    else:
        print(f"Warm `reply` pipeline (normalize, guard, detect, classify, select, render; as `reply --lines`): "
              f"mean {pipeline[0]:.2f} ms, p95 {pipeline[1]:.2f} ms per message, best of 3 (target <= 5 ms).")
    if not options.no_cold:
        # The installed command, as users run it (and as bench_detect times detect); else -m.
        script = Path(sys.executable).with_name("supportkit")
        exe = [str(script)] if script.exists() else [sys.executable, "-m", "supportkit"]
        commands = {
            "reply": exe + ["reply", "--json", "I forgot my wallet password"],
            "reply_zh": exe + ["reply", "--json", "我忘记了钱包密码"],
            "detect": exe + ["detect", "--json", "I forgot my wallet password"],
            # The cold detect target (issue 2) is half of this; reply's target is that same figure.
            "langdetect": [sys.executable, "-c", "from langdetect import detect; detect('hola amigo')"],
        }
        cold = timed_processes(commands)
        if cold["reply"] is None:
            print("Cold `supportkit reply`: skipped (the command does not run yet).")
        else:
            def ms(name: str) -> str:
                value = cold[name]
                return f"{value * 1000:.0f} ms" if value is not None else "n/a"

            line = (f"Cold process (median of 9, interleaved): `supportkit reply` {ms('reply')} (Chinese message "
                    f"{ms('reply_zh')}); `supportkit detect` {ms('detect')}; langdetect one-liner {ms('langdetect')}")
            langdetect = cold["langdetect"]
            if langdetect is not None:
                worst = max(cold["reply"], cold["reply_zh"] or 0.0)
                verdict = "meets" if worst <= langdetect / 2 else "MISSES"
                line += f". Target: reply <= half of langdetect ({langdetect * 500:.0f} ms): {verdict}"
            print(line + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())

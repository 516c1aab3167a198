"""Benchmark language detection: supportkit against langdetect and installed peers, in one run.

Reads ../shared/data (the public language-ID test set in langid/ and the help-desk
development messages in messages_dev.jsonl); that folder is not part of a clone, so
the script says so and exits 2 when it is missing.

Each detector runs in its own subprocess, so load time and peak memory (max RSS)
are its own. Printed: a markdown table of accuracy per length class (mean over our
five languages), the rate at which pt/it/ca/de/uk/bg/ja/ko samples are labelled as
one of our five, accuracy on the help-desk messages (all, and three words or
fewer), samples/s, load time, peak memory, and the cold-process time of
``supportkit detect "hola amigo"`` against the langdetect one-liner.

    python scripts/bench_detect.py [--data DIR] [--only supportkit,langdetect] [--per-language] [--no-messages]

``--no-messages`` leaves messages_dev.jsonl unread (for a session that must not see it): the
langid rows, speed, memory and cold start only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

OURS = ("en", "zh", "es", "ru", "fr")
CONFUSABLE = ("pt", "it", "ca", "de", "uk", "bg", "ja", "ko")
CLASSES = ("single-words", "word-pairs", "sentences")
DETECTORS = ("supportkit", "langdetect", "lingua", "py3langid")
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def load_samples(data: Path, with_messages: bool = True) -> tuple[list[tuple[str, str, str]], list[dict]]:
    """(lang, class, text) from langid/, and the help-desk messages."""
    samples = []
    for lang in OURS + CONFUSABLE:
        for cls in CLASSES:
            path = data / "langid" / lang / f"{cls}.txt"
            for line in path.read_text(encoding="utf-8").splitlines():
                samples.append((lang, cls, line))
    if not with_messages:
        return samples, []
    messages = [json.loads(line) for line in (data / "messages_dev.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]
    return samples, messages


# --- workers (one per subprocess) ----------------------------------------------------


def _make_detector(name: str):  # noqa: ANN202 - returns a callable str -> code
    if name == "supportkit":
        from supportkit.detection import detect

        detect("warm up the model")  # loads (or builds, once) the compiled model
        return lambda text: detect(text).language
    if name == "langdetect":
        from langdetect import DetectorFactory
        from langdetect import detect as ld_detect
        from langdetect.detector_factory import init_factory

        DetectorFactory.seed = 0
        init_factory()

        def run(text: str) -> str:
            try:
                return ld_detect(text).split("-")[0]
            except Exception:  # langdetect raises on text without features; counted as wrong
                return "error"

        return run
    if name == "lingua":
        from lingua import LanguageDetectorBuilder

        detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

        def run_lingua(text: str) -> str:
            found = detector.detect_language_of(text)
            return found.iso_code_639_1.name.lower() if found is not None else "und"

        return run_lingua
    if name == "py3langid":
        import py3langid

        py3langid.classify("warm up")
        return lambda text: py3langid.classify(text)[0]
    raise SystemExit(f"unknown detector {name}")


def worker(name: str, data: Path, with_messages: bool) -> None:
    """Run one detector over every sample; print its predictions and figures as JSON."""
    import resource

    samples, messages = load_samples(data, with_messages)
    started = time.perf_counter()
    run = _make_detector(name)
    load_seconds = time.perf_counter() - started
    texts = [s[2] for s in samples] + [m["text"] for m in messages]
    started = time.perf_counter()
    predictions = [run(t) for t in texts]
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump({"predictions": predictions, "load": load_seconds, "seconds": seconds, "count": len(texts),
               "peak_mb": peak_kb / 1024}, sys.stdout)


def installed(name: str) -> bool:
    import importlib.util

    module = {"supportkit": "supportkit", "langdetect": "langdetect", "lingua": "lingua",
              "py3langid": "py3langid"}[name]
    return importlib.util.find_spec(module) is not None


# --- scoring ---------------------------------------------------------------------------


def score(samples: list[tuple[str, str, str]], messages: list[dict], predictions: list[str]) -> dict:
    n = len(samples)
    hits: dict[tuple[str, str], list[int]] = {}
    confused = confusable_total = 0
    confused_by: dict[tuple[str, str], list[bool]] = {}
    for (lang, cls, _), pred in zip(samples, predictions[:n], strict=True):
        hits.setdefault((lang, cls), []).append(pred == lang)
        if lang in CONFUSABLE:
            confusable_total += 1
            confused += pred in OURS
            confused_by.setdefault((lang, cls), []).append(pred in OURS)
    acc = {key: sum(v) / len(v) for key, v in hits.items()}
    per_class = {cls: statistics.mean(acc[(lang, cls)] for lang in OURS) for cls in CLASSES}
    per_lang = {lang: statistics.mean(acc[(lang, cls)] for cls in CLASSES) for lang in OURS + CONFUSABLE}
    ours_msgs = [(m, p) for m, p in zip(messages, predictions[n:], strict=True) if m["lang"] in OURS]
    nan = float("nan")
    short = [(m, p) for m, p in ours_msgs if len(m["text"].split()) <= 3]
    others = [(m, p) for m, p in zip(messages, predictions[n:], strict=True) if m["lang"] not in OURS]
    return {
        "mean": statistics.mean(per_lang[lang] for lang in OURS),
        "per_class": per_class,
        "per_lang": per_lang,
        "acc": acc,
        "confusable": confused / confusable_total,
        "confusable_mean": statistics.mean(sum(v) / len(v) for v in confused_by.values()),
        "messages": sum(m["lang"] == p for m, p in ours_msgs) / len(ours_msgs) if ours_msgs else nan,
        "messages_short": sum(m["lang"] == p for m, p in short) / len(short) if short else nan,
        "messages_short_n": len(short),
        "messages_other": sum(m["lang"] == p for m, p in others) / len(others) if others else nan,
    }


def cold_start(runs: int) -> dict[str, float]:
    """Median wall time of a fresh process for each one-liner (the supportkit cache is warmed first)."""
    exe = Path(sys.executable).parent / "supportkit"
    ours = [str(exe), "detect", "hola amigo"] if exe.exists() else [sys.executable, "-m", "supportkit", "detect",
                                                                     "hola amigo"]
    theirs = [sys.executable, "-c", "from langdetect import detect; detect('hola amigo')"]
    subprocess.run(ours, check=True, capture_output=True)  # build the model cache once, outside the timing
    times: dict[str, list[float]] = {"supportkit": [], "langdetect": []}
    for _ in range(runs):
        for name, cmd in (("supportkit", ours), ("langdetect", theirs)):
            started = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with langid/ and messages_dev.jsonl")
    parser.add_argument("--only", help="comma-separated detectors (default: all installed)")
    parser.add_argument("--per-language", action="store_true", help="also print accuracy per language and class")
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--no-messages", action="store_true", help="do not read messages_dev.jsonl")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with_messages = not args.no_messages
    if not (args.data / "langid").is_dir() or with_messages and not (args.data / "messages_dev.jsonl").is_file():
        print(f"bench_detect: benchmark data not found in {args.data} (needs langid/ and messages_dev.jsonl, "
              "which live in ../shared/data beside the repository, not in it). Pass --data DIR.", file=sys.stderr)
        return 2
    if args.worker:
        worker(args.worker, args.data, with_messages)
        return 0
    names = [n for n in (args.only.split(",") if args.only else DETECTORS) if installed(n)]
    samples, messages = load_samples(args.data, with_messages)
    results = {}
    for name in names:
        print(f"running {name} ...", file=sys.stderr)
        out = subprocess.run([sys.executable, __file__, "--worker", name, "--data", str(args.data),
                              *(["--no-messages"] if args.no_messages else [])],
                             check=True, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        figures = json.loads(out.stdout)
        results[name] = {**figures, **score(samples, messages, figures["predictions"])}
    cold = cold_start(args.cold_runs) if "supportkit" in names and "langdetect" in names else None

    labels = {"supportkit": "supportkit", "langdetect": "langdetect (seed 0)",
              "lingua": "lingua (high accuracy, all languages)", "py3langid": "py3langid"}
    print(f"| metric | {' | '.join(labels[n] for n in names)} |")
    print(f"|---|{'---:|' * len(names)}")

    def row(title: str, values: list[str]) -> None:
        print(f"| {title} | {' | '.join(values)} |")

    row("langid, our five: mean", [pct(results[n]["mean"]) for n in names])
    for cls in CLASSES:
        row(f"langid, our five: {cls}", [pct(results[n]["per_class"][cls]) for n in names])
    row("confusables (pt it ca de uk bg ja ko) labelled as one of our five, all samples",
        [pct(results[n]["confusable"]) for n in names])
    row("same, mean over the 24 language x class cells", [pct(results[n]["confusable_mean"]) for n in names])
    if with_messages:
        row("messages_dev, our five", [pct(results[n]["messages"]) for n in names])
        short_n = results[names[0]]["messages_short_n"]
        row(f"messages_dev, our five, <= 3 words (n={short_n})", [pct(results[n]["messages_short"]) for n in names])
        row("messages_dev, other languages", [pct(results[n]["messages_other"]) for n in names])
    base = results.get("langdetect", {}).get("count", 0) / results["langdetect"]["seconds"] if "langdetect" in results else 0
    row("samples/s", [f"{results[n]['count'] / results[n]['seconds']:,.0f}"
                      + (f" ({results[n]['count'] / results[n]['seconds'] / base:.1f}x)" if base else "")
                      for n in names])
    row("load time", [f"{results[n]['load']:.2f} s" for n in names])
    row("peak memory (max RSS)", [f"{results[n]['peak_mb']:.0f} MB" for n in names])
    if cold:
        row('cold process, `detect "hola amigo"` (median)',
            [f"{cold['supportkit']:.2f} s ({cold['supportkit'] / cold['langdetect']:.2f}x)" if n == "supportkit"
             else f"{cold['langdetect']:.2f} s" if n == "langdetect" else "-" for n in names])
    if args.per_language:
        print()
        print(f"| language / class | {' | '.join(names)} |")
        print(f"|---|{'---:|' * len(names)}")
        for lang in OURS + CONFUSABLE:
            for cls in CLASSES:
                row(f"{lang} {cls}", [pct(results[n]["acc"][(lang, cls)]) for n in names])
    return 0


if __name__ == "__main__":
    sys.exit(main())

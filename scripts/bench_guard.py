"""Guard benchmark: held-out false alarms, the adversarial corpus, time against length, the dev set.

    python scripts/bench_guard.py [--data ../shared/data/messages_dev.jsonl] [--repeat 20] [--json]
                                  [--only false-alarms|attacks|scaling|dev]

Sections, in this order (held-out figures first):

1. false alarms per language on text that holds no secret: the second benign set
   (``tests/data/guard/benign_blind_2.jsonl``, written blind and never tuned on: the headline),
   the first benign set (``benign_blind.jsonl``; its failures were looked at, so it is a
   development figure now), the public language-ID sentences and the dev messages without a
   secret (``../shared/data``, when present). Targets: <= 0.1% overall, <= 0.5% per language
   (pooled over every source that has the language). A bare 64-hex or base58 string with no
   word around it is removed as a precaution (it may be a key export) but not reported as a
   secret: those are counted apart;
2. the adversarial corpus of ``tests/guard_attacks.py`` (10,000+ generated attacks): recall,
   coverage and leftovers per class (target 100%), negatives flagged;
3. time against length: ``scan`` on 1,000 to 100,000 characters of each script (public
   sentences), of Chinese and English word-list text, and of hex-like junk, best of three
   (target <= 100 ms at 100,000 characters);
4. the dev set (``--data``): secret recall, false alarms, leaks, scam signals, time per message.

Prints message ids, never message text. A section whose data is absent says so and is skipped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "data"
DEFAULT_DATA = SHARED / "messages_dev.jsonl"
GUARD_DATA = ROOT / "tests" / "data" / "guard"
LANGUAGES = ("zh", "en", "es", "ru", "fr")
LENGTHS = (1_000, 10_000, 30_000, 100_000)


def _benign_sources(dev: Path) -> dict[str, list[tuple[str, str]]]:
    """Text without a secret, by source: [(language, text)]."""
    sources: dict[str, list[tuple[str, str]]] = {}
    for name in ("benign_blind_2", "benign_blind"):
        path = GUARD_DATA / f"{name}.jsonl"
        if path.is_file():
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            sources[name] = [(row["lang"], row["text"]) for row in rows]
    langid = SHARED / "langid"
    if langid.is_dir():
        sources["langid"] = [(folder.name, line.strip()) for folder in sorted(langid.iterdir()) if folder.is_dir()
                             for file in sorted(folder.glob("*.txt"))
                             for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    if dev.is_file():
        rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
        sources["dev"] = [(row["lang"], row["text"]) for row in rows if not row["secret"]]
    return sources


def benign_report(dev: Path) -> dict[str, Any]:
    """Messages flagged among those that hold no secret, per source and language, then pooled."""
    from supportkit.guard import guard_text

    sources = _benign_sources(dev)
    if "langid" not in sources:
        print(f"bench_guard: {SHARED} not found; false alarms measured on the committed benign sets only.")
    report: dict[str, Any] = {"sources": {}, "pooled": {}}
    pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, rows in sources.items():
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        precautions = 0
        for lang, text in rows:
            result = guard_text(text)
            precautions += result.precaution
            counts[lang][0] += result.secret_found
            counts[lang][1] += 1
            pooled[lang][0] += result.secret_found
            pooled[lang][1] += 1
        report["sources"][name] = {"flagged": sum(c[0] for c in counts.values()),
                                   "total": sum(c[1] for c in counts.values()), "precautions": precautions,
                                   "per_language": {k: f"{v[0]}/{v[1]}" for k, v in sorted(counts.items())}}
    report["pooled"] = {k: {"flagged": v[0], "total": v[1], "rate": round(v[0] / v[1], 5)}
                        for k, v in sorted(pooled.items())}
    flagged_all = sum(v[0] for v in pooled.values())
    total_all = sum(v[1] for v in pooled.values())
    report["overall"] = {"flagged": flagged_all, "total": total_all, "rate": round(flagged_all / max(1, total_all), 5)}
    return report


def print_false_alarms(report: dict[str, Any]) -> None:
    print("1. false alarms on text without a secret (held-out set first)")
    for name, source in report["sources"].items():
        shown = ", ".join(f"{k} {v}" for k, v in source["per_language"].items() if k in LANGUAGES)
        print(f"  {name:<15} {source['flagged']:>4}/{source['total']:<6} {shown}"
              f"  (+{source['precautions']} bare hash-or-key strings removed as a precaution)")
    ours = {k: v for k, v in report["pooled"].items() if k in LANGUAGES}
    print("  pooled per language: " + ", ".join(f"{k} {v['flagged']}/{v['total']} ({v['rate']:.2%})"
                                                for k, v in ours.items()))
    overall = report["overall"]
    print(f"  overall {overall['flagged']}/{overall['total']} = {overall['rate']:.3%}"
          f"  (targets: <= 0.1% overall, <= 0.5% per language)")


def attack_report() -> dict[str, Any]:
    """Recall, coverage and leftovers per class of the generated adversarial corpus."""
    import tests.test_guard_attacks as corpus

    per_class: dict[str, dict[str, int]] = {}
    for cls, cases in corpus.BY_CLASS.items():
        missed = uncovered = left = 0
        for case in cases:
            if corpus._found(case):
                missed += 1
                continue
            uncovered += bool(corpus._uncovered(case))
            left += bool(corpus._left(case))
        per_class[cls] = {"cases": len(cases), "missed": missed, "uncovered": uncovered, "left": left}
    negatives = corpus.attacks.negatives()
    flagged = sum(bool(corpus.scan(text).findings) for _cls, text in negatives)
    total = sum(c["cases"] for c in per_class.values())
    found = total - sum(c["missed"] for c in per_class.values())
    return {"cases": total, "recall": round(found / total, 5), "per_class": per_class,
            "negatives_flagged": f"{flagged}/{len(negatives)}"}


def print_attacks(report: dict[str, Any]) -> None:
    print(f"2. adversarial corpus: {report['cases']} cases, recall {report['recall']:.2%}, "
          f"negatives flagged {report['negatives_flagged']}")
    for cls, counts in report["per_class"].items():
        recall = 1 - counts["missed"] / counts["cases"]
        print(f"  {cls:<13} {counts['cases']:>5} cases  recall {recall:7.2%}  not fully covered {counts['uncovered']:>3}"
              f"  words left {counts['left']:>3}")


def scaling_report(repeat: int = 5) -> dict[str, Any]:
    """Milliseconds of ``scan`` against length for each script and for adversarial text."""
    import random

    from mnemonic import Mnemonic

    from supportkit.guard import scan

    rng = random.Random(7)
    texts: dict[str, str] = {}
    langid = SHARED / "langid"
    for lang in ("zh", "en", "es", "ru", "fr", "ja", "ko"):
        folder = langid / lang
        if folder.is_dir():
            lines = [line for file in sorted(folder.glob("*.txt"))
                     for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
            rng.shuffle(lines)
            texts[f"{lang} sentences"] = " ".join(lines)
    for wordlist, joiner in (("chinese_simplified", ""), ("chinese_simplified", " "), ("english", " ")):
        words = Mnemonic(wordlist).wordlist
        label = f"{wordlist} list words" + (" spaced" if joiner and wordlist.startswith("chinese") else "")
        texts[label] = joiner.join(rng.choice(words) for _ in range(60_000))
    texts["hex-like junk"] = " ".join(f"{rng.getrandbits(128):032x}"[: rng.randint(8, 40)] for _ in range(8_000))
    scan("warm up 助记词 " + " ".join(Mnemonic("english").wordlist[:12]))
    report: dict[str, Any] = {}
    for label, text in texts.items():
        while len(text) < LENGTHS[-1]:
            text += " " + text
        row = {}
        for length in LENGTHS:
            piece = text[:length]
            best = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                scan(piece)
                best = min(best, time.perf_counter() - started)
            row[length] = round(best * 1000, 1)
        report[label] = row
    return report


def print_scaling(report: dict[str, Any]) -> None:
    print("3. scan time (ms, best of 5) against length in characters (target <= 100 ms at 100,000)")
    print("  " + " " * 34 + "".join(f"{length:>10,}" for length in LENGTHS))
    for label, row in report.items():
        print(f"  {label:<34}" + "".join(f"{row[length]:>10}" for length in LENGTHS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=20, help="timing passes (best is kept per message)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--only", choices=("false-alarms", "attacks", "scaling", "dev"), help="run one section")
    args = parser.parse_args()
    sections: dict[str, Any] = {}
    if args.only in (None, "false-alarms"):
        sections["false_alarms"] = benign_report(args.data)
        if not args.json:
            print_false_alarms(sections["false_alarms"])
    if args.only in (None, "attacks"):
        sections["attacks"] = attack_report()
        if not args.json:
            print_attacks(sections["attacks"])
    if args.only in (None, "scaling"):
        sections["scaling"] = scaling_report()
        if not args.json:
            print_scaling(sections["scaling"])
    if args.only not in (None, "dev"):
        if args.json:
            print(json.dumps(sections, indent=2))
        return 0
    if not args.data.is_file():
        print(f"bench_guard: {args.data} not found; the dev section is skipped (the dev data lives in ../shared/data).")
        if args.json:
            print(json.dumps(sections, indent=2))
        return 0
    if not args.json:
        print("4. dev set")

    from supportkit.guard import scan
    from supportkit.text import normalize

    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [normalize(row["text"]).text for row in rows]
    scan("warm up")
    for text in texts:
        scan(text)  # loads the word lists and the Chinese table once

    per_lang: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    missed: list[str] = []
    false_alarms: list[str] = []
    leaks: list[str] = []
    scam = {"urgent": 0, "urgent_total": 0, "not_urgent": 0, "not_urgent_total": 0,
            "urgent_raised": 0, "not_urgent_raised": 0}
    for row, text in zip(rows, texts, strict=True):
        result = scan(text)
        stats = per_lang[row["lang"]]
        if row["secret"]:
            stats["secret"] += 1
            if result.secret_found:
                stats["found"] += 1
                if _leaks(text, result):
                    leaks.append(row["id"])
            else:
                missed.append(row["id"])
        else:
            stats["other"] += 1
            if result.secret_found:
                stats["false_alarm"] += 1
                false_alarms.append(row["id"])
        if not row["secret"]:
            key = "urgent" if row.get("urgent") else "not_urgent"
            scam[key + "_total"] += 1
            scam[key] += bool(result.scam_signals)
            scam[key + "_raised"] += result.urgent

    best = [float("inf")] * len(texts)
    for _ in range(max(1, args.repeat)):
        for i, text in enumerate(texts):
            started = time.perf_counter()
            scan(text)
            best[i] = min(best[i], time.perf_counter() - started)
    micros = sorted(t * 1e6 for t in best)

    secrets = sum(s["secret"] for s in per_lang.values())
    others = sum(s["other"] for s in per_lang.values())
    report: dict[str, Any] = {
        "messages": len(rows),
        "secret_recall": round(sum(s["found"] for s in per_lang.values()) / max(1, secrets), 4),
        "false_alarm_rate": round(len(false_alarms) / max(1, others), 4),
        "secrets": secrets, "others": others,
        "missed": missed, "false_alarms": false_alarms, "leaks": leaks,
        "per_language": {lang: dict(stats) for lang, stats in sorted(per_lang.items())},
        "scam_signal_rate": {
            "urgent_without_secret": round(scam["urgent"] / max(1, scam["urgent_total"]), 4),
            "not_urgent": round(scam["not_urgent"] / max(1, scam["not_urgent_total"]), 4),
        },
        "guard_urgency_without_secret": {
            "on_urgent": f"{scam['urgent_raised']}/{scam['urgent_total']}",
            "on_not_urgent": f"{scam['not_urgent_raised']}/{scam['not_urgent_total']}",
        },
        "microseconds_per_message": {"median": round(statistics.median(micros), 1),
                                     "p90": round(micros[int(len(micros) * 0.9)], 1),
                                     "mean": round(statistics.fmean(micros), 1), "max": round(micros[-1], 1)},
    }
    if args.json:
        print(json.dumps({**sections, "dev": report}, indent=2))
        return 0
    print(f"{len(rows)} messages from {args.data}")
    print(f"secret recall  {report['secret_recall']:.2%}  ({secrets - len(missed)}/{secrets})  missed: "
          f"{', '.join(missed) or 'none'}")
    print(f"false alarms   {report['false_alarm_rate']:.2%}  ({len(false_alarms)}/{others})  ids: "
          f"{', '.join(false_alarms) or 'none'}")
    print(f"leaks after redaction: {', '.join(leaks) or 'none'}")
    print("per language   secret found/total   false alarms/others")
    for lang, stats in report["per_language"].items():
        print(f"  {lang:<4}        {stats.get('found', 0):>3}/{stats.get('secret', 0):<3}"
              f"              {stats.get('false_alarm', 0):>3}/{stats.get('other', 0)}")
    rates = report["scam_signal_rate"]
    print(f"scam signals on non-secret messages: labelled urgent {rates['urgent_without_secret']:.0%}, "
          f"not urgent {rates['not_urgent']:.0%}")
    raised = report["guard_urgency_without_secret"]
    print(f"guard urgency (a scam acted on) on non-secret messages: labelled urgent {raised['on_urgent']}, "
          f"not urgent {raised['on_not_urgent']}")
    timing = report["microseconds_per_message"]
    print(f"scan time per message (us): median {timing['median']}, p90 {timing['p90']}, mean {timing['mean']}, "
          f"max {timing['max']}")
    return 0


def _leaks(text: str, result: object) -> bool:
    """Did a piece of a found secret survive? Runs of list words, Han characters or hex digits."""
    import re

    from supportkit.guard.phrases import HAN, _token_re, lexicon

    _HAN_RE = re.compile(f"[{HAN}]+")
    _PLAIN_TOKEN_RE = _token_re(True, False, named=False)  # words and Han runs

    redacted: str = result.redacted  # type: ignore[attr-defined]
    for finding in result.findings:  # type: ignore[attr-defined]
        secret = text[finding.start:finding.end]
        if finding.kind == "recovery_phrase":
            words = [w.lower() for w in _PLAIN_TOKEN_RE.findall(secret)]
            if all(len(w) == 1 or _HAN_RE.fullmatch(w) for w in words):  # Chinese: compare characters
                chars = "".join(words)
                left = "".join(_PLAIN_TOKEN_RE.findall(redacted))
                if any(chars[i:i + 3] in left for i in range(len(chars) - 2)):
                    return True
                continue
            listed = [w for w in words if w in lexicon().masks]
            left = " " + " ".join(w.lower() for w in _PLAIN_TOKEN_RE.findall(redacted)) + " "
            if any(" " + " ".join(listed[i:i + 3]) + " " in left for i in range(len(listed) - 2)):
                return True
        else:
            for run in re.findall(r"[0-9A-Za-z]{16,}", secret):
                if any(run[i:i + 16] in redacted for i in range(0, len(run) - 15, 4)):
                    return True
    return False


if __name__ == "__main__":
    raise SystemExit(main())

"""Guard benchmark on the dev messages: secret recall, false alarms, per language, time per message.

    python scripts/bench_guard.py [--data ../shared/data/messages_dev.jsonl] [--repeat 20] [--json]

- recall: messages labelled ``secret`` that ``scan`` flags (target 100%);
- false alarms: other messages it flags (target <= 0.5%);
- leaks: flagged messages whose redacted text still holds a run of 3 list words (or 3
  Han characters, or 16 hex digits) of the original that the redaction should have removed;
- scam signals: how often they fire on non-secret messages labelled urgent and not urgent, and
  how often the guard itself makes such a message urgent (a scam the customer acted on);
- time: ``scan`` per message after the pipeline's normalization, median / p90 / mean in
  microseconds, best of ``--repeat`` passes.

Prints message ids, never message text. Exits 0 with a note when the data is absent.
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

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "messages_dev.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=20, help="timing passes (best is kept per message)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"bench_guard: {args.data} not found; nothing to measure (the dev data lives in ../shared/data).")
        return 0

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
        print(json.dumps(report, indent=2))
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

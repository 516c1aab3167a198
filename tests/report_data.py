"""Generated ticket exports, already labelled, for the report's tests and scripts/bench_report.py.

``write_labelled(folder, tickets, seed)`` writes an export (JSON Lines: id, text, ticket_id and
the metadata columns) and the labels file ``label_export`` would have written for it, stamped
complete, so ``build_report`` reads no export again and runs no pipeline: the figures are what is
measured. Some tickets hold several messages; some timestamps are garbage (counted out); some
ratings and reopen flags are missing.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

LANGUAGES = {"en": 40, "zh": 25, "es": 15, "ru": 12, "fr": 8}
INTENTS = {"tx_pending": 20, "deposit_missing": 15, "forgot_password": 12, "wallet_recovery": 10, "swap_usdt": 8,
           "network_fee": 8, "token_missing": 7, "scam_report": 6, "other": 8, "rare_intent": 1}
CHANNELS = {"chat": 60, "email": 35, "telegram": 5}
TEXTS = ["my transfer of {n} USDT is pending", "deposit from exchange not arrived after {n} hours",
         "I forgot my wallet password", "how do I restore my wallet on a new phone", "swap {n} USDT to TRX fails",
         "why is the network fee {n} TRX", "token {n} not shown", "a site asks me to pay {n} to withdraw",
         "hello?", "please call me"]
START = dt.datetime(2026, 9, 7, tzinfo=dt.UTC)  # a Monday


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _stamp(moment: dt.datetime, rng: random.Random) -> str:
    """A timestamp as exports write them: ISO with Z or an offset, or seconds since 1970."""
    style = rng.random()
    if style < 0.6:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style < 0.9:
        return moment.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()
    return str(int(moment.timestamp()))


def generate(tickets: int, seed: int, weeks: int = 8,
             wave: tuple[str, str, int, int] | None = None) -> list[dict[str, Any]]:
    """Labels rows of ``tickets`` tickets over ``weeks`` weeks (some tickets with 2-3 messages).

    ``wave``: (intent, language, week, tickets) more tickets of that intent and language in that week.
    """
    return list(generate_rows(tickets, seed, weeks, wave))


def generate_rows(tickets: int, seed: int, weeks: int = 8,
                  wave: tuple[str, str, int, int] | None = None) -> Iterator[dict[str, Any]]:
    """``generate``, one row at a time (memory stays flat for the benchmark's million tickets)."""
    rng = random.Random(seed)
    extra = wave[3] if wave else 0
    natives = {(i, lang): rng.random() > 0.15 for i in INTENTS for lang in LANGUAGES}
    line = 0
    span = weeks * 7 * 24 * 3600
    for number in range(tickets + extra):
        language, intent = _pick(rng, LANGUAGES), _pick(rng, INTENTS)
        created = START + dt.timedelta(seconds=rng.randrange(span))
        if wave and number >= tickets:
            intent, language = wave[0], wave[1]
            created = START + dt.timedelta(weeks=wave[2], seconds=rng.randrange(7 * 24 * 3600))
        first = created + dt.timedelta(minutes=rng.lognormvariate(4, 1))
        solved = first + dt.timedelta(minutes=rng.lognormvariate(6, 1))
        meta: dict[str, Any] = {
            "created_at": _stamp(created, rng), "first_response_at": _stamp(first, rng),
            "solved_at": _stamp(solved, rng), "csat": rng.choice(["1", "2", "3", "4", "5", "5", "good", "bad", None]),
            "reopened": rng.choice(["true", "false", "false", "0", "2", None]), "channel": _pick(rng, CHANNELS)}
        roll = rng.random()
        if roll < 0.01:
            meta["created_at"] = "2026-13-45T00:00:00Z"  # looks like a time, is not one: counted out
        elif roll < 0.02:
            meta["first_response_at"] = None
        elif roll < 0.03:
            meta["first_response_at"] = _stamp(created - dt.timedelta(minutes=5), rng)  # before creation: counted out
        ticket = f"T{number}"
        for message in range(1 if rng.random() < 0.9 else rng.randint(2, 3)):
            line += 1
            first_message = message == 0
            yield {
                "id": f"{ticket}-{message}", "line": line, "ticket": ticket,
                "language": language if first_message else _pick(rng, LANGUAGES),
                "intent": intent if first_message else _pick(rng, INTENTS),
                "urgent": rng.random() < 0.1, "secret_found": rng.random() < 0.02,
                "needs_review": rng.random() < 0.2, "template": intent, "locale": language,
                "native": natives[(intent, language)],
                "text": rng.choice(TEXTS).format(n=rng.randint(1, 999)),
                **(meta if first_message else {k: None for k in meta}),
            }


def write_labelled(folder: Path, rows: Iterable[dict[str, Any]], name: str = "export.jsonl") -> tuple[Path, Path]:
    """The export of ``rows`` and its labels file, stamped complete: (export, labels)."""
    from supportkit.report.labels import default_labels_path, mark_complete

    export = folder / name
    labels = default_labels_path(export)
    count = 0
    with export.open("w", encoding="utf-8") as out, labels.open("w", encoding="utf-8") as lab:
        for row in rows:
            count += 1
            out.write(json.dumps({"id": row["id"], "ticket_id": row["ticket"], "text": row["text"],
                                  **{k: row[k] for k in ("created_at", "first_response_at", "solved_at", "csat",
                                                         "reopened", "channel")}}) + "\n")
            lab.write(json.dumps(row, ensure_ascii=False) + "\n")
    mark_complete(export, labels, read=count, rejected=0)
    return export, labels

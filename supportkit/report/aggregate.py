"""The figures of the report, computed by DuckDB from the labels file (no loop over tickets in Python).

One row of the labels file is one message; a ticket is the messages sharing a ``ticket`` (one
row per ticket: the row itself). A ticket's language, intent and channel are its first message's
(lowest line); it is urgent, or holds a pasted secret, when any of its messages does; it was
created at its earliest ``created_at``, first answered at its earliest ``first_response_at``,
solved at its latest ``solved_at``; its rating is its last message's rating, it was reopened
when any row says so.

Timestamps: ISO 8601 (an offset as ``+01:00``, ``+0100`` or ``Z``; none means UTC) or seconds /
milliseconds since 1970,
read with ``TRY_CAST``: a value that is not a time is counted out, never an error. Periods,
``--since``/``--until`` and the hour of day are in the team's time zone (``[report] timezone``).

Percentiles: ``quantile_cont`` (linear interpolation between the two nearest ranks, as NumPy's
default), over the tickets whose both timestamps are valid and in order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supportkit.report.privacy import MIN_GROUP

METHOD = ("Median and 90th percentile by linear interpolation between the two nearest ranks (DuckDB "
          "quantile_cont, NumPy's default), over tickets whose two timestamps are valid and in order; in minutes.")
DIMENSIONS = ("language", "intent", "channel", "urgency")
OTHER_KEY = "other"
"""The key rows of fewer than ``MIN_GROUP`` tickets are folded into in ``volume.by``."""

_LABEL_COLUMNS = ("{'id': 'VARCHAR', 'line': 'BIGINT', 'ticket': 'VARCHAR', 'language': 'VARCHAR', "
                  "'intent': 'VARCHAR', 'urgent': 'BOOLEAN', 'secret_found': 'BOOLEAN', 'needs_review': 'BOOLEAN', "
                  "'native': 'BOOLEAN', 'created_at': 'VARCHAR', 'first_response_at': 'VARCHAR', "
                  "'solved_at': 'VARCHAR', 'csat': 'VARCHAR', 'reopened': 'VARCHAR', 'channel': 'VARCHAR'}")
_TEXT_COLUMNS = "{'line': 'BIGINT', 'ticket': 'VARCHAR', 'text': 'VARCHAR', 'intent': 'VARCHAR', 'needs_review': 'BOOLEAN', 'language': 'VARCHAR'}"

_MACROS = r"""
CREATE MACRO sk_ts(x) AS CASE
    WHEN regexp_full_match(x, '[0-9]{9,11}') THEN to_timestamp(CAST(x AS BIGINT))
    WHEN regexp_full_match(x, '[0-9]{12,14}') THEN to_timestamp(CAST(x AS BIGINT) / 1000.0)
    ELSE TRY_CAST(regexp_replace(x, '([0-9]:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?) ?([+-][0-9]{2})([0-9]{2})$', '\1\4:\5')
                  AS TIMESTAMPTZ) END;
CREATE MACRO sk_sat(x) AS CASE
    WHEN x IN ('good', 'satisfied', 'positive', 'happy', 'very happy', 'extremely happy', 'great', 'yes', 'true') THEN 1
    WHEN x IN ('bad', 'unsatisfied', 'dissatisfied', 'negative', 'unhappy', 'not happy', 'very unhappy',
               'extremely unhappy', 'neutral', 'poor', 'no', 'false') THEN 0
    WHEN TRY_CAST(x AS DOUBLE) BETWEEN 1 AND 5 THEN CASE WHEN TRY_CAST(x AS DOUBLE) >= 4 THEN 1 ELSE 0 END
    ELSE NULL END;
CREATE MACRO sk_yes(x) AS CASE
    WHEN x IN ('true', 'yes', 'y', 'reopened') THEN 1
    WHEN x IN ('false', 'no', 'n') THEN 0
    WHEN TRY_CAST(x AS DOUBLE) IS NOT NULL THEN CASE WHEN TRY_CAST(x AS DOUBLE) > 0 THEN 1 ELSE 0 END
    ELSE NULL END;
"""
"""Ratings: 4 or 5 of 5, or good/satisfied, is satisfied; reopened: yes/true or a count above 0."""


@dataclass(frozen=True)
class Window:
    """Which tickets and how they are grouped in time."""

    timezone: str = "UTC"
    since: dt.date | None = None
    until: dt.date | None = None
    by: str = "week"


class Figures:
    """A DuckDB connection holding the tickets of one labels file (table ``t``), filtered by a ``Window``."""

    def __init__(self, labels: Path, window: Window) -> None:
        import duckdb

        self.window = window
        self.labels = labels
        self.con = duckdb.connect(config={"threads": 2})
        con = self.con
        con.execute("SET TimeZone = 'UTC'")
        con.execute(_MACROS)
        con.execute(f"""
            CREATE TEMP TABLE m AS SELECT * FROM read_json(?, format = 'newline_delimited',
                columns = {_LABEL_COLUMNS}, ignore_errors = true) WHERE ticket IS NOT NULL AND line IS NOT NULL""",
                    [str(labels)])
        zone = window.timezone.replace("'", "")
        con.execute(f"""
            CREATE TEMP TABLE all_t AS SELECT *, timezone('{zone}', created) AS local FROM (
                SELECT ticket, count(*) AS messages,
                    arg_min(language, line) AS language, arg_min(intent, line) AS intent,
                    arg_min(channel, line) FILTER (WHERE channel IS NOT NULL) AS channel,
                    CASE WHEN bool_or(urgent) THEN 'urgent' ELSE 'normal' END AS urgency,
                    bool_or(urgent) AS urgent, bool_or(secret_found) AS secret,
                    min(sk_ts(created_at)) AS created, min(sk_ts(first_response_at)) AS first_response,
                    max(sk_ts(solved_at)) AS solved,
                    arg_max(sk_sat(csat), line) FILTER (WHERE sk_sat(csat) IS NOT NULL) AS satisfied,
                    max(sk_yes(reopened)) AS reopened
                FROM m GROUP BY ticket)""")
        conditions = ["true"]
        params: list[Any] = []
        if window.since is not None:
            conditions.append("CAST(local AS DATE) >= ?")
            params.append(window.since)
        if window.until is not None:
            conditions.append("CAST(local AS DATE) <= ?")
            params.append(window.until)
        con.execute(f"CREATE TEMP TABLE t AS SELECT *, CAST(date_trunc('{self._unit()}', local) AS DATE) AS period, "
                    f"CAST(date_trunc('week', local) AS DATE) AS week FROM all_t WHERE {' AND '.join(conditions)}",
                    params)

    def _unit(self) -> str:
        return {"day": "day", "week": "week", "month": "month"}[self.window.by]

    def close(self) -> None:
        self.con.close()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.con.execute(sql, list(params)).fetchone()
        return row[0] if row else None

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    # --- what the export holds ------------------------------------------------------

    def has(self, column: str) -> bool:
        """Whether any message has a valid value of ``column`` (else the export lacks it, or it is empty)."""
        return bool(self.scalar(f"SELECT count(*) FROM m WHERE {column} IS NOT NULL LIMIT 1"))

    def counts(self) -> dict[str, int]:
        return {"tickets": self.scalar("SELECT count(*) FROM t"),
                "messages": self.scalar("SELECT coalesce(sum(messages), 0) FROM t"),
                "undated": self.scalar("SELECT count(*) FROM t WHERE created IS NULL")}

    # --- volume -------------------------------------------------------------------------

    def periods(self) -> list[dt.date]:
        """Every period from the first ticket's to the last one's (empty ones included)."""
        first, last = self.rows("SELECT min(period), max(period) FROM t")[0]
        if first is None:
            return []
        return _calendar(first, last, self.window.by)

    def volume(self, channel: bool) -> dict[str, Any]:
        total = self.scalar("SELECT count(*) FROM t")
        shares = self.rows("SELECT avg(CAST(urgent AS INTEGER)), avg(CAST(secret AS INTEGER)) FROM t")[0]
        periods = self.periods()
        index = {period: i for i, period in enumerate(periods)}
        by: dict[str, list[dict[str, Any]]] = {}
        for dimension in DIMENSIONS:
            if dimension == "channel" and not channel:
                by[dimension] = []
                continue
            key = f"coalesce({dimension}, 'unknown')"
            totals = dict(self.rows(f"SELECT {key}, count(*) FROM t GROUP BY 1"))
            small = {k for k, n in totals.items() if n < MIN_GROUP}
            rows: dict[str, dict[str, Any]] = {}
            for name, n in totals.items():
                shown = OTHER_KEY if name in small else name
                row = rows.setdefault(shown, {"key": shown, "counts": [0] * len(periods), "total": 0})
                row["total"] += n
            for name, period, n in self.rows(f"SELECT {key}, period, count(*) FROM t WHERE period IS NOT NULL "
                                             "GROUP BY 1, 2"):
                rows[OTHER_KEY if name in small else name]["counts"][index[period]] += n
            # The folded rows together may still be fewer than MIN_GROUP: then they are left out.
            by[dimension] = sorted((r for r in rows.values() if r["total"] >= MIN_GROUP),
                                   key=lambda r: (-r["total"], r["key"]))
        return {"total": total, "urgent_share": _share(shares[0]), "secret_share": _share(shares[1]),
                "periods": [p.isoformat() for p in periods], "by": by}

    # --- response times, load, satisfaction -------------------------------------------

    def durations(self, end: str) -> list[dict[str, Any]]:
        """Median and p90 minutes from creation to ``end`` (``first_response`` or ``solved``), overall and by group."""
        minutes = f"(epoch({end}) - epoch(created)) / 60.0"
        found: list[dict[str, Any]] = []
        for dimension in ("all", "language", "intent"):
            key = "NULL" if dimension == "all" else dimension
            rows = self.rows(f"""SELECT {key} AS key, count(*), quantile_cont(x, 0.5), quantile_cont(x, 0.9)
                FROM (SELECT *, {minutes} AS x FROM t) WHERE x IS NOT NULL AND x >= 0 GROUP BY 1
                HAVING count(*) >= {MIN_GROUP} ORDER BY 2 DESC, 1""")
            found.extend({"dimension": dimension, "key": k, "tickets": n, "median": _minutes(median),
                          "p90": _minutes(p90)} for k, n, median, p90 in rows)
        return found

    def load_by_hour(self) -> list[dict[str, Any]]:
        counts = dict(self.rows("SELECT hour(local), count(*) FROM t WHERE local IS NOT NULL GROUP BY 1"))
        return [{"hour": hour, "tickets": counts.get(hour, 0)} for hour in range(24)]

    def satisfaction(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for dimension in ("all", "language", "intent"):
            key = "NULL" if dimension == "all" else dimension
            rows = self.rows(f"""SELECT {key} AS key, count(*), count(satisfied), avg(satisfied),
                    count(reopened), avg(reopened)
                FROM t GROUP BY 1 HAVING count(*) >= {MIN_GROUP} ORDER BY 2 DESC, 1""")
            for k, _tickets, rated, csat, with_reopen, reopen in rows:
                if rated < MIN_GROUP and with_reopen < MIN_GROUP:
                    continue
                found.append({"dimension": dimension, "key": k, "rated": rated,
                              "csat": _share(csat) if rated >= MIN_GROUP else None,
                              "reopen_rate": _share(reopen) if with_reopen >= MIN_GROUP else None})
        return found

    # --- for trends and gaps -------------------------------------------------------------

    def weekly(self) -> tuple[list[dt.date], list[tuple[str, str, dt.date, int]]]:
        """Every week, and the tickets of each (intent, language, week) with at least one."""
        first, last = self.rows("SELECT min(week), max(week) FROM t")[0]
        if first is None:
            return [], []
        rows = self.rows("SELECT intent, coalesce(language, 'und'), week, count(*) FROM t WHERE week IS NOT NULL "
                         "GROUP BY 1, 2, 3")
        return _calendar(first, last, "week"), [(i, lang, w, n) for i, lang, w, n in rows]

    def load_texts(self) -> None:
        """The redacted first message of each ticket (table ``x``), for examples and gaps."""
        self.con.execute(f"""CREATE TEMP TABLE x AS SELECT ticket, line, text, intent, needs_review, language
            FROM read_json(?, format = 'newline_delimited', columns = {_TEXT_COLUMNS}, ignore_errors = true)
            WHERE ticket IS NOT NULL AND text IS NOT NULL AND ticket IN (SELECT ticket FROM t)""", [str(self.labels)])

    def examples(self, intent: str, language: str | None, week: dt.date, limit: int) -> list[str]:
        """Redacted texts of the first messages of tickets of ``intent`` (and ``language``) created in ``week``."""
        condition = "" if language is None else "AND t.language = ?"
        params: list[Any] = [intent, week] + ([] if language is None else [language]) + [limit]
        rows = self.rows(f"""SELECT arg_min(x.text, x.line) FROM t JOIN x USING (ticket)
            WHERE t.intent = ? AND t.week = ? {condition} GROUP BY t.ticket ORDER BY hash(t.ticket) LIMIT ?""", params)
        return [r[0] for r in rows]

    def unanswered(self, limit: int) -> list[tuple[str, str, str, str]]:
        """Up to ``limit`` (ticket, language, intent or needs_review, text) of messages no template answered
        well, a stable sample (by a hash of the ticket id) when there are more."""
        return [(ticket, language, intent, text) for ticket, language, intent, text in self.rows(
            """SELECT ticket, coalesce(language, 'und'), CASE WHEN intent = 'other' THEN 'other' ELSE 'needs_review' END,
                text FROM x WHERE intent = 'other' OR needs_review ORDER BY hash(ticket), line LIMIT ?""", [limit])]

    def missing_templates(self, languages: Sequence[str]) -> list[dict[str, Any]]:
        """Messages per (intent, language) answered from another locale's template, tickets >= MIN_GROUP."""
        marks = ", ".join("?" for _ in languages)
        rows = self.rows(f"""SELECT m.intent, m.language, count(*), count(DISTINCT m.ticket) FROM m
            WHERE NOT m.native AND m.language IN ({marks}) AND m.ticket IN (SELECT ticket FROM t)
            GROUP BY 1, 2 HAVING count(DISTINCT m.ticket) >= {MIN_GROUP} ORDER BY 3 DESC, 1, 2""", list(languages))
        return [{"intent": intent, "locale": language, "messages": n} for intent, language, n, _tickets in rows]


def _calendar(first: dt.date, last: dt.date, by: str) -> list[dt.date]:
    found = []
    current = first
    while current <= last:
        found.append(current)
        if by == "day":
            current += dt.timedelta(days=1)
        elif by == "week":
            current += dt.timedelta(days=7)
        else:
            current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return found


def _share(value: Any) -> float:
    return round(float(value), 6) if value is not None else 0.0


def _minutes(value: Any) -> float:
    return round(float(value), 3)

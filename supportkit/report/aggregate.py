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

from supportkit.errors import N_
from supportkit.report.privacy import MIN_GROUP

METHOD = N_("Median and 90th percentile by linear interpolation between the two nearest ranks (DuckDB "
            "quantile_cont, NumPy's default), over tickets whose two timestamps are valid and in order; in minutes.")
"""English in ``--json`` (stable); the HTML page shows it in the UI language."""
DIMENSIONS = ("language", "intent", "channel", "urgency")
OTHER_KEY = "other"
"""The key rows of fewer than ``MIN_GROUP`` tickets are folded into in ``volume.by``."""

_LABEL_COLUMNS = ("{'id': 'VARCHAR', 'line': 'BIGINT', 'ticket': 'VARCHAR', 'language': 'VARCHAR', "
                  "'intent': 'VARCHAR', 'urgent': 'BOOLEAN', 'secret_found': 'BOOLEAN', 'needs_review': 'BOOLEAN', "
                  "'native': 'BOOLEAN', 'created_at': 'VARCHAR', 'first_response_at': 'VARCHAR', "
                  "'solved_at': 'VARCHAR', 'csat': 'VARCHAR', 'reopened': 'VARCHAR', 'channel': 'VARCHAR', 'text': 'VARCHAR'}")
_TEXT_COLUMNS = "{'line': 'BIGINT', 'ticket': 'VARCHAR', 'text': 'VARCHAR'}"

_MACROS = r"""
CREATE MACRO sk_ts(x) AS CASE
    WHEN regexp_full_match(x, '[0-9]{9,11}') THEN to_timestamp(CAST(x AS BIGINT))
    WHEN regexp_full_match(x, '[0-9]{12,14}') THEN to_timestamp(CAST(x AS BIGINT) / 1000.0)
    ELSE coalesce(TRY_CAST(x AS TIMESTAMPTZ),
        TRY_CAST(regexp_replace(x, '([0-9]:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?) ?([+-][0-9]{2})([0-9]{2})$', '\1\4:\5')
                 AS TIMESTAMPTZ)) END;
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
        # No progress bar: DuckDB draws one on the terminal for long queries (the command has its own).
        self.con = duckdb.connect(config={"threads": 2})
        con = self.con
        con.execute("SET enable_progress_bar = false")
        con.execute("SET TimeZone = 'UTC'")
        con.execute(_MACROS)
        self._read_labels()
        zone = window.timezone.replace("'", "")
        conditions = ["true"]
        params: list[Any] = []
        if window.since is not None:
            conditions.append("CAST(local AS DATE) >= ?")
            params.append(window.since)
        if window.until is not None:
            conditions.append("CAST(local AS DATE) <= ?")
            params.append(window.until)
        # Each message's values are read first (most messages of a chat export have none), then
        # gathered per ticket: evaluating the macros inside the aggregates was three times slower.
        con.execute(f"""
            CREATE TEMP TABLE t AS SELECT *, CAST(date_trunc('{self._unit()}', local) AS DATE) AS period,
                CAST(date_trunc('week', local) AS DATE) AS week
            FROM (SELECT *, timezone('{zone}', created) AS local,
                    CASE WHEN urgent THEN 'urgent' ELSE 'normal' END AS urgency FROM (
                SELECT ticket, count(*) AS messages,
                    arg_min(language, line) AS language, arg_min(intent, line) AS intent,
                    arg_min(channel, line) FILTER (WHERE channel IS NOT NULL) AS channel,
                    bool_or(urgent) AS urgent, bool_or(secret_found) AS secret,
                    min(c) AS created, min(f) AS first_response, max(s) AS solved,
                    arg_max(sat, line) FILTER (WHERE sat IS NOT NULL) AS satisfied, max(reo) AS reopened
                FROM (SELECT ticket, line, language, intent, channel, urgent, secret_found,
                        CASE WHEN created_at IS NOT NULL THEN sk_ts(created_at) END AS c,
                        CASE WHEN first_response_at IS NOT NULL THEN sk_ts(first_response_at) END AS f,
                        CASE WHEN solved_at IS NOT NULL THEN sk_ts(solved_at) END AS s,
                        CASE WHEN csat IS NOT NULL THEN sk_sat(csat) END AS sat,
                        CASE WHEN reopened IS NOT NULL THEN sk_yes(reopened) END AS reo FROM m)
                GROUP BY ticket))
            WHERE {' AND '.join(conditions)}""", params)
        self.filtered = window.since is not None or window.until is not None

    def _read_labels(self) -> None:
        """Table ``m``: one row per message; ``text`` kept only for messages no template answered well
        (what ``gaps`` groups). A file that is not all ours (edited by hand) is read skipping bad lines."""
        import duckdb

        query = f"""CREATE OR REPLACE TEMP TABLE m AS SELECT * EXCLUDE (text),
                CASE WHEN intent = 'other' OR needs_review THEN text END AS text
            FROM read_json(?, format = 'newline_delimited', columns = {_LABEL_COLUMNS}OPTIONS)
            WHERE ticket IS NOT NULL AND line IS NOT NULL"""
        try:
            self.con.execute(query.replace("OPTIONS", ""), [str(self.labels)])
        except duckdb.Error:
            self.con.execute(query.replace("OPTIONS", ", ignore_errors = true"), [str(self.labels)])

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

    def present(self, columns: Sequence[str]) -> set[str]:
        """Which of ``columns`` have a value in any message (else the export lacks them, or they are empty)."""
        counts = self.rows(f"SELECT {', '.join(f'count({c})' for c in columns)} FROM m")[0]
        return {column for column, count in zip(columns, counts, strict=True) if count}

    def counts(self) -> dict[str, int]:
        tickets, messages, undated = self.rows(
            "SELECT count(*), coalesce(sum(messages), 0), count(*) - count(created) FROM t")[0]
        return {"tickets": tickets, "messages": int(messages), "undated": undated}

    # --- volume -------------------------------------------------------------------------

    def periods(self) -> list[dt.date]:
        """Every period from the first ticket's to the last one's (empty ones included)."""
        first, last = self.rows("SELECT min(period), max(period) FROM t")[0]
        if first is None:
            return []
        return _calendar(first, last, self.window.by)

    def volume(self, channel: bool) -> dict[str, Any]:
        total, urgent, secret = self.rows("SELECT count(*), avg(CAST(urgent AS INTEGER)), "
                                          "avg(CAST(secret AS INTEGER)) FROM t")[0]
        periods = self.periods()
        index = {period: i for i, period in enumerate(periods)}
        dimensions = [d for d in DIMENSIONS if d != "channel" or channel]
        # One pass: every dimension by period (a NULL period: tickets without a valid created_at).
        found = self.rows(f"""SELECT {', '.join(f"grouping({d}), coalesce({d}, 'unknown')" for d in dimensions)},
                period, count(*) FROM t GROUP BY GROUPING SETS ({', '.join(f'({d}, period)' for d in dimensions)})""")
        by: dict[str, list[dict[str, Any]]] = {d: [] for d in DIMENSIONS}
        for position, dimension in enumerate(dimensions):
            cells = [(row[2 * position + 1], row[-2], row[-1]) for row in found if row[2 * position] == 0]
            totals: dict[str, int] = {}
            for name, _period, n in cells:
                totals[name] = totals.get(name, 0) + n
            small = {k for k, n in totals.items() if n < MIN_GROUP}
            rows: dict[str, dict[str, Any]] = {}
            for name, period, n in cells:
                shown = OTHER_KEY if name in small else name
                row = rows.setdefault(shown, {"key": shown, "counts": [0] * len(periods), "total": 0})
                row["total"] += n
                if period is not None:
                    row["counts"][index[period]] += n
            # The folded rows together may still be fewer than MIN_GROUP: then they are left out.
            by[dimension] = sorted((r for r in rows.values() if r["total"] >= MIN_GROUP),
                                   key=lambda r: (-r["total"], r["key"]))
        return {"total": total, "urgent_share": _share(urgent), "secret_share": _share(secret),
                "periods": [p.isoformat() for p in periods], "by": by}

    # --- response times, load, satisfaction -------------------------------------------

    def durations(self, end: str) -> list[dict[str, Any]]:
        """Median and p90 minutes from creation to ``end`` (``first_response`` or ``solved``), overall and by group."""
        rows = self.rows(f"""SELECT grouping(language), grouping(intent), language, intent, count(*),
                quantile_cont(x, 0.5), quantile_cont(x, 0.9)
            FROM (SELECT language, intent, (epoch({end}) - epoch(created)) / 60.0 AS x FROM t)
            WHERE x IS NOT NULL AND x >= 0 GROUP BY GROUPING SETS ((), (language), (intent))
            HAVING count(*) >= {MIN_GROUP}""")
        return [{"dimension": dimension, "key": key, "tickets": n, "median": _minutes(median), "p90": _minutes(p90)}
                for dimension, key, n, median, p90 in _by_dimension(rows)]

    def load_by_hour(self) -> list[dict[str, Any]]:
        counts = dict(self.rows("SELECT hour(local), count(*) FROM t WHERE local IS NOT NULL GROUP BY 1"))
        return [{"hour": hour, "tickets": counts.get(hour, 0)} for hour in range(24)]

    def satisfaction(self) -> list[dict[str, Any]]:
        rows = self.rows(f"""SELECT grouping(language), grouping(intent), language, intent, count(*),
                count(satisfied), avg(satisfied), count(reopened), avg(reopened)
            FROM t GROUP BY GROUPING SETS ((), (language), (intent)) HAVING count(*) >= {MIN_GROUP}""")
        found: list[dict[str, Any]] = []
        for dimension, key, _tickets, rated, csat, with_reopen, reopen in _by_dimension(rows):
            if rated < MIN_GROUP and with_reopen < MIN_GROUP:
                continue
            found.append({"dimension": dimension, "key": key, "rated": rated,
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

    def examples(self, cells: Sequence[tuple[str, str | None, dt.date]], limit: int) -> list[list[str]]:
        """For each (intent, language or None, week): up to ``limit`` redacted first messages of its tickets
        (read from the labels file again: only the messages no template answered well are kept in ``m``)."""
        if not cells:
            return []
        self.con.execute("CREATE OR REPLACE TEMP TABLE cells (n INTEGER, intent VARCHAR, language VARCHAR, week DATE)")
        self.con.executemany("INSERT INTO cells VALUES (?, ?, ?, ?)",
                             [[n, intent, language, week] for n, (intent, language, week) in enumerate(cells)])
        rows = self.rows(f"""WITH wanted AS (
                SELECT c.n, t.ticket FROM cells c JOIN t ON t.intent = c.intent AND t.week = c.week
                    AND (c.language IS NULL OR t.language = c.language)),
            texts AS (SELECT ticket, arg_min(text, line) AS text FROM read_json(?, format = 'newline_delimited',
                    columns = {_TEXT_COLUMNS}, ignore_errors = true)
                WHERE ticket IN (SELECT ticket FROM wanted) AND text IS NOT NULL GROUP BY ticket)
            SELECT n, text FROM (SELECT w.n, x.text, row_number() OVER (PARTITION BY w.n ORDER BY hash(w.ticket)) AS r
                FROM wanted w JOIN texts x USING (ticket)) WHERE r <= ? ORDER BY n, r""", [str(self.labels), limit])
        found: list[list[str]] = [[] for _ in cells]
        for n, text in rows:
            found[n].append(text)
        return found

    def unanswered(self, limit: int) -> list[tuple[str, str, str, str]]:
        """Up to ``limit`` (ticket, language, intent or needs_review, text) of messages no template answered
        well, a stable sample (by a hash of the ticket id) when there are more."""
        restrict = "AND ticket IN (SELECT ticket FROM t)" if self.filtered else ""
        return [(ticket, language, kind, text) for ticket, language, kind, text in self.rows(
            f"""SELECT ticket, coalesce(language, 'und'),
                    CASE WHEN intent = 'other' THEN 'other' ELSE 'needs_review' END, text
                FROM m WHERE text IS NOT NULL {restrict} ORDER BY hash(ticket), line LIMIT ?""", [limit])]

    def missing_templates(self, languages: Sequence[str]) -> list[dict[str, Any]]:
        """Messages per (intent, language) answered from another locale's template, tickets >= MIN_GROUP."""
        marks = ", ".join("?" for _ in languages)
        restrict = "AND ticket IN (SELECT ticket FROM t)" if self.filtered else ""
        rows = self.rows(f"""SELECT intent, language, count(*), count(DISTINCT ticket) FROM m
            WHERE NOT native AND language IN ({marks}) {restrict}
            GROUP BY 1, 2 HAVING count(DISTINCT ticket) >= {MIN_GROUP} ORDER BY 3 DESC, 1, 2""", list(languages))
        return [{"intent": intent, "locale": language, "messages": n} for intent, language, n, _tickets in rows]


def _by_dimension(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """GROUPING SETS rows ``(grouping(language), grouping(intent), language, intent, *values)`` as
    ``(dimension, key, *values)``: all first, then by language, then by intent, each largest first."""
    order = {"all": 0, "language": 1, "intent": 2}
    found = []
    for no_language, no_intent, language, intent, *values in rows:
        if no_language and no_intent:
            found.append(("all", None, *values))
        elif not no_language:
            found.append(("language", language, *values))
        else:
            found.append(("intent", intent, *values))
    found.sort(key=lambda r: (order[r[0]], -r[2], "" if r[1] is None else str(r[1])))
    return found


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

"""Every figure of ``supportkit report`` equals a plain-Python computation of the same measure.

The reference below is written from the definitions in docs/report.md, independently of
supportkit/report/aggregate.py (no DuckDB, no shared helper): a generated export of 10,000
tickets (some with several messages, some timestamps garbage or out of order), in a time zone
with daylight saving time, by week and by month.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from supportkit.config import Config, ReportSettings
from supportkit.report import ReportOptions, build_report
from tests.report_data import generate, write_labelled

pytest.importorskip("duckdb")

ZONE = "Europe/Madrid"


def parse_time(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.isdigit():
        seconds = int(value) / (1000 if len(value) >= 12 else 1)
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (NumPy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def satisfied(value: str | None) -> int | None:
    if value in ("good",):
        return 1
    if value in ("bad",):
        return 0
    if value is not None and value.isdigit() and 1 <= int(value) <= 5:
        return int(int(value) >= 4)
    return None


def reopened(value: str | None) -> int | None:
    if value in ("true",):
        return 1
    if value in ("false",):
        return 0
    if value is not None and value.isdigit():
        return int(int(value) > 0)
    return None


def period_start(day: dt.date, by: str) -> dt.date:
    if by == "week":
        return day - dt.timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def reference(rows: list[dict[str, Any]], by: str, since: dt.date | None, until: dt.date | None) -> dict[str, Any]:
    zone = ZoneInfo(ZONE)
    messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        messages[row["ticket"]].append(row)
    tickets = []
    for group in messages.values():
        group.sort(key=lambda r: r["line"])
        first = group[0]
        created = [t for t in (parse_time(r["created_at"]) for r in group) if t]
        responses = [t for t in (parse_time(r["first_response_at"]) for r in group) if t]
        solved = [t for t in (parse_time(r["solved_at"]) for r in group) if t]
        ratings = [(r["line"], satisfied(r["csat"])) for r in group if satisfied(r["csat"]) is not None]
        reopens = [reopened(r["reopened"]) for r in group if reopened(r["reopened"]) is not None]
        channels = [r["channel"] for r in group if r["channel"]]
        ticket = {"language": first["language"], "intent": first["intent"], "channel": channels[0] if channels else "unknown",
                  "urgency": "urgent" if any(r["urgent"] for r in group) else "normal",
                  "secret": any(r["secret_found"] for r in group), "messages": len(group),
                  "created": min(created) if created else None, "response": min(responses) if responses else None,
                  "solved": max(solved) if solved else None,
                  "satisfied": max(ratings)[1] if ratings else None, "reopened": max(reopens) if reopens else None}
        ticket["local"] = ticket["created"].astimezone(zone) if ticket["created"] else None
        if since and (ticket["local"] is None or ticket["local"].date() < since):
            continue
        if until and (ticket["local"] is None or ticket["local"].date() > until):
            continue
        tickets.append(ticket)
    for ticket in tickets:
        ticket["period"] = period_start(ticket["local"].date(), by) if ticket["local"] else None
    periods = sorted({t["period"] for t in tickets if t["period"]})
    calendar = []
    if periods:
        day = periods[0]
        while day <= periods[-1]:
            calendar.append(day)
            day = period_start(day + dt.timedelta(days=32 if by == "month" else 7 if by == "week" else 1), by)
    by_dimension: dict[str, dict[str, Any]] = {}
    for dimension in ("language", "intent", "channel", "urgency"):
        totals = Counter(t[dimension] for t in tickets)
        small = {k for k, n in totals.items() if n < 5}
        table: dict[str, dict[str, Any]] = {}
        for ticket in tickets:
            key = "other" if ticket[dimension] in small else ticket[dimension]
            entry = table.setdefault(key, {"key": key, "counts": [0] * len(calendar), "total": 0})
            entry["total"] += 1
            if ticket["period"]:
                entry["counts"][calendar.index(ticket["period"])] += 1
        by_dimension[dimension] = sorted((e for e in table.values() if e["total"] >= 5),
                                         key=lambda e: (-e["total"], e["key"]))

    def durations(end: str) -> dict[tuple[str, Any], tuple[int, float, float]]:
        found: dict[tuple[str, Any], list[float]] = defaultdict(list)
        for ticket in tickets:
            if ticket["created"] and ticket[end]:
                minutes = (ticket[end] - ticket["created"]).total_seconds() / 60
                if minutes >= 0:
                    for dimension in ("all", "language", "intent"):
                        found[(dimension, None if dimension == "all" else ticket[dimension])].append(minutes)
        return {key: (len(v), percentile(v, 0.5), percentile(v, 0.9)) for key, v in found.items() if len(v) >= 5}

    satisfaction: dict[tuple[str, Any], tuple[int, float | None, float | None]] = {}
    groups: dict[tuple[str, Any], list[dict[str, Any]]] = defaultdict(list)
    for ticket in tickets:
        for dimension in ("all", "language", "intent"):
            groups[(dimension, None if dimension == "all" else ticket[dimension])].append(ticket)
    for key, members in groups.items():
        rated = [t["satisfied"] for t in members if t["satisfied"] is not None]
        reopens = [t["reopened"] for t in members if t["reopened"] is not None]
        if len(members) >= 5 and (len(rated) >= 5 or len(reopens) >= 5):
            satisfaction[key] = (len(rated), sum(rated) / len(rated) if len(rated) >= 5 else None,
                                 sum(reopens) / len(reopens) if len(reopens) >= 5 else None)
    hours = Counter(t["local"].hour for t in tickets if t["local"])
    return {"tickets": len(tickets), "messages": sum(t["messages"] for t in tickets),
            "urgent_share": sum(t["urgency"] == "urgent" for t in tickets) / len(tickets),
            "secret_share": sum(t["secret"] for t in tickets) / len(tickets),
            "periods": [p.isoformat() for p in calendar], "by": by_dimension,
            "first_response": durations("response"), "resolution": durations("solved"),
            "satisfaction": satisfaction, "hours": [hours.get(h, 0) for h in range(24)]}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    rows = generate(10_000, seed=7, weeks=10)
    export, _labels = write_labelled(tmp_path_factory.mktemp("export"), rows)
    return export, rows


@pytest.mark.parametrize(("by", "since", "until"), [("week", None, None), ("month", None, None),
                                                    ("day", dt.date(2026, 10, 1), dt.date(2026, 10, 20))])
def test_every_figure_equals_a_plain_python_computation(generated: tuple[Path, list[dict[str, Any]]], by: str,
                                                         since: dt.date | None, until: dt.date | None) -> None:
    export, rows = generated
    config = Config(report=ReportSettings(timezone=ZONE))
    data = build_report(export, config, ReportOptions(since=since, until=until, by=by)).data
    expected = reference(rows, by, since, until)
    assert data["generated_for"]["tickets"] == expected["tickets"]
    assert data["generated_for"]["messages"] == expected["messages"]
    volume = data["volume"]
    assert volume["total"] == expected["tickets"]
    assert volume["urgent_share"] == pytest.approx(expected["urgent_share"], abs=1e-6)
    assert volume["secret_share"] == pytest.approx(expected["secret_share"], abs=1e-6)
    assert volume["periods"] == expected["periods"]
    assert volume["by"] == expected["by"]
    for measure in ("first_response", "resolution"):
        shown = {(r["dimension"], r["key"]): (r["tickets"], r["median"], r["p90"])
                 for r in data["response_times"][measure]}
        assert shown.keys() == expected[measure].keys()
        for key, (count, median, p90) in expected[measure].items():
            assert shown[key][0] == count
            assert shown[key][1] == pytest.approx(median, abs=1e-3)
            assert shown[key][2] == pytest.approx(p90, abs=1e-3)
    shown_satisfaction = {(r["dimension"], r["key"]): (r["rated"], r["csat"], r["reopen_rate"])
                          for r in data["satisfaction"]}
    assert shown_satisfaction.keys() == expected["satisfaction"].keys()
    for key, (rated, csat, reopen) in expected["satisfaction"].items():
        assert shown_satisfaction[key][0] == rated
        assert shown_satisfaction[key][1] == (None if csat is None else pytest.approx(csat, abs=1e-6))
        assert shown_satisfaction[key][2] == (None if reopen is None else pytest.approx(reopen, abs=1e-6))
    assert [r["tickets"] for r in data["load_by_hour"]] == expected["hours"]

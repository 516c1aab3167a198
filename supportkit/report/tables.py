"""The report's tables, as rows: what ``--csv DIR`` writes, one file per table, the same numbers as ``--json``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from supportkit.errors import N_, InputError

Table = tuple[list[str], list[list[Any]]]


def report_tables(report: dict[str, Any]) -> dict[str, Table]:
    """``{file stem: (header, rows)}`` of every table of ``report`` (a section left out has no file)."""
    volume = report["volume"]
    tables: dict[str, Table] = {
        "volume": (["dimension", "key", "period", "tickets"],
                   [[dimension, row["key"], period, count]
                    for dimension, rows in volume["by"].items() for row in rows
                    for period, count in zip(volume["periods"], row["counts"], strict=True)]),
        "volume_totals": (["dimension", "key", "tickets"],
                          [["all", None, volume["total"]]] +
                          [[dimension, row["key"], row["total"]] for dimension, rows in volume["by"].items()
                           for row in rows]),
    }
    times = report["response_times"]
    if times is not None:
        tables["response_times"] = (["measure", "dimension", "key", "tickets", "median_minutes", "p90_minutes"],
                                    [[measure, r["dimension"], r["key"], r["tickets"], r["median"], r["p90"]]
                                     for measure in ("first_response", "resolution") for r in times[measure]])
    if report["load_by_hour"] is not None:
        tables["load_by_hour"] = (["hour", "tickets"], [[r["hour"], r["tickets"]] for r in report["load_by_hour"]])
    if report["satisfaction"] is not None:
        tables["satisfaction"] = (["dimension", "key", "rated", "csat", "reopen_rate"],
                                  [[r["dimension"], r["key"], r["rated"], r["csat"], r["reopen_rate"]]
                                   for r in report["satisfaction"]])
    tables["trends"] = (["intent", "language", "period", "tickets", "expected", "ratio", "score", "examples"],
                        [[t["intent"], t["language"], t["period"], t["count"], t["expected"], t["ratio"], t["score"],
                          " | ".join(t["examples"])] for t in report["trends"]])
    tables["gaps_clusters"] = (["size", "intent", "languages", "examples"],
                               [[c["size"], c["intent"], " ".join(f"{k}:{v}" for k, v in c["languages"].items()),
                                 " | ".join(c["examples"])] for c in report["gaps"]["clusters"]])
    tables["missing_templates"] = (["intent", "locale", "messages"],
                                   [[m["intent"], m["locale"], m["messages"]] for m in report["gaps"]["missing_templates"]])
    return tables


def _cells(row: list[Any]) -> Iterator[str]:
    for cell in row:
        yield "" if cell is None else str(cell)


def write_csv(report: dict[str, Any], folder: Path) -> list[Path]:
    """Write one CSV file per table into ``folder`` (created); the files written."""
    from supportkit.files import write_text

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(N_("cannot create {folder}: {reason}"), str(folder), folder=str(folder), reason=exc.strerror) from None
    written = []
    for name, (header, rows) in report_tables(report).items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(list(_cells(row)) for row in rows)
        path = folder / f"{name}.csv"
        try:
            write_text(path, buffer.getvalue())
        except OSError as exc:
            raise InputError(N_("cannot write {path}: {reason}"), str(path), path=str(path), reason=exc.strerror) from None
        written.append(path)
    return written

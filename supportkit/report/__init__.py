"""``supportkit report``: a ticket export in, what a support lead needs to see out.

Top to bottom (``build_report``):

1. ``labels.label_export``: what is not labelled yet goes through ``batch.run_batch`` (the same
   reader, pipeline and rejects as ``supportkit batch``) into the labels file beside the export;
2. ``aggregate.Figures``: DuckDB reads the labels file and computes every figure;
3. ``trends.find_trends`` and ``gaps.cluster_messages`` on what DuckDB returns;
4. examples, redacted (``privacy``), unless ``examples=False``.

The result is a plain dict (schema 1, docs/report.md): ``--json`` prints it, ``--csv`` writes its
tables (``tables``), and ``report.html.render_html`` draws it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supportkit.config import Config
from supportkit.report.columns import SECTION_COLUMNS

SCHEMA = 1
EXAMPLES = 3
"""Example messages shown per trend and per group of unanswered messages."""


@dataclass(frozen=True)
class ReportOptions:
    """What to report on: the time window and grouping, where the labels go, whether to show examples."""

    since: dt.date | None = None
    until: dt.date | None = None
    by: str = "week"
    labels: Path | None = None
    fmt: str | None = None
    examples: bool = True
    jobs: int = 1


@dataclass
class Report:
    """The report (``data``, the documented dict) and how the run went (``exit_code`` as batch's)."""

    data: dict[str, Any]
    rejected: int
    labels: Path
    rejects: Path

    @property
    def exit_code(self) -> int:
        from supportkit.batch import EXIT_PARTIAL

        return EXIT_PARTIAL if self.rejected else 0


def build_report(export: Path, config: Config, options: ReportOptions | None = None,
                 progress: Callable[[int], None] | None = None) -> Report:
    """Label what is not labelled yet, then compute the report of ``export`` (raises SupportkitError)."""
    from supportkit.report.labels import label_export

    options = options or ReportOptions()
    settings = config.report
    run = label_export(export, config, labels=options.labels, fmt=options.fmt, columns=settings.columns,
                       jobs=options.jobs, progress=progress)
    data = report_from_labels(run.labels, config, options)
    data["generated_for"].update({"export": export.name, "rejected": run.rejected, "labelled_now": run.labelled_now})
    return Report(data, run.rejected, run.labels, run.rejects)


def report_from_labels(labels: Path, config: Config, options: ReportOptions | None = None) -> dict[str, Any]:
    """The report of a labels file (what ``build_report`` does once every record is labelled)."""
    from supportkit.languages import SUPPORTED_LANGUAGES
    from supportkit.report.aggregate import METHOD, Figures, Window
    from supportkit.report.gaps import SAMPLE, cluster_messages
    from supportkit.report.privacy import example_text
    from supportkit.report.trends import find_trends

    options = options or ReportOptions()
    window = Window(config.report.timezone, options.since, options.until, options.by)
    figures = Figures(labels, window)
    try:
        present = figures.present(sorted({column for columns in SECTION_COLUMNS.values() for column in columns}))
        notes: list[dict[str, Any]] = []
        counts = figures.counts()

        def missing(section: str, needed: tuple[str, ...], any_of: bool = False) -> bool:
            absent = [c for c in needed if c not in present]
            if (any_of and len(absent) < len(needed)) or not absent:
                return False
            notes.append({"section": section, "reason": "missing_columns", "columns": absent})
            return True

        response_times = None
        if not missing("response_times", ("created_at",)) and \
                not missing("response_times", ("first_response_at", "solved_at"), any_of=True):
            absent = [c for c in ("first_response_at", "solved_at") if c not in present]
            if absent:  # one of the two measures: the other is left out, with a note
                notes.append({"section": "response_times", "reason": "missing_columns", "columns": absent})
            response_times = {"method": METHOD, "first_response": figures.durations("first_response")
                              if "first_response_at" in present else [],
                              "resolution": figures.durations("solved") if "solved_at" in present else []}
            if not response_times["first_response"] and not response_times["resolution"]:
                notes.append({"section": "response_times", "reason": "too_few_tickets", "columns": []})
        load = None if missing("load_by_hour", ("created_at",)) else figures.load_by_hour()
        satisfaction = None
        if not missing("satisfaction", ("csat", "reopened"), any_of=True):
            satisfaction = figures.satisfaction()
            if not satisfaction:
                notes.append({"section": "satisfaction", "reason": "too_few_tickets", "columns": []})
        channel = not missing("channel", ("channel",))
        volume = figures.volume(channel)

        trends: list[dict[str, Any]] = []
        if not missing("trends", ("created_at",)):
            weeks, cells = figures.weekly()
            found = find_trends(weeks, cells)
            trends = [trend.to_dict() for trend in found]
            if options.examples:
                shown = figures.examples([(t.intent, t.language, t.week) for t in found], EXAMPLES)
                for item, texts in zip(trends, shown, strict=True):
                    item["examples"] = [example_text(text) for text in texts]

        clusters = []
        for cluster in cluster_messages(figures.unanswered(SAMPLE)):
            item = cluster.to_dict()
            if options.examples:
                item["examples"] = [example_text(m[3]) for m in cluster.members[:EXAMPLES]]
            clusters.append(item)
        if not clusters:
            notes.append({"section": "gaps", "reason": "no_data", "columns": []})
        gaps = {"clusters": clusters, "missing_templates": figures.missing_templates(SUPPORTED_LANGUAGES)}
    finally:
        figures.close()
    return {
        "schema": SCHEMA,
        "generated_for": {"export": labels.name, "tickets": counts["tickets"], "messages": counts["messages"],
                          "rejected": 0, "labelled_now": 0, "undated": counts["undated"],
                          "since": options.since.isoformat() if options.since else None,
                          "until": options.until.isoformat() if options.until else None,
                          "by": options.by, "timezone": config.report.timezone},
        "notes": notes,
        "volume": volume,
        "response_times": response_times,
        "load_by_hour": load,
        "satisfaction": satisfaction,
        "trends": trends,
        "gaps": gaps,
    }


"""``render_html(report, locale)``: the report dict as one self-contained HTML page.

No network at all: the stylesheet is inlined, there is no script, the charts are SVG rendered
offline (``supportkit.report.charts``) and inlined. Every word is in the UI language ``locale``
(``supportkit.report.html_text.Ui``), whatever the process language. Every value of the dict
is data: the page is a sandboxed Jinja template with autoescape, so customer text in the
examples, intent names and the export's name are escaped wherever they land.

Each chart is a ``<figure>`` whose caption names it (``role="img"`` on the SVG) followed by the
same numbers in a table inside ``<details>``. A section the report has no data for shows its
notes ("Response times are left out: the export has no column for ...").
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportkit.report.charts import (
    Chart,
    bar_chart,
    dot_chart,
    grouped_bar_chart,
    hours_chart,
    render_chart,
    volume_chart,
)
from supportkit.report.html_text import OTHER_KEY, Ui

TOP_INTENTS = 8
"""The volume chart by intent shows this many intents, the rest summed as "All other intents"."""
SECTIONS = ("volume", "response_times", "load_by_hour", "satisfaction", "trends", "gaps")
HERE = Path(__file__).parent


@dataclass
class Table:
    """A table: column headers, then groups of rows; each row has a header cell and data cells."""

    caption: str
    columns: list[str]
    groups: list[dict[str, Any]] = field(default_factory=list)

    def group(self, title: str | None, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.groups.append({"title": title, "rows": rows})


@dataclass
class Figure:
    id: str
    caption: str
    table: Table
    chart: Chart | None = None
    legend: str = ""


@dataclass
class Page:
    """What the template shows, in the UI language; built by ``render_html``."""

    ui: Ui
    report: Mapping[str, Any]
    charts: bool = True
    figures: int = 0
    notes: dict[str, list[str]] = field(default_factory=dict)

    def figure(self, caption: str, table: Table, build: Callable[[int, bool], Any] | None,
               legend: str = "") -> Figure:
        self.figures += 1
        figure_id = f"figure-{self.figures}"
        chart = None
        if build is not None and self.charts:
            chart = render_chart(f"chart-{self.figures}", f"{figure_id}-caption", build, self.ui)
        return Figure(figure_id, caption, table, chart, legend)


def render_html(report: Mapping[str, Any], locale: str, *, charts: bool = True) -> str:
    """The whole report as one HTML page in the UI language ``locale`` (zh, en, es, ru, fr).

    ``charts=False`` leaves the charts out (the tables stay), for a quick look without the
    ``report`` extra.
    """
    ui = Ui.for_locale(locale)
    page = Page(ui, report, charts)
    for note in report.get("notes") or []:
        section = str(note.get("section", ""))
        page.notes.setdefault("volume" if section == "channel" else section, []).append(ui.note(note))
    context = {
        "lang": ui.language,
        "t": _template_strings(ui),
        "header": _header(ui, report),
        "figures_at_a_glance": _key_figures(ui, report),
        "sections": [_volume(page), _response_times(page), _load_by_hour(page), _satisfaction(page),
                     _trends(page), _gaps(page)],
        "other_notes": [text for key, texts in page.notes.items() if key not in SECTIONS for text in texts],
        "css": _css(),
    }
    return str(_environment().get_template("html_page.html").render(context))


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(loader=jinja2.FileSystemLoader(str(HERE)), autoescape=True,
                                undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                auto_reload=False)


@functools.lru_cache(maxsize=1)
def _css() -> Any:
    from markupsafe import Markup

    # Our own file, never data; "</" escaped so it cannot close the style element.
    return Markup((HERE / "html_page.css").read_text(encoding="utf-8").replace("</", "<\\/"))


def _template_strings(ui: Ui) -> dict[str, str]:
    _ = ui.gettext
    return {
        "title": _("Support report"),
        "contents": _("Contents"),
        "numbers": _("Show the numbers as a table"),
        "key_figures": _("At a glance"),
        "examples": _("Example messages (redacted)"),
        "notes": _("Notes"),
        "nothing": _("Nothing to show for this export."),
    }


def _header(ui: Ui, report: Mapping[str, Any]) -> dict[str, Any]:
    _ = ui.gettext
    meta = report.get("generated_for") or {}
    periods = (report.get("volume") or {}).get("periods") or []
    since = meta.get("since") or (periods[0] if periods else None)
    until = meta.get("until") or (periods[-1] if periods else None)
    by = str(meta.get("by") or "week")
    grouping = {"day": _("Counted by day"), "week": _("Counted by week (a week is shown by its first day)"),
                "month": _("Counted by month")}.get(by, by)
    lines = [
        _("Export: {name}").format(name=meta.get("export", "")),
        _("Period: {period}").format(period=ui.interval(since, until)) if since or until else "",
        _("Time zone: {zone}").format(zone=meta.get("timezone")) if meta.get("timezone") else "",
        grouping,
    ]
    return {"lines": [line for line in lines if line]}


def _all_row(rows: Iterable[Mapping[str, Any]] | None) -> Mapping[str, Any] | None:
    return next((row for row in rows or [] if row.get("dimension") == "all"), None)


def _key_figures(ui: Ui, report: Mapping[str, Any]) -> list[dict[str, str]]:
    _ = ui.gettext
    meta = report.get("generated_for") or {}
    volume = report.get("volume") or {}
    figures = [
        {"label": _("Tickets"), "value": ui.number(meta.get("tickets", volume.get("total")))},
        {"label": _("Messages"), "value": ui.number(meta.get("messages"))},
    ]
    if volume:
        figures.append({"label": _("Urgent"), "value": ui.share(volume.get("urgent_share"))})
        figures.append({"label": _("With a recovery phrase or key pasted"), "value": ui.share(volume.get("secret_share"))})
    times = report.get("response_times") or {}
    first, solved = _all_row(times.get("first_response")), _all_row(times.get("resolution"))
    if first:
        figures.append({"label": _("Median first response"), "value": ui.duration(first.get("median"))})
    if solved:
        figures.append({"label": _("Median resolution"), "value": ui.duration(solved.get("median"))})
    satisfied = _all_row(report.get("satisfaction"))
    if satisfied and satisfied.get("csat") is not None:
        figures.append({"label": _("Satisfied customers (CSAT)"), "value": ui.share(satisfied["csat"])})
    if satisfied and satisfied.get("reopen_rate") is not None:
        figures.append({"label": _("Reopened"), "value": ui.share(satisfied["reopen_rate"])})
    if meta.get("rejected"):
        figures.append({"label": _("Rows rejected"), "value": ui.number(meta["rejected"])})
    if meta.get("labelled_now") is not None:
        figures.append({"label": _("Messages labelled in this run"), "value": ui.number(meta["labelled_now"])})
    return figures


def _section(page: Page, key: str, title: str, figures: list[Figure], **extra: Any) -> dict[str, Any]:
    section = {"id": key, "title": title, "notes": page.notes.get(key, []), "figures": figures, "method": "",
               "method_lang": "", "intro": "", "trends": [], "clusters": [], "clusters_title": ""}
    return {**section, **extra}


# Volume -------------------------------------------------------------------------------------


def _series(ui: Ui, dimension: str, entries: Sequence[Mapping[str, Any]], top: int | None) -> list[tuple[str, list[int], int]]:
    """(label, counts per period, total) per series, biggest first; past ``top``, one "other" series."""
    ordered = sorted(entries, key=lambda e: (-int(e.get("total") or 0), str(e.get("key"))))
    kept = ordered if top is None or len(ordered) <= top + 1 else ordered[:top]
    series = [(ui.key_label(dimension, entry.get("key")), [int(c) for c in entry.get("counts") or []],
               int(entry.get("total") or 0)) for entry in kept]
    rest = ordered[len(kept):]
    if rest:
        width = max(len(entry.get("counts") or []) for entry in rest)
        counts = [sum(int((entry.get("counts") or [])[i]) if i < len(entry.get("counts") or []) else 0
                      for entry in rest) for i in range(width)]
        series.append((ui.intent(OTHER_KEY), counts, sum(int(entry.get("total") or 0) for entry in rest)))
    return series


def _volume(page: Page) -> dict[str, Any]:
    ui, _ = page.ui, page.ui.gettext
    volume = page.report.get("volume") or {}
    meta = page.report.get("generated_for") or {}
    by = str(meta.get("by") or "week")
    periods = [str(p) for p in volume.get("periods") or []]
    period_head = {"day": _("Day"), "week": _("Week starting"), "month": _("Month")}.get(by, _("Period"))
    titles = {
        "language": (_("Tickets per period by language"), _("Language")),
        "intent": (_("Tickets per period by intent (the {count} most frequent)").format(count=ui.number(TOP_INTENTS)),
                   _("Intent")),
        "channel": (_("Tickets per period by channel"), _("Channel")),
        "urgency": (_("Tickets per period by urgency"), _("Urgency")),
    }
    figures = []
    for dimension, (caption, series_title) in titles.items():
        entries = (volume.get("by") or {}).get(dimension) or []
        if not entries or not periods:
            continue
        series = _series(ui, dimension, entries, TOP_INTENTS if dimension == "intent" else None)
        table = Table(caption, [period_head, *(label for label, _counts, _total in series), _("Total")])
        rows = []
        for index, period in enumerate(periods):
            counts = [counts[index] if index < len(counts) else 0 for _label, counts, _total in series]
            rows.append({"head": ui.period(period, by), "cells": [ui.number(c) for c in counts] + [ui.number(sum(counts))]})
        table.group(None, rows)
        table.group(None, [{"head": _("Total"), "cells": [ui.number(total) for _l, _c, total in series]
                            + [ui.number(sum(total for _l, _c, total in series))]}])
        points = [{"period": period, "series": label, "count": counts[index] if index < len(counts) else 0}
                  for label, counts, _total in series for index, period in enumerate(periods)]
        build = volume_chart(points, [label for label, _c, _t in series], by, _("Tickets"), series_title, ui)
        figures.append(page.figure(caption, table, build))
    return _section(page, "volume", _("Volume"), figures)


# Response times ------------------------------------------------------------------------------


def _duration_unit(ui: Ui, rows: Sequence[Mapping[str, Any]]) -> tuple[float, str]:
    """Divisor and axis title for a chart of durations in minutes: minutes, hours or days."""
    _ = ui.gettext
    longest = max([float(row.get("p90") or 0) for row in rows] + [0.0])
    if longest < 180:
        return 1.0, _("Minutes")
    if longest < 72 * 60:
        return 60.0, _("Hours")
    return 1440.0, _("Days")


def _group_title(ui: Ui, dimension: str) -> str:
    _ = ui.gettext
    return {"all": _("All tickets"), "language": _("By language"), "intent": _("By intent"),
            "channel": _("By channel")}.get(dimension, dimension)


def _grouped(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row.get("dimension", "")), []).append(row)
    order = {"all": 0, "language": 1, "intent": 2}
    return sorted(groups.items(), key=lambda item: order.get(item[0], 3))


def _times_figure(page: Page, caption: str, rows: Sequence[Mapping[str, Any]]) -> Figure:
    ui, _ = page.ui, page.ui.gettext
    table = Table(caption, [_("Group"), _("Tickets"), _("Median"), _("90th percentile")])
    points = []
    divisor, unit = _duration_unit(ui, rows)
    for dimension, members in _grouped(rows):
        title = _group_title(ui, dimension)
        table.group(title if dimension != "all" else None, [
            {"head": ui.key_label(dimension, row.get("key")),
             "cells": [ui.number(row.get("tickets")), ui.duration(row.get("median")), ui.duration(row.get("p90"))]}
            for row in members])
        points += [{"group": title if dimension != "all" else "", "label": ui.key_label(dimension, row.get("key")),
                    "value": round(float(row.get("median") or 0) / divisor, 2),
                    "mark": round(float(row.get("p90") or 0) / divisor, 2)} for row in members]
    legend = _("Bar: median. Tick: 90th percentile.")
    return page.figure(caption, table, bar_chart(points, unit, ",.1~f", ui) if points else None, legend)


def _response_times(page: Page) -> dict[str, Any]:
    ui, _ = page.ui, page.ui.gettext
    times = page.report.get("response_times")
    figures = []
    source = str((times or {}).get("method") or "")  # the documented English sentence of --json
    method = _(source) if source else ""
    if times:
        if times.get("first_response"):
            figures.append(_times_figure(page, _("Time to first response"), times["first_response"]))
        if times.get("resolution"):
            figures.append(_times_figure(page, _("Time to resolution"), times["resolution"]))
    return _section(page, "response_times", _("Response times"), figures,
                    method=method, method_lang="en" if method == source and source and ui.language != "en" else "")


# Load by hour --------------------------------------------------------------------------------


def _load_by_hour(page: Page) -> dict[str, Any]:
    ui, _ = page.ui, page.ui.gettext
    load = page.report.get("load_by_hour") or []
    figures = []
    if load:
        meta = page.report.get("generated_for") or {}
        zone = meta.get("timezone")
        caption = (_("Tickets by hour of day ({zone})").format(zone=zone) if zone else _("Tickets by hour of day"))
        by_hour = {int(row.get("hour", 0)): int(row.get("tickets") or 0) for row in load}
        table = Table(caption, [_("Hour"), _("Tickets")])
        table.group(None, [{"head": f"{hour:02d}:00", "cells": [ui.number(by_hour.get(hour, 0))]} for hour in range(24)])
        rows = [{"hour": hour, "tickets": by_hour.get(hour, 0)} for hour in range(24)]
        figures.append(page.figure(caption, table, hours_chart(rows, _("Hour of day"), _("Tickets"))))
    return _section(page, "load_by_hour", _("Load by hour of day"), figures)


# Satisfaction --------------------------------------------------------------------------------


def _satisfaction(page: Page) -> dict[str, Any]:
    ui, _ = page.ui, page.ui.gettext
    rows = page.report.get("satisfaction") or []
    figures = []
    if rows:
        caption = _("Satisfaction and reopened tickets")
        table = Table(caption, [_("Group"), _("Rated tickets"), _("Satisfied (CSAT)"), _("Reopened")])
        csat, reopen = [], []
        for dimension, members in _grouped(rows):
            title = _group_title(ui, dimension)
            table.group(title if dimension != "all" else None, [
                {"head": ui.key_label(dimension, row.get("key")),
                 "cells": [ui.number(row.get("rated")), ui.share(row.get("csat")), ui.share(row.get("reopen_rate"))]}
                for row in members])
            title = title if dimension != "all" else ""
            for row in members:
                label = ui.key_label(dimension, row.get("key"))
                if row.get("csat") is not None:
                    csat.append({"group": title, "label": label, "value": float(row["csat"])})
                if row.get("reopen_rate") is not None:
                    reopen.append({"group": title, "label": label, "value": float(row["reopen_rate"])})
        figures.append(page.figure(caption, table, bar_chart(csat, _("Satisfied (CSAT)"), ".0%", ui, domain_max=1)
                                   if csat else None))
        if reopen:
            reopen_caption = _("Share of tickets reopened")
            reopen_table = Table(reopen_caption, [_("Group"), _("Reopened")])
            for dimension, members in _grouped(rows):
                reopen_table.group(_group_title(ui, dimension) if dimension != "all" else None, [
                    {"head": ui.key_label(dimension, row.get("key")), "cells": [ui.share(row.get("reopen_rate"))]}
                    for row in members if row.get("reopen_rate") is not None])
            figures.append(page.figure(reopen_caption, reopen_table, bar_chart(reopen, _("Reopened"), ".0%", ui)))
    return _section(page, "satisfaction", _("Satisfaction"), figures)


# Trends --------------------------------------------------------------------------------------


def _trend_name(ui: Ui, trend: Mapping[str, Any]) -> str:
    _ = ui.gettext
    intent = ui.intent(trend.get("intent"))
    if trend.get("language"):
        return _("{intent} in {language}").format(intent=intent, language=ui.language_name(trend["language"]))
    return intent


def _trends(page: Page) -> dict[str, Any]:
    ui, _, ngettext = page.ui, page.ui.gettext, page.ui.ngettext
    trends = page.report.get("trends") or []
    by = str((page.report.get("generated_for") or {}).get("by") or "week")
    items, figures = [], []
    if trends:
        caption = _("Rising intents: tickets in the period against the expected count")
        table = Table(caption, [_("Intent"), _("Period"), _("Tickets"), _("Expected"), _("Ratio"), _("Score")])
        rows, points = [], []
        for trend in trends:
            name, count = _trend_name(ui, trend), int(trend.get("count") or 0)
            period = ui.period(str(trend.get("period", "")), by)
            rows.append({"head": name, "cells": [period, ui.number(count), ui.number(trend.get("expected"), 1),
                                                 ui.ratio(float(trend.get("ratio") or 0)),
                                                 ui.number(trend.get("score"), 1)]})
            label = name if sum(_trend_name(ui, other) == name for other in trends) == 1 else f"{name} · {period}"
            points += [{"label": label, "series": _("Expected"), "value": float(trend.get("expected") or 0)},
                       {"label": label, "series": _("Tickets"), "value": count}]
            items.append({
                "name": name,
                "summary": ngettext("{count} ticket in the period of {period} where about {expected} were expected "
                                   "({ratio}).",
                                   "{count} tickets in the period of {period} where about {expected} were expected "
                                   "({ratio}).", count).format(
                    count=ui.number(count), period=period, expected=ui.number(trend.get("expected"), 1),
                    ratio=ui.ratio(float(trend.get("ratio") or 0))),
                "examples": [str(text) for text in trend.get("examples") or []],
                "lang": str(trend.get("language") or ""),
            })
        table.group(None, rows)
        figures.append(page.figure(caption, table, dot_chart(points, [_("Expected"), _("Tickets")], _("Tickets"))))
    return _section(page, "trends", _("Trends"), figures, trends=items,
                    intro=_("Intents rising beyond their usual week-to-week variation, first the strongest.")
                    if items else "")


# Gaps ----------------------------------------------------------------------------------------


def _gaps(page: Page) -> dict[str, Any]:
    ui, _, ngettext = page.ui, page.ui.gettext, page.ui.ngettext
    gaps = page.report.get("gaps") or {}
    clusters, figures = [], []
    for cluster in gaps.get("clusters") or []:
        languages = {str(code): int(n) for code, n in (cluster.get("languages") or {}).items()}
        size = int(cluster.get("size") or 0)
        clusters.append({
            "size": ngettext("{count} similar message", "{count} similar messages", size).format(count=ui.number(size)),
            "intent": ui.intent(cluster.get("intent")),
            "languages": ui.and_list([f"{ui.language_name(code)} {ui.number(n)}" for code, n in
                                      sorted(languages.items(), key=lambda item: (-item[1], item[0]))]),
            "examples": [str(text) for text in cluster.get("examples") or []],
            "lang": next(iter(languages)) if len(languages) == 1 else "",
        })
    missing = gaps.get("missing_templates") or []
    if missing:
        caption = _("Messages per intent in a language without a native template")
        table = Table(caption, [_("Intent"), _("Language"), _("Messages")])
        ordered = sorted(missing, key=lambda row: (-int(row.get("messages") or 0), str(row.get("intent")),
                                                   str(row.get("locale"))))
        table.group(None, [{"head": ui.intent(row.get("intent")),
                            "cells": [ui.language_name(str(row.get("locale"))), ui.number(row.get("messages"))]}
                           for row in ordered])
        names = list(dict.fromkeys(ui.language_name(str(row.get("locale"))) for row in ordered))
        points = [{"label": ui.intent(row.get("intent")), "series": ui.language_name(str(row.get("locale"))),
                   "value": int(row.get("messages") or 0)} for row in ordered]
        figures.append(page.figure(caption, table, grouped_bar_chart(points, names, _("Messages"), _("Language"))))
    return _section(page, "gaps", _("What the templates miss"), figures, clusters=clusters,
                    clusters_title=_("Messages no template answers, grouped by similarity") if clusters else "")

"""The report's charts: Vega-Lite specs built with Altair, rendered offline to SVG by vl-convert.

Each chart is rendered twice, wide (a desktop or a printed page) and narrow (a 360 px phone), and
the page shows one by CSS. Axes follow the UI language: vl-convert gets the d3 number and time
locale of ``Ui.d3_locale`` and a date pattern per language (``html_text.AXIS_DATE_FORMATS``);
dates are read and shown as UTC calendar days, so the machine's time zone never moves a period.

The SVG is inlined into the page, so ``safe_svg`` checks what vl-convert wrote: well-formed XML
with no script, link, foreign object or event attribute (data labels are text nodes, which
vl-convert escapes), and gives its ids a per-chart prefix so several charts on one page never
share one. The root becomes ``role="img"`` named by the figure's caption; Vega's own ARIA
attributes are turned off (``config.aria``): the same numbers are in a table beside the chart.
altair and vl_convert are imported inside the functions (the ``report`` extra).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from supportkit.report.html_text import Ui

WIDE = 640
"""Width of the plotting area of a wide chart, in pixels (the legend comes beside it)."""
NARROW = 270
"""Width of the plotting area of a narrow chart (a 360 px screen, legend below)."""
PALETTE = ("#4c78a8", "#e45756", "#54a24b", "#b279a2", "#f58518", "#72b7b2", "#9d755d", "#d6a40f",
           "#ff9da6", "#79706e")
"""Vega's tableau10, with its yellow darkened to read on white and on the dark theme's background."""
FONT = "DejaVu Sans, Verdana, sans-serif"
"""vl-convert measures labels with DejaVu Sans, the widest common sans-serif (Verdana has its metrics),
so a browser that draws them in its own sans-serif never overflows the space measured."""

_FORBIDDEN_TAGS = {"script", "foreignobject", "a", "image", "use", "iframe", "object", "embed", "style",
                   "animate", "set", "handler", "listener"}


class ChartError(ValueError):
    """vl-convert wrote something the page will not inline (a bug, never a user's mistake)."""


@dataclass(frozen=True)
class Chart:
    """One figure: its caption id and its two renderings, ready to inline."""

    id: str
    wide: str
    narrow: str


def _config(ui: Ui, narrow: bool) -> dict[str, Any]:
    label_size = 12
    return {
        "background": "transparent",
        # vl-convert measures CJK labels a little narrower than a browser draws them: room on the left.
        "padding": {"left": 24, "top": 8, "right": 8, "bottom": 8},
        "font": FONT,
        "aria": False,
        "view": {"stroke": None},
        "range": {"category": list(PALETTE)},
        "axis": {"labelFontSize": label_size, "titleFontSize": label_size, "titleFontWeight": "normal",
                 "labelColor": "#1b1f24", "titleColor": "#1b1f24", "gridColor": "#d6dbe1",
                 "domainColor": "#4a5360", "tickColor": "#4a5360", "labelLimit": 120 if narrow else 250},
        "legend": {"labelFontSize": label_size, "titleFontSize": label_size, "labelLimit": 240,
                   "labelColor": "#1b1f24", "titleColor": "#1b1f24",
                   **({"orient": "bottom", "direction": "vertical", "columns": 2} if narrow else {})},
        "header": {"labelFontSize": label_size, "titleFontSize": label_size, "labelColor": "#1b1f24",
                   "titleColor": "#1b1f24", "labelFontWeight": "bold"},
        "title": {"color": "#1b1f24"},
    }


def render_svg(spec: dict[str, Any], ui: Ui) -> str:
    """``spec`` (a Vega-Lite dict) as an SVG string, with the UI language's number and date formats."""
    import vl_convert

    locale: Any = ui.d3_locale  # one of vl-convert's bundled d3 locales (html_text.D3_LOCALES)
    return str(vl_convert.vegalite_to_svg(spec, format_locale=locale, time_format_locale=locale,
                                          allowed_base_urls=[]))


def safe_svg(svg: str, chart_id: str, label_id: str) -> str:
    """vl-convert's ``svg`` made fit to inline: checked, ids prefixed, named by the element ``label_id``."""
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise ChartError(f"chart {chart_id}: vl-convert wrote malformed SVG ({error})") from error
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in _FORBIDDEN_TAGS:
            raise ChartError(f"chart {chart_id}: SVG holds a <{tag}> element")
        for name in element.attrib:
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or local == "href":
                raise ChartError(f"chart {chart_id}: SVG holds a {local} attribute")
    # The figure names the whole image; Vega's own roles and labels (some layered marks keep them
    # even with aria off) would be unnamed graphics inside it.
    svg = re.sub(r'\s(?:role|aria-roledescription|aria-label|aria-description)="[^"]*"', "", svg)
    prefix = f"{chart_id}-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    start = svg.index("<svg")
    end = svg.index(">", start)
    opening = svg[start:end]
    opening = re.sub(r'\s(?:role|aria-[a-z]+|class|focusable)="[^"]*"', "", opening)
    named = f'{opening} class="chart-svg" role="img" aria-labelledby="{label_id}" focusable="false"'
    return svg[:start] + named + svg[end:]


def render_chart(chart_id: str, label_id: str, build: Callable[[int, bool], Any], ui: Ui) -> Chart:
    """``build(width, narrow)`` -> an Altair chart, rendered wide and narrow."""
    renderings = []
    for width, narrow in ((WIDE, False), (NARROW, True)):
        spec = build(width, narrow).to_dict()
        spec["config"] = _config(ui, narrow)
        renderings.append(safe_svg(render_svg(spec, ui), f"{chart_id}-{'n' if narrow else 'w'}", label_id))
    return Chart(chart_id, renderings[0], renderings[1])


def _legend(narrow: bool, labels: Sequence[str] = ()) -> Any:
    """Beside a wide chart; below a narrow one, in two columns when the labels are short enough."""
    import altair as alt

    if not narrow:
        return alt.Legend(symbolLimit=0)
    columns = 2 if all(len(label) <= 14 for label in labels) else 1
    return alt.Legend(orient="bottom", columns=columns, symbolLimit=0)


def _utc_day(iso: str) -> dict[str, Any]:
    """A Vega-Lite DateTime for the calendar day ``YYYY-MM-DD`` (UTC, like the utc time unit)."""
    year, month, day = (int(part) for part in iso[:10].split("-"))
    return {"year": year, "month": month, "date": day, "utc": True}


def volume_chart(rows: Sequence[dict[str, Any]], order: Sequence[str], by: str, title: str,
                 series_title: str, ui: Ui) -> Callable[[int, bool], Any]:
    """Tickets per period, one line per series. ``rows``: {"period", "series", "count"}."""

    def build(width: int, narrow: bool) -> Any:
        import altair as alt

        periods = sorted({str(row["period"]) for row in rows})
        line = alt.Chart(alt.Data(values=list(rows))).mark_line(point=len(periods) <= 31, strokeWidth=2)
        # Ticks on the periods themselves (a week by its first day), as UTC calendar days.
        ticks = [_utc_day(period) for period in periods] if by != "day" or len(periods) <= 31 else alt.Undefined
        return line.encode(
            x=alt.X("period:T", timeUnit="utcyearmonthdate", title=None,
                    # Centred labels with room at both ends: a flush first or last label would hide
                    # its neighbour, and the last period (the newest week) is the one most looked at.
                    axis=alt.Axis(format=ui.axis_date_format(by), values=ticks, labelOverlap="greedy",
                                  labelSeparation=6, labelFlush=False, grid=False),
                    scale=alt.Scale(padding=12)),
            y=alt.Y("count:Q", title=title, axis=alt.Axis(format=",d", tickMinStep=1)),
            color=alt.Color("series:N", title=series_title, sort=list(order), legend=_legend(narrow, order),
                            scale=alt.Scale(domain=list(order))),
        ).properties(width=width, height=200 if narrow else 240)

    return build


def bar_chart(rows: Sequence[dict[str, Any]], value_title: str, value_format: str, ui: Ui,
              group_title: str | None = None, domain_max: float | None = None) -> Callable[[int, bool], Any]:
    """Horizontal bars, one per row, grouped by ``row["group"]`` when rows have one.

    ``rows``: {"label", "value", "group"?, "mark"?}: ``mark`` (optional) draws a tick at a second
    value (the 90th percentile beside a median bar).
    """

    def build(width: int, narrow: bool) -> Any:
        import altair as alt

        data = alt.Data(values=list(rows))
        grouped = any("group" in row for row in rows)
        # A faceted chart takes its data at the top; its layers must have none of their own.
        base = alt.Chart() if grouped else alt.Chart(data)
        scale = alt.Scale(domain=[0, domain_max]) if domain_max is not None else alt.Undefined
        x = alt.X("value:Q", title=value_title, axis=alt.Axis(format=value_format, tickCount=4 if narrow else 6),
                  scale=scale)
        y = alt.Y("label:N", title=None, sort=None)
        bars = base.mark_bar(color=PALETTE[0]).encode(x=x, y=y)
        layers: Any = bars
        if any("mark" in row for row in rows):
            ticks = base.mark_tick(color=PALETTE[1], thickness=3, size=14).encode(x=alt.X("mark:Q", scale=scale), y=y)
            layers = alt.layer(bars, ticks)
        plot_width = width - (130 if narrow else 200)
        if grouped:
            order = list(dict.fromkeys(row["group"] for row in rows))
            return layers.properties(width=plot_width, height=alt.Step(20)).facet(
                row=alt.Row("group:N", title=group_title, sort=order,
                            header=alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start")),
                data=data, spacing=12).resolve_scale(y="independent")
        return layers.properties(width=plot_width, height=alt.Step(20))

    return build


def hours_chart(rows: Sequence[dict[str, Any]], x_title: str, y_title: str) -> Callable[[int, bool], Any]:
    """Tickets per hour of day, 0 to 23. ``rows``: {"hour", "tickets"}."""

    def build(width: int, narrow: bool) -> Any:
        import altair as alt

        return alt.Chart(alt.Data(values=list(rows))).mark_bar(color=PALETTE[0]).encode(
            x=alt.X("hour:O", title=x_title, scale=alt.Scale(domain=list(range(24))),
                    axis=alt.Axis(labelAngle=0, values=list(range(0, 24, 3 if narrow else 1)))),
            y=alt.Y("tickets:Q", title=y_title, axis=alt.Axis(format=",d", tickMinStep=1)),
        ).properties(width=width, height=180 if narrow else 220)

    return build


def grouped_bar_chart(rows: Sequence[dict[str, Any]], order: Sequence[str], value_title: str,
                      series_title: str) -> Callable[[int, bool], Any]:
    """Horizontal bars per label, split by series (stacked). ``rows``: {"label", "series", "value"}."""

    def build(width: int, narrow: bool) -> Any:
        import altair as alt

        return alt.Chart(alt.Data(values=list(rows))).mark_bar().encode(
            x=alt.X("value:Q", title=value_title, axis=alt.Axis(format=",d", tickCount=4 if narrow else 6, tickMinStep=1)),
            y=alt.Y("label:N", title=None, sort=None),
            color=alt.Color("series:N", title=series_title, sort=list(order), scale=alt.Scale(domain=list(order)),
                            legend=_legend(narrow, order)),
        ).properties(width=width - (130 if narrow else 200), height=alt.Step(20))

    return build


def dot_chart(rows: Sequence[dict[str, Any]], order: Sequence[str], value_title: str) -> Callable[[int, bool], Any]:
    """Two values per label joined by a line (expected and observed). ``rows``: {"label", "series", "value"}."""

    def build(width: int, narrow: bool) -> Any:
        import altair as alt

        data = alt.Data(values=list(rows))
        y = alt.Y("label:N", title=None, sort=None)
        x = alt.X("value:Q", title=value_title, axis=alt.Axis(format=",d", tickCount=4 if narrow else 6, tickMinStep=1))
        line = alt.Chart(data).mark_line(color="#79706e").encode(x=x, y=y, detail="label:N")
        dots = alt.Chart(data).mark_point(filled=True, size=90, opacity=1).encode(
            x=x, y=y, color=alt.Color("series:N", title=None, sort=list(order),
                                      scale=alt.Scale(domain=list(order), range=["#79706e", PALETTE[1]]),
                                      legend=_legend(narrow, order)),
            shape=alt.Shape("series:N", sort=list(order), scale=alt.Scale(domain=list(order),
                                                                            range=["circle", "diamond"]),
                            legend=None))
        return alt.layer(line, dots).properties(width=width - (130 if narrow else 200), height=alt.Step(24))

    return build

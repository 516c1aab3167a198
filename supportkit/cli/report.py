"""supportkit report: a ticket export in, the support lead's figures out (text, --json, --csv, --out HTML)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from supportkit.cli.common import (
    Context,
    IntRange,
    PathType,
    command,
    emit_json,
    option,
    pass_context,
    show_progress,
)
from supportkit.i18n import N_, _, format_number, format_share, ngettext

REPORT_HELP = N_("""Report on a ticket export (JSON Lines or CSV): volume by language, intent, channel and urgency; response and resolution times; load by hour; satisfaction; rising intents (trends); and what the templates miss.

Records not labelled yet go through the same pipeline as batch into the labels file (default EXPORT.labels.jsonl), which a later run continues; it holds labels and redacted text only. Column names and the team's time zone come from [report] in the configuration (docs/report.md). Groups of fewer than 5 tickets are not shown.

Exit codes: 0 complete; 1 failed; 2 usage error; 3 partial (some records were rejected: see the rejects file).""")


def _date(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_("{value!r} is not a date (YYYY-MM-DD)").format(value=value),
                                 param_hint=flag) from None


@command(short_help=N_("Report on a ticket export: volume, response times, satisfaction, trends, gaps."),
         help=REPORT_HELP)
@click.argument("export", metavar="EXPORT", type=PathType(dir_okay=False, allow_dash=False))
@option("--labels", type=PathType(dir_okay=False), metavar="FILE",
        help=N_("Labels file (default: EXPORT.labels.jsonl)."))
@option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), help=N_("Export format (default: from the file name)."))
@option("--since", metavar="YYYY-MM-DD", help=N_("First day reported (in the team's time zone)."))
@option("--until", metavar="YYYY-MM-DD", help=N_("Last day reported (in the team's time zone)."))
@option("--by", type=click.Choice(["day", "week", "month"]), default="week", show_default=True,
        help=N_("Period of the volume figures."))
@option("--no-examples", is_flag=True, help=N_("Leave example messages out."))
@option("--jobs", type=IntRange(1, 64), metavar="N", default=1, show_default=True,
        help=N_("Worker processes for labelling."))
@option("--json", "as_json", is_flag=True, help=N_("Print the report as JSON (docs/report.md)."))
@option("--csv", "csv_dir", type=PathType(file_okay=False), metavar="DIR",
        help=N_("Write one CSV file per table into DIR."))
@option("--out", "out", type=PathType(dir_okay=False), metavar="FILE.html",
        help=N_("Write the report as a self-contained HTML page."))
@pass_context
def report(ctx: Context, export: str, labels: str | None, fmt: str | None, since: str | None, until: str | None,
           by: str, no_examples: bool, jobs: int, as_json: bool, csv_dir: str | None, out: str | None) -> None:
    import sys

    from supportkit.report import ReportOptions, build_report

    path = Path(export)
    if not path.is_file():
        raise click.BadParameter(_("file not found: {path}").format(path=export), param_hint="EXPORT")
    first, last = _date(since, "--since"), _date(until, "--until")
    if first and last and first > last:
        raise click.BadParameter(_("--since is after --until"), param_hint="--since")
    render = _html_renderer() if out else None
    options = ReportOptions(since=first, until=last, by=by, labels=Path(labels) if labels else None, fmt=fmt,
                            examples=not no_examples, jobs=jobs)
    with click.progressbar(length=path.stat().st_size, label=_("Labelling messages"), file=sys.stderr,
                           hidden=not show_progress()) as bar:
        result = build_report(path, ctx.config, options, progress=bar.update)
    data = result.data
    if csv_dir:
        from supportkit.report.tables import write_csv

        write_csv(data, Path(csv_dir))
    if out and render is not None:
        _write_html(render, data, Path(out))
    if as_json:
        emit_json(data)
    else:
        click.echo(report_summary(data))
    if result.rejected:
        click.echo(_("rejects: {path}").format(path=result.rejects), err=True)
    if result.exit_code:
        raise SystemExit(result.exit_code)


def _html_renderer() -> Any:
    """``render_html``, or a ReportError when this installation has no HTML report."""
    from supportkit.errors import ReportError

    try:
        from supportkit.report.html import render_html  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        raise ReportError(_("the HTML report is not available ({reason})").format(reason=exc.msg), None,
                          _("Install supportkit[report], or use --json or --csv.")) from None
    return render_html


def _write_html(render: Any, data: dict[str, Any], out: Path) -> None:
    from supportkit.errors import ReportError
    from supportkit.files import write_text
    from supportkit.i18n import current_language

    page = render(data, current_language())
    try:
        write_text(out, page)
    except OSError as exc:
        raise ReportError(_("cannot write {path}: {reason}").format(path=out, reason=exc.strerror), str(out)) from None


def _percent(share: float | None) -> str:
    return "-" if share is None else format_share(share)


def _minutes(value: float) -> str:
    return format_number(value, 1)


def _top(rows: list[dict[str, Any]], count: int = 3) -> str:
    return ", ".join(f"{row['key']} {format_number(row['total'])}" for row in rows[:count]) or "-"


def report_summary(data: dict[str, Any]) -> str:
    """A short readable summary of the report, in the user's language."""
    given = data["generated_for"]
    volume = data["volume"]
    lines = [
        _("Report of {export}: {tickets}, {messages}, {rejected}").format(
            export=given["export"],
            tickets=ngettext("{count} ticket", "{count} tickets", given["tickets"]).format(
                count=format_number(given["tickets"])),
            messages=ngettext("{count} message", "{count} messages", given["messages"]).format(
                count=format_number(given["messages"])),
            rejected=ngettext("{count} rejected", "{count} rejected", given["rejected"]).format(
                count=format_number(given["rejected"]))),
    ]
    if volume["periods"]:
        by = {"day": _("day"), "week": _("week"), "month": _("month")}.get(given["by"], given["by"])
        lines.append(_("Period: {first} to {last}, by {by} ({timezone})").format(
            first=volume["periods"][0], last=volume["periods"][-1], by=by, timezone=given["timezone"]))
    lines.append(_("Urgent: {urgent}; secret pasted: {secret}").format(
        urgent=_percent(volume["urgent_share"]), secret=_percent(volume["secret_share"])))
    lines.append(_("Languages: {top}").format(top=_top(volume["by"]["language"])))
    lines.append(_("Intents: {top}").format(top=_top(volume["by"]["intent"])))
    times = data["response_times"]
    if times is not None:
        for measure, label in (("first_response", _("First response")), ("resolution", _("Resolution"))):
            overall = next((r for r in times[measure] if r["dimension"] == "all"), None)
            if overall is not None:
                lines.append(_("{measure}: median {median} min, p90 {p90} min ({tickets})").format(
                    measure=label, median=_minutes(overall["median"]), p90=_minutes(overall["p90"]),
                    tickets=ngettext("{count} ticket", "{count} tickets", overall["tickets"]).format(
                        count=format_number(overall["tickets"]))))
    if data["load_by_hour"] is not None:
        busy = [r for r in data["load_by_hour"] if r["tickets"]]  # an hour with no ticket is never "busiest"
        busiest = sorted(busy, key=lambda r: (-r["tickets"], r["hour"]))[:3]
        lines.append(_("Busiest hours: {hours}").format(
            hours=", ".join(f"{r['hour']:02d}:00 ({format_number(r['tickets'])})" for r in busiest) or "-"))
    overall = next((r for r in data["satisfaction"] or [] if r["dimension"] == "all"), None)
    if overall is not None:
        lines.append(_("Satisfaction: {csat} of {rated} rated; reopened {reopen}").format(
            csat=_percent(overall["csat"]), rated=format_number(overall["rated"]),
            reopen=_percent(overall["reopen_rate"])))
    if data["trends"]:
        lines.append(_("Rising intents:"))
        for trend in data["trends"][:5]:
            lines.append("  " + _("{intent} ({language}), week of {period}: {tickets}, {ratio}x the {expected} expected")
                         .format(intent=trend["intent"], language=trend["language"] or _("all languages"),
                                 period=trend["period"],
                                 tickets=ngettext("{count} ticket", "{count} tickets", trend["count"]).format(
                                     count=format_number(trend["count"])),
                                 ratio=format_number(trend["ratio"], 1), expected=format_number(trend["expected"], 1)))
    else:
        lines.append(_("Rising intents: none"))
    gaps = data["gaps"]
    lines.append(_("Unanswered messages: {groups}; intents without a native template: {missing}").format(
        groups=ngettext("{count} group", "{count} groups", len(gaps["clusters"])).format(
            count=format_number(len(gaps["clusters"]))),
        missing=", ".join(f"{m['intent']} ({m['locale']})" for m in gaps["missing_templates"][:3]) or "-"))
    left_out = [note for note in data["notes"] if note["reason"] == "missing_columns"]
    for note in left_out:
        lines.append(_("Left out: {section} (missing columns: {columns})").format(
            section=note["section"], columns=", ".join(note["columns"])))
    return "\n".join(lines)

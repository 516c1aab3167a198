"""supportkit batch: a ticket export in, one drafted reply per record out."""

from __future__ import annotations

import sys
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
)
from supportkit.i18n import N_, _, format_number, ngettext

# --- batch ----------------------------------------------------------------------


BATCH_HELP = N_("""Draft a reply for every ticket of a JSON Lines or CSV export (id, text, optional lang).

A record that cannot be read or answered goes to the rejects file with its line number and the reason; the records after it go on. OUT is locked while a run writes it, and --resume continues only a file that supportkit batch wrote (it cuts a torn last line, nothing else).

Exit codes: 0 complete (every record drafted); 1 failed (the run could not start or stopped early: see the message; --resume continues it); 2 usage error; 3 partial (the run ended, but some records were rejected: see the rejects file).""")


@command(short_help=N_("Draft a reply for every ticket of an export (JSONL or CSV)."), help=BATCH_HELP)
@click.argument("source", metavar="IN", type=PathType(dir_okay=False, allow_dash=False))
@option("--out", "out", type=PathType(dir_okay=False), metavar="FILE", required=True, help=N_("Output file (JSON Lines)."))
@option("--rejects", type=PathType(dir_okay=False), metavar="FILE", help=N_("Rejects file (default: OUT.rejects.jsonl)."))
@option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), help=N_("Input format (default: from the file name)."))
@option("--jobs", type=IntRange(1, 64), metavar="N", default=1, show_default=True, help=N_("Worker processes."))
@option("--resume", is_flag=True, help=N_("Continue an interrupted run: skip records already in OUT."))
@option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help=N_("Run locally, or on a Dask cluster (needs supportkit[dask])."))
@option("--scheduler", metavar="ADDRESS", help=N_("Dask scheduler address (default: a local cluster)."))
@option("--insecure-scheduler", is_flag=True,
              help=N_("Allow a plain tcp:// scheduler on another machine (messages travel unencrypted; use tls://)."))
@option("--json", "as_json", is_flag=True, help=N_("Print the counts as JSON."))
@pass_context
def batch(ctx: Context, source: str, out: str, rejects: str | None, fmt: str | None, jobs: int, resume: bool,
          engine: str, scheduler: str | None, insecure_scheduler: bool, as_json: bool) -> None:
    import os

    from supportkit.batch import run_batch

    path = Path(source)
    if not path.is_file():
        raise click.BadParameter(_("file not found: {path}").format(path=source), param_hint="IN")
    show_bar = sys.stderr.isatty() and not os.environ.get("CI")
    with click.progressbar(length=path.stat().st_size, label=_("Drafting replies"), file=sys.stderr,
                           hidden=not show_bar) as bar:
        report = run_batch(path, Path(out), ctx.config, fmt=fmt, rejects=Path(rejects) if rejects else None,
                           jobs=jobs, resume=resume, engine=engine, scheduler=scheduler,
                           insecure_scheduler=insecure_scheduler, progress=bar.update)
    if as_json:
        emit_json(report.to_dict())
    else:
        click.echo(batch_summary(report.to_dict()), err=True)
        if report.repaired:
            click.echo(_("note: cut a torn last line from an interrupted run"), err=True)
        if report.rejected or report.rejected_before:
            click.echo(_("rejects: {path}").format(path=report.rejects), err=True)
    if report.exit_code:
        raise SystemExit(report.exit_code)


def batch_summary(counts: dict[str, Any]) -> str:
    """"read 3, written 2, rejected 1, skipped (resume) 0 in 1.3 s", in the user's language: each count
    with its plural form, numbers and the duration written the locale's way ("1,3 s" in French)."""
    def number(key: str) -> str:
        return format_number(counts[key])

    # Literal ngettext calls, so the extractor finds each pair.
    return _("{read}, {written}, {rejected}, {skipped} in {seconds} s").format(
        read=ngettext("{count} record read", "{count} records read", counts["read"]).format(count=number("read")),
        written=ngettext("{count} written", "{count} written", counts["written"]).format(count=number("written")),
        rejected=ngettext("{count} rejected", "{count} rejected", counts["rejected"]).format(
            count=number("rejected")),
        skipped=ngettext("{count} skipped (resume)", "{count} skipped (resume)", counts["skipped"]).format(
            count=number("skipped")),
        seconds=format_number(counts["seconds"], 1))

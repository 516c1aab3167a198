"""The command line: parse options, call one library function, print.

Commands stay thin: the work lives in the library modules. Heavy imports happen
inside the command that needs them so ``import supportkit.cli`` stays light.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

import click

from supportkit import __version__
from supportkit.config import Config, load_config
from supportkit.errors import InputError
from supportkit.i18n import _

MAX_INPUT_BYTES = 10 * 1024 * 1024
"""Largest message read from an argument or stdin (10 MiB); longer input is refused, not cut silently."""


class Context:
    """What every command gets: the configuration, loaded when a command first needs it.

    Loading late lets ``supportkit config`` show a refused file instead of failing on it,
    and keeps commands that need no configuration (``detect``, ``guard``) out of its errors.
    """

    def __init__(self, flags: dict[str, tuple[str, Any]]) -> None:
        self.flags = flags
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(flags=self.flags)
        return self._config


pass_context = click.make_pass_decorator(Context)


def _stdin_bytes() -> BinaryIO:
    """Standard input as bytes (decoded by ``decode_input``, so bad UTF-8 is a clean error)."""
    stream = sys.stdin
    return cast(BinaryIO, getattr(stream, "buffer", stream))


def read_message(text: str | None) -> str:
    """The message from the argument, or stdin when it is ``-`` or omitted and piped."""
    if text is not None and text != "-":
        return text
    stream = _stdin_bytes()
    if text is None and stream.isatty():
        raise click.UsageError(_("Give the message as an argument, or pipe it on stdin (use - to read stdin)."))
    data = stream.read(MAX_INPUT_BYTES + 1)
    return decode_input(data, "stdin")


def decode_input(data: bytes, where: str) -> str:
    """Bytes from a file or stdin as text: UTF-8 (BOM allowed), no NUL bytes, within the size cap."""
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            _("input is larger than {limit} MiB").format(limit=MAX_INPUT_BYTES // (1024 * 1024)),
            where,
            _("Split it into messages and use --lines, or the batch command."),
        )
    if b"\x00" in data:
        raise InputError(_("input holds NUL bytes (binary data?)"), where, _("Pass text, not a binary file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            _("input is not valid UTF-8 (byte {offset})").format(offset=exc.start),
            where,
            _("Convert it to UTF-8, e.g. with iconv -t UTF-8."),
        ) from None


def read_lines(text: str | None) -> list[str]:
    """Messages one per line from stdin (or the argument), for ``--lines``."""
    return read_message(text).splitlines()


def emit_json(data: Any) -> None:
    """One JSON document on stdout, UTF-8, no ASCII escaping."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def emit_json_line(data: Any) -> None:
    """One JSON Lines record on stdout."""
    click.echo(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="supportkit")
@click.option("--replies", "replies_dir", type=click.Path(file_okay=False, path_type=None), default=None,
              help=_("Folder of reply and tutorial templates (default: configured, else bundled)."))
@click.option("--locales", "locales_dir", type=click.Path(file_okay=False), default=None,
              help=_("Folder of gettext catalogs (default: configured, else bundled)."))
@click.pass_context
def cli(ctx: click.Context, replies_dir: str | None, locales_dir: str | None) -> None:
    """supportkit: multilingual help-desk toolkit (zh en es ru fr)."""
    from pathlib import Path

    ctx.obj = Context({"replies_dir": ("--replies", Path(replies_dir) if replies_dir else None),
                       "locales_dir": ("--locales", Path(locales_dir) if locales_dir else None)})


# --- detection ----------------------------------------------------------------


@cli.command()
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@click.option("--lines", is_flag=True, help=_("One message per input line; prints JSON Lines."))
def detect(text: str | None, as_json: bool, lines: bool) -> None:
    """Name the language of TEXT (or stdin): code, confidence, script, alternatives.

    With --lines, every input line is one message and gets one JSON Lines record
    (blank lines give "und"), so a file of messages runs in one process.
    """
    from supportkit.detection import detect as detect_language

    if lines:
        for line in _stream_lines(text):
            emit_json_line(detect_language(line).to_dict())
        return
    result = detect_language(read_message(text))
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(f"{result.language}\t{result.confidence:.2f}\t{result.script}")
    for alt in result.alternatives[1:4]:
        click.echo(f"  {alt.language}\t{alt.confidence:.2f}")


def _stream_lines(text: str | None) -> Iterator[str]:
    """Lines of the argument, or of stdin read as a stream (no size cap; each line decoded on its own)."""
    if text is not None and text != "-":
        yield from text.splitlines()
        return
    stream = _stdin_bytes()
    if text is None and stream.isatty():
        raise click.UsageError(_("Give the message as an argument, or pipe it on stdin (use - to read stdin)."))
    for number, raw in enumerate(stream, 1):
        yield decode_input(raw if number > 1 else raw.removeprefix(b"\xef\xbb\xbf"),
                           f"stdin:{number}").rstrip("\r\n")


# --- guard --------------------------------------------------------------------


@cli.command()
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@click.option("--lines", is_flag=True, help=_("One message per input line; prints JSON Lines."))
@click.option("--previous", "previous", multiple=True, metavar="TEXT",
              help=_("An earlier message of the conversation, oldest first (repeatable)."))
def guard(text: str | None, as_json: bool, lines: bool, previous: tuple[str, ...]) -> None:
    """Remove recovery phrases, private keys and keystores from TEXT (or stdin); name scam signals.

    Prints the redacted text (stdout) and what was found (stderr); with --json, the
    findings (kind, offsets, word count: never the secret) and the redacted text.
    With --previous, a phrase split between earlier messages and this one is found too;
    with --lines, each line is read with the 24 lines around it (a line's record comes
    out once 24 more lines were read, or at the end).
    """
    from supportkit.guard import guard_lines, guard_message

    if lines:
        for _line, result in guard_lines(_stream_lines(text)):
            emit_json_line(result.to_dict())
        return
    result = guard_message(read_message(text), previous).guarded
    if as_json:
        emit_json(result.to_dict())
        return
    for finding in result.findings:
        click.secho(_("removed: {kind} (characters {start}-{end}, confidence {confidence})").format(
            kind=finding.kind, start=finding.start, end=finding.end, confidence=finding.confidence),
            fg="red", bold=True, err=True)
    if result.scam_signals:
        click.secho(_("scam signals: {signals}").format(signals=", ".join(result.scam_signals)), fg="yellow",
                    err=True)
    click.echo(result.redacted, nl=not result.redacted.endswith("\n"))


# --- replies ------------------------------------------------------------------


def _print_reply(result: Any) -> None:
    """Human view of a reply: warnings first (stderr), then the text to send (stdout)."""
    if result.secret_found:
        click.secho(_("WARNING: the customer pasted a recovery phrase or private key. It was removed; "
                      "the reply starts with a safety notice."), fg="red", bold=True, err=True)
    elif result.urgent:
        click.secho(_("URGENT: {reasons}").format(reasons=", ".join(result.urgency_reasons) or "funds at risk"),
                    fg="yellow", bold=True, err=True)
    if result.review_reason is not None:
        click.secho(_("REVIEW before sending: {reason}").format(reason=result.review_reason), fg="yellow",
                    err=True)
    ranked = ", ".join(f"{i['id']} {i['score']:.2f}" for i in result.intents)
    fallback = _(" (fallback)") if result.reply.fallback else ""
    click.echo(_("language: {language} ({confidence:.2f})  intent: {intent}  template: {template}  "
                 "locale: {locale}{fallback}").format(
        language=result.language, confidence=result.confidence, intent=result.intent,
        template=result.reply.template, locale=result.reply.locale, fallback=fallback), err=True)
    click.echo(_("ranked: {ranked}").format(ranked=ranked), err=True)
    for note in result.notes:
        click.echo(_("note: {note}").format(note=note), err=True)
    if result.reply.subject:
        click.echo(_("Subject: {subject}").format(subject=result.reply.subject))
        click.echo("")
    click.echo(result.text)
    if result.agent is not None:
        click.echo("")
        click.echo(_("--- for you ({locale}) ---").format(locale=result.agent.locale))
        click.echo(result.agent.text)


@cli.command()
@click.argument("text", required=False)
@click.option("--lang", "lang", metavar="LL", help=_("Reply in this locale instead of the detected one."))
@click.option("--var", "variables", multiple=True, metavar="KEY=VALUE", help=_("Fill a template variable (repeatable)."))
@click.option("--top", type=click.IntRange(1, 16), default=3, show_default=True, help=_("How many ranked intents to show."))
@click.option("--agent-lang", metavar="LL", help=_("Also show the reply in the agent's language."))
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@click.option("--lines", is_flag=True, help=_("One message per input line; prints JSON Lines."))
@click.option("--previous", "previous", multiple=True, metavar="TEXT",
              help=_("An earlier message of the conversation, oldest first (repeatable)."))
@pass_context
def reply(ctx: Context, text: str | None, lang: str | None, variables: tuple[str, ...], top: int,
          agent_lang: str | None, as_json: bool, lines: bool, previous: tuple[str, ...]) -> None:
    """Detect, guard, classify and draft the reply to a customer message (TEXT or stdin)."""
    from supportkit.guard import guard_lines
    from supportkit.library.store import library_for
    from supportkit.pipeline import parse_vars, process_message

    values = parse_vars(variables)
    if lines:
        library = library_for(ctx.config)
        for line, guarded in guard_lines(read_lines(text)):
            if not line.strip():
                continue
            result = process_message(line, ctx.config, lang=lang, values=values, top=top, agent_lang=agent_lang,
                                     library=library, guarded=guarded)
            emit_json_line(result.to_dict())
        return
    result = process_message(read_message(text), ctx.config, lang=lang, values=values, top=top,
                             agent_lang=agent_lang, previous=previous)
    if as_json:
        emit_json(result.to_dict())
    else:
        _print_reply(result)


@cli.command()
@click.argument("template_id", metavar="ID")
@click.option("--lang", "lang", metavar="LL", default="en", show_default=True, help=_("Locale of the tutorial."))
@click.option("--var", "variables", multiple=True, metavar="KEY=VALUE", help=_("Fill a template variable (repeatable)."))
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@pass_context
def tutorial(ctx: Context, template_id: str, lang: str, variables: tuple[str, ...], as_json: bool) -> None:
    """Show the tutorial ID (e.g. switch_phone) in a customer's language."""
    from supportkit.pipeline import parse_vars, render_tutorial

    rendered = render_tutorial(template_id, lang, ctx.config, parse_vars(variables))
    if as_json:
        emit_json(rendered.to_dict())
        return
    if rendered.fallback:
        click.echo(_("note: no {lang} version; showing {locale}").format(lang=lang, locale=rendered.locale), err=True)
    click.echo(rendered.subject)
    click.echo("")
    click.echo(rendered.text)


@cli.group()
def templates() -> None:
    """List, show and search the reply and tutorial templates."""


@templates.command("list")
@click.option("--kind", type=click.Choice(["reply", "tutorial"]), help=_("Only this kind."))
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@pass_context
def templates_list(ctx: Context, kind: str | None, as_json: bool) -> None:
    """One line per template: ref, kind, intents, locales."""
    from supportkit.writers.browse import list_templates

    rows = list_templates(ctx.config, kind)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(f"{row['ref']:<36} {row['kind']:<9} {','.join(row['intents']) or '-':<28} {' '.join(row['locales'])}")


@templates.command("show")
@click.argument("template_id", metavar="ID")
@click.option("--lang", "lang", metavar="LL", help=_("Only this locale (default: all)."))
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@pass_context
def templates_show(ctx: Context, template_id: str, lang: str | None, as_json: bool) -> None:
    """A template's details and its text in every locale (or one)."""
    from supportkit.writers.browse import show_template

    data = show_template(ctx.config, template_id, lang)
    if as_json:
        emit_json(data)
        return
    click.echo(f"{data['ref']} ({data['kind']})  intents: {', '.join(data['intents']) or '-'}  file: {data['path']}")
    if data["variables"]:
        click.echo(_("variables: {names}").format(names=", ".join(data["variables"])))
    for code, entry in data["locales"].items():
        click.echo("")
        click.echo(f"[{code}] {entry['state']}  {entry['subject']}")
        click.echo(entry["text"])


@templates.command("search")
@click.argument("query")
@click.option("--lang", "lang", metavar="LL", help=_("Search only this locale."))
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@pass_context
def templates_search(ctx: Context, query: str, lang: str | None, as_json: bool) -> None:
    """Templates whose subject, text, FAQ question or examples contain QUERY (any language)."""
    from supportkit.writers.browse import search_templates

    hits = search_templates(ctx.config, query, lang)
    if as_json:
        emit_json(hits)
        return
    if not hits:
        click.echo(_("no template matches {query!r}").format(query=query), err=True)
        raise SystemExit(1)
    for hit in hits:
        click.echo(f"{hit['ref']:<36} {hit['locale']}  {hit['snippet']}")


# --- faq site -------------------------------------------------------------------


@cli.group()
def faq() -> None:
    """Build and preview the static, localized help-center site."""


@faq.command("build")
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, help=_("Folder to write the site into."))
@click.option("--base-url", metavar="URL", help=_("Public address of the site, for canonical and hreflang links."))
@click.option("--locales", "locales", metavar="LL,LL", help=_("Comma-separated locales (default: zh,en,es,ru,fr)."))
@click.option("--strict", is_flag=True, help=_("Fail when any article is missing, stale or a draft in any locale."))
@click.option("--untranslated", type=click.Choice(["notice", "omit"]), default="notice", show_default=True,
              help=_("Show untranslated articles in the original language with a notice, or leave them out."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the build report as JSON."))
@pass_context
def faq_build(ctx: Context, out: str, base_url: str | None, locales: str | None, strict: bool, untranslated: str,
              as_json: bool) -> None:
    """Build the FAQ site from tutorials and replies that carry an FAQ question."""
    from pathlib import Path

    from supportkit.faq import BuildOptions, build_site
    from supportkit.faq.build import SITE_LOCALES

    codes = tuple(c.strip() for c in locales.split(",") if c.strip()) if locales else SITE_LOCALES
    options = BuildOptions(out=Path(out), base_url=base_url, locales=codes, strict=strict, untranslated=untranslated)
    report = build_site(ctx.config, options)
    if as_json:
        emit_json(report.to_dict())
        return
    click.echo(_("Built {pages} pages ({articles} articles x {locales} locales) in {seconds:.2f} s: {out}").format(
        pages=report.pages, articles=report.articles, locales=len(report.locales), seconds=report.seconds,
        out=report.out), err=True)
    if report.fallbacks:
        click.echo(_("{count} page(s) shown in the original language with a notice (untranslated).").format(
            count=len(report.fallbacks)), err=True)
    if report.kept:
        click.echo(_("kept {count} file(s) the build did not write: {files}").format(
            count=len(report.kept), files=", ".join(report.kept[:5])), err=True)


@faq.command("serve")
@click.option("--out", "out", type=click.Path(file_okay=False), help=_("Build into this folder (default: a temporary one)."))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help=_("Port on 127.0.0.1."))
@pass_context
def faq_serve(ctx: Context, out: str | None, port: int) -> None:
    """Build the site and preview it on http://127.0.0.1:PORT/ until Ctrl-C."""
    from pathlib import Path

    from supportkit.faq.serve import serve

    serve(ctx.config, Path(out) if out else None, port, announce=lambda url: click.echo(url, err=True))


# --- batch ----------------------------------------------------------------------


BATCH_HELP = _("""Draft a reply for every ticket of a JSON Lines or CSV export (id, text, optional lang).

A record that cannot be read or answered goes to the rejects file with its line number and the reason; the records after it go on. OUT is locked while a run writes it, and --resume continues only a file that supportkit batch wrote (it cuts a torn last line, nothing else).

Exit codes: 0 complete (every record drafted); 1 failed (the run could not start or stopped early: see the message; --resume continues it); 2 usage error; 3 partial (the run ended, but some records were rejected: see the rejects file).""")


@cli.command(help=BATCH_HELP)
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False, allow_dash=False))
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True, help=_("Output file (JSON Lines)."))
@click.option("--rejects", type=click.Path(dir_okay=False), help=_("Rejects file (default: OUT.rejects.jsonl)."))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), help=_("Input format (default: from the file name)."))
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help=_("Worker processes."))
@click.option("--resume", is_flag=True, help=_("Continue an interrupted run: skip records already in OUT."))
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help=_("Run locally, or on a Dask cluster (needs supportkit[dask])."))
@click.option("--scheduler", metavar="ADDRESS", help=_("Dask scheduler address (default: a local cluster)."))
@click.option("--insecure-scheduler", is_flag=True,
              help=_("Allow a plain tcp:// scheduler on another machine (messages travel unencrypted; use tls://)."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the counts as JSON."))
@pass_context
def batch(ctx: Context, source: str, out: str, rejects: str | None, fmt: str | None, jobs: int, resume: bool,
          engine: str, scheduler: str | None, insecure_scheduler: bool, as_json: bool) -> None:
    import os
    import sys
    from pathlib import Path

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
        click.echo(_("read {read}, written {written}, rejected {rejected}, skipped (resume) {skipped} "
                     "in {seconds:.1f} s").format(**report.to_dict()), err=True)
        if report.repaired:
            click.echo(_("note: cut a torn last line from an interrupted run"), err=True)
        if report.rejected or report.rejected_before:
            click.echo(_("rejects: {path}").format(path=report.rejects), err=True)
    if report.exit_code:
        raise SystemExit(report.exit_code)


# --- writers --------------------------------------------------------------------


@cli.command(help=_("Lint templates and catalogs (default: the configured replies and locales folders); exit 1 on errors."))
@click.argument("paths", nargs=-1, type=click.Path(path_type=None))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help=_("Output: text lines, a JSON list, or GitHub workflow annotations."))
@click.option("--locale", "locale", metavar="LL", help=_("Only findings for this locale."))
@pass_context
def check(ctx: Context, paths: tuple[str, ...], fmt: str, locale: str | None) -> None:
    from pathlib import Path

    from supportkit.i18n import ngettext
    from supportkit.writers.checks import format_findings, run_checks

    report = run_checks(ctx.config, [Path(p) for p in paths], locale)
    output = format_findings(report.findings, fmt)
    if output:
        click.echo(output)
    if fmt != "json":
        errors, warnings = len(report.errors), len(report.warnings)
        summary = _("{errors} and {warnings} (templates checked: {templates}, catalogs: {catalogs})").format(
            errors=ngettext("{count} error", "{count} errors", errors).format(count=errors),
            warnings=ngettext("{count} warning", "{count} warnings", warnings).format(count=warnings),
            templates=report.templates, catalogs=report.catalogs)
        click.echo(summary, err=True)
    if report.errors:
        raise SystemExit(1)


@cli.command(help=_("Translation state of every template in every locale (ok, missing, stale, draft) and coverage."))
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@pass_context
def status(ctx: Context, as_json: bool) -> None:
    from supportkit.writers.status import status_table, translation_status

    report = translation_status(ctx.config)
    if as_json:
        emit_json(report.to_dict())
        return
    labels = {"ok": _("ok"), "missing": _("missing"), "stale": _("stale"), "draft": _("draft: review"),
              "coverage": _("coverage")}
    click.echo(status_table(report, labels))


@cli.command(help=_("Render template ID in all five locales with edge-case values (empty, long names, counts, tiny amounts)."))
@click.argument("template_id", metavar="ID")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), help=_("Also write one HTML page for review."))
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@pass_context
def preview(ctx: Context, template_id: str, html_out: str | None, as_json: bool) -> None:
    from pathlib import Path

    from supportkit.files import write_text
    from supportkit.writers.preview import build_preview, preview_html, preview_text

    result = build_preview(ctx.config, template_id)
    if html_out:
        write_text(Path(html_out), preview_html(result, _("Preview")))
        click.echo(_("wrote {path}").format(path=html_out), err=True)
    if as_json:
        emit_json(result.to_dict())
    else:
        click.echo(preview_text(result), nl=False)


@cli.command(help=_("Machine-translate missing or stale translations into the template files as drafts for review."))
@click.option("--locale", "locale", metavar="LL", required=True, help=_("Locale to draft (zh, es, ru or fr)."))
@click.option("--template", "template_ids", multiple=True, metavar="ID", help=_("Only this template (repeatable)."))
@click.option("--dry-run", is_flag=True, help=_("Translate and show what would change; write nothing."))
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@pass_context
def drafts(ctx: Context, locale: str, template_ids: tuple[str, ...], dry_run: bool, as_json: bool) -> None:
    from supportkit.writers.drafts import make_drafts

    report = make_drafts(ctx.config, locale, list(template_ids), dry_run=dry_run)
    if as_json:
        emit_json(report.to_dict())
        return
    for item in report.items:
        click.echo(f"{item.path}: {item.locale}: {item.action}")
        for finding in item.findings:
            click.echo(f"  {finding}", err=True)
    click.echo(_("{count} draft(s) written for review; none is used in replies until approved.").format(
        count=sum(1 for i in report.items if i.action in ("added", "replaced"))), err=True)


@cli.command(help=_("Mark translations of template ID as up to date with the current source text."))
@click.argument("template_ids", nargs=-1, metavar="[ID]...")
@click.option("--locale", "locales", multiple=True, metavar="LL", help=_("Only this locale (repeatable)."))
@click.option("--all", "all_templates", is_flag=True, help=_("Every template (careful: marks all translations current)."))
@click.option("--snapshot-only", is_flag=True, help=_("Only record the current source texts, change no template."))
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@pass_context
def stamp(ctx: Context, template_ids: tuple[str, ...], locales: tuple[str, ...], all_templates: bool,
          snapshot_only: bool, as_json: bool) -> None:
    from supportkit.library.edit import stamp_library

    if not template_ids and not (all_templates or snapshot_only):
        raise click.UsageError(_("Name the templates to stamp, or pass --all."))
    done = stamp_library(ctx.config.replies_dir, list(template_ids), list(locales) or None, ctx.config.source_locale,
                         snapshot_only=snapshot_only)
    if as_json:
        emit_json(done)
        return
    for ref, stamped in done.items():
        if stamped:
            click.echo(f"{ref}: {' '.join(stamped)}")
    if snapshot_only:
        click.echo(_("recorded the source text of {count} template(s)").format(count=len(done)), err=True)


# --- configuration ----------------------------------------------------------------


@cli.command("config")
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@pass_context
def config_command(ctx: Context, as_json: bool) -> None:
    """Show the configuration files found (read or refused, and why) and every setting with where it came from.

    Origins: default, a file's path, env SUPPORTKIT_NAME, or flag --name. --json prints
    {"files": [{"path", "scope": "user"|"project", "status": "read"|"refused", "reason"}],
    "settings": {NAME: {"value", "origin"}}, "safe_directories": [...]}, brand settings named
    brand.NAME. Exits 1 after the report when a file was refused.
    """
    from supportkit.config import read_config

    report = read_config(flags=ctx.flags)
    if as_json:
        emit_json(report.to_dict())
    else:
        # Headings stay English until the lead adds them to the catalogs (then: _()).
        click.echo("Files:" if report.files else "Files: none found (defaults in force)")
        for found in report.files:
            line = f"  {found.to_dict()['status']:<8} {found.scope:<8} {found.path}"
            click.echo(line + (f"\n           {found.refused.message}" if found.refused else ""))
        click.echo("Settings:")
        for name, setting in report.settings().items():
            value = json.dumps(setting["value"], ensure_ascii=False)
            click.echo(f"  {name} = {value}  ({setting['origin']})")
    report.raise_refused()


# --- translation ----------------------------------------------------------------


def _show_progress() -> bool:
    """Progress bars only for a person at a terminal: not when piped or in CI."""
    import os
    import sys

    return sys.stderr.isatty() and not os.environ.get("CI")


@cli.command("translate")
@click.argument("text", required=False)
@click.option("--to", "target", metavar="LL", required=True, help=_("Language to translate into (zh, en, es, ru, fr...)."))
@click.option("--from", "source", metavar="LL", help=_("Language of the text (default: detected)."))
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@pass_context
def translate_command(ctx: Context, text: str | None, target: str, source: str | None, as_json: bool) -> None:
    """Translate TEXT (or stdin) offline with the installed Argos model packages.

    Secrets are removed first and only the redacted text is translated. URLs,
    addresses, amounts, {placeholders} and glossary terms come back unchanged;
    a sentence that cannot be translated safely is shown as it was.
    """
    from supportkit.translation import translate

    result = translate(read_message(text), target=target, source=source, glossary=ctx.config.glossary)
    if as_json:
        emit_json(result.to_dict())
        return
    if result.secret_found:
        click.secho(_("WARNING: the message held a recovery phrase or private key. It was removed before "
                      "translation."), fg="red", bold=True, err=True)
    counts = result.counts()
    if counts["untranslated"]:
        click.echo(_("note: {count} sentence(s) could not be translated safely and are shown as written.").format(
            count=counts["untranslated"]), err=True)
    click.echo(result.text, nl=not result.text.endswith("\n"))


@cli.group()
def models() -> None:
    """List, install and remove offline translation models (Argos Translate packages)."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
def models_list(as_json: bool) -> None:
    """Installed translation packages, one per line: from, to, version, size, folder."""
    from supportkit.translation.packages import list_installed, packages_dir

    root = packages_dir()
    installed = list_installed(root)
    if as_json:
        emit_json({"packages_dir": str(root), "packages": [p.to_dict() for p in installed]})
        return
    click.echo(_("packages folder: {path}").format(path=root), err=True)
    if not installed:
        click.echo(_("no translation model installed; install one with: supportkit models install en zh"), err=True)
    for package in installed:
        row = package.to_dict()
        usable = "" if row["usable"] else "  " + _("(BPE tokenizer: not usable here)")
        click.echo(f"{row['from']} -> {row['to']}\t{row['version'] or '-'}\t{row['size'] / 1e6:.1f} MB\t"
                   f"{package.path.name}{usable}")


@models.command("install")
@click.argument("sources", nargs=-1, required=True, metavar="FROM TO | FILE.argosmodel...")
@click.option("--index", "index", metavar="URL", help=_("Package index to download from (default: Argos')."))
@click.option("--sha256", "sha256", metavar="HEX", help=_("Expected SHA-256 of the package file (one file)."))
@click.option("--save", "save_dir", type=click.Path(file_okay=False), metavar="DIR",
              help=_("Also keep the downloaded .argosmodel files in DIR, to carry to an offline machine."))
def models_install(sources: tuple[str, ...], index: str | None, sha256: str | None, save_dir: str | None) -> None:
    """Install a language pair from the package index (online), or .argosmodel files (offline).

    FROM TO downloads the package for the pair, or both hops through English
    when there is no direct one (e.g. zh es installs zh->en and en->es).
    """
    from pathlib import Path

    from supportkit.translation import language_code
    from supportkit.translation.packages import install_archive

    files = [s for s in sources if s.endswith((".argosmodel", ".zip")) or Path(s).is_file()]
    if files:
        if len(files) != len(sources):
            raise click.UsageError(_("Give either two language codes or package files, not both."))
        if sha256 and len(files) != 1:
            raise click.UsageError(_("--sha256 checks one package file at a time."))
        if save_dir:
            raise click.UsageError(_("--save keeps downloads; these files are already here."))
        results = [install_archive(Path(f), sha256=sha256) for f in files]
    elif sha256:
        raise click.UsageError(_("--sha256 is for a package file; index downloads are checked against the index."))
    elif len(sources) == 2:
        from supportkit.translation.package_index import install_from_index

        pair = (language_code(sources[0], "FROM"), language_code(sources[1], "TO"))
        results = install_from_index(*pair, url=index, progress=_download_bar if _show_progress() else None,
                                     save_dir=Path(save_dir) if save_dir else None)
    else:
        raise click.UsageError(_("Give the two languages of a pair (e.g. en zh) or .argosmodel files."))
    for result in results:
        package = result.package
        click.echo(_("installed {code} {version} ({source} -> {target}) in {path}").format(
            code=package.info.code, version=package.info.package_version, source=package.from_code,
            target=package.to_code, path=package.path))
        if result.replaced:
            click.echo(_("replaced {names}").format(names=", ".join(result.replaced)), err=True)
        if result.saved:
            click.echo(_("saved {path} (sha256 {digest})").format(path=result.saved, digest=result.sha256))


def _download_bar(info: Any) -> Any:
    """A progress callback drawing one bar on stderr for one package download (when its size is known)."""
    import sys

    state: dict[str, Any] = {"bar": None, "done": 0}

    def update(done: int, total: int | None) -> None:
        if not total:
            return
        bar = state["bar"]
        if bar is None:
            bar = state["bar"] = click.progressbar(length=total, label=info.code, file=sys.stderr)
            bar.__enter__()
        bar.update(done - state["done"])
        state["done"] = done
        if done >= total:
            bar.__exit__(None, None, None)

    return update


@models.command("remove")
@click.argument("names", nargs=-1, required=True, metavar="FROM TO | NAME")
def models_remove(names: tuple[str, ...]) -> None:
    """Remove an installed package: by pair (en zh) or by name (translate-en_zh)."""
    from supportkit.translation import language_code
    from supportkit.translation.packages import remove_package

    if len(names) == 2 and all(len(n) <= 3 for n in names):
        removed = remove_package((language_code(names[0], "FROM"), language_code(names[1], "TO")))
    elif len(names) == 1:
        removed = remove_package(names[0])
    else:
        raise click.UsageError(_("Give the two languages of a pair (e.g. en zh) or one package name."))
    for package in removed:
        click.echo(_("removed {code} ({path})").format(code=package.info.code, path=package.path))


def main() -> None:
    """Entry point of the ``supportkit`` console script."""
    cli(prog_name="supportkit")

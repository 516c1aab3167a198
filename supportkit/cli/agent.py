"""The agent's commands: detect, guard, reply, tutorial, templates, translate."""

from __future__ import annotations

from typing import Any

import click

from supportkit.cli.common import (
    Context,
    emit_json,
    emit_json_line,
    pass_context,
    read_lines,
    read_message,
    stream_lines,
)
from supportkit.i18n import _

# --- detection ----------------------------------------------------------------


@click.command()
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
        for line in stream_lines(text):
            emit_json_line(detect_language(line).to_dict())
        return
    result = detect_language(read_message(text))
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(f"{result.language}\t{result.confidence:.2f}\t{result.script}")
    for alt in result.alternatives[1:4]:
        click.echo(f"  {alt.language}\t{alt.confidence:.2f}")


# --- guard --------------------------------------------------------------------


@click.command()
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
        for _line, result in guard_lines(stream_lines(text)):
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
                      "the reply carries a safety notice after the greeting."), fg="red", bold=True, err=True)
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


@click.command()
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


@click.command()
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


@click.group()
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


# --- translation ----------------------------------------------------------------


@click.command("translate")
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

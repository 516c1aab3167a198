"""The agent's commands: detect, guard, reply, tutorial, render, templates, translate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, BinaryIO

import click

from supportkit.cli.common import (
    Context,
    InputLine,
    IntRange,
    command,
    emit_json,
    group,
    guarded_lines,
    input_lines,
    option,
    pass_context,
    read_message,
    redact_quoted,
    run_lines,
)
from supportkit.i18n import N_, _, format_number, ngettext

if TYPE_CHECKING:
    from supportkit.guard import GuardResult

# --- detection ----------------------------------------------------------------

INPUT = option("--input", "source", type=click.File("rb"), metavar="FILE",
               help=N_("Read the message (with --lines, the messages) from FILE; - is stdin."))


@command(short_help=N_("Name the language of a message, with its confidence."), help=N_(
        "Name the language of TEXT (or stdin): code, confidence, script, alternatives.\n\nWith "
        "--lines, every input line is one message and gets one JSON Lines record, written before "
        "the next line is read: {\"line\": N, ...} (a blank line gives \"und\"), or {\"line\": N, "
        "\"error\": \"...\"} for a line that cannot be read; the exit code is 1 when any line failed. "
        "Read a file of messages with --input FILE."))
@click.argument("text", required=False)
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@option("--lines", is_flag=True, help=N_("One message per input line; prints JSON Lines."))
@INPUT
def detect(text: str | None, as_json: bool, lines: bool, source: BinaryIO | None) -> None:
    from supportkit.detection import detect as detect_language

    if lines:
        run_lines(input_lines(text, source), lambda item: detect_language(item.text).to_dict())
        return
    result = detect_language(read_message(text, source))
    if as_json:
        emit_json(result.to_dict())
        return
    # A tab-separated table read by scripts (cut, awk): the confidence stays "0.52" in every language.
    click.echo(f"{result.language}\t{result.confidence:.2f}\t{result.script}")
    for alt in result.alternatives[1:4]:
        click.echo(f"  {alt.language}\t{alt.confidence:.2f}")


# --- guard --------------------------------------------------------------------


@command(short_help=N_("Remove secrets from a message; name scam signals."), help=N_(
        "Remove recovery phrases, private keys and keystores from TEXT (or stdin); name scam "
        "signals.\n\nPrints the redacted text (stdout) and what was found (stderr); with --json, the "
        "findings (kind, offsets, word count: never the secret) and the redacted text. With "
        "--previous, a phrase split between earlier messages and this one is found too.\n\nWith "
        "--lines, each input line is one message read with the 24 lines around it, and gets one "
        "JSON Lines record once 24 more lines were read (or at the end): {\"line\": N, ...} (a blank "
        "line gives an empty result), or {\"line\": N, \"error\": \"...\"} for a line that cannot be "
        "read; the exit code is 1 when any line failed. Read a file with --input FILE."))
@click.argument("text", required=False)
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@option("--lines", is_flag=True, help=N_("One message per input line; prints JSON Lines."))
@INPUT
@option("--previous", "previous", multiple=True, metavar="TEXT",
        help=N_("An earlier message of the conversation, oldest first (repeatable)."))
def guard(text: str | None, as_json: bool, lines: bool, source: BinaryIO | None, previous: tuple[str, ...]) -> None:
    from supportkit.guard import guard_message

    if lines:
        run_lines(guarded_lines(input_lines(text, source)), lambda item: _guarded(item).to_dict())
        return
    result = guard_message(read_message(text, source), previous).guarded
    if as_json:
        emit_json(result.to_dict())
        return
    confidence = {"high": _("high"), "medium": _("medium"), "low": _("low")}
    for finding in result.findings:
        # Offsets stay plain digits (no grouping): they index the text, like a column number.
        click.secho(_("removed: {kind} (characters {start}-{end}, confidence {confidence})").format(
            kind=finding.kind, start=finding.start, end=finding.end,
            confidence=confidence.get(finding.confidence, finding.confidence)),
            fg="red", bold=True, err=True)
    if result.scam_signals:
        click.secho(_("scam signals: {signals}").format(signals=", ".join(result.scam_signals)), fg="yellow",
                    err=True)
    click.echo(result.redacted, nl=not result.redacted.endswith("\n"))


# --- replies ------------------------------------------------------------------


def _print_reply(result: Any, explain: bool, with_subject: bool, lang: str | None = None) -> None:
    """Human view of a reply: only the text to send on stdout (what an agent pastes); the warnings
    always on stderr, the analysis there too when ``explain``. A locale asked for with ``--lang`` that
    the library does not have is said, as ``tutorial`` says it."""
    if result.secret_found:
        click.secho(_("WARNING: the customer pasted a recovery phrase or private key. It was removed; "
                      "the reply carries a safety notice after the greeting."), fg="red", bold=True, err=True)
    elif result.urgent:
        click.secho(_("URGENT: {reasons}").format(reasons=", ".join(result.urgency_reasons) or _("funds at risk")),
                    fg="yellow", bold=True, err=True)
    if result.review_reason is not None:
        click.secho(_("REVIEW before sending: {reason}").format(reason=result.review_reason), fg="yellow",
                    err=True)
    if lang is not None and result.reply.fallback:
        click.echo(_("note: no {lang} version; showing {locale}").format(lang=lang, locale=result.reply.locale),
                   err=True)
    if explain:
        # Scores stay "0.52" in every language: they are compared with the thresholds of the configuration,
        # written that way, and the ranked list is itself comma-separated.
        ranked = ", ".join(f"{i['id']} {i['score']:.2f}" for i in result.intents)
        fallback = _(" (fallback)") if result.reply.fallback else ""
        click.echo(_("language: {language} ({confidence:.2f})  intent: {intent}  template: {template}  "
                     "locale: {locale}{fallback}").format(
            language=result.language, confidence=result.confidence, intent=result.intent,
            template=result.reply.template, locale=result.reply.locale, fallback=fallback), err=True)
        click.echo(_("ranked: {ranked}").format(ranked=ranked), err=True)
        for note in result.notes:
            click.echo(_("note: {note}").format(note=note), err=True)
    _print_rendered(result.reply.subject, result.text, result.channel, result.reply.template, with_subject)
    if result.agent is not None:
        _print_for_agent(result)


def _print_rendered(subject: str, text: str, channel: str, template: str, with_subject: bool) -> None:
    """The text to send on stdout, after its subject line only for an e-mail template with --with-subject."""
    if with_subject and channel != "email":
        click.echo(_("note: {template} is a {channel} template; it has no subject line to send.").format(
            template=template, channel=channel), err=True)
    if with_subject and channel == "email" and subject:
        click.echo(_("Subject: {subject}").format(subject=subject))
        click.echo("")
    click.echo(text)


def _print_for_agent(result: Any) -> None:
    """With --agent-lang, on stderr: the customer's message (as redacted) translated for the agent, or why
    not, and the agent's copy of the reply. Never on stdout, which is what is pasted to the customer."""
    agent = result.agent
    message = result.agent_message
    if message is not None and message.source_language == message.target_language:
        pass  # the agent reads the customer's language: nothing to translate
    elif message is not None and message.text is not None:
        click.echo(_("--- the customer's message, for you ({route}) ---").format(route=message.route), err=True)
        click.echo(message.text, err=True)
    elif message is not None:
        click.echo(_("note: the customer's message is not translated: {reason}").format(reason=message.reason),
                   err=True)
    click.echo(_("--- the reply, for you ({locale}) ---").format(locale=agent.locale), err=True)
    click.echo(agent.text, err=True)


def wants_explanation(explain: bool | None) -> bool:
    """--explain/--no-explain as given, else whether a person reads stderr (a terminal)."""
    if explain is not None:
        return explain
    import sys

    return sys.stderr.isatty()


def _guarded(item: InputLine) -> GuardResult:
    """The guard's result of a line from ``guarded_lines``."""
    if item.guarded is None:  # pragma: no cover - guarded_lines sets it on every line
        raise RuntimeError("line was not guarded")
    return item.guarded


EXPLAIN = option("--explain/--no-explain", "explain", default=None,
                 help=N_("Show the analysis (language, intent, template, notes) on stderr "
                         "[default: when stderr is a terminal]."))
WITH_SUBJECT = option("--with-subject", is_flag=True,
                      help=N_("Print the subject line first, for an e-mail template (not for chat)."))


@command(short_help=N_("Draft the reply to a customer message."), help=N_(
        "Detect, guard, classify and draft the reply to a customer message (TEXT or stdin).\n\nOnly "
        "the reply goes to stdout (what you paste): the warnings (secret found, urgent, review) go "
        "to stderr, and so does the analysis on a terminal or with --explain.\n\nWith --lines, each "
        "non-blank input line is one message (blank lines are skipped) read with the 24 lines "
        "around it, and gets one JSON Lines record once 24 more lines were read (or at the end): "
        "{\"line\": N, ...} as --json gives, or {\"line\": N, \"error\": \"...\"} for a line that cannot be "
        "read or answered; the exit code is 1 when any line failed. Read a file with --input FILE."))
@click.argument("text", required=False)
@option("--lang", "lang", metavar="LL", help=N_("Reply in this locale instead of the detected one."))
@option("--var", "variables", multiple=True, metavar="KEY=VALUE", help=N_("Fill a template variable (repeatable)."))
@option("--top", type=IntRange(1, 16), metavar="N", default=3, show_default=True, help=N_("How many ranked intents to show."))
@option("--agent-lang", metavar="LL",
        help=N_("Also show, on stderr, the customer's message translated into this language and the reply "
                "in it."))
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@EXPLAIN
@WITH_SUBJECT
@option("--lines", is_flag=True, help=N_("One message per input line; prints JSON Lines."))
@INPUT
@option("--previous", "previous", multiple=True, metavar="TEXT",
        help=N_("An earlier message of the conversation, oldest first (repeatable)."))
@pass_context
def reply(ctx: Context, text: str | None, lang: str | None, variables: tuple[str, ...], top: int,
          agent_lang: str | None, as_json: bool, explain: bool | None, with_subject: bool, lines: bool,
          source: BinaryIO | None, previous: tuple[str, ...]) -> None:
    from supportkit.library.store import library_for
    from supportkit.pipeline import parse_vars, process_message

    values = parse_vars(variables)
    if lines:
        library = library_for(ctx.config)

        def answer(item: InputLine) -> dict[str, Any] | None:
            if not item.text.strip():
                return None
            return process_message(item.text, ctx.config, lang=lang, values=values, top=top, agent_lang=agent_lang,
                                   library=library, guarded=item.guarded).to_dict()

        run_lines(guarded_lines(input_lines(text, source)), answer)
        return
    result = process_message(read_message(text, source), ctx.config, lang=lang, values=values, top=top,
                             agent_lang=agent_lang, previous=previous)
    if as_json:
        emit_json(result.to_dict())
    else:
        _print_reply(result, wants_explanation(explain), with_subject, lang)


@command(short_help=N_("Show a tutorial in a customer's language."), help=N_(
        "Show the tutorial ID (e.g. switch_phone) in a customer's language."))
@click.argument("template_id", metavar="ID")
@option("--lang", "lang", metavar="LL", default="en", show_default=True, help=N_("Locale of the tutorial."))
@option("--var", "variables", multiple=True, metavar="KEY=VALUE", help=N_("Fill a template variable (repeatable)."))
@WITH_SUBJECT
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@pass_context
def tutorial(ctx: Context, template_id: str, lang: str, variables: tuple[str, ...], with_subject: bool,
             as_json: bool) -> None:
    from supportkit.library.store import library_for
    from supportkit.pipeline import parse_vars, render_tutorial

    rendered = render_tutorial(template_id, lang, ctx.config, parse_vars(variables))
    if as_json:
        emit_json(rendered.to_dict())
        return
    if rendered.fallback:
        click.echo(_("note: no {lang} version; showing {locale}").format(lang=lang, locale=rendered.locale), err=True)
    channel = library_for(ctx.config).get(template_id, kind="tutorial").channel
    _print_rendered(rendered.subject, rendered.text, channel, rendered.template, with_subject)


@command("render", short_help=N_("Fill any template with real values."), help=N_(
        "Fill any template (reply, tutorials/ID, closing, escalation, follow_up...) with real "
        "values.\n\nOnly the text goes to stdout. Every required variable must be given (--var "
        "NAME=VALUE); the values are guarded like a customer's message: a recovery phrase or "
        "private key in one is removed, with a warning on stderr. --json adds the channel, the "
        "values used and what was removed. `supportkit templates show ID` lists the variables."))
@click.argument("template_id", metavar="ID")
@option("--lang", "lang", metavar="LL", required=True, help=N_("Locale to render (the template must have it)."))
@option("--var", "variables", multiple=True, metavar="KEY=VALUE", help=N_("Fill a template variable (repeatable)."))
@WITH_SUBJECT
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@pass_context
def render_command(ctx: Context, template_id: str, lang: str, variables: tuple[str, ...], with_subject: bool,
                   as_json: bool) -> None:
    from supportkit.pipeline import parse_vars, render_template

    filled = render_template(template_id, lang, ctx.config, parse_vars(variables))
    if as_json:
        emit_json(filled.to_dict())
        return
    for name, kinds in filled.removed.items():
        click.secho(_("WARNING: the value of {name} held a secret ({kinds}); it was removed.").format(
            name=name, kinds=", ".join(kinds)), fg="red", bold=True, err=True)
    rendered = filled.rendered
    _print_rendered(rendered.subject, rendered.text, filled.channel, rendered.template, with_subject)


@group(help=N_("List, show and search the reply and tutorial templates."))
def templates() -> None:
    pass


@templates.command("list", help=N_("One line per template: ref, kind, intents, locales."))
@option("--kind", type=click.Choice(["reply", "tutorial"]), help=N_("Only this kind."))
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@pass_context
def templates_list(ctx: Context, kind: str | None, as_json: bool) -> None:
    from supportkit.writers.browse import list_templates

    rows = list_templates(ctx.config, kind)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(f"{row['ref']:<36} {row['kind']:<9} {','.join(row['intents']) or '-':<28} {' '.join(row['locales'])}")


@templates.command("show", help=N_(
        "A template's details and its text in every locale (or one)."))
@click.argument("template_id", metavar="ID")
@option("--lang", "lang", metavar="LL", help=N_("Only this locale (default: all)."))
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@pass_context
def templates_show(ctx: Context, template_id: str, lang: str | None, as_json: bool) -> None:
    from supportkit.writers.browse import show_template

    data = show_template(ctx.config, template_id, lang)
    if as_json:
        emit_json(data)
        return
    click.echo(_("{ref} ({kind})  intents: {intents}  file: {path}").format(
        ref=data["ref"], kind=data["kind"], intents=", ".join(data["intents"]) or "-", path=data["path"]))
    if data["variables"]:
        click.echo(_("variables: {names}").format(names=", ".join(data["variables"])))
    if data["required"]:
        click.echo(_("required: {names}").format(names=", ".join(data["required"])))
    if data["samples"]:
        samples = ", ".join(f"{name}={value!r}" for name, value in data["samples"].items())
        click.echo(_("filled with samples, not real values: {samples} (real ones: supportkit render {ref} "
                     "--lang LL --var NAME=VALUE)").format(samples=samples, ref=data["ref"]))
    for code, entry in data["locales"].items():
        click.echo("")
        click.echo(f"[{code}] {entry['state']}  {entry['subject']}")
        click.echo(entry["text"])


@templates.command("search", short_help=N_("Templates that contain QUERY, in any language."), help=N_(
        "Templates whose subject, text, FAQ question or examples contain QUERY (any language)."))
@click.argument("query")
@option("--lang", "lang", metavar="LL", help=N_("Search only this locale."))
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@pass_context
def templates_search(ctx: Context, query: str, lang: str | None, as_json: bool) -> None:
    from supportkit.writers.browse import search_templates

    hits = search_templates(ctx.config, query, lang)
    if as_json:
        emit_json(hits)
        return
    if not hits:
        click.echo(_("no template matches {query!r}").format(query=redact_quoted(query)), err=True)
        raise SystemExit(1)
    for hit in hits:
        click.echo(f"{hit['ref']:<36} {hit['locale']}  {hit['snippet']}")


# --- translation ----------------------------------------------------------------


@command("translate", short_help=N_("Translate a message offline with the installed models."), help=N_(
        "Translate TEXT (or stdin) offline with the installed Argos model packages.\n\nSecrets are "
        "removed first and only the redacted text is translated. URLs, addresses, amounts, "
        "{placeholders} and glossary terms come back unchanged; a sentence that cannot be "
        "translated safely is shown as it was.\n\nWith --lines, each non-blank input line is one "
        "message (blank lines are skipped), guarded with the 24 lines around it like guard --lines, "
        "and gets one JSON Lines record: {\"line\": N, ...} as --json gives, or {\"line\": N, \"error\": "
        "\"...\"}; the exit code is 1 when any line failed. Read a file with --input FILE."))
@click.argument("text", required=False)
@option("--to", "target", metavar="LL", required=True, help=N_("Language to translate into (zh, en, es, ru, fr...)."))
@option("--from", "source_lang", metavar="LL", help=N_("Language of the text (default: detected)."))
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@option("--lines", is_flag=True, help=N_("One message per input line; prints JSON Lines."))
@INPUT
@pass_context
def translate_command(ctx: Context, text: str | None, target: str, source_lang: str | None, as_json: bool,
                      lines: bool, source: BinaryIO | None) -> None:
    from supportkit.translation import translate

    if lines:
        def translated(item: InputLine) -> dict[str, Any] | None:
            guarded = _guarded(item)  # a phrase pasted one word per line is found here, with its neighbours
            if not guarded.redacted.strip():
                return None
            data = translate(guarded.redacted, target=target, source=source_lang,
                             glossary=ctx.config.glossary).to_dict()
            data["secret_found"] = data["secret_found"] or guarded.secret_found
            return data

        run_lines(guarded_lines(input_lines(text, source)), translated)
        return
    result = translate(read_message(text, source), target=target, source=source_lang, glossary=ctx.config.glossary)
    if as_json:
        emit_json(result.to_dict())
        return
    if result.secret_found:
        click.secho(_("WARNING: the message held a recovery phrase or private key. It was removed before "
                      "translation."), fg="red", bold=True, err=True)
    counts = result.counts()
    if counts["untranslated"]:
        click.echo(ngettext("note: {count} sentence could not be translated safely and is shown as written.",
                            "note: {count} sentences could not be translated safely and are shown as written.",
                            counts["untranslated"]).format(count=format_number(counts["untranslated"])), err=True)
    click.echo(result.text, nl=not result.text.endswith("\n"))

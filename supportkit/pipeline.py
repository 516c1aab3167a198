"""The agent's main job, top to bottom: message -> guard -> language -> intent -> reply.

``process_message`` is the one per-message function: ``reply`` calls it, and ``batch`` and the
cluster engine call ``process_messages``, the same steps for a chunk of messages (read each,
classify them together, answer each), so they all give the same answer for the same input.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from supportkit.config import Config
from supportkit.errors import N_, InputError, SupportkitError
from supportkit.languages import SUPPORTED_LANGUAGES, LocaleChoice, choose_locale, language_of, parse_locale
from supportkit.library import Library, Selection, Template, select_template
from supportkit.library.store import library_for
from supportkit.rendering import Rendered, render
from supportkit.text.chinese import TRADITIONAL

if TYPE_CHECKING:
    from supportkit.detection import Detection
    from supportkit.guard import GuardResult
    from supportkit.matching import Classification
    from supportkit.text import Normalized


@functools.lru_cache(maxsize=1024)
def _select_template(library: Library, intent: str, locale: str, default_locale: str,
                     allow_drafts: bool) -> Selection:
    """``select_template``, remembered per library (a loaded library never changes, and is its own
    key, by identity): a batch asks the same few questions over and over."""
    return select_template(library, intent, locale, default_locale, allow_drafts)


@dataclass(frozen=True)
class AgentMessage:
    """The customer's message as redacted by the guard, translated for the agent (``--agent-lang``), or why not."""

    source_language: str
    target_language: str
    text: str | None
    """The translation; None when it could not be made (``error`` says why)."""
    route: str = ""
    complete: bool = True
    """False when a sentence could not be translated safely and is shown as written."""
    error: str | None = None
    """Why not, in English (``--json``); ``failure`` shows it in the user's language."""
    failure: SupportkitError | None = field(default=None, compare=False)

    @property
    def reason(self) -> str | None:
        """Why the message is not translated, in the user's language."""
        return self.failure.format_message() if self.failure is not None else self.error

    def to_dict(self) -> dict[str, Any]:
        return {"source_language": self.source_language, "target_language": self.target_language,
                "text": self.text, "route": self.route, "complete": self.complete, "error": self.error}


def translate_for_agent(safe_text: str, language: str, agent_lang: str, glossary: Sequence[str]) -> AgentMessage:
    """The redacted message in the agent's language with the installed Argos packages; when none serves the
    pair (or the language is unknown), the reason, naming the package and the command that installs it."""
    from supportkit.translation import translate

    target = language_of(agent_lang)
    source = language if language != "und" else None
    try:
        translated = translate(safe_text, target=target, source=source, glossary=glossary)
    except SupportkitError as exc:
        return AgentMessage(language, target, None, error=exc.message, failure=exc)
    return AgentMessage(translated.source_language, target, translated.text, translated.route, translated.complete)


@dataclass(frozen=True)
class ReplyResult:
    """Everything an agent (or a program) needs to answer one message."""

    language: str
    confidence: float
    script: str
    intent: str
    intents: list[dict[str, Any]]
    urgent: bool
    urgency_reasons: list[str]
    secret_found: bool
    findings: list[dict[str, Any]]
    scam_signals: list[str]
    message: str
    reply: Rendered
    text: str
    agent: Rendered | None = None
    notes: list[str] = field(default_factory=list)
    review_reason: str | None = None
    """Why an agent should read the message before sending the reply (close call, weak fit), or None."""
    channel: str = "chat"
    """The template's channel (``chat`` or ``email``): only an e-mail reply is sent with its subject."""
    agent_message: AgentMessage | None = None
    """With ``agent_lang``: the customer's message (as redacted) translated for the agent, or why not."""

    @property
    def needs_review(self) -> bool:
        return self.review_reason is not None

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON shape (documented in the README)."""
        data: dict[str, Any] = {
            "language": self.language,
            "confidence": round(self.confidence, 4),
            "script": self.script,
            "intent": self.intent,
            "intents": self.intents,
            "urgent": self.urgent,
            "urgency_reasons": self.urgency_reasons,
            "needs_review": self.needs_review,
            "review_reason": self.review_reason,
            "secret_found": self.secret_found,
            "findings": self.findings,
            "scam_signals": self.scam_signals,
            "template": self.reply.template,
            "locale": self.reply.locale,
            "fallback": self.reply.fallback,
            "converted_from": self.reply.converted_from,
            "draft": self.reply.draft,
            "channel": self.channel,
            "subject": self.reply.subject,
            "text": self.text,
            "message": self.message,
            "notes": self.notes,
        }
        if self.agent is not None:
            data["agent"] = {"locale": self.agent.locale, "fallback": self.agent.fallback,
                             "subject": self.agent.subject, "text": self.agent.text}
            if self.agent_message is not None:
                data["agent"]["message"] = self.agent_message.to_dict()
        return data


def process_message(
    message: str,
    config: Config,
    *,
    lang: str | None = None,
    values: Mapping[str, Any] | None = None,
    top: int = 3,
    agent_lang: str | None = None,
    library: Library | None = None,
    previous: Sequence[str] = (),
    following: Sequence[str] = (),
    guarded: GuardResult | None = None,
) -> ReplyResult:
    """Guard, detect, classify, select and render the reply to one customer message.

    ``previous``/``following``: the conversation's messages before and after this one (``batch``
    knows both), read with it by the guard: a phrase split over several messages is found. ``guarded``: the guard's result for
    this message already computed with its neighbours (``guard.scan_stream`` for ``--lines``).
    ``values`` are guarded too: a secret pasted into a ``--var`` never reaches the reply.
    """
    from supportkit.matching import classify

    reading = _read(message, lang, agent_lang, config, previous, following, guarded)
    library = library or library_for(config)
    classification = classify(reading.safe_text, reading.matching_language, library)
    if following and classification.top in OPENING_INTENTS:
        classification = _next_messages_decide(classification, following, reading.matching_language, library)
    return _answer(reading, classification, config, library, guard_values(values)[0] if values else values, top,
                   agent_lang)


def guard_values(values: Mapping[str, Any], locale: str | None = None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Template values with any secret in a text value redacted (an agent's paste is guarded like a
    customer's; the markers in ``locale``'s words), and what was removed from which: ``{name: [kind, ...]}``."""
    from supportkit.guard import guard_text

    guarded: dict[str, Any] = {}
    removed: dict[str, list[str]] = {}
    for key, value in values.items():
        if isinstance(value, str):
            result = guard_text(value)
            value = result.redacted
            if result.findings:
                removed[key] = [finding.kind for finding in result.findings]
                value = localized_markers(value, removed[key], locale)
        guarded[key] = value
    return guarded, removed


def localized_markers(text: str, kinds: Sequence[str], locale: str | None) -> str:
    """``text`` with the guard's canonical (English) markers of ``kinds`` in ``locale``'s words."""
    from supportkit.guard import redaction_marker

    for kind in dict.fromkeys(kinds):
        text = text.replace(redaction_marker(kind, None), redaction_marker(kind, locale))
    return text


def process_messages(messages: Sequence[tuple[str, str | None]], config: Config, *,
                     library: Library | None = None,
                     contexts: Sequence[tuple[Sequence[str], Sequence[str]]] | None = None,
                     ) -> list[ReplyResult | SupportkitError]:
    """``process_message`` of each ``(message, lang)`` (default values, top 3, no agent language).

    Each answer is the same as one by one; a message that cannot be processed gives its error
    in its place and the others go on. Messages are classified together (``classify_many``),
    which is what ``batch`` workers gain by it.
    """
    from supportkit.matching import classify_many

    library = library or library_for(config)
    readings: list[_Reading | SupportkitError] = []
    for index, (message, lang) in enumerate(messages):
        before, after = contexts[index] if contexts else ((), ())
        try:
            readings.append(_read(message, lang, None, config, before, after))
        except SupportkitError as exc:
            readings.append(exc)
    started = [reading for reading in readings if isinstance(reading, _Reading)]
    classified = iter(classify_many([(r.safe_text, r.matching_language) for r in started], library))
    results: list[ReplyResult | SupportkitError] = []
    for reading in readings:
        if isinstance(reading, SupportkitError):
            results.append(reading)
            continue
        classification = next(classified)
        after = contexts[len(results)][1] if contexts else ()
        try:
            if after and classification.top in OPENING_INTENTS:
                classification = _next_messages_decide(classification, after, reading.matching_language, library)
            results.append(_answer(reading, classification, config, library, None, 3, None))
        except SupportkitError as exc:
            results.append(exc)
    return results


@dataclass(frozen=True)
class _Reading:
    """What ``process_message`` knows of a message before classifying it."""

    normalized: Normalized
    guarded: GuardResult
    detection: Detection
    lang: str | None
    customer_locale: str
    matching_language: str
    safe_text: str
    """The redacted message, cut to the processing limit: all that later steps see."""


def _read(message: str, lang: str | None, agent_lang: str | None, config: Config, previous: Sequence[str] = (),
          following: Sequence[str] = (), guarded: GuardResult | None = None) -> _Reading:
    """Guard (the whole message, with its conversation), then detect the language (raises InputError)."""
    from supportkit.detection import detect
    from supportkit.guard import guard_message

    if not message.strip():
        raise InputError(N_("the message is empty"), None, N_("Paste the customer's message as an argument or on stdin."))
    if lang is not None:
        parse_locale(lang, "--lang")
    if agent_lang is not None:
        parse_locale(agent_lang, "--agent-lang")
    # The guard runs first, on all of the text: nothing after it ever sees a secret.
    read = guard_message(message, previous, guarded, following)
    if not read.normalized.text.strip():
        raise InputError(N_("the message is empty"), None, N_("Paste the customer's message as an argument or on stdin."))
    detection = detect(read.text)
    language = detection.language
    customer_locale = lang or (language if language != "und" else config.default_locale)
    if lang is None and language == "zh" and detection.script == "Hant":
        customer_locale = TRADITIONAL  # answered in Traditional Chinese (written, or converted from zh)
    matching_language = language_of(customer_locale)
    return _Reading(read.normalized, read.guarded, detection, lang, customer_locale, matching_language, read.text)


def _answer(reading: _Reading, classification: Classification, config: Config, library: Library,
            values: Mapping[str, Any] | None, top: int, agent_lang: str | None) -> ReplyResult:
    """Select and render the reply to a classified message."""
    guarded, detection, normalized = reading.guarded, reading.detection, reading.normalized
    language = detection.language
    safe_text = reading.safe_text
    urgent = bool(classification.urgent or guarded.urgent)
    reasons = list(classification.urgency_reasons)
    if guarded.secret_found:
        reasons.insert(0, "secret_found")
    if guarded.urgent:  # scam signals are listed for the agent either way (scam_signals)
        reasons.extend(f"scam:{signal}" for signal in guarded.scam_signals if f"scam:{signal}" not in reasons)

    intent = classification.top
    if guarded.secret_found and intent in SECRET_OVERRIDES:
        intent = SECRET_OVERRIDES[intent]  # "hi/thanks"/only the phrase: the exposure is the subject
    selection = _select_template(library, intent, reading.customer_locale, config.default_locale,
                                 config.allow_drafts)
    refuse_missing_values(selection.template, values or {})
    situation = {"secret_found": guarded.secret_found, "urgent": urgent}
    rendered = refuse_unsafe(render(selection, values or {}, config.brand, **situation), selection, config)
    text = rendered.text
    if guarded.secret_found:
        text = with_notice(text, _safety_notice(rendered))
    agent = agent_message = None
    if agent_lang:
        agent_message = translate_for_agent(safe_text, language, agent_lang, config.glossary)
        agent_selection = select_template(library, selection.template.ref, agent_lang, config.default_locale,
                                          config.allow_drafts)
        agent = refuse_unsafe(render(agent_selection, values or {}, config.brand, **situation), agent_selection,
                              config)
        if guarded.secret_found:
            agent = dataclasses.replace(agent, text=with_notice(agent.text, _safety_notice(agent)))

    notes: list[str] = []
    if normalized.truncated:
        notes.append("message was longer than the processing limit and was cut")
    if guarded.precaution:
        notes.append("a string that may be a private key or a transaction hash was removed as a precaution: "
                     "ask the customer what it is; if it was a private key, the wallet is exposed and the "
                     "funds must move to a new wallet now")
    if detection.romanized:
        notes.append("the customer wrote Russian in Latin letters; the reply is in Cyrillic")
    if normalized.removed_invisible:
        notes.append(f"removed {normalized.removed_invisible} invisible or control character(s)")
    if language not in SUPPORTED_LANGUAGES and reading.lang is None:
        notes.append(f"customer language {language!r} is not one of ours; replied in {rendered.locale}")
    # Re-render redaction markers in the customer's language for the echo of the message.
    shown = localized_markers(safe_text, [finding.kind for finding in guarded.findings], rendered.locale)
    ranked = [{"id": s.id, "score": round(s.score, 4), "evidence": list(s.evidence)}
              for s in classification.intents[: max(1, top)]]
    return ReplyResult(
        language=language, confidence=detection.confidence, script=detection.script,
        intent=intent, intents=ranked, urgent=urgent, urgency_reasons=reasons,
        secret_found=guarded.secret_found, findings=[f.to_dict() for f in guarded.findings],
        scam_signals=list(guarded.scam_signals), message=shown, reply=rendered, text=text, agent=agent,
        notes=notes, review_reason=classification.review_reason, channel=selection.template.channel,
        agent_message=agent_message,
    )


SECRET_OVERRIDES = {"greeting": "secret_exposed", "thanks": "secret_exposed", "other": "secret_exposed"}
"""A message with a pasted recovery phrase or key and no other subject is answered about the exposure:
"thanks, here are my words so you can check" must not get "You're welcome!" after the notice, nor a
message that is only the phrase (intent ``other``) the generic "tell us more"."""

GREETING_MAX_CHARS = 60
"""The longest first paragraph read as the reply's greeting ("Hi Ana,", "您好！", "Здравствуйте!")."""


def greeting_of(text: str) -> str | None:
    """The reply's greeting: its first paragraph when that is one short line, else None."""
    first, separator, _ = text.partition("\n\n")
    line = first.strip()
    if separator and line and "\n" not in line and len(line) <= GREETING_MAX_CHARS:
        return first
    return None


def with_notice(text: str, notice: str) -> str:
    """``text`` with the safety notice after its greeting (or first, when it opens with none)."""
    greeting = greeting_of(text)
    if greeting is None:
        return f"{notice}\n\n{text}"
    return f"{greeting}\n\n{notice}\n\n{text[len(greeting):].lstrip(chr(10))}"


def _safety_notice(rendered: Rendered) -> str:
    """The guard's safety notice in the reply's language and script (converted like the reply for zh-Hant)."""
    from supportkit.guard import safety_notice

    notice = safety_notice(rendered.locale)
    if rendered.converted_from is not None:
        from supportkit.text.chinese import to_traditional

        notice = to_traditional(notice)
    return notice


OPENING_INTENTS = frozenset({"greeting"})
"""A chat that opens with one of these alone is answered by what the customer writes next."""


def _next_messages_decide(opening: Classification, following: Sequence[str], lang: str,
                          library: Library) -> Classification:
    """The classification of a bare greeting whose conversation goes on: the next messages'.

    "hi" then "my withdrawal did not arrive" is one request: the customer's next message (or two)
    decides the intent and urgency. Those messages are guarded before they are read. When they
    say nothing more than the greeting, the greeting stands.
    """
    from supportkit.guard import guard_text
    from supportkit.matching import classify

    after = " ".join(guard_text(message).redacted for message in following[:2])[:2000]
    if not after.strip():
        return opening
    decided = classify(after, lang, library)
    if decided.top in OPENING_INTENTS or decided.top == "other":
        return opening
    return decided




def refuse_unsafe(rendered: Rendered, selection: Selection, config: Config) -> Rendered:
    """``rendered``, unless it links outside what the brand allows or asks for a secret (then an error).

    A planted template, brand setting or ``--var`` value must not reach a customer:
    the same rules as the ``rendered_reply`` check, applied to the text about to be sent.
    """
    from supportkit.errors import ConfigError, TemplateError
    from supportkit.safety import PLATFORM_HOSTS, first_problem, host_of

    policy = config.reply_policy
    where = f"{selection.template.path}: {rendered.locale}"
    for text in (rendered.subject, rendered.text):
        problem = first_problem(text, rendered.locale, policy) if text else None
        if problem is None:
            continue
        kind, detail = problem
        if kind == "link":
            host = host_of(detail) if "@" not in detail or "/" in detail else detail.rpartition("@")[2].lower()
            setting = next((key for key, hosts in PLATFORM_HOSTS.items() if host in hosts), None)
            raise ConfigError(N_("the reply {template} links to {link}, which is not an allowed domain"), where,
                              N_("Nothing was printed. On {host} only the brand's own link is allowed: if it is yours, "
                                 "make it {setting} in [brand].") if setting else
                              N_("Nothing was printed. If {host} is yours, add it to [brand] in your supportkit.toml: "
                                 "allowed_domains = [\"{host}\"]."),
                              template=rendered.template, link=detail, host=host, setting=setting)
        raise TemplateError(
            N_("the reply {template} asks the customer for a recovery phrase or private key: {text!r}"),
            where, N_("Nothing was printed. Support never asks for one: fix the template (supportkit check)."),
            template=rendered.template, text=detail[:80])
    return rendered


@dataclass(frozen=True)
class FilledTemplate:
    """Any template filled with real values (``supportkit render``)."""

    rendered: Rendered
    channel: str
    removed: dict[str, list[str]] = field(default_factory=dict)
    """Variables whose value held a secret, removed before rendering: ``{name: [kind, ...]}``."""

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON shape: the rendered template, its channel, the values used, and what the guard removed."""
        return {**self.rendered.to_dict(), "channel": self.channel, "variables": dict(self.rendered.variables),
                "secret_found": bool(self.removed), "removed": self.removed}


def render_template(template_id: str, lang: str, config: Config, values: Mapping[str, Any] | None = None,
                    ) -> FilledTemplate:
    """Template ``template_id`` (a reply, a tutorial as ``tutorials/ID``, an agent-only one) in exactly ``lang``.

    Refuses a locale the template does not have (an agent sending it means that language), every
    required variable missing at once, and (as ``reply``) a text that links outside the brand's domains.
    Values go through the guard first: a secret pasted into one never reaches the text.
    """
    library = library_for(config)
    template = library.get(template_id)
    choice = exact_locale(template, lang, template.usable_locales(config.allow_drafts))
    given = dict(values or {})
    refuse_missing_values(template, given)
    guarded, removed = guard_values(given, choice.locale)
    selection = Selection(template, choice)
    rendered = refuse_unsafe(render(selection, guarded, config.brand), selection, config)
    return FilledTemplate(rendered, template.channel, removed)


def refuse_missing_values(template: Template, values: Mapping[str, Any]) -> None:
    """MissingValuesError (exit 2) naming every variable marked ``required: true`` that ``values`` leave
    empty (``render`` and ``reply`` alike)."""
    from supportkit.errors import MissingValuesError

    missing = [name for name, variable in sorted(template.variables.items())
               if variable.required and not str(values.get(name, "")).strip()]
    if missing:
        example = " ".join(f"--var {name}=..." for name in missing)
        raise MissingValuesError(missing, str(template.path), N_("Give them: {example}"), example=example)


def exact_locale(template: Template, lang: str, locales: Sequence[str]) -> LocaleChoice:
    """``lang`` among ``locales`` of ``template`` (a regional form or zh-Hant converted from zh counts), else
    an InputError that lists them: no silent fallback to another language."""
    from supportkit.text.chinese import is_traditional_locale

    language, rest = parse_locale(lang, "--lang")
    choice = choose_locale(lang, tuple(locales))
    if choice.fallback:
        wanted = TRADITIONAL if is_traditional_locale(language, rest) else language
        if locales:
            raise InputError(N_("template {template!r} has no {locale!r} locale"), None, N_("It has: {locales}."),
                             template=template.ref, locale=wanted, locales=", ".join(locales))
        raise InputError(N_("template {template!r} has no {locale!r} locale"), None, N_("It has none."),
                         template=template.ref, locale=wanted)
    return choice


def render_tutorial(template_id: str, lang: str, config: Config, values: Mapping[str, Any] | None = None) -> Rendered:
    """A tutorial in ``lang`` (with fallback) for ``supportkit tutorial``."""
    library = library_for(config)
    template = library.get(template_id, kind="tutorial")
    selection = select_template(library, template.ref, lang, config.default_locale, config.allow_drafts)
    return refuse_unsafe(render(selection, values or {}, config.brand), selection, config)


def parse_vars(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``--var key=value`` options as a mapping; a malformed pair is an input error."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(N_("--var needs key=value, got {pair!r}"), None, N_("Example: --var customer_name=Ana"),
                             pair=pair[:60])
        values[key.strip()] = value
    return values

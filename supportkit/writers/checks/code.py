"""Rules about template code: parsing, variables, filters, plural forms, rendering, staleness."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from supportkit.errors import N_, Message, N_plural
from supportkit.languages import SUPPORTED_LANGUAGES, language_of
from supportkit.rendering import SITUATION
from supportkit.rendering.analysis import (
    name_offset,
    plural_calls,
    plural_categories,
    unbalanced_block,
    used_names,
    walk,
)
from supportkit.writers.checks.base import Finding, Piece, TemplateView, rule


@rule("syntax", "error", "a text does not parse in the runtime sandbox (unclosed {% if %}, stray {% endif %}...)")
def check_syntax(view: TemplateView) -> Iterator[Finding]:
    from jinja2 import nodes

    for piece in view.all_pieces():
        unbalanced = unbalanced_block(piece.text)
        if unbalanced is not None:
            offset, message = unbalanced
            yield view.finding("syntax", piece.line_at(offset), piece.locale,
                               Message.of(N_("{field}: {reason}"), field=piece.field, reason=message))
            continue
        if piece.syntax_error is not None:
            error = piece.syntax_error
            yield view.finding("syntax", piece.line + max(0, (error.lineno or 1) - 1), piece.locale,
                               Message.of(N_("{field}: {reason}"), field=piece.field, reason=str(error.message)))
            continue
        for kind in (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport, nodes.Macro):
            for node in walk(piece.ast, kind):
                yield view.finding("syntax", piece.line + node.lineno - 1, piece.locale,
                                   Message.of(N_("{field}: {tag} is not allowed in templates"), field=piece.field,
                                              tag=f"{{% {kind.__name__.lower()} %}}"))


@rule("placeholders", "error", "a translation uses a variable the source does not (renamed or extra = error; dropped = warning)")
def check_placeholders(view: TemplateView) -> Iterator[Finding]:
    template = view.template
    situation = set(SITUATION)  # what a text branches on, not what it shows: each locale its own way
    source = {name: used_names(p.ast) - situation for name in ("subject", "body")
              if (p := view.piece(template.source_locale, name)) is not None and p.ast is not None}
    if not source:
        return
    for translation in view.translations():
        for name in ("subject", "body"):
            piece = view.piece(translation.locale, name)
            if piece is None or piece.ast is None or name not in source:
                continue
            mine = used_names(piece.ast) - situation
            extra = sorted(mine - source[name])
            dropped = sorted(source[name] - mine)
            for index, extra_name in enumerate(extra):
                yield view.finding("placeholders", piece.line_at(name_offset(piece.text, extra_name)),
                                   translation.locale,
                                   Message.of(N_("{field}: {placeholder} is not in the {source} source (renamed from "
                                                 "{renamed}?)") if index < len(dropped) else
                                              N_("{field}: {placeholder} is not in the {source} source"),
                                              field=name, placeholder=f"{{{{ {extra_name} }}}}",
                                              source=template.source_locale,
                                              renamed=f"{{{{ {dropped[index]} }}}}" if index < len(dropped) else ""))
            for dropped_name in dropped[len(extra):]:
                yield view.finding("placeholders", piece.line, translation.locale,
                                   Message.of(N_("{field}: {placeholder} from the source is not used"), field=name,
                                              placeholder=f"{{{{ {dropped_name} }}}}"), severity="warning")


@rule("undeclared_variable", "error", "a text uses a variable not declared under variables: (or an unknown brand.* setting)")
def check_undeclared(view: TemplateView) -> Iterator[Finding]:
    import dataclasses

    from supportkit.config import Brand

    declared = set(view.template.variables) | {"locale", "range", *SITUATION}
    brand_fields = {f.name for f in dataclasses.fields(Brand)}
    for piece in view.all_pieces():
        if piece.ast is None:
            continue
        for name in sorted(used_names(piece.ast)):
            if name.startswith("brand."):
                if name[6:] in brand_fields:
                    continue
                message = Message.of(N_("{field}: {placeholder} is not a brand setting (known: {known})"),
                                     field=piece.field, placeholder=f"{{{{ {name} }}}}",
                                     known=", ".join(sorted(brand_fields)))
            elif name in declared:
                continue
            else:
                message = Message.of(N_("{field}: {placeholder} is not declared under variables:"),
                                     field=piece.field, placeholder=f"{{{{ {name} }}}}")
            yield view.finding("undeclared_variable", piece.line_at(name_offset(piece.text, name)), piece.locale,
                               message)


@rule("unused_variable", "warning", "a declared variable is used in no locale")
def check_unused(view: TemplateView) -> Iterator[Finding]:
    used: set[str] = set()
    for piece in view.all_pieces():
        if piece.ast is None:
            return  # cannot tell while a text does not parse
        used |= used_names(piece.ast)
    for name in view.template.variables:
        if name not in used:
            line = view.key_line("variables", name)
            yield view.finding("unused_variable", line, "",
                               Message.of(N_("variable {name!r} is declared but no locale uses it"), name=name))


@rule("unknown_filter", "error", "a filter or test that the sandbox does not allow")
def check_filters(view: TemplateView) -> Iterator[Finding]:
    from jinja2 import nodes

    from supportkit.rendering import ALLOWED_FILTERS, ALLOWED_TESTS

    for piece in view.all_pieces():
        if piece.ast is None:
            continue
        for node in walk(piece.ast, nodes.Filter):
            if node.name not in ALLOWED_FILTERS:
                yield view.finding("unknown_filter", piece.line + node.lineno - 1, piece.locale,
                                   Message.of(N_("{field}: filter {name!r} is not allowed (allowed: {allowed})"),
                                              field=piece.field, name=node.name,
                                              allowed=", ".join(sorted(ALLOWED_FILTERS))))
        for test in walk(piece.ast, nodes.Test):
            if test.name not in ALLOWED_TESTS:
                yield view.finding("unknown_filter", piece.line + test.lineno - 1, piece.locale,
                                   Message.of(N_("{field}: test {name!r} is not allowed"), field=piece.field,
                                              name=test.name))


@rule("missing_locale", "error", "one of zh en es ru fr is missing (allowlist it to declare a fallback)")
def check_missing_locale(view: TemplateView) -> Iterator[Finding]:
    line = view.template.lines.get("locales", 1)
    for code in SUPPORTED_LANGUAGES:
        if code not in view.template.locales:
            yield view.finding("missing_locale", line, code,
                               Message.of(N_("no {code} translation and no declared fallback"), code=code))


@rule("plural_forms", "error", "a plural(...) filter lacks a CLDR category of its locale (ru one/few/many/other...)")
def check_plural_forms(view: TemplateView) -> Iterator[Finding]:
    for piece in view.all_pieces():
        if piece.ast is None:
            continue
        try:
            wanted = plural_categories(piece.locale)
        except (ValueError, LookupError):
            continue
        for lineno, forms, _argument in plural_calls(piece.ast):
            missing = [c for c in ("zero", "one", "two", "few", "many", "other") if c in wanted and c not in forms]
            if missing:
                needed = "/".join(c for c in ("zero", "one", "two", "few", "many", "other") if c in wanted)
                yield view.finding("plural_forms", piece.line + lineno - 1, piece.locale,
                                   Message.of(N_plural("plural form {forms} missing ({locale} needs {needed})",
                                                       "plural forms {forms} missing ({locale} needs {needed})",
                                                       len(missing)),
                                              forms=", ".join(missing), locale=piece.locale, needed=needed))
            unused = sorted(set(forms) - wanted)
            if unused:
                yield view.finding("plural_forms", piece.line + lineno - 1, piece.locale,
                                   Message.of(N_plural("plural form {forms} never used in {locale}",
                                                       "plural forms {forms} never used in {locale}", len(unused)),
                                              forms=", ".join(unused), locale=piece.locale), severity="warning")


@rule("stale", "error", "a translation was made from an older source text (shows the source diff)")
def check_stale(view: TemplateView) -> Iterator[Finding]:
    template = view.template
    current = template.source_digest()
    source = template.source
    if current is None or source is None:
        return
    for translation in view.translations():
        if not translation.source or translation.source == current:
            continue
        old = view.store.get(translation.source) if view.store else None
        message = Message.of(N_("source changed since {old} (now {new}); update the translation, then "
                                "`supportkit stamp`"), old=translation.source, new=current)
        detail = "" if old is None else source_diff(old, (source.subject, source.body))
        yield view.finding("stale", translation.line, translation.locale, message, detail=detail)


def source_diff(old: tuple[str, str], new: tuple[str, str]) -> str:
    """The changed lines between two (subject, body) source texts, ``-``/``+`` prefixed."""
    import difflib

    lines: list[str] = []
    for label, before, after in (("subject", old[0], new[0]), ("body", old[1], new[1])):
        if before == after:
            continue
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
            if line.startswith(("---", "+++", "@@")):
                continue
            lines.append(f"{label}: {line}")
    return "\n".join(lines)


def _render_values(view: TemplateView, empty: bool) -> dict[str, str]:
    from supportkit.writers.preview import EXAMPLE_BY_TYPE

    if empty:
        return {name: "" for name in view.template.variables}
    return {name: (v.example or EXAMPLE_BY_TYPE.get(v.type, "x"))
            for name, v in view.template.variables.items()}


def _case_values(view: TemplateView, values: dict[str, str]
                 ) -> Iterator[tuple[dict[str, str], tuple[str, str] | None]]:
    """``values``, then each declared ``cases`` value of a variable in its place (one at a time),
    each with the ``(variable, value)`` it tries (None for ``values`` themselves)."""
    yield values, None
    for name, variable in view.template.variables.items():
        for case in variable.cases:
            if case != values.get(name):
                yield {**values, name: case}, (name, case)


def render_piece(view: TemplateView, piece: Piece, values: dict[str, str], situation: tuple[str, ...] = ()) -> str:
    """Render one piece in its locale, with the ``SITUATION`` flags named in ``situation`` set
    (raises TemplateError as the runtime would)."""
    from supportkit.errors import TemplateError
    from supportkit.rendering import build_context, render_string

    key = (piece.locale, piece.field, tuple(sorted(values.items())), situation)
    cached = view.rendered.get(key)
    if isinstance(cached, TemplateError):
        raise cached
    if cached is not None:
        return cached
    context = view.contexts.get((piece.locale, key[2], situation))
    if context is None:
        context = view.contexts[(piece.locale, key[2], situation)] = build_context(
            view.template, piece.locale, values, view.config.brand, dict.fromkeys(situation, True))
    try:
        text = render_string(piece.text, context, where=f"{view.path}: {piece.locale}")
    except TemplateError as exc:  # render_string turns every Jinja error into one
        view.rendered[key] = exc
        raise
    view.rendered[key] = text
    return text


def _renderable(view: TemplateView) -> bool:
    """Whether rendering can be tried without repeating a static rule's finding (once per template:
    five rules ask)."""
    if view.renderable is None:
        from jinja2 import nodes

        from supportkit.rendering import ALLOWED_FILTERS

        view.renderable = all(p.ast is not None and unbalanced_block(p.text) is None
                              and all(f.name in ALLOWED_FILTERS for f in walk(p.ast, nodes.Filter))
                              for p in view.all_pieces())
    return view.renderable


@rule("render", "error", "a text fails to render with example or empty values")
def check_render(view: TemplateView) -> Iterator[Finding]:
    from supportkit.errors import SupportkitError, TemplateError

    if not _renderable(view):
        return
    declared = set(view.template.variables) | {"locale", "range", *SITUATION}
    for piece in view.all_pieces():
        names = {n for n in used_names(piece.ast) if not n.startswith("brand.")}
        if names - declared:
            continue  # undeclared_variable says it
        # Example values (and each declared case of a variable), then empty ones (None).
        tries: list[tuple[dict[str, str], tuple[str, ...] | None]] = [
            (values, case or ()) for values, case in _case_values(view, _render_values(view, False))]
        tries.append((_render_values(view, True), None))
        for values, label in tries:
            try:
                render_piece(view, piece, values)
            except SupportkitError as exc:
                # The line the template got to, when rendering knows it.
                reached = exc.line if isinstance(exc, TemplateError) else None
                line = piece.line + reached - 1 if reached else piece.line
                reason = Message(exc.what, exc.params)
                if label is None:
                    said = Message.of(N_("{field}: fails with empty values: {reason}"), field=piece.field, reason=reason)
                elif not label:
                    said = Message.of(N_("{field}: fails with example values: {reason}"), field=piece.field,
                                      reason=reason)
                else:
                    said = Message.of(N_("{field}: fails with example values and {variable}={value}: {reason}"),
                                      field=piece.field, reason=reason, variable=label[0], value=label[1])
                yield view.finding("render", line, piece.locale, said)
                break


@rule("rendered_reply", "error",
      "rendered with the configured brand, a text links outside the allowed domains or asks for a recovery phrase")
def check_rendered_reply(view: TemplateView) -> Iterator[Finding]:
    """What ``supportkit reply`` would refuse to print (``supportkit.safety``), found before a customer asks.

    Rendered as the reply path renders it (variables at their defaults) with the brand of the
    configuration, so a planted brand link or a bare ``t.me/...`` in the text shows up; a URL the
    ``url`` rule sees in the text, or a request ``secret_request`` finds, is left to those rules.
    """
    from supportkit.errors import SupportkitError
    from supportkit.safety import outside_links, secret_requests
    from supportkit.writers.checks.base import URL_RE

    if not _renderable(view):
        return
    policy = view.config.link_policy()
    values = _render_values(view, True)
    for piece in view.all_pieces():
        try:
            text = render_piece(view, piece, values)
        except SupportkitError:
            continue  # the render rule says it
        written = set(URL_RE.findall(piece.text))
        for _offset, link in outside_links(text, policy):
            if link not in written:
                at = piece.text.find(link)  # a link typed in the text: its line; one from a value: the field's
                yield view.finding("rendered_reply", piece.line_at(at) if at >= 0 else piece.line, piece.locale,
                                   Message.of(N_("{field}: links to {link}, which is not an allowed domain "
                                                 "(the brand's, a block explorer, or allowed_domains in [brand])"),
                                              field=piece.field, link=link))
        if any(secret_requests(piece.masked, piece.locale)):
            continue
        for _offset, sentence in secret_requests(text, piece.locale):
            yield view.finding("rendered_reply", piece.line, piece.locale,
                               Message.of(N_("{field}: asks for a recovery phrase or private key: {sentence!r}"),
                                          field=piece.field, sentence=sentence[:80]))


REASSURING: dict[str, str] = {
    "en": r"(?:the )?(?:good|great) news|no worries|(?:don't|do not|no need to) (?:worry|panic)|nothing to worry about"
          r"|rest assured|(?:you(?:'re| are)|it(?:'s| is)) (?:all )?(?:safe|fine|ok(?:ay)?)\b|relax\b",
    "zh": r"好消息|别担心|不用担心|无需担心|不必担心|请放心|您放心|放心吧|不要紧|没关系|很安全",
    "es": r"buenas? noticias?|no se preocupe|no te preocupes|tranquil[oa]s?\b|no hay (?:de )?qu[eé] preocuparse"
          r"|pierda cuidado|est[aá]n? a salvo|todo (?:est[aá] )?bien",
    "ru": r"хорош(?:ая|ие|ую) новост|не волнуйтесь|не переживайте|не беспокойтесь|(?:волноваться|беспокоиться) не о чем"
          r"|вс[её] в порядке|в безопасности|не страшно",
    "fr": r"bonnes? nouvelles?|pas d[’']inquiétude|ne vous inquiétez pas|rassurez-vous|aucune inquiétude"
          r"|pas de panique|tout va bien|en sécurité|sans souci",
}
"""Openers that reassure, per language: after the safety notice they contradict it."""
CONTRADICTS_NOTICE: dict[str, str] = {
    "en": r"(?:is|are)(?: still)? not compromised|(?:wallet|funds) (?:is|are) (?:still )?safe\b"
          r"|(?:don't|do not|doesn't|does not) need to (?:be )?(?:sent|moved?|transferred)|same wallet on (?:both|two)"
          r"|(?:we )?(?:cannot|can't|can not|never) see your (?:keys|private key|recovery phrase)",
    "zh": r"没有被盗|并未被盗|钱包是安全的|仍然安全|依然安全|不需要转到任何地方|无需转移|不用转移|看不到您的(?:私钥|助记词)",
    "es": r"no (?:está|ha sido) comprometid|sigue(?:n)? (?:estando )?(?:segur|a salvo)"
          r"|no (?:necesita|hace falta)(?:n)? (?:moverse|enviarse|transferirse|mover|enviar)|no podemos ver sus? (?:claves?|frase)",
    "ru": r"не взломан|по-прежнему в безопасности|не нужно (?:никуда )?(?:переводить|перемещать)|(?:не видим|не можем видеть) ваш",
    "fr": r"n[’']est pas compromis|rest(?:e|ent) en sécurité|pas besoin de (?:les )?(?:déplacer|transférer)"
          r"|ne (?:voyons|pouvons) (?:pas|jamais) (?:voir )?vos (?:clés|phrase)",
}
"""Anywhere in a reply sent with the safety notice, these say the opposite of it (the wallet is safe,
the funds need not move, support cannot see the keys the customer just sent)."""
OPENING_PARAGRAPHS = 2
"""Paragraphs after the greeting read as the body's opening."""


@functools.lru_cache(maxsize=16)
def _phrases_re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@rule("reassures_after_notice", "error",
      "a reply whose opening reassures when it is sent with the safety notice (wrap it in {% if not secret_found %})")
def check_reassures_after_notice(view: TemplateView) -> Iterator[Finding]:
    """A customer who pasted their recovery phrase reads: greeting, "create a new wallet now", then the
    body. Rendered as that customer gets it (``secret_found``), the body's opening must not say all is well,
    and no sentence of it may contradict the notice."""
    from supportkit.errors import SupportkitError
    from supportkit.pipeline import greeting_of

    if view.template.kind != "reply" or not _renderable(view):
        return
    values = _render_values(view, False)
    for piece in view.all_pieces():
        language = language_of(piece.locale)
        if piece.field != "body" or language not in REASSURING:
            continue
        try:
            text = render_piece(view, piece, values, ("secret_found",))
        except SupportkitError:
            continue  # the render rule says it
        greeting = greeting_of(text)
        body = text[len(greeting):] if greeting is not None else text
        opening = "\n\n".join(body.strip().split("\n\n")[:OPENING_PARAGRAPHS])
        match = _phrases_re(REASSURING[language]).search(opening)
        what = N_("body: {phrase!r} reassures right after the safety notice (wrap it in {tag})")
        if match is None and language in CONTRADICTS_NOTICE:
            match = _phrases_re(CONTRADICTS_NOTICE[language]).search(body)
            what = N_("body: {phrase!r} contradicts the safety notice sent with it (wrap it in {tag})")
        if match is not None:
            at = piece.text.find(match.group())
            yield view.finding("reassures_after_notice", piece.line_at(at) if at >= 0 else piece.line, piece.locale,
                               Message.of(what, phrase=match.group(), tag="{% if not secret_found %}"))


@rule("draft", "warning", "a machine draft that nobody has reviewed yet")
def check_draft(view: TemplateView) -> Iterator[Finding]:
    for translation in view.translations():
        if translation.is_draft:
            yield view.finding("draft", translation.line, translation.locale,
                               Message.of(N_("machine draft needs review (set status: approved once checked)")))


@rule("blank", "warning", "an empty subject, a text that renders empty, or a missing FAQ question")
def check_blank(view: TemplateView) -> Iterator[Finding]:
    from supportkit.errors import SupportkitError

    template = view.template
    source = template.source
    for code, translation in template.locales.items():
        if source is not None and source.subject and not translation.subject:
            yield view.finding("blank", translation.line, code,
                               Message.of(N_("subject is empty while the source has one")))
        if template.faq and code not in template.faq:
            yield view.finding("blank", template.lines.get("faq", 1), code,
                               Message.of(N_("FAQ question missing in this locale")))
    if not _renderable(view):
        return
    for piece in view.all_pieces():
        if piece.field != "body":
            continue
        try:
            text = render_piece(view, piece, _render_values(view, empty=True))
        except SupportkitError:
            continue  # the render rule reports it
        if not text.strip():
            yield view.finding("blank", piece.line, piece.locale,
                               Message.of(N_("body renders empty when the variables are empty")))


LENGTH_MESSAGES = {
    (False, "example"): N_("body is {length} characters, over the {channel} limit of {limit}"),
    (False, "empty"): N_("body is {length} characters with no values, over the {channel} limit of {limit}"),
    (False, "name"): N_("body is {length} characters with only the name, over the {channel} limit of {limit}"),
    (False, "case"): N_("body is {length} characters with {variable}={value}, over the {channel} limit of {limit}"),
    (True, "example"): N_(
        "body is {length} characters with the safety notice (pasted secret), over the {channel} limit of {limit}"),
    (True, "empty"): N_(
        "body is {length} characters with the safety notice (pasted secret) and no values, over the {channel} "
        "limit of {limit}"),
    (True, "name"): N_(
        "body is {length} characters with the safety notice (pasted secret) and only the name, over the {channel} "
        "limit of {limit}"),
    (True, "case"): N_(
        "body is {length} characters with the safety notice (pasted secret) and {variable}={value}, over the "
        "{channel} limit of {limit}"),
}
"""The length finding per way of measuring (the keys, ``how`` in ``check_length``)."""

REALISTIC_NAME = "María Fernanda López"
"""A person's name as long as real ones often are: the examples' "Ana" hid replies over the limit."""


def _length_values(view: TemplateView, empty: bool) -> dict[str, str]:
    """The values a length is measured with: the examples, with every ``*_name`` as long as a real one."""
    values = _render_values(view, empty)
    if not empty:
        values.update({name: REALISTIC_NAME for name, value in values.items()
                       if name.endswith("_name") and len(value) < len(REALISTIC_NAME)})
    return values


@rule("length", "warning", "a reply longer than its channel's limit (channel_limits in the config)")
def check_length(view: TemplateView) -> Iterator[Finding]:
    from supportkit.errors import SupportkitError
    from supportkit.guard import safety_notice
    from supportkit.pipeline import with_notice

    limit = view.config.channel_limits.get(view.template.channel)
    if not limit or not _renderable(view):
        return
    for code in view.template.locales:
        piece = view.piece(code, "body")
        if piece is None:
            continue
        # With the example values, and with none (a variable left empty can switch on a longer branch);
        # a reply also as a customer who pasted a secret reads it: greeting, safety notice, body.
        # Each declared case of a variable too (a network name switches tx_pending onto its own branch).
        # A measure: (values, (how, the case tried)); ``how`` keys LENGTH_MESSAGES with the notice flag.
        tries: list[tuple[dict[str, str], tuple[str, tuple[str, str] | None]]] = [
            (values, ("case" if case else "example", case))
            for values, case in _case_values(view, _length_values(view, empty=False))]
        tries.append((_length_values(view, empty=True), ("empty", None)))
        named = {name: REALISTIC_NAME for name in view.template.variables if name.endswith("_name")}
        if named:  # the name is what an agent most often knows, and the rest left empty opens the longest branch
            tries.append(({**_length_values(view, empty=True), **named}, ("name", None)))
        notice = view.template.kind == "reply" and bool(view.template.intents)  # what `reply` answers a pasted secret with
        lengths: list[tuple[int, bool, str, tuple[str, str] | None]] = []
        for values, (how, case) in tries:
            try:
                lengths.append((len(render_piece(view, piece, values)), False, how, case))
            except SupportkitError:
                continue
            if notice:
                try:
                    body = render_piece(view, piece, values, ("secret_found",))
                except SupportkitError:
                    continue
                lengths.append((len(with_notice(body, safety_notice(code))), True, how, case))
        over = [measure for measure in lengths if measure[0] > limit]
        if over:
            length, pasted, how, case = max(over, key=lambda measure: measure[0])
            variable, value = case or ("", "")
            yield view.finding("length", piece.line, code, Message.of(
                LENGTH_MESSAGES[(pasted, how)], length=length, channel=view.template.channel, limit=limit,
                **({"variable": variable, "value": value} if case else {})))

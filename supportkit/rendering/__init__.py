"""The one sandboxed Jinja2 environment, with Babel-aware filters.

Template text comes only from the template library; customer text only ever
arrives as a variable value, never as template source. Rendering is capped in
size, every render runs under a budget of steps, value size and integer size
(:mod:`supportkit.rendering.budget`, on both rendering paths), undefined names
fail loudly (StrictUndefined), and only a listed set of filters exists.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError, safe_range
from markupsafe import Markup

from supportkit.config import Brand
from supportkit.errors import N_, TemplateBudgetError, TemplateError
from supportkit.library import Selection, Template
from supportkit.rendering import budget as template_budget
from supportkit.rendering import fastpath
from supportkit.rendering.tree import plain_text

MAX_OUTPUT_CHARS = 20_000
SITUATION = ("secret_found", "urgent")
"""What a template may branch on besides its variables: the customer pasted a recovery phrase or
private key (``secret_found``; the reply then carries the safety notice after its greeting, so the
body must not reassure), the message is urgent (``urgent``). Both are false unless the pipeline
says otherwise; ``preview`` and ``check`` render a reply both ways."""
"""A rendered reply longer than this is refused: no template should produce a wall of text."""

SAFE_BUILTIN_FILTERS = (
    "default", "upper", "lower", "capitalize", "title", "trim", "length", "join", "first", "last",
    "truncate", "replace", "int", "abs", "wordcount", "string", "list", "sort", "escape", "e",
)
CUSTOM_FILTERS = ("number", "amount", "date", "datetime", "plural", "percent")
ALLOWED_FILTERS = frozenset(SAFE_BUILTIN_FILTERS + CUSTOM_FILTERS)
ALLOWED_TESTS = frozenset({"defined", "undefined", "none", "number", "string", "eq", "ne", "lt", "gt", "le", "ge",
                           "odd", "even", "in", "divisibleby", "sameas"})


def _locale_of(context: Any) -> str:
    return str(context.get("locale") or "en")


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        template_budget.check_number_digits(value)
        return value
    if isinstance(value, bool):
        raise TemplateError(N_("expected a number, got {value!r}"), value=value)
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in text and "." not in text and not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text):
        text = text.replace(",", ".")  # "0,5" typed by a European agent; "1,150" stays grouping
    text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise TemplateError(N_("not a number: {value!r}"), None, N_("Pass digits, e.g. --var amount=0.5"),
                            value=str(value)[:40]) from None
    template_budget.check_number_digits(number)  # "1e999999999" is short text but a billion printed digits
    return number


@jinja2.pass_context
def _number(context: Any, value: Any, digits: int | None = None) -> str:
    from babel.numbers import format_decimal

    number = _to_decimal(value)
    if digits is not None:
        number = round(number, digits)
    return format_decimal(number, locale=_locale_of(context), decimal_quantization=False)


@jinja2.pass_context
def _amount(context: Any, value: Any, ticker: str = "") -> str:
    """A crypto amount exactly as given (Decimal, no rounding), grouped per locale."""
    from babel.numbers import format_decimal

    number = _to_decimal(value)
    text = format_decimal(number, format="#,##0.##################", locale=_locale_of(context),
                          decimal_quantization=False)
    return f"{text}\u00a0{ticker}" if ticker else text


@jinja2.pass_context
def _percent(context: Any, value: Any) -> str:
    from babel.numbers import format_percent

    return format_percent(_to_decimal(value), locale=_locale_of(context), decimal_quantization=False)


def _to_datetime(value: Any) -> _dt.date | _dt.datetime:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value
    text = str(value).strip()
    try:
        return _dt.datetime.fromisoformat(text) if ("T" in text or ":" in text) else _dt.date.fromisoformat(text)
    except ValueError:
        raise TemplateError(N_("not a date: {value!r}"), None, N_("Use ISO form, e.g. 2026-11-22 or 2026-11-22T14:05"),
                            value=text[:40]) from None


@jinja2.pass_context
def _date(context: Any, value: Any, format: str = "medium") -> str:
    from babel.dates import format_date

    when = _to_datetime(value)
    if isinstance(when, _dt.datetime):
        when = when.date()
    return format_date(when, format=format, locale=_locale_of(context))


@jinja2.pass_context
def _datetime(context: Any, value: Any, format: str = "medium") -> str:
    from babel.dates import format_datetime

    when = _to_datetime(value)
    if not isinstance(when, _dt.datetime):
        when = _dt.datetime.combine(when, _dt.time())
    return format_datetime(when, format=format, locale=_locale_of(context))


@functools.lru_cache(maxsize=32)
def plural_rule(locale: str) -> Any:
    from babel import Locale

    return Locale.parse(locale).plural_form


@jinja2.pass_context
def _plural(context: Any, value: Any, **forms: str) -> str:
    """Pick the CLDR plural form of ``value`` (one/few/many/other...); ``#`` becomes the number.

    ``{{ n | plural(one="# день", few="# дня", many="# дней", other="# дня") }}``
    """
    from babel.numbers import format_decimal

    locale = _locale_of(context)
    number = _to_decimal(value)
    category = plural_rule(locale)(number)
    # A missing category falls back to `other` at run time (a reply still goes out);
    # `supportkit check` reports the missing form to the writer.
    text = forms.get(category, forms.get("other"))
    if text is None:
        raise TemplateError(N_("plural form {category!r} missing for {locale} (value {value})"), None,
                            N_("Add {category}= to the plural filter."), category=category, locale=locale, value=value)
    printed = format_decimal(number, locale=locale, decimal_quantization=False)
    budget = template_budget.current()
    budget.check_chars(len(text) + text.count("#") * len(printed), "the plural filter")
    return text.replace("#", printed)


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, every render under its budget (:mod:`supportkit.rendering.budget`).

    The output cap refuses long output only as it is produced: ``"x" * 10 ** 9`` would first
    build a gigabyte string, a huge power or nested loops take minutes. So operators, calls,
    ``str.format``, loops, ``~``, literals and captured output are checked before they run.
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = template_budget.BudgetCodeGenerator
    # Called by the generated code (see BudgetCodeGenerator).
    budget_iter = staticmethod(template_budget.budget_iter)
    budget_concat = staticmethod(template_budget.budget_concat)
    budget_operand = staticmethod(template_budget.budget_operand)
    budget_literal = staticmethod(template_budget.budget_literal)
    # The join of a macro's, caller()'s, {% set %} or {% filter %} block's output.
    concat = staticmethod(template_budget.budget_buffer)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        template_budget.check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        # As the sandbox's own: double underscores keep a template's keyword arguments apart.
        args = template_budget.check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Any:
        # The sandbox's wrapper for str.format / format_map, its formatter swapped for one under the budget.
        if super().wrap_str_format(value) is None:  # not a str's format or format_map
            return None
        text: str = value.__self__
        formatter_class = (template_budget.BudgetEscapeFormatter if isinstance(text, Markup)
                           else template_budget.BudgetFormatter)
        is_format_map = value.__name__ == "format_map"

        def formatted(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument and no keywords")
                kwargs, args = args[0], ()
            formatter = (formatter_class(self, escape=text.escape) if isinstance(text, Markup)
                         else formatter_class(self))
            return type(text)(formatter.vformat(text, args, kwargs))

        return functools.update_wrapper(formatted, value)


@functools.lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    """The one rendering environment: immutable sandbox, strict undefined, listed filters only."""
    env = _Sandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        # trim_blocks stays off: writers end a line with {% endif %} and expect its
        # newline to stay; blank lines left by block tags are folded by _tidy().
        trim_blocks=False,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters = {name: env.filters[name] for name in SAFE_BUILTIN_FILTERS}
    env.filters.update(number=_number, amount=_amount, date=_date, datetime=_datetime, plural=_plural,
                       percent=_percent)
    env.filters = {name: template_budget.budgeted_filter(name, func, fastpath.pass_arg(func) is not None)
                   for name, func in env.filters.items()}
    env.finalize = template_budget.check_output
    tests: dict[str, Any] = {name: test for name, test in env.tests.items() if name in ALLOWED_TESTS}
    env.tests = {name: template_budget.budgeted_filter(name, test, fastpath.pass_arg(test) is not None)
                 for name, test in tests.items()}
    env.globals = {"range": safe_range}  # at most MAX_RANGE (100,000) items: a loop cannot run for minutes
    return env


@functools.lru_cache(maxsize=512)
def parse_source(source: str) -> jinja2.nodes.Template:
    """Template text parsed by the sandbox's parser (cached; ``check`` walks it, ``compile_source`` compiles it)."""
    if "{" not in source:  # no tag: the tree the parser would build, one piece of data
        text = plain_text(source)
        body = [jinja2.nodes.Output([jinja2.nodes.TemplateData(text, lineno=1)], lineno=1)] if text else []
        tree = jinja2.nodes.Template(body, lineno=1)
        tree.set_environment(environment())
        return tree
    return fastpath.parse_simple(source, environment()) or environment().parse(source)


@functools.lru_cache(maxsize=512)
def compile_source(source: str) -> jinja2.Template:
    """Compile template text in the sandbox (cached); raises jinja2.TemplateSyntaxError."""
    env = environment()
    # As env.from_string(source), from the parse that `check` may already have made.
    return env.template_class.from_code(env, env.compile(parse_source(source)), env.make_globals(None), None)


@dataclass(frozen=True)
class Rendered:
    """A template filled in for one locale."""

    template: str
    kind: str
    locale: str
    subject: str
    text: str
    fallback: bool = False
    draft: bool = False
    variables: dict[str, str] = field(default_factory=dict)
    converted_from: str | None = None
    """The locale this text was converted from (``zh`` for a ``zh-Hant`` no writer wrote), or None."""

    def to_dict(self) -> dict[str, Any]:
        return {"template": self.template, "kind": self.kind, "locale": self.locale, "fallback": self.fallback,
                "draft": self.draft, "converted_from": self.converted_from, "subject": self.subject,
                "text": self.text}


def build_context(template: Template, locale: str, values: Mapping[str, Any], brand: Brand,
                  situation: Mapping[str, bool] | None = None) -> dict[str, Any]:
    """Declared variables (given value, else the locale's default), plus ``brand``, ``locale`` and
    the ``SITUATION`` flags (false unless ``situation`` sets them)."""
    unknown = sorted(set(values) - set(template.variables))
    if unknown:
        raise TemplateError(N_("template {template!r} has no variable {name!r}"), None,
                            N_("Declared variables: {declared}.") if template.variables else
                            N_("It declares no variables."),
                            template=template.id, name=unknown[0], declared=", ".join(sorted(template.variables)))
    context: dict[str, Any] = {}
    for name, variable in template.variables.items():
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            value = variable.default_for(locale)
        context[name] = value.strip() if isinstance(value, str) else value
    context["brand"] = brand.localized(locale)
    context["locale"] = locale
    for name in SITUATION:
        context[name] = bool((situation or {}).get(name, False))
    return context


def render_string(source: str, context: Mapping[str, Any], limit: int = MAX_OUTPUT_CHARS, where: str = "") -> str:
    """Render template text in the sandbox, refusing output past ``limit`` characters."""
    if "{" not in source:  # no tag at all: the text as Jinja would give it, without compiling
        text = plain_text(source)
        if len(text) > limit:
            raise TemplateError(N_("rendered text is longer than {limit} characters"), where or None,
                                N_("Shorten the template or the values passed to it."), limit=limit)
        return _tidy(text)
    try:
        tree = parse_source(source)
        # Most replies are text, names, brand.* and filters inside {% if %}: walked as
        # the compiled code would run them, without generating and compiling Python.
        interpretable = fastpath.interpretable(tree, environment())
        if not interpretable:
            with template_budget.budgeted():  # constant folding at compile time runs filters
                compiled = compile_source(source)
        pieces: list[str] = []
        with template_budget.budgeted():
            stream = fastpath.interpret(tree, context, environment()) if interpretable else compiled.generate(**context)
            size = 0
            for piece in stream:
                size += len(piece)
                if size > limit:
                    raise TemplateError(N_("rendered text is longer than {limit} characters"), where or None,
                                        N_("Shorten the template or the values passed to it."), limit=limit)
                pieces.append(piece)
    except TemplateBudgetError as exc:
        raise exc.located(where or None, line=_template_line(exc) or exc.line) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(N_("template syntax error: {reason}"), where, line=exc.lineno,
                            reason=str(exc.message)) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(N_("template uses an undeclared name: {reason}"), where or None,
                            N_("Declare it under variables: in the template file."), reason=str(exc.message)) from None
    except SecurityError as exc:
        raise TemplateError(N_("template tried an unsafe operation: {reason}"), where or None,
                            line=_template_line(exc), reason=str(exc)) from None
    except jinja2.TemplateError as exc:  # e.g. a filter given arguments it does not take
        raise TemplateError(N_("template error: {reason}"), where or None,
                            line=_template_line(exc), reason=exc.message or type(exc).__name__) from None
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError,
            AssertionError) as exc:  # AssertionError: truncate(5, end="longer than five")
        # An expression that fails on its values ({{ 1/0 }}, "is odd" on text): the writer's
        # mistake, reported with its line like any other, never as a traceback.
        raise TemplateError(N_("template failed while rendering: {reason}"), where or None,
                            N_("Keep expressions to the declared variables and the allowed filters."),
                            line=_template_line(exc), reason=f"{type(exc).__name__}: {exc}"[:270]) from None
    return _tidy("".join(pieces))


def _template_line(exc: BaseException) -> int | None:
    """The template line the traceback of ``exc`` reached (Jinja maps its frames to ``<template>``)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _tidy(text: str) -> str:
    """Drop trailing spaces and runs of blank lines left by optional blocks."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and tidy and not tidy[-1]:
            continue
        tidy.append(line)
    return "\n".join(tidy).strip()


def render(selection: Selection, values: Mapping[str, Any] | None = None, brand: Brand | None = None,
           limit: int = MAX_OUTPUT_CHARS, *, secret_found: bool = False, urgent: bool = False) -> Rendered:
    """Fill in the selected template in the selected locale, in the given situation (``SITUATION``)."""
    situation = {"secret_found": secret_found, "urgent": urgent}
    if values:
        return _render(selection, values, brand, limit, situation)
    # Without values a reply depends only on its template, locale and brand (all frozen):
    # `batch` drafts the same few replies over and over, so each is rendered once.
    key = (id(selection.template), selection.choice, id(brand), limit, secret_found, urgent)
    hit = _PLAIN_RENDERS.get(key)
    if hit is None or hit[0] is not selection.template or hit[1] is not brand:
        if len(_PLAIN_RENDERS) >= 256:
            _PLAIN_RENDERS.clear()
        hit = _PLAIN_RENDERS[key] = (selection.template, brand, _render(selection, values, brand, limit, situation))
    return dataclasses.replace(hit[2], variables=dict(hit[2].variables))


_PLAIN_RENDERS: dict[tuple[Any, ...], tuple[Template, Brand | None, Rendered]] = {}
"""Replies rendered without values, by template (held, so its id stays its own), locale and brand."""


def _render(selection: Selection, values: Mapping[str, Any] | None, brand: Brand | None, limit: int,
            situation: Mapping[str, bool]) -> Rendered:
    template = selection.template
    translation = selection.translation
    locale = selection.choice.locale
    context = build_context(template, locale, values or {}, brand or Brand(), situation)
    where = f"{template.path}: {locale}"
    subject = render_string(translation.subject, context, limit, where) if translation.subject else ""
    body = render_string(translation.body, context, limit, where)
    if selection.choice.converted_from is not None:  # zh-Hant nobody wrote: the zh reply, all of it, converted
        from supportkit.text.chinese import to_traditional

        subject, body = to_traditional(subject), to_traditional(body)
    return Rendered(
        template=template.id, kind=template.kind, locale=locale, subject=subject, text=body,
        fallback=selection.choice.fallback, draft=translation.is_draft,
        variables={k: str(v) for k, v in context.items() if k not in ("brand", "locale", *SITUATION)},
        converted_from=selection.choice.converted_from,
    )

"""One exception tree for every expected failure.

Each error renders as ``Error: <what> (<where>). <what to do next>`` and exits 1
(click prints it, no traceback). Usage errors stay click's own (exit 2).

An error carries message templates, not finished text: ``what`` and ``hint`` are msgids marked
with ``N_`` (or ``N_plural`` when a count is in the sentence) and the named ``params`` fill them
in, e.g. ``InputError(N_("no template {template!r}"), where, template=tid)``. ``where`` is a
location (a path, ``path:line``) and is never translated; nor are the params (paths, ids, locale
codes, the text of an OS or YAML error). ``message`` (``str(error)``) is the English text, stable
for ``--json`` and for files a program reads; ``format_message()`` and ``show()`` give it in the
user's language through the translator the CLI installs (``install_translator``). Library use
without the CLI gets English, the source. This module imports nothing of supportkit's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import click


def N_(message: str) -> str:
    """Mark ``message`` as a msgid for the extractor; it is translated when the error is shown."""
    return message


@dataclass(frozen=True)
class Plural:
    """A msgid with its plural form, chosen by ``count`` when shown (ngettext's three arguments)."""

    singular: str
    plural: str
    count: int


def N_plural(singular: str, plural: str, count: int) -> Plural:
    """Mark a singular/plural msgid pair for the extractor; the form is chosen by ``count`` when shown."""
    return Plural(singular, plural, count)


Text = str | Plural
"""A message template: a msgid, or a singular/plural pair with its count."""


@dataclass(frozen=True)
class Message:
    """A message template with its params: a check's finding, or a sentence made in one place and passed
    as a param of an error (a Message param is translated with the message it fills)."""

    text: Text
    params: Mapping[str, Any]

    @classmethod
    def of(cls, text: Text, **params: Any) -> Message:
        """``Message(text, params)`` with the params as keywords."""
        return cls(text, params)

    def __str__(self) -> str:
        return render_text(self.text, self.params, _english, _english_plural)

    def shown(self) -> str:
        """The message in the user's language (the installed translator's)."""
        return render_text(self.text, self.params)


Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]


def _english(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


@dataclass
class _Translator:
    gettext: Gettext = _english
    ngettext: Ngettext = _english_plural


_TRANSLATOR = _Translator()


_REDACTOR: list[Callable[[str], str]] = []


def install_redactor(redact: Callable[[str], str] | None = None) -> None:
    """Pass every text param of an error through ``redact`` from now on (the CLI installs the guard's:
    an id, a locale or a variable name the user typed may be a pasted recovery phrase or key, and an
    error must never print one back); no argument: params as given."""
    _REDACTOR[:] = [redact] if redact is not None else []


def quoted(value: object, limit: int) -> str:
    """``value`` as an error quotes it: redacted first (``install_redactor``), then cut to ``limit``
    characters (cut first, a key or phrase would be too short for the guard to know it)."""
    text = str(value)
    if _REDACTOR and text:
        text = _REDACTOR[0](text)
    return text[:limit]


def _redacted(params: dict[str, Any]) -> dict[str, Any]:
    if not _REDACTOR:
        return params
    redact = _REDACTOR[0]
    return {key: redact(value) if isinstance(value, str) and value else value for key, value in params.items()}


def install_translator(gettext: Gettext | None = None, ngettext: Ngettext | None = None) -> None:
    """Show errors through ``gettext``/``ngettext`` from now on (the CLI installs ``supportkit.i18n``'s,
    which read the user's language at each call); no arguments: back to English."""
    _TRANSLATOR.gettext = gettext or _english
    _TRANSLATOR.ngettext = ngettext or _english_plural


def render_text(text: Text, params: Mapping[str, Any], gettext: Gettext | None = None,
                ngettext: Ngettext | None = None) -> str:
    """``text`` translated (by the installed translator unless one is given), then filled in with ``params``."""
    if any(isinstance(value, Message) for value in params.values()):
        params = {key: render_text(value.text, value.params, gettext, ngettext) if isinstance(value, Message)
                  else value for key, value in params.items()}
    if isinstance(text, Plural):
        template = (ngettext or _TRANSLATOR.ngettext)(text.singular, text.plural, text.count)
        params = {"count": text.count, **params}
    else:
        template = (gettext or _TRANSLATOR.gettext)(text)
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError, AttributeError):
        if gettext is _english:
            raise  # the source itself names a param it is not given: a bug, not a translation's slip
        # A translation that names a parameter the source does not: the English source instead.
        return render_text(text, params, _english, _english_plural)


def _is_wide(char: str) -> bool:
    """A CJK character or full-width form (text that closes with "。" and takes no space after it)."""
    return bool(char) and ("\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\uff00" <= char <= "\uffef")


def msgid_of(text: Text) -> str:
    """The msgid of a message template (the singular of a plural pair)."""
    return text.singular if isinstance(text, Plural) else text


class SupportkitError(click.ClickException):
    """Base of every expected failure supportkit reports to a user.

    ``what`` and ``hint`` are message templates filled in with ``params`` when shown.
    """

    exit_code = 1

    def __init__(self, what: Text, where: str | None = None, hint: Text | None = None, /, **params: Any) -> None:
        self.what = what
        self.where = where
        self.hint = hint
        self.params = _redacted(params)
        super().__init__(self.render(_english, _english_plural))

    def render(self, gettext: Gettext | None = None, ngettext: Ngettext | None = None) -> str:
        """The whole message, through ``gettext``/``ngettext`` (default: the installed translator)."""
        message = render_text(self.what, self.params, gettext, ngettext)
        # Chinese (and Japanese) text closes with full-width punctuation and needs no space: "消息为空。请…",
        # not "消息为空. 请…".
        translated = (gettext or _TRANSLATOR.gettext)(msgid_of(self.what))  # the sentence's own words, not its params
        wide = any(_is_wide(char) for char in translated)
        if self.where:
            message = message.rstrip("。") + (f"（{self.where}）" if wide else f" ({self.where})")
        if not message.endswith((".", "!", "?", "。", "！", "？")):
            message += "。" if wide else "."
        if self.hint is not None:
            message += ("" if wide else " ") + render_text(self.hint, self.params, gettext, ngettext)
        return message

    def format_message(self) -> str:
        """The message in the user's language (English unless a translator is installed)."""
        return self.render()

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled whole (batch workers send errors back): rebuilt from its data, not from the English text.
        return (_restored, (type(self), dict(self.__dict__)))

    def to_dict(self) -> dict[str, Any]:
        """For ``--json``: the English ``message``, the ``code`` (the msgid) and the ``params``."""
        return {"message": self.message, "code": msgid_of(self.what),
                "params": {key: value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
                           for key, value in self.params.items()}}


def _restored(cls: type[SupportkitError], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, state.get("message", ""))
    return error


class InputError(SupportkitError):
    """The text, file or stream given to a command cannot be used."""


class MissingValuesError(InputError):
    """Required template variables were not given: a usage error (exit 2) that names them all."""

    exit_code = 2

    def __init__(self, names: list[str], where: str | None = None, hint: Text | None = None, /,
                 **params: Any) -> None:
        self.names = names
        super().__init__(N_plural("missing required variable: {names}", "missing required variables: {names}",
                                  len(names)), where, hint, names=", ".join(names), **params)


class ConfigError(SupportkitError):
    """The configuration file or an environment setting is invalid."""


class UnknownLocaleError(SupportkitError):
    """A locale code that supportkit does not know or cannot serve."""

    def __init__(self, code: str, where: str | None = None) -> None:
        self.code = code
        super().__init__(
            N_("unknown locale {code!r}"),
            where,
            N_("Use a code such as zh, en, es, ru or fr (regional forms like zh-TW or es-419 fall back)."),
            code=code,
        )


INVALID_FILES = N_("invalid files")


@dataclass(frozen=True)
class Problem:
    """One finding in a file, printed as ``path:line: locale: message``.

    ``message`` is English (``--json``); when the problem was made from a msgid (``text``, filled in
    with ``params``), the printed line is in the user's language (``shown``).
    """

    path: str
    line: int
    locale: str
    message: str
    severity: str = "error"
    check: str = ""
    template: str = ""
    text: Text = ""
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, path: str, line: int, locale: str, text: Text, *, severity: str = "error", check: str = "",
           template: str = "", **params: Any) -> Problem:
        """A problem whose message is the msgid ``text`` filled in with ``params`` (translated when printed)."""
        return cls(path, line, locale, render_text(text, params, _english, _english_plural), severity, check,
                   template, text, tuple(params.items()))

    @property
    def shown(self) -> str:
        """The message in the user's language (the installed translator's)."""
        return render_text(self.text, dict(self.params)) if self.text else self.message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.locale or '-'}: {self.shown}"


class ValidationError(SupportkitError):
    """A set of files failed validation; carries every problem found.

    ``what`` is a message template; its params get ``count``, the number of problems.
    """

    def __init__(self, problems: list[Problem], what: Text = INVALID_FILES, /, **params: Any) -> None:
        self.problems = problems
        first = problems[0] if problems else None
        where = f"{first.path}:{first.line}" if first else None
        super().__init__(what, where, N_("Fix the lines listed above and run again."),
                         **{"count": len(problems), **params})

    def show(self, file: Any = None) -> None:
        for problem in self.problems:
            click.echo(str(problem), err=True)
        super().show(file)


class TemplateError(SupportkitError):
    """A template cannot be found, selected or rendered.

    ``line`` is the line of the template text the error is on, when known; ``where`` then ends
    with it ("replies/x.yaml: fr line 3").
    """

    def __init__(self, what: Text, where: str | None = None, hint: Text | None = None, /, *,
                 line: int | None = None, **params: Any) -> None:
        self.line = line
        self.place = where
        if line is not None:
            where = f"{where or ''} line {line}".strip()
        super().__init__(what, where, hint, **params)

    def located(self, where: str | None, line: int | None = None) -> SupportkitError:
        """The same error at another place (and line of the template text, when known)."""
        error = _restored(type(self), dict(self.__dict__))
        TemplateError.__init__(error, self.what, where, self.hint, line=line, **self.params)
        return error


class TemplateBudgetError(TemplateError):
    """A template render went past its budget (steps, value size, integer size): stopped before it
    could hang or exhaust memory. The limits are in ``supportkit.rendering.budget``."""


class ModelError(SupportkitError):
    """A translation model is missing, invalid or failed to load."""


class BatchError(SupportkitError):
    """A batch run cannot start or continue."""


class CatalogError(SupportkitError):
    """A gettext catalog cannot be extracted, read or compiled."""


class YamlProblem(Exception):
    """Why a YAML document could not be read, and where (``line``): a msgid and its params, like the
    errors above; ``message`` is the English text."""

    def __init__(self, line: int, text: str, /, **params: Any) -> None:
        self.line = line
        self.text = text
        self.params = params
        self.message = render_text(text, params, _english, _english_plural)
        super().__init__(line, self.message)

    def format_message(self) -> str:
        """The message in the user's language (English unless a translator is installed)."""
        return render_text(self.text, self.params)

    def problem(self, path: str, **fields: Any) -> Problem:
        """This problem as a ``Problem`` of the file at ``path``."""
        return Problem(path, self.line, fields.pop("locale", ""), self.message, text=self.text,
                       params=tuple(self.params.items()), **fields)


class ReportError(SupportkitError):
    """A report cannot be made from the export, or cannot be written."""

"""The five languages, and locale codes: validation, the language of a locale, the fallback chain.

zh-TW / zh-Hant / zh-HK -> zh-Hant (a writer's text, else the zh text converted with OpenCC
``s2twp``, said so in ``converted_from``), es-419 / es-MX -> es, fr-CA -> fr, anything else ->
the configured default. Every answer says whether it fell back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from supportkit.errors import UnknownLocaleError, quoted
from supportkit.text.chinese import TRADITIONAL, is_traditional_locale

SUPPORTED_LANGUAGES: tuple[str, ...] = ("zh", "en", "es", "ru", "fr")
"""The five languages supportkit answers customers in, in display order (the one definition)."""
SOURCE_LANGUAGE = "en"
"""The language templates and UI strings are written in first."""
TRANSLATED_LANGUAGES: tuple[str, ...] = tuple(code for code in SUPPORTED_LANGUAGES if code != SOURCE_LANGUAGE)
"""The languages translated from the source: zh, es, ru, fr (the gettext catalogs)."""


def language_of(locale: str) -> str:
    """The language part of a locale code, lower case: ``zh-TW`` -> ``zh``, ``pt_BR`` -> ``pt``."""
    return locale.replace("_", "-").split("-")[0].lower()


_LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$")


@dataclass(frozen=True)
class LocaleChoice:
    """The locale used for a request, and how it was reached."""

    requested: str
    locale: str
    fallback: bool
    chain: tuple[str, ...]
    converted_from: str | None = None
    """The locale whose text is converted into ``locale`` (``zh`` for a ``zh-Hant`` nobody wrote), or None."""

    def to_dict(self) -> dict[str, object]:
        return {"requested": self.requested, "locale": self.locale, "fallback": self.fallback,
                "chain": list(self.chain), "converted_from": self.converted_from}


def parse_locale(code: str, where: str | None = None) -> tuple[str, str | None]:
    """``(language, rest)`` of a BCP 47 / POSIX code; raises UnknownLocaleError on anything else.

    Refuses path separators, dots and other characters so a locale from user input
    can never reach the file system as anything but a plain code.
    """
    if not isinstance(code, str) or not _LOCALE_RE.match(code.strip()):
        raise UnknownLocaleError(quoted(code, 24), where)  # a locale code is short: never much of a pasted secret
    parts = re.split(r"[-_]", code.strip())
    return parts[0].lower(), ("-".join(parts[1:]) or None)


def fallback_chain(code: str, default: str = "en") -> tuple[str, ...]:
    """Locales to try, best first: the language itself, then the default."""
    language, _rest = parse_locale(code)
    chain = [language]
    if default not in chain:
        chain.append(default)
    return tuple(chain)


def choose_locale(requested: str, available: tuple[str, ...] | list[str] | set[str], default: str = "en") -> LocaleChoice:
    """The first locale of the fallback chain that is ``available``.

    A regional variant of an available language (zh-TW, es-419, fr-CA) is not a
    fallback: the content is in that language. Reaching the default is.
    """
    language, rest = parse_locale(requested)
    chain = fallback_chain(requested, default)
    if is_traditional_locale(language, rest):
        # Traditional Chinese: the writers' zh-Hant text, else the zh text converted (not a fallback).
        chain = (TRADITIONAL, *chain)
        if TRADITIONAL in available:
            return LocaleChoice(requested, TRADITIONAL, fallback=False, chain=chain)
        if "zh" in available:
            return LocaleChoice(requested, TRADITIONAL, fallback=False, chain=chain, converted_from="zh")
    for candidate in chain:
        if candidate in available:
            return LocaleChoice(requested, candidate, fallback=candidate != language, chain=chain)
    if available:
        first = sorted(available, key=lambda c: (c not in SUPPORTED_LANGUAGES, c))[0]
        return LocaleChoice(requested, first, fallback=True, chain=(*chain, first))
    raise UnknownLocaleError(requested)

"""gettext for the CLI's own strings, in the user's language.

The language comes from ``SUPPORTKIT_LANG``, else ``LC_ALL``/``LC_MESSAGES``/``LANG``
(the POSIX order), read at each call so tests and long-lived processes can switch.
English (the msgid language), ``C`` and ``POSIX`` need no catalog at all. Other
catalogs are compiled from ``locales/<ll>/LC_MESSAGES/messages.po`` on first use
into a cache (``supportkit.i18n.catalogs.compiled_catalog``) and loaded with the standard
``gettext`` module; importing this module costs nothing but ``os`` and ``functools``.
The catalogs folder is ``SUPPORTKIT_LOCALES_DIR`` when set, else the bundled one.

Help texts are marked with ``N_`` and translated when shown (``supportkit.cli.common``);
click's own strings are routed here by ``route_click_gettext``; numbers the CLI prints in
sentences go through ``format_number``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from supportkit.languages import SOURCE_LANGUAGE, TRANSLATED_LANGUAGES, language_of

CATALOG_LANGUAGES = TRANSLATED_LANGUAGES


def current_language(env: Any = None) -> str:
    """``zh``/``es``/``ru``/``fr``/``en`` from the environment (``en`` for anything else)."""
    env = os.environ if env is None else env
    for name in ("SUPPORTKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            # POSIX LANGUAGE-style lists ("fr:en") and forms like fr_CA.UTF-8@euro.
            code = language_of(value.split(":")[0].split(".")[0].split("@")[0])
            if code in ("c", "posix", ""):
                return SOURCE_LANGUAGE
            return code if code in CATALOG_LANGUAGES else SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def _locales_dir() -> Any:
    from pathlib import Path

    configured = os.environ.get("SUPPORTKIT_LOCALES_DIR")
    if configured:
        return Path(configured)
    from supportkit.config import BUNDLED_LOCALES

    return BUNDLED_LOCALES


@functools.lru_cache(maxsize=16)
def _translations(language: str, locales_dir: str) -> Any:
    import gettext
    from pathlib import Path

    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    from supportkit.errors import SupportkitError
    from supportkit.i18n.catalogs import compiled_catalog

    try:
        mo = compiled_catalog(Path(locales_dir), language)
    except SupportkitError:
        mo = None  # a broken catalog must not take the CLI down; `check` reports it
    if mo is None:
        return gettext.NullTranslations()
    import io

    try:
        return gettext.GNUTranslations(io.BytesIO(mo))
    except (OSError, ValueError):
        return gettext.NullTranslations()


def translations(language: str | None = None) -> Any:
    """The ``gettext`` translations object for ``language`` (default: the user's)."""
    return _translations(language or current_language(), str(_locales_dir()))


def _(message: str) -> str:
    """Translate a UI string into the user's language (format it afterwards)."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return message
    return str(translations(language).gettext(message))


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural UI string for ``count``, translated with the locale's plural rules."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return singular if count == 1 else plural
    return str(translations(language).ngettext(singular, plural, count))


def format_number(value: float, digits: int = 0, language: str | None = None) -> str:
    """``value`` written for ``language`` (default: the user's), with ``digits`` decimals: "1.3" in English,
    "1,3" in French, "12 345" in Russian (Babel's CLDR data; imported only by the commands that print numbers)."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, pattern, locale=language or current_language()))


def format_share(fraction: float, digits: int = 1, language: str | None = None) -> str:
    """A fraction 0..1 as a percentage in ``language``'s own pattern, with ``digits`` decimals: "12.5%",
    "12,5 %" in French and Russian."""
    from babel import Locale
    from babel.numbers import format_percent

    code = language or current_language()
    pattern = Locale.parse(code).percent_formats[None].pattern
    if digits and "0" in pattern:
        head, tail = pattern.rsplit("0", 1)
        pattern = f"{head}0.{'0' * digits}{tail}"
    return str(format_percent(fraction, pattern, locale=code))


def translator(locale: str) -> Callable[[str], str]:
    """A gettext function for ``locale`` (used by the FAQ site for its own strings)."""
    code = language_of(locale)
    if code not in CATALOG_LANGUAGES:
        return lambda message: message
    catalog = translations(code)
    return lambda message: str(catalog.gettext(message))


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (translated when shown, e.g. help)."""
    return message


CLICK_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
                 "click.shell_completion", "click.termui", "click.types", "click.utils", "click._termui_impl")
"""click's modules that call ``gettext`` through module-level ``_``/``ngettext`` aliases
(``from gettext import gettext as _``); ``supportkit.i18n.click_strings`` lists their msgids."""


def route_click_gettext() -> None:
    """Send click's own strings ("Usage:", "Error: {message}", "No such option"...) through our catalogs.

    click binds the stdlib ``gettext.gettext``/``ngettext`` to module-level names at import, so
    they are rebound here, once per process, to ``_``/``ngettext`` above, which read the user's
    language at each call. Modules click loads lazily are rebound only if already loaded
    (``click._termui_impl`` prints nothing we list). Idempotent; nothing else of click is changed.
    """
    import gettext
    import sys

    import click.shell_completion  # noqa: F401  - cheap, and its errors are user-facing

    for name in CLICK_MODULES:
        module = sys.modules.get(name)
        if module is None:
            continue
        # Only the stdlib aliases are replaced (a module-level ``_`` that is something else stays).
        if getattr(module, "_", None) in (gettext.gettext, _):
            module._ = _  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) in (gettext.ngettext, ngettext):
            module.ngettext = ngettext  # type: ignore[attr-defined]

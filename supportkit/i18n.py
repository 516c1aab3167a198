"""gettext for the CLI's own strings, in the user's language.

The language comes from ``SUPPORTKIT_LANG``, else ``LC_ALL``/``LC_MESSAGES``/``LANG``.
Catalogs are compiled from ``locales/*.po`` on first use into a cache (never committed).
"""

from __future__ import annotations

from collections.abc import Callable


def _(message: str) -> str:
    """Translate a UI string (identity until catalogs are wired in)."""
    return message


def translator(locale: str) -> Callable[[str], str]:
    """A gettext function for ``locale`` (used by the FAQ site for its own strings)."""
    return _

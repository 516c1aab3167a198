"""Shared facts in help-center articles: ``{{ brand.support_hours }}`` filled in before Markdown is parsed.

Articles take support hours, links and names from the same brand settings as the replies, so the
two never drift. Values are escaped for Markdown: a link or an e-mail becomes an autolink
(``<https://...>``, ``<name@host>``), any other ASCII punctuation is backslash-escaped, so no value
can open a link, an emphasis, a heading or a tag. Article text is writer content; customer text
never comes here.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from supportkit.config import Brand
from supportkit.library.articles import MAX_ARTICLE_BYTES, ArticleText
from supportkit.rendering import render_string

_URL_RE = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PUNCT_RE = re.compile(r"([!-/:-@\[-`{-~])")


def markdown_value(value: Any) -> Any:
    """A brand value as Markdown shows it literally (links and e-mails as autolinks)."""
    if isinstance(value, str):
        if _URL_RE.fullmatch(value) or _EMAIL_RE.fullmatch(value):
            return f"<{value}>"
        return _PUNCT_RE.sub(r"\\\1", value)
    if isinstance(value, tuple):
        return tuple(markdown_value(item) for item in value)
    return value


def facts_context(brand: Brand, locale: str) -> dict[str, Any]:
    """What article text may use: ``brand.*`` (the locale's values, escaped) and ``locale``."""
    localized = brand.localized(locale)
    values = {f.name: markdown_value(getattr(localized, f.name)) for f in dataclasses.fields(localized)}
    return {"brand": values, "locale": locale}


def fill_facts(article: ArticleText, brand: Brand, locale: str | None = None) -> str:
    """The article's Markdown with its ``{{ ... }}`` filled in, in the sandbox (errors name the file)."""
    return render_string(article.body, facts_context(brand, locale or article.locale), limit=MAX_ARTICLE_BYTES,
                         where=f"{article.path}: {article.locale}")

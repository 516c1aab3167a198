"""The pages of the site: the Jinja environment of the site templates, page models, dates, JSON-LD."""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supportkit.faq.articles import (
    Article,
)
from supportkit.faq.options import SITE_FORMAT
from supportkit.languages import parse_locale
from supportkit.text.chinese import TRADITIONAL, is_traditional_locale, to_traditional

LANGUAGE_NAMES = {"zh": "简体中文", "zh-Hant": "繁體中文", "en": "English", "es": "Español", "ru": "Русский",
                  "fr": "Français"}


@functools.lru_cache(maxsize=1)
def site_environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
        auto_reload=False,
    )


def site_gettext(locale: str) -> Callable[[str], str]:
    from supportkit.i18n import translator

    simplified = translator(locale)
    if locale != TRADITIONAL:
        return simplified
    return lambda message: to_traditional(simplified(message))


def site_locale(code: str) -> str:
    """A ``--locales`` code as the site names it: zh-TW / zh-HK / zh-Hant -> zh-Hant, es-419 -> es."""
    language, rest = parse_locale(code, "--locales")
    return TRADITIONAL if is_traditional_locale(language, rest) else language


def category_label(category: str, _: Callable[[str], str]) -> str:
    labels = {
        "getting_started": _("Getting started"), "security": _("Security"), "transfers": _("Transfers"),
        "assets": _("Assets and tokens"), "tokens": _("Tokens"), "fees": _("Network fees"),
        "trading": _("Swaps"), "account": _("Wallet access"), "support": _("Contact and support"),
        "general": _("General"),
    }
    return labels.get(category, category.replace("_", " ").capitalize())


def date_text(updated: datetime.date | None, locale: str, _: Callable[[str], str]) -> str:
    if updated is None:
        return ""
    return last_updated(_).format(date=long_date(updated, locale))


# Unformatted strings as functions, so extraction sees the literal and page keys can include it.
def last_updated(_: Callable[[str], str]) -> str:
    return _("Last updated: {date}")


def untranslated_notice(_: Callable[[str], str]) -> str:
    return _("This article is not yet available in {language}. It is shown in {original}.")


@functools.lru_cache(maxsize=4096)
def long_date(day: Any, locale: str) -> str:
    from babel.dates import format_date

    return format_date(day, format="long", locale=locale.replace("-", "_"))  # Babel: zh_Hant, not zh-Hant


@dataclass
class ArticlePages:
    """What all article pages of one locale share; ``key`` digests all of it, once per locale."""

    locale: str
    locales: tuple[str, ...]
    default: str
    base_url: str | None
    site: dict[str, str]
    common: dict[str, str]
    labels: dict[str, str]
    gettext: Callable[[str], str]
    key: str = ""

    def __post_init__(self) -> None:
        _ = self.gettext
        strings = (untranslated_notice(_), last_updated(_), ui_strings(_))
        self.key = hashlib.sha1(repr((
            layout_digest(), self.locale, self.locales, self.default, self.base_url, self.site, self.common,
            sorted(self.labels.items()), strings,
        )).encode()).hexdigest()

    def absolute(self, rel: str) -> str | None:
        return self.base_url + rel if self.base_url else None


def article_page(pages: ArticlePages, article: Article, translated_in: tuple[str, ...],
                  present_in: tuple[str, ...], keywords: str = "") -> dict[str, Any]:
    """The model of one article page, from its arguments only: the page key digests exactly these.

    ``translated_in``/``present_in``: the locales where this article is translated / listed at all;
    ``keywords``: words the search indexes for it besides its text (``search.page_keywords``).
    """
    locale = pages.locale
    _ = pages.gettext
    slug = article.slug
    # Alternates list only real translations (a fallback page is a copy of its original).
    alternates = [] if article.is_fallback else hreflang_alternates(
        [(code, f"{code}/{slug}") for code in translated_in],
        pages.default if pages.default in translated_in else article.content_locale, pages.absolute)
    switch = {code: (f"../{code}/{slug}" if code in present_in else f"../{code}/index.html")
              for code in pages.locales}
    notice = ""
    if article.is_fallback:
        notice = untranslated_notice(_).format(
            language=LANGUAGE_NAMES.get(locale, locale),
            original=LANGUAGE_NAMES.get(article.content_locale, article.content_locale))
    faq = article.faq and not article.is_fallback
    return {
        **pages.common, "lang": article.content_locale, "title": article.title, "description": article.summary,
        "canonical": pages.absolute(f"{article.content_locale}/{slug}"), "alternates": alternates,
        "noindex": False, "switcher": switcher(locale, switch), "notice": notice,
        "category": {"id": article.category, "label": pages.labels[article.category]},
        "updated": date_text(article.updated, locale, _), "faq": faq,
        "body": article.body_html, "jsonld": json_ld(article) if faq else "",
        # Search indexes a page by its <html lang>: a fallback would join the other language's index.
        "indexed": not article.is_fallback, "keywords": keywords,
    }


def json_ld(article: Article) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "inLanguage": article.content_locale,
        "mainEntity": [{
            "@type": "Question", "name": article.title,
            "acceptedAnswer": {"@type": "Answer", "text": article.text},
        }],
    }
    # "<" escaped so the JSON can never close the script element.
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")


@functools.lru_cache(maxsize=1)
def template_messages() -> tuple[str, ...]:
    """The UI strings the site's templates translate themselves: ``_("Skip to content")``."""

    found: set[str] = set()
    for path in (Path(__file__).parent / "templates").iterdir():
        found.update(m.group(2) for m in re.finditer(r"""_\(\s*(["'])(.*?)\1\s*\)""", path.read_text(encoding="utf-8")))
    return tuple(sorted(found))


def ui_strings(gettext: Callable[[str], str]) -> tuple[str, ...]:
    """Those strings in one locale: a page key includes them, so a catalog change re-renders."""
    return tuple(gettext(message) for message in template_messages())


@functools.lru_cache(maxsize=1)
def layout_digest() -> str:
    """Digest of the site's own templates and assets: a change to them re-renders every page."""
    folder = Path(__file__).parent
    digest = hashlib.sha1(str(SITE_FORMAT).encode())
    for path in sorted([*(folder / "templates").iterdir(), *(folder / "static").iterdir()]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def switcher(current: str, hrefs: dict[str, str]) -> list[dict[str, Any]]:
    return [{"code": code, "name": LANGUAGE_NAMES.get(code, code), "href": href, "current": code == current}
            for code, href in hrefs.items()]


@functools.lru_cache(maxsize=1)
def inline_css() -> str:
    """The site's own stylesheet, for 404 pages: a server shows them at any path, where a
    relative stylesheet link would not resolve (and an absolute one may not be reachable yet)."""
    return (Path(__file__).parent / "static" / "style.css").read_text(encoding="utf-8").replace("</", "<\\/")


def hreflang_alternates(pairs: list[tuple[str, str]], default: str, absolute: Callable[[str], str | None]) -> list[dict[str, str]]:
    """hreflang links (absolute, self included, plus x-default); none without a base URL."""
    if absolute("") is None or not pairs:
        return []
    links = [{"hreflang": code, "href": absolute(rel) or ""} for code, rel in pairs]
    default_rel = dict(pairs).get(default, pairs[0][1])
    links.append({"hreflang": "x-default", "href": absolute(default_rel) or ""})
    return links

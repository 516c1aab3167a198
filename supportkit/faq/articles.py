"""Which templates are articles, their text in each locale, and the cache of rendered article text."""

from __future__ import annotations

import datetime
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from supportkit.cache import UsedEntries, cache_file, cache_key
from supportkit.config import Config
from supportkit.errors import N_, Problem
from supportkit.faq.markup import plain_summary, to_html
from supportkit.faq.options import BuildOptions
from supportkit.languages import choose_locale
from supportkit.library import Library, Template, Translation
from supportkit.library.articles import CATEGORY_ORDER
from supportkit.rendering import build_context, render_string
from supportkit.text.chinese import TRADITIONAL, to_traditional


def slug_of(template: Template) -> str:
    """File name of an article: ``tx-pending.html``, ``guide-switch-phone.html``."""
    stem = template.id.replace("_", "-")
    return f"guide-{stem}.html" if template.kind == "tutorial" else f"{stem}.html"


def is_article(template: Template) -> bool:
    """Tutorials and replies that carry an FAQ question become help-center articles."""
    return template.kind == "tutorial" or bool(template.faq)


def strict_problems(articles: list[Template], locales: tuple[str, ...], source_locale: str) -> list[Problem]:
    """Every article that is missing, stale or only a draft in a locale."""
    problems: list[Problem] = []
    for template in articles:
        for code in locales:
            if code == source_locale or converted_from(template, code):
                continue  # a zh-Hant converted from zh is as current as the zh text (checked as zh)
            state = template.translation_state(code)
            if state != "ok":
                line = template.locales[code].line if code in template.locales else template.lines.get("locales", 1)
                said = {"missing": N_("article {ref} is missing"), "stale": N_("article {ref} is stale"),
                        "draft": N_("article {ref} is a draft")}.get(state, N_("article {ref} is {state}"))
                problems.append(Problem.of(str(template.path), line, code, said, check="faq_" + state,
                                           template=template.id, ref=template.ref, state=state))
    return problems


def converted_from(template: Template, locale: str) -> str | None:
    """``zh`` when ``locale`` is zh-Hant and only the Simplified text exists (it is converted), else None."""
    if locale != TRADITIONAL:
        return None
    return choose_locale(locale, tuple(template.locales)).converted_from


Spread = tuple[tuple[str, ...], tuple[str, ...]]  # (locales that translate an article, locales that list it)


@dataclass(frozen=True)
class Article:
    """One page of the help center as shown in one locale: a reply-based page (``template``) or a
    help-center article written in Markdown (``kind`` "article", ``html`` already rendered)."""

    template: Template | None
    ref: str  # ``template.ref`` (``articles/<slug>`` for an article of its own) and the page's file name
    slug: str
    locale: str  # the locale whose pages list it
    content_locale: str  # the language its text is really in
    title: str
    text: str  # plain text: the search index, and the description of a reply-based page
    digest: str  # of everything the page's text depends on: page keys use it instead of the whole body
    category: str = "general"
    kind: str = "reply"
    updated: datetime.date | None = None
    faq: bool = False  # a question with its answer (FAQPage data)
    order: int = 0
    description: str = ""
    html: str = ""
    images: tuple[Any, ...] = ()  # ``supportkit.faq.images.Image``s the page shows

    @property
    def is_fallback(self) -> bool:
        return self.content_locale != self.locale

    # Derived from the text only for pages that are rendered (a rebuild renders few).
    @functools.cached_property
    def body_html(self) -> str:
        return self.html or to_html(self.text)

    @functools.cached_property
    def summary(self) -> str:
        return self.description or plain_summary(self.text)


def sort_key(article: Article) -> tuple[int, int, str, str]:
    """Home-page order: category, the writer's ``order``, then articles, replies, tutorials, by title."""
    category = CATEGORY_ORDER.index(article.category) if article.category in CATEGORY_ORDER else 99
    return category, article.order, article.kind, article.title


def usable_translation(template: Template, locale: str, allow_drafts: bool) -> Translation | None:
    """The text of ``template`` a page in ``locale`` may show (zh-Hant from zh), or None.

    As translation_state: missing, draft, stale or ok. Stale text is shown like current text,
    so staleness (a hash of the source text, for every locale) is not worked out.
    """
    translation = template.locales.get(converted_from(template, locale) or locale)
    return translation if translation is not None and (not translation.is_draft or allow_drafts) else None


def article_text(template: Template, content_locale: str, config: Config) -> tuple[str, str]:
    """(title, plain text) of an article: the reply without its greeting line to a named customer."""
    written = converted_from(template, content_locale) or content_locale
    translation = template.locales[written]
    context = build_context(template, written, {}, config.brand)
    where = f"{template.path}: {written}"
    text = render_string(translation.body, context, where=where)
    source_paragraphs = translation.body.split("\n\n")
    if template.kind == "reply" and "customer_name" in source_paragraphs[0] and "\n\n" in text:
        text = text.split("\n\n", 1)[1]  # the FAQ reader is not the customer the greeting names
    title = template.faq.get(content_locale) or template.faq.get(written) or (
        render_string(translation.subject, context, where=where) if translation.subject else template.id)
    if written != content_locale:
        title, text = to_traditional(title), to_traditional(text)
    return title, text


def article_key(template: Template, content_locale: str, brand_key: str) -> str:
    """Everything an article's rendered text depends on, hashed (``brand_key``: digest of the brand)."""
    written = converted_from(template, content_locale) or content_locale
    translation = template.locales[written]
    parts = [template.kind, content_locale, translation.subject, translation.body,
             template.faq.get(content_locale, "") or template.faq.get(written, ""), brand_key]
    if template.variables:  # tutorials mostly have none
        parts.append(repr(sorted((n, v.default_for(content_locale)) for n, v in template.variables.items())))
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


def collect_articles(library: Library, options: BuildOptions, config: Config, cache: TextCache,
                     replaced: dict[str, set[str]] | None = None) -> dict[str, list[Article]]:
    """Reply-based pages per locale (unsorted; ``sort_key``), but those ``replaced[locale]`` names
    (refs); rendered text comes from ``cache`` (the last build's) when unchanged."""
    articles = [(t, t.ref, slug_of(t)) for t in library if is_article(t)]
    replaced = replaced or {}
    per_locale: dict[str, list[Article]] = {}
    rendered: dict[tuple[str, str], list[str]] = {}
    brand_key = hashlib.sha1(repr(config.brand).encode()).hexdigest()  # hashed once, not with every article
    for locale in options.locales:
        shown: list[Article] = []
        gone = replaced.get(locale, set())
        for template, ref, slug in articles:
            if ref in gone:
                continue
            usable = usable_translation(template, locale, config.allow_drafts) is not None
            if not usable and options.untranslated == "omit":
                continue
            content_locale = locale if usable else template.source_locale
            key = (ref, content_locale)
            if key not in rendered:
                digest = article_key(template, content_locale, brand_key)
                entry = cache.get(digest)
                if entry is None:
                    entry = list(article_text(template, content_locale, config))
                    cache.put(digest, entry)
                rendered[key] = [*entry, digest]
            title, text, digest = rendered[key]
            shown.append(Article(template, ref, slug, locale, content_locale, title, text, digest,
                                 category=template.category, kind=template.kind, updated=template.updated,
                                 faq=bool(template.faq)))
        per_locale[locale] = shown
    return per_locale


TEXT_CACHE_FORMAT = 1
"""Layout of the rendered-article text cache (bumped when it changes)."""


def article_cache_key(out: Path) -> str:
    """The text cache's key: the site folder, and the code that renders the text (this module,
    ``rendering`` and its budgets, Jinja2, Babel); the entries' digests name the content only."""
    import supportkit.rendering
    import supportkit.rendering.budget

    return cache_key(TEXT_CACHE_FORMAT, str(out), dependencies=("jinja2", "babel"),
                     code=(__file__, supportkit.rendering.__file__, supportkit.rendering.budget.__file__))


def article_cache_path(out: Path) -> Path:
    """Rendered article text from the last build of ``out``, kept out of the published folder."""
    return cache_file("faq", article_cache_key(out))


class TextCache(UsedEntries):
    """Rendered article title and text from the last build of ``out``, by content digest.

    Rewriting the file costs a few µs per entry, rendering one article's text again
    about 0.5 ms: so it is rewritten only when more than 1% of its entries changed, and
    until then the few changed articles are rendered again (``UsedEntries.save``). It
    holds only what the last written build used, so it never outgrows the site.
    """

    def __init__(self, out: Path, load: bool = True) -> None:
        super().__init__(article_cache_path(out), article_cache_key(out), load=load)

    def get(self, digest: str) -> list[str] | None:
        if digest in self.used:  # two articles with the same text
            return cast("list[str]", self.used[digest])
        entry = self.entries.get(digest)
        if type(entry) is not list or len(entry) != 2 or not all(type(part) is str for part in entry):
            return None
        self.used[digest] = entry
        return entry

    def put(self, digest: str, entry: list[str]) -> None:
        self.used[digest] = entry
        self.misses += 1

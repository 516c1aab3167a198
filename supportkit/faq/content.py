"""What each locale of the site shows: help-center articles, and the reply-based pages they do not replace.

An article (``articles/<slug>/<locale>.md``) with ``replaces: <template ref>`` takes that page's
place, and its address, in every locale it is written in; a locale without the article keeps the
reply-based page while it has one, so the site never loses a topic while articles are written
locale by locale, and the language switcher and alternates join the two. Where neither exists,
the article is shown in the source locale with the site's honest notice (or left out with
``untranslated="omit"``). Each article is parsed once per language it is shown in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from supportkit.config import Config
from supportkit.errors import N_, N_plural, Problem, ValidationError
from supportkit.faq.articles import (
    Article,
    TextCache,
    collect_articles,
    slug_of,
    sort_key,
    usable_translation,
)
from supportkit.faq.markdown import RenderedArticle, render_article
from supportkit.faq.options import BuildOptions
from supportkit.faq.pages import site_gettext
from supportkit.library import Library, Template
from supportkit.library.articles import ArticleSet, ArticleText, load_articles
from supportkit.rendering.articles import fill_facts
from supportkit.text.chinese import TRADITIONAL, to_traditional


@dataclass(frozen=True)
class Topic:
    """One article of ``articles/``: its texts per locale, the page it replaces, its address."""

    slug: str
    texts: dict[str, ArticleText]
    source: ArticleText
    replaces: tuple[Template, ...]
    """The reply-based pages it replaces; the first one's ref and address are the article's."""
    ref: str
    page: str

    def kept_in(self, locale: str, allow_drafts: bool) -> bool:
        """Whether ``locale`` keeps a replaced page, not having the article in its language."""
        return any(usable_translation(t, locale, allow_drafts) is not None for t in self.replaces)


def load_site_articles(config: Config) -> ArticleSet:
    """The configured articles folder (empty when there is none)."""
    root = config.articles_root
    return load_articles(root, config.source_locale) if root is not None else ArticleSet(Path())


def topics_of(found: ArticleSet, library: Library, config: Config) -> tuple[list[Topic], list[Problem]]:
    """Every article with the page it replaces; problems: an unknown ``replaces``, a taken address."""
    topics: list[Topic] = []
    problems: list[Problem] = []
    taken = {slug_of(t): t.ref for t in library if t.kind == "tutorial" or t.faq}
    for slug in found:
        texts = found.articles[slug]
        source = texts.get(config.source_locale) or next(iter(texts.values()))
        replaced: list[Template] = []
        for ref in source.replaces:
            template = library.templates.get(ref)
            if template is None:
                problems.append(Problem.of(str(source.path), source.line_of("replaces"), source.locale,
                                           N_("replaces: no template {ref!r} (a ref: tutorials/switch_phone, "
                                              "tx_pending)"), check="article_replaces", ref=ref))
            else:
                replaced.append(template)
        page = slug_of(replaced[0]) if replaced else f"{slug}.html"
        if not replaced and page in taken:
            problems.append(Problem.of(str(source.path), 1, source.locale,
                                       N_("the address {page} is the page of template {ref}: rename the folder, or "
                                          "add replaces: {ref}"), check="article_replaces", page=page,
                                       ref=taken[page]))
            continue
        topics.append(Topic(slug, texts, source, tuple(replaced), replaced[0].ref if replaced else f"articles/{slug}",
                            page))
    return topics, problems


def collect_pages(library: Library, found: ArticleSet, options: BuildOptions, config: Config,
                  cache: TextCache) -> dict[str, list[Article]]:
    """Every page of every locale (``options.locales``), in home-page order."""
    topics, problems = topics_of(found, library, config)
    if problems:
        raise ValidationError(problems, N_plural("{count} problem in the articles", "{count} problems in the articles",
                                                 len(problems)))
    default = config.default_locale
    rendered: dict[tuple[str, str], tuple[ArticleText, RenderedArticle, str]] = {}
    per_locale: dict[str, list[Article]] = {locale: [] for locale in options.locales}
    replaced: dict[str, set[str]] = {locale: set() for locale in options.locales}
    for topic in topics:
        for locale in options.locales:
            own = _own_text(topic, locale)
            if own is None and topic.kept_in(locale, config.allow_drafts):
                continue  # the reply-based pages stay until the article is written in this locale
            replaced[locale].update(t.ref for t in topic.replaces)
            if own is None and options.untranslated == "omit":
                continue
            content_locale = locale if own is not None else topic.source.locale
            key = (topic.slug, content_locale)
            if key not in rendered:
                rendered[key] = _render(topic, content_locale, found.folder(topic.slug), default, config)
            text, page, digest = rendered[key]
            per_locale[locale].append(Article(
                None, topic.ref, topic.page, locale, content_locale, text.title, page.text, digest,
                category=text.category, kind="article", updated=text.updated, order=text.order,
                description=text.description, html=page.html, images=page.images))
    pages = collect_articles(library, options, config, cache, replaced)
    return {locale: sorted(per_locale[locale] + pages[locale], key=sort_key) for locale in options.locales}


def _own_text(topic: Topic, locale: str) -> ArticleText | None:
    """The locale's own article; for zh-Hant without one, the zh article (converted when rendered)."""
    if locale in topic.texts:
        return topic.texts[locale]
    if locale == TRADITIONAL and "zh" in topic.texts:
        return topic.texts["zh"]
    return None


def _render(topic: Topic, content_locale: str, folder: Path, default: str,
            config: Config) -> tuple[ArticleText, RenderedArticle, str]:
    """(text as shown, its HTML and plain text, digest) of the article in ``content_locale``."""
    import dataclasses

    text = _own_text(topic, content_locale) or topic.source
    markdown = fill_facts(text, config.brand, content_locale)
    if text.locale != content_locale:  # zh-Hant from the zh article
        markdown = to_traditional(markdown)
        text = dataclasses.replace(text, locale=content_locale, title=to_traditional(text.title),
                                   description=to_traditional(text.description))
    page = render_article(text, markdown, folder, default, site_gettext(content_locale))
    digest = hashlib.sha1("\x1f".join((
        "article", content_locale, text.title, text.description, text.category, str(text.order), page.html,
    )).encode()).hexdigest()
    return text, page, digest

"""An article's Markdown to the HTML of its page, its plain text and its images, in one pass.

Order matters: brand facts (``{{ brand.support_hours }}``) are filled in first, in the
project's sandbox, each value escaped for Markdown (``supportkit.rendering.articles``), then the text is parsed once by markdown-it (``supportkit.library.articles.markdown_parser``:
CommonMark, tables, ``::: tip|warning|danger`` boxes, heading ids; raw HTML is shown as text,
links are http(s), mailto or relative only). Images are resolved per locale and published by
``supportkit.faq.images``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from supportkit.errors import N_
from supportkit.faq.images import Image, ImageError, publish
from supportkit.library.articles import ADMONITIONS, ArticleText, image_file, make_markdown_parser

TOC_MIN_HEADINGS = 3
"""Articles with this many subheadings (## and ###) get a table of contents."""

@dataclass(frozen=True)
class RenderedArticle:
    """What a page needs of an article: its HTML, its plain text (search, summaries) and its images."""

    html: str
    text: str
    headings: tuple[tuple[int, str, str], ...]
    images: tuple[Image, ...]


@dataclass
class _Env:
    """What the render rules need for one article (markdown-it passes it to every rule)."""

    folder: Path
    slug: str
    locale: str
    default_locale: str
    path: str
    labels: Mapping[str, str]
    images: list[Image]


def render_article(article: ArticleText, markdown: str, folder: Path, default_locale: str,
                   gettext: Callable[[str], str]) -> RenderedArticle:
    """HTML, plain text and images of ``markdown`` (the article's text, facts filled in)."""
    labels = admonition_labels(gettext)
    env = _Env(folder, article.slug, article.locale, default_locale, str(article.path), labels, [])
    parser = site_parser()
    tokens = parser.parse(markdown, {"site": env})
    _mark_figures(tokens)
    body = parser.renderer.render(tokens, parser.options, {"site": env})
    headings = tuple(_headings(tokens))
    toc = table_of_contents(headings, toc_label(gettext)) if len(headings) >= TOC_MIN_HEADINGS else ""
    return RenderedArticle(toc + body, plain_text(tokens), headings, tuple(env.images))


def toc_label(_: Callable[[str], str]) -> str:
    return _("On this page")


def admonition_labels(_: Callable[[str], str]) -> dict[str, str]:
    return {"tip": _("Tip"), "warning": _("Warning"), "danger": _("Danger")}


def _inline_text(token: Any) -> str:
    return "".join(c.content for c in token.children or () if c.type in ("text", "code_inline", "image"))


def _headings(tokens: list[Any]) -> list[tuple[int, str, str]]:
    found = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3") and token.attrGet("id"):
            found.append((int(token.tag[1]), str(token.attrGet("id")), _inline_text(tokens[index + 1])))
    return found


def table_of_contents(headings: tuple[tuple[int, str, str], ...], label: str) -> str:
    items = "\n".join(f'<li class="toc-h{level}"><a href="#{escape(anchor)}">{escape(text)}</a></li>'
                      for level, anchor, text in headings)
    return (f'<nav class="toc" aria-labelledby="toc-label">\n<p id="toc-label" class="toc-label">{escape(label)}</p>\n'
            f"<ol>\n{items}\n</ol>\n</nav>\n")


def plain_text(tokens: list[Any]) -> str:
    """The article's words, one block a line: for the search index and the description fallback."""
    return "\n".join(text for text in (_inline_text(t) for t in tokens if t.type == "inline") if text.strip())


def _mark_figures(tokens: list[Any]) -> None:
    """A paragraph that is one image becomes a ``<figure>`` (its title, when given, the caption)."""
    for index in range(1, len(tokens) - 1):
        inline = tokens[index]
        children = [c for c in inline.children or () if not (c.type == "text" and not c.content.strip())] \
            if inline.type == "inline" else []
        if len(children) == 1 and children[0].type == "image" and tokens[index - 1].type == "paragraph_open":
            tokens[index - 1].tag = tokens[index + 1].tag = "figure"
            children[0].meta["figure"] = True


@functools.lru_cache(maxsize=1)
def site_parser() -> Any:
    """The articles' parser with the site's render rules: boxes, images, external links, tables."""
    md = make_markdown_parser()
    for name in ADMONITIONS:
        md.add_render_rule(f"container_{name}_open", _admonition_open(name))
        md.add_render_rule(f"container_{name}_close", _admonition_close)
    md.add_render_rule("image", _image)
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("table_open", lambda self, tokens, idx, options, env: '<div class="table">\n<table>\n')
    md.add_render_rule("table_close", lambda self, tokens, idx, options, env: "</table>\n</div>\n")
    return md


def _admonition_open(name: str) -> Callable[..., str]:
    def render(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        label = env["site"].labels[name]
        return f'<div class="admonition {name}" role="note">\n<p class="admonition-title">{escape(label)}</p>\n'

    return render


def _admonition_close(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    return "</div>\n"


def _link_open(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if str(token.attrGet("href") or "").lower().startswith(("http://", "https://")):
        token.attrSet("rel", "noopener")
    return str(self.renderToken(tokens, idx, options, env))


def _image(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    site: _Env = env["site"]
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children, options, env).strip()
    found = image_file(site.folder, src, site.locale, site.default_locale)
    if found is None:
        looked = ", ".join(f"images/{code}/" for code in dict.fromkeys((site.locale, site.default_locale)))
        raise ImageError(N_("{locale}: image {src!r} not found (looked in {folders} and images/)"), site.path,
                         N_("Put the file next to the article, under images/; `supportkit check` lists them all."),
                         locale=site.locale, src=src, folders=looked)
    image = publish(found[0], site.slug, found[1])
    if image not in site.images:
        site.images.append(image)
    tag = (f'<img src="../{escape(image.rel)}" alt="{escape(alt)}" width="{image.width}" height="{image.height}"'
           ' loading="lazy" decoding="async">')
    title = str(token.attrGet("title") or "")
    if token.meta.get("figure") and title:
        tag += f"\n<figcaption>{escape(title)}</figcaption>"
    return tag

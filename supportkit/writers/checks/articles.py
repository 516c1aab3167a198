"""Rules for help-center articles (``articles/<slug>/<locale>.md``): one small function per rule.

Each rule gets the whole articles folder already loaded and parsed (``ArticlesView``), because
some rules compare articles with one another (titles per locale, ``related`` slugs) or with the
reply-based pages that remain (their FAQ questions).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportkit.config import Config
from supportkit.errors import N_, Message
from supportkit.library import Library
from supportkit.library.articles import ArticleSet, ArticleText, image_refs, load_articles, markdown_parser
from supportkit.writers.checks.base import Finding, Rule, mask_code

ARTICLE_RULES: list[Rule] = []


def article_rule(rule_id: str, severity: str, summary: str) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    """Register an article rule under a stable id."""

    def register(func: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        ARTICLE_RULES.append(Rule(rule_id, severity, summary, func, scope="article"))
        return func

    return register


@dataclass
class ArticlesView:
    """Every article of one folder, each text parsed once, and the library its pages join."""

    found: ArticleSet
    config: Config
    library: Library | None
    tokens: dict[tuple[str, str], list[Any]] = field(default_factory=dict)

    def finding(self, rule_id: str, text: ArticleText | Path, line: int, locale: str, message: Message) -> Finding:
        """A finding of ``rule_id``; ``message`` is a msgid and its params (English in ``Finding.message``)."""
        severity = next((r.severity for r in ARTICLE_RULES if r.id == rule_id), "error")
        path = text.path if isinstance(text, ArticleText) else text
        slug = text.slug if isinstance(text, ArticleText) else ""
        return Finding.of(str(path), line, locale, slug, rule_id, severity, message)

    def parsed(self, text: ArticleText) -> list[Any]:
        key = (text.slug, text.locale)
        if key not in self.tokens:
            self.tokens[key] = markdown_parser().parse(text.body)
        return self.tokens[key]


def check_articles(folder: Path, config: Config, library: Library | None, disabled: set[str]) -> tuple[list[Finding], int]:
    """Every finding of every enabled article rule in ``folder``, and how many article files were read."""
    found = load_articles(folder, config.source_locale)
    view = ArticlesView(found, config, library)
    findings = [Finding.of(p.path, p.line, p.locale, Path(p.path).parent.name, p.check or "article_front_matter",
                           p.severity, Message(p.text, dict(p.params)))  # every article problem is made from a msgid
                for p in found.problems]
    for registered in ARTICLE_RULES:
        if registered.id not in disabled:
            findings.extend(registered.func(view))
    count = sum(len(texts) for texts in found.articles.values()) + len({p.path for p in found.problems})
    return [f for f in findings if f.check not in disabled], count


# The rule of loading: front matter (reported by load_articles, registered here to be listed and switched off).
@article_rule("article_front_matter", "error", "an article's front matter is missing, not YAML, or has a bad key or value")
def check_front_matter(view: ArticlesView) -> Iterator[Finding]:
    return iter(())


def _title_key(title: str) -> str:
    return re.sub(r"[\W_]+", " ", title.casefold()).strip()


@article_rule("article_duplicate_title", "error", "two pages of one locale have the same title (articles, FAQ questions)")
def check_duplicate_titles(view: ArticlesView) -> Iterator[Finding]:
    replaced: dict[str, set[str]] = {}
    seen: dict[tuple[str, str], str] = {}
    for text in view.found.texts():
        replaced.setdefault(text.locale, set()).update(text.replaces)
    for text in view.found.texts():
        key = (text.locale, _title_key(text.title))
        if key in seen:
            yield view.finding("article_duplicate_title", text, text.line_of("title"), text.locale,
                               Message.of(N_("title {title!r} is also the title of article {other}"),
                                          title=text.title, other=seen[key]))
        else:
            seen[key] = text.slug
    for template in view.library or ():
        for locale, question in template.faq.items():
            if template.ref in replaced.get(locale, set()):
                continue
            key = (locale, _title_key(question))
            if key in seen:
                text = view.found.articles[seen[key]][locale]
                yield view.finding("article_duplicate_title", text, text.line_of("title"), locale,
                                   Message.of(N_("title {title!r} is also the FAQ question of {ref} (add replaces: "
                                                 "{ref}, or choose another title)"), title=text.title, ref=template.ref))


CHAT_VOICE: dict[str, tuple[str, ...]] = {
    "en": ("I'll", "I will", "I'm sorry", "let me know", "reply with", "please reply", "reply to this",
           "send us", "send me", "in this chat", "in this conversation"),
    "zh": ("我这边", "我会为您", "我已为您", "我帮您", "请回复", "回复我", "发给我", "告诉我们", "在本对话", "在这个对话"),
    "es": ("le responderé", "le ayudaré", "respóndame", "responda con", "responda a este", "envíenos", "envíeme",
           "indíqueme", "en este chat", "en esta conversación"),
    "ru": ("я проверю", "я отвечу", "я помогу", "я передам", "ответьте нам", "ответьте на это", "пришлите нам",
           "пришлите мне", "сообщите мне", "в этом чате", "в этом диалоге"),
    "fr": ("je vérifie", "je vous réponds", "je reviens vers vous", "je transmets", "répondez avec",
           "répondez à ce message", "envoyez-nous", "envoyez-moi", "dites-moi", "dans ce chat",
           "dans cette conversation"),
}
"""How a chat agent talks, and a web article does not: the agent's first person ("I'll check"), asks
to answer in the conversation ("reply with", "send us"). Short on purpose: each phrase is one an
article has no reason to use; the reader's own first person ("How do I...", «Как мне...») is fine."""


@functools.lru_cache(maxsize=8)
def chat_voice_re(language: str) -> re.Pattern[str] | None:
    phrases = CHAT_VOICE.get(language)
    if not phrases:
        return None
    alternatives = "|".join(re.escape(p).replace("'", "['’]") for p in sorted(phrases, key=len, reverse=True))
    if language == "zh":
        return re.compile(f"(?:{alternatives})")
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@article_rule("article_chat_voice", "error", "an article speaks like a chat agent (\"I'll check\", \"reply with\")")
def check_chat_voice(view: ArticlesView) -> Iterator[Finding]:
    for text in view.found.texts():
        pattern = chat_voice_re(text.locale.split("-")[0])
        if pattern is None:
            continue
        masked = mask_code(text.body)
        for match in pattern.finditer(masked):
            line = text.body_line + masked.count("\n", 0, match.start())
            yield view.finding("article_chat_voice", text, line, text.locale,
                               Message.of(N_("{phrase!r} is how a chat agent talks: an article speaks to every "
                                             "reader (\"Support can...\", \"contact support\")"), phrase=match.group()))


def _images(view: ArticlesView) -> Iterator[tuple[ArticleText, Any]]:
    for text in view.found.texts():
        for ref in image_refs(view.parsed(text), text.body):
            yield text, ref


@article_rule("article_image_missing", "error", "an article shows an image that is not in its images/ folder")
def check_image_missing(view: ArticlesView) -> Iterator[Finding]:
    from supportkit.library.articles import image_file

    for text, ref in _images(view):
        folder = view.found.folder(text.slug)
        if image_file(folder, ref.src, text.locale, view.config.default_locale) is None:
            yield view.finding("article_image_missing", text, text.body_line_at(ref.line), text.locale,
                               Message.of(N_("image {src!r} not found: put it in {slug}/images/ (or images/{locale}/ "
                                             "for this locale's copy); names are images/<name>.svg|png|jpg|webp"),
                                          src=ref.src, slug=text.slug, locale=text.locale))


@article_rule("article_image_alt", "error", "an image has no alt text, its file name as alt text, or the source's untranslated")
def check_image_alt(view: ArticlesView) -> Iterator[Finding]:
    source_alts: dict[str, set[str]] = {}
    for text, ref in _images(view):
        if text.locale == view.config.source_locale and ref.alt:
            source_alts.setdefault(text.slug, set()).add(ref.alt)
    for text, ref in _images(view):
        if text.locale != view.config.source_locale and ref.alt in source_alts.get(text.slug, set()):
            yield view.finding("article_image_alt", text, text.body_line_at(ref.line), text.locale,
                               Message.of(N_("image {src!r}: the alt text is the {source} article's; say in this "
                                             "locale's language what the picture shows"),
                                          src=ref.src, source=view.config.source_locale))
        stem = Path(ref.src).stem.casefold()
        if not ref.alt:
            yield view.finding("article_image_alt", text, text.body_line_at(ref.line), text.locale,
                               Message.of(N_("image {src!r} has no alt text: say in this locale what the picture "
                                             "shows"), src=ref.src))
        elif ref.alt.casefold() in (stem, Path(ref.src).name.casefold()):
            yield view.finding("article_image_alt", text, text.body_line_at(ref.line), text.locale,
                               Message.of(N_("image {src!r}: the alt text is the file name; say what the picture "
                                             "shows"), src=ref.src))


@article_rule("article_related", "error", "related: names an article that does not exist")
def check_related(view: ArticlesView) -> Iterator[Finding]:
    for text in view.found.texts():
        for slug in text.related:
            if slug == text.slug:
                yield view.finding("article_related", text, text.line_of("related"), text.locale,
                                   Message.of(N_("related: {slug!r} is this article itself"), slug=slug))
            elif slug not in view.found.slugs:
                yield view.finding("article_related", text, text.line_of("related"), text.locale,
                                   Message.of(N_("related: no article {slug!r} (articles are folders of {folder}/)"),
                                              slug=slug, folder=view.found.root.name))


@article_rule("article_replaces", "error", "replaces: names no template of the library")
def check_replaces(view: ArticlesView) -> Iterator[Finding]:
    if view.library is None:
        return
    for text in view.found.texts():
        for ref in text.replaces:
            if ref not in view.library.templates:
                yield view.finding("article_replaces", text, text.line_of("replaces"), text.locale,
                                   Message.of(N_("replaces: no template {ref!r} (a ref: tutorials/switch_phone, "
                                                 "tx_pending)"), ref=ref))


@article_rule("article_facts", "error", "an article's {{ ... }} does not render (an unknown brand setting...)")
def check_facts(view: ArticlesView) -> Iterator[Finding]:
    from supportkit.errors import TemplateError
    from supportkit.rendering.articles import fill_facts

    for text in view.found.texts():
        try:
            fill_facts(text, view.config.brand)
        except TemplateError as exc:
            said = Message(exc.what, exc.params)
            line = text.body_line + (exc.line - 1 if exc.line else _line_naming(text.body, str(said)))
            yield view.finding("article_facts", text, line, text.locale, said)


def _line_naming(body: str, message: str) -> int:
    """The body line (0-based) of the first ``{{ ... }}`` holding the name an error quotes last, else 0."""
    names = re.findall(r"'(\w+)'", message)
    if names:
        for number, line in enumerate(body.split("\n")):
            if re.search(r"\{\{[^}]*\b" + re.escape(names[-1]) + r"\b", line):
                return number
    return 0

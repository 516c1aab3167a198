"""Help-center articles: ``articles/<slug>/<locale>.md``, YAML front matter then Markdown.

One folder per article holds every locale's text and the article's images
(``images/<name>``, localized copies in ``images/<locale>/<name>``), so a writer sees at a
glance which locales exist, and a translation and its pictures move together. Articles are
content like the reply templates, loaded here (below ``writers`` and ``faq``, which both use
them); turning them into pages is the site's job (``supportkit.faq.markdown``).

Problems are ``Problem``s with the file's line (``path:line: locale: message``); an article
file with a problem is left out, and the rest load.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from supportkit.errors import N_, Problem, Text
from supportkit.languages import SUPPORTED_LANGUAGES
from supportkit.text.chinese import TRADITIONAL
from supportkit.yamlsource import Located, LocatedList, YamlProblem, load_yaml

CATEGORY_ORDER = ("getting_started", "security", "transfers", "fees", "trading", "assets", "tokens", "account",
                  "support", "general")
"""The help center's categories, in the order the home page lists them (replies and articles alike)."""

ARTICLE_LOCALES = (*SUPPORTED_LANGUAGES, TRADITIONAL)
"""The file names an article folder may hold (``en.md``, ``zh-Hant.md``...)."""

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""An article's folder name: its address on the site (``switch-phone``)."""

MAX_ARTICLE_BYTES = 512 * 1024
FRONT_MATTER_KEYS = ("title", "description", "category", "order", "related", "updated", "replaces")
SHARED_KEYS = ("category", "order", "related", "replaces")
"""Keys that are the article's, not a translation's: a translation may leave them out (it takes
the source locale's) and may not say otherwise."""


@dataclass(frozen=True)
class ArticleText:
    """One article in one locale, as written (``body`` is Markdown, ``{{ brand.* }}`` not yet filled in)."""

    slug: str
    locale: str
    path: Path
    title: str
    description: str
    category: str
    body: str
    body_line: int
    """File line of the body's first line."""
    order: int = 0
    related: tuple[str, ...] = ()
    updated: _dt.date | None = None
    replaces: tuple[str, ...] = ()
    """Refs of the reply-based pages this article takes the place of (``tutorials/switch_phone``); the
    first one's address becomes the article's."""
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    """File line of each front-matter key."""

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)

    def body_line_at(self, offset: int) -> int:
        """File line of body line ``offset`` (0-based, as markdown-it's token maps count)."""
        return self.body_line + offset


@dataclass(eq=False)
class ArticleSet:
    """Every article found under ``root``: ``articles[slug][locale]``, and the problems met."""

    root: Path
    articles: dict[str, dict[str, ArticleText]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    slugs: set[str] = field(default_factory=set)
    """Every article folder, those whose files all have problems too (a ``related`` link to one is not
    a second fault)."""

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.articles))

    def __len__(self) -> int:
        return len(self.articles)

    def folder(self, slug: str) -> Path:
        return self.root / slug

    def texts(self) -> Iterator[ArticleText]:
        for slug in self:
            yield from self.articles[slug].values()


def load_articles(root: Path, source_locale: str = "en") -> ArticleSet:
    """Every ``<slug>/<locale>.md`` under ``root`` (none when the folder does not exist)."""
    found = ArticleSet(Path(root))
    if not found.root.is_dir():
        return found
    for folder in sorted(p for p in found.root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(p for p in folder.iterdir() if p.suffix == ".md" and p.is_file())
        if not files:
            continue
        if not SLUG_RE.fullmatch(folder.name):
            found.problems.append(Problem.of(str(folder), 1, "", N_("article folder {folder!r} is not a slug: lower-case "
                                                                    "letters, digits and single hyphens"),
                                             check="article_front_matter", folder=folder.name))
            continue
        found.slugs.add(folder.name)
        texts: dict[str, ArticleText] = {}
        raw: dict[str, Located] = {}
        for path in files:
            locale = path.stem
            if locale not in ARTICLE_LOCALES:
                found.problems.append(Problem.of(str(path), 1, locale, N_("{name}: not a site locale ({locales})"),
                                                 check="article_front_matter", name=path.name,
                                                 locales=", ".join(ARTICLE_LOCALES)))
                continue
            text, meta, problems = read_article(path, folder.name, locale, source_locale)
            found.problems.extend(problems)
            if text is not None and meta is not None:
                texts[locale], raw[locale] = text, meta
        _share_keys(texts, raw, source_locale, found.problems)
        if texts:
            found.articles[folder.name] = texts
    return found


def _share_keys(texts: dict[str, ArticleText], raw: dict[str, Located], source_locale: str,
                problems: list[Problem]) -> None:
    """Translations take the source locale's shared keys; one that says otherwise is a problem."""
    source = texts.get(source_locale) or next(iter(texts.values()), None)
    if source is None:
        return
    if not source.category:  # only translations, none of which says the category
        problems.append(Problem.of(str(source.path), 2, source.locale, N_("{key} is required and must be text"),
                                   check="article_front_matter", key="category"))
        texts.clear()
        return
    for locale, text in list(texts.items()):
        if text is source:
            continue
        for key in SHARED_KEYS:
            if key in raw[locale] and getattr(text, key) != getattr(source, key):
                problems.append(Problem.of(str(text.path), text.line_of(key), locale,
                                           N_("{key} differs from the {source} article's (the article's {key} is set "
                                              "once, in {file})"), check="article_front_matter", key=key,
                                           source=source.locale, file=source.path.name))
        texts[locale] = ArticleText(**{**text.__dict__, **{k: getattr(source, k) for k in SHARED_KEYS}})


_BLANKS_RE = re.compile(r"[ \t\r\n]+")


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, body's first line) of ``---``-fenced text; None without front matter."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            body = "\n".join(lines[index + 1:])
            return "\n".join(lines[1:index]), body, index + 2
    return None


def read_article(path: Path, slug: str, locale: str, source_locale: str = "en"
                 ) -> tuple[ArticleText | None, Located | None, list[Problem]]:
    """One article file, or the problems that keep it out (a translation may leave ``category`` to the source's)."""
    where = str(path)

    def problem(line: int, message: Text, **params: Any) -> list[Problem]:
        return [Problem.of(where, line, locale, message, check="article_front_matter", **params)]

    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, None, problem(1, N_("cannot read the article: {reason}"), reason=exc.strerror or str(exc))
    if len(data) > MAX_ARTICLE_BYTES:
        return None, None, problem(1, N_("article is larger than {size} KiB"), size=MAX_ARTICLE_BYTES // 1024)
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        return None, None, problem(1, N_("not UTF-8 text (byte {byte})"), byte=exc.start)
    parts = split_front_matter(text)
    if parts is None:
        return None, None, problem(1, N_("no front matter: the file starts with a line '---', the YAML keys "
                                         "(title, description, category...), then a line '---'"))
    header, body, body_line = parts
    try:
        meta = load_yaml(header)
    except YamlProblem as exc:
        return None, None, [Problem(where, exc.line + 1, locale, exc.message, check="article_front_matter",
                                   text=exc.text, params=tuple(exc.params.items()))]
    if not isinstance(meta, Located):
        return None, None, problem(2, N_("front matter must be a mapping of keys (title: ..., description: ...)"))
    line = {key: meta.line_of(key) + 1 for key in meta}
    found: list[Problem] = []
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            found += problem(line[key], N_("unknown front-matter key {key!r} (known: {known})"), key=key,
                             known=", ".join(FRONT_MATTER_KEYS))
    values: dict[str, Any] = {}
    for key in ("title", "description", "category"):
        value = meta.get(key)
        if key == "category" and key not in meta and locale != source_locale:
            values[key] = ""  # the source article's (``_share_keys``)
            continue
        if not isinstance(value, str) or not value.strip():
            found += problem(line.get(key, 2), N_("{key} is required and must be text"), key=key)
        else:
            # Line breaks and runs of spaces fold to one space; a no-break space (French « : », "65 000") stays.
            values[key] = _BLANKS_RE.sub(" ", value).strip(" ")
    if values.get("category") and values["category"] not in CATEGORY_ORDER:
        found += problem(line["category"], N_("unknown category {category!r} (one of {known})"),
                         category=values["category"], known=", ".join(CATEGORY_ORDER))
    order = meta.get("order", 0)
    if type(order) is not int:
        found += problem(line.get("order", 2), N_("order must be a whole number"))
    related = meta.get("related", [])
    if not isinstance(related, LocatedList | list) or not all(isinstance(r, str) for r in related):
        found += problem(line.get("related", 2), N_("related must be a list of article slugs"))
        related = []
    updated = meta.get("updated")
    if updated is not None and (not isinstance(updated, _dt.date) or isinstance(updated, _dt.datetime)):
        found += problem(line["updated"], N_("updated must be a date: 2026-12-07"))
    replaces = meta.get("replaces", [])
    replaces = [replaces] if isinstance(replaces, str) else replaces
    if not isinstance(replaces, list) or not all(isinstance(r, str) and r.strip() for r in replaces):
        found += problem(line["replaces"], N_("replaces must be a template ref (tutorials/switch_phone, tx_pending) "
                                              "or a list of them"))
        replaces = []
    if not body.strip():
        found += problem(body_line, N_("the article has no text after its front matter"))
    if found:
        return None, None, found
    article = ArticleText(slug=slug, locale=locale, path=path, title=values["title"],
                          description=values["description"], category=values["category"], body=body,
                          body_line=body_line, order=order, related=tuple(related), updated=updated,
                          replaces=tuple(r.strip() for r in replaces), lines=line)
    return article, meta, []


# --- Markdown, as the site and the checks both read it -------------------------------------------

ADMONITIONS = ("tip", "warning", "danger")
"""The boxes an article may hold: ``::: tip`` ... ``:::``."""


@functools.lru_cache(maxsize=1)
def markdown_parser() -> Any:
    """The articles' parser, made once (the checks read articles with it; the site adds render rules
    to a parser of its own, ``supportkit.faq.markdown.site_parser``)."""
    return make_markdown_parser()


def make_markdown_parser() -> Any:
    """CommonMark with tables, admonition containers and heading ids; raw HTML is text, never markup.

    One configuration for the site and the checks, so what a check sees is what the page shows.
    """
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.container import container_plugin

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    for name in ADMONITIONS:
        md.use(container_plugin, name)
    md.use(anchors_plugin, min_level=2, max_level=3, slug_func=heading_slug)
    md.validateLink = allowed_link  # type: ignore[method-assign]
    return md


_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def allowed_link(url: str) -> bool:
    """http(s), mailto and relative links only (no javascript:, data:, file:...); a link the parser
    refuses stays text."""
    scheme = _SCHEME_RE.match(url.strip())
    if scheme is None:
        return not url.strip().startswith("//")  # a scheme-relative link leaves the site
    return scheme.group(1).lower() in ("http", "https", "mailto")


def heading_slug(title: str) -> str:
    """A heading's id: its words, lower case, joined by hyphens (any script)."""
    words = re.findall(r"\w+", title.lower())
    return "-".join(words)[:80] or "section"


@dataclass(frozen=True)
class ImageRef:
    """An image an article shows: its source as written, alt text, and the body line (0-based)."""

    src: str
    alt: str
    line: int


def walk_inline(tokens: list[Any]) -> Iterator[tuple[Any, Any]]:
    """(block token that holds it, inline child) for every inline child in ``tokens``."""
    for token in tokens:
        if token.type == "inline":
            for child in token.children or ():
                yield token, child


def image_refs(tokens: list[Any], body: str) -> list[ImageRef]:
    """Every image of a parsed article body, with the line it is written on."""
    lines = body.split("\n")
    found: list[ImageRef] = []
    for block, child in walk_inline(tokens):
        if child.type != "image":
            continue
        src = str(child.attrGet("src") or "")
        start, end = block.map or (0, 1)
        line = next((n for n in range(start, min(end, len(lines))) if src and src in lines[n]), start)
        found.append(ImageRef(src, child.content.strip(), line))
    return found


# --- images ----------------------------------------------------------------------------------------

RASTER_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
IMAGE_SUFFIXES = (*RASTER_SUFFIXES, ".svg")
_IMAGE_NAME_RE = re.compile(r"images/(?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_.-]+")


def image_name(src: str) -> str | None:
    """``images/x.svg`` as written in an article, or None when it is not a plain relative image path."""
    if not _IMAGE_NAME_RE.fullmatch(src) or ".." in PurePosixPath(src).parts:
        return None
    return src if PurePosixPath(src).suffix.lower() in IMAGE_SUFFIXES else None


def image_file(folder: Path, src: str, locale: str, default_locale: str) -> tuple[Path, str] | None:
    """(file, its locale folder or "") a locale shows for ``src``: its own copy
    (``images/<locale>/x.svg``), else the default locale's, else the shared ``images/x.svg``."""
    name = image_name(src)
    if name is None:
        return None
    rest = name.removeprefix("images/")
    for code in dict.fromkeys((locale, default_locale)):
        candidate = folder / "images" / code / rest
        if candidate.is_file():
            return candidate, code
    shared = folder / "images" / rest
    return (shared, "") if shared.is_file() else None

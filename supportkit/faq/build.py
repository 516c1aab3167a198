"""``supportkit faq build``: the static, localized help center, top to bottom.

One function, ``build_site``: collect articles (tutorials and replies with an FAQ
question), decide per locale what is shown (translation, honest fallback, or
nothing), render pages, write them into a temporary folder and swap it in only
when everything succeeded. Pages whose inputs did not change since the last build
are linked from the previous output instead of being rendered again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from supportkit import SUPPORTED_LANGUAGES
from supportkit.config import Config
from supportkit.errors import Problem, SupportkitError
from supportkit.faq.markup import plain_summary, to_html
from supportkit.library import Library, Template
from supportkit.locales import parse_locale
from supportkit.rendering import build_context, render_string

MANIFEST = ".supportkit-site.json"
SITE_FORMAT = 1  # bump when page layout changes so old manifests are not reused
LANGUAGE_NAMES = {"zh": "中文", "en": "English", "es": "Español", "ru": "Русский", "fr": "Français"}
CATEGORY_ORDER = ("getting_started", "security", "transfers", "fees", "trading", "assets", "tokens", "account",
                  "support", "general")
UNTRANSLATED_POLICIES = ("notice", "omit")


class FaqBuildError(SupportkitError):
    """The site could not be built (strict failures, bad options, unsafe output folder)."""


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where."""

    out: Path
    base_url: str | None = None
    locales: tuple[str, ...] = SUPPORTED_LANGUAGES
    strict: bool = False
    untranslated: str = "notice"


@dataclass
class BuildReport:
    """What a build did, for the CLI and the benchmark."""

    out: Path
    locales: tuple[str, ...]
    articles: int
    pages: int = 0
    rendered: int = 0
    reused: int = 0
    seconds: float = 0.0
    fallbacks: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "locales": list(self.locales), "articles": self.articles, "pages": self.pages,
                "rendered": self.rendered, "reused": self.reused, "seconds": round(self.seconds, 3),
                "fallbacks": self.fallbacks}


def slug_of(template: Template) -> str:
    """File name of an article: ``tx-pending.html``, ``guide-switch-phone.html``."""
    stem = template.id.replace("_", "-")
    return f"guide-{stem}.html" if template.kind == "tutorial" else f"{stem}.html"


def is_article(template: Template) -> bool:
    """Tutorials and replies that carry an FAQ question become help-center articles."""
    return template.kind == "tutorial" or bool(template.faq)


def check_base_url(base_url: str | None) -> str | None:
    """``https://host/path/`` (with a trailing slash), or an error for anything else."""
    if base_url is None:
        return None
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise FaqBuildError(f"--base-url must be an absolute http(s) URL, not {base_url[:80]!r}", None,
                            "Example: --base-url https://help.example.com/")
    return base_url if base_url.endswith("/") else base_url + "/"


def strict_problems(articles: list[Template], locales: tuple[str, ...], source_locale: str) -> list[Problem]:
    """Every article that is missing, stale or only a draft in a locale."""
    problems: list[Problem] = []
    for template in articles:
        for code in locales:
            if code == source_locale:
                continue
            state = template.translation_state(code)
            if state != "ok":
                line = template.locales[code].line if code in template.locales else template.lines.get("locales", 1)
                problems.append(Problem(str(template.path), line, code, f"article {template.ref} is {state}",
                                        check="faq_" + state, template=template.id))
    return problems


# --- pages ---------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _site_environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
        auto_reload=False,
    )


def _gettext(locale: str) -> Callable[[str], str]:
    from supportkit.i18n import translator

    return translator(locale)


def _category_label(category: str, _: Callable[[str], str]) -> str:
    labels = {
        "getting_started": _("Getting started"), "security": _("Security"), "transfers": _("Transfers"),
        "assets": _("Assets and tokens"), "tokens": _("Tokens"), "fees": _("Network fees"),
        "trading": _("Swaps"), "account": _("Wallet access"), "support": _("Contact and support"),
        "general": _("General"),
    }
    return labels.get(category, category.replace("_", " ").capitalize())


@dataclass(frozen=True)
class _Article:
    """One article as shown in one locale."""

    template: Template
    locale: str  # the locale whose pages list it
    content_locale: str  # the language its text is really in
    title: str
    body_html: str
    text: str
    summary: str
    digest: str  # of everything the text depends on: page keys use it instead of the whole body

    @property
    def is_fallback(self) -> bool:
        return self.content_locale != self.locale


def _article_text(template: Template, content_locale: str, config: Config) -> tuple[str, str]:
    """(title, plain text) of an article: the reply without its greeting line to a named customer."""
    translation = template.locales[content_locale]
    context = build_context(template, content_locale, {}, config.brand)
    where = f"{template.path}: {content_locale}"
    text = render_string(translation.body, context, where=where)
    source_paragraphs = translation.body.split("\n\n")
    if template.kind == "reply" and "customer_name" in source_paragraphs[0] and "\n\n" in text:
        text = text.split("\n\n", 1)[1]  # the FAQ reader is not the customer the greeting names
    title = template.faq.get(content_locale) or (
        render_string(translation.subject, context, where=where) if translation.subject else template.id)
    return title, text


def _article_key(template: Template, content_locale: str, brand_key: str) -> str:
    """Everything an article's rendered text depends on, hashed (``brand_key``: the brand's repr)."""
    translation = template.locales[content_locale]
    parts = [template.kind, content_locale, translation.subject, translation.body,
             template.faq.get(content_locale, ""), brand_key]
    if template.variables:  # tutorials mostly have none
        parts.append(repr(sorted((n, v.default_for(content_locale)) for n, v in template.variables.items())))
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


def _collect(library: Library, options: BuildOptions, config: Config,
             cache: dict[str, list[str]]) -> dict[str, list[_Article]]:
    """Articles per locale; rendered text comes from ``cache`` (the last build's) when unchanged."""
    articles = [t for t in library if is_article(t)]
    per_locale: dict[str, list[_Article]] = {}
    rendered: dict[tuple[str, str], list[str]] = {}
    used: dict[str, list[str]] = {}
    brand_key = repr(config.brand)
    for locale in options.locales:
        shown: list[_Article] = []
        for template in articles:
            state = template.translation_state(locale)
            usable = state in ("ok", "stale") or (state == "draft" and config.allow_drafts)
            if not usable and options.untranslated == "omit":
                continue
            content_locale = locale if usable else template.source_locale
            key = (template.ref, content_locale)
            if key not in rendered:
                digest = _article_key(template, content_locale, brand_key)
                entry = cache.get(digest)
                if entry is None or len(entry) != 4:
                    title, text = _article_text(template, content_locale, config)
                    entry = [title, text, to_html(text), plain_summary(text)]
                used[digest] = entry
                rendered[key] = [*entry, digest]
            title, text, html, summary, digest = rendered[key]
            shown.append(_Article(template, locale, content_locale, title, html, text, summary, digest))
        shown.sort(key=lambda a: (CATEGORY_ORDER.index(a.template.category)
                                  if a.template.category in CATEGORY_ORDER else 99, a.template.kind, a.title))
        per_locale[locale] = shown
    cache.clear()
    cache.update(used)  # keep only what this build used, so the cache never outgrows the site
    return per_locale


def _date_text(template: Template, locale: str, _: Callable[[str], str]) -> str:
    if template.updated is None:
        return ""
    return _("Last updated: {date}").format(date=_long_date(template.updated, locale))


@functools.lru_cache(maxsize=4096)
def _long_date(day: Any, locale: str) -> str:
    from babel.dates import format_date

    return format_date(day, format="long", locale=locale)


def _article_content(article: _Article) -> dict[str, Any]:
    """The parts of an article page derived from its text (covered by ``article.digest``)."""
    faq = bool(article.template.faq) and not article.is_fallback
    return {"body": article.body_html, "jsonld": _json_ld(article) if faq else ""}


def _json_ld(article: _Article) -> str:
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


class _SiteWriter:
    """Renders page models and writes them, reusing unchanged pages from the last build."""

    def __init__(self, tmp: Path, previous: Path | None, old_hashes: dict[str, str]) -> None:
        self.layout = _layout_digest()
        self.tmp = tmp
        self.previous = previous
        self.old_hashes = old_hashes
        self.hashes: dict[str, str] = {}
        self.rendered = 0
        self.reused = 0
        self._folders: set[str] = set()

    def _target(self, rel: str) -> str:
        # Plain strings, and each folder made once: this runs for every page of a rebuild.
        folder, _, _name = rel.rpartition("/")
        if folder not in self._folders:
            os.makedirs(os.path.join(self.tmp, folder), exist_ok=True)
            self._folders.add(folder)
        return os.path.join(self.tmp, rel)

    def reuse(self, rel: str, digest: str) -> bool:
        """Link the previous build's file for ``rel`` when its key is ``digest``."""
        self.hashes[rel] = digest
        if self.previous is None or self.old_hashes.get(rel) != digest:
            return False
        target = self._target(rel)
        old = os.path.join(self.previous, rel)
        try:
            os.link(old, target)
        except FileNotFoundError:
            return False
        except OSError:
            shutil.copyfile(old, target)
        self.reused += 1
        return True

    def page(self, rel: str, template_name: str, site: dict[str, Any], page: dict[str, Any],
             gettext: Callable[[str], str], content: Callable[[], dict[str, Any]] | None = None) -> None:
        """Write one page; ``content`` supplies the large, derived parts only when it must be rendered.

        The key names every input of the page (dict order is fixed by the code that builds
        it, so ``repr`` is stable); the article body enters it through its digest.
        """
        digest = hashlib.sha1(repr((self.layout, template_name, site, page)).encode()).hexdigest()
        if self.reuse(rel, digest):
            return
        if content is not None:
            page = {**page, **content()}
        html = _site_environment().get_template(template_name).render(site=site, page=page, _=gettext)
        self.file(rel, html)
        self.rendered += 1

    def file(self, rel: str, content: str) -> None:
        with open(self._target(rel), "w", encoding="utf-8", newline="") as handle:
            handle.write(content)


@functools.lru_cache(maxsize=1)
def _layout_digest() -> str:
    """Digest of the site's own templates and assets: a change to them re-renders every page."""
    folder = Path(__file__).parent
    digest = hashlib.sha1(str(SITE_FORMAT).encode())
    for path in sorted([*(folder / "templates").iterdir(), *(folder / "static").iterdir()]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _switcher(current: str, hrefs: dict[str, str]) -> list[dict[str, Any]]:
    return [{"code": code, "name": LANGUAGE_NAMES.get(code, code), "href": href, "current": code == current}
            for code, href in hrefs.items()]


def build_site(config: Config, options: BuildOptions, library: Library | None = None,
               progress: Callable[[int], None] | None = None) -> BuildReport:
    """Build the whole site into ``options.out``; see the module docstring."""
    started = time.perf_counter()
    from supportkit.pipeline import library_for

    if options.untranslated not in UNTRANSLATED_POLICIES:
        raise FaqBuildError(f"untranslated must be one of {', '.join(UNTRANSLATED_POLICIES)}")
    locales = tuple(dict.fromkeys(parse_locale(code, "--locales")[0] for code in options.locales))
    base_url = check_base_url(options.base_url)
    library = library or library_for(config)
    articles = [t for t in library if is_article(t)]
    if not articles:
        raise FaqBuildError("no articles to build", str(library.root),
                            "Tutorials and replies with an faq: question become articles.")
    if options.strict:
        problems = strict_problems(articles, locales, config.source_locale)
        if problems:
            from supportkit.errors import ValidationError

            raise ValidationError(problems, f"{len(problems)} article translation(s) missing, stale or draft")

    out = Path(options.out).resolve()
    _check_output_folder(out)
    previous = out if (out / MANIFEST).is_file() else None
    old_hashes: dict[str, str] = {}
    if previous is not None:
        try:
            manifest = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("format") == SITE_FORMAT and manifest.get("layout") == _layout_digest():
                old_hashes = manifest.get("pages", {})
        except (OSError, ValueError, AttributeError):
            old_hashes = {}
    cache_file = _article_cache_path(out)
    cache = _read_article_cache(cache_file) if old_hashes else {}

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        per_locale = _collect(library, dataclasses.replace(options, locales=locales), config, cache)
        writer = _SiteWriter(tmp, previous, old_hashes)
        report = BuildReport(out=out, locales=locales, articles=len(articles))
        _write_pages(writer, per_locale, locales, base_url, config, report, progress)
        default = config.default_locale if config.default_locale in locales else locales[0]
        _write_static(writer, per_locale, locales, base_url, default)
        report.rendered, report.reused = writer.rendered, writer.reused
        report.pages = len(writer.hashes)
        manifest = {"format": SITE_FORMAT, "generator": "supportkit", "layout": _layout_digest(),
                    "pages": writer.hashes}
        writer.file(MANIFEST, json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n")
        _swap_in(tmp, out)
        if writer.rendered or not cache_file.is_file():
            _write_article_cache(cache_file, cache)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.seconds = time.perf_counter() - started
    return report


def _article_cache_path(out: Path) -> Path:
    """Rendered article text from the last build of ``out``, kept out of the published folder."""
    from supportkit.files import cache_dir

    return cache_dir() / f"faq-{hashlib.sha1(str(out).encode()).hexdigest()[:16]}.pickle"


def _read_article_cache(path: Path) -> dict[str, list[str]]:
    import pickle

    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
        return data if isinstance(data, dict) else {}
    except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.UnpicklingError):
        return {}


def _write_article_cache(path: Path, cache: dict[str, list[str]]) -> None:
    import pickle

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".faq-", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(cache, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # only speed is lost


def _check_output_folder(out: Path) -> None:
    """Refuse to replace a folder that is not a previous build (it may hold someone's files)."""
    if out.exists() and not out.is_dir():
        raise FaqBuildError(f"output path is a file: {out}", None, "Choose a folder for --out.")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise FaqBuildError(f"output folder is not empty and was not built by supportkit: {out}", None,
                            "Choose an empty or new folder for --out.")
    if out == Path(out.anchor) or out == Path.home():
        raise FaqBuildError(f"refusing to build into {out}", None, "Choose a dedicated folder for --out.")


def _swap_in(tmp: Path, out: Path) -> None:
    """Replace ``out`` with ``tmp`` in two renames, so readers see the old or the new site."""
    os.chmod(tmp, 0o755)
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


def _write_pages(writer: _SiteWriter, per_locale: dict[str, list[_Article]], locales: tuple[str, ...],
                 base_url: str | None, config: Config, report: BuildReport,
                 progress: Callable[[int], None] | None) -> None:
    site_name = config.brand.product
    translated: dict[str, set[str]] = {
        loc: {a.template.ref for a in arts if not a.is_fallback} for loc, arts in per_locale.items()}
    present: dict[str, set[str]] = {loc: {a.template.ref for a in arts} for loc, arts in per_locale.items()}
    default = config.default_locale if config.default_locale in locales else locales[0]

    def absolute(rel: str) -> str | None:
        return base_url + rel if base_url else None

    for locale in locales:
        _ = _gettext(locale)
        labels = {c: _category_label(c, _) for c in {a.template.category for a in per_locale[locale]}}
        site = {"name": site_name, "footer": _("{product} help center. Support never asks for your recovery "
                                               "phrase or private key.").format(product=site_name)}
        home_alternates = _alternates([(code, f"{code}/index.html") for code in locales], default, absolute)
        categories: dict[str, dict[str, Any]] = {}
        for article in per_locale[locale]:
            category = article.template.category
            entry = categories.setdefault(category, {"id": category, "label": labels[category],
                                                     "articles": []})
            entry["articles"].append({
                "href": slug_of(article.template), "title": article.title, "lang": article.content_locale,
                "untranslated": LANGUAGE_NAMES.get(article.content_locale, "") if article.is_fallback else "",
            })
        common = {"root": "../", "home": "index.html", "search": "search.html", "ui_lang": locale}
        writer.page(f"{locale}/index.html", "home.html", site, {
            **common, "lang": locale, "title": _("Help center"), "heading": _("How can we help?"),
            "intro": _("Answers and step-by-step guides for your wallet."),
            "description": _("Answers and step-by-step guides for your wallet."),
            "canonical": absolute(f"{locale}/index.html"), "alternates": home_alternates, "noindex": False,
            "switcher": _switcher(locale, {code: f"../{code}/index.html" for code in locales}),
            "categories": list(categories.values()), "jsonld": "",
        }, _)
        for article in per_locale[locale]:
            template = article.template
            slug = slug_of(template)
            original = f"{article.content_locale}/{slug}"
            if article.is_fallback:
                report.fallbacks.append(f"{locale}/{slug}")
            # Alternates list only real translations (a fallback page is a copy of its original).
            alternates = [] if article.is_fallback else _alternates(
                [(code, f"{code}/{slug}") for code in locales if template.ref in translated[code]],
                default if template.ref in translated.get(default, set()) else article.content_locale, absolute)
            switch = {code: (f"../{code}/{slug}" if template.ref in present[code] else f"../{code}/index.html")
                      for code in locales}
            notice = ""
            if article.is_fallback:
                notice = _("This article is not yet available in {language}. It is shown in {original}.").format(
                    language=LANGUAGE_NAMES.get(locale, locale),
                    original=LANGUAGE_NAMES.get(article.content_locale, article.content_locale))
            writer.page(f"{locale}/{slug}", "article.html", site, {
                **common, "lang": article.content_locale, "title": article.title,
                "description": article.summary,
                "canonical": absolute(original), "alternates": alternates, "noindex": False,
                "switcher": _switcher(locale, switch), "notice": notice, "body_digest": article.digest,
                "category": {"id": template.category, "label": labels[template.category]},
                "updated": _date_text(template, locale, _), "faq": bool(template.faq and not article.is_fallback),
            }, _, content=functools.partial(_article_content, article))
        writer.page(f"{locale}/search.html", "search.html", site, {
            **common, "lang": locale, "title": _("Search"), "heading": _("Search results"),
            "description": _("Search the help center"), "canonical": None, "alternates": [], "noindex": True,
            "switcher": _switcher(locale, {code: f"../{code}/search.html" for code in locales}),
            "nojs": _("Search needs JavaScript. Browse the topics on the home page instead."), "jsonld": "",
        }, _)
        root_links = {"root": (base_url or "../"), "home": (absolute(f"{locale}/index.html") or "index.html"),
                      "search": (absolute(f"{locale}/search.html") or "search.html"), "ui_lang": locale}
        writer.page(f"{locale}/404.html", "notfound.html", site, {
            **root_links, "lang": locale, "title": _("Page not found"), "heading": _("Page not found"),
            "intro": _("We could not find that page. It may have moved."),
            "description": _("Page not found"), "canonical": None, "alternates": [], "noindex": True,
            "switcher": [], "jsonld": "", "inline_css": _inline_css(),
        }, _)
        if progress:
            progress(len(per_locale[locale]) + 3)

    _ = _gettext(default)
    site = {"name": site_name, "footer": _("{product} help center. Support never asks for your recovery "
                                           "phrase or private key.").format(product=site_name)}
    languages = [{"code": code, "name": LANGUAGE_NAMES.get(code, code), "href": f"{code}/index.html"}
                 for code in locales]
    writer.page("index.html", "root.html", site, {
        "root": "", "home": "index.html", "search": "", "ui_lang": default, "lang": default,
        "title": _("Help center"), "heading": _("Choose your language"), "description": _("Help center"),
        "canonical": absolute(""), "noindex": False, "switcher": [], "languages": languages, "jsonld": "",
        "alternates": _alternates([(code, f"{code}/index.html") for code in locales], default, absolute),
    }, _)
    writer.page("404.html", "notfound.html", site, {
        "root": base_url or "", "home": (absolute("index.html") or "index.html"), "search": "", "ui_lang": default,
        "lang": default, "title": _("Page not found"), "heading": _("Page not found"),
        "intro": _("We could not find that page. It may have moved."), "description": _("Page not found"),
        "canonical": None, "alternates": [], "noindex": True, "switcher": [], "jsonld": "",
        "inline_css": _inline_css(),
    }, _)


@functools.lru_cache(maxsize=1)
def _inline_css() -> str:
    """The site's own stylesheet, for 404 pages: a server shows them at any path, where a
    relative stylesheet link would not resolve (and an absolute one may not be reachable yet)."""
    return (Path(__file__).parent / "static" / "style.css").read_text(encoding="utf-8").replace("</", "<\\/")


def _alternates(pairs: list[tuple[str, str]], default: str, absolute: Callable[[str], str | None]) -> list[dict[str, str]]:
    """hreflang links (absolute, self included, plus x-default); none without a base URL."""
    if absolute("") is None or not pairs:
        return []
    links = [{"hreflang": code, "href": absolute(rel) or ""} for code, rel in pairs]
    default_rel = dict(pairs).get(default, pairs[0][1])
    links.append({"hreflang": "x-default", "href": absolute(default_rel) or ""})
    return links


def _write_static(writer: _SiteWriter, per_locale: dict[str, list[_Article]], locales: tuple[str, ...],
                  base_url: str | None, default: str) -> None:
    static = Path(__file__).parent / "static"
    for asset in sorted(static.iterdir()):
        if asset.is_file():
            writer.file(f"static/{asset.name}", asset.read_text(encoding="utf-8"))
    from supportkit.faq.search import search_index_script

    for locale in locales:
        _ = _gettext(locale)
        strings = {"prompt": _("Type a word to search."), "none": _("No articles match your search."),
                   "found": _("{count} articles found.")}
        rel = f"{locale}/search-index.js"
        key = hashlib.sha1(repr((writer.layout, strings, [(a.digest, a.template.ref, a.template.category)
                                                          for a in per_locale[locale]])).encode()).hexdigest()
        if not writer.reuse(rel, key):
            writer.file(rel, search_index_script(locale, per_locale[locale], strings, slug_of))
    writer.file("robots.txt", "User-agent: *\nAllow: /\n" + (f"Sitemap: {base_url}sitemap.xml\n" if base_url else ""))
    if base_url:
        key = hashlib.sha1(repr((base_url, default, locales, [
            (loc, a.template.ref, a.is_fallback, str(a.template.updated)) for loc in locales for a in per_locale[loc]
        ])).encode()).hexdigest()
        if not writer.reuse("sitemap.xml", key):
            writer.file("sitemap.xml", _sitemap(per_locale, locales, base_url, default))


def _sitemap(per_locale: dict[str, list[_Article]], locales: tuple[str, ...], base_url: str, default: str) -> str:
    from html import escape

    rows = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    translated = {loc: {a.template.ref: a for a in arts if not a.is_fallback} for loc, arts in per_locale.items()}

    def url(loc_rel: str, alternates: list[tuple[str, str]], lastmod: str | None) -> None:
        rows.append("<url>")
        rows.append(f"<loc>{escape(base_url + loc_rel)}</loc>")
        if lastmod:
            rows.append(f"<lastmod>{lastmod}</lastmod>")
        for code, rel in alternates:
            rows.append(f'<xhtml:link rel="alternate" hreflang="{code}" href="{escape(base_url + rel)}"/>')
        rows.append("</url>")

    homes = [(code, f"{code}/index.html") for code in locales]
    default_home = dict(homes).get(default, homes[0][1])
    for code in locales:
        url(f"{code}/index.html", [*homes, ("x-default", default_home)], None)
    refs = sorted({ref for loc in locales for ref in translated[loc]})
    for ref in refs:
        holders = [(code, translated[code][ref]) for code in locales if ref in translated[code]]
        alternates = [(code, f"{code}/{slug_of(a.template)}") for code, a in holders]
        x_default = next((rel for code, rel in alternates if code == default), alternates[0][1])
        for _code, article in holders:
            updated = article.template.updated.isoformat() if article.template.updated else None
            url(f"{article.locale}/{slug_of(article.template)}", [*alternates, ("x-default", x_default)], updated)
    rows.append("</urlset>")
    return "\n".join(rows) + "\n"

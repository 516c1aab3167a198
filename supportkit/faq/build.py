"""``supportkit faq build``: the static, localized help center, top to bottom.

One function, ``build_site``: collect articles (tutorials and replies with an FAQ
question), decide per locale what is shown (translation, honest fallback, or
nothing), render pages, write them into a temporary folder and swap it in only
when everything succeeded. Pages whose inputs did not change are not rendered
again: the temporary folder is the output before last (kept as a spare) with only
what changed since replaced, or else links to the previous output (``SiteWriter``).

The parts: ``options`` (what is asked), ``articles`` (which templates, their text, its cache),
``pages`` (page models and the site templates), ``writer`` (the folder swap), ``sitemap``,
``search`` (the index), ``markup`` (Markdown to HTML).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from supportkit.config import Config
from supportkit.errors import N_, N_plural, Problem
from supportkit.faq.articles import (
    Article,
    Spread,
    TextCache,
    is_article,
    strict_problems,
)
from supportkit.faq.content import collect_pages, load_site_articles, topics_of
from supportkit.faq.options import SITE_FORMAT, BuildOptions, FaqBuildError
from supportkit.faq.pages import (
    LANGUAGE_NAMES,
    ArticlePages,
    article_page,
    category_label,
    hreflang_alternates,
    inline_css,
    layout_digest,
    site_gettext,
    site_locale,
    switcher,
)
from supportkit.faq.search import (
    ENGINE_PAGEFIND,
    ENGINE_SIMPLE,
    PAGEFIND_FOLDER,
    page_keywords,
    pagefind_binary,
    run_pagefind,
    search_index_script,
)
from supportkit.faq.sitemap import sitemap
from supportkit.faq.writer import (
    MANIFEST,
    SiteWriter,
    check_output_folder,
    check_output_location,
    claim_spare,
    keep_foreign,
    read_manifest,
    read_manifest_files,
    swap_in,
)
from supportkit.library import Library
from supportkit.library.articles import ArticleSet

UNTRANSLATED_POLICIES = ("notice", "omit")
CONTACT_PAGE = "contact-support"
"""The page an empty search result offers (the reply ``contact_support``); else the brand's support e-mail."""


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
    kept: list[str] = field(default_factory=list)
    """Files in the output that the build did not write (a CNAME, a deploy's files): kept as they were."""
    warnings: list[Problem] = field(default_factory=list)
    """Stale articles, with ``warn_stale`` (built all the same)."""
    search: str = ENGINE_SIMPLE
    """The search engine the site got: ``pagefind``, or ``simple`` when Pagefind is not installed."""

    def to_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "locales": list(self.locales), "articles": self.articles, "pages": self.pages,
                "rendered": self.rendered, "reused": self.reused, "seconds": round(self.seconds, 3),
                "fallbacks": self.fallbacks, "kept": self.kept, "search": self.search,
                "warnings": [{"path": w.path, "line": w.line, "locale": w.locale, "message": w.message,
                              "check": w.check, "template": w.template} for w in self.warnings]}


_URL_CHARS_RE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]{1,2000}")
"""The characters a URL may hold as written (RFC 3986): no white space, quotes, angle brackets or controls."""


def check_base_url(base_url: str | None) -> str | None:
    """``https://host/path/`` (with a trailing slash), or an error for anything else."""
    if base_url is None:
        return None
    # urlsplit drops tabs and newlines silently: a URL is checked as written, character by
    # character, so nothing can add a line to robots.txt or an attribute to a page.
    parts = urlsplit(base_url) if _URL_CHARS_RE.fullmatch(base_url) else None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query
            or parts.fragment or parts.username is not None or parts.password is not None):
        raise FaqBuildError(N_("--base-url must be an absolute http(s) URL, not {url!r}"), None,
                            N_("Example: --base-url https://help.example.com/"), url=base_url[:80])
    return base_url if base_url.endswith("/") else base_url + "/"


def protected_folders(config: Config) -> list[tuple[str, Path]]:
    """``(what, folder)`` for each folder ``--out`` must neither be nor hold (``check_output_location``)."""
    import supportkit
    from supportkit.i18n import _

    places: list[tuple[str, Path | None]] = [
        (_("the filesystem root"), Path(Path.home().anchor)),
        (_("the home folder"), Path.home()),
        (_("the templates folder"), Path(config.replies_dir)),
        (_("the catalogs folder"), Path(config.locales_dir)),
        (_("the folder of the configuration file"),
         Path(config.source).parent if config.source != "defaults" else None),
        (_("supportkit's own folder"), Path(supportkit.__file__).parent),
    ]
    with contextlib.suppress(OSError):  # a current folder that was deleted protects nothing
        places.append((_("the current folder"), Path.cwd()))  # last: it also holds the project's files
    return [(what, folder.resolve()) for what, folder in places if folder is not None]


def build_site(config: Config, options: BuildOptions, library: Library | None = None,
               progress: Callable[[int], None] | None = None, articles: ArticleSet | None = None) -> BuildReport:
    """Build the whole site into ``options.out``; see the module docstring.

    ``articles``: the help-center articles; by default the configured folder's, when ``library`` is the
    configured replies folder's (articles replace pages of the library they were written with)."""
    started = time.perf_counter()
    from supportkit.library.store import library_for

    if options.untranslated not in UNTRANSLATED_POLICIES:
        raise FaqBuildError(N_("untranslated must be one of {choices}"), choices=", ".join(UNTRANSLATED_POLICIES))
    out = Path(options.out).resolve()
    check_output_location(out, protected_folders(config))
    locales = tuple(dict.fromkeys(site_locale(code) for code in options.locales))
    base_url = check_base_url(options.base_url)
    configured = library is None or Path(library.root).resolve() == Path(config.replies_dir).resolve()
    library = library or library_for(config)
    found = articles if articles is not None else (load_site_articles(config) if configured else ArticleSet(Path()))
    templates = [t for t in library if is_article(t)]
    if not templates and not len(found):
        raise FaqBuildError(N_("no articles to build"), str(library.root),
                            N_("Tutorials and replies with an faq: question become articles."))
    if options.strict:
        # A broken template or article file is left out of the site (and said so); --strict fails on it.
        broken = library.broken + found.problems
        problems = broken + strict_problems(templates, locales, config.source_locale) + \
            missing_articles(found, library, config, locales)
        if problems:
            from supportkit.errors import ValidationError

            raise ValidationError(problems, N_plural("{count} article translation missing, stale or draft",
                                                     "{count} article translations missing, stale or draft",
                                                     len(problems))
                                  if not broken else
                                  N_plural("{count} problem in templates or articles",
                                           "{count} problems in templates or articles", len(problems)))
    warnings = ([dataclasses.replace(p, severity="warning")
                 for p in strict_problems(templates, locales, config.source_locale) if p.check == "faq_stale"]
                if options.warn_stale else [])
    warnings += [dataclasses.replace(p, severity="warning") for p in found.problems]
    # Topics: an article that replaces a reply-based page is the same topic.
    standalone = sum(1 for slug in found if not next(iter(found.articles[slug].values())).replaces)

    check_output_folder(out)
    previous = out if (out / MANIFEST).is_file() else None
    old_hashes = read_manifest(out) if previous is not None else {}
    ours = set(old_hashes) | read_manifest_files(out) if previous is not None else set()
    cache = TextCache(out, load=bool(old_hashes))

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        spare_hashes = None
        if claim_spare(out, tmp, use=previous is not None):
            spare_hashes = read_manifest(tmp)
        per_locale = collect_pages(library, found, dataclasses.replace(options, locales=locales), config, cache)
        writer = SiteWriter(tmp, previous, old_hashes, spare_hashes)
        try:
            pagefind = pagefind_binary()
            report = BuildReport(out=out, locales=locales, articles=len(templates) + standalone, warnings=warnings,
                                 search=ENGINE_PAGEFIND if pagefind else ENGINE_SIMPLE)
            spread = _spread(per_locale, locales)
            keywords = page_keywords(library, locales) if pagefind else {}
            _write_pages(writer, per_locale, spread, locales, base_url, config, report, progress, keywords)
            default = config.default_locale if config.default_locale in locales else locales[0]
            _write_static(writer, per_locale, spread, locales, base_url, default)
            report.rendered, report.reused = writer.rendered, writer.reused
            report.pages = len(writer.hashes)
            writer.finish()  # the folder now holds the new site only: Pagefind indexes exactly that
            if pagefind:
                _index_search(writer, tmp, pagefind)
            manifest = {"format": SITE_FORMAT, "generator": "supportkit", "layout": layout_digest(),
                        "pages": writer.hashes, "files": sorted(writer.written | {MANIFEST})}
            writer.file(MANIFEST, json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n")
        finally:
            writer.close()
        if previous is not None:
            report.kept = keep_foreign(out, tmp, writer.written | ours)
        swap_in(tmp, out)
        cache.save(keep=8)  # one file per --out in use
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.seconds = time.perf_counter() - started
    return report


class _Changed(Exception):
    """The previous build's search bundle cannot be reused."""


def _index_search(writer: SiteWriter, tmp: Path, binary: str) -> None:
    """Pagefind's bundle for the finished folder: the previous build's when no file of the site changed."""
    stat = os.stat(binary)
    digest = hashlib.sha1(repr((binary, stat.st_size, stat.st_mtime_ns, sorted(writer.hashes.items()))).encode()
                          ).hexdigest()
    old = sorted(rel for rel, key in writer.old_hashes.items() if rel.startswith(f"{PAGEFIND_FOLDER}/"))

    def changed() -> str:
        raise _Changed

    if old and all(writer.old_hashes[rel] == digest for rel in old):
        try:
            for rel in old:
                writer.output(rel, digest, changed)
            return
        except _Changed:  # a file of the live bundle is gone: index again
            for rel in old:
                writer.hashes.pop(rel, None)
                writer.written.discard(rel)
    shutil.rmtree(tmp / PAGEFIND_FOLDER, ignore_errors=True)
    for rel in run_pagefind(binary, tmp):
        writer.hashes[rel] = digest  # so the next build can link them (``SiteWriter.output``)
        writer.written.add(rel)


def missing_articles(found: ArticleSet, library: Library, config: Config, locales: tuple[str, ...]) -> list[Problem]:
    """Articles a locale shows only as a fallback: not written in it, and no reply-based page to keep."""
    topics, problems = topics_of(found, library, config)
    for topic in topics:
        for code in locales:
            if code in topic.texts or (code == "zh-Hant" and "zh" in topic.texts):
                continue
            if topic.kept_in(code, config.allow_drafts):
                continue
            problems.append(Problem.of(str(topic.source.path), 1, code, N_("article {slug} is missing (add {slug}/{code}.md)"),
                                       check="faq_missing", slug=topic.slug, code=code))
    return problems


def _spread(per_locale: dict[str, list[Article]], locales: tuple[str, ...]) -> dict[str, Spread]:
    """Per article ref: the locales that translate it and the locales that list it at all, in site order."""
    translated_in: dict[str, list[str]] = {}
    present_in: dict[str, list[str]] = {}
    for code in locales:
        for article in per_locale[code]:
            present_in.setdefault(article.ref, []).append(code)
            if not article.is_fallback:
                translated_in.setdefault(article.ref, []).append(code)
    return {ref: (tuple(translated_in.get(ref, ())), tuple(codes)) for ref, codes in present_in.items()}


def _write_pages(writer: SiteWriter, per_locale: dict[str, list[Article]], spread: dict[str, Spread],
                 locales: tuple[str, ...], base_url: str | None, config: Config, report: BuildReport,
                 progress: Callable[[int], None] | None, keywords: dict[str, dict[str, str]]) -> None:
    site_name = config.brand.product
    spread_keys = {ref: ",".join(held) + "\x1f" + ",".join(shown) for ref, (held, shown) in spread.items()}
    default = config.default_locale if config.default_locale in locales else locales[0]

    def absolute(rel: str) -> str | None:
        return base_url + rel if base_url else None

    for locale in locales:
        _ = site_gettext(locale)
        labels = {c: category_label(c, _) for c in {a.category for a in per_locale[locale]}}
        site = {"name": site_name, "footer": _("{product} help center. Support never asks for your recovery "
                                               "phrase or private key.").format(product=site_name)}
        home_alternates = hreflang_alternates([(code, f"{code}/index.html") for code in locales], default, absolute)
        categories: dict[str, dict[str, Any]] = {}
        for article in per_locale[locale]:
            category = article.category
            entry = categories.setdefault(category, {"id": category, "label": labels[category],
                                                     "articles": []})
            entry["articles"].append({
                "href": article.slug, "title": article.title, "lang": article.content_locale,
                "untranslated": LANGUAGE_NAMES.get(article.content_locale, "") if article.is_fallback else "",
            })
        contact = next((a.slug for a in per_locale[locale] if a.slug.removesuffix(".html") == CONTACT_PAGE),
                       f"mailto:{config.brand.support_email}")
        common = {"root": "../", "home": "index.html", "search": "search.html", "ui_lang": locale,
                  "engine": report.search, "contact": contact}
        writer.page(f"{locale}/index.html", "home.html", site, {
            **common, "lang": locale, "title": _("Help center"), "heading": _("How can we help?"),
            "intro": _("Answers and step-by-step guides for your wallet."),
            "description": _("Answers and step-by-step guides for your wallet."),
            "canonical": absolute(f"{locale}/index.html"), "alternates": home_alternates, "noindex": False,
            "switcher": switcher(locale, {code: f"../{code}/index.html" for code in locales}),
            "categories": list(categories.values()), "jsonld": "",
        }, _)
        pages = ArticlePages(locale, locales, default, base_url, site, common, labels, _)
        for article in per_locale[locale]:
            slug, ref = article.slug, article.ref
            words = keywords.get(ref, {}).get(locale, "")
            if article.is_fallback:
                report.fallbacks.append(f"{locale}/{slug}")
            key = hashlib.sha1("\x1f".join((
                pages.key, article.digest, article.content_locale, slug, article.category, str(article.updated),
                "faq" if article.faq else "", spread_keys[ref], words,
            )).encode()).hexdigest()
            writer.keyed_page(f"{locale}/{slug}", key, "article.html", site,
                              functools.partial(article_page, pages, article, *spread[ref], words), _)
        writer.page(f"{locale}/search.html", "search.html", site, {
            **common, "lang": locale, "title": _("Search"), "heading": _("Search results"),
            "description": _("Search the help center"), "canonical": None, "alternates": [], "noindex": True,
            "switcher": switcher(locale, {code: f"../{code}/search.html" for code in locales}),
            "nojs": _("Search needs JavaScript. Browse the topics on the home page instead."), "jsonld": "",
        }, _)
        root_links = {"root": (base_url or "../"), "home": (absolute(f"{locale}/index.html") or "index.html"),
                      "search": (absolute(f"{locale}/search.html") or "search.html"), "ui_lang": locale}
        writer.page(f"{locale}/404.html", "notfound.html", site, {
            **root_links, "lang": locale, "title": _("Page not found"), "heading": _("Page not found"),
            "intro": _("We could not find that page. It may have moved."),
            "description": _("Page not found"), "canonical": None, "alternates": [], "noindex": True,
            "switcher": [], "jsonld": "", "inline_css": inline_css(),
        }, _)
        if progress:
            progress(len(per_locale[locale]) + 3)

    _ = site_gettext(default)
    site = {"name": site_name, "footer": _("{product} help center. Support never asks for your recovery "
                                           "phrase or private key.").format(product=site_name)}
    languages = [{"code": code, "name": LANGUAGE_NAMES.get(code, code), "href": f"{code}/index.html"}
                 for code in locales]
    writer.page("index.html", "root.html", site, {
        "root": "", "home": "index.html", "search": "", "ui_lang": default, "lang": default,
        "title": _("Help center"), "heading": _("Choose your language"), "description": _("Help center"),
        "canonical": absolute(""), "noindex": False, "switcher": [], "languages": languages, "jsonld": "",
        "alternates": hreflang_alternates([(code, f"{code}/index.html") for code in locales], default, absolute),
    }, _)
    writer.page("404.html", "notfound.html", site, {
        "root": base_url or "", "home": (absolute("index.html") or "index.html"), "search": "", "ui_lang": default,
        "lang": default, "title": _("Page not found"), "heading": _("Page not found"),
        "intro": _("We could not find that page. It may have moved."), "description": _("Page not found"),
        "canonical": None, "alternates": [], "noindex": True, "switcher": [], "jsonld": "",
        "inline_css": inline_css(),
    }, _)


def _write_static(writer: SiteWriter, per_locale: dict[str, list[Article]], spread: dict[str, Spread],
                  locales: tuple[str, ...], base_url: str | None, default: str) -> None:
    static = Path(__file__).parent / "static"
    for asset in sorted(static.iterdir()):
        if asset.is_file():
            writer.file(f"static/{asset.name}", asset.read_text(encoding="utf-8"))
    images = {image.rel: image for arts in per_locale.values() for a in arts for image in a.images}
    for rel in sorted(images):
        writer.binary(rel, images[rel].data)

    for locale in locales:
        rel = f"{locale}/search-index.js"
        docs = [f"{a.digest} {a.slug} {a.category}" for a in per_locale[locale]]
        key = hashlib.sha1("\n".join([writer.layout, *docs]).encode()).hexdigest()
        writer.output(rel, key, functools.partial(search_index_script, locale, per_locale[locale]))
    writer.file("robots.txt", "User-agent: *\nAllow: /\n" + (f"Sitemap: {base_url}sitemap.xml\n" if base_url else ""))
    if base_url:
        # The sitemap lists each article in the locales that translate it, with its date.
        dates = {a.ref: a.updated for arts in per_locale.values() for a in arts if not a.is_fallback}
        urls = [f"{ref} {','.join(held)} {dates.get(ref)}" for ref, (held, _shown) in sorted(spread.items())]
        key = hashlib.sha1("\n".join([repr((base_url, default, locales)), *urls]).encode()).hexdigest()
        writer.output("sitemap.xml", key, functools.partial(sitemap, per_locale, locales, base_url, default))

"""``supportkit faq build``: the static, localized help center, top to bottom.

One function, ``build_site``: collect articles (tutorials and replies with an FAQ
question), decide per locale what is shown (translation, honest fallback, or
nothing), render pages, write them into a temporary folder and swap it in only
when everything succeeded. Pages whose inputs did not change are not rendered
again: the temporary folder is the output before last (kept as a spare) with only
what changed since replaced, or else links to the previous output (``_SiteWriter``).
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
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from supportkit.cache import UsedEntries, cache_file, cache_key
from supportkit.config import Config
from supportkit.errors import Problem, SupportkitError
from supportkit.faq.markup import plain_summary, to_html
from supportkit.files import installed_identity
from supportkit.languages import SUPPORTED_LANGUAGES, choose_locale, parse_locale
from supportkit.library import Library, Template
from supportkit.rendering import build_context, render_string
from supportkit.text.chinese import TRADITIONAL, is_traditional_locale, to_traditional

MANIFEST = ".supportkit-site.json"
SITE_FORMAT = 1  # bump when page layout changes so old manifests are not reused
LANGUAGE_NAMES = {"zh": "简体中文", "zh-Hant": "繁體中文", "en": "English", "es": "Español", "ru": "Русский",
                  "fr": "Français"}
SITE_LOCALES = (*SUPPORTED_LANGUAGES, TRADITIONAL)
"""The site's locales: our five languages, and Traditional Chinese (the writers' zh-Hant, else zh converted)."""
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
    locales: tuple[str, ...] = SITE_LOCALES
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
    kept: list[str] = field(default_factory=list)
    """Files in the output that the build did not write (a CNAME, a deploy's files): kept as they were."""

    def to_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "locales": list(self.locales), "articles": self.articles, "pages": self.pages,
                "rendered": self.rendered, "reused": self.reused, "seconds": round(self.seconds, 3),
                "fallbacks": self.fallbacks, "kept": self.kept}


def slug_of(template: Template) -> str:
    """File name of an article: ``tx-pending.html``, ``guide-switch-phone.html``."""
    stem = template.id.replace("_", "-")
    return f"guide-{stem}.html" if template.kind == "tutorial" else f"{stem}.html"


def is_article(template: Template) -> bool:
    """Tutorials and replies that carry an FAQ question become help-center articles."""
    return template.kind == "tutorial" or bool(template.faq)


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
        raise FaqBuildError(f"--base-url must be an absolute http(s) URL, not {base_url[:80]!r}", None,
                            "Example: --base-url https://help.example.com/")
    return base_url if base_url.endswith("/") else base_url + "/"


def strict_problems(articles: list[Template], locales: tuple[str, ...], source_locale: str) -> list[Problem]:
    """Every article that is missing, stale or only a draft in a locale."""
    problems: list[Problem] = []
    for template in articles:
        for code in locales:
            if code == source_locale or _converted_from(template, code):
                continue  # a zh-Hant converted from zh is as current as the zh text (checked as zh)
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

    simplified = translator(locale)
    if locale != TRADITIONAL:
        return simplified
    return lambda message: to_traditional(simplified(message))


def _converted_from(template: Template, locale: str) -> str | None:
    """``zh`` when ``locale`` is zh-Hant and only the Simplified text exists (it is converted), else None."""
    if locale != TRADITIONAL:
        return None
    return choose_locale(locale, tuple(template.locales)).converted_from


def _site_locale(code: str) -> str:
    """A ``--locales`` code as the site names it: zh-TW / zh-HK / zh-Hant -> zh-Hant, es-419 -> es."""
    language, rest = parse_locale(code, "--locales")
    return TRADITIONAL if is_traditional_locale(language, rest) else language


def _category_label(category: str, _: Callable[[str], str]) -> str:
    labels = {
        "getting_started": _("Getting started"), "security": _("Security"), "transfers": _("Transfers"),
        "assets": _("Assets and tokens"), "tokens": _("Tokens"), "fees": _("Network fees"),
        "trading": _("Swaps"), "account": _("Wallet access"), "support": _("Contact and support"),
        "general": _("General"),
    }
    return labels.get(category, category.replace("_", " ").capitalize())


_Spread = tuple[tuple[str, ...], tuple[str, ...]]  # (locales that translate an article, locales that list it)


@dataclass(frozen=True)
class _Article:
    """One article as shown in one locale."""

    template: Template
    ref: str  # ``template.ref`` and ``slug_of(template)``, worked out once per template
    slug: str
    locale: str  # the locale whose pages list it
    content_locale: str  # the language its text is really in
    title: str
    text: str
    digest: str  # of everything the text depends on: page keys use it instead of the whole body

    @property
    def is_fallback(self) -> bool:
        return self.content_locale != self.locale

    # Derived from the text only for pages that are rendered (a rebuild renders few).
    @functools.cached_property
    def body_html(self) -> str:
        return to_html(self.text)

    @functools.cached_property
    def summary(self) -> str:
        return plain_summary(self.text)


def _article_text(template: Template, content_locale: str, config: Config) -> tuple[str, str]:
    """(title, plain text) of an article: the reply without its greeting line to a named customer."""
    written = _converted_from(template, content_locale) or content_locale
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


def _article_key(template: Template, content_locale: str, brand_key: str) -> str:
    """Everything an article's rendered text depends on, hashed (``brand_key``: digest of the brand)."""
    written = _converted_from(template, content_locale) or content_locale
    translation = template.locales[written]
    parts = [template.kind, content_locale, translation.subject, translation.body,
             template.faq.get(content_locale, "") or template.faq.get(written, ""), brand_key]
    if template.variables:  # tutorials mostly have none
        parts.append(repr(sorted((n, v.default_for(content_locale)) for n, v in template.variables.items())))
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


def _collect(library: Library, options: BuildOptions, config: Config, cache: _TextCache) -> dict[str, list[_Article]]:
    """Articles per locale; rendered text comes from ``cache`` (the last build's) when unchanged."""
    articles = [(t, t.ref, slug_of(t)) for t in library if is_article(t)]
    per_locale: dict[str, list[_Article]] = {}
    rendered: dict[tuple[str, str], list[str]] = {}
    brand_key = hashlib.sha1(repr(config.brand).encode()).hexdigest()  # hashed once, not with every article
    for locale in options.locales:
        shown: list[_Article] = []
        for template, ref, slug in articles:
            # As translation_state: missing, draft, stale or ok. Stale text is shown like current
            # text, so staleness (a hash of the source text, for every locale) is not worked out.
            translation = template.locales.get(_converted_from(template, locale) or locale)
            usable = translation is not None and (not translation.is_draft or config.allow_drafts)
            if not usable and options.untranslated == "omit":
                continue
            content_locale = locale if usable else template.source_locale
            key = (ref, content_locale)
            if key not in rendered:
                digest = _article_key(template, content_locale, brand_key)
                entry = cache.get(digest)
                if entry is None:
                    entry = list(_article_text(template, content_locale, config))
                    cache.put(digest, entry)
                rendered[key] = [*entry, digest]
            title, text, digest = rendered[key]
            shown.append(_Article(template, ref, slug, locale, content_locale, title, text, digest))
        shown.sort(key=lambda a: (CATEGORY_ORDER.index(a.template.category)
                                  if a.template.category in CATEGORY_ORDER else 99, a.template.kind, a.title))
        per_locale[locale] = shown
    return per_locale


def _date_text(template: Template, locale: str, _: Callable[[str], str]) -> str:
    if template.updated is None:
        return ""
    return _last_updated(_).format(date=_long_date(template.updated, locale))


# Unformatted strings as functions, so extraction sees the literal and page keys can include it.
def _last_updated(_: Callable[[str], str]) -> str:
    return _("Last updated: {date}")


def _untranslated_notice(_: Callable[[str], str]) -> str:
    return _("This article is not yet available in {language}. It is shown in {original}.")


@functools.lru_cache(maxsize=4096)
def _long_date(day: Any, locale: str) -> str:
    from babel.dates import format_date

    return format_date(day, format="long", locale=locale.replace("-", "_"))  # Babel: zh_Hant, not zh-Hant


@dataclass
class _ArticlePages:
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
        strings = (_untranslated_notice(_), _last_updated(_), _ui_strings(_))
        self.key = hashlib.sha1(repr((
            _layout_digest(), self.locale, self.locales, self.default, self.base_url, self.site, self.common,
            sorted(self.labels.items()), strings,
        )).encode()).hexdigest()

    def absolute(self, rel: str) -> str | None:
        return self.base_url + rel if self.base_url else None


def _article_page(pages: _ArticlePages, article: _Article, translated_in: tuple[str, ...],
                  present_in: tuple[str, ...]) -> dict[str, Any]:
    """The model of one article page, from its arguments only: the page key digests exactly these.

    ``translated_in``/``present_in``: the locales where this article is translated / listed at all.
    """
    template = article.template
    locale = pages.locale
    _ = pages.gettext
    slug = article.slug
    # Alternates list only real translations (a fallback page is a copy of its original).
    alternates = [] if article.is_fallback else _alternates(
        [(code, f"{code}/{slug}") for code in translated_in],
        pages.default if pages.default in translated_in else article.content_locale, pages.absolute)
    switch = {code: (f"../{code}/{slug}" if code in present_in else f"../{code}/index.html")
              for code in pages.locales}
    notice = ""
    if article.is_fallback:
        notice = _untranslated_notice(_).format(
            language=LANGUAGE_NAMES.get(locale, locale),
            original=LANGUAGE_NAMES.get(article.content_locale, article.content_locale))
    faq = bool(template.faq) and not article.is_fallback
    return {
        **pages.common, "lang": article.content_locale, "title": article.title, "description": article.summary,
        "canonical": pages.absolute(f"{article.content_locale}/{slug}"), "alternates": alternates,
        "noindex": False, "switcher": _switcher(locale, switch), "notice": notice,
        "category": {"id": template.category, "label": pages.labels[template.category]},
        "updated": _date_text(template, locale, _), "faq": faq,
        "body": article.body_html, "jsonld": _json_ld(article) if faq else "",
    }


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


_LINK_IN_FOLDERS = os.link in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")  # not on Windows


class _SiteWriter:
    """Writes the new site into ``tmp``, reusing unchanged files.

    ``tmp`` is either empty or the spare: the output before last, which the last build
    swapped out (see ``_swap_in``), with its manifest ``spare_hashes``. A file whose
    key is unchanged since then stays as it is; one unchanged since the last build is
    hard-linked from the live output ``previous``; anything else is produced. So a
    rebuild after a small change touches a few files instead of linking and later
    deleting thousands. Files of the spare are never written to (they may be links to
    the live site): they are unlinked and replaced. ``finish`` removes what the new
    site no longer has; call ``close`` in any case.
    """

    def __init__(self, tmp: Path, previous: Path | None, old_hashes: dict[str, str],
                 spare_hashes: dict[str, str] | None = None) -> None:
        self.layout = _layout_digest()
        self.tmp = tmp
        self.previous = previous
        self.old_hashes = old_hashes
        self.spare_hashes = spare_hashes or {}
        self.hashes: dict[str, str] = {}
        self.written: set[str] = set()
        """Every file of the new site, pages or not."""
        self.rendered = 0
        self.reused = 0
        self._folders: dict[str, int] = {}  # folder under tmp -> descriptor (-1 where links take paths)
        self._old_folders: dict[str, int | None] = {}  # folder under previous -> descriptor (None: missing)
        self._spare_files, self._spare_folders = _scan(tmp) if spare_hashes is not None else (set(), set())

    def output(self, rel: str, key: str, produce: Callable[[], str]) -> None:
        """Write ``rel``, or keep or link an earlier build's file that had the same ``key``."""
        self.hashes[rel] = key
        self.written.add(rel)
        if rel in self._spare_files and self.spare_hashes.get(rel) == key:
            self._spare_files.discard(rel)
            self.reused += 1
        elif self.previous is not None and self.old_hashes.get(rel) == key and self._link(rel):
            self.reused += 1
        else:
            self.file(rel, produce())

    def page(self, rel: str, template_name: str, site: dict[str, Any], page: dict[str, Any],
             gettext: Callable[[str], str]) -> None:
        """Write one page, keyed by all of its inputs.

        The key names every input of the page (dict order is fixed by the code that builds
        it, so ``repr`` is stable), including the template's own UI strings in this locale.
        """
        key = hashlib.sha1(repr((self.layout, template_name, site, page, _ui_strings(gettext))).encode()).hexdigest()
        self.keyed_page(rel, key, template_name, site, lambda: page, gettext)

    def keyed_page(self, rel: str, key: str, template_name: str, site: dict[str, Any],
                   model: Callable[[], dict[str, Any]], gettext: Callable[[str], str]) -> None:
        """Write one page whose inputs the caller digested into ``key``; ``model`` is built only to render."""
        self.output(rel, key, functools.partial(self._render, template_name, site, model, gettext))

    def _render(self, template_name: str, site: dict[str, Any], model: Callable[[], dict[str, Any]],
                gettext: Callable[[str], str]) -> str:
        self.rendered += 1
        return str(_site_environment().get_template(template_name).render(site=site, page=model(), _=gettext))

    def file(self, rel: str, content: str) -> None:
        self.written.add(rel)
        self._place(rel)
        # "x": a new file, never one that exists (it could be the live site's, through a link).
        with open(os.path.join(self.tmp, rel), "x", encoding="utf-8", newline="") as handle:
            handle.write(content)

    def _place(self, rel: str) -> tuple[int, str]:
        """Make room for ``rel`` in the new site: its folder's descriptor and its name."""
        folder, _, name = rel.rpartition("/")
        fd = self._folder(folder)
        if rel in self._spare_files:
            self._spare_files.discard(rel)
            os.unlink(os.path.join(self.tmp, rel))
        elif rel in self._spare_folders:  # a folder where the new site has a file
            self._spare_folders.discard(rel)
            shutil.rmtree(os.path.join(self.tmp, rel))
        return fd, name

    def _link(self, rel: str) -> bool:
        """Link the live site's ``rel`` into the new site; False if it is gone."""
        new_fd, name = self._place(rel)
        try:
            if new_fd < 0:
                os.link(os.path.join(str(self.previous), rel), os.path.join(self.tmp, rel))
            else:
                old_fd = self._old_folder(rel.rpartition("/")[0])
                if old_fd is None:
                    return False
                os.link(name, name, src_dir_fd=old_fd, dst_dir_fd=new_fd)
        except FileNotFoundError:
            return False
        except OSError:  # no hard links here (another file system, FAT): copy instead
            try:
                shutil.copyfile(os.path.join(str(self.previous), rel), os.path.join(self.tmp, rel))
            except FileNotFoundError:
                return False
        return True

    def finish(self) -> None:
        """Remove what the spare held that the new site does not."""
        kept = {f"{folder}/" for folder in self._folders} | {rel.rpartition("/")[0] + "/" for rel in self.hashes}
        for folder in sorted(self._spare_folders, key=len):  # outermost first: rmtree takes what is inside
            path = os.path.join(self.tmp, folder)
            if not any(used.startswith(f"{folder}/") for used in kept) and os.path.lexists(path):
                shutil.rmtree(path)
        for rel in sorted(self._spare_files):
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # in a folder removed above
                os.unlink(os.path.join(self.tmp, rel))
        self._spare_files.clear()
        self._spare_folders.clear()

    def _folder(self, folder: str) -> int:
        fd = self._folders.get(folder)
        if fd is None:
            path = os.path.join(self.tmp, folder)
            if folder in self._spare_files:  # a file where the new site has a folder
                self._spare_files.discard(folder)
                os.unlink(path)
            os.makedirs(path, exist_ok=True)
            fd = self._folders[folder] = os.open(path, os.O_RDONLY | os.O_DIRECTORY) if _LINK_IN_FOLDERS else -1
        return fd

    def _old_folder(self, folder: str) -> int | None:
        if folder not in self._old_folders:
            try:
                fd: int | None = os.open(os.path.join(str(self.previous), folder), os.O_RDONLY | os.O_DIRECTORY)
            except OSError:
                fd = None
            self._old_folders[folder] = fd
        return self._old_folders[folder]

    def close(self) -> None:
        for fd in [*self._folders.values(), *self._old_folders.values()]:
            if fd is not None and fd >= 0:
                os.close(fd)
        self._folders.clear()
        self._old_folders.clear()


def _scan(root: Path) -> tuple[set[str], set[str]]:
    """Relative paths of the files (anything not a folder) and of the folders under ``root``."""
    files: set[str] = set()
    folders: set[str] = set()
    pending = [""]
    while pending:
        folder = pending.pop()
        with os.scandir(os.path.join(root, folder)) as entries:
            for entry in entries:
                rel = f"{folder}/{entry.name}" if folder else entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.add(rel)
                    pending.append(rel)
                else:
                    files.add(rel)
    return files, folders


@functools.lru_cache(maxsize=1)
def _template_messages() -> tuple[str, ...]:
    """The UI strings the site's templates translate themselves: ``_("Skip to content")``."""
    import re

    found: set[str] = set()
    for path in (Path(__file__).parent / "templates").iterdir():
        found.update(m.group(2) for m in re.finditer(r"""_\(\s*(["'])(.*?)\1\s*\)""", path.read_text(encoding="utf-8")))
    return tuple(sorted(found))


def _ui_strings(gettext: Callable[[str], str]) -> tuple[str, ...]:
    """Those strings in one locale: a page key includes them, so a catalog change re-renders."""
    return tuple(gettext(message) for message in _template_messages())


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
    from supportkit.library.store import library_for

    if options.untranslated not in UNTRANSLATED_POLICIES:
        raise FaqBuildError(f"untranslated must be one of {', '.join(UNTRANSLATED_POLICIES)}")
    locales = tuple(dict.fromkeys(_site_locale(code) for code in options.locales))
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
    old_hashes = _read_manifest(out) if previous is not None else {}
    ours = set(old_hashes) | _read_manifest_files(out) if previous is not None else set()
    cache = _TextCache(out, load=bool(old_hashes))

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        spare_hashes = None
        if _claim_spare(out, tmp, use=previous is not None):
            spare_hashes = _read_manifest(tmp)
        per_locale = _collect(library, dataclasses.replace(options, locales=locales), config, cache)
        writer = _SiteWriter(tmp, previous, old_hashes, spare_hashes)
        try:
            report = BuildReport(out=out, locales=locales, articles=len(articles))
            spread = _spread(per_locale, locales)
            _write_pages(writer, per_locale, spread, locales, base_url, config, report, progress)
            default = config.default_locale if config.default_locale in locales else locales[0]
            _write_static(writer, per_locale, spread, locales, base_url, default)
            report.rendered, report.reused = writer.rendered, writer.reused
            report.pages = len(writer.hashes)
            manifest = {"format": SITE_FORMAT, "generator": "supportkit", "layout": _layout_digest(),
                        "pages": writer.hashes, "files": sorted(writer.written | {MANIFEST})}
            writer.file(MANIFEST, json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n")
            writer.finish()
        finally:
            writer.close()
        if previous is not None:
            report.kept = _keep_foreign(out, tmp, writer.written | ours)
        _swap_in(tmp, out)
        cache.save(keep=8)  # one file per --out in use
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.seconds = time.perf_counter() - started
    return report


def _article_cache_key(out: Path) -> str:
    """The text cache's key: the site folder, and the code that renders the text (this module,
    ``rendering`` and its budgets, Jinja2, Babel); the entries' digests name the content only."""
    import supportkit.rendering
    import supportkit.rendering.budget

    return cache_key(str(out), installed_identity("jinja2"), installed_identity("babel"),
                     code=(__file__, supportkit.rendering.__file__, supportkit.rendering.budget.__file__))


def _article_cache_path(out: Path) -> Path:
    """Rendered article text from the last build of ``out``, kept out of the published folder."""
    return cache_file("faq", _article_cache_key(out))


class _TextCache(UsedEntries):
    """Rendered article title and text from the last build of ``out``, by content digest.

    Rewriting the file costs a few µs per entry, rendering one article's text again
    about 0.5 ms: so it is rewritten only when more than 1% of its entries changed, and
    until then the few changed articles are rendered again (``UsedEntries.save``). It
    holds only what the last written build used, so it never outgrows the site.
    """

    def __init__(self, out: Path, load: bool = True) -> None:
        super().__init__(_article_cache_path(out), _article_cache_key(out), load=load)

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


def _check_output_folder(out: Path) -> None:
    """Refuse to replace a folder that is not a previous build (it may hold someone's files)."""
    if out.exists() and not out.is_dir():
        raise FaqBuildError(f"output path is a file: {out}", None, "Choose a folder for --out.")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise FaqBuildError(f"output folder is not empty and was not built by supportkit: {out}", None,
                            "Choose an empty or new folder for --out.")
    if out == Path(out.anchor) or out == Path.home():
        raise FaqBuildError(f"refusing to build into {out}", None, "Choose a dedicated folder for --out.")


def _read_manifest(folder: Path) -> dict[str, str]:
    """The page keys of the build in ``folder``; none when unreadable or from another layout."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") == SITE_FORMAT and manifest.get("layout") == _layout_digest():
            pages = manifest.get("pages", {})
            if isinstance(pages, dict):
                return pages
    except (OSError, ValueError, AttributeError):
        pass
    return {}


def _read_manifest_files(folder: Path) -> set[str]:
    """Every file the build in ``folder`` wrote (pages or not); empty for a build that did not list them."""
    try:
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {rel for rel in files if isinstance(rel, str)} if isinstance(files, list) else set()


def _keep_foreign(out: Path, tmp: Path, ours: set[str]) -> list[str]:
    """Carry the files of ``out`` that no build wrote (a CNAME, a deploy's verification file) into ``tmp``.

    Links are carried as links (never followed), files as hard links (copies across file
    systems). A file where the new site has one of its own is the site's.
    """
    kept: list[str] = []
    for folder, folders, names in os.walk(out):
        here = Path(folder)
        entries = names + [name for name in folders if (here / name).is_symlink()]
        for name in sorted(entries):
            source = here / name
            rel = source.relative_to(out).as_posix()
            if rel in ours or rel == MANIFEST:
                continue
            target = tmp / rel
            if os.path.lexists(target):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                os.symlink(os.readlink(source), target)
            else:
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copy2(source, target)
            kept.append(rel)
    return sorted(kept)


def _spare_path(out: Path) -> Path:
    """The output before last, kept next to ``out`` for the next build to update (``_swap_in``)."""
    return out.with_name(f".{out.name}.spare")


def _claim_spare(out: Path, tmp: Path, use: bool) -> bool:
    """Move the spare into the empty ``tmp`` to build in; without ``use`` (a clean build), drop it."""
    spare = _spare_path(out)
    try:
        if not stat.S_ISDIR(os.lstat(spare).st_mode):  # a real folder of ours, not a link to elsewhere
            return False
        if use:
            os.replace(spare, tmp)  # atomic: of two builds only one gets it
            return True
    except OSError:
        return False
    shutil.rmtree(spare, ignore_errors=True)
    return False


def _swap_in(tmp: Path, out: Path) -> None:
    """Replace ``out`` with ``tmp`` in two renames, so readers see the old or the new site.

    The old site becomes the spare, for the next build to update in place of a copy.
    """
    os.chmod(tmp, 0o755)
    old = None
    if out.exists():
        try:
            os.rename(out, _spare_path(out))  # fails if another build left a spare meanwhile
        except OSError:
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _spread(per_locale: dict[str, list[_Article]], locales: tuple[str, ...]) -> dict[str, _Spread]:
    """Per article ref: the locales that translate it and the locales that list it at all, in site order."""
    translated_in: dict[str, list[str]] = {}
    present_in: dict[str, list[str]] = {}
    for code in locales:
        for article in per_locale[code]:
            present_in.setdefault(article.ref, []).append(code)
            if not article.is_fallback:
                translated_in.setdefault(article.ref, []).append(code)
    return {ref: (tuple(translated_in.get(ref, ())), tuple(codes)) for ref, codes in present_in.items()}


def _write_pages(writer: _SiteWriter, per_locale: dict[str, list[_Article]], spread: dict[str, _Spread],
                 locales: tuple[str, ...], base_url: str | None, config: Config, report: BuildReport,
                 progress: Callable[[int], None] | None) -> None:
    site_name = config.brand.product
    spread_keys = {ref: ",".join(held) + "\x1f" + ",".join(shown) for ref, (held, shown) in spread.items()}
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
                "href": article.slug, "title": article.title, "lang": article.content_locale,
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
        pages = _ArticlePages(locale, locales, default, base_url, site, common, labels, _)
        for article in per_locale[locale]:
            template, slug, ref = article.template, article.slug, article.ref
            if article.is_fallback:
                report.fallbacks.append(f"{locale}/{slug}")
            key = hashlib.sha1("\x1f".join((
                pages.key, article.digest, article.content_locale, slug, template.category, str(template.updated),
                "faq" if template.faq else "", spread_keys[ref],
            )).encode()).hexdigest()
            writer.keyed_page(f"{locale}/{slug}", key, "article.html", site,
                              functools.partial(_article_page, pages, article, *spread[ref]), _)
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


def _write_static(writer: _SiteWriter, per_locale: dict[str, list[_Article]], spread: dict[str, _Spread],
                  locales: tuple[str, ...], base_url: str | None, default: str) -> None:
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
        docs = [f"{a.digest} {a.slug} {a.template.category}" for a in per_locale[locale]]
        key = hashlib.sha1("\n".join([writer.layout, repr(strings), *docs]).encode()).hexdigest()
        writer.output(rel, key, functools.partial(search_index_script, locale, per_locale[locale], strings))
    writer.file("robots.txt", "User-agent: *\nAllow: /\n" + (f"Sitemap: {base_url}sitemap.xml\n" if base_url else ""))
    if base_url:
        # The sitemap lists each article in the locales that translate it, with its date.
        dates = {a.ref: a.template.updated for arts in per_locale.values() for a in arts if not a.is_fallback}
        urls = [f"{ref} {','.join(held)} {dates.get(ref)}" for ref, (held, _shown) in sorted(spread.items())]
        key = hashlib.sha1("\n".join([repr((base_url, default, locales)), *urls]).encode()).hexdigest()
        writer.output("sitemap.xml", key, functools.partial(_sitemap, per_locale, locales, base_url, default))


def _sitemap(per_locale: dict[str, list[_Article]], locales: tuple[str, ...], base_url: str, default: str) -> str:
    from html import escape

    rows = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    translated = {loc: {a.ref: a for a in arts if not a.is_fallback} for loc, arts in per_locale.items()}

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
        alternates = [(code, f"{code}/{a.slug}") for code, a in holders]
        x_default = next((rel for code, rel in alternates if code == default), alternates[0][1])
        for _code, article in holders:
            updated = article.template.updated.isoformat() if article.template.updated else None
            url(f"{article.locale}/{article.slug}", [*alternates, ("x-default", x_default)], updated)
    rows.append("</urlset>")
    return "\n".join(rows) + "\n"

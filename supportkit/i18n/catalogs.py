"""gettext catalogs for supportkit's own strings (CLI and FAQ site): extract, update, compile, check.

``locales/messages.pot`` is extracted with Babel from the Python code and the FAQ
site templates; ``locales/<ll>/LC_MESSAGES/messages.po`` holds each translation.
Extraction fails loudly when a source pattern matches no file or finds no string
(Babel itself writes an empty catalog and exits 0). ``.mo`` files are built from the
``.po`` files into a cache at run time (``compiled_catalog``) or into the wheel at
build time; they are never committed.

Run ``python -m supportkit.i18n.catalogs update`` after changing UI strings: it
re-extracts ``messages.pot`` and merges it into every ``.po``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supportkit.errors import CatalogError
from supportkit.writers.checks import Finding, Rule

DOMAIN = "messages"
CATALOG_LOCALES = ("zh", "es", "ru", "fr")
"""Locales with a catalog; ``en`` is the source language of every msgid."""
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SOURCES: tuple[tuple[str, str, str], ...] = (
    ("supportkit", "**/*.py", "python"),
    ("supportkit/faq/templates", "**/*.html", "jinja2.ext:babel_extract"),
)
"""(folder under the project root, glob, Babel extraction method); each must yield strings."""
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
COPYRIGHT_HOLDER = "supportkit contributors"
MSGID_BUGS_ADDRESS = "https://github.com/supportkit/supportkit/issues"


def extract_messages(project_root: Path) -> Any:
    """A Babel catalog of every UI string in the code and site templates; CatalogError if any source finds none."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    from supportkit import __version__

    catalog = Catalog(project="supportkit", version=__version__, copyright_holder=COPYRIGHT_HOLDER,
                      msgid_bugs_address=MSGID_BUGS_ADDRESS, charset="utf-8")
    for folder, pattern, method in SOURCES:
        base = project_root / folder
        files = sorted(p for p in base.glob(pattern) if p.is_file() and "__pycache__" not in p.parts)
        if not files:
            raise CatalogError(f"extraction found no {pattern} files under {folder}", str(base),
                               "Check the SOURCES patterns in supportkit/i18n/catalogs.py.")
        found = 0
        for path in files:
            options = {"extensions": "jinja2.ext.do"} if method.startswith("jinja2") else {}
            for lineno, message, comments, context in extract_from_file(
                    method, str(path), keywords=KEYWORDS, options=options, strip_comment_tags=True):
                relative = path.relative_to(project_root).as_posix()
                catalog.add(message, None, [(relative, lineno)], auto_comments=comments, context=context)
                found += 1
        if not found:
            raise CatalogError(f"extraction found no translatable strings in {folder}/{pattern}", str(base),
                               "Strings must be wrapped in _() (or ngettext()); check the extraction method.")
    if len(catalog) == 0:
        raise CatalogError("extraction found no strings at all", str(project_root))
    return catalog


def write_pot(project_root: Path, pot_path: Path) -> int:
    """Extract into ``pot_path``; returns the number of messages."""
    from babel.messages.pofile import write_po

    catalog = extract_messages(project_root)
    pot_path.parent.mkdir(parents=True, exist_ok=True)
    with pot_path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=False, include_lineno=False)
    return len(catalog)


def update_catalogs(locales_dir: Path, locales: Iterable[str] = CATALOG_LOCALES) -> dict[str, int]:
    """Merge ``messages.pot`` into each ``.po`` (creating missing ones); returns untranslated counts."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    pot_path = locales_dir / f"{DOMAIN}.pot"
    with pot_path.open("rb") as handle:
        template = read_po(handle)
    counts: dict[str, int] = {}
    for code in locales:
        po_path = locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po_path.is_file():
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=code)
        else:
            catalog = Catalog(locale=code, domain=DOMAIN, charset="utf-8")
        # No fuzzy matching: a guessed translation of a different string is worse than none.
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        po_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("wb") as handle:
            write_po(handle, catalog, width=100, include_lineno=False, ignore_obsolete=True)
        counts[code] = sum(1 for m in catalog if m.id and not _translated(m))
    return counts


def _translated(message: Any) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    return all(strings)


def _mo_bytes(po_path: Path) -> bytes:
    """The ``.mo`` compiled from ``po_path`` (fuzzy entries left out, as gettext does)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compile_catalog(po_path: Path, mo_path: Path) -> None:
    """``.po`` -> ``.mo`` file (fuzzy entries left out, as gettext does)."""
    from supportkit.files import write_bytes

    data = _mo_bytes(po_path)
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(mo_path, data, keep_mode=True)


def compiled_catalog(locales_dir: Path, locale: str) -> bytes | None:
    """The current ``.mo`` data for ``locale``: built beside the ``.po`` (wheel) or compiled into the cache.

    The cache entry is keyed by the ``.po`` file, this module and Babel, and read only from a
    trusted cache folder (``supportkit.cache``): UI text is shown to agents as the tool's own.
    """
    po_path = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    beside = po_path.with_suffix(".mo")
    try:
        po_stat = po_path.stat()
    except OSError:
        po_stat = None  # a wheel ships the .mo only
    try:
        if po_stat is None or beside.stat().st_mtime_ns >= po_stat.st_mtime_ns:
            return beside.read_bytes()
    except OSError:  # no .mo beside the .po: compile it
        if po_stat is None:
            return None
    from supportkit.cache import read_data, write_data

    path, key = _cache_entry(po_path, locale)
    data = read_data(path, key)
    if type(data) is bytes:
        return data
    try:
        data = _mo_bytes(po_path)
    except (OSError, ValueError) as exc:
        raise CatalogError(f"cannot compile the {locale} catalog: {exc}", str(po_path)) from None
    write_data(path, key, data, keep=2)
    return data


def _cache_entry(po_path: Path, locale: str) -> tuple[Path, str]:
    """Cache file and key of the ``.mo`` compiled from ``po_path``: the file, this module, Babel."""
    from supportkit.cache import cache_file, cache_key
    from supportkit.files import installed_identity

    info = po_path.stat()
    key = cache_key(str(po_path.resolve()), info.st_mtime_ns, info.st_size, installed_identity("babel"),
                    code=(__file__,))
    return cache_file(f"catalog-{locale}", key), key


def compile_all(locales_dir: Path, out_dir: Path | None = None) -> list[Path]:
    """Compile every ``.po`` under ``locales_dir`` (beside it, or mirrored into ``out_dir``)."""
    written = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        relative = po_path.relative_to(locales_dir).with_suffix(".mo")
        mo_path = (out_dir or locales_dir) / relative
        compile_catalog(po_path, mo_path)
        written.append(mo_path)
    return written


# --- checks ---------------------------------------------------------------------------------

CATALOG_RULES: list[Rule] = []


def catalog_rule(rule_id: str, severity: str, summary: str) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    """Register a catalog rule under a stable id."""

    def register(func: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        CATALOG_RULES.append(Rule(rule_id, severity, summary, func, scope="catalog"))
        return func

    return register


@dataclass
class PoView:
    """One parsed ``.po`` file."""

    path: Path
    locale: str
    catalog: Any
    template_ids: set[Any] | None

    def finding(self, rule_id: str, line: int, message: str, severity: str | None = None) -> Finding:
        default = next((r.severity for r in CATALOG_RULES if r.id == rule_id), "error")
        return Finding(str(self.path), line, self.locale, DOMAIN, rule_id, severity or default, message)

    def messages(self) -> Iterator[Any]:
        for message in self.catalog:
            if message.id:
                yield message


@functools.lru_cache(maxsize=16)
def expected_plurals(locale: str) -> int:
    """How many plural forms gettext uses for ``locale`` (ru 3, fr 3 since Babel 2.19, zh 1...)."""
    from babel.messages.plurals import get_plural

    return get_plural(locale).num_plurals


@catalog_rule("catalog_plurals", "error", "wrong nplurals for the locale, or a plural form left empty")
def check_catalog_plurals(view: PoView) -> Iterator[Finding]:
    expected = expected_plurals(view.locale)
    if view.catalog.num_plurals != expected:
        yield view.finding("catalog_plurals", 1, f"Plural-Forms says nplurals={view.catalog.num_plurals}, "
                                                  f"{view.locale} needs {expected}")
    for message in view.messages():
        if isinstance(message.id, (list, tuple)) and any(message.string) and not all(message.string):
            empty = [str(i) for i, s in enumerate(message.string) if not s]
            yield view.finding("catalog_plurals", message.lineno,
                               f"{message.id[0]!r}: plural form msgstr[{', '.join(empty)}] is missing or empty "
                               f"({view.locale} needs {expected} forms)")


_BRACE_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:[!:][^{}]*)?\}")
_PRINTF_RE = re.compile(r"%\(([A-Za-z_][A-Za-z0-9_]*)\)[sdifr]")


def placeholders(text: str) -> set[str]:
    """Named placeholders of a UI string: ``{name}`` and ``%(name)s``."""
    return set(_BRACE_RE.findall(text)) | {f"%({n})" for n in _PRINTF_RE.findall(text)}


@catalog_rule("catalog_placeholders", "error", "a translation's {placeholders} differ from the msgid's")
def check_catalog_placeholders(view: PoView) -> Iterator[Finding]:
    for message in view.messages():
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        wanted = set().union(*(placeholders(i) for i in ids))
        for string in strings:
            if not string:
                continue
            have = placeholders(string)
            if have != wanted:
                extra = sorted(have - wanted)
                missing = sorted(wanted - have)
                parts = ([f"unknown {', '.join('{' + n + '}' for n in extra)}"] if extra else []) + \
                        ([f"missing {', '.join('{' + n + '}' for n in missing)}"] if missing else [])
                yield view.finding("catalog_placeholders", message.lineno, f"{ids[0]!r}: {'; '.join(parts)}")
                break


@catalog_rule("catalog_fuzzy", "warning", "a fuzzy entry (not used until someone confirms it)")
def check_catalog_fuzzy(view: PoView) -> Iterator[Finding]:
    for message in view.messages():
        if message.fuzzy:
            ident = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            yield view.finding("catalog_fuzzy", message.lineno, f"{ident!r}: fuzzy translation, review and drop the flag")


@catalog_rule("catalog_untranslated", "warning", "a string with no translation (shown in English)")
def check_catalog_untranslated(view: PoView) -> Iterator[Finding]:
    for message in view.messages():
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        if not message.fuzzy and not any(strings):
            ident = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            yield view.finding("catalog_untranslated", message.lineno, f"{ident!r}: not translated")


@catalog_rule("catalog_outdated", "warning", "the .po lacks strings of messages.pot (run the update)")
def check_catalog_outdated(view: PoView) -> Iterator[Finding]:
    if view.template_ids is None:
        return
    have = {m.id for m in view.messages()}
    missing = [i for i in view.template_ids if i not in have]
    if missing:
        first = missing[0][0] if isinstance(missing[0], (list, tuple)) else missing[0]
        yield view.finding("catalog_outdated", 1, f"{len(missing)} string(s) of {DOMAIN}.pot missing, e.g. {first!r}; "
                                                  "run `python -m supportkit.i18n.catalogs update`")


def _language_of(path: Path, catalog: Any) -> str:
    if catalog is not None and catalog.locale is not None:
        return str(catalog.locale.language)
    try:
        header = re.search(r'^"Language: ([A-Za-z]+)', path.read_text(encoding="utf-8", errors="replace"), re.MULTILINE)
    except OSError:
        header = None
    if header:
        return header.group(1).lower()
    parts = path.parts
    return parts[-3] if len(parts) >= 3 and parts[-2] == "LC_MESSAGES" else "und"


def check_po_file(path: Path, template_ids: set[Any] | None = None, disabled: set[str] | frozenset[str] = frozenset()) -> list[Finding]:
    """Every enabled catalog rule on one ``.po`` file."""
    from babel.messages.pofile import PoFileError, read_po

    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except PoFileError as exc:
        reason = re.sub(r" on \d+$", "", str(exc))
        return [Finding(str(path), exc.lineno + 1, _language_of(path, None), DOMAIN, "catalog_syntax", "error",
                        f"cannot parse: {reason}")]
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return [Finding(str(path), 1, _language_of(path, None), DOMAIN, "catalog_syntax", "error",
                        f"cannot read: {exc}")]
    view = PoView(path, _language_of(path, catalog), catalog, template_ids)
    findings: list[Finding] = []
    for registered in CATALOG_RULES:
        if registered.id not in disabled:
            findings.extend(registered.func(view))
    return findings


def check_catalogs(path: Path, disabled: set[str] | frozenset[str] = frozenset()) -> tuple[list[Finding], int]:
    """Check a locales folder (every ``.po``, against ``messages.pot``) or one ``.po``; returns findings and files checked."""
    from babel.messages.pofile import read_po

    if path.suffix == ".pot":
        return [], 0
    if path.is_file():
        return check_po_file(path, None, disabled), 1
    template_ids: set[Any] | None = None
    pot = path / f"{DOMAIN}.pot"
    if pot.is_file():
        with pot.open("rb") as handle:
            template_ids = {m.id for m in read_po(handle) if m.id}
    files = sorted(path.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    findings: list[Finding] = []
    for po_path in files:
        findings.extend(check_po_file(po_path, template_ids, disabled))
    if template_ids is not None and "catalog_missing" not in disabled:
        present = {p.parts[-3] for p in files}
        for code in CATALOG_LOCALES:
            if code not in present:
                findings.append(Finding(str(pot), 1, code, DOMAIN, "catalog_missing", "error",
                                        f"no catalog for {code} ({code}/LC_MESSAGES/{DOMAIN}.po)"))
    return findings, len(files)


CATALOG_RULES.append(Rule("catalog_syntax", "error", "a .po file that cannot be parsed", lambda view: (), "catalog"))
CATALOG_RULES.append(Rule("catalog_missing", "error", "a supported locale has no .po file", lambda view: (), "catalog"))


def main(argv: list[str] | None = None) -> int:
    """``python -m supportkit.i18n.catalogs extract|update|compile [--out DIR]`` for maintainers."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m supportkit.i18n.catalogs", description=main.__doc__)
    parser.add_argument("action", choices=["extract", "update", "compile"])
    parser.add_argument("--root", type=Path, default=PACKAGE_ROOT.parent, help="project root (default: this checkout)")
    parser.add_argument("--out", type=Path, help="compile: write .mo files here instead of beside the .po")
    args = parser.parse_args(argv)
    locales_dir = args.root / "locales"
    try:
        if args.action in ("extract", "update"):
            count = write_pot(args.root, locales_dir / f"{DOMAIN}.pot")
            print(f"{locales_dir / (DOMAIN + '.pot')}: {count} strings")
        if args.action == "update":
            for code, missing in update_catalogs(locales_dir).items():
                print(f"{code}: {missing} untranslated")
        if args.action == "compile":
            for path in compile_all(locales_dir, args.out):
                print(path)
    except CatalogError as exc:
        print(f"Error: {exc.message}")
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

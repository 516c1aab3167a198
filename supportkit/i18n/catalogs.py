"""gettext catalogs for supportkit's own strings (CLI and FAQ site): extract, update, compile.

Their checks are writers' rules: ``supportkit.writers.checks.catalogs``.

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

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from supportkit.errors import CatalogError
from supportkit.languages import TRANSLATED_LANGUAGES

DOMAIN = "messages"
CATALOG_LOCALES = TRANSLATED_LANGUAGES
"""Locales with a catalog; ``en`` is the source language of every msgid."""
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SOURCES: tuple[tuple[str, str, str], ...] = (
    ("supportkit", "**/*.py", "python"),
    ("supportkit/faq/templates", "**/*.html", "jinja2.ext:babel_extract"),
)
"""(folder under the project root, glob, Babel extraction method); each must yield strings."""
MO_CACHE_FORMAT = 1
"""Layout of a compiled catalog in the cache (bumped when it changes)."""
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

    key = cache_key(MO_CACHE_FORMAT, sources=(po_path.resolve(),), dependencies=("babel",), code=(__file__,))
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

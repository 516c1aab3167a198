"""gettext catalogs for supportkit's own strings (CLI and FAQ site): extract, update, compile.

Their checks are writers' rules: ``supportkit.writers.checks.catalogs``.

``locales/messages.pot`` is extracted with Babel from the Python code and the FAQ
site templates; ``locales/<ll>/LC_MESSAGES/messages.po`` holds each translation.
Extraction fails loudly when a source pattern matches no file or finds no string
(Babel itself writes an empty catalog and exits 0). ``.mo`` files are built from the
``.po`` files into a cache at run time (``compiled_catalog``) or into the wheel at
build time; they are never committed.

Run ``supportkit catalogs update`` (or ``python -m supportkit.i18n.catalogs update``) after
changing UI strings: it re-extracts ``messages.pot`` and merges it into every ``.po``. Output is
deterministic: same width, same order, and a file is rewritten only when more than its date would
change, so an update on a clean checkout changes nothing. ``supportkit catalogs check`` fails when
an update would change a file or a catalog is incomplete or fuzzy.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from supportkit.errors import N_, CatalogError, N_plural, Problem
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
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "N_plural": (1, 2)}
"""Babel keywords: ``N_``/``N_plural`` mark msgids translated when shown (help texts, errors)."""
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
            raise CatalogError(N_("extraction found no {pattern} files under {folder}"), str(base),
                               N_("Check the SOURCES patterns in supportkit/i18n/catalogs.py."),
                               pattern=pattern, folder=folder)
        found = 0
        for path in files:
            options = {"extensions": "jinja2.ext.do"} if method.startswith("jinja2") else {}
            for lineno, message, comments, context in extract_from_file(
                    method, str(path), keywords=KEYWORDS, options=options, strip_comment_tags=True):
                relative = path.relative_to(project_root).as_posix()
                catalog.add(message, None, [(relative, lineno)], auto_comments=comments, context=context)
                found += 1
        if not found:
            raise CatalogError(N_("extraction found no translatable strings in {folder}/{pattern}"), str(base),
                               N_("Strings must be wrapped in _() (or ngettext()); check the extraction method."),
                               pattern=pattern, folder=folder)
    if len(catalog) == 0:
        raise CatalogError(N_("extraction found no strings at all"), str(project_root))
    return catalog


def _po_bytes(catalog: Any, **options: Any) -> bytes:
    """``catalog`` as ``.po``/``.pot`` text, always with the same width and order."""
    import io

    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, include_lineno=False, **options)
    return buffer.getvalue()


def _creation_date(path: Path) -> Any:
    """The ``POT-Creation-Date`` of an existing catalog, or None."""
    from babel.messages.pofile import read_po

    try:
        with path.open("rb") as handle:
            return read_po(handle).creation_date
    except (OSError, ValueError, SyntaxError):
        return None


def pot_bytes(project_root: Path, pot_path: Path) -> tuple[bytes, int]:
    """The ``messages.pot`` extraction gives now, and its number of messages.

    Deterministic: when only the date would differ from the file at ``pot_path``, that file's
    ``POT-Creation-Date`` is kept, so an update on a clean checkout changes no byte.
    """
    catalog = extract_messages(project_root)
    previous = _creation_date(pot_path)
    if previous is not None:
        fresh = catalog.creation_date
        catalog.creation_date = previous
        data = _po_bytes(catalog, omit_header=False, sort_output=False)
        try:
            same = pot_path.read_bytes() == data
        except OSError:
            same = False
        if same:
            return data, len(catalog)
        catalog.creation_date = fresh
    return _po_bytes(catalog, omit_header=False, sort_output=False), len(catalog)


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` unless ``path`` already holds exactly it; True when the file changed."""
    from supportkit.files import write_bytes

    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, data, keep_mode=True)
    return True


def write_pot(project_root: Path, pot_path: Path) -> int:
    """Extract into ``pot_path`` (left untouched when nothing but the date would change); returns the
    number of messages."""
    data, count = pot_bytes(project_root, pot_path)
    _write_if_changed(pot_path, data)
    return count


def merged_po(template: Any, po_path: Path, code: str) -> tuple[bytes, int]:
    """``po_path`` merged with the ``template`` catalog (created when missing), and how many strings
    stay untranslated. The same inputs always give the same bytes."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    if po_path.is_file():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=code)
    else:
        catalog = Catalog(locale=code, domain=DOMAIN, charset="utf-8")
    # No fuzzy matching: a guessed translation of a different string is worse than none.
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()
    return _po_bytes(catalog, ignore_obsolete=True), sum(1 for m in catalog if m.id and not _translated(m))


def _read_template(locales_dir: Path) -> Any:
    from babel.messages.pofile import read_po

    with (locales_dir / f"{DOMAIN}.pot").open("rb") as handle:
        return read_po(handle)


def po_path_of(locales_dir: Path, code: str) -> Path:
    """Where the catalog of ``code`` lives under ``locales_dir``."""
    return locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def update_catalogs(locales_dir: Path, locales: Iterable[str] = CATALOG_LOCALES) -> dict[str, int]:
    """Merge ``messages.pot`` into each ``.po`` (creating missing ones, rewriting only those that change);
    returns untranslated counts."""
    template = _read_template(locales_dir)
    counts: dict[str, int] = {}
    for code in locales:
        po_path = po_path_of(locales_dir, code)
        data, counts[code] = merged_po(template, po_path, code)
        _write_if_changed(po_path, data)
    return counts


def stale_files(project_root: Path, locales_dir: Path, locales: Iterable[str] = CATALOG_LOCALES) -> list[Problem]:
    """The catalog files ``update`` would change: ``messages.pot`` behind the code, a ``.po`` not merged
    with it. Each as a problem at line 1 (``check`` lists the catalogs' own findings)."""
    import io

    from babel.messages.pofile import read_po

    problems: list[Problem] = []
    pot_path = locales_dir / f"{DOMAIN}.pot"
    data, _count = pot_bytes(project_root, pot_path)
    try:
        current = pot_path.read_bytes()
    except OSError:
        current = None
    if current is None:
        problems.append(Problem.of(str(pot_path), 1, "", N_("no {domain}.pot; run `supportkit catalogs update`"),
                                   domain=DOMAIN))
        return problems
    if current != data:
        new_ids = {m.id for m in read_po(io.BytesIO(data)) if m.id}
        try:
            old_ids = {m.id for m in read_po(io.BytesIO(current)) if m.id}
        except (ValueError, SyntaxError):
            old_ids = set()
        added = sorted(new_ids - old_ids, key=str)
        gone = sorted(old_ids - new_ids, key=str)
        if added or gone:
            problems.append(Problem.of(str(pot_path), 1, "", N_plural(
                "{domain}.pot is out of date with the code ({count} new string, {gone} gone, e.g. {example!r}); "
                "run `supportkit catalogs update`",
                "{domain}.pot is out of date with the code ({count} new strings, {gone} gone, e.g. {example!r}); "
                "run `supportkit catalogs update`", len(added)),
                domain=DOMAIN, gone=len(gone), example=_first((added or gone)[0])))
        else:
            problems.append(Problem.of(str(pot_path), 1, "", N_(
                "{domain}.pot is out of date with the code (references or layout differ); "
                "run `supportkit catalogs update`"), domain=DOMAIN))
        return problems  # the .po files are judged against a current template only
    template = read_po(io.BytesIO(current))
    for code in locales:
        po_path = po_path_of(locales_dir, code)
        if not po_path.is_file():
            continue  # the catalog checks report a missing catalog
        try:
            merged, _missing = merged_po(template, po_path, code)
        except (OSError, ValueError, SyntaxError):
            continue  # unreadable: the catalog checks report it with its line
        if po_path.read_bytes() != merged:
            problems.append(Problem.of(str(po_path), 1, code, N_("not merged with {domain}.pot (strings, references "
                                                                 "or layout differ); run `supportkit catalogs update`"),
                                       domain=DOMAIN))
    return problems


def _first(message_id: Any) -> str:
    return str(message_id[0] if isinstance(message_id, (list, tuple)) else message_id)


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
        raise CatalogError(N_("cannot compile the {locale} catalog: {reason}"), str(po_path), locale=locale,
                           reason=str(exc)) from None
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

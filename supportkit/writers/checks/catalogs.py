"""Rules for the gettext catalogs (``locales/<ll>/LC_MESSAGES/messages.po``) against ``messages.pot``."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supportkit.errors import N_, Message, N_plural, Problem
from supportkit.i18n.catalogs import CATALOG_LOCALES, DOMAIN
from supportkit.writers.checks.base import Finding, Rule

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

    def finding(self, rule_id: str, line: int, message: Message, severity: str | None = None) -> Finding:
        default = next((r.severity for r in CATALOG_RULES if r.id == rule_id), "error")
        return Finding.of(str(self.path), line, self.locale, DOMAIN, rule_id, severity or default, message)

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
        yield view.finding("catalog_plurals", 1, Message.of(N_("Plural-Forms says nplurals={found}, {locale} needs "
                                                               "{expected}"), found=view.catalog.num_plurals,
                                                            locale=view.locale, expected=expected))
    for message in view.messages():
        if isinstance(message.id, (list, tuple)) and any(message.string) and not all(message.string):
            empty = [str(i) for i, s in enumerate(message.string) if not s]
            yield view.finding("catalog_plurals", message.lineno, Message.of(
                N_("{msgid!r}: plural form msgstr[{forms}] is missing or empty ({locale} needs {expected} forms)"),
                msgid=message.id[0], forms=", ".join(empty), locale=view.locale, expected=expected))


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
        plural = len(ids) > 1
        for string in strings:
            if not string:
                continue
            have = placeholders(string)
            # A plural form may use the names of either English form ("Did you mean {possibility}?" /
            # "(Possible options: {possibilities})"): the caller passes them all. It may not add one, and
            # a singular string must keep every name.
            if have - wanted or (not plural and have != wanted) or (plural and not have and wanted):
                extra = sorted(have - wanted)
                missing = sorted(wanted - have)
                names = {"msgid": ids[0], "extra": ", ".join("{" + n + "}" for n in extra),
                         "missing": ", ".join("{" + n + "}" for n in missing)}
                said = (N_("{msgid!r}: unknown {extra}; missing {missing}") if extra and missing else
                        N_("{msgid!r}: unknown {extra}") if extra else N_("{msgid!r}: missing {missing}"))
                yield view.finding("catalog_placeholders", message.lineno, Message(said, names))
                break


@catalog_rule("catalog_fuzzy", "warning", "a fuzzy entry (not used until someone confirms it)")
def check_catalog_fuzzy(view: PoView) -> Iterator[Finding]:
    for message in view.messages():
        if message.fuzzy:
            ident = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            yield view.finding("catalog_fuzzy", message.lineno,
                               Message.of(N_("{msgid!r}: fuzzy translation, review and drop the flag"), msgid=ident))


@catalog_rule("catalog_untranslated", "warning", "a string with no translation (shown in English)")
def check_catalog_untranslated(view: PoView) -> Iterator[Finding]:
    for message in view.messages():
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        if not message.fuzzy and not any(strings):
            ident = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            yield view.finding("catalog_untranslated", message.lineno,
                               Message.of(N_("{msgid!r}: not translated"), msgid=ident))


@catalog_rule("catalog_outdated", "warning", "the .po lacks strings of messages.pot (run the update)")
def check_catalog_outdated(view: PoView) -> Iterator[Finding]:
    if view.template_ids is None:
        return
    have = {m.id for m in view.messages()}
    missing = [i for i in view.template_ids if i not in have]
    if missing:
        first = missing[0][0] if isinstance(missing[0], (list, tuple)) else missing[0]
        yield view.finding("catalog_outdated", 1, Message.of(N_plural(
            "{count} string of {domain}.pot missing, e.g. {msgid!r}; run `supportkit catalogs update`",
            "{count} strings of {domain}.pot missing, e.g. {msgid!r}; run `supportkit catalogs update`", len(missing)),
            domain=DOMAIN, msgid=first))


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
        return [Finding.of(str(path), exc.lineno + 1, _language_of(path, None), DOMAIN, "catalog_syntax", "error",
                           Message.of(N_("cannot parse: {reason}"), reason=reason))]
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return [Finding.of(str(path), 1, _language_of(path, None), DOMAIN, "catalog_syntax", "error",
                           Message.of(N_("cannot read: {reason}"), reason=str(exc)))]
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
                findings.append(Finding.of(str(pot), 1, code, DOMAIN, "catalog_missing", "error",
                                           Message.of(N_("no catalog for {code} ({path})"), code=code,
                                                      path=f"{code}/LC_MESSAGES/{DOMAIN}.po")))
    return findings, len(files)


def catalog_problems(project_root: Path, locales_dir: Path) -> list[Problem]:
    """Everything ``supportkit catalogs check`` fails on, each as ``path:line: locale: message``: a file
    ``update`` would change (``messages.pot`` behind the code, a ``.po`` not merged with it), then every
    catalog finding, warnings included (an untranslated or fuzzy string is an incomplete catalog)."""
    from supportkit.i18n.catalogs import stale_files

    findings, _count = check_catalogs(locales_dir)
    outdated = {f.path for f in findings if f.check == "catalog_outdated"}
    problems = [p for p in stale_files(project_root, locales_dir) if p.path not in outdated]
    problems += [Problem(f.path, f.line, f.locale, f.message, severity=f.severity, check=f.check,
                         text=f.said.text if f.said else "", params=tuple(f.said.params.items()) if f.said else ())
                 for f in findings]
    return problems


CATALOG_RULES.append(Rule("catalog_syntax", "error", "a .po file that cannot be parsed", lambda view: (), "catalog"))
CATALOG_RULES.append(Rule("catalog_missing", "error", "a supported locale has no .po file", lambda view: (), "catalog"))

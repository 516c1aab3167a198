"""Lint rules for templates: one small function per rule, registered in ``RULES``.

Every rule has a stable id (used in ``disabled_checks``, ``checks: disable: [...]``,
the allowlist and every finding) and a default severity. A rule gets one template
already parsed (``TemplateView``) and yields findings. ``run_checks`` loads what it
is asked to check, runs every enabled rule, applies the allowlist and returns the
findings; ``format_findings`` prints them as text, GitHub annotations or JSON.

Findings read ``path:line: locale: template: check: message``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from supportkit.config import Config
from supportkit.errors import InputError, Problem
from supportkit.library import Template, Translation, load_template
from supportkit.library.sources import SourceStore, library_root

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Finding:
    """One fault found by a rule, with where it is and how bad it is."""

    path: str
    line: int
    locale: str
    template: str
    check: str
    severity: str
    message: str
    detail: str = ""
    """Extra lines shown under the finding (the source diff of a stale translation)."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.locale or '-'}: {self.template or '-'}: {self.check}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.detail:
            del data["detail"]
        return data


@dataclass(frozen=True)
class Rule:
    """A registered lint rule."""

    id: str
    severity: str
    summary: str
    func: Callable[..., Iterable[Finding]]
    scope: str = "template"


RULES: list[Rule] = []
"""Every template rule, in the order findings are reported (catalog rules live in ``catalogs``)."""

LOADING_CHECKS = {
    "yaml": "the file is not valid YAML (or not UTF-8, or uses anchors/aliases)",
    "schema": "a key, value or locale entry does not follow the template format",
    "source_recorded": "a translation does not record the source digest it was made from",
    "duplicate_id": "two files declare the same template id",
}
"""Findings reported while loading files; they can be switched off like any rule."""


def rule(rule_id: str, severity: str, summary: str) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    """Register a template rule under a stable id."""

    def register(func: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        RULES.append(Rule(rule_id, severity, summary, func))
        return func

    return register


def all_rule_ids() -> list[str]:
    """Every id a writer may switch off: loading checks, template rules, catalog rules."""
    from supportkit.i18n.catalogs import CATALOG_RULES

    return [*LOADING_CHECKS, *(r.id for r in RULES), *(r.id for r in CATALOG_RULES)]


# --- the parsed view a rule works on -------------------------------------------------

# Private-use characters stand in for code so text rules see prose only, while
# offsets (and so line numbers) stay the same as in the file.
TAG_MARK = "\ue000"
"""Replaces ``{% ... %}`` and ``{# ... #}``: renders as nothing."""
VALUE_MARK = "\ue001"
"""Replaces ``{{ ... }}``, URLs, e-mails, addresses: renders as a word."""

_JINJA_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'\u3000-\u303f\uff01-\uff5e]+[^\s<>\"'.,;:!?)\]}\u3000-\u303f\uff01-\uff5e]")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def mask_code(text: str) -> str:
    """``text`` with Jinja code, URLs and e-mails replaced by same-length marks."""

    def repl(match: re.Match[str]) -> str:
        piece = match.group()
        mark = VALUE_MARK if piece.startswith("{{") else TAG_MARK
        if "\n" not in piece:
            return mark * len(piece)
        # Keep newlines so line numbers stay right.
        return "\n".join(mark * len(line) for line in piece.split("\n"))

    masked = _JINJA_RE.sub(repl, text)
    for pattern in (_URL_RE, _EMAIL_RE):
        masked = pattern.sub(lambda m: VALUE_MARK * len(m.group()), masked)
    return masked


@dataclass
class Piece:
    """One field (subject or body) of one locale, parsed once for every rule."""

    locale: str
    field: str
    text: str
    line: int
    masked: str = ""
    ast: Any = None
    syntax_error: Any = None

    def line_at(self, offset: int) -> int:
        """File line of character ``offset`` of the text (block scalars keep their lines)."""
        return self.line + self.text.count("\n", 0, max(0, offset))


@dataclass
class TemplateView:
    """A template with its pieces parsed, shared by every rule."""

    template: Template
    config: Config
    store: SourceStore | None
    pieces: dict[tuple[str, str], Piece] = field(default_factory=dict)
    rendered: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    """Renderings (or the error) per locale, field and values, shared by the rules that render."""
    contexts: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)
    """Rendering contexts per locale and values: a locale's subject and body share one."""

    @property
    def path(self) -> str:
        return str(self.template.path)

    def finding(self, rule_id: str, line: int, locale: str, message: str, severity: str | None = None,
                detail: str = "") -> Finding:
        """A finding of ``rule_id`` on this template (severity defaults to the rule's)."""
        return Finding(self.path, line, locale, self.template.id, rule_id, severity or _severity_of(rule_id),
                       message, detail)

    def piece(self, locale: str, name: str) -> Piece | None:
        return self.pieces.get((locale, name))

    def locale_pieces(self, locale: str) -> list[Piece]:
        return [p for p in (self.piece(locale, "subject"), self.piece(locale, "body")) if p is not None]

    def all_pieces(self) -> Iterator[Piece]:
        yield from self.pieces.values()

    def translations(self) -> Iterator[Translation]:
        """Every locale but the source."""
        for code, translation in self.template.locales.items():
            if code != self.template.source_locale:
                yield translation

    @functools.cached_property
    def raw_lines(self) -> list[str]:
        try:
            return self.template.path.read_text(encoding="utf-8-sig").splitlines()
        except OSError:
            return []

    def key_line(self, section: str, locale: str) -> int:
        """Line of ``locale:`` under the top-level ``section:`` (faq, examples)."""
        start = self.template.lines.get(section)
        if start is None:
            return 1
        pattern = re.compile(rf"^\s+['\"]?{re.escape(locale)}['\"]?\s*:")
        for number in range(start, len(self.raw_lines)):
            line = self.raw_lines[number]
            if line and not line[0].isspace() and not line.startswith("#"):
                break
            if pattern.match(line):
                return number + 1
        return start


def _severity_of(rule_id: str) -> str:
    for registered in RULES:
        if registered.id == rule_id:
            return registered.severity
    return "error"


def view_of(template: Template, config: Config, store: SourceStore | None = None) -> TemplateView:
    """Parse every subject and body of ``template`` once in the runtime sandbox."""
    from jinja2 import TemplateSyntaxError

    from supportkit.rendering import parse_source

    view = TemplateView(template, config, store)
    for code, translation in template.locales.items():
        for name, text, line in (("subject", translation.subject, translation.subject_line),
                                 ("body", translation.body, translation.body_line)):
            if name == "subject" and not text:
                continue
            piece = Piece(code, name, text, line, mask_code(text))
            try:
                piece.ast = parse_source(text)
            except TemplateSyntaxError as exc:
                piece.syntax_error = exc
            view.pieces[(code, name)] = piece
    return view


# --- Jinja helpers ----------------------------------------------------------------------

_BLOCK_OPENERS = {"if", "for", "macro", "call", "filter", "raw", "with", "autoescape", "trans", "block"}
_TAG_RE = re.compile(r"\{%-?\+?\s*(\w+)(.*?)-?\+?%\}", re.DOTALL)


def unbalanced_block(text: str) -> tuple[int, str] | None:
    """``(offset, message)`` of the first block tag without its partner, else None."""
    stack: list[tuple[str, int]] = []
    for match in _TAG_RE.finditer(text):
        name, rest = match.group(1), match.group(2)
        if name == "set" and "=" not in rest:
            name = "set_block"
        if name in _BLOCK_OPENERS or name == "set_block":
            stack.append((name, match.start()))
        elif name.startswith("end"):
            wanted = name[3:]
            wanted = "set_block" if wanted == "set" else wanted
            if not stack:
                return match.start(), f"{{% {name} %}} closes nothing"
            opened, offset = stack.pop()
            if opened != wanted:
                label = "set" if opened == "set_block" else opened
                return match.start(), f"{{% {name} %}} found where {{% end{label} %}} was expected"
        elif name in ("else", "elif") and not stack:
            return match.start(), f"{{% {name} %}} outside any {{% if %}} block"
    if stack:
        opened, offset = stack[-1]
        label = "set" if opened == "set_block" else opened
        return offset, f"{{% {label} %}} is never closed ({{% end{label} %}} missing)"
    return None


def _walk(node: Any, kind: type | tuple[type, ...]) -> Iterator[Any]:
    """Nodes of ``kind`` under ``node``; the flat node list is built once per tree (rules walk it often)."""
    from supportkit.rendering import tree_nodes

    return (n for n in tree_nodes(node) if isinstance(n, kind))


def used_names(ast: Any) -> set[str]:
    """Variable names a parsed text reads (``brand`` attributes as ``brand.x``), cached per tree.

    A plain walk over Name nodes: ``jinja2.meta.find_undeclared_variables`` runs the
    code generator and costs ten times more, which matters for a sub-second ``check``.
    """
    cached = getattr(ast, "_supportkit_names", None)
    if cached is not None:
        return set(cached)
    from jinja2 import nodes

    loaded: set[str] = set()
    stored: set[str] = set()
    brand: set[str] = set()
    for node in _walk(ast, (nodes.Name, nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Name):
            (loaded if node.ctx == "load" else stored).add(node.name)
        elif isinstance(node.node, nodes.Name) and node.node.name == "brand":
            if isinstance(node, nodes.Getattr):
                brand.add(f"brand.{node.attr}")
            elif isinstance(node.arg, nodes.Const):
                brand.add(f"brand.{node.arg.value}")
    names = (loaded - stored - {"brand"}) | brand
    ast._supportkit_names = frozenset(names)
    return set(names)


def _name_offset(text: str, name: str) -> int:
    """Offset of the first Jinja expression or tag that mentions ``name``."""
    word = re.compile(rf"(?<![\w.]){re.escape(name)}(?!\w)")
    for match in _JINJA_RE.finditer(text):
        if word.search(match.group()):
            return match.start()
    return 0


def plural_calls(ast: Any) -> Iterator[tuple[int, dict[str, str], Any]]:
    """``(line in text, forms, argument node)`` for every ``| plural(...)`` filter."""
    from jinja2 import nodes

    for node in _walk(ast, nodes.Filter):
        if node.name == "plural":
            forms = {kw.key: kw.value.value for kw in node.kwargs if isinstance(kw.value, nodes.Const)}
            yield node.lineno, forms, node.node


@functools.lru_cache(maxsize=16)
def plural_categories(locale: str) -> frozenset[str]:
    """The CLDR plural categories of ``locale`` (``other`` included)."""
    from babel import Locale

    return frozenset(Locale.parse(locale).plural_form.tags) | {"other"}


# --- running ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllowEntry:
    """One accepted finding, with the reason a writer gave."""

    check: str
    reason: str
    template: str = "*"
    locale: str = "*"
    match: str = ""

    def covers(self, finding: Finding) -> bool:
        return (finding.check == self.check and self.template in ("*", finding.template)
                and self.locale in ("*", finding.locale) and self.match in finding.message)


ALLOWLIST_NAME = "allowlist.toml"


def load_allowlist(root: Path) -> tuple[list[AllowEntry], list[Finding]]:
    """Entries of ``<replies>/allowlist.toml`` (``[[allow]]`` tables), and problems with the file."""
    path = root / ALLOWLIST_NAME
    if not path.is_file():
        return [], []
    import tomllib  # only when there is a list: a few milliseconds of a cold check otherwise

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [], [Finding(str(path), 1, "", "", "allowlist", "error", f"cannot read the allowlist: {exc}")]
    entries: list[AllowEntry] = []
    problems: list[Finding] = []
    for index, item in enumerate(data.get("allow", [])):
        where = f"[[allow]] #{index + 1}"
        if not isinstance(item, dict) or not item.get("check") or not str(item.get("reason", "")).strip():
            problems.append(Finding(str(path), 1, "", "", "allowlist", "error",
                                    f"{where}: every entry needs check and a reason"))
            continue
        entries.append(AllowEntry(str(item["check"]), str(item["reason"]), str(item.get("template", "*")),
                                  str(item.get("locale", "*")), str(item.get("match", ""))))
    return entries, problems


@dataclass
class CheckReport:
    """Findings of one ``check`` run, and what was looked at."""

    findings: list[Finding] = field(default_factory=list)
    templates: int = 0
    catalogs: int = 0
    allowed: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def _from_problem(problem: Problem) -> Finding:
    return Finding(problem.path, problem.line, problem.locale, problem.template, problem.check or "schema",
                   problem.severity, problem.message)


def check_template_file(path: Path, config: Config, store: SourceStore | None = None) -> list[Finding]:
    """Every finding of every enabled rule on one template file (allowlist not applied)."""
    template, problems = load_template(path, config.source_locale)
    findings = [_from_problem(p) for p in problems]
    if template is None:
        return findings
    disabled = set(config.disabled_checks) | set(template.disabled_checks)
    known = set(all_rule_ids())
    for name in template.disabled_checks:
        if name not in known:
            findings.append(Finding(str(path), template.lines.get("checks", 1), "", template.id, "schema", "warning",
                                    f"checks.disable: no rule called {name!r}"))
    view = view_of(template, config, store if store is not None else SourceStore(library_root(path)))
    for registered in RULES:
        if registered.id not in disabled:
            findings.extend(registered.func(view))
    return [f for f in findings if f.check not in disabled]


def _expand(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Template files and catalog folders/files named by ``paths``."""
    templates: list[Path] = []
    catalogs: list[Path] = []
    for path in paths:
        if path.is_dir():
            if (path / "messages.pot").is_file() or any(path.glob("*/LC_MESSAGES/*.po")):
                catalogs.append(path)
                continue
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if (path / "tutorials").is_dir():
                found += sorted(p for p in (path / "tutorials").iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                raise InputError(f"no templates (*.yaml) and no catalogs in {path}", None,
                                 "Pass a replies folder, a locales folder, or files.")
            templates.extend(found)
        elif not path.exists():
            raise InputError(f"no such file or folder: {path}", None, "Pass template files, a replies folder or a locales folder.")
        elif path.suffix in (".po", ".pot"):
            catalogs.append(path)
        elif path.suffix in (".yaml", ".yml"):
            templates.append(path)
        else:
            raise InputError(f"cannot check {path.name}", str(path), "Pass *.yaml templates, *.po catalogs or folders.")
    return templates, catalogs


def run_checks(config: Config, paths: Iterable[Path] = (), locale: str | None = None) -> CheckReport:
    """Check ``paths`` (default: the configured replies and locales folders) with every enabled rule."""
    from supportkit.i18n.catalogs import check_catalogs

    paths = list(paths)
    if not paths:
        paths = [Path(config.replies_dir)]
        if Path(config.locales_dir).is_dir():
            paths.append(Path(config.locales_dir))
    template_files, catalog_paths = _expand(paths)
    report = CheckReport(templates=len(template_files))
    findings: list[Finding] = []
    stores: dict[Path, SourceStore] = {}
    allowlists: dict[Path, list[AllowEntry]] = {}
    seen_ids: dict[tuple[str, str], Path] = {}
    for path in template_files:
        root = library_root(path)
        if root not in stores:
            stores[root] = SourceStore(root)
            allowlists[root], problems = load_allowlist(root)
            findings.extend(problems)
        file_findings = check_template_file(path, config, stores[root])
        key = (str(root), ("tutorials/" if path.parent.name == "tutorials" else "") + path.stem)
        if key in seen_ids and "duplicate_id" not in config.disabled_checks:
            file_findings.append(Finding(str(path), 1, "", path.stem, "duplicate_id", "error",
                                         f"same template as {seen_ids[key].name}"))
        seen_ids[key] = path
        for finding in file_findings:
            if any(entry.covers(finding) for entry in allowlists[root]):
                report.allowed += 1
            else:
                findings.append(finding)
    for catalog in catalog_paths:
        catalog_findings, count = check_catalogs(catalog, disabled=set(config.disabled_checks))
        findings.extend(catalog_findings)
        report.catalogs += count
    if locale:
        findings = [f for f in findings if f.locale in (locale, "")]
    # Within a file, in line order; files keep the order they were named in.
    order = {path: index for index, path in enumerate(dict.fromkeys(f.path for f in findings))}
    report.findings = sorted(findings, key=lambda f: (order[f.path], f.line))
    return report


def format_findings(findings: list[Finding], fmt: str = "text") -> str:
    """Findings as ``text`` lines, GitHub ``github`` annotations or a ``json`` list."""
    if fmt == "json":
        return json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2)
    lines: list[str] = []
    for finding in findings:
        if fmt == "github":
            level = "error" if finding.severity == "error" else "warning"
            message = finding.message + (("\n" + finding.detail) if finding.detail else "")
            title = f"{finding.check} ({finding.locale})" if finding.locale else finding.check
            lines.append(f"::{level} file={_gh(finding.path, True)},line={finding.line},"
                         f"title={_gh(title, True)}::{_gh(message)}")
        else:
            severity = "" if finding.severity == "error" else "warning: "
            lines.append(f"{finding.path}:{finding.line}: {finding.locale or '-'}: {finding.template or '-'}: "
                         f"{finding.check}: {severity}{finding.message}")
            lines.extend(f"    {row}" for row in finding.detail.splitlines())
    return "\n".join(lines)


def _gh(text: str, property_value: bool = False) -> str:
    """Escape text for a GitHub workflow command (``%``, newlines; ``:`` and ``,`` in properties)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


# Importing the rule modules registers their rules, in this order.
from supportkit.writers.checks import code as _code  # noqa: E402
from supportkit.writers.checks import prose as _prose  # noqa: E402,F401

del _code, _prose

"""Lint rules for templates: one small function per rule, registered in ``RULES``.

Every rule has a stable id (used in ``disabled_checks``, ``checks: disable: [...]``,
the allowlist and every finding) and a default severity. A rule gets one template
already parsed (``TemplateView``) and yields findings. ``run_checks`` loads what it
is asked to check, runs every enabled rule, applies the allowlist and returns the
findings; ``format_findings`` prints them as text, GitHub annotations or JSON.

Findings read ``path:line: locale: template: check: message``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from supportkit.config import Config
from supportkit.errors import N_, InputError, Message, Problem
from supportkit.library import load_template
from supportkit.library.sources import SourceStore, library_root
from supportkit.writers.checks import articles, catalogs, code, prose
from supportkit.writers.checks.base import (
    LOADING_CHECKS,
    RULES,
    SEVERITIES,
    Finding,
    Rule,
    TemplateView,
    view_of,
)

__all__ = ["LOADING_CHECKS", "RULES", "SEVERITIES", "CheckReport", "Finding", "Rule", "TemplateView", "all_rule_ids",
           "check_template_file", "format_findings", "load_allowlist", "run_checks", "view_of"]
_RULE_MODULES = (articles, catalogs, code, prose)
"""Imported for their rules: each registers its own on import."""


def all_rule_ids() -> list[str]:
    """Every id a writer may switch off: loading checks, template rules, catalog rules."""
    return [*LOADING_CHECKS, *(r.id for r in RULES), *(r.id for r in catalogs.CATALOG_RULES),
            *(r.id for r in articles.ARTICLE_RULES)]


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
        return [], [Finding.of(str(path), 1, "", "", "allowlist", "error",
                               Message.of(N_("cannot read the allowlist: {reason}"), reason=str(exc)))]
    entries: list[AllowEntry] = []
    problems: list[Finding] = []
    for index, item in enumerate(data.get("allow", [])):
        where = f"[[allow]] #{index + 1}"
        if not isinstance(item, dict) or not item.get("check") or not str(item.get("reason", "")).strip():
            problems.append(Finding.of(str(path), 1, "", "", "allowlist", "error",
                                       Message.of(N_("{entry}: every entry needs check and a reason"), entry=where)))
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
    articles: int = 0
    allowed: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def _from_problem(problem: Problem) -> Finding:
    return Finding(problem.path, problem.line, problem.locale, problem.template, problem.check or "schema",
                   problem.severity, problem.message,
                   said=Message(problem.text, dict(problem.params)) if problem.text else None)


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
            findings.append(Finding.of(str(path), template.lines.get("checks", 1), "", template.id, "schema", "warning",
                                       Message.of(N_("checks.disable: no rule called {name!r}"), name=name)))
    view = view_of(template, config, store if store is not None else SourceStore(library_root(path)))
    for registered in RULES:
        if registered.id not in disabled:
            findings.extend(registered.func(view))
    return [f for f in findings if f.check not in disabled]


def _expand(paths: Iterable[Path]) -> tuple[list[Path], list[Path], list[tuple[Path, Path | None]]]:
    """Template files, catalog folders/files, and article folders (with the one file asked for) named by ``paths``."""
    templates: list[Path] = []
    catalogs: list[Path] = []
    article_roots: list[tuple[Path, Path | None]] = []
    for path in paths:
        if path.is_dir():
            if (path / "messages.pot").is_file() or any(path.glob("*/LC_MESSAGES/*.po")):
                catalogs.append(path)
                continue
            if any(path.glob("*/*.md")):
                article_roots.append((path, None))
                continue
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if (path / "tutorials").is_dir():
                found += sorted(p for p in (path / "tutorials").iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                raise InputError(N_("no templates (*.yaml) and no catalogs in {path}"), None,
                                 N_("Pass a replies folder, a locales folder, or files."), path=str(path))
            templates.extend(found)
        elif not path.exists():
            raise InputError(N_("no such file or folder: {path}"), None,
                             N_("Pass template files, a replies folder or a locales folder."), path=str(path))
        elif path.suffix in (".po", ".pot"):
            catalogs.append(path)
        elif path.suffix == ".md":
            article_roots.append((path.parent.parent, path))
        elif path.suffix in (".yaml", ".yml"):
            templates.append(path)
        else:
            raise InputError(N_("cannot check {name}"), str(path),
                             N_("Pass *.yaml templates, *.po catalogs, *.md articles or folders."), name=path.name)
    return templates, catalogs, article_roots


def run_checks(config: Config, paths: Iterable[Path] = (), locale: str | None = None) -> CheckReport:
    """Check ``paths`` (default: the configured replies and locales folders) with every enabled rule."""
    from supportkit.writers.checks.catalogs import check_catalogs

    paths = list(paths)
    if not paths:
        paths = [Path(config.replies_dir)]
        if Path(config.locales_dir).is_dir():
            paths.append(Path(config.locales_dir))
        if config.articles_root is not None and config.articles_root.is_dir():
            paths.append(config.articles_root)
    template_files, catalog_paths, article_roots = _expand(paths)
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
            file_findings.append(Finding.of(str(path), 1, "", path.stem, "duplicate_id", "error",
                                            Message.of(N_("same template as {name}"), name=seen_ids[key].name)))
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
    for root, only in article_roots:
        article_findings, count = _check_article_root(root, config)
        if only is not None:
            article_findings = [f for f in article_findings if Path(f.path) == only]
            count = 1
        findings.extend(article_findings)
        report.articles += count
    if locale:
        findings = [f for f in findings if f.locale in (locale, "")]
    # Within a file, in line order; files keep the order they were named in.
    order = {path: index for index, path in enumerate(dict.fromkeys(f.path for f in findings))}
    report.findings = sorted(findings, key=lambda f: (order[f.path], f.line))
    return report


def _check_article_root(root: Path, config: Config) -> tuple[list[Finding], int]:
    """The article rules on ``root``; with the configured library when ``root`` is the configured
    articles folder (titles and ``replaces`` are checked against the pages that library makes)."""
    from supportkit.library.store import library_for
    from supportkit.writers.checks.articles import check_articles

    configured = config.articles_root
    library = library_for(config) if configured is not None and configured.resolve() == root.resolve() else None
    return check_articles(root, config, library, set(config.disabled_checks))


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
                         f"{finding.check}: {severity}{finding.shown}")
            lines.extend(f"    {row}" for row in finding.detail.splitlines())
    return "\n".join(lines)


def _gh(text: str, property_value: bool = False) -> str:
    """Escape text for a GitHub workflow command (``%``, newlines; ``:`` and ``,`` in properties)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text



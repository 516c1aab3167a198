"""Translation status of the library: templates x locales, and coverage per locale."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from supportkit.config import Config
from supportkit.errors import Problem
from supportkit.languages import SUPPORTED_LANGUAGES
from supportkit.library import broken_ref

STATES = ("ok", "missing", "stale", "draft", "broken")


@dataclass
class StatusReport:
    """``rows[ref][locale]`` is ok / missing / stale / draft / broken; coverage counts ``ok`` only.

    A template whose file cannot be loaded is ``broken`` in every locale, and ``broken`` holds
    why (``path:line: -: message``).
    """

    locales: tuple[str, ...]
    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    broken: list[Problem] = field(default_factory=list)

    def coverage(self, locale: str) -> float:
        """Share of templates whose ``locale`` text is approved and current, in percent."""
        if not self.rows:
            return 0.0
        good = sum(1 for states in self.rows.values() if states.get(locale) == "ok")
        return 100.0 * good / len(self.rows)

    def counts(self, locale: str) -> dict[str, int]:
        return {state: sum(1 for s in self.rows.values() if s.get(locale) == state) for state in STATES}

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON: ``templates`` (ref -> locale -> state), ``locales`` (coverage and counts) and
        ``broken`` (ref, path, line, message of each file that cannot be loaded)."""
        return {
            "templates": self.rows,
            "locales": {code: {"coverage": round(self.coverage(code), 1), **self.counts(code)} for code in self.locales},
            "broken": [{"ref": broken_ref(p), "path": p.path, "line": p.line, "message": p.message}
                       for p in self.broken],
        }


def translation_status(config: Config, locales: tuple[str, ...] = SUPPORTED_LANGUAGES) -> StatusReport:
    """The state of every template in every locale (loading problems do not hide the table)."""
    from supportkit.library import load_library

    library = load_library(config.replies_dir, config.source_locale, strict=False)
    report = StatusReport(locales, broken=list(library.broken))
    for problem in library.broken:
        ref = broken_ref(problem)
        if ref not in library.templates:  # a duplicate of a loaded template keeps that template's row
            report.rows[ref] = dict.fromkeys(locales, "broken")
    for template in library:
        report.rows[template.ref] = {code: template.translation_state(code) for code in locales}
    return report


def status_table(report: StatusReport, labels: dict[str, str] | None = None) -> str:
    """A plain-text table: one row per template, one column per locale, coverage at the foot."""
    labels = labels or {}
    width = max([len(ref) for ref in report.rows] + [8])
    column = max([len(labels.get(s, s)) for s in STATES] + [6]) + 1
    lines = [(" " * width + "  " + "".join(code.ljust(column) for code in report.locales)).rstrip()]
    for ref, states in report.rows.items():
        cells = "".join(labels.get(states[code], states[code]).ljust(column) for code in report.locales)
        lines.append(f"{ref.ljust(width)}  {cells}".rstrip())
    coverage = "".join(f"{report.coverage(code):.0f}%".ljust(column) for code in report.locales)
    lines.append(f"{labels.get('coverage', 'coverage').ljust(width)}  {coverage}".rstrip())
    return "\n".join(lines)

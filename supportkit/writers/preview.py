"""One template rendered in every locale with edge-case values, for review.

``supportkit preview ID`` shows each case (example values, empty values, long
names, plural counts 0 1 2 5 11 21 1.5, a tiny BTC amount) in zh en es ru fr, as
text or as one self-contained HTML page (a table: cases x locales). A reply is also
shown as a customer who pasted a recovery phrase gets it (greeting, safety notice, then
the body rendered with ``secret_found``), and as an urgent message gets it when the
template branches on ``urgent``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from supportkit.config import Config
from supportkit.languages import SUPPORTED_LANGUAGES
from supportkit.library import Template

EXAMPLE_BY_TYPE = {"text": "Ana", "number": "2", "amount": "1150.5", "date": "2026-11-22",
                   "url": "https://example.org/help"}
"""Values for variables that declare no example."""
PLURAL_COUNTS = ("0", "1", "2", "5", "11", "21", "1.5")
"""Counts that reach every CLDR plural category of zh en es ru fr (and decimals)."""
TINY_AMOUNT = "0.00123456"
LONG_TEXT = "Maximilian-Alexander Ó Súilleabháin-Wolfeschlegelsteinhausen y de la Santísima Trinidad"


@dataclass(frozen=True)
class Case:
    """One set of variable values to render with."""

    label: str
    values: dict[str, str]
    situation: tuple[str, ...] = ()
    """``SITUATION`` flags set for this case (``secret_found``, ``urgent``)."""


@dataclass
class Preview:
    """Renderings of one template: ``cells[(case label, locale)]`` is text, or an error."""

    template: Template
    locales: tuple[str, ...]
    cases: list[Case]
    cells: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"template": self.template.ref, "locales": list(self.locales),
                "cases": [{"label": c.label, "values": c.values,
                           "locales": {code: self.cells[(c.label, code)] for code in self.locales}}
                          for c in self.cases]}


def _plural_arguments(template: Template) -> set[str]:
    """Variables passed to ``| plural`` in any locale."""
    from jinja2 import TemplateSyntaxError, nodes

    from supportkit.rendering import environment
    from supportkit.rendering.analysis import plural_calls

    names: set[str] = set()
    for translation in template.locales.values():
        try:
            ast = environment().parse(translation.body)
        except TemplateSyntaxError:
            continue
        for _line, _forms, argument in plural_calls(ast):
            if isinstance(argument, nodes.Name):
                names.add(argument.name)
    return names


def preview_cases(template: Template) -> list[Case]:
    """Example values, empty values, long names, every plural count, a tiny amount."""
    variables = template.variables
    examples = {name: v.example or EXAMPLE_BY_TYPE.get(v.type, "x") for name, v in variables.items()}
    cases = [Case("examples", examples), Case("empty", {name: "" for name in variables})]
    texts = [name for name, v in variables.items() if v.type == "text"]
    if texts:
        cases.append(Case("long names", {**examples, **dict.fromkeys(texts, LONG_TEXT)}))
    counted = _plural_arguments(template) | {name for name, v in variables.items() if v.type == "number"}
    for count in PLURAL_COUNTS if counted else ():
        cases.append(Case(f"n = {count}", {**examples, **dict.fromkeys(sorted(counted), count)}))
    amounts = [name for name, v in variables.items() if v.type == "amount"]
    if amounts:
        cases.append(Case(f"amount = {TINY_AMOUNT}", {**examples, **dict.fromkeys(amounts, TINY_AMOUNT)}))
    if template.kind == "reply" and template.intents:  # one a customer's message can select
        cases.append(Case("pasted secret", examples, ("secret_found",)))
        if any("urgent" in t.body or "urgent" in t.subject for t in template.locales.values()):
            cases.append(Case("urgent", examples, ("urgent",)))
    return cases


def build_preview(config: Config, template_id: str, locales: tuple[str, ...] = SUPPORTED_LANGUAGES) -> Preview:
    """Render ``template_id`` for every case in every locale (drafts included, marked)."""
    import jinja2

    from supportkit.errors import SupportkitError
    from supportkit.guard import safety_notice
    from supportkit.library.store import library_for
    from supportkit.pipeline import with_notice
    from supportkit.rendering import build_context, render_string

    template = library_for(config).get(template_id)
    preview = Preview(template, locales, preview_cases(template))
    for case in preview.cases:
        for code in locales:
            translation = template.locales.get(code)
            if translation is None:
                preview.cells[(case.label, code)] = {"state": "missing", "subject": "", "text": "", "error": None}
                continue
            cell: dict[str, Any] = {"state": template.translation_state(code), "subject": "", "text": "", "error": None}
            try:
                context = build_context(template, code, case.values, config.brand, dict.fromkeys(case.situation, True))
                where = f"{template.path}: {code}"
                cell["subject"] = render_string(translation.subject, context, where=where) if translation.subject else ""
                cell["text"] = render_string(translation.body, context, where=where)
                if "secret_found" in case.situation:
                    cell["text"] = with_notice(cell["text"], safety_notice(code))
            except SupportkitError as exc:
                cell["error"] = exc.message
            except jinja2.TemplateError as exc:  # e.g. a filter the sandbox does not have
                cell["error"] = f"{type(exc).__name__}: {exc.message}"
            preview.cells[(case.label, code)] = cell
    return preview


def preview_text(preview: Preview) -> str:
    """Plain text: one section per case, each locale's rendering under a ``[ll]`` label."""
    out: list[str] = []
    for case in preview.cases:
        shown = ", ".join(f"{k}={v!r}" for k, v in case.values.items()) or "-"
        out.append(f"=== {preview.template.ref} · {case.label} ({shown})")
        for code in preview.locales:
            cell = preview.cells[(case.label, code)]
            state = "" if cell["state"] == "ok" else f" ({cell['state']})"
            out.append(f"[{code}]{state}")
            if cell["error"]:
                out.append(f"ERROR: {cell['error']}")
            elif cell["state"] != "missing":
                if cell["subject"]:
                    out.append(cell["subject"])
                    out.append("")
                out.append(cell["text"])
            out.append("")
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;background:#fff}
h1{font-size:1.3rem}table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border:1px solid #ccd;padding:.5rem;vertical-align:top;text-align:start}
th{background:#f2f3f7}td pre{white-space:pre-wrap;word-break:break-word;margin:0;font:inherit}
.subject{font-weight:600;margin-bottom:.4rem}.error{color:#a00;font-weight:600}
.state{font-size:.8rem;color:#555}.draft,.stale,.missing{background:#fff6e0}
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}th{background:#222}.draft,.stale,.missing{background:#332a10}}
"""


def preview_html(preview: Preview, title: str = "Preview") -> str:
    """One self-contained HTML page: a row per case, a column per locale."""
    esc = html.escape
    ref = esc(preview.template.ref)
    rows = []
    head = "".join(f'<th scope="col" lang="{esc(code)}">{esc(code)}</th>' for code in preview.locales)
    for case in preview.cases:
        cells = []
        for code in preview.locales:
            cell = preview.cells[(case.label, code)]
            state = cell["state"]
            parts = [f'<div class="state">{esc(state)}</div>']
            if cell["error"]:
                parts.append(f'<div class="error">{esc(cell["error"])}</div>')
            if cell["subject"]:
                parts.append(f'<div class="subject">{esc(cell["subject"])}</div>')
            if cell["text"]:
                parts.append(f"<pre>{esc(cell['text'])}</pre>")
            cells.append(f'<td class="{esc(state)}" lang="{esc(code)}">{"".join(parts)}</td>')
        values = ", ".join(f"{k}={v}" for k, v in case.values.items()) or "-"
        rows.append(f'<tr><th scope="row">{esc(case.label)}<div class="state">{esc(values)}</div></th>{"".join(cells)}</tr>')
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}: {ref}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<h1>{esc(title)}: {ref}</h1>\n<table>\n<thead><tr><th scope=\"col\"></th>{head}</tr></thead>\n"
            f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>\n</body>\n</html>\n")

"""Read-only views of the template library for ``supportkit templates``."""

from __future__ import annotations

import unicodedata
from typing import Any

from supportkit.config import Config
from supportkit.errors import N_, InputError
from supportkit.languages import parse_locale
from supportkit.library.store import library_for
from supportkit.pipeline import exact_locale
from supportkit.rendering import build_context, render_string
from supportkit.text.chinese import CONVERTER, to_traditional


def list_templates(config: Config, kind: str | None = None) -> list[dict[str, Any]]:
    """Every template as a row: ref, id, kind, intents, locales, category."""
    return [
        {"ref": t.ref, "id": t.id, "kind": t.kind, "intents": list(t.intents), "locales": list(t.locales),
         "category": t.category}
        for t in library_for(config)
        if kind is None or t.kind == kind
    ]


def show_template(config: Config, template_id: str, lang: str | None = None) -> dict[str, Any]:
    """A template with each locale rendered with its example values (``samples``: which, and the value; not
    real ones: ``supportkit render`` fills a template with real values)."""
    library = library_for(config)
    template = library.get(template_id)
    codes = list(template.locales)
    converted: str | None = None
    if lang is not None:
        choice = exact_locale(template, lang, codes)  # zh-TW: zh-Hant as written, or zh converted
        converted, codes = choice.converted_from, [choice.locale]
    examples = {name: v.example for name, v in sorted(template.variables.items()) if v.example}
    locales: dict[str, Any] = {}
    for code in codes:
        written = converted or code
        translation = template.locales[written]
        context = build_context(template, written, examples, config.brand)
        where = f"{template.path}: {written}"
        subject = render_string(translation.subject, context, where=where) if translation.subject else ""
        text = render_string(translation.body, context, where=where)
        state = template.translation_state(written)
        if converted:
            subject, text = to_traditional(subject), to_traditional(text)
            state = f"converted from {converted} by {CONVERTER} ({state} there)"
        locales[code] = {"state": state, "subject": subject, "text": text}
    return {"ref": template.ref, "id": template.id, "kind": template.kind, "intents": list(template.intents),
            "path": str(template.path), "variables": sorted(template.variables),
            "required": sorted(name for name, v in template.variables.items() if v.required),
            "samples": examples, "faq": dict(template.faq), "locales": locales}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_templates(config: Config, query: str, lang: str | None = None) -> list[dict[str, Any]]:
    """Templates containing every word of ``query`` (case- and accent-insensitive), best first."""
    words = [_fold(w) for w in query.split() if w.strip()]
    if not words:
        raise InputError(N_("the search query is empty"), None, N_("Give a word to look for, e.g. `templates search USDT`."))
    code_filter = parse_locale(lang, "--lang")[0] if lang else None
    hits: list[tuple[int, dict[str, Any]]] = []
    for template in library_for(config):
        for code, translation in template.locales.items():
            if code_filter and code != code_filter:
                continue
            fields = [translation.subject, translation.body, template.faq.get(code, ""),
                      " ".join(template.examples.get(code, ())), template.id]
            haystack = _fold("\n".join(fields))
            if all(w in haystack for w in words):
                score = sum(haystack.count(w) for w in words) + (5 if any(w in _fold(translation.subject) for w in words) else 0)
                hits.append((score, {"ref": template.ref, "locale": code, "subject": translation.subject,
                                     "snippet": translation.subject or translation.body[:60]}))
    hits.sort(key=lambda h: (-h[0], h[1]["ref"], h[1]["locale"]))
    return [h for _, h in hits]

"""Machine drafts of missing or stale translations, written into the template files for review.

``make_drafts`` translates the source-locale text of each template whose ``locale``
entry is missing or stale (or a draft made from an older source) with the
translation engine, and writes it as ``status: draft`` (never approved) with the
source digest it was made from. The writer's comments and layout elsewhere in the
file stay as they were (``authoring.write_translation``). Drafts are shown by
``status`` and ``check`` and are not used by ``reply`` unless ``allow_drafts`` is set.

Template code is never sent to the engine as prose: text is cut at ``{% ... %}``
tags and each piece of prose is translated on its own, with ``{{ ... }}``
expressions kept as protected spans. Plural forms are rebuilt for the target
locale's CLDR categories by translating a sample sentence per category
("5 days" -> "5 дней" -> ``many="# дней"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportkit.config import Config
from supportkit.errors import InputError
from supportkit.languages import SUPPORTED_LANGUAGES
from supportkit.writers.checks.base import Finding

Translate = Callable[[str, str, str], str]
"""``translate(text, source, target) -> text``; protected spans ({{ ... }}, URLs...) come back unchanged."""

# A number in each CLDR category, to build the plural forms of a target locale.
PLURAL_SAMPLES = {"zero": "0", "one": "1", "two": "2", "few": "3", "many": "5", "other": "7"}
_SAMPLE_OVERRIDES = {("fr", "many"): "1000000", ("es", "many"): "1000000", ("fr", "other"): "7",
                     ("ru", "other"): "1.5", ("ru", "few"): "3"}
_TAG_RE = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_PLURAL_RE = re.compile(r"plural\(((?:\s*\w+\s*=\s*\"[^\"]*\"\s*,?)+)\)")
_KWARG_RE = re.compile(r"(\w+)\s*=\s*\"([^\"]*)\"")
_MARKER_RE = re.compile(r"^(\s*(?:\d+[.)]|[-•])\s+)")


@dataclass
class DraftItem:
    """What happened to one template."""

    ref: str
    path: str
    locale: str
    action: str
    """``added``/``replaced`` (written), ``would add``/``would replace`` (dry run), or ``failed``."""
    subject: str = ""
    body: str = ""
    error: str = ""
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "path": self.path, "locale": self.locale, "action": self.action,
                "subject": self.subject, "body": self.body, "error": self.error,
                "findings": [f.to_dict() for f in self.findings]}


@dataclass
class DraftReport:
    """Every template looked at by one ``drafts`` run (templates already current are left out)."""

    locale: str
    items: list[DraftItem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"locale": self.locale, "items": [i.to_dict() for i in self.items]}


def default_translator() -> Translate:
    """The offline translation engine (``supportkit.translation``)."""
    import importlib

    translation = importlib.import_module("supportkit.translation")

    def run(text: str, source: str, target: str) -> str:
        result = translation.translate(text, source=source, target=target)
        return str(getattr(result, "text", result))

    return run


def _translate_prose(text: str, source: str, target: str, translate: Translate) -> str:
    """Translate one run of prose, keeping its outer whitespace and list marker."""
    if not re.search(r"[^\W\d_]", re.sub(r"\{\{.*?\}\}", "", text)):
        return text  # only code, numbers or punctuation
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    core = text.strip()
    marker = _MARKER_RE.match(core)
    prefix = marker.group(1) if marker else ""
    translated = translate(core[len(prefix):], source, target).strip()
    return f"{lead}{prefix}{translated}{trail}"


def _sample_number(target: str, category: str) -> str:
    return _SAMPLE_OVERRIDES.get((target, category), PLURAL_SAMPLES[category])


def _plural_forms(forms: dict[str, str], source: str, target: str, translate: Translate) -> dict[str, str]:
    """Forms for every CLDR category of ``target``, made by translating a sample sentence per category."""
    from decimal import Decimal

    from supportkit.rendering import plural_rule
    from supportkit.rendering.analysis import plural_categories

    rebuilt: dict[str, str] = {}
    for category in ("zero", "one", "two", "few", "many", "other"):
        if category not in plural_categories(target):
            continue
        sample = _sample_number(target, category)
        source_category = plural_rule(source)(Decimal(sample))
        pattern = forms.get(source_category, forms.get("other", "#"))
        text = translate(pattern.replace("#", sample), source, target).strip()
        number_re = re.compile(re.escape(sample).replace(r"\.", "[.,]") if len(sample) < 5
                               else r"1[\s\u00a0\u202f.,]?000[\s\u00a0\u202f.,]?000")
        match = number_re.search(text)
        rebuilt[category] = (text[: match.start()] + "#" + text[match.end():]) if match else "# " + text
    return rebuilt


def _rebuild_plurals(code: str, source: str, target: str, translate: Translate) -> str:
    def repl(match: re.Match[str]) -> str:
        forms = dict(_KWARG_RE.findall(match.group(1)))
        rebuilt = _plural_forms(forms, source, target, translate)
        return "plural(" + ", ".join(f'{k}="{v.replace(chr(34), "")}"' for k, v in rebuilt.items()) + ")"

    return _PLURAL_RE.sub(repl, code)


def translate_template_text(text: str, source: str, target: str, translate: Translate) -> str:
    """Translate template text line by line, prose between tags only; plural forms rebuilt for ``target``."""
    out_lines = []
    for line in text.split("\n"):
        pieces: list[str] = []
        last = 0
        for match in _TAG_RE.finditer(line):
            pieces.append(_translate_prose(line[last:match.start()], source, target, translate))
            pieces.append(match.group())
            last = match.end()
        pieces.append(_translate_prose(line[last:], source, target, translate))
        joined = "".join(pieces)
        joined = re.sub(r"\{\{.*?\}\}", lambda m: _rebuild_plurals(m.group(), source, target, translate), joined)
        out_lines.append(joined)
    return "\n".join(out_lines)


def make_drafts(config: Config, locale: str, template_ids: list[str] | None = None, dry_run: bool = False,
                translate: Translate | None = None) -> DraftReport:
    """Draft ``locale`` for every template (or ``template_ids``) whose translation is missing or stale."""
    from supportkit.languages import parse_locale
    from supportkit.library import load_library
    from supportkit.library.edit import write_translation
    from supportkit.library.sources import SourceStore
    from supportkit.writers.checks import check_template_file

    code = parse_locale(locale, "--locale")[0]
    source = config.source_locale
    if code == source or code not in SUPPORTED_LANGUAGES:
        raise InputError(f"cannot draft {code!r}", "--locale",
                         f"Choose one of {', '.join(c for c in SUPPORTED_LANGUAGES if c != source)}.")
    library = load_library(Path(config.replies_dir), source, strict=False)
    templates = [library.get(t) for t in template_ids] if template_ids else list(library)
    store = SourceStore(Path(config.replies_dir))
    report = DraftReport(code)
    run = translate
    for template in templates:
        current = template.locales.get(code)
        if template.source is None or (current is not None and not template.is_stale(code)):
            continue
        if run is None:
            run = default_translator()
        item = DraftItem(template.ref, str(template.path), code, "")
        try:
            item.subject = translate_template_text(template.source.subject, source, code, run) if template.source.subject else ""
            item.body = translate_template_text(template.source.body, source, code, run)
        except Exception as exc:  # one failing template must not stop a run over the library
            item.action, item.error = "failed", f"{type(exc).__name__}: {exc}"
            report.items.append(item)
            continue
        digest = store.put(template.source.subject, template.source.body) if not dry_run else template.source_digest()
        if dry_run:
            item.action = "would replace" if current is not None else "would add"
        else:
            item.action = write_translation(template.path, code, item.subject, item.body, str(digest), "draft", source)
            item.findings = [f for f in check_template_file(template.path, config, store)
                             if f.locale == code and f.severity == "error"]
        report.items.append(item)
    return report

"""Machine drafts of missing or stale translations, written into the template files for review.

``make_drafts`` translates the source-locale text of each template whose ``locale``
entry is missing or stale (or a draft made from an older source) with the
translation engine, and writes it as ``status: draft`` (never approved) with the
source digest it was made from. The writer's comments and layout elsewhere in the
file stay as they were (``authoring.write_translation``). Drafts are shown by
``status`` and ``check`` and are not used by ``reply`` unless ``allow_drafts`` is set.

Approved sentences are kept: before an approved translation is replaced, it is lined up with
the source text it was made from (its snapshot in ``.sources``), line by line and piece by
piece between identical tags, then sentence by sentence where both sides have as many; the
pairs go into the translation memory (``library.sources.TranslationMemory``, committed with the
templates). A new draft takes every unchanged source sentence from there and sends only the
changed ones to the engine. ``--dry-run`` shows the edit as a unified diff and writes nothing.
When the engine cannot run (no model for the pair) the run stops with that error; a template
the engine fails on is reported as failed with the reason, and the command exits 1.

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
from supportkit.errors import N_, InputError, ModelError, SupportkitError
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
    kept: int = 0
    """Approved sentences taken from the translation memory."""
    drafted: int = 0
    """Pieces of prose sent to the engine."""
    diff: str = ""
    """The edit of the template file as a unified diff (dry run)."""

    def to_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "path": self.path, "locale": self.locale, "action": self.action,
                "subject": self.subject, "body": self.body, "error": self.error,
                "findings": [f.to_dict() for f in self.findings], "kept": self.kept, "drafted": self.drafted,
                "diff": self.diff}


@dataclass
class DraftReport:
    """Every template looked at by one ``drafts`` run (templates already current are left out)."""

    locale: str
    items: list[DraftItem] = field(default_factory=list)
    error: SupportkitError | None = None
    """Why the run stopped before the end (no model for the pair...), or None."""

    @property
    def failed(self) -> list[DraftItem]:
        return [i for i in self.items if i.action == "failed"]

    def to_dict(self) -> dict[str, Any]:
        return {"locale": self.locale, "items": [i.to_dict() for i in self.items],
                "error": None if self.error is None else self.error.message}


def default_translator() -> Translate:
    """The offline translation engine (``supportkit.translation``)."""
    import importlib

    translation = importlib.import_module("supportkit.translation")

    def run(text: str, source: str, target: str) -> str:
        result = translation.translate(text, source=source, target=target)
        return str(getattr(result, "text", result))

    return run


@dataclass
class _Tally:
    kept: int = 0
    drafted: int = 0


_LETTER_RE = re.compile(r"[^\W\d_]")
_EXPRESSION_RE = re.compile(r"\{\{.*?\}\}")
_CJK = ("zh", "ja")


def _has_words(text: str) -> bool:
    return bool(_LETTER_RE.search(_EXPRESSION_RE.sub("", text)))


def _machine(text: str, source: str, target: str, translate: Translate) -> str:
    """``text`` from the engine, its plural forms rebuilt for ``target``."""
    translated = translate(text, source, target).strip() if _has_words(text) else text
    return _EXPRESSION_RE.sub(lambda m: _rebuild_plurals(m.group(), source, target, translate), translated)


def _split_core(text: str) -> tuple[str, str, str, str]:
    """``(lead, marker, core, trail)`` of a run of prose: outer whitespace and a list marker apart."""
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    stripped = text.strip()
    marker = _MARKER_RE.match(stripped)
    prefix = marker.group(1) if marker else ""
    return lead, prefix, stripped[len(prefix):], trail


def _translate_prose(text: str, source: str, target: str, translate: Translate,
                     memory: dict[str, dict[str, str]] | None = None, tally: _Tally | None = None) -> str:
    """Translate one run of prose, keeping its outer whitespace and list marker.

    With ``memory`` (``{"pieces": ..., "sentences": ...}``, approved translations of unchanged source
    text) an unchanged run is taken whole as it was approved, outer spaces included, and in a changed
    run each unchanged sentence is taken from there: only the rest goes to the engine.
    """
    pieces = (memory or {}).get("pieces", {})
    sentence_memory = (memory or {}).get("sentences", {})
    tally = tally if tally is not None else _Tally()
    lead, prefix, core, trail = _split_core(text)
    if text in pieces:
        tally.kept += len(_sentences(core, source)) if _has_words(core) else 0
        return pieces[text]
    if not _has_words(core):
        return lead + prefix + _machine(core, source, target, translate) + trail  # code, numbers, punctuation
    sentences = _sentences(core, source) if sentence_memory else [core]
    if not any(sentence.strip() in sentence_memory for sentence in sentences):
        tally.drafted += 1
        return f"{lead}{prefix}{_machine(core, source, target, translate)}{trail}"
    out: list[str] = []
    for index, sentence in enumerate(sentences):
        key, gap = sentence.strip(), sentence[len(sentence.rstrip()):]
        if key in sentence_memory:
            tally.kept += 1
            piece = sentence_memory[key]
        else:
            tally.drafted += 1
            piece = _machine(key, source, target, translate)
        if target in _CJK and piece.endswith(("。", "！", "？", "…")):
            gap = ""
        elif not gap and index < len(sentences) - 1 and target not in _CJK:
            gap = " "
        out.append(piece + gap)
    return f"{lead}{prefix}{''.join(out)}{trail}"


def _sentences(text: str, language: str) -> list[str]:
    from supportkit.text import split_sentences

    return split_sentences(text, language)


def aligned_sentences(source_text: str, translation: str, source: str, target: str) -> dict[str, dict[str, str]]:
    """``{"pieces": ..., "sentences": ...}``: what a source text and the translation made from it say
    in each other's words, wherever the two line up.

    They line up line by line when both have as many lines, and within a line when it has the same
    template tags in the same order: each run of prose between tags is then a pair (verbatim, outer
    spaces and list marker included, even when the translator left it empty; a run of code or
    punctuation only when the translator moved it), and within a run each sentence is a pair when
    both sides have as many. Lines that do not line up give nothing.
    """
    pairs: dict[str, dict[str, str]] = {"pieces": {}, "sentences": {}}
    source_lines, target_lines = source_text.split("\n"), translation.split("\n")
    if len(source_lines) != len(target_lines):
        return pairs
    for source_line, target_line in zip(source_lines, target_lines, strict=True):
        tags = [" ".join(m.group().split()) for m in _TAG_RE.finditer(source_line)]
        if tags != [" ".join(m.group().split()) for m in _TAG_RE.finditer(target_line)]:
            continue
        for source_piece, target_piece in zip(_TAG_RE.split(source_line), _TAG_RE.split(target_line), strict=True):
            source_core, target_core = _split_core(source_piece)[2], _split_core(target_piece)[2]
            if not _has_words(source_core):
                # "{{ name }} " placed " {{ name }}" by the translator: kept. Bare spaces are not
                # (a rule for " " would apply everywhere in the template).
                if source_core and target_piece != source_piece:
                    pairs["pieces"][source_piece] = target_piece
                continue
            pairs["pieces"][source_piece] = target_piece
            source_sentences = [x.strip() for x in _sentences(source_core, source)]
            target_sentences = [x.strip() for x in _sentences(target_core, target)] if target_core else []
            if len(source_sentences) == len(target_sentences):
                pairs["sentences"].update(zip(source_sentences, target_sentences, strict=True))
    return pairs


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


def translate_template_text(text: str, source: str, target: str, translate: Translate,
                            memory: dict[str, dict[str, str]] | None = None, tally: _Tally | None = None) -> str:
    """Translate template text line by line, prose between tags only; plural forms rebuilt for ``target``.

    Pieces and sentences found in ``memory`` are taken from there as they are.
    """
    tally = tally if tally is not None else _Tally()
    out_lines = []
    for line in text.split("\n"):
        pieces: list[str] = []
        last = 0
        for match in _TAG_RE.finditer(line):
            pieces.append(_translate_prose(line[last:match.start()], source, target, translate, memory, tally))
            pieces.append(match.group())
            last = match.end()
        pieces.append(_translate_prose(line[last:], source, target, translate, memory, tally))
        out_lines.append("".join(pieces))
    return "\n".join(out_lines)


def make_drafts(config: Config, locale: str, template_ids: list[str] | None = None, dry_run: bool = False,
                translate: Translate | None = None) -> DraftReport:
    """Draft ``locale`` for every template (or ``template_ids``) whose translation is missing or stale.

    Unchanged source sentences keep their approved translation (the translation memory); the
    rest go to the engine. A run the engine cannot serve stops with ``report.error`` set.
    """
    from supportkit.languages import parse_locale
    from supportkit.library import load_library
    from supportkit.library.sources import SourceStore, TranslationMemory, empty_pairs

    code = parse_locale(locale, "--locale")[0]
    source = config.source_locale
    if code == source or code not in SUPPORTED_LANGUAGES:
        raise InputError(N_("cannot draft {code!r}"), "--locale", N_("Choose one of {choices}."), code=code,
                         choices=", ".join(c for c in SUPPORTED_LANGUAGES if c != source))
    library = load_library(Path(config.replies_dir), source, strict=False)
    templates = [library.get(t) for t in template_ids] if template_ids else list(library)
    store = SourceStore(Path(config.replies_dir))
    memory = TranslationMemory(Path(config.replies_dir))
    report = DraftReport(code)
    run = translate
    for template in templates:
        current = template.locales.get(code)
        if template.source is None or (current is not None and not template.is_stale(code)):
            continue
        if run is None:
            run = default_translator()
        item = DraftItem(template.ref, str(template.path), code, "")
        approved = _approved_pairs(template, code, store) or empty_pairs()
        remembered = memory.get(template.ref, code)
        for name, kinds in approved.items():
            for kind, pairs in kinds.items():
                remembered[name][kind].update(pairs)
        tally = _Tally()
        try:
            item.subject = (translate_template_text(template.source.subject, source, code, run, remembered["subject"],
                                                    tally) if template.source.subject else "")
            item.body = translate_template_text(template.source.body, source, code, run, remembered["body"], tally)
        except ModelError as exc:  # the engine cannot run at all (no model for the pair): stop here
            report.error = exc
            break
        except Exception as exc:  # one failing template must not stop a run over the library
            item.action, item.error = "failed", f"{type(exc).__name__}: {exc}"
            report.items.append(item)
            continue
        item.kept, item.drafted = tally.kept, tally.drafted
        _apply(item, template, code, store, memory, approved, config, dry_run)
        report.items.append(item)
    return report


def _approved_pairs(template: Any, code: str, store: Any) -> dict[str, dict[str, dict[str, str]]]:
    """Source and translation pairs of ``code``'s approved text, lined up with the snapshot of the
    source it was made from (nothing when it is a draft or that snapshot is missing)."""
    current = template.locales.get(code)
    if current is None or current.is_draft or not current.source:
        return {}
    old = store.get(current.source)
    if old is None:
        return {}
    source = template.source_locale
    return {"subject": aligned_sentences(old[0], current.subject, source, code),
            "body": aligned_sentences(old[1], current.body, source, code)}


def _apply(item: DraftItem, template: Any, code: str, store: Any, memory: Any,
           approved: dict[str, dict[str, dict[str, str]]], config: Config, dry_run: bool) -> None:
    """Write the draft into the template file (or, in a dry run, only say how as a diff)."""
    import difflib

    from supportkit.library.edit import translation_edit, write_translation
    from supportkit.writers.checks import check_template_file

    source = template.source_locale
    if dry_run:
        new_text, action = translation_edit(template.path, code, item.subject, item.body,
                                            str(template.source_digest()), "draft", source)
        old_text = template.path.read_text(encoding="utf-8")
        item.diff = "".join(difflib.unified_diff(old_text.splitlines(keepends=True), new_text.splitlines(keepends=True),
                                                 fromfile=item.path, tofile=item.path))
        item.action = "would replace" if action == "replaced" else "would add"
        return
    digest = store.put(template.source.subject, template.source.body)
    if any(pairs for kinds in approved.values() for pairs in kinds.values()):
        memory.add(template.ref, code, approved)
    item.action = write_translation(template.path, code, item.subject, item.body, str(digest), "draft", source)
    item.findings = [f for f in check_template_file(template.path, config, store)
                     if f.locale == code and f.severity == "error"]

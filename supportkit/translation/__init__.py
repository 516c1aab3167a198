"""Offline translation on Argos Translate model packages: the public API.

``translate(text, target=..., source=...)`` runs, top to bottom:

1. ``guard.guard_message``: normalized, the whole text guarded, then cut; only the redacted
   text is ever translated, and the guard's bracketed markers are protected spans (``redaction``) like
   any other.
2. The source language: given, or detected (``detection.detect``).
3. The route: the direct package, else both hops through English (``Engine.route``);
   a missing package is a ModelError naming the command that installs it.
4. Sentences (``text.split_sentences``, language-aware, never inside a span or number,
   long ones cut to ``MAX_SEGMENT_CHARS``), each translated with its spans masked
   (``masking``), all sentences of a hop in one batch.
5. The fallback chain, per sentence: if any marker was lost, duplicated or altered,
   the text between the spans is translated piece by piece and the spans put back
   between the pieces (status ``fallback``); if a span still does not come back
   exactly once, the sentence is returned as it was (status ``untranslated``). No
   sentence is ever returned with a lost, duplicated or altered span.

Importing this package is light: CTranslate2 and SentencePiece load with the first model.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from supportkit.errors import N_, InputError, UnknownLocaleError
from supportkit.languages import parse_locale
from supportkit.text import find_protected_spans, split_sentences

if TYPE_CHECKING:
    from supportkit.translation.engine import Engine
    from supportkit.translation.masking import Masked

MAX_SEGMENT_CHARS = 400
"""Longest piece sent to a model at once; longer sentences are cut at a clause or a space."""

STATUSES = ("translated", "fallback", "untranslated", "unchanged")
"""Per segment: translated whole; translated around its spans; left as it was (unsafe to
translate); nothing to translate (only spans, numbers, punctuation, or same language)."""

_CJK_TARGETS = {"zh", "zt", "ja"}
_LETTER_RE = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Segment:
    """One sentence (or piece of one): its source text, its translation, and how it was made."""

    source: str
    text: str
    status: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "text": self.text, "status": self.status}


@dataclass(frozen=True)
class TranslatedText:
    """A translated message; ``text`` is what to show, ``segments`` say how each part was made."""

    text: str
    source_language: str
    target_language: str
    path: tuple[str, ...]
    segments: tuple[Segment, ...] = ()
    secret_found: bool = False
    detected: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def route(self) -> str:
        """The path as text: ``zh->en->es``."""
        return "->".join(self.path)

    @property
    def complete(self) -> bool:
        """True when no segment had to be left untranslated."""
        return all(s.status != "untranslated" for s in self.segments)

    def counts(self) -> dict[str, int]:
        found = Counter(s.status for s in self.segments)
        return {status: found.get(status, 0) for status in STATUSES}

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON shape (documented in the README)."""
        return {
            "text": self.text,
            "source_language": self.source_language,
            "target_language": self.target_language,
            "detected": self.detected,
            "path": self.route,
            "secret_found": self.secret_found,
            "complete": self.complete,
            "counts": self.counts(),
            "segments": [s.to_dict() for s in self.segments],
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        return self.text


def language_code(code: str, where: str) -> str:
    """``zh-CN`` / ``pt_BR`` / ``EN`` -> ``zh`` / ``pt`` / ``en``; anything else is an input error."""
    try:
        language, _rest = parse_locale(code)  # the one validation of locale codes (no paths, no junk)
    except UnknownLocaleError:
        raise InputError(N_("not a language code: {code!r}"), where, N_("Use a code such as zh, en, es, ru or fr."),
                         code=code[:20]) from None
    return language


def translate(text: str, target: str, source: str | None = None, *, glossary: Iterable[str] | None = None,
              engine: Engine | None = None) -> TranslatedText:
    """Translate one message offline; see the module docstring for the steps and guarantees.

    ``glossary`` is the do-not-translate list (default: the configured one).
    """
    from supportkit.guard import guard_message

    target = language_code(target, "--to")
    if not text.strip():
        raise InputError(N_("the text to translate is empty"), None, N_("Give it as an argument or on stdin."))
    # The whole text is guarded before it is cut: no part of a secret is translated or echoed.
    read = guard_message(text)
    normalized, guarded, safe = read.normalized, read.guarded, read.text
    if not normalized.text.strip():
        raise InputError(N_("the text to translate is empty"), None, N_("Give it as an argument or on stdin."))
    notes = []
    if normalized.truncated:
        notes.append("message was longer than the processing limit and was cut")
    if guarded.secret_found:
        notes.append("a recovery phrase or private key was removed before translation")
    terms = _glossary(glossary)
    detected = source is None
    if source is None and not _has_words(safe, find_protected_spans(safe, terms)):
        source = target  # only links, addresses, numbers: nothing to detect or translate
    source = _detect(safe) if source is None else language_code(source, "--from")
    if source == target:
        same = (Segment(safe, safe, "unchanged"),)
        return TranslatedText(safe, source, target, (source,), same, guarded.secret_found, detected, tuple(notes))

    if engine is None:
        from supportkit.translation.engine import default_engine

        engine = default_engine()
    path = engine.route(source, target)
    pieces = _attach_blank(split_sentences(safe, source, terms, max_chars=MAX_SEGMENT_CHARS))
    segments = translate_segments(pieces, path, engine, terms)
    return TranslatedText(join_segments(segments, target), source, target, tuple(path), tuple(segments),
                       guarded.secret_found, detected, tuple(notes))


def _attach_blank(pieces: list[str]) -> list[str]:
    """Whitespace-only pieces (blank lines) joined to the piece before: they are not sentences."""
    out: list[str] = []
    for piece in pieces:
        if out and not piece.strip():
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _glossary(glossary: Iterable[str] | None) -> tuple[str, ...]:
    if glossary is None:
        from supportkit.config import load_config

        glossary = load_config().glossary
    return tuple(glossary)


def _detect(text: str) -> str:
    from supportkit.detection import detect

    result = detect(text)
    if result.language == "und":
        raise InputError(N_("cannot tell the language of the message"), None, N_("Name it with --from, e.g. --from ru."))
    return result.language


# --- segments and the fallback chain ------------------------------------------------


@dataclass
class _Work:
    """One segment on its way through the chain."""

    lead: str
    core: str
    trail: str
    spans: list[Any]
    masked: Masked | None = None
    result: str | None = None
    status: str = "untranslated"


def translate_segments(pieces: Sequence[str], path: Sequence[str], engine: Engine,
                       glossary: Iterable[str] = ()) -> list[Segment]:
    """Each piece translated along ``path`` with its spans kept exactly once (see the module docstring)."""
    from supportkit.translation.masking import mask

    terms = tuple(glossary)
    styles = engine.marker_styles(path)
    # Checked in every sentence: no sentence may gain a copy of a span from another one.
    context = find_protected_spans("".join(pieces), terms)
    work: list[_Work] = []
    for piece in pieces:
        core = piece.strip()
        lead = piece[: len(piece) - len(piece.lstrip())]
        trail = piece[len(lead) + len(core):]
        item = _Work(lead, core, trail, find_protected_spans(core, terms))
        if not _has_words(core, item.spans):
            item.result, item.status = core, "unchanged"
        else:
            item.masked = mask(core, item.spans, styles)
        work.append(item)

    _whole(work, path, engine, context)
    _around_spans(work, path, engine, context)
    return [Segment(w.lead + w.core + w.trail, w.lead + (w.result if w.result is not None else w.core) + w.trail,
                    w.status) for w in work]


def _has_words(text: str, spans: Sequence[Any]) -> bool:
    """True when ``text`` has letters outside its protected spans (something to translate)."""
    last = 0
    for span in spans:
        if _LETTER_RE.search(text, last, span.start):
            return True
        last = span.end
    return bool(_LETTER_RE.search(text, last))


def _run(engine: Engine, texts: list[str], source: str, target: str) -> list[str] | None:
    """One hop; None when the model fails at run time (the chain then falls back)."""
    try:
        return engine.model(source, target).translate(texts)
    except RuntimeError:
        return None


def _whole(work: list[_Work], path: Sequence[str], engine: Engine, context: Sequence[Any]) -> None:
    """Stage 1: each masked sentence through every hop; markers checked after each hop."""
    from supportkit.translation.masking import markers_intact, restore

    alive = [w for w in work if w.status != "unchanged" and w.masked is not None]
    texts = [w.masked.text for w in alive if w.masked is not None]
    for source, target in zip(path, path[1:], strict=False):
        if not alive:
            return
        out = _run(engine, texts, source, target)
        if out is None:
            return
        keep = [(w, t) for w, t in zip(alive, out, strict=True) if w.masked is not None and markers_intact(t, w.masked)]
        alive, texts = [w for w, _ in keep], [t for _, t in keep]
    for item, translated in zip(alive, texts, strict=True):
        assert item.masked is not None
        restored = restore(translated, item.masked, context)
        if restored is not None and restored.strip():
            item.result, item.status = restored.strip(), "translated"


def _around_spans(work: list[_Work], path: Sequence[str], engine: Engine, context: Sequence[Any]) -> None:
    """Stage 2: the text between spans translated piece by piece, spans put back between; else stage 3."""
    from supportkit.translation.masking import Masked, rebuild, spans_intact

    # Without spans, stage 2 would send the same text again: decoding is deterministic, so skip it.
    failed = [w for w in work if w.status == "untranslated" and w.spans]
    jobs: list[tuple[int, int, str]] = []  # (work index, piece index, core text)
    layouts: list[tuple[_Work, Masked, list[str]]] = []
    for item in failed:
        masked = item.masked or Masked(item.core, item.core, tuple(sorted(item.spans)), None)
        pieces = masked.pieces
        layouts.append((item, masked, pieces))
        for index, piece in enumerate(pieces):
            if _LETTER_RE.search(piece):
                jobs.append((len(layouts) - 1, index, piece.strip()))
    if not jobs:
        return
    texts = [core for _, _, core in jobs]
    for source, target in zip(path, path[1:], strict=False):
        out = _run(engine, texts, source, target)
        if out is None:
            return  # stays untranslated
        texts = out
    translated_pieces = [list(pieces) for _, _, pieces in layouts]
    for (layout, index, core), text in zip(jobs, texts, strict=True):
        original = layouts[layout][2][index]
        lead = original[: len(original) - len(original.lstrip())]
        trail = original[len(lead) + len(core):]
        translated_pieces[layout][index] = lead + text.strip() + trail if text.strip() else original
    for (item, masked, _pieces), new_pieces in zip(layouts, translated_pieces, strict=True):
        rebuilt = rebuild(masked, new_pieces)
        if spans_intact(item.core, rebuilt, (*masked.spans, *context)):
            item.result, item.status = rebuilt, "fallback"


def join_segments(segments: Sequence[Segment], target: str) -> str:
    """The segments' texts joined, with sentence spacing fit for ``target``.

    Chinese and Japanese run sentences together; other scripts need a space between
    sentences that came from CJK source with none.
    """
    out: list[str] = []
    for index, segment in enumerate(segments):
        text = segment.text
        if index < len(segments) - 1:
            following = segments[index + 1].text
            if target in _CJK_TARGETS and segment.status in ("translated", "fallback"):
                stripped = text.rstrip(" ")
                if stripped.endswith(("。", "！", "？", "…")):
                    text = stripped
            elif (text and following and not text[-1].isspace() and not following[0].isspace()
                  and not (_is_cjk(text[-1]) and _is_cjk(following[0]))):
                text += " "
        out.append(text)
    return "".join(out)


def _is_cjk(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\uff00" <= char <= "\uffef"


__all__ = ["MAX_SEGMENT_CHARS", "STATUSES", "Segment", "TranslatedText", "join_segments", "language_code",
           "translate", "translate_segments"]

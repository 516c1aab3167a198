"""Protected spans in and out of a translation model, each exactly once.

``mask`` swaps every protected span (``supportkit.text.find_protected_spans``) for a
short numbered marker such as ``[0]``; the model sees only the markers, never the
span. ``restore`` puts the spans back and refuses (returns None) unless every marker
came back exactly once; ``spans_intact`` is the final word: each span's text must
occur in the output exactly as often as in the source. A model can drop, duplicate,
renumber or translate a marker; it can never change a span's text, because the span
never reaches it.

Marker styles are tried in order. A style is used only when none of its markers (in
any tolerated spelling) already occurs in the text around the spans, so a customer's
own ``[1]`` is never mistaken for a marker, and only when the model's SentencePiece
vocabulary can spell it (``Engine.marker_styles``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from supportkit.text import Span, find_protected_spans, pieces_between, replace_spans


@dataclass(frozen=True)
class MarkerStyle:
    """How marker ``n`` is written, and the spellings of it a model may give back."""

    name: str
    open: str
    close: str
    open_variants: str
    close_variants: str

    def marker(self, index: int) -> str:
        return f"{self.open}{index}{self.close}"

    @property
    def pattern(self) -> re.Pattern[str]:
        # Models add spaces inside brackets or switch to full-width forms; all mean the same marker.
        return _compiled(self.open_variants, self.close_variants)


_PATTERNS: dict[tuple[str, str], re.Pattern[str]] = {}


def _compiled(opens: str, closes: str) -> re.Pattern[str]:
    key = (opens, closes)
    if key not in _PATTERNS:
        _PATTERNS[key] = re.compile(f"[{re.escape(opens)}]\\s?(\\d{{1,3}})\\s?[{re.escape(closes)}]")
    return _PATTERNS[key]


MARKER_STYLES: tuple[MarkerStyle, ...] = (
    MarkerStyle("square", "[", "]", "[［【", "]］】"),
    MarkerStyle("white-square", "⟦", "⟧", "⟦", "⟧"),
    MarkerStyle("angle", "<", ">", "<＜〈", ">＞〉"),
    MarkerStyle("curly", "{", "}", "{｛", "}｝"),
)
"""Best first: ASCII brackets survive any vocabulary and most models copy ``[0]`` as is."""


@dataclass(frozen=True)
class Masked:
    """A text with its protected spans replaced by markers."""

    source: str
    text: str
    spans: tuple[Span, ...]
    style: MarkerStyle | None
    """None when the text has no span (nothing to restore)."""

    @property
    def pieces(self) -> list[str]:
        """The source text around the spans: ``len(spans) + 1`` pieces, some empty."""
        return pieces_between(self.source, self.spans)


def mask(text: str, spans: Sequence[Span], styles: Iterable[MarkerStyle] = MARKER_STYLES) -> Masked | None:
    """``text`` with each span replaced by a numbered marker; None when no style is free of collisions."""
    ordered = tuple(sorted(spans))
    if not ordered:
        return Masked(text, text, (), None)
    outside = _outside(text, ordered)
    style = next((style for style in styles if not style.pattern.search(outside)), None)
    if style is None:
        return None
    return Masked(text, replace_spans(text, ordered, lambda index, _span: style.marker(index)), ordered, style)


def _outside(text: str, spans: Sequence[Span]) -> str:
    """The text around the spans, with a newline where each span was (so nothing joins across one)."""
    return "\n".join(pieces_between(text, spans))


def markers_intact(translated: str, masked: Masked) -> bool:
    """True when every marker of ``masked`` occurs exactly once in ``translated``, and no other does."""
    if masked.style is None:
        return True
    found = [int(m.group(1)) for m in masked.style.pattern.finditer(translated)]
    return sorted(found) == list(range(len(masked.spans)))


def restore(translated: str, masked: Masked, context: Iterable[Span] = ()) -> str | None:
    """``translated`` with the markers replaced by their spans; None unless each marker came back exactly once.

    ``context``: the spans of the whole message, so a sentence cannot gain a copy of a
    span that belongs to another sentence.
    """
    if masked.style is None:
        return translated if spans_intact(masked.source, translated, context) else None
    if not markers_intact(translated, masked):
        return None
    spans = masked.spans
    restored = masked.style.pattern.sub(lambda m: spans[int(m.group(1))].text, translated)
    return restored if spans_intact(masked.source, restored, (*spans, *context)) else None


INVENTED_KINDS = frozenset({"jinja", "placeholder", "url", "email", "hash", "address", "hex"})
"""Span kinds a model must never make up: a wrong address, link or placeholder is worse than no translation."""


def spans_intact(source: str, output: str, spans: Iterable[Span]) -> bool:
    """Each span's text occurs in ``output`` exactly as often as in ``source`` (no loss, no duplicate),
    and ``output`` has no address, link, hash or placeholder that ``source`` does not have."""
    if any(output.count(text) != source.count(text) for text in {s.text for s in spans}):
        return False
    return all(found.text in source for found in find_protected_spans(output) if found.kind in INVENTED_KINDS)


def rebuild(masked: Masked, translated_pieces: Sequence[str]) -> str:
    """The spans put back between separately translated pieces (the fallback path)."""
    if len(translated_pieces) != len(masked.spans) + 1:
        raise ValueError("one translated piece per gap between spans is needed")
    out: list[str] = []
    for piece, span in zip(translated_pieces, masked.spans, strict=False):
        out.append(piece)
        out.append(span.text)
    out.append(translated_pieces[-1])
    return "".join(out)

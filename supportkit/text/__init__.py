"""Text primitives shared by every step: normalization, protected spans, sentences.

Protected spans (URLs, e-mails, wallet addresses, hashes, amounts, placeholders,
glossary terms) are found once, here. Detection ignores them, translation never
alters them, and the guard looks at what is left.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

MAX_MESSAGE_CHARS = 100_000
"""Cap on one message after normalization and the guard; longer input is cut (and said so by callers)."""
MAX_INPUT_CHARS = 1_000_000
"""Hard limit on one message: longer input is refused whole, never processed or echoed."""

# Zero-width and bidi controls: invisible, used to hide or reorder text (Trojan Source).
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x180E]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
    + [0x200E, 0x200F, 0x061C]
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same characters as a pattern: removing them with it is ten times faster than
# ``str.translate`` with the table, which looks every character of the text up in a dict.
_INVISIBLE_RE = re.compile("[" + "".join(sorted(chr(code) for code in _INVISIBLE)) + "]")

HAN_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
"""The Han characters, the one definition every module uses: CJK Unified Ideographs, Extension A,
the compatibility ideographs, and Extensions B to H (names and rare characters)."""
HAN = "".join(f"{chr(low)}-{chr(high)}" for low, high in HAN_BLOCKS)
"""``HAN_BLOCKS`` as the body of a regular-expression character class (``f"[{HAN}]"``)."""


def is_han(text: str) -> bool:
    """Whether ``text`` starts with a Han character (``HAN_BLOCKS``, compared as strings: it runs per token)."""
    if not text:
        return False
    char = text[0]
    return ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff"
            or "\U00020000" <= char <= "\U0003134f")


WIDE_FLOOR = "\u3000"
"""The lowest character of the CJK blocks (CJK punctuation, kana, Han, full-width forms)."""


def has_wide(text: str) -> bool:
    """Whether ``text`` holds a character at or above U+3000: CJK, full-width forms, emoji.

    A regex whose character class spans the Han blocks costs about 3-4 ms to compile
    (``re`` walks every code point of a BMP range), which is most of a cold command's
    budget when a module holds several. Such patterns are compiled on first need, and
    text without any wide character takes the same pattern without the Han ranges, which
    matches exactly the same on it.
    """
    return not text.isascii() and _wide_re().search(text) is not None


@functools.cache
def _wide_re() -> re.Pattern[str]:
    """Any character at or above ``WIDE_FLOOR`` (a negated class compiles in a millisecond; ``max(text)``
    compared every character as a string, 3 ms on 100,000 characters, on every call)."""
    return re.compile(r"[^\x00-\u2fff]")


@dataclass(frozen=True)
class Normalized:
    """A message made safe to process, and what was done to it."""

    text: str
    truncated: bool = False
    removed_invisible: int = 0


def normalize(text: str, limit: int = MAX_MESSAGE_CHARS) -> Normalized:
    """NFC, drop zero-width/bidi controls and C0 controls (keep tab/newline), cap length."""
    if not isinstance(text, str):
        raise TypeError("normalize() takes str")
    before = len(text)
    if not text.isascii():  # ASCII is NFC already and holds no invisible character
        text = unicodedata.normalize("NFC", text)
        text = _INVISIBLE_RE.sub("", text)
    text = _CONTROL_RE.sub("", text)
    removed = before - len(text) if before >= len(text) else 0
    truncated = len(text) > limit
    if truncated:
        text = text[:limit]
    return Normalized(text=text, truncated=truncated, removed_invisible=removed)


def has_invisible(text: str) -> bool:
    """True when ``text`` holds a zero-width or bidi control character."""
    return _INVISIBLE_RE.search(text) is not None


@dataclass(frozen=True, order=True)
class Span:
    """A piece of text that must survive every step unchanged."""

    start: int
    end: int
    kind: str
    text: str


_TICKERS = (
    "USDT|USDC|DAI|BUSD|TUSD|FDUSD|PYUSD|BTC|ETH|BNB|TRX|SOL|MATIC|POL|ARB|OP|AVAX|DOGE|LTC|XRP|ADA|DOT|TON|"
    "SHIB|PEPE|LINK|UNI|AAVE|WBTC|WETH|SUI|APT|NEAR|ATOM|BCH|ETC|FIL|HT|OKB|CAKE|USD|EUR|CNY|RUB|RMB|"
    "sats?|gwei|wei"
)
_NUMBER = r"\d+(?:[ ,.\u00a0\u202f]\d{3})*(?:[.,]\d+)?"

# Order matters: earlier kinds win where matches overlap.
_PATTERNS: list[tuple[str, str]] = [
    # The guard's markers ("[recovery phrase removed]", "[助记词已移除]" ...; every one is
    # tested in tests/test_guard.py): not the customer's words, never translated.
    ("redaction", r"\[[^\[\]\n]{1,40}?(?:removed|已移除|eliminad[ao]|удал[её]н[аоы]?|supprimée?)\]"),
    ("jinja", r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}"),
    ("placeholder", r"\{[A-Za-z_][A-Za-z0-9_.]*\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%[sdif]"),
    ("url", r"(?:https?://|www\.)[^\s<>\"'\u3000-\u303f\uff01-\uff5e]+[^\s<>\"'.,;:!?)\]}\u3000-\u303f\uff01-\uff5e]"),
    # Tried only where a word starts: without the look-behind every letter of every word
    # began a run to the word's end and back (half of the scan's time on ordinary text).
    ("email", r"(?<![A-Za-z0-9_])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    ("hash", r"\b0x[0-9a-fA-F]{64}\b"),
    ("address", r"\b0x[0-9a-fA-F]{40}\b"),
    ("hex", r"\b[0-9a-fA-F]{64}\b"),
    ("address", r"\bT[1-9A-HJ-NP-Za-km-z]{33}\b"),
    ("address", r"\b(?:bc1|tb1)[02-9ac-hj-np-z]{11,71}\b"),
    ("address", r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b"),
    ("address", r"\b[1-9A-HJ-NP-Za-km-z]{43,44}\b"),
    ("hex", r"\b0x[0-9a-fA-F]{8,}\b"),
    ("amount", rf"(?<![\w.]){_NUMBER}\s?(?:{_TICKERS})\b|\b(?:{_TICKERS})\s?{_NUMBER}(?![\w])|[$€¥£₽]\s?{_NUMBER}"),
    ("handle", r"(?<![\w@])@[A-Za-z0-9_]{2,32}\b"),
]
# Every pattern above starts with one of these characters (a new pattern adds its own:
# tests/test_text.py compares the scan with and without this look-ahead on random text).
# Where none stands, the scan moves on without trying each pattern in turn: most positions
# of a Chinese or Russian message, and every space.
_FIRST_CHARACTERS = r"[A-Za-z_.%+\-\[{@$€¥£₽]|\d"
# Inside an ASCII word (after a letter, digit or _) only a URL (h, w), a marker ([), a
# placeholder ({, %) or an amount's currency sign can start: the others need a word boundary
# or a look-behind that fails there. Tried only at these, the scan skips most letters of a
# Latin message instead of trying every pattern at each (half of its time).
_MID_WORD_CHARACTERS = r"[hw\[{%$€¥£₽]"
_ALTERNATIVES = "|".join(f"(?P<k{i}>{p})" for i, (_, p) in enumerate(_PATTERNS))
_MASTER = re.compile(f"(?:(?<![A-Za-z0-9_])(?={_FIRST_CHARACTERS})|(?={_MID_WORD_CHARACTERS}))(?:{_ALTERNATIVES})",
                     re.DOTALL)
_KINDS = [kind for kind, _ in _PATTERNS]
_NUMBER_RE = re.compile(r"(?<![\w])[+-]?\d+(?:[.,:/\-]\d+)*%?")


def find_protected_spans(text: str, glossary: Iterable[str] = ()) -> list[Span]:
    """Every protected span in ``text``, sorted and non-overlapping."""
    spans = list(_pattern_spans(text))
    terms = sorted({t for t in glossary if t}, key=len, reverse=True)
    if terms:
        term_re = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in terms) + r")(?!\w)")
        spans.extend(Span(m.start(), m.end(), "term", m.group()) for m in term_re.finditer(text))
    return _drop_overlaps(spans)


@functools.lru_cache(maxsize=128)
def _pattern_spans(text: str) -> tuple[Span, ...]:
    """The spans ``_MASTER`` finds, remembered for the last texts: the guard, detection and
    matching each look for spans, often in the very same text, and the scan is the costly part.
    Enough of them for ``batch``, which detects a chunk of 32 records before it classifies them."""
    spans: list[Span] = []
    for match in _MASTER.finditer(text):
        kind = _KINDS[int(match.lastgroup[1:])]  # type: ignore[index]
        spans.append(Span(match.start(), match.end(), kind, match.group()))
    return tuple(spans)


def _drop_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the earliest (then longest) span wherever two overlap."""
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in spans:
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return kept


_EMOJI_RE = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\ufe0f\u20e3\U000e0020-\U000e007f]+"
)


class _Located(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def pieces_between(text: str, spans: Sequence[_Located]) -> list[str]:
    """The text around ``spans`` (in order, not overlapping): ``len(spans) + 1`` pieces, some empty."""
    pieces: list[str] = []
    last = 0
    for span in spans:
        pieces.append(text[last:span.start])
        last = span.end
    pieces.append(text[last:])
    return pieces


def replace_spans(text: str, spans: Sequence[_Located], replacement: Callable[[int, Any], str]) -> str:
    """``text`` with the ``i``-th of ``spans`` (in order, not overlapping) replaced by ``replacement(i, span)``."""
    pieces = pieces_between(text, spans)
    out = [pieces[0]]
    for index, (span, piece) in enumerate(zip(spans, pieces[1:], strict=True)):
        out.append(replacement(index, span))
        out.append(piece)
    return "".join(out)


def strip_non_linguistic(text: str) -> str:
    """``text`` with protected spans, numbers and emoji replaced by spaces (for detection)."""
    cleaned = " ".join(pieces_between(text, find_protected_spans(text)))
    cleaned = _EMOJI_RE.sub(" ", cleaned)
    cleaned = _NUMBER_RE.sub(" ", cleaned)
    return cleaned


# Sentence boundaries: CJK full stops end a sentence with no space after them;
# Latin/Cyrillic ones need a space and an upper-case, digit, quote or ¿¡ start.
_ABBREVIATIONS = {
    "en": {"mr", "mrs", "ms", "dr", "e.g", "i.e", "etc", "vs", "approx", "no", "st", "jan", "feb", "aug", "sept", "oct", "nov", "dec"},
    "es": {"sr", "sra", "srta", "dr", "dra", "ud", "uds", "etc", "p.ej", "núm", "aprox", "pág"},
    "fr": {"m", "mme", "mlle", "dr", "etc", "p.ex", "env", "cf", "n°", "av", "apr", "j.-c"},
    "ru": {"т.е", "т.к", "т.д", "т.п", "др", "г", "гг", "руб", "коп", "тыс", "млн", "млрд", "см", "стр", "ул"},
    "zh": set(),
}
@functools.cache
def _boundary_re() -> re.Pattern[str]:
    # Compiled on first use: its Han range is milliseconds of compile that detection, the
    # guard and matching (which never split sentences) would otherwise pay at import.
    return re.compile(rf"(?<=[。！？!?…])[」』”’）)]*|(?<=[.!?…])[\"'”’»)]*(?=\s+[\"'“«¿¡(\[A-ZÀ-ÖØ-ÞА-ЯЁ0-9{HAN}])")


def split_sentences(text: str, lang: str = "en", glossary: Iterable[str] = (),
                    max_chars: int | None = None) -> list[str]:
    """Split ``text`` into sentences, never inside a protected span, number or abbreviation.

    The pieces joined back together give the original text exactly (whitespace
    stays attached to the end of the preceding piece). With ``max_chars``, a longer
    sentence is cut further, after a clause mark or a space when there is one (a
    model has a length limit), still never inside a span or number.
    """
    if not text:
        return []
    protected = find_protected_spans(text, glossary)
    blocked: list[tuple[int, int]] = [(s.start, s.end) for s in protected]
    abbreviations = _ABBREVIATIONS.get(lang, set())
    cuts: list[int] = []
    for match in _boundary_re().finditer(text):
        end = match.end()
        if any(a < end <= b for a, b in blocked):
            continue
        mark = text[match.start() - 1] if match.start() else ""
        if mark == "." and match.start() >= 1:
            word = re.search(r"([\w.\-°]+)\.$", text[: match.start()])
            if word and word.group(1).lower() in abbreviations:
                continue
            if word and len(word.group(1)) == 1 and word.group(1).isalpha() and word.group(1).isupper():
                continue  # an initial: "J. Smith"
        # keep whitespace with the left piece
        while end < len(text) and text[end] in " \t\u00a0\u3000":
            end += 1
        if 0 < end < len(text):
            cuts.append(end)
    # Line breaks are boundaries too (chat messages rarely punctuate).
    for match in re.finditer(r"\n+", text):
        end = match.end()
        if 0 < end < len(text) and not any(a < end <= b for a, b in blocked):
            cuts.append(end)
    pieces: list[str] = []
    last = 0
    for cut in sorted(set(cuts)):
        if cut > last:
            pieces.append(text[last:cut])
            last = cut
    pieces.append(text[last:])
    if max_chars is not None:
        numbers = [(m.start(), m.end()) for m in _NUMBER_RE.finditer(text)]
        pieces = _cut_long(pieces, max(8, max_chars), blocked + numbers)
    return [p for p in pieces if p]


_CLAUSE_RE = re.compile(r"[,;:，；：、]\s*|\s+")


def _cut_long(pieces: list[str], max_chars: int, blocked: list[tuple[int, int]]) -> list[str]:
    """Pieces longer than ``max_chars`` cut at the last clause mark or space that fits (else at the limit)."""
    out: list[str] = []
    offset = 0
    for piece in pieces:
        start = 0
        while len(piece) - start > max_chars:
            window = piece[start:start + max_chars]
            cuts = [m.end() for m in _CLAUSE_RE.finditer(window) if m.end() < len(window)]
            cuts = [c for c in cuts if not any(a < offset + start + c < b for a, b in blocked)]
            cut = max(cuts, default=0)
            if cut < max_chars // 3:  # no break in the window: cut at the limit, moved out of any span
                cut = _outside_blocks(offset + start, offset + start + max_chars, blocked) - offset - start
            out.append(piece[start:start + cut])
            start += cut
        out.append(piece[start:])
        offset += len(piece)
    return out


def _outside_blocks(base: int, position: int, blocked: list[tuple[int, int]]) -> int:
    """``position`` moved back to the start of the block it falls in (forward to its end if that is ``base``)."""
    for _ in range(len(blocked) + 1):
        inside = [(a, b) for a, b in blocked if a < position < b]
        if not inside:
            return position
        a = min(a for a, _ in inside)
        position = a if a > base else max(b for _, b in inside)
    return position

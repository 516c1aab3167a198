"""What the scanners read: the text as a reader sees it, with a map back to the original.

A pasted secret is rarely clean. Help-desk exports and e-mail bodies are HTML (``<br>``,
``<li>``, ``&nbsp;``); customers label words (``word 1:``, ``слово 1:``, ``第1个:``, ``①``);
PDFs copy with runs of spaces; chat apps turn line breaks into a literal ``\\n``; and an
attacker of the guard (or an over-helpful keyboard) slips invisible characters into words,
swaps Latin letters for Cyrillic look-alikes or runs words together in CamelCase.

``reader_views(text)`` and ``word_view`` undo all of that in *views* of the text. Each view is
a string plus the edits that made it from the text below it, so any of its characters maps
to the span of the original it came from and a finding in the view is redacted in the original (tags, entities and invisible
characters inside the secret go with it). Everything is done with regular expressions
over the whole text; only the edits are stored: linear in its length.

Invisible (default-ignorable) characters are ambiguous: inside a word they hide it
(``aban\\u2062don``), between words they are the separator (``abandon\\u3164ability``).
When a text holds any that can separate, a second view reads them as spaces; inline tags
between letters likewise (``<b>aban</b>don`` and ``es<span>ff97…``). A text that went
through an encoding (JSON ``\\u`` escapes, quoted-printable, URL encoding, byte dumps) is
also read decoded. The guard scans every view.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, repeat
from operator import add

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1): rendered
# as nothing, so a reader never sees them; C0/C1 controls other than tab and line breaks too.
_IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
)
_IGNORABLE_RE = re.compile(f"[{_IGNORABLE}]+")
# The invisible characters that can stand between two words as their separator (the others,
# soft hyphens, variation selectors after emoji, controls, only ever hide inside a word).
_SEPARATING_RE = re.compile("[\u115f\u1160\u180b-\u180f\u200b\u2060-\u2064\u3164\ufeff\uffa0\U000e0000-\U000e0fff]")
# Zero-width (non-)joiners separate too, between two letters ("abandon\u200dability"); in an
# emoji sequence they join emoji. Found with a plain class, checked in Python (a look-behind
# would make re try every position).
_JOINERS_RE = re.compile("[\u200c\u200d]+")
_LETTER_RE = re.compile(r"[^\W\d_]")


def _has_separating(text: str) -> bool:
    """Whether ``text`` holds an invisible character that may stand between two words."""
    if _SEPARATING_RE.search(text) is not None:
        return True
    return any(match.start() and _LETTER_RE.match(text, match.start() - 1) and _LETTER_RE.match(text, match.end())
               for match in _JOINERS_RE.finditer(text))


# Confusable letters (Unicode confusables.txt, the lower- and upper-case pairs that render
# alike in common fonts), Cyrillic and Greek -> Latin; the reverse table for Latin -> Cyrillic.
_TO_LATIN = str.maketrans(
    "аеорсхуіјѕԁһӏԛԝАВЕКМНОРСТХУІЈЅԌԚԜαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcxyijsdhlqwABEKMHOPCTXYIJSGQWaBeikvopTuxABEZHIKMNOPTYX",
)
_TO_CYRILLIC = str.maketrans("aeopcxykAEOPCXKMHTB", "аеорсхукАЕОРСХКМНТВ")
_LATIN = "A-Za-z\u00c0-\u024f"
_CYRILLIC_GREEK = "\u0370-\u03ff\u0400-\u04ff"
# A word (letters and digits: a hex key is one) holding letters of both scripts.
_WORD_CHARS = rf"[0-9{_LATIN}{_CYRILLIC_GREEK}]"
_MIXED_WORD_RE = re.compile(
    rf"(?<!{_WORD_CHARS})(?=[0-9{_LATIN}]*[{_CYRILLIC_GREEK}])(?=[0-9{_CYRILLIC_GREEK}]*[{_LATIN}]){_WORD_CHARS}+"
)
_HAS_CYRILLIC_GREEK_RE = re.compile(f"[{_CYRILLIC_GREEK}]")
_LATIN_RE = re.compile(f"[{_LATIN}]")
_EDGE_TAG_RE = re.compile(r"(?:<\s*/?\s*[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,200})?>)+")
_INLINE_TAGS = frozenset({"b", "i", "u", "s", "em", "strong", "span", "font", "a", "small", "big", "mark", "sub",
                          "sup", "code", "tt", "del", "ins", "abbr", "q", "cite", "kbd", "var", "wbr"})
"""Tags that do not break a word: ``<b>aban</b>don`` is one word to a reader."""

# A word label before a phrase word, in the languages customers write (and the BIP39 ones):
# "word 1:", "слово №1 -", "palabra 1:", "mot 1 :", "第1个：", "1st", "2º", "No.3", "(4)", "#5",
# circled and parenthesized digits. Read as a separator.
_LABEL_WORDS = (
    r"words?|слово|palabras?|mots?|palavras?|parolas?|parole|wort|slovo|kelime|단어|単語|语|詞|词|"
    r"seed|n[°ºo]\.?|num(?:ber|ero|éro|\.)?|№"
)
_LABEL_RE = re.compile(
    # The first character decides fast whether a label can start here (most positions of a text).
    r"(?=[\dwWсСpPmMnNsS#№第단単语詞词\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf\u3280-\u3289])"
    rf"(?:(?<!\w)(?P<word>{_LABEL_WORDS})\s*(?:#|№|n[°º]|no\.?)?\s*\d{{1,2}}(?!\w)\s*[:：.)\-=–—]?"
    r"|第\s*\d{1,2}\s*[个個位]?\s*[:：]?"
    r"|(?<!\w)\d{1,2}(?:st|nd|rd|th|er|re|ère|e|º|ª|°|-?й|-?е|-?я)(?!\w)"
    r"|[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf\u3280-\u3289])",
    re.IGNORECASE,
)
_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,30});?")
_TAG_RE = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]{0,400})?/?\s*>|<!--.{0,2000}?-->", re.DOTALL)
_ESCAPE_RE = re.compile(r"\\[nrt]")
MIN_ENCODED = 24
"""Characters of encoded stretches a long text needs before it is also read decoded."""
SHORT_TEXT = 2_000


def _encoded_enough(text: str) -> bool:
    """A chat-sized text with any encoded stretch, or a long one with enough of them."""
    if len(text) <= SHORT_TEXT:
        return _ENCODED_RE.search(text) is not None
    total = 0
    for match in _encoded_finditer(text):
        total += match.end() - match.start()
        if total >= MIN_ENCODED:
            return True
    return False


def _encoded_finditer(text: str) -> Iterator[re.Match[str]]:
    """``_ENCODED_RE.finditer(text)``, tried only where ``_ENCODED_START_RE`` finds a stretch could begin.

    ``_ENCODED_RE`` has no first character ``re`` can skip to, so its own search runs a match at
    every position of the text (25 ms on 100,000 characters); every one of its matches starts
    with a match of ``_ENCODED_START_RE``, which ``re`` finds with a C-level scan for its first
    characters. The leftmost such start that ``_ENCODED_RE`` matches at is its leftmost match.
    """
    search, match_at = _ENCODED_START_RE.search, _ENCODED_RE.match
    position = 0
    while (start := search(text, position)) is not None:
        match = match_at(text, start.start())
        if match is None:
            position = start.start() + 1
            continue
        yield match
        position = match.end()
_SOFT_BREAK_RE = re.compile(r"=\r?\n")
"""Quoted-printable's soft line break, which may fall inside a character's bytes."""
_FULLWIDTH_RE = re.compile("[\uff01-\uff5e\u3000]+")
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULLWIDTH_CHAR_RE = re.compile("[\uff01-\uff5e\u3000]")
# Encodings a paste goes through (URLs, JSON, e-mail bodies, programmers' byte dumps): read decoded.
_ENCODED_RE = re.compile(
    r"(?P<url>(?:%[0-9A-Fa-f]{2})+)|(?P<json>(?:\\u[0-9A-Fa-f]{4})+)|(?P<bytes>(?:\\x[0-9A-Fa-f]{2}){8,})"
    r"|(?P<qp>(?:=[0-9A-F]{2})+)|(?P<list>(?:0[xX][0-9A-Fa-f]{2}\s*,\s*){15,}0[xX][0-9A-Fa-f]{2})"
)
# How each of the stretches above begins (alternatives that begin with a literal: ``re`` skips
# to their first characters).
_ENCODED_START_RE = re.compile(r"%[0-9A-Fa-f]{2}|\\[ux]|=[0-9A-F]{2}|0[xX]")
_SPACE_RUN_RE = re.compile(r"\s{8,}")
"""White space long enough to matter: the phrase finder allows gaps of up to 24 characters."""
@functools.cache
def _camel_re() -> re.Pattern[str]:
    """Word starts inside a run of letters, for every cased alphabet up to Cyrillic (Turkish ş, ı,
    Czech č ... included): lower then upper, or two uppers then lower."""
    lower = "".join(ch for ch in map(chr, range(0x530)) if unicodedata.category(ch) == "Ll")
    upper = "".join(ch for ch in map(chr, range(0x530)) if unicodedata.category(ch) == "Lu")
    low, up = f"[{re.escape(lower)}]", f"[{re.escape(upper)}]"
    return re.compile(rf"(?<={low})(?={up})|(?<={up}{{2}})(?={low})")


@functools.cache
def _camel_parts() -> tuple[re.Pattern[str], frozenset[str]]:
    """``_camel_re``'s upper-case letters as runs, and its lower-case letters."""
    lower = frozenset(ch for ch in map(chr, range(0x530)) if unicodedata.category(ch) == "Ll")
    upper = "".join(ch for ch in map(chr, range(0x530)) if unicodedata.category(ch) == "Lu")
    return re.compile(f"[{re.escape(upper)}]+"), lower


def _camel_starts(text: str) -> list[int]:
    """Where ``_camel_re()`` matches in ``text`` (its matches are empty), found from the runs of
    upper-case letters: a word starts at a run after a lower-case letter, and after a run of two
    or more before one. ``re`` skips to upper-case letters at C speed, where the look-behinds of
    ``_camel_re`` are tried at every position of the text."""
    runs, lower = _camel_parts()
    starts: list[int] = []
    for match in runs.finditer(text):
        start, end = match.span()
        if start and text[start - 1] in lower:
            starts.append(start)
        if end - start >= 2 and end < len(text) and text[end] in lower:
            starts.append(end)
    return starts


MAX_CAMEL_WORD = 32
"""Letters looked at on each side of a CamelCase start for the word it may lie inside (no list word is longer)."""


def _camel_starts_between_words(text: str) -> list[int]:
    """``_camel_starts``, but not inside a word of a list written in mixed case ("AbAnDoN",
    "FeStIvAl", a phone's shift key pressed at random): that run of letters, lower-cased, is
    a list word, and split it would be none. "AbandonAbility" is no list word: it is split."""
    starts = _camel_starts(text)
    if not starts:
        return starts
    from supportkit.guard.wordlists import fold, lexicon

    masks = lexicon().masks
    kept: list[int] = []
    runs: dict[int, bool] = {}
    for position in starts:
        first = position
        while first > 0 and position - first <= MAX_CAMEL_WORD and text[first - 1].isalpha():
            first -= 1
        if first not in runs:
            last = position
            while last < len(text) and last - first <= MAX_CAMEL_WORD and text[last].isalpha():
                last += 1
            word = text[first:last].lower()
            runs[first] = last - first <= MAX_CAMEL_WORD and (word in masks or fold(word) in masks)
        if not runs[first]:
            kept.append(position)
    return kept


_STRUCTURE_RE = re.compile(rf"[<&\\{_IGNORABLE}]")
_WORD_WORK_RE = re.compile(r"\s{8}|\d|[\u2460-\u24ff\u2776-\u2793\u3251-\u32bf]")


@dataclass(frozen=True)
class View:
    """A reading of ``parent`` (None: the original text) with some spans replaced.

    ``edits`` lists each replacement as ``(start, end, source_start, source_end)``: ``text[start:end]``
    was read from ``parent.text[source_start:source_end]``; elsewhere the two line up with a shift.
    Only the edits are stored, so a view of a long text with few edits costs little, and only
    the findings' offsets are ever mapped back.
    """

    text: str
    parent: View | None = None
    edits: tuple[tuple[int, int, int, int], ...] = ()

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that ``text[start:end]`` was read from."""
        if end <= start:
            point = self._map(start, False)
            return point, point
        return self._map(start, False), self._map(end - 1, True)

    def _map(self, index: int, end: bool) -> int:
        """The original offset where character ``index`` of this view starts (or with ``end``, ends)."""
        view = self
        while (parent := view.parent) is not None:
            k = bisect_right(view.edits, (index, _BIG)) - 1
            if k >= 0:
                start, stop, source_start, source_end = view.edits[k]
                if index < stop:
                    # Inside a replacement: it stands for the whole source span.
                    if end:
                        return parent._end_of(source_end)
                    index = source_start
                    view = parent
                    continue
                index = index - stop + source_end
            view = parent
        return index + 1 if end else index

    def _end_of(self, position: int) -> int:
        """The original offset of ``position`` taken as the (exclusive) end of a span of this view."""
        return self._map(position - 1, True) if position > 0 else 0


_BIG = 1 << 62


def with_adjacent_tags(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` grown over tags that touch it ("<em>ひ</em>びく"): a word's own markup goes
    with it when it is redacted."""
    if "<" not in text:
        return start, end
    before = text.rfind(">", max(0, start - 400), start)
    if before == start - 1:
        for match in _EDGE_TAG_RE.finditer(text, max(0, start - 400), start):
            if match.end() == start:
                start = match.start()
                break
    closing = _EDGE_TAG_RE.match(text, end)
    if closing is not None and text[end:end + 2] == "</":
        end = closing.end()
    return start, end


def identity(text: str) -> View:
    return View(text)


def _rewrite(view: View, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> View:
    """``view`` with every match of ``pattern`` replaced by ``replace(match)`` (a new view on top)."""
    return _replaced(view, ((m.start(), m.end(), replace(m), m.group()) for m in pattern.finditer(view.text)))


def _replaced(view: View, replacements: Iterable[tuple[int, int, str, str]]) -> View:
    """``view`` with ``(start, end, new, old)`` replacements, in order, applied (a new view on top)."""
    pieces: list[str] = []
    edits: list[tuple[int, int, int, int]] = []
    last = 0
    position = 0
    for start, end, new, old in replacements:
        if new == old:
            continue
        pieces.append(view.text[last:start])
        position += start - last
        if len(new) == end - start and end > start:
            # Same length (a folded letter): character by character, so spans stay exact.
            edits.extend((position + i, position + i + 1, start + i, start + i + 1) for i in range(len(new)))
        else:
            edits.append((position, position + len(new), start, end))
        pieces.append(new)
        position += len(new)
        last = end
    if not edits:
        return view
    pieces.append(view.text[last:])
    return View("".join(pieces), view, tuple(edits))


def _fold_fullwidth(view: View) -> View:
    """``_rewrite(view, _FULLWIDTH_RE, lambda m: m.group().translate(_FULLWIDTH))``, built in C: every
    full-width character is one same-length edit, and Chinese has one in every clause (，)."""
    starts = list(map(re.Match.start, _FULLWIDTH_CHAR_RE.finditer(view.text)))
    if not starts:
        return view
    text = view.text
    ends = list(map(add, starts, repeat(1)))
    # str.translate looks every character of a non-ASCII text up in the table: the few full-width
    # ones are translated alone and put back between the stretches around them.
    folded = "".join(map(text.__getitem__, starts)).translate(_FULLWIDTH)
    stretches = list(map(text.__getitem__, map(slice, [0, *ends], [*starts, len(text)])))
    return View("".join(chain.from_iterable(zip(stretches[:-1], folded, strict=True))) + stretches[-1], view,
                tuple(zip(starts, ends, starts, ends, strict=True)))


def _entity(match: re.Match[str]) -> str:
    decoded = html.unescape(match.group())
    if decoded == match.group():
        return decoded
    return " " if not decoded.strip() or not decoded.isprintable() else decoded


def _decoded(match: re.Match[str]) -> str:
    """An encoded stretch as the text it stands for (bytes dumps as their hex digits)."""
    import json
    from urllib.parse import unquote

    kind, text = match.lastgroup, match.group()
    try:
        if kind == "url":
            return unquote(text)
        if kind == "json":
            return str(json.loads(f'"{text}"'))
        if kind == "qp":
            return bytes(int(text[i + 1:i + 3], 16) for i in range(0, len(text), 3)).decode("utf-8", "replace")
        return "".join(re.findall(r"(?<=[xX])[0-9A-Fa-f]{2}", text))  # \xNN and 0xNN lists
    except ValueError:
        return text


def _tag(match: re.Match[str]) -> str:
    """A tag is a separator, but an inline one between two letters is nothing (``<b>aban</b>don``)."""
    name = (match.group(1) or "").lower()
    text, start, end = match.string, match.start(), match.end()
    if name in _INLINE_TAGS and start > 0 and end < len(text) and text[start - 1].isalpha() and text[end].isalpha():
        return ""
    return " "


def _fold_mixed(match: re.Match[str]) -> str:
    """A word that mixes Latin with Cyrillic or Greek letters, in the script most of its letters are.

    Ordinary words never mix scripts; a mixed word is a look-alike substitution. It is
    read in its majority script when its other letters all have twins there, else in the other.
    """
    from supportkit.guard.wordlists import lexicon

    word = match.group()
    latin_first = len(_LATIN_RE.findall(word)) >= len(_HAS_CYRILLIC_GREEK_RE.findall(word))
    readings = [folded for table in ((_TO_LATIN, _TO_CYRILLIC) if latin_first else (_TO_CYRILLIC, _TO_LATIN))
                if _MIXED_WORD_RE.fullmatch(folded := word.translate(table)) is None]
    # A short word has no majority ("Bоу": one Latin, two Cyrillic): a reading that is a
    # word of a list wins.
    known = [folded for folded in readings if folded.lower() in lexicon().masks]
    return (known or readings or [word])[0]


def reader_views(text: str) -> tuple[View, ...]:
    """The views the scanners read: markup, entities, escapes, invisible characters and look-alike
    letters undone.

    Ambiguous readings are all scanned: invisible characters as nothing and as spaces; inline
    tags between two letters as nothing (``<b>aban</b>don``) and as spaces (``es<span>ff97…``).
    """
    mixed = not text.isascii() and _HAS_CYRILLIC_GREEK_RE.search(text) is not None and _LATIN_RE.search(text)
    # An encoded secret leaves many encoded stretches (a separator between every two words, a
    # byte dump): a stray "%2" or "=3D" in a long text is no reason to read all of it twice.
    encoded = ("%" in text or "\\" in text or "=" in text or "0x" in text) and (
        _encoded_enough(text) or _SOFT_BREAK_RE.search(text) is not None)
    fullwidth = not text.isascii() and _FULLWIDTH_RE.search(text) is not None
    if _STRUCTURE_RE.search(text) is None and not mixed and not encoded and not fullwidth:
        return (identity(text),)
    base = identity(text)
    if fullwidth:  # a Chinese input method's full-width letters and digits ("ａｂｃ１２３")
        base = _fold_fullwidth(base)
    tagged = [_rewrite(base, _TAG_RE, _tag)]
    if "<" in text:
        spaced = _rewrite(base, _TAG_RE, lambda m: " ")
        if spaced.text != tagged[0].text:
            tagged.append(spaced)
    views = []
    for view in tagged:
        view = _rewrite(view, _ENTITY_RE, _entity)
        view = _rewrite(view, _ESCAPE_RE, lambda m: " ")
        views.append(_rewrite(view, _IGNORABLE_RE, lambda m: ""))
        if _has_separating(view.text):
            views.append(_rewrite(view, _IGNORABLE_RE, lambda m: " "))
    if encoded:  # and the text decoded, as one more reading
        decoded = _rewrite(_rewrite(views[0], _SOFT_BREAK_RE, lambda m: ""), _ENCODED_RE, _decoded)
        if decoded.text != views[0].text:
            views.append(decoded)
    if mixed:  # look-alike letters, in words and in keys
        views = [_rewrite(v, _MIXED_WORD_RE, _fold_mixed) for v in views]
    return tuple(views)


def word_view(view: View) -> View:
    """``view`` as the phrase finder reads it: labels and CamelCase split,
    runs of white space one separator. (Keys are read without this: base58 is CamelCase.)"""
    if _WORD_WORK_RE.search(view.text) is not None:
        # A label word counts only when it labels a list (three times or more): "word", "number"
        # and "numéro" are also phrase words, and "... 17. numéro 18. ..." is a numbered phrase.
        found = list(_LABEL_RE.finditer(view.text))
        if found:
            labels = Counter((m.group("word") or "").lower() for m in found)

            def label(match: re.Match[str]) -> str:
                word = (match.group("word") or "").lower()
                return match.group() if word and labels[word] < 3 else " "

            view = _replaced(view, ((m.start(), m.end(), label(m), m.group()) for m in found))
    view = _replaced(view, ((p, p, " ", "") for p in _camel_starts_between_words(view.text)))
    return _rewrite(view, _SPACE_RUN_RE, lambda m: "\n" if "\n" in m.group() else " ")

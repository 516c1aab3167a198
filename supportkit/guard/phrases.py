"""BIP39 recovery phrases in every word list the ``mnemonic`` package ships.

How a phrase is told from ordinary text:

1. Tokens are letter runs (a lone Han character is one token; a run of two or more
   Han characters is a *block*, see ``hanzi``). Two tokens are *joined* when only
   separators lie between them: spaces, line breaks, punctuation, numbering
   (``1.``, ``2)``, ``#3``), i.e. no letters and no number of three digits or more.
2. For each word list, joined tokens that are list words form segments. Segments
   chain across one token that is not a list word: a typo (edit distance 1, or
   the unique 4-letter prefix every BIP39 word has) or, once per chain, any word.
3. A chain of 12 or more words, at least 10 of them exact, is a phrase. Ordinary
   text never gets there: function words ("I", "the", "my", "de", "и", "的 一"
   written with spaces) are not list words, and the longest run of list words in
   a thousand sentences per language is 6 (scripts/tune_guard.py measures it).
   Chinese written without spaces is the exception: every common character is a
   list word, so blocks are judged statistically in ``hanzi``.

Word lists are compiled on first use (about 0.1 s) and kept for the process.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from supportkit.text import has_wide

MIN_WORDS = 12
MIN_EXACT = 10
VALID_LENGTHS = (12, 15, 18, 21, 24)
MAX_GAP = 24
"""Longest separator (characters) between two words of one phrase."""
MAX_CHAIN_SEGMENTS = 40
"""Bounds the chaining work per start segment on huge input."""

WORDLISTS = (
    "english", "chinese_simplified", "chinese_traditional", "spanish", "french", "italian",
    "portuguese", "czech", "japanese", "korean", "russian", "turkish",
)
_FOLDED = frozenset({"spanish", "french", "italian", "portuguese", "czech", "turkish", "english"})
"""Latin-script lists also matched without accents ("abaco" for "ábaco")."""
_HAN_LISTS = frozenset({"chinese_simplified", "chinese_traditional"})

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u3099\u309a"
"""Combining marks: part of a word when the text is decomposed (NFD), as mnemonic's own lists are."""
_HAS_MARKS_RE = re.compile(rf"[{_MARKS}]")


@functools.cache
def _token_re(han: bool, marks: bool, named: bool) -> re.Pattern[str]:
    """The tokenizer for text with or without Han characters and combining marks.

    Keeping combining marks inside words is slower, and only decomposed text needs it; the
    Han ranges cost milliseconds to compile, and only text with wide characters needs them
    (``supportkit.text.has_wide``). ``named`` marks a Han run as the group ``han``.
    """
    han_class = HAN if han else ""
    word = rf"[^\W\d_{han_class}]+"
    if marks:
        word = rf"(?:{word}[{_MARKS}]*)+"
    if not han:
        return re.compile(word)
    return re.compile((rf"(?P<han>[{HAN}]+)|" if named else rf"[{HAN}]+|") + word)


@functools.cache
def _long_han_re() -> re.Pattern[str]:
    return re.compile(rf"[{HAN}]{{12,}}")


_BAD_GAP_RE = re.compile(r"\d{3}")


_STRIP_ACCENTS: dict[int, str | None] = dict.fromkeys(range(0x0300, 0x0370))
_STRIP_ACCENTS.update({ord("ı"): "i", ord("ё"): "е"})


def fold(word: str) -> str:
    """Lower case without accents (``Ábaco`` -> ``abaco``; Turkish dotless i; Russian ё, й -> е, и)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", word.lower()).translate(_STRIP_ACCENTS))


@dataclass(frozen=True)
class Lexicon:
    """Every word list, compiled for lookups."""

    names: tuple[str, ...]
    words: dict[str, tuple[str, ...]]
    masks: dict[str, int]
    """token key (NFC lower case, and its folded form for Latin lists) -> bit mask of lists."""
    index: dict[str, dict[str, int]]
    """list -> {word or folded word: position in the list}."""


@functools.cache
def lexicon() -> Lexicon:
    """The compiled word lists (built once per process)."""
    from importlib.resources import files

    root = files("mnemonic").joinpath("wordlist")
    words: dict[str, tuple[str, ...]] = {}
    masks: dict[str, int] = {}
    index: dict[str, dict[str, int]] = {}
    for bit, name in enumerate(WORDLISTS):
        raw = root.joinpath(f"{name}.txt").read_text(encoding="utf-8").split("\n")
        listed = tuple(unicodedata.normalize("NFC", w.strip()).lower() for w in raw if w.strip())
        words[name] = listed
        positions: dict[str, int] = {}
        for position, word in enumerate(listed):
            keys = {word, fold(word)} if name in _FOLDED or name == "russian" else {word}
            for key in keys:
                positions.setdefault(key, position)
                masks[key] = masks.get(key, 0) | (1 << bit)
        index[name] = positions
    return Lexicon(WORDLISTS, words, masks, index)


@functools.cache
def _near_index(name: str) -> tuple[dict[str, int], dict[str, int]]:
    """(one-deletion variants -> word position, 4-letter prefix -> word position) for typo lookups."""
    deletions: dict[str, int] = {}
    prefixes: dict[str, int] = {}
    seen_prefix: set[str] = set()
    for position, word in enumerate(lexicon().words[name]):
        for form in {word, fold(word)} if name in _FOLDED else {word}:
            deletions.setdefault(form, position)
            for i in range(len(form)):
                deletions.setdefault(form[:i] + form[i + 1:], position)
            if len(form) >= 4:
                prefix = form[:4]
                if prefix in seen_prefix:
                    prefixes.pop(prefix, None)  # not unique in this list: no prefix match
                else:
                    seen_prefix.add(prefix)
                    prefixes[prefix] = position
    return deletions, prefixes


def near_word(token: str, name: str) -> bool:
    """True when ``token`` is one typo away from a word of list ``name`` (or is its unique 4-letter prefix)."""
    if len(token) < 4 or name in _HAN_LISTS:
        return False
    deletions, prefixes = _near_index(name)
    forms = {token, fold(token)} if name in _FOLDED else {token}
    for form in forms:
        if form[:4] in prefixes or form in deletions:
            return True
        if any(form[:i] + form[i + 1:] in deletions for i in range(len(form))):
            return True
    return False


def _key(token: str) -> str:
    key = token.lower()
    if not key.isascii():
        key = unicodedata.normalize("NFKC", key)
    return key


def _mask(key: str, masks: dict[str, int]) -> int:
    """Lists that hold ``key`` (a ``_key``), also without its accents."""
    mask = masks.get(key)
    if mask is None and not key.isascii():
        folded = _folded(key)
        if folded != key:
            mask = masks.get(folded)
    return mask or 0


@functools.lru_cache(maxsize=8192)
def _folded(key: str) -> str:
    """``fold``, remembered for the words of messages (Russian, French, Chinese words repeat)."""
    return fold(key)


def _could_hold_phrase(text: str) -> bool:
    """A cheap upper bound: enough list words for a phrase, or a Han block long enough for one."""
    wide = has_wide(text)
    if wide and _long_han_re().search(text):
        return True
    pattern = _token_re(wide, _HAS_MARKS_RE.search(text) is not None, named=False)
    words = pattern.findall(text.lower())
    if len(words) < MIN_EXACT:
        return False
    masks = lexicon().masks
    listed = sum(map(masks.__contains__, words))
    if listed >= MIN_EXACT:
        return True
    # Words that only match after NFKC or without accents (NFD input, "abaco", full-width letters).
    for word in words:
        if not word.isascii() and word not in masks and _mask(_key(word), masks):
            listed += 1
            if listed >= MIN_EXACT:
                return True
    return False


@dataclass(frozen=True)
class PhraseHit:
    """A recovery phrase found in the text (offsets into it); never holds the words."""

    start: int
    end: int
    words: int
    wordlist: str
    checksum: bool | None
    typos: int


@dataclass
class _Tokens:
    starts: list[int]
    ends: list[int]
    keys: list[str]
    masks: list[int]
    joined: list[bool]
    blocks: list[tuple[int, int]]


def _tokenize(text: str, exclude: list[tuple[int, int]]) -> _Tokens:
    masks_of = lexicon().masks
    tokens = _Tokens([], [], [], [], [], [])
    broken = True
    previous_end = 0
    excluded = iter(sorted(exclude))
    next_excluded = next(excluded, None)
    pattern = _token_re(has_wide(text), _HAS_MARKS_RE.search(text) is not None, named=True)
    for match in pattern.finditer(text):
        start, end = match.span()
        while next_excluded is not None and next_excluded[1] <= start:
            if next_excluded[0] >= previous_end:
                broken = True  # a marker between two tokens breaks a run
            next_excluded = next(excluded, None)
        if next_excluded is not None and next_excluded[0] < end:
            broken = True
            previous_end = end
            continue
        if match.lastgroup == "han" and end - start > 1:
            tokens.blocks.append((start, end))
            broken = True
            previous_end = end
            continue
        key = _key(match.group())
        mask = _mask(key, masks_of)
        gap_ok = not broken and _gap_ok(text, previous_end, start)
        tokens.starts.append(start)
        tokens.ends.append(end)
        tokens.keys.append(key)
        tokens.masks.append(mask)
        tokens.joined.append(gap_ok)
        broken = False
        previous_end = end
    return tokens


def _gap_ok(text: str, start: int, end: int) -> bool:
    if end - start > MAX_GAP:
        return False
    return _BAD_GAP_RE.search(text, start, end) is None


def find_phrases(text: str, exclude: list[tuple[int, int]] | None = None) -> list[PhraseHit]:
    """Every recovery phrase in ``text`` (spans in ``exclude``, e.g. redaction markers, are skipped)."""
    from supportkit.guard import hanzi

    if not _could_hold_phrase(text):
        return []
    tokens = _tokenize(text, exclude or [])
    hits: list[PhraseHit] = []
    counts = [0] * len(WORDLISTS)
    for mask in tokens.masks:
        while mask:
            low = mask & -mask
            counts[low.bit_length() - 1] += 1
            mask ^= low
    for bit, count in enumerate(counts):
        if count >= MIN_EXACT:
            hits.extend(_chains(tokens, bit))
    for start, end in tokens.blocks:
        if end - start >= MIN_WORDS:
            hits.extend(hanzi.find_in_block(text, start, end))
    return [_with_numbering(text, hit) for hit in _best_non_overlapping(hits)]


_NUMBERING_RE = re.compile(r"(?:[#№(]\s*)?\d{1,2}\s*[.):\]\-、．]?\s*$")


def _with_numbering(text: str, hit: PhraseHit) -> PhraseHit:
    """The "1." or "(1)" before the first word goes with the phrase."""
    match = _NUMBERING_RE.search(text, max(0, hit.start - 8), hit.start)
    if match is None or match.start() == hit.start:
        return hit
    return PhraseHit(match.start(), hit.end, hit.words, hit.wordlist, hit.checksum, hit.typos)


def _segments(tokens: _Tokens, bit: int) -> list[tuple[int, int]]:
    """Runs ``[first, last]`` of joined tokens that are words of list ``bit``."""
    flag = 1 << bit
    segments: list[tuple[int, int]] = []
    first = -1
    for i, mask in enumerate(tokens.masks):
        if mask & flag:
            if first >= 0 and tokens.joined[i]:
                continue
            if first >= 0:
                segments.append((first, i - 1))
            first = i
        elif first >= 0:
            segments.append((first, i - 1))
            first = -1
    if first >= 0:
        segments.append((first, len(tokens.masks) - 1))
    return segments


def _chains(tokens: _Tokens, bit: int) -> list[PhraseHit]:
    name = WORDLISTS[bit]
    segments = _segments(tokens, bit)
    hits: list[PhraseHit] = []
    covered_until = -1
    for k, (first, last) in enumerate(segments):
        if last <= covered_until:
            continue
        exact = last - first + 1
        typos = others = 0
        chain = [(first, last)]
        typo_bridges: list[bool] = []
        for follower in segments[k + 1: k + 1 + MAX_CHAIN_SEGMENTS]:
            bridge = chain[-1][1] + 1
            if follower[0] != bridge + 1 or not (tokens.joined[bridge] and tokens.joined[follower[0]]):
                break
            is_typo = near_word(tokens.keys[bridge], name)
            if not is_typo and others >= 1:
                break
            words = exact + typos + others + 1 + (follower[1] - follower[0] + 1)
            if typos + others + 1 > max(1, words // 6):
                break
            if is_typo:
                typos += 1
            else:
                others += 1
            typo_bridges.append(is_typo)
            exact += follower[1] - follower[0] + 1
            chain.append(follower)
        words = exact + typos + others
        if words >= MIN_WORDS and exact >= MIN_EXACT:
            hits.append(_hit(tokens, name, chain, typo_bridges, words, typos + others))
            covered_until = chain[-1][1]
    return hits


def _hit(tokens: _Tokens, name: str, chain: list[tuple[int, int]], typo_bridges: list[bool], words: int,
         typos: int) -> PhraseHit:
    """The hit for a chain of segments: all of it is redacted.

    "my seed is abandon ... about": "seed" is a list word joined to the phrase by "is", and
    "hello please help ... thank you" are list words too. Cutting them off would need
    certainty that they are not words of the phrase, which nothing gives (a phrase with a
    garbled word looks the same), so they are redacted with it. The *description* uses the
    checksummed core when one whole segment has a valid length and checksum and at most
    two other words lie outside it.
    """
    first, last = chain[0][0], chain[-1][1]
    for core_first, core_last in chain:
        length = core_last - core_first + 1
        outside_words = words - len(typo_bridges) - length
        if length not in VALID_LENGTHS or outside_words > 2 or any(typo_bridges):
            continue
        if valid_checksum([tokens.keys[i] for i in range(core_first, core_last + 1)], name):
            return PhraseHit(tokens.starts[first], tokens.ends[last], length, name, True, 0)
    checksum = None
    if len(chain) == 1 and words in VALID_LENGTHS:
        checksum = valid_checksum([tokens.keys[i] for i in range(first, last + 1)], name)
    return PhraseHit(tokens.starts[first], tokens.ends[last], words, name, checksum, typos)


def valid_checksum(words: list[str], name: str) -> bool:
    """True when ``words`` (12/15/18/21/24 of list ``name``) carry a valid BIP39 checksum."""
    import hashlib

    positions = lexicon().index[name]
    try:
        indices = [positions[w] if w in positions else positions[fold(w)] for w in words]
    except KeyError:
        return False
    if len(indices) not in VALID_LENGTHS:
        return False
    bits = 0
    for index in indices:
        bits = (bits << 11) | index
    total = len(indices) * 11
    checksum_bits = total // 33
    entropy_bits = total - checksum_bits
    entropy = (bits >> checksum_bits).to_bytes(entropy_bits // 8, "big")
    expected = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    return expected == bits & ((1 << checksum_bits) - 1)


def _best_non_overlapping(hits: list[PhraseHit]) -> list[PhraseHit]:
    """Overlapping hits (English and French share words) become one span, described by its longest hit."""
    merged: list[tuple[int, int, PhraseHit]] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if merged and hit.start < merged[-1][1]:
            start, end, best = merged[-1]
            if (hit.words, hit.checksum is True) > (best.words, best.checksum is True):
                best = hit
            merged[-1] = (start, max(end, hit.end), best)
        else:
            merged.append((hit.start, hit.end, hit))
    return [PhraseHit(start, end, best.words, best.wordlist, best.checksum, best.typos)
            for start, end, best in merged]

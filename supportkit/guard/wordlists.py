"""The BIP39 word lists the ``mnemonic`` package ships, compiled for lookups, and their checksum.

What the guard's phrase finders (``phrases`` for letters, ``hanzi`` for Chinese without spaces)
share: the lists and their lookup table (``lexicon``, built once per process, about 0.1 s),
accent folding, the words customers put before a phrase (``cue_re``), what a hit is
(``PhraseHit``) and the checksum that tells a real phrase from 12 words that happen to be listed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

VALID_LENGTHS = (12, 15, 18, 21, 24)
MAX_GAP = 24
"""Longest separator (characters) between two words of one phrase."""

WORDLISTS = (
    "english", "chinese_simplified", "chinese_traditional", "spanish", "french", "italian",
    "portuguese", "czech", "japanese", "korean", "russian", "turkish",
)
FOLDED_LISTS = frozenset({"spanish", "french", "italian", "portuguese", "czech", "turkish", "english"})
"""Latin-script lists also matched without accents ("abaco" for "ábaco")."""
HAN_LISTS = frozenset({"chinese_simplified", "chinese_traditional"})
SYLLABIC_LISTS = frozenset({"japanese", "korean"})
_REPAIRS = {"сно\ufffd\ufffdа": "снова"}
"""Words the ``mnemonic`` package ships broken (its russian.txt has "снова" with two bytes
lost to U+FFFD): read as the word customers write, or that word of a phrase is never matched."""



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
        listed = tuple(_REPAIRS.get(w, w) for w in (unicodedata.normalize("NFC", w.strip()).lower()
                                                     for w in raw if w.strip()))
        words[name] = listed
        positions: dict[str, int] = {}
        for position, word in enumerate(listed):
            keys = {word, fold(word)} if name in FOLDED_LISTS or name == "russian" else {word}
            for key in keys:
                positions.setdefault(key, position)
                masks[key] = masks.get(key, 0) | (1 << bit)
        index[name] = positions
    return Lexicon(WORDLISTS, words, masks, index)


_CUE_TERMS = (
    r"seed|mnemonic|phrase|recovery|backup|words|"
    r"助记词|助記詞|助记|助記|种子|種子|恢复短语|恢復短語|单词|單詞|"
    r"frase|semilla|palabras|"
    r"сид\w*|мнемони\w*|фраз\w*|слова|"
    r"mots|phrase|graine|"
    r"palavras|parole|slova|kelimeler|단어|単語"
)


_CUE_ANYWHERE = ("助记词", "助記詞", "种子", "種子")
"""Cue words that count inside a run of Han characters too ("我的助记词是")."""


@functools.cache
def cue_re() -> re.Pattern[str]:
    """Words customers put before the phrase they paste (Latin and Cyrillic as whole words)."""
    return re.compile(rf"(?<![^\W\d_])(?:{_CUE_TERMS})(?![^\W\d_])|{'|'.join(_CUE_ANYWHERE)}", re.IGNORECASE)


@functools.cache
def _cue_fast_re() -> re.Pattern[str]:
    """``cue_re`` for lower-case text without its leading look-behind: every alternative begins with
    a literal, so ``re`` skips to the letters a cue can begin with at C speed (``cue_re`` tries a
    match at every position of the text). The words that count anywhere come first, as they
    win over the whole-word alternatives in ``cue_re`` when its look-behind fails."""
    words = "|".join(rf"{term}(?![^\W\d_])" for term in _CUE_TERMS.split("|"))
    return re.compile("|".join((*_CUE_ANYWHERE, words)))


_LETTER_RE = re.compile(r"[^\W\d_]")
_CASE_SPECIAL_RE = re.compile("[\u0130\u0131\u017f\u212a]")
"""Letters ``re.IGNORECASE`` matches with an ASCII letter that ``str.lower`` does not make one (İ ı ſ K)."""


def cue_ends(text: str) -> list[int]:
    """Where the matches of ``cue_re`` in ``text`` end, in order (the same list, found faster)."""
    lowered = text.lower()
    if len(lowered) != len(text) or _CASE_SPECIAL_RE.search(text) is not None:
        return [match.end() for match in cue_re().finditer(text)]
    search, letter_at = _cue_fast_re().search, _LETTER_RE.match
    ends: list[int] = []
    position = 0
    while (match := search(lowered, position)) is not None:
        start = match.start()
        if start and letter_at(lowered, start - 1) is not None and match.group() not in _CUE_ANYWHERE:
            position = start + 1  # not a whole word: cue_re's look-behind fails here
            continue
        ends.append(match.end())
        position = match.end()
    return ends


@dataclass(frozen=True)
class PhraseHit:
    """A recovery phrase found in the text (offsets into it); never holds the words."""

    start: int
    end: int
    words: int
    wordlist: str
    checksum: bool | None
    typos: int


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

"""The alphabetic phrase finder's fast paths give what the plain computations they replaced give.

As in ``test_guard_speed``: each reference is the code the fast path replaced (issue 12: 100,000
characters of any script in 100 ms; ``scripts/bench_guard.py --only scaling``), and a property
test holds the two equal on generated text.
"""

from __future__ import annotations

import re
from itertools import repeat
from operator import add, lshift

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportkit.guard import phrases, wordlists

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


# --- references: the plain computations ------------------------------------------------------


def plain_cue_ends(text: str) -> list[int]:
    """``wordlists.cue_ends`` as it was: the one pattern, tried at every position."""
    return [match.end() for match in wordlists.cue_re().finditer(text)]


def plain_run_codes(tokens: phrases._Tokens, bit: int) -> str:
    """The ``E``/``o``/``B``/``b`` codes of list ``bit`` as they were: one character per token
    (``0x10000 + (mask << 1 | joined)``) translated through a dict of every mask."""
    base = 0x10000
    codes = "".join(map(chr, map(add, map(lshift, tokens.masks, repeat(1)), map(add, tokens.joined, repeat(base)))))
    flag = 1 << bit
    table = {base + (mask << 1 | joined): ("E" if mask & flag else "o") if joined else ("B" if mask & flag else "b")
             for mask in range(1 << len(phrases.WORDLISTS)) for joined in (0, 1)}
    return codes.translate(table)


# --- generated text ----------------------------------------------------------------------------

_CUE_TEXT = st.lists(st.sampled_from([
    "seed", "SEED", "Seed", "ſeed", "phraſe", "PHRASE", "mnemonİc", "mnemonıc", "mnemonic", "phraseed", "seeds",
    "助记词", "助记", "助記詞", "单词", "单词语", "种子", "種子", "的", "私钥", "words", "WORDS", "palabras", "Frase", "frases",
    "сид", "СИД", "сид_1фраза", "Фраза", "фразы", "СЛОВА", "слова", "mots", "graine", "단어", "単語", "kelimeler",
    "x", "e\u0301", " ", "  ", "-", "_", "1", "\n", "K", "İ", "ß", "ǅ", "é",
]), max_size=24).map("".join)


def _list_words() -> list[str]:
    words = phrases.lexicon().words
    return [w for name in phrases.WORDLISTS for w in words[name][::131]]


_WORD_TEXT = st.lists(st.one_of(
    st.sampled_from(_list_words()),
    st.sampled_from([" ", ", ", "\n", " 123 ", " " * 30, "的一", "hello", "Ábaco", "ёлка", "x"]),
), max_size=80).map("".join)


# --- properties --------------------------------------------------------------------------------


@PROPERTY
@given(_CUE_TEXT)
def test_cue_ends_are_where_the_cue_pattern_ends(text: str) -> None:
    assert wordlists.cue_ends(text) == plain_cue_ends(text)


def test_cue_ends_on_long_text_with_every_cue() -> None:
    terms = [term.replace(r"\w*", "") for term in wordlists._CUE_TERMS.split("|")]
    text = " ".join(f"a{term} {term.upper()} {term}x {term}: 1{term}" for term in terms) * 3
    assert wordlists.cue_ends(text) == plain_cue_ends(text)
    assert len(plain_cue_ends(text)) > 3 * len(terms)


@PROPERTY
@given(_WORD_TEXT)
def test_run_codes_are_the_plain_codes(text: str) -> None:
    tokens = phrases._tokenize(text, [])
    codes = phrases._codes(tokens)
    for bit in range(len(phrases.WORDLISTS)):
        fast = codes[bit // phrases._BYTE_LISTS].translate(phrases._code_table(bit % phrases._BYTE_LISTS))
        assert fast.decode() == plain_run_codes(tokens, bit)


def test_the_run_pattern_reads_codes_as_before() -> None:
    assert phrases._run_re().pattern.decode() == re.compile(r"[EB](?:o{0,2}E){3,}").pattern


# --- keys: the hex groups of a long run --------------------------------------------------------


def plain_windows_of_64(sizes: list[int], kinds: list[str]) -> list[tuple[int, int]]:
    """``keys._windows_of_64`` as it was: the one pass started at every group."""
    windows = []
    count = len(sizes)
    first = 0
    while first < count:
        size = sizes[first]
        kind = kinds[first].replace("\n", " ") if first < count - 1 else ""
        last = first
        while last + 1 < count and sizes[last + 1] == size and kinds[last].replace("\n", " ") == kind:
            last += 1
        total = size * (last - first + 1)
        if total < 64 and last + 1 < count and kinds[last] == "\n" and sizes[last + 1] == 64 - total:
            last += 1
            total = 64
        if total == 64 and last > first and size >= 2:
            windows.append((first, last))
        first = last + 1
    return windows


_GROUPS = st.lists(st.tuples(st.sampled_from([1, 2, 4, 8, 16, 24, 32, 40, 48, 64]), st.sampled_from([" ", "\n", ":", "-"])),
                   min_size=1, max_size=40)


@PROPERTY
@given(_GROUPS)
def test_windows_of_64_start_only_where_one_can(groups: list[tuple[int, str]]) -> None:
    from supportkit.guard import keys

    sizes = [size for size, _ in groups]
    kinds = [kind for _, kind in groups[:-1]]
    assert list(keys._windows_of_64(sizes, kinds)) == plain_windows_of_64(sizes, kinds)

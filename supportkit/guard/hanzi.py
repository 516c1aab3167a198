"""Chinese recovery phrases written without spaces ("的一是在不了有和人这中大").

The 2048 characters of the Chinese word lists are the most common ones, so ordinary
Chinese is one long run of list words and counting cannot tell a phrase from a
sentence. Statistics can: a phrase is 12 to 24 characters drawn uniformly from the
list, a sentence is not. Each window of 12/15/18/21/24 characters of a Han block is
scored as a log-likelihood ratio, uniform draw against written Chinese:

- per character, ``log(1/2048) - log P(char | Chinese)`` (wordfreq's character
  frequencies): common characters (的 是 了) count against a phrase, rare ones for it;
- per adjacent pair that is a Chinese word (钱包, 转账), ``-PAIR_WEIGHT``: random draws
  almost never make words, sentences are made of them;
- a valid BIP39 checksum adds ``log 2^(words/3)`` (it is that much likelier for a phrase);
- a window that is the whole block, or starts or ends it, gains ``EDGE_BONUS`` per edge
  (a pasted phrase is set off by spaces, punctuation or a line break);
- a window right after a word for the phrase (助记词, 种子, 私钥, seed ...) gains ``CUE_BONUS``
  (customers say what they paste; ordinary messages name the phrase too, hence a small bonus).

A window scoring at least ``THRESHOLD`` is a phrase. The constants come from
``scripts/tune_guard.py``: generated phrases against the language-ID test set's
Chinese and Japanese sentences and our own help-desk sentences, never the dev messages.

The character table is built once from wordfreq (about a second) and cached in
the cache folder as plain data (``supportkit._cache``), like the detection model.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from dataclasses import dataclass
from typing import Any

from supportkit._cache import cache_file, cache_key, read_data, write_data
from supportkit.files import installed_identity
from supportkit.guard.phrases import VALID_LENGTHS, PhraseHit, lexicon, valid_checksum

FORMAT = 1
PAIR_WEIGHT = 4.0
EDGE_BONUS = 3.0
NON_LIST_PENALTY = -2.0
"""A character outside the list (one mistyped word) inside a window."""
CUE_BONUS = 2.0
CUE_REACH = 12
"""Characters between the end of a cue word and the window for the cue to count."""
THRESHOLD = 4.0
EXTEND_MARGIN = 4.0
"""Windows overlapping a phrase that score within this of THRESHOLD are redacted with it (its edges)."""
PREFILTER_MARGIN = 12.0
"""Longer windows are only scored where the 12-character window already comes this close to THRESHOLD."""
MIN_PAIR_FREQUENCY = 1e-6
_CUE_RE = re.compile(r"助记词|助記詞|助记|助記|种子|種子|恢复短语|恢復短語|私钥|私鑰|密钥|单词|單詞|词语|seed|phrase|mnemonic",
                     re.IGNORECASE)


@dataclass(frozen=True)
class HanModel:
    """Per-character log-likelihood ratios and the set of two-character words (in simplified form)."""

    char_llr: dict[str, float]
    pairs: frozenset[str]
    to_simplified: dict[str, str]


def _cache_key() -> str:
    from supportkit.guard import phrases

    return cache_key(FORMAT, installed_identity("wordfreq"), installed_identity("mnemonic"),
                     code=(__file__, phrases.__file__))


def build() -> dict[str, Any]:
    """The table from wordfreq's Chinese list (slow: about a second)."""
    import wordfreq

    words = lexicon().words
    simplified, traditional = words["chinese_simplified"], words["chinese_traditional"]
    listed = set(simplified)
    frequencies: dict[str, float] = dict.fromkeys(simplified, 0.0)
    pairs: list[str] = []
    for word, frequency in wordfreq.get_frequency_dict("zh").items():
        for ch in word:
            if ch in listed:
                frequencies[ch] += frequency
        if len(word) == 2 and frequency >= MIN_PAIR_FREQUENCY and word[0] in listed and word[1] in listed:
            pairs.append(word)
    total = sum(frequencies.values())
    floor = min(v for v in frequencies.values() if v > 0)
    uniform = math.log(1 / len(simplified))
    llr = {ch: uniform - math.log(max(f, floor) / total) for ch, f in frequencies.items()}
    to_simplified = {t: s for s, t in zip(simplified, traditional, strict=True) if t != s}
    for t, s in to_simplified.items():
        llr[t] = llr[s]
    return {"llr": llr, "pairs": sorted(pairs), "to_simplified": to_simplified}


_lock = threading.Lock()
_model: HanModel | None = None


def load() -> HanModel:
    """The model for this process: from the cache file, else built (and cached when possible)."""
    global _model
    if _model is not None:
        return _model
    with _lock:
        if _model is None:
            key = _cache_key()
            path = cache_file("guard-han", key)
            data: Any = read_data(path, key)
            if not isinstance(data, dict) or set(data) != {"llr", "pairs", "to_simplified"}:
                data = build()
                # A read-only cache still works; it rebuilds next time.
                write_data(path, key, data, keep=2)
            _model = HanModel(dict(data["llr"]), frozenset(data["pairs"]), dict(data["to_simplified"]))
    return _model


def window_scores(block: str, floor: float | None = None, cues: tuple[int, ...] = ()
                  ) -> list[tuple[float, int, int, bool | None]]:
    """``(score, start, length, checksum)`` of every window of ``block`` scoring at least ``floor``.

    ``cues``: offsets (relative to the block, may be negative) where a cue word ends.
    """
    floor = THRESHOLD if floor is None else floor
    model = load()
    n = len(block)
    llr = model.char_llr
    simple = model.to_simplified
    sums = [0.0] * (n + 1)
    outside = [0] * (n + 1)
    pair_starts = [0] * (n + 1)
    for i, ch in enumerate(block):
        value = llr.get(ch)
        sums[i + 1] = sums[i] + (NON_LIST_PENALTY if value is None else value)
        outside[i + 1] = outside[i] + (value is None)
        is_pair = i + 1 < n and (simple.get(ch, ch) + simple.get(block[i + 1], block[i + 1])) in model.pairs
        pair_starts[i + 1] = pair_starts[i] + is_pair
    shortest = VALID_LENGTHS[0]
    # hopeful[i]: windows of 12 starting before i that come near the threshold (a prefix count).
    hopeful = [0] * (n + 2)
    for start in range(n + 1):
        end = start + shortest
        near = False
        if end <= n:
            base = sums[end] - sums[start] - PAIR_WEIGHT * (pair_starts[end - 1] - pair_starts[start])
            near = base + 2 * EDGE_BONUS + CUE_BONUS + math.log(2) * 8 >= floor - PREFILTER_MARGIN
        hopeful[start + 1] = hopeful[start] + near
    results: list[tuple[float, int, int, bool | None]] = []
    for length in VALID_LENGTHS:
        if length > n:
            break
        for start in range(n - length + 1):
            if hopeful[start + length - shortest + 1] == hopeful[start]:
                continue
            end = start + length
            if outside[end] - outside[start] > 1:
                continue
            score = sums[end] - sums[start] - PAIR_WEIGHT * (pair_starts[end - 1] - pair_starts[start])
            score += EDGE_BONUS * ((start == 0) + (end == n))
            if cues and any(start - CUE_REACH <= cue <= start for cue in cues):
                score += CUE_BONUS
            bonus = math.log(2) * (length // 3)
            checksum: bool | None = None
            if score + bonus >= floor and outside[end] == outside[start]:
                checksum = _checksum(block[start:end])
                if checksum:
                    score += bonus
            if score >= floor:
                results.append((score, start, length, checksum))
    return results


def _checksum(window: str) -> bool:
    words = list(window)
    return valid_checksum(words, "chinese_simplified") or valid_checksum(words, "chinese_traditional")


@functools.cache
def _script_only() -> tuple[frozenset[str], frozenset[str]]:
    """Characters only the simplified list has, and only the traditional one."""
    simplified = frozenset(lexicon().words["chinese_simplified"])
    traditional = frozenset(lexicon().words["chinese_traditional"])
    return simplified - traditional, traditional - simplified


def _wordlist(window: str) -> str:
    """The list a window's checksum belongs to, else the script its characters say."""
    words = list(window)
    if valid_checksum(words, "chinese_traditional") and not valid_checksum(words, "chinese_simplified"):
        return "chinese_traditional"
    if valid_checksum(words, "chinese_simplified"):
        return "chinese_simplified"
    only_simplified, only_traditional = _script_only()
    traditional = sum(ch in only_traditional for ch in window)
    simplified = sum(ch in only_simplified for ch in window)
    return "chinese_traditional" if traditional > simplified else "chinese_simplified"


def find_in_block(text: str, start: int, end: int) -> list[PhraseHit]:
    """Phrases in the Han block ``text[start:end]``, best-scoring windows first, never overlapping."""
    block = text[start:end]
    cues = tuple(m.end() - start for m in _CUE_RE.finditer(text, max(0, start - 2 * CUE_REACH), end))
    windows = sorted(window_scores(block, THRESHOLD - EXTEND_MARGIN, cues), key=lambda r: (-r[0], r[1]))
    chosen: list[tuple[int, int, int, bool | None, str]] = []
    for score, offset, length, checksum in windows:
        if score < THRESHOLD:
            break
        if any(offset < last and offset + length > first for first, last, _, _, _ in chosen):
            continue
        # The phrase's edges: every nearly-as-likely window overlapping the best one.
        first, last = offset, offset + length
        for _other_score, other, other_length, _ in windows:
            if other < offset + length and other + other_length > offset:
                first, last = min(first, other), max(last, other + other_length)
        chosen.append((first, last, length, checksum, _wordlist(block[offset:offset + length])))
    hits = []
    for first, last, words, checksum, wordlist in chosen:
        # Snap to the block's edge when only a character or two would be left: better one
        # ordinary character too many than one word of the phrase left behind.
        first = 0 if first <= 2 else first
        last = len(block) if len(block) - last <= 2 else last
        hits.append(PhraseHit(start + first, start + last, words, wordlist, checksum, 0))
    return hits

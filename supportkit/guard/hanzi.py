"""Chinese recovery phrases: without spaces ("的一是在不了有和人这中大"), spaced, partial, after a cue.

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

What a *run* is (``find_in_text``): a stretch of Han characters, or short pieces of one to
four characters joined by separators ("的 一 是", "的，一，是", "的一是在、不了有和": a phrase
pasted word by word; ``separated`` remembers the gaps, worth ``SPACED_BONUS`` when most of a
window's characters are set apart). Partial phrases are scored in shorter windows only where
something sets them apart: 8-11 spaced characters, 8-11 characters standing alone between
blanks or line breaks, 4-11 characters right after a cue (a cue in another script, "mi frase
semilla empieza con", reaches ``LATIN_CUE_REACH``). A quarter of a window's characters may be
outside the lists (mistyped). Windows near the threshold that overlap are clustered in one
sweep: a cluster holding a passing window is one phrase, its extent the cluster's. Runs of
ordinary Chinese are passed over for the whole text at once (``_hopeful_starts``, C-level
``map``/``accumulate``), so the work is linear and mostly outside Python.

The character table is built once from wordfreq (about a second) and cached in
the cache folder as plain data (``supportkit.cache``), like the detection model.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate, chain, compress, count, islice, repeat
from operator import add, ge, itemgetter, mul, sub
from typing import Any

from supportkit.cache import cache_file, cache_key, read_data, write_data
from supportkit.guard.wordlists import MAX_GAP, VALID_LENGTHS, PhraseHit, cue_re, lexicon, valid_checksum
from supportkit.text import HAN, HAN_BLOCKS, has_wide

FORMAT = 2
PAIR_WEIGHT = 4.0
EDGE_BONUS = 3.0
NON_LIST_PENALTY = -2.0
"""A character outside the list (one mistyped word) inside a window, when written Chinese uses it."""
RARE_SCORE = 0.0
"""A Han character outside the list that written Chinese hardly uses (rarer than any list character):
no evidence either way. So is a hole ("???") where the customer left a word out."""
CUE_BONUS = 2.0
CUE_REACH = 12
"""Characters between the end of a cue word and the window for the cue to count."""
CUED_BONUS = 2.0
"""More for a window that starts where a cue's lead ends: "助记词前几个是", "my phrase: ", then the phrase."""
REPEAT_PENALTY = 3.0
"""Per character a window holds twice or more: common in a sentence (的 … 的), one in 30 for 12 words
drawn from 2048 ("豆腐、豆包、红豆沙" is a list of foods, not a phrase)."""
SPACED_BONUS = 4.0
"""Characters set apart one by one ("的 一 是 在"): how phrases are pasted, rare in sentences."""
SPACED_SHARE = 0.8
"""Share of a window's character boundaries that must be separators for it to count as spaced."""
SPACED_MIN = 8
"""Shortest spaced-out window scored (a partial phrase)."""
CUED_MIN = 4
LATIN_CUE_REACH = 40
"""Characters from a cue word in another script to the Han characters it announces."""
CUED_GAP = 3
"""Characters between a cue word and a short window it announces ("助记词是：")."""
"""Shortest window scored right after a cue word."""
THRESHOLD = 4.0
EXTEND_MARGIN = 4.0
"""Windows overlapping a phrase that score within this of THRESHOLD are redacted with it (its edges)."""
PREFILTER_MARGIN = 12.0
RUN_PREFILTER_MARGIN = 4.0
"""The same for a run of characters with no separator or cue (``_hopeful_starts``)."""
"""Longer windows are only scored where the 12-character window already comes this close to THRESHOLD."""
MIN_PAIR_FREQUENCY = 1e-6
DESCRIBE_TRIES = 8
"""Windows of a phrase whose checksum is tried for its description."""
MAX_JOINED_PIECE = 4
"""Longest run of Han characters joined to its neighbours across a separator."""
_CUE_RE = re.compile(r"助记词|助記詞|助记|助記|种子|種子|恢复短语|恢復短語|私钥|私鑰|密钥|单词|單詞|词语|seed|phrase|mnemonic",
                     re.IGNORECASE)
# The same, in two patterns that start with a character class (fast to scan): the CJK words, and
# seed|phrase|mnemonic spelled with every letter IGNORECASE matches (ſ for s; İ and ı for i).
# Their matches cannot overlap, so the ends of ``_CUE_RE``'s matches are the ends of theirs.
_CUE_CJK_RE = re.compile(r"助记词|助記詞|助记|助記|种子|種子|恢复短语|恢復短語|私钥|私鑰|密钥|单词|單詞|词语")
_CUE_LATIN_RE = re.compile(r"[sSſpPmM](?:(?<=[sSſ])[eE][eE][dD]|(?<=[pP])[hH][rR][aA][sSſ][eE]"
                           r"|(?<=[mM])[nN][eE][mM][oO][nN][iIİı][cC])")


@dataclass(frozen=True)
class HanModel:
    """Per-character log-likelihood ratios and the set of two-character words (in simplified form)."""

    char_llr: dict[str, float]
    pairs: frozenset[str]
    to_simplified: dict[str, str]
    outside: frozenset[str] = frozenset()
    """Han characters outside the lists that written Chinese uses (as often as the rarest list character)."""
    score: dict[str, float] = field(default_factory=dict)
    """A character's score in a window: ``char_llr``, ``NON_LIST_PENALTY`` for the ``outside`` ones
    (``RARE_SCORE`` for any other: the default of every lookup)."""
    simplify_table: dict[int, int] = field(default_factory=dict)
    written_pairs: set[str] = field(default_factory=set)
    """Two characters as written whose simplified form (``simplify_table``) is in ``pairs``."""
    """``to_simplified`` for ``str.translate``."""
    sunk_llr: dict[str, float] = field(default_factory=dict)
    """``char_llr`` and NUL (anything that is not a Han character) at a score no window survives."""

    run_llr: _RunScores = field(default_factory=lambda: _RunScores())
    """``sunk_llr`` of ``_non_han_re().sub("\\x00", ch)`` for any character ``ch``, filled as characters come."""

    def __post_init__(self) -> None:
        self.simplify_table.update({ord(t): ord(s) for t, s in self.to_simplified.items()})
        # Every way of writing each pair: a pair of characters as written is a word when it is one
        # in simplified form (``str.translate`` of a non-ASCII text looks up every character).
        written: dict[str, list[str]] = {}
        for t, s in self.to_simplified.items():
            written.setdefault(s, []).append(t)
        forms = {ch: [ch] * (ch not in self.to_simplified) + written.get(ch, []) for pair in self.pairs for ch in pair}
        self.written_pairs.update(a + b for pair in self.pairs for a in forms[pair[0]] for b in forms[pair[1]])
        self.score.update(dict.fromkeys(self.outside, NON_LIST_PENALTY))
        self.score.update(self.char_llr)
        self.sunk_llr.update(self.score)
        self.sunk_llr["\x00"] = -1000.0
        self.run_llr.llr = self.score


class _RunScores(dict[str, float]):
    """Character -> its score in a run: ``HanModel.score`` (``RARE_SCORE`` for a Han character it does not
    hold), a sinking -1000 for anything else. Filled on first sight of a character and
    kept (emptied past ``MAX_SEEN``): a lookup table for ``map``, with no pass over the text to mark it."""

    MAX_SEEN = 100_000
    llr: dict[str, float]

    def __missing__(self, ch: str) -> float:
        if len(self) >= self.MAX_SEEN:
            self.clear()
        value = -1000.0 if _non_han_re().match(ch) else self.llr.get(ch, RARE_SCORE)
        self[ch] = value
        return value


def _cache_key() -> str:
    from supportkit.guard import wordlists

    return cache_key(FORMAT, dependencies=("wordfreq", "mnemonic"), code=(__file__, wordlists.__file__))


def build() -> dict[str, Any]:
    """The table from wordfreq's Chinese list (slow: about a second)."""
    import wordfreq

    from supportkit.text.chinese import t2s_table

    words = lexicon().words
    simplified, traditional = words["chinese_simplified"], words["chinese_traditional"]
    listed = set(simplified)
    frequencies: dict[str, float] = dict.fromkeys(simplified, 0.0)
    pairs: list[str] = []
    used: dict[str, float] = {}
    for word, frequency in wordfreq.get_frequency_dict("zh").items():
        for ch in word:
            if ch in listed:
                frequencies[ch] += frequency
            else:
                used[ch] = used.get(ch, 0.0) + frequency
        if len(word) == 2 and frequency >= MIN_PAIR_FREQUENCY and word[0] in listed and word[1] in listed:
            pairs.append(word)
    total = sum(frequencies.values())
    floor = min(v for v in frequencies.values() if v > 0)
    uniform = math.log(1 / len(simplified))
    llr = {ch: uniform - math.log(max(f, floor) / total) for ch, f in frequencies.items()}
    to_simplified = {t: s for s, t in zip(simplified, traditional, strict=True) if t != s}
    for t, s in to_simplified.items():
        llr[t] = llr[s]
    # Characters outside the lists that Chinese uses at least as often as the rarest list character,
    # in either script (wordfreq's list is Simplified): the others are as rare in a sentence as in a phrase.
    outside = {ch for ch, f in used.items() if f >= floor and _non_han_re().match(ch) is None}
    outside.update(chr(t) for t, s in t2s_table().items() if s in outside)
    outside -= set(llr)
    return {"llr": llr, "pairs": sorted(pairs), "to_simplified": to_simplified, "outside": sorted(outside)}


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
            if not isinstance(data, dict) or set(data) != {"llr", "pairs", "to_simplified", "outside"}:
                data = build()
                # A read-only cache still works; it rebuilds next time.
                write_data(path, key, data, keep=2)
            _model = HanModel(dict(data["llr"]), frozenset(data["pairs"]), dict(data["to_simplified"]),
                              frozenset(data["outside"]))
    return _model


def window_scores(block: str, floor: float | None = None, cues: tuple[int, ...] = (),
                  separated: list[bool] | None = None, alone: bool = False, leads: tuple[int, ...] = ()
                  ) -> list[tuple[float, int, int, bool | None]]:
    """``(score, start, length, checksum)`` of the windows of ``block`` scoring at least ``floor``.

    ``cues``: offsets (relative to the block, may be negative) where a cue word ends; ``leads``:
    those where what leads from a cue to the phrase ends ("是", a colon: ``_CUE_LEAD_RE``).
    ``separated[i]``: a separator (space, comma, line break) stands before ``block[i]``: Chinese
    with spaces, joined here into one string. Windows of 12 characters are scored everywhere;
    longer ones where a 12-window comes near (``PREFILTER_MARGIN``) but does not pass on its
    own (where it passes, a longer one adds nothing to the redaction); shorter ones (a partial
    phrase) only where the characters are spaced out (``SPACED_MIN``) or right after a cue
    (``CUED_MIN``). The sums are built with ``map``/``accumulate`` and compared in list
    comprehensions: linear, and no Python work per character on ordinary text.
    ``checksum`` is only computed where it decides (None elsewhere).
    """
    floor = THRESHOLD if floor is None else floor
    model = load()
    n = len(block)
    if n < CUED_MIN:
        return []
    llr = model.char_llr
    arrays = _block_arrays(block) if n >= ARRAY_MIN else None
    if arrays is not None:
        sums, inside, pair_starts = (a.tolist() for a in arrays)
    else:
        sums = list(accumulate(map(model.score.get, block, repeat(RARE_SCORE)), initial=0.0))
        inside = list(accumulate(map(llr.__contains__, block), initial=0))
        # Words are words across a space too: "钱 包" is written Chinese, spaced for emphasis.
        pair_starts = list(accumulate(chain(map(model.written_pairs.__contains__, map(add, block, block[1:])),
                                            (False,)), initial=0))
    spaces = list(accumulate(chain(separated[1:], (False,)), initial=0)) if separated else None
    # The most bonus a window of this block can have (no cue, no spacing: edges and a checksum only).
    top_bonus = 2 * EDGE_BONUS + (CUE_BONUS + CUED_BONUS) * bool(cues) + SPACED_BONUS * bool(separated)

    def score_of(start: int, length: int) -> tuple[float, int, int, bool | None] | None:
        end = start + length
        if length - (inside[end] - inside[start]) > (length // 4 or 1):  # mistyped characters
            return None
        score = sums[end] - sums[start] - PAIR_WEIGHT * (pair_starts[end - 1] - pair_starts[start])
        if score + top_bonus + _CHECKSUM_BONUS[length] + 1e-9 < floor:
            return None  # below the floor with every bonus and a checksum: most windows of a sentence
        score -= REPEAT_PENALTY * (length - len(set(block[start:end])))
        score += EDGE_BONUS * ((start == 0 or bool(separated and separated[start]))
                               + (end == n or bool(separated and separated[end])))
        if spaces is not None and length > 1 and spaces[end - 1] - spaces[start] >= SPACED_SHARE * (length - 1):
            score += SPACED_BONUS
        if cues and any(start - CUE_REACH <= cue <= start for cue in cues):
            score += CUE_BONUS
            if start in leads:
                score += CUED_BONUS
        checksum: bool | None = None
        if length in VALID_LENGTHS and score < floor <= score + _CHECKSUM_BONUS[length] and (
                inside[end] - inside[start] == length):
            checksum = _checksum(block[start:end])
            if checksum:
                score += _CHECKSUM_BONUS[length]
        return (score, start, length, checksum) if score >= floor else None

    results: list[tuple[float, int, int, bool | None]] = []
    shortest = VALID_LENGTHS[0]
    if arrays is not None:
        results = _twelve_windows_arrays(_WindowContext(block, arrays, floor, cues, separated, leads),
                                         floor - PREFILTER_MARGIN - top_bonus)
    elif n >= shortest:
        base = list(map(sub, sums[shortest:], sums[:n - shortest + 1]))
        pairs = list(map(sub, pair_starts[shortest - 1:n], pair_starts[:n - shortest + 1]))
        base = [b - PAIR_WEIGHT * p for b, p in zip(base, pairs, strict=True)]
        sure = THRESHOLD + EXTEND_MARGIN  # passes whatever the bonuses and the odd-character rule
        hopeful_cut = floor - PREFILTER_MARGIN - top_bonus
        for start in [i for i, v in enumerate(base) if v >= hopeful_cut]:
            value = base[start]
            if value >= sure and inside[start + shortest] - inside[start] >= shortest - 1:
                results.append((value, start, shortest, None))
                continue
            found = score_of(start, shortest)
            if found:
                results.append(found)
            if found is None or found[0] < THRESHOLD:
                for length in VALID_LENGTHS[1:]:
                    if start + length > n:
                        break
                    longer = score_of(start, length)
                    if longer:
                        results.append(longer)
    # A run of a phrase's length is scored whole, even where its first 12 characters pass on their
    # own: a 24-word phrase with its typos at the end is one phrase, not 12 words and a remainder.
    if n in VALID_LENGTHS[1:] and not any(w[1] == 0 and w[2] == n for w in results) and (found := score_of(0, n)):
        results.append(found)
    # Partial phrases: the whole run when it stands alone between blanks or line breaks ("集着宗驾
    # 彪霸益升" on a line of its own), shorter windows where the characters are spaced out, or
    # after a cue.
    if alone and SPACED_MIN <= n < shortest and (found := score_of(0, n)):
        results.append(found)
    short_starts: set[int] = set()
    if separated:
        short_starts.update(_spaced_starts(separated, n))
    for cue in cues:
        short_starts.update(range(max(0, cue), min(n, cue + CUED_GAP + 1)))
    # A short window inside a window that passes already adds nothing to the phrase around it
    # (its cluster, edges and checksum stay the same): skipping those keeps a long spaced run linear
    # in practice, not four windows scored per character.
    reach_at: list[int] | None = None
    if short_starts and arrays is not None:  # a long block: where passing windows reach, with numpy
        starts_in_order, reach_at = _short_starts_arrays(results, sorted(short_starts), n)
        passing = []
    else:
        starts_in_order = sorted(short_starts)
        passing = sorted([(w[1], w[1] + w[2]) for w in results if w[0] >= THRESHOLD]) if short_starts else []
    covered, reach = 0, 0
    for start in starts_in_order:
        if reach_at is not None and reach_at[start] > reach:
            reach = reach_at[start]
        while covered < len(passing) and passing[covered][0] <= start:
            if passing[covered][1] > reach:
                reach = passing[covered][1]
            covered += 1
        if start + shortest - 1 <= reach:
            continue  # every short window from here lies inside one that passes
        # A cue counts for a short window only right before it ("助记词：的一是在"), and an unspaced
        # short window only where it is set off at its end: "助记词拍照发云盘备份" is a sentence.
        cued = bool(cues) and any(start - CUED_GAP <= cue <= start for cue in cues)
        for length in range(CUED_MIN if cued else SPACED_MIN, shortest):
            if start + length > n:
                break
            end = start + length
            if end <= reach:
                continue
            is_spaced = spaces is not None and spaces[end - 1] - spaces[start] >= SPACED_SHARE * (length - 1)
            set_off = end == n or bool(separated and separated[end])
            if not (is_spaced or (cued and set_off)):
                continue
            found = score_of(start, length)
            if found:
                results.append(found)
                if found[0] >= THRESHOLD:
                    reach = max(reach, end)
    return results


def _letters_arrays(group: str, start: int) -> tuple[str, list[int], list[bool]]:
    """The Han characters of a long group (its letters), where each stands in the text, and which
    stand after a separator: ``find_in_text``'s lists, with numpy."""
    import numpy as np

    table = _arrays()
    codes = _codes(group)
    at = np.nonzero(table[codes] != -1000.0)[0]
    block = codes[at].astype(np.uint32).tobytes().decode("utf-32-le")
    separated = np.concatenate(([False], np.diff(at) != 1))
    return block, (at + start).tolist(), separated.tolist()


_CHECKSUM_BONUS = {length: math.log(2) * (length // 3) for length in range(VALID_LENGTHS[-1] + 1)}
"""What a valid checksum adds to a window of each length (``log 2^(words/3)``), worked out once."""


def _block_arrays(block: str) -> tuple[Any, Any, Any]:
    """``window_scores``' prefix sums of a long block as numpy arrays: scores, list characters, pairs."""
    import numpy as np

    table = _arrays()
    codes = _codes(block)
    values = table[codes]
    values[values == -1000.0] = RARE_SCORE  # a hole (HOLE): blocks hold nothing else that is not Han
    sums = np.concatenate(([0.0], np.cumsum(values)))
    listed = np.isin(codes, _listed_codes())
    inside = np.concatenate(([0], np.cumsum(listed)))
    flags = np.zeros(len(block), dtype=np.int64)
    flags[:-1] = _pair_flags_at(codes, np.arange(len(block) - 1))
    pair_starts = np.concatenate(([0], np.cumsum(flags)))
    return sums, inside, pair_starts


@functools.cache
def _listed_codes() -> Any:
    import numpy as np

    return np.array(sorted(map(ord, load().char_llr)), dtype=np.int64)


@dataclass
class _WindowContext:
    """What ``score_of`` reads, as numpy arrays: for scoring many windows of a long block at once."""

    block: str
    arrays: tuple[Any, Any, Any]
    floor: float
    cues: tuple[int, ...]
    separated: list[bool] | None
    leads: tuple[int, ...]

    def __post_init__(self) -> None:
        import numpy as np

        self.codes = _codes(self.block)
        n = len(self.block)
        self.edges = (np.concatenate((self.separated, [True])) if self.separated is not None
                      else np.zeros(n + 1, dtype=bool))
        self.edges[0] = self.edges[n] = True
        self.spaces = (np.concatenate(([0], np.cumsum(np.concatenate((self.separated[1:], [False]))))).astype(np.int64)
                       if self.separated else None)

    def scores(self, starts: Any, length: int) -> tuple[Any, Any, list[bool | None]]:
        """``score_of(start, length)`` for each of ``starts``: the scores, which are at least the floor
        (and not mistyped), and the checksums worked out (None where not) -- the same operations in
        the same order, so the same floats."""
        import numpy as np
        from numpy.lib.stride_tricks import sliding_window_view

        sums, inside, pair_starts = self.arrays
        ends = starts + length
        listed = inside[ends] - inside[starts]
        keep = length - listed <= max(1, length // 4)
        score = (sums[ends] - sums[starts]) - PAIR_WEIGHT * (pair_starts[ends - 1] - pair_starts[starts])
        ordered = np.sort(sliding_window_view(self.codes, length)[starts], axis=1)
        distinct = 1 + np.count_nonzero(ordered[:, 1:] != ordered[:, :-1], axis=1)
        score = score - REPEAT_PENALTY * (length - distinct)
        score = score + EDGE_BONUS * (self.edges[starts].astype(np.int64) + self.edges[ends].astype(np.int64))
        if self.spaces is not None and length > 1:
            spaced = self.spaces[ends - 1] - self.spaces[starts] >= SPACED_SHARE * (length - 1)
            score = np.where(spaced, score + SPACED_BONUS, score)
        if self.cues:
            cues = np.array(sorted(self.cues))
            first = np.searchsorted(cues, starts - CUE_REACH)
            near = (first < len(cues)) & (cues[np.minimum(first, len(cues) - 1)] <= starts)
            score = np.where(near, score + CUE_BONUS, score)
            if self.leads:
                score = np.where(near & np.isin(starts, self.leads), score + CUED_BONUS, score)
        checksums: list[bool | None] = [None] * len(starts)
        bonus = math.log(2) * (length // 3)
        if length in VALID_LENGTHS:
            for i in np.nonzero(keep & (score < self.floor) & (self.floor <= score + bonus) & (listed == length))[0]:
                checksums[i] = _checksum(self.block[starts[i]:starts[i] + length])
                if checksums[i]:
                    score[i] = score[i] + bonus
        return score, keep & (score >= self.floor), checksums


def _twelve_windows_arrays(context: _WindowContext, hopeful_cut: float) -> list[tuple[float, int, int, bool | None]]:
    """``window_scores``' loop over the 12-character windows of a long block, with numpy: the sure
    windows from one comparison, the others scored all at once (``_WindowContext.scores``); the same
    windows in the same order (by start, then length)."""
    import numpy as np

    sums, inside, pair_starts = context.arrays
    n = len(context.block)
    shortest = VALID_LENGTHS[0]
    if n < shortest:
        return []
    base = (sums[shortest:] - sums[:n - shortest + 1]) - PAIR_WEIGHT * (pair_starts[shortest - 1:n]
                                                                       - pair_starts[:n - shortest + 1])
    hopeful = base >= hopeful_cut
    sure = hopeful & (base >= THRESHOLD + EXTEND_MARGIN) & (inside[shortest:] - inside[:n - shortest + 1] >= shortest - 1)
    at = np.nonzero(sure)[0]
    others = np.nonzero(hopeful & ~sure)[0]
    if not len(others):
        return list(zip(base[at].tolist(), at.tolist(), repeat(shortest), repeat(None), strict=False))
    parts_scores, parts_starts, parts_lengths = [base[at]], [at], [np.full(len(at), shortest)]
    parts_checks: list[list[bool | None]] = [[None] * len(at)]
    score, kept, checksums = context.scores(others, shortest)
    again = others[~kept | (score < THRESHOLD)]  # longer windows where the 12-character one does not pass
    for length, starts in [(shortest, others), *((length, again) for length in VALID_LENGTHS[1:])]:
        starts = starts[starts + length <= n]
        if length != shortest:
            if not len(starts):
                break
            score, kept, checksums = context.scores(starts, length)
        parts_scores.append(score[kept])
        parts_starts.append(starts[kept])
        parts_lengths.append(np.full(int(kept.sum()), length))
        parts_checks.append([c for c, k in zip(checksums, kept.tolist(), strict=True) if k])
    starts = np.concatenate(parts_starts)
    lengths = np.concatenate(parts_lengths)
    order = np.lexsort((lengths, starts))  # a start's windows by length, as they are scored one by one
    checks = np.array([c for part in parts_checks for c in part], dtype=object)
    return list(zip(np.concatenate(parts_scores)[order].tolist(), starts[order].tolist(), lengths[order].tolist(),
                    checks[order].tolist(), strict=True))


def _short_starts_arrays(results: list[tuple[float, int, int, bool | None]], starts: list[int], n: int
                         ) -> tuple[list[int], list[int]]:
    """For ``window_scores``' short windows of a long block: how far the windows found so far that pass
    reach from each start (``reach_at[start]``), and the starts left once those every short window
    from which lies inside one are passed over."""
    import numpy as np

    count = len(results)
    scores = np.fromiter(map(itemgetter(0), results), dtype=np.float64, count=count)
    begins = np.fromiter(map(itemgetter(1), results), dtype=np.int64, count=count)
    ends = begins + np.fromiter(map(itemgetter(2), results), dtype=np.int64, count=count)
    passing = scores >= THRESHOLD
    reach = np.zeros(n + 1, dtype=np.int64)
    np.maximum.at(reach, begins[passing], ends[passing])
    reach = np.maximum.accumulate(reach)
    at = np.array(starts, dtype=np.int64)
    return at[at + VALID_LENGTHS[0] - 1 > reach[at]].tolist(), reach.tolist()


def _spaced_starts(separated: list[bool], n: int) -> list[int]:
    """Starts of windows of ``SPACED_MIN`` characters or more that are mostly spaced out."""
    starts: list[int] = []
    i = 0
    while i < n:
        j = i
        while j + 1 < n and separated[j + 1]:
            j += 1
        if j - i + 1 >= SPACED_MIN:
            starts.extend(range(i, j - SPACED_MIN + 2))
        i = j + 1
    return starts


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


@functools.cache
def _group_re() -> re.Pattern[str]:
    """A long run of Han characters, or short runs joined by separators (no letters, no long gap).

    Pieces join across a separator only when they are short: a phrase set apart word by word
    ("的 一 是", "的，一，是", "的一是在、不了有和"), not punctuated sentences.
    """
    piece = rf"[{HAN}]{{1,{MAX_JOINED_PIECE}}}(?![{HAN}])"
    gap = rf"(?:[^\w\d]|\d(?!\d\d)){{1,{MAX_GAP}}}?"
    # ``[HAN]{5,}|piece(gap piece)*`` with its first character taken out in front: a pattern
    # that starts with a character class lets ``re`` skip to the next Han character at C speed
    # (an alternation of repeats has it try every position of the text).
    return re.compile(rf"[{HAN}](?:[{HAN}]{{{MAX_JOINED_PIECE},}}|[{HAN}]{{0,{MAX_JOINED_PIECE - 1}}}(?![{HAN}])"
                      rf"(?:{gap}{piece})*)")


@functools.cache
def _plain_group_re() -> re.Pattern[str]:
    """``_group_re`` as first written (the reference of its test)."""
    piece = rf"[{HAN}]{{1,{MAX_JOINED_PIECE}}}(?![{HAN}])"
    gap = rf"(?:[^\w\d]|\d(?!\d\d)){{1,{MAX_GAP}}}?"
    return re.compile(rf"[{HAN}]{{{MAX_JOINED_PIECE + 1},}}|{piece}(?:{gap}{piece})*")


def find_in_text(text: str, exclude: list[tuple[int, int]], cues: list[int] | None = None) -> list[PhraseHit]:
    """Chinese phrases in ``text``: runs of Han characters joined by separators only, scored as one.

    "的一是在不了有和人这中大", "的 一 是 在 ...", "的一是在，不了有和，..." and a phrase after
    "助记词：" are all one run of characters here; ``separated`` remembers where the gaps were.
    Redaction markers (``exclude``) are never part of a run. ``cues``: where ``cue_re``'s matches
    in ``text`` end, when the caller has them.
    """
    if not has_wide(text):
        return []
    cue_ends, leads = _cue_ends(text, cues)
    hopeful: list[int] | None = None
    hits: list[PhraseHit] = []
    excluded = sorted(exclude)
    k = 0
    for start, end, holes in _groups(text, leads, cue_ends):
        if excluded:
            while k < len(excluded) and excluded[k][1] <= start:
                k += 1
            if k < len(excluded) and excluded[k][0] < end:
                continue
        if holes:
            hits.extend(_hole_group_hits(text, start, end, holes, cue_ends, leads))
            continue
        group = text[start:end]
        if group.isalpha():  # one run of characters, no separators
            cued = bool(cue_ends) and _cue_near(cue_ends, start, end)
            if not cued and end - start >= VALID_LENGTHS[0]:
                # Most runs of ordinary Chinese have no 12-character window near a phrase's
                # score: found for the whole text at once, without a Python step per run.
                if hopeful is None:
                    hopeful = _hopeful_starts(text)
                h = bisect_left(hopeful, start)
                if h == len(hopeful) or hopeful[h] > end - VALID_LENGTHS[0]:
                    continue
            alone = _stands_alone(text, start, end)
            if end - start < VALID_LENGTHS[0] and not cued and not (alone and end - start >= SPACED_MIN):
                continue
            hits.extend(_group_hits(group, list(range(start, end)), None, cue_ends, alone, leads=leads))
            continue
        # Han characters and separators (never letters): the letters are the Han. Most such
        # groups are short clauses between commas: what ``_group_hits`` would turn away at once
        # (fewer than 12 characters, fewer than SPACED_MIN pieces, no cue) is passed over before
        # any work per character. (Within a group, ``[^\W\d_]`` is exactly ``str.isalpha``.)
        pieces = _LETTER_RUN_RE.findall(group)
        letters = sum(map(len, pieces))
        cued = _cue_in(cue_ends, start - CUE_REACH, end)
        if letters < CUED_MIN or (letters < VALID_LENGTHS[0] and len(pieces) < SPACED_MIN and not cued):
            continue
        # Clauses between commas that no window could bring near a phrase's score, as for runs.
        if not cued and letters >= VALID_LENGTHS[0] and not _spaced_out(pieces) and _best_window(pieces) < _GROUP_CUT:
            continue
        if len(group) >= ARRAY_MIN:
            block, positions, separated = _letters_arrays(group, start)
        else:
            positions = [start + i for i, ch in enumerate(group) if ch.isalpha()]
            block = "".join(text[p] for p in positions)
            separated = [False] + [b != a + 1 for a, b in itertools.pairwise(positions)]
        if len(positions) < CUED_MIN:
            continue
        hits.extend(_group_hits(block, positions, separated, cue_ends, leads=leads))
    return hits


def _cue_ends(text: str, cues: list[int] | None) -> tuple[list[int], frozenset[int]]:
    """Where the cue words of ``text`` end, and where what they announce begins (the second: where
    their leads end).

    A cue in another script ("mi frase semilla empieza con 树 而 …") announces the first Han
    characters after it, a few words later; a Chinese cue, the characters after the few words
    that lead up to them ("助记词前几个是", "我的12个单词：", "助记词如下：").
    """
    ends = set(map(re.Match.end, _CUE_CJK_RE.finditer(text)))
    ends.update(map(re.Match.end, _CUE_LATIN_RE.finditer(text)))
    for cue_end in [m.end() for m in cue_re().finditer(text)] if cues is None else cues:
        ends.add(cue_end)
        first = _han_char_re().search(text, cue_end, cue_end + LATIN_CUE_REACH)
        if first and first.start() - cue_end > CUED_GAP and not has_wide(text[cue_end:first.start()]):
            ends.add(first.start())
    leads = set()
    for cue_end in list(ends):
        lead = _CUE_LEAD_RE.match(text, cue_end)
        if lead is not None and lead.end() > cue_end:
            leads.add(lead.end())
    ends.update(leads)
    return sorted(ends), frozenset(leads)


_CUE_LEAD_RE = re.compile(r"[^\s。！？!?，,；;：:]{0,6}?(?:(?:是|为|為|如下)[：:]?|[：:])\s*")
"""What leads from a cue word to the phrase: a few characters, then "是", "为", "如下" or a colon."""
_HOLE_RE = re.compile(r"\s+(?:\?{1,3}|？{1,3}|_{2,}|＿{1,3}|\*{2,}|\.{3}|…{1,2}|[(\[（［]\s*[?？]\s*[)\]）］])\s+")
"""A word left out ("???", "___", "…", "(?)"), set apart like a word: where a customer who forgot one
word puts it (an ellipsis in a sentence, "我等了很久……还是没到", stands between no spaces)."""
_HOLE_CHARACTERS = "?？_＿*.…"
"""What every hole of ``_HOLE_RE`` holds one of (a text without any has no hole to look for)."""
HOLE = "\u3013"
"""The character a hole stands as in a block (〓, the geta mark: a character missing)."""


@functools.cache
def _hole_between_re() -> re.Pattern[str]:
    """A hole right after a Han character and before another: where ``_groups`` has groups to join."""
    # Blanks first: the pattern then starts with a character class, which ``re`` skips to at C speed.
    return re.compile(rf"(?<=[{HAN}]){_HOLE_RE.pattern}(?=[{HAN}])")


def _groups(text: str, leads: frozenset[int], cue_ends: list[int]) -> Iterator[tuple[int, int, list[tuple[int, int]]]]:
    """``(start, end, holes)`` of the groups of ``_group_re`` in ``text``, two ways joined further,
    but for those shorter than ``SPACED_MIN`` with no cue near: most runs and clauses of a sentence,
    too short for anything but a cue.

    - A run that a cue's lead (``leads``) ends inside, close to its end, is cut there when its
      last characters begin a phrase set apart word by word ("助记词前几个是仰 花 律 泥"): the
      run's end is the first piece of the group after it.
    - Runs on both sides of a hole ("午粘莱纹 ??? 矿拍儿泰波琴失", a forgotten word) are one
      group; ``holes`` are the spans of the holes in it.
    """
    regex = _group_re()
    lead_ends = sorted(leads)
    # Where a hole starts right after a group's last character -> where the next group starts.
    joins = ({m.start(): m.end() for m in _hole_between_re().finditer(text)}
             if any(ch in text for ch in _HOLE_CHARACTERS) else {})
    skip = 0
    current: tuple[int, int, list[tuple[int, int]]] | None = None
    for match in regex.finditer(text):
        start, end = match.span()
        if start < skip:
            continue  # inside the tail of a run cut at a lead (below)
        if lead_ends and end - start > MAX_JOINED_PIECE:
            k = bisect_left(lead_ends, end - MAX_JOINED_PIECE)
            if k < len(lead_ends) and start < lead_ends[k] < end:
                tail = regex.match(text, lead_ends[k])
                if tail is not None and tail.end() > end:
                    if current is not None:
                        yield current
                    current = None
                    yield start, lead_ends[k], []
                    start, end = tail.span()
                    skip = end
        if current is not None:
            if joins and joins.get(current[1]) == start:
                current[2].append((current[1], start))
                current = (current[0], end, current[2])
                continue
            if (current[1] - current[0] >= SPACED_MIN or current[2]
                    or (cue_ends and _cue_in(cue_ends, current[0] - CUE_REACH, current[1]))):
                yield current
        current = (start, end, [])
    if current is not None:
        yield current


def _hole_group_hits(text: str, start: int, end: int, holes: list[tuple[int, int]], cue_ends: list[int],
                     leads: frozenset[int]) -> list[PhraseHit]:
    """``_group_hits`` of a group with holes: each hole one character of the block, outside the lists
    (a word the customer does not have, as a mistyped one), standing for all of its span."""
    chars: list[str] = []
    positions: list[int] = []
    ends: list[int] = []
    at = start
    for hole_start, hole_end in [*holes, (end, end)]:
        for i in range(at, hole_start):
            if text[i].isalpha():
                chars.append(text[i])
                positions.append(i)
                ends.append(i + 1)
        if hole_end > hole_start:
            chars.append(HOLE)
            positions.append(hole_start)
            ends.append(hole_end)
        at = hole_end
    # A hole is a word of its own: set apart on both sides, as the customer wrote it.
    separated = [False] + [b != a or HOLE in pair for a, b, pair in zip(ends, positions[1:], itertools.pairwise(chars),
                                                                        strict=False)]
    return _group_hits("".join(chars), positions, separated, cue_ends, leads=leads, ends=ends)


MAX_PART = 30
"""Most Han characters in the piece of a phrase one chat message holds (``phrase_part``)."""
MAX_PART_SCAN = 400
"""Characters read back from the end of a message for its piece (Han characters and separators)."""
_PART_LABEL_RE = re.compile(rf"[{HAN}]{{1,5}}[是为為的](?=[^\w]+[{HAN}])")
"""A short label ending the way "后面是", "接着是", "剩下的" do, then a separator, then the piece."""


def phrase_part(message: str) -> tuple[int, int, bool] | None:
    """``(start, end, cued)`` of the Han characters that end ``message``, after any label: the piece of
    a Chinese phrase a chat message may hold ("后面是 銅 商", "el resto: 沿 防 龍 急", "剩下的：
    附泉胞夥傷奧", "霸泡跡株陣遼"), else None. ``cued``: it starts where a cue's lead ends ("我的助记词
    是：", "mi frase semilla: "). What ends a label: a letter of another script, a colon, a cue word
    and its lead, or a short label of its own before a separator ("后面是 ").
    """
    if not has_wide(message):
        return None
    from supportkit.guard.view import reader_views, word_view

    view = word_view(reader_views(message)[0])
    text = view.text
    # Back from the end over Han characters and separators (not colons, not letters of another script).
    at, han, low = len(text), 0, max(0, len(text) - MAX_PART_SCAN)
    while at > low:
        ch = text[at - 1]
        if _han_char_re().match(ch):
            han += 1
            if han > MAX_PART:
                return None
        elif ch in ":：" or ch.isalpha():
            break
        at -= 1
    first = _han_char_re().search(text, at)
    if first is None or (at == low and low > 0):
        return None
    begin = first.start()
    end = len(text)
    while not _han_char_re().match(text[end - 1]):  # separators after the last Han character
        end -= 1
    cue_ends, leads = _cue_ends(text, None)
    inside = [e for e in cue_ends if begin < e < end]
    if inside and (after := _han_char_re().search(text, inside[-1], end)) is not None:
        begin = after.start()  # "这是我的助记词 臨 六", "助记词如下 客州": the piece starts after the cue
    elif (label := _PART_LABEL_RE.match(text, begin)) is not None:
        begin = _han_char_re().search(text, label.end()).start()  # type: ignore[union-attr]
    cued = begin in leads
    start, stop = view.original(begin, end)
    return start, stop, cued


def find_across(pieces: Sequence[str], cued: Sequence[bool] = ()) -> list[PhraseHit]:
    """Chinese phrases in ``pieces`` read as one text: the pieces of a phrase sent over several chat
    messages (``phrase_part``). Offsets are into ``"\n".join(pieces)``. All their Han characters are
    one block, and where one piece ends and the next begins is a separator (a phrase is set apart
    by its messages as by spaces); a piece after a cue (``cued``) starts where a cue's lead ends."""
    text = "\n".join(pieces)
    positions = [m.start() for m in _han_char_re().finditer(text)]
    if len(positions) < CUED_MIN:
        return []
    starts = list(accumulate((len(p) + 1 for p in pieces[:-1]), initial=0))
    cue_ends = [at + len(p) - len(p.lstrip()) for at, p, c in zip(starts, pieces, cued, strict=False) if c]
    separated = [False] + [b != a + 1 for a, b in itertools.pairwise(positions)]
    # Only windows that pass mark the phrase's extent: the messages around it are most often
    # ordinary ones ("客服你好。"), and every message's edge is an edge a window gains by.
    hits = _group_hits("".join(text[p] for p in positions), positions, separated, cue_ends, leads=frozenset(cue_ends),
                       margin=0.0)
    bounds = [(at, at + len(p)) for at, p in zip(starts, pieces, strict=True)]
    return [trimmed for hit in hits if (trimmed := _without_ordinary_pieces(text, hit, bounds)) is not None]


def _without_ordinary_pieces(text: str, hit: PhraseHit, bounds: list[tuple[int, int]]) -> PhraseHit | None:
    """``hit`` without the messages at its edges that read as Chinese (``_ordinary``: "客服你好")."""
    touched = [(a, b) for a, b in bounds if a < hit.end and b > hit.start]
    while len(touched) > 1 and _ordinary(text[slice(*touched[0])]):
        touched.pop(0)
    while len(touched) > 1 and _ordinary(text[slice(*touched[-1])]):
        touched.pop()
    inside = [(max(a, hit.start), min(b, hit.end)) for a, b in touched]
    start = _han_char_re().search(text, inside[0][0])
    end = max(m.end() for m in _han_char_re().finditer(text, inside[-1][0], inside[-1][1]))
    return replace(hit, start=start.start(), end=end) if start is not None else None


def _ordinary(piece: str) -> bool:
    """Whether a message's piece reads as Chinese: two words or more written together (pairs of
    ``HanModel.pairs`` within runs of characters: "南 边" spaced out is two words of a phrase), and
    characters more common in sentences than in phrases."""
    model = load()
    runs = _LETTER_RUN_RE.findall(piece)
    words = sum(map(model.written_pairs.__contains__, (run[i:i + 2] for run in runs for i in range(len(run) - 1))))
    chars = "".join(runs)
    return words >= 2 and sum(model.score.get(ch, RARE_SCORE) for ch in chars) - PAIR_WEIGHT * words < 0


def _hopeful_starts(text: str) -> list[int]:
    """Starts of the 12-character windows of ``text`` that could come near a phrase's score:
    ``window_scores``' own first cut, worked out for every run of the text at once.

    The pairs (words) in a window only lower its score, so they are counted only in the windows
    whose characters alone reach the cut: a few in ordinary Chinese, where counting the pairs of
    every character of the text was most of the scan's time (``tests/test_guard_speed.py`` holds
    it equal to the plain computation).
    """
    model = load()
    shortest = VALID_LENGTHS[0]
    n = len(text)
    if n < shortest:
        return []
    if n >= ARRAY_MIN:
        return _hopeful_starts_arrays(text)
    # Anything but a Han character sinks every window that holds it; a Han character outside
    # the lists costs what it costs in ``window_scores``. (One lookup table for the characters of
    # this text: the same value for each character as ``_hopeful_starts_plain`` gives it.)
    sums = list(accumulate(map(model.run_llr.__getitem__, text), initial=0.0))
    cut = _RUN_CUT
    candidates = list(compress(count(), map(ge, map(sub, islice(sums, shortest, None), sums), repeat(cut))))
    if not candidates:
        return []
    if len(candidates) * 4 > n:  # most of the text is list characters: count the pairs of all of it
        pair_starts = list(accumulate(chain(map(model.written_pairs.__contains__, map(add, text, text[1:])), (False,)),
                                      initial=0))
        pairs = map(sub, pair_starts[shortest - 1:n], pair_starts[:n - shortest + 1])
        scores = map(sub, map(sub, islice(sums, shortest, None), sums), map(mul, pairs, repeat(PAIR_WEIGHT)))
        return list(compress(count(), map(ge, scores, repeat(cut))))
    # The characters the candidate windows cover, as stretches joined by a NUL (never in a pair).
    stretches: list[list[int]] = []
    for start in candidates:
        if stretches and start <= stretches[-1][1]:
            stretches[-1][1] = start + shortest
        else:
            stretches.append([start, start + shortest])
    covered = "\x00".join(text[a:b] for a, b in stretches)
    pair_starts = list(accumulate(chain(map(model.written_pairs.__contains__, map(add, covered, covered[1:])), (False,)),
                                  initial=0))
    # Where each candidate's window starts in ``covered``.
    shifts: list[int] = []
    position = 0
    for a, b in stretches:
        shifts.append(position - a)
        position += b - a + 1
    hopeful: list[int] = []
    k = 0
    for start in candidates:
        while start >= stretches[k][1]:
            k += 1
        at = start + shifts[k]
        value = sums[start + shortest] - sums[start]
        if value - (pair_starts[at + shortest - 1] - pair_starts[at]) * PAIR_WEIGHT >= cut:
            hopeful.append(start)
    return hopeful


ARRAY_MIN = 4_000
"""Texts from this long have their windows scored with numpy arrays (its import, ~0.1 s, pays off)."""


@functools.cache
def _arrays() -> Any:
    """``HanModel.sunk_llr`` as a table by code point (anything past the last Han block sinks too)."""
    import numpy as np

    model = load()
    size = max(high for _low, high in HAN_BLOCKS) + 2
    table = np.full(size, -1000.0)
    for low, high in HAN_BLOCKS:
        table[low:high + 1] = RARE_SCORE
    table[[ord(ch) for ch in model.score]] = list(model.score.values())
    return table


def _codes(text: str) -> Any:
    """The code points of ``text``, those past the table's end as its last entry (not Han)."""
    import numpy as np

    table = _arrays()
    return np.minimum(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), len(table) - 1).astype(np.int64)


def _pair_flags_at(codes: Any, at: Any) -> Any:
    """Whether the characters at ``at`` and the ones after them are pairs of ``HanModel.written_pairs``."""
    import numpy as np

    index, words, side = _pair_table()
    first, second = index[codes[at]], index[codes[at + 1]]
    known = (first >= 0) & (second >= 0)
    return known & words[np.where(known, first * side + second, 0)]


@functools.cache
def _pair_table() -> tuple[Any, Any, int]:
    """The characters of the pairs numbered (-1 for any other code point), and which numbered pairs
    are words: a pair looked up in one step, not searched for."""
    import numpy as np

    table = _arrays()
    pairs = load().written_pairs
    chars = sorted({ch for pair in pairs for ch in pair})
    index = np.full(len(table), -1, dtype=np.int64)
    index[[ord(ch) for ch in chars]] = np.arange(len(chars))
    side = len(chars)
    words = np.zeros(side * side, dtype=bool)
    words[[int(index[ord(p[0])]) * side + int(index[ord(p[1])]) for p in pairs]] = True
    return index, words, side


def _hopeful_starts_arrays(text: str) -> list[int]:
    """``_hopeful_starts`` with numpy: the same sums, in the same order (``cumsum`` adds left to right)."""
    import numpy as np

    table = _arrays()
    shortest = VALID_LENGTHS[0]
    n = len(text)
    if n < shortest:
        return []
    codes = _codes(text)
    sums = np.concatenate(([0.0], np.cumsum(table[codes])))
    values = sums[shortest:] - sums[:n - shortest + 1]
    candidates = np.nonzero(values >= _RUN_CUT)[0]
    if not len(candidates):
        return []
    # The pairs only lower a window's score: looked up only where a candidate window has characters.
    marks = np.zeros(n + 1, dtype=np.int64)
    np.add.at(marks, candidates, 1)
    np.add.at(marks, candidates + shortest, -1)
    covered = np.nonzero(np.cumsum(marks[:n - 1]) > 0)[0]
    flags = np.zeros(n, dtype=np.int64)
    flags[covered] = _pair_flags_at(codes, covered)
    pair_starts = np.concatenate(([0], np.cumsum(flags)))
    pairs = pair_starts[candidates + shortest - 1] - pair_starts[candidates]
    scores = values[candidates] - pairs * PAIR_WEIGHT
    return candidates[scores >= _RUN_CUT].tolist()


def _spaced_out(pieces: list[str]) -> bool:
    """Whether ``SPACED_MIN`` characters in a row stand each after a separator (short windows are scored)."""
    return b"\x01" * (SPACED_MIN - 1) in bytes(map(min, map(len, pieces), repeat(2)))


def _best_window(pieces: list[str]) -> float:
    """The best score of a 12-character window of the characters of ``pieces``, without bonuses."""
    model = load()
    block = "".join(pieces)
    shortest = VALID_LENGTHS[0]
    sums = list(accumulate(map(model.score.get, block, repeat(RARE_SCORE)), initial=0.0))
    pair_starts = list(accumulate(chain(map(model.written_pairs.__contains__, map(add, block, block[1:])), (False,)),
                                  initial=0))
    return max(sums[i + shortest] - sums[i] - PAIR_WEIGHT * (pair_starts[i + shortest - 1] - pair_starts[i])
               for i in range(len(block) - shortest + 1))


# Only runs without separators or a cue get to ``_hopeful_starts``: the edges and a checksum are
# all the bonus a window can have, and a longer window's 12-character part is never far below it.
_RUN_CUT = THRESHOLD - EXTEND_MARGIN - 2 * EDGE_BONUS - math.log(2) * 4 - RUN_PREFILTER_MARGIN
_GROUP_CUT = _RUN_CUT - SPACED_BONUS
"""The same for characters set apart by separators (``find_in_text``), where a window may be spaced out."""


@functools.cache
def _han_char_re() -> re.Pattern[str]:
    return re.compile(f"[{HAN}]")


@functools.cache
def _non_han_re() -> re.Pattern[str]:
    return re.compile(f"[^{HAN}]")


def _describe(block: str, cluster: list[tuple[float, int, int, bool | None]], first: int, last: int
              ) -> tuple[int, str, bool | None]:
    """Length, list and checksum of the phrase in ``block[first:last]``: a stretch of a valid length
    with a valid checksum (the whole span, the stretches at its edges, its best windows), else
    its best window."""
    tries = [(first, length) for length in VALID_LENGTHS if first + length <= last]
    tries += [(last - length, length) for length in VALID_LENGTHS if last - length > first]
    tries += [(w[1], w[2]) for w in _best(cluster)]
    for offset, length in sorted(tries, key=lambda t: -t[1]):  # a 24-word phrase holds valid 12s
        phrase = block[offset:offset + length]
        if _checksum(phrase):
            return length, _wordlist(phrase), True
    _score, offset, length, checksum = max(cluster, key=itemgetter(0))  # the first of the best, as ranked
    return length, _wordlist(block[offset:offset + length]), checksum


def _best(cluster: list[tuple[float, int, int, bool | None]]) -> list[tuple[float, int, int, bool | None]]:
    """The ``DESCRIBE_TRIES`` best windows of a valid length, best first (ties in the cluster's order)."""
    if len(cluster) < ARRAY_MIN:
        ranked = sorted(cluster, key=itemgetter(0), reverse=True)  # stable, as sorting by -score is
        return list(islice((w for w in ranked if w[2] in VALID_LENGTHS), DESCRIBE_TRIES))
    import numpy as np

    count = len(cluster)
    scores = np.fromiter(map(itemgetter(0), cluster), dtype=np.float64, count=count)
    lengths = np.fromiter(map(itemgetter(2), cluster), dtype=np.int64, count=count)
    valid = np.nonzero(np.isin(lengths, VALID_LENGTHS))[0]
    best = valid[np.argsort(-scores[valid], kind="stable")[:DESCRIBE_TRIES]]
    return [cluster[i] for i in best.tolist()]


def _cue_near(cue_ends: list[int], start: int, end: int) -> bool:
    """Whether a cue word ends between ``CUE_REACH`` before ``start`` and ``end``."""
    k = bisect_left(cue_ends, start - CUE_REACH)
    return k < len(cue_ends) and cue_ends[k] <= end


def _cue_in(cue_ends: list[int], low: int, high: int) -> bool:
    """Whether a cue word ends between ``low`` and ``high`` (both included)."""
    k = bisect_left(cue_ends, low)
    return k < len(cue_ends) and cue_ends[k] <= high


_LETTER_RUN_RE = re.compile(r"[^\W\d_]+")


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands between blanks, line breaks or the ends of the text."""
    return (start == 0 or text[start - 1].isspace()) and (end == len(text) or text[end].isspace())


def _group_hits(block: str, positions: list[int], separated: list[bool] | None, cue_ends: list[int],
                alone: bool = False, leads: frozenset[int] = frozenset(), ends: list[int] | None = None,
                margin: float = EXTEND_MARGIN) -> list[PhraseHit]:
    """The phrases in one run of characters (``block``; ``positions``: where each stands in the text,
    ``ends``: where each ends, when not right after it; ``leads``: where cues' leads end in the text;
    ``margin``: how far below ``THRESHOLD`` a window overlapping a phrase may score and still be part of it)."""
    n = len(block)
    low, high = positions[0] - CUE_REACH, positions[-1] + 1
    near = cue_ends[bisect_left(cue_ends, low):bisect_right(cue_ends, high)]
    if n < VALID_LENGTHS[0] and not near and not alone and not (separated and sum(separated) >= SPACED_MIN - 1):
        return []
    # A cue before the run keeps its distance (negative): "助记词…，这样靠谱吗" is another clause.
    cues = tuple(sorted({bisect_left(positions, end) if end > positions[0] else end - positions[0] for end in near}))
    at_leads = tuple(i for i in (bisect_left(positions, end) for end in near if end in leads)
                     if i < n and positions[i] in leads)
    windows = window_scores(block, THRESHOLD - margin, cues, separated, alone, at_leads)
    if not windows or max(map(itemgetter(0), windows)) < THRESHOLD:
        return []
    # Overlapping windows form clusters (one sweep): a cluster holding a window that passes is a
    # phrase, and the nearly-as-likely windows around it (those it overlaps) mark its edges.
    windows.sort(key=itemgetter(1))
    hits: list[PhraseHit] = []
    for cluster, last in _clusters(windows):
        if max(map(itemgetter(0), cluster)) >= THRESHOLD:
            first = cluster[0][1]
            length, wordlist, checksum = _describe(block, cluster, first, last)
            # Better one ordinary character too many than one word of the phrase left behind.
            first = 0 if first <= 2 else first
            last = n if n - last <= 2 else last
            stop = positions[last - 1] + 1 if ends is None else ends[last - 1]
            hits.append(PhraseHit(positions[first], stop, length, wordlist, checksum, 0))
    return hits


def _clusters(windows: list[tuple[float, int, int, bool | None]]
              ) -> Iterator[tuple[list[tuple[float, int, int, bool | None]], int]]:
    """The windows (sorted by start) in clusters of overlapping ones, each with where it ends."""
    if len(windows) >= ARRAY_MIN:  # a pasted list of characters: the sweep with numpy
        import numpy as np

        starts = np.fromiter(map(itemgetter(1), windows), dtype=np.int64, count=len(windows))
        ends = starts + np.fromiter(map(itemgetter(2), windows), dtype=np.int64, count=len(windows))
        reach = np.maximum.accumulate(ends)
        cuts = [0, *(np.nonzero(starts[1:] >= reach[:-1])[0] + 1).tolist(), len(windows)]
        for a, b in itertools.pairwise(cuts):
            yield windows[a:b], int(reach[b - 1])
        return
    cluster = [windows[0]]
    last = windows[0][1] + windows[0][2]
    for window in windows[1:]:
        if window[1] < last:
            if window[1] + window[2] > last:
                last = window[1] + window[2]
            cluster.append(window)
            continue
        yield cluster, last
        cluster = [window]
        last = window[1] + window[2]
    yield cluster, last

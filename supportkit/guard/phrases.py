"""BIP39 recovery phrases in every word list the ``mnemonic`` package ships.

How a phrase is told from ordinary text:

1. Tokens are letter runs (a lone Han character is one token; a run of two or more
   Han characters is a *block*, see ``hanzi``). Two tokens are *joined* when only
   separators lie between them: spaces, line breaks, punctuation, numbering
   (``1.``, ``2)``, ``#3``), i.e. no letters and no number of three digits or more.
2. For each word list, joined tokens form *runs*: list words, with typos (edit distance
   1, or the unique 4-letter prefix every BIP39 word has) and garbled words among them.
   A run ends at a break (a letter-free gap that is too long, a three-digit number, a
   marker) or at three tokens in a row that are not list words, unless all three are typos
   (one letter off a list word: three mistyped words side by side), up to a fourth.
3. A run with at least ``MIN_EXACT`` (8) list words, of which at most a quarter of its
   words are typos or garbled, is a phrase: the whole run, every word, is redacted (a
   customer who forgot a word pastes 11, one who misread the paper pastes typos). A run
   of ``MIN_CUED`` (4) or more words right after a word for the phrase (seed, 助记词, сид,
   frase, phrase de récupération ...) is one too: "my seed starts with ...".
   Where the run as a whole is no phrase, its best stretch may be (``_best_stretch``: a
   phrase with a lead-in of list words, "ma phrase secrète est ...", or typos at its ends).
   Ordinary text does not get there: function words ("I", "the", "my", "de", "и")
   are not list words, a list word that comes again counts once in a stretch, and the longest run of list words in a thousand sentences per
   language is 6 (``scripts/tune_guard.py``; ``scripts/bench_guard.py`` counts false
   alarms on the public sentences and on messages about phrases that hold none).
   Chinese written without spaces is the exception: every common character is a list
   word, so blocks, and runs of single characters, are judged statistically in ``hanzi``.

Word lists are compiled on first use (about 0.1 s) and kept for the process.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import accumulate, chain, compress, count, repeat
from operator import and_, le, lshift, not_, or_, rshift

from supportkit.guard.wordlists import (
    FOLDED_LISTS,
    HAN_LISTS,
    MAX_GAP,
    SYLLABIC_LISTS,
    VALID_LENGTHS,
    WORDLISTS,
    PhraseHit,
    cue_ends,
    cue_re,
    fold,
    lexicon,
    valid_checksum,
)
from supportkit.text import HAN, has_wide, is_han

MIN_EXACT = 8
"""List words that make a run a phrase on their own (a partial phrase included)."""
MIN_CUED = 4
"""Words of a run right after a cue word ("seed", "助记词" ...) that make it a phrase."""
CUE_REACH = 34
"""Characters between a cue word and the run it announces: the longest lead-ins customers write
("… phrase de récupération commence par : ", "mi frase semilla empieza con ") are about 30."""
MAX_ODD_RUN = 2
"""Tokens in a row that are not list words inside a run (two mistyped words side by side)."""

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


_BAD_GAP_RE = re.compile(r"\d{3}")


@functools.cache
def _near_index(name: str) -> tuple[dict[str, int], dict[str, int]]:
    """(one-deletion variants -> word position, 4-letter prefix -> word position) for typo lookups."""
    deletions: dict[str, int] = {}
    prefixes: dict[str, int] = {}
    seen_prefix: set[str] = set()
    for position, word in enumerate(lexicon().words[name]):
        for form in {word, fold(word)} if name in FOLDED_LISTS else {word}:
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


@functools.cache
def _longest(name: str) -> int:
    """The longest word of list ``name`` (and of its forms without accents)."""
    return max(len(word) for word in lexicon().words[name])


@functools.lru_cache(maxsize=16384)
def near_word(token: str, name: str) -> bool:
    """True when ``token`` is one typo away from a word of list ``name`` (or is its unique 4-letter prefix).

    Latin and Cyrillic tokens need four letters (shorter ones are one typo from too many
    ordinary words); Korean and Japanese words are two or three syllables, so two will do.
    """
    if name in HAN_LISTS or len(token) < (2 if name in SYLLABIC_LISTS else 4) or len(token) > _longest(name) + 1:
        return False  # a 100,000-letter "word" would cost 100,000 deletions of 100,000 letters
    deletions, prefixes = _near_index(name)
    forms = {token, fold(token)} if name in FOLDED_LISTS else {token}
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


PART_SHARE = 0.5
"""Share of a message's words that are list words for it to be part of a phrase sent in pieces."""
MAX_PART_LABEL = 5
"""Words before the list words of a piece of a phrase ("the last ones:", "и ещё")."""
MAX_HAN_PART = 30
"""Longest message of Han characters taken as part of a phrase sent in pieces."""


def phrase_like_part(message: str) -> tuple[int, int, bool] | None:
    """``(start, end, han)`` of the part of ``message`` that could be a piece of a phrase sent over
    several messages: from its first to its last list word when most of its words are list
    words of one list (``PART_SHARE``), or its Han characters when it is little else; else None.
    """
    from supportkit.guard.view import reader_views, word_view

    view = word_view(reader_views(message)[0])
    text = view.text
    tokens = _tokenize(text, [])
    latin = [i for i, key in enumerate(tokens.keys) if not is_han(key)]
    if 0 < len(latin) <= 2 * VALID_LENGTHS[-1]:
        best: tuple[int, int, int] | None = None
        for bit, name in enumerate(WORDLISTS):
            if name in HAN_LISTS:
                continue
            hits = [i for i in latin if tokens.masks[i] >> bit & 1]
            if not hits:
                continue
            # Mostly list words, or list words closing the message after a short label
            # ("et ensuite dauphin", "ma phrase secrète est morsure insolite").
            tail = 0
            while tail < len(latin) and tokens.masks[latin[len(latin) - 1 - tail]] >> bit & 1:
                tail += 1
            if len(hits) >= PART_SHARE * len(latin):
                candidate = (hits[0], hits[-1], len(hits))
            elif tail and len(latin) - tail <= MAX_PART_LABEL and len(hits) == tail:  # the label holds none
                candidate = (latin[len(latin) - tail], latin[-1], tail)
            else:
                continue
            if best is None or candidate[2] > best[2]:
                best = candidate
        if best is not None:
            start, end = view.original(tokens.starts[best[0]], tokens.ends[best[1]])
            return start, end, False
    han = [m.span() for m in re.finditer(f"[{HAN}]+", text)] if has_wide(text) else []
    characters = sum(end - start for start, end in han)
    if han and characters <= MAX_HAN_PART and characters >= PART_SHARE * (characters + len(latin)):
        start, end = view.original(han[0][0], han[-1][1])
        return start, end, True
    return None


def checksummed_spans(text: str, wordlist: str) -> list[tuple[int, int]]:
    """Spans of the runs of words of ``wordlist`` in ``text`` with a valid length and BIP39
    checksum, longest first (a random run passes one time in 16 for 12 words: callers choose)."""
    bit = WORDLISTS.index(wordlist)
    tokens = _tokenize(text, [])
    keys = tokens.keys
    spans: list[tuple[int, int]] = []
    for length in sorted(VALID_LENGTHS, reverse=True):
        for start in range(len(keys) - length + 1):
            window = range(start, start + length)
            if all(tokens.masks[i] >> bit & 1 for i in window) and valid_checksum(keys[start:start + length], wordlist):
                spans.append((tokens.starts[start], tokens.ends[start + length - 1]))
    return spans


def could_hold_phrase(text: str, cued: bool | None = None) -> bool:
    """A cheap upper bound: enough list words for a phrase (fewer after a cue word), or a Han run.

    ``cued``: whether ``cue_re`` finds a cue word in ``text``, when the caller knows already.
    """
    wide = has_wide(text)
    pattern = _token_re(wide, _HAS_MARKS_RE.search(text) is not None, named=False)
    if cued is None:
        cued = cue_re().search(text) is not None
    needed = MIN_CUED if cued else MIN_EXACT
    chunks = _word_chunks(text, pattern)
    first = next(chunks, [])
    if len(text) <= COULD_CHUNK and len(first) < needed:
        return False  # a short message with too few words: no word list is loaded (~130 ms cold)
    masks = lexicon().masks
    words: list[str] = []
    listed = 0
    for chunk in chain((first,), chunks):
        listed += sum(map(masks.__contains__, chunk))
        if listed >= needed:
            return True
        words.extend(chunk)
    # Words that only match after NFKC or without accents (NFD input, "abaco", full-width letters).
    for word in compress(words, map(and_, map(not_, map(str.isascii, words)), map(_FOLD_LIMIT.__gt__, words))):
        if word not in masks and _mask(_key(word), masks):
            listed += 1
            if listed >= needed:
                return True
    return False


def _word_chunks(text: str, pattern: re.Pattern[str]) -> Iterator[list[str]]:
    """The words of ``text`` (lower case, NFKC) in growing chunks, each cut after a space (no word,
    case rule or normalization reaches across one): a long text has enough list words long
    before its end. A text of at most ``COULD_CHUNK`` characters is one chunk."""
    start, size = 0, COULD_CHUNK
    while start < len(text):
        cut = text.find(" ", start + size)
        end = len(text) if cut < 0 else cut + 1
        lowered = text[start:end].lower()
        if not lowered.isascii() and not unicodedata.is_normalized("NFKC", lowered):
            lowered = unicodedata.normalize("NFKC", lowered)
        yield pattern.findall(lowered)
        start, size = end, 2 * size


COULD_CHUNK = 2048
"""Characters of the first chunk ``could_hold_phrase`` reads (each next one is twice as long)."""


@dataclass
class _Tokens:
    starts: list[int]
    ends: list[int]
    keys: list[str]
    masks: list[int]
    joined: list[bool]


def _tokenize(text: str, exclude: list[tuple[int, int]]) -> _Tokens:
    """The letter runs of ``text`` with their lists and whether each is joined to the one before.

    One ``re.split`` and a few C-level passes (``map``, ``compress``), no Python work per
    character nor per token: this runs on every message, up to the hard size limit. A run of
    two or more Han characters (judged in ``hanzi``) and a redaction marker break the runs
    around them and are not tokens; they are set aside before any work on the words.
    """
    masks_of = lexicon().masks
    wide = has_wide(text)
    pattern = _split_re(wide, _HAS_MARKS_RE.search(text) is not None)
    pieces = pattern.split(text)
    offsets = list(accumulate(map(len, pieces), initial=0))
    words = pieces[1::2]
    gaps = pieces[0::2]
    count_words = len(words)
    starts = offsets[1:-1:2]
    ends = offsets[2::2]
    # A gap joins when it is short and holds no number of three digits or more (digits are
    # never in a word: a match of ``_BAD_GAP_RE`` lies in one gap).
    joined = list(map(le, map(len, gaps[:-1]), repeat(MAX_GAP)))
    if count_words:
        for match in _BAD_GAP_RE.finditer(text):
            gap = bisect_right(starts, match.start())  # gaps[i] lies before words[i]
            if gap < count_words:
                joined[gap] = False
    if joined:
        joined[0] = False
    breakers: list[int] = []
    if wide:  # a run of two or more Han characters is a token of its own (set apart by its start)
        han_starts = set(map(re.Match.start, _han_runs_re().finditer(text)))
        if han_starts:
            breakers = list(compress(count(), map(han_starts.__contains__, starts)))
    if exclude:
        spans = sorted(exclude)
        marked: set[int] = set(breakers)
        k = 0
        for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
            while k < len(spans) and spans[k][1] <= start:
                if i and spans[k][0] >= ends[i - 1]:
                    joined[i] = False  # a marker between two tokens breaks a run
                k += 1
            if k < len(spans) and spans[k][0] < end:
                marked.add(i)
        breakers = sorted(marked)
    if breakers:
        for i in breakers:
            if i + 1 < len(joined):
                joined[i + 1] = False
        keep = [True] * count_words
        for i in breakers:
            keep[i] = False
        words = list(compress(words, keep))
        starts = list(compress(starts, keep))
        ends = list(compress(ends, keep))
        joined = list(compress(joined, keep))
    keys, masks = _keys_and_masks(words, masks_of)
    return _Tokens(starts, ends, keys, masks, joined)


def _keys_and_masks(words: list[str], masks_of: dict[str, int]) -> tuple[list[str], list[int]]:
    """Each word's lookup key (lower case, NFKC) and the lists that hold it (also without accents)."""
    joined_keys = "\x00".join(words).lower()
    ascii_only = joined_keys.isascii()
    if not ascii_only:
        joined_keys = _nfkc(joined_keys, "\x00")
    keys = joined_keys.split("\x00") if words else []
    masks = list(map(masks_of.get, keys, repeat(0)))
    if not ascii_only:  # words that only match without their accents ("abaco" for "ábaco")
        # Only alphabets with accents fold (Latin, Cyrillic ё й): not Hangul, kana or Han. (A key
        # is below U+0530 where its first character is: U+0530 itself is no letter.)
        unlisted = map(not_, masks)
        not_ascii = map(not_, map(str.isascii, keys))
        for i in compress(count(), map(and_, map(and_, unlisted, not_ascii), map(_FOLD_LIMIT.__gt__, keys))):
            masks[i] = _mask(keys[i], masks_of)
    return keys, masks


_FOLD_LIMIT = "\u0530"
NFKC_CHUNK = 4096


def _nfkc(text: str, boundary: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, normalizing only the chunks of ``text`` that need it.

    The text is cut after a ``boundary`` character (NUL or a space: a starter that nothing
    composes with, so each chunk normalizes on its own as in the whole); most chunks of a
    long text are normalized already, and checking is much cheaper than normalizing.
    """
    return _nfkc_in(text, boundary, NFKC_CHUNK)


def _nfkc_in(text: str, boundary: str, size: int) -> str:
    """``_nfkc`` with chunks of ``size``; a chunk that needs it is read again in chunks 16 times smaller."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    if len(text) <= size or size < 16:
        return unicodedata.normalize("NFKC", text)
    pieces: list[str] = []
    start = 0
    while start < len(text):
        cut = text.find(boundary, start + size)
        end = len(text) if cut < 0 else cut + 1
        pieces.append(_nfkc_in(text[start:end], boundary, size // 16))
        start = end
    return "".join(pieces)


@functools.cache
def _han_runs_re() -> re.Pattern[str]:
    return re.compile(f"[{HAN}][{HAN}]+")  # a class first: re skips to Han characters at C speed


@functools.cache
def _han_run_start() -> re.Pattern[str]:
    return re.compile(f"[{HAN}]{{2}}")


@functools.cache
def _split_re(han: bool, marks: bool) -> re.Pattern[str]:
    return re.compile(f"({_token_re(han, marks, named=False).pattern})")


def _gap_ok(text: str, start: int, end: int) -> bool:
    if end - start > MAX_GAP:
        return False
    return end - start < 3 or _BAD_GAP_RE.search(text, start, end) is None


def find_phrases(text: str, exclude: list[tuple[int, int]] | None = None) -> list[PhraseHit]:
    """Every recovery phrase in ``text`` (spans in ``exclude``, e.g. redaction markers, are skipped)."""
    from supportkit.guard import hanzi

    # The cue words are looked for once: every scanner of the text needs them.
    cues = cue_ends(text)
    hits = hanzi.find_in_text(text, exclude or [], cues)
    if could_hold_phrase(text, bool(cues)):
        hits.extend(_alphabetic(text, exclude or [], cues))
    return [_with_numbering(text, hit) for hit in _best_non_overlapping(hits)]


def _alphabetic(text: str, exclude: list[tuple[int, int]], cues: list[int]) -> list[PhraseHit]:
    """The phrases of the word lists written with spaces (all but Chinese); ``cues``: where the
    cue words of ``text`` end."""
    tokens = _tokenize(text, exclude)
    hits: list[PhraseHit] = []
    counts = [0] * len(WORDLISTS)
    for mask, times in Counter(tokens.masks).items():  # a few distinct masks, counted in C
        while mask:
            low = mask & -mask
            counts[low.bit_length() - 1] += times
            mask ^= low
    needed = MIN_CUED if cues else MIN_EXACT
    bits = [bit for bit, listed in enumerate(counts) if listed >= needed and WORDLISTS[bit] not in HAN_LISTS]
    if bits:
        codes = _codes(tokens)
        budget = [STRETCH_BUDGET]
        for bit in bits:
            hits.extend(_runs(tokens, bit, cues, codes, budget))
    return hits


_BYTE_LISTS = 7
"""Word lists per byte of ``_codes`` (a bit for each, and one for "joined")."""


def _codes(tokens: _Tokens) -> tuple[bytes, ...]:
    """One byte per token for each group of ``_BYTE_LISTS`` lists: whether the token is in each of
    them, and whether it is joined to the token before (the low bit). Built with C-level ``map``s,
    so each list's ``E``/``o``/``B``/``b`` codes are one ``bytes.translate`` away (``_code_table``),
    where a ``str.translate`` through a dict of every mask took 5 ms a list on 100,000 characters."""
    width = (1 << _BYTE_LISTS) - 1
    groups = []
    for shift in range(0, len(WORDLISTS), _BYTE_LISTS):
        listed = map(and_, map(rshift, tokens.masks, repeat(shift)), repeat(width))
        groups.append(bytes(map(or_, map(lshift, listed, repeat(1)), tokens.joined)))
    return tuple(groups)


_NUMBERING_RE = re.compile(r"(?:[#№(]\s*)?\d{1,2}\s*[.):\]\-、．]?\s*$")


def _with_numbering(text: str, hit: PhraseHit) -> PhraseHit:
    """The "1." or "(1)" before the first word goes with the phrase."""
    match = _NUMBERING_RE.search(text, max(0, hit.start - 8), hit.start)
    if match is None or match.start() == hit.start:
        return hit
    return replace(hit, start=match.start())


def _runs(tokens: _Tokens, bit: int, cues: list[int], codes: tuple[bytes, ...], budget: list[int]
          ) -> list[PhraseHit]:
    """The phrases of list ``bit``: runs of joined tokens judged as the module docstring says.

    ``codes`` (``_codes``) has one byte per token; translated to ``E``/``o`` (list word or not,
    joined) and ``B``/``b`` (the same, not joined), a regular expression finds the candidate
    runs: four list words or more, at most ``MAX_ODD_RUN`` other tokens between two of them.
    Only those are looked at in Python: each is judged (``_judge``), then grown over the typos
    around it (``_grown``) and its best stretch taken (``_best_stretch``): what the judge found
    is extended over typos only, and where it found nothing, the stretch may be a phrase.
    ``budget``: stretch searches left for the text (``STRETCH_BUDGET``).
    """
    name = WORDLISTS[bit]
    if name in HAN_LISTS:
        return []  # single Han characters are judged with the blocks, in ``hanzi``
    flag = 1 << bit
    hits: list[PhraseHit] = []
    for match in _run_re().finditer(codes[bit // _BYTE_LISTS].translate(_code_table(bit % _BYTE_LISTS))):
        first, last = match.start(), match.end()
        judged = [_with_typo_edges(tokens, hit, name, flag) for hit in _judge(tokens, list(range(first, last)), flag,
                                                                              name, cues)]
        hits.extend(judged)
        grown_first, grown_last = _grown(tokens, first, last, flag, name)
        # A whole phrase (its checksum holds) is not grown: the words around it are not its own.
        covered = any(hit.checksum or (hit.start <= tokens.starts[grown_first] and tokens.ends[grown_last - 1] <= hit.end)
                      for hit in judged)
        if grown_last - grown_first <= MAX_STRETCH_RUN and not covered and budget[0] > 0:
            stretch = _best_stretch(tokens, grown_first, grown_last, flag, name, extending=bool(judged), budget=budget)
            if stretch is not None:
                hits.append(stretch)  # grown over its typos already
    return hits


MAX_TYPO_RUN = 3
"""Mistyped words in a row that a run is grown over (``_grown``): "… cidadde obedeer reirar …"."""


def _grown(tokens: _Tokens, first: int, last: int, flag: int, name: str) -> tuple[int, int]:
    """``range(first, last)`` grown on each side over joined tokens that are list words or typos of
    list words (``one_typo``), at most ``MAX_TYPO_RUN`` typos in a row: three mistyped words side
    by side break the candidate run in two, and a phrase's first or last words may be mistyped.
    It stops at a break, at any other word, and at a fourth typo in a row."""
    masks, keys, joined = tokens.masks, tokens.keys, tokens.joined
    count_tokens = len(keys)
    end = last
    typos = 0
    while end < count_tokens and joined[end] and typos <= MAX_TYPO_RUN:
        if masks[end] & flag:
            typos = 0
        elif one_typo(keys[end], name):
            typos += 1
        else:
            break
        end += 1
    end -= max(0, typos - MAX_TYPO_RUN)
    start = first
    typos = 0
    while start > 0 and joined[start] and typos <= MAX_TYPO_RUN:
        if masks[start - 1] & flag:
            typos = 0
        elif one_typo(keys[start - 1], name):
            typos += 1
        else:
            break
        start -= 1
    start += max(0, typos - MAX_TYPO_RUN)
    return start, end


MAX_STRETCH_RUN = 4 * VALID_LENGTHS[-1]
"""Longest grown run whose stretches are judged (``_best_stretch``); a longer one is left to ``_judge``."""
MAX_STRETCH_WORDS = VALID_LENGTHS[-1] + 2 * MAX_TYPO_RUN
"""Longest stretch: the longest phrase with mistyped words on both sides."""


STRETCH_BUDGET = 32
"""Stretch searches per text (each up to ``MAX_STRETCH_RUN`` x ``MAX_STRETCH_WORDS`` steps): text made
of dense runs of list words and typos costs bounded work; past it, runs are judged as found."""


def _best_stretch(tokens: _Tokens, first: int, last: int, flag: int, name: str, extending: bool,
                  budget: list[int]) -> PhraseHit | None:
    """The phrase in tokens ``first`` to ``last`` (a run grown over typos), if it holds one.

    Of the stretches that begin and end with a list word or a typo and pass the first test
    of ``_judge`` (``_passes``: enough list words, at most a quarter of the words odd, few of
    those not even typos), the ones with the most list words and typos, then the fewest other
    words; all of them when several tie (the run is redacted from the first to the last).
    ``_judge`` reads a run from its edges in: a run grown over three typos in a row ("… bule
    cidadde obedeer reirar frente …") often ends in a word of the sentence around it that is
    itself one letter off a list word ("это", "anoté"), where its trimming stops.

    A list word that comes again counts once, unless the judge found the phrase already: a
    phrase's words seldom repeat (one phrase of 12 words in 30), ordinary text repeats its own
    ("Step one: panic. Step two: read your FAQ. Step three: still panic.", every word a list
    word or one letter off one).

    ``extending``: the judge found a phrase in the run already; the stretch may then hold
    typos of three letters ("lef" for "left", ``one_typo``) but no other word, so it grows
    that phrase over its mistyped words and stops at the first word that is neither (a whole
    phrase, its checksum valid, is not grown at all: ``_runs``). Otherwise typos have four letters or
    more (``near_word``): a three-letter word is one letter off too many ordinary words for a
    phrase to rest on them. Stretches are at most ``MAX_STRETCH_WORDS`` long: linear in the run.
    """
    masks, keys = tokens.masks, tokens.keys
    exact = [bool(masks[i] & flag) for i in range(first, last)]
    if sum(exact) < MIN_EXACT or not _dense_enough(exact):
        return None
    budget[0] -= 1
    typo = [not e and (near_word(keys[i], name) or (extending and len(keys[i]) == 3 and one_typo(keys[i], name)))
            for i, e in zip(range(first, last), exact, strict=True)]
    # A list word counts once: where the same word was last seen (-1: not before).
    seen: dict[str, int] = {}
    before = [-1] * len(exact)
    for i, key in enumerate(keys[first:last]):
        if exact[i]:
            before[i] = seen.get(key, -1)
            seen[key] = i
    size = len(exact)
    most_odd = MAX_STRETCH_WORDS // 4
    best: tuple[int, int] | None = None
    spans: list[tuple[int, int]] = []
    for a in range(size):
        if not (exact[a] or typo[a]):
            continue
        listed = typos = odd = 0
        for b in range(a, min(size, a + MAX_STRETCH_WORDS)):
            if exact[b]:
                listed += extending or before[b] < a
            elif typo[b]:
                typos += 1
                odd += 1
            elif extending:
                break
            else:
                odd += 1
            if odd > most_odd:
                break  # no longer stretch can have few enough odd words
            # A stretch ends on a list word or a typo.
            if b + 1 - a >= MIN_EXACT and (exact[b] or typo[b]) and _passes(b + 1 - a, listed, typos):
                score = (listed + typos, listed + typos - (b + 1 - a))
                if best is None or score > best:
                    best, spans = score, []
                if score == best:
                    spans.append((a, b + 1))
    if not spans:
        return None
    a, b = min(a for a, _ in spans), max(b for _, b in spans)
    run = list(range(first + a, first + b))
    return _hit(tokens, name, run, exact[a:b], b - a - sum(exact[a:b]))


def _dense_enough(exact: list[bool]) -> bool:
    """Whether some stretch of ``MIN_EXACT`` + 1 tokens or more has at most a quarter of them not list
    words (what ``_passes`` asks of a phrase with an odd word; one without is all list words, and
    ``_judge`` finds those): with each list word -1 and each other token +3, one whose sum is 0
    or less. Linear; most runs of ordinary text have none."""
    total = 0
    sums = [0]
    for e in exact:
        total += -1 if e else 3
        sums.append(total)
    highest = -(1 << 30)
    for b in range(MIN_EXACT + 1, len(sums)):
        highest = max(highest, sums[b - MIN_EXACT - 1])
        if sums[b] <= highest:
            return True
    return False


def _passes(words: int, listed: int, typos: int) -> bool:
    """The first test of ``_judge``: ``listed`` list words and ``typos`` typos among ``words`` tokens."""
    odd = words - listed
    garbled = odd - typos
    return (listed >= MIN_EXACT + bool(odd) and odd <= max(1, words // 4)
            and garbled <= (1 if listed > MIN_EXACT else 0) + max(0, words - 12) // 8)


@functools.lru_cache(maxsize=16384)
def one_typo(token: str, name: str) -> bool:
    """True when ``token`` (three letters or more) is one letter changed, dropped or added away from a
    word of list ``name``, or is the unique 4-letter prefix of one.

    Stricter than ``near_word``, which takes any token that *starts* with a unique prefix
    ("palabras" for "palace"): this is what a run of list words is grown over (``_grown``).
    """
    if name in HAN_LISTS or len(token) < (2 if name in SYLLABIC_LISTS else 3) or len(token) > _longest(name) + 1:
        return False
    deletions, prefixes = _near_index(name)
    forms = {token, fold(token)} if name in FOLDED_LISTS else {token}
    for form in forms:
        if form in deletions or (len(form) == 4 and form in prefixes):
            return True
        if any(form[:i] + form[i + 1:] in deletions for i in range(len(form))):
            return True
    return False


def _with_typo_edges(tokens: _Tokens, hit: PhraseHit, name: str, flag: int) -> PhraseHit:
    """``hit`` grown over mistyped words right before or after it (a phrase's first or last words
    with typos): judged without them, redacted with them."""
    from bisect import bisect_left

    keys, joined, starts, ends = tokens.keys, tokens.joined, tokens.starts, tokens.ends
    first = bisect_left(starts, hit.start)
    last = bisect_left(ends, hit.end)
    masks = tokens.masks
    for _ in range(MAX_ODD_RUN):
        if (0 < first < len(keys) and joined[first] and not masks[first - 1] & flag
                and near_word(keys[first - 1], name)):
            first -= 1
        if (last + 1 < len(keys) and joined[last + 1] and not masks[last + 1] & flag
                and near_word(keys[last + 1], name)):
            last += 1
    start, end = min(hit.start, starts[first]), max(hit.end, ends[min(last, len(ends) - 1)])
    return replace(hit, start=start, end=end) if (start, end) != (hit.start, hit.end) else hit


@functools.cache
def _code_table(bit: int) -> bytes:
    """``bytes.translate`` table from a ``_codes`` byte to the code of list ``bit`` of its group."""
    return bytes((ord("E") if value >> (bit + 1) & 1 else ord("o")) if value & 1
                 else (ord("B") if value >> (bit + 1) & 1 else ord("b")) for value in range(256))


@functools.cache
def _run_re() -> re.Pattern[bytes]:
    return re.compile(rf"[EB](?:o{{0,{MAX_ODD_RUN}}}E){{{MIN_CUED - 1},}}".encode())


def _judge(tokens: _Tokens, run: list[int], flag: int, name: str, cues: list[int]) -> list[PhraseHit]:
    """The phrase in one run, if it is one; a run with too many odd words is judged in parts."""
    masks = tokens.masks
    exact = [bool(masks[i] & flag) for i in run]
    # Odd tokens at the edges belong to the phrase only when they are typos of list words.
    first, last = 0, len(run) - 1
    while first <= last and not exact[first] and not near_word(tokens.keys[run[first]], name):
        first += 1
    while last >= first and not exact[last] and not near_word(tokens.keys[run[last]], name):
        last -= 1
    # A lone list word after two ordinary words ("... phrase ///pw please help") is not the
    # phrase's: ordinary text is full of list words. Two typos of list words are kept.
    while last - first >= 3 and exact[last] and not exact[last - 1] and not exact[last - 2] and not (
            near_word(tokens.keys[run[last - 1]], name) or near_word(tokens.keys[run[last - 2]], name)):
        last -= 3
        while last >= first and not exact[last] and not near_word(tokens.keys[run[last]], name):
            last -= 1
    while last - first >= 3 and exact[first] and not exact[first + 1] and not exact[first + 2] and not (
            near_word(tokens.keys[run[first + 1]], name) or near_word(tokens.keys[run[first + 2]], name)):
        first += 3
        while first <= last and not exact[first] and not near_word(tokens.keys[run[first]], name):
            first += 1
    if last - first + 1 < MIN_CUED:
        return []
    run, exact = run[first:last + 1], exact[first:last + 1]
    exact_count = sum(exact)
    odd = [i for i, e in zip(run, exact, strict=True) if not e]
    typos = sum(near_word(tokens.keys[i], name) for i in odd)
    garbled = len(odd) - typos
    words = len(run)
    cued = _cued(tokens.starts[run[0]], cues)
    # Typos are tolerated in proportion (a quarter of the words); a garbled word, not even a
    # typo of a list word, only in a long run: ordinary text is list words between others.
    if (exact_count >= MIN_EXACT + bool(odd) and len(odd) <= max(1, words // 4)
            and garbled <= (1 if exact_count > MIN_EXACT else 0) + max(0, words - 12) // 8):
        return [_hit(tokens, name, run, exact, len(odd))]
    if cued and exact_count >= MIN_CUED and not odd:
        return [_hit(tokens, name, run, exact, 0)]
    # The cue word may be a list word itself ("seed: …", "semilla …"): the run after it is cued.
    if (not cued and len(run) > MIN_CUED and exact[0] and _cued(tokens.ends[run[0]], cues)
            and tokens.ends[run[0]] in cues and sum(exact[1:]) >= MIN_CUED and all(exact[1:])):
        return [_hit(tokens, name, run[1:], exact[1:], 0)]
    if exact_count < MIN_CUED or not odd:
        return []
    # A word or two of the next sentence joined to the phrase ("… ресторан\nЭто ошибка"): judge
    # the run without a short stretch after (or before) its last (first) odd word.
    ordinary = [k for k, i in enumerate(run) if not exact[k] and not near_word(tokens.keys[i], name)]
    if ordinary and len(run) - 1 - ordinary[-1] <= 2 and ordinary[-1] > MIN_CUED:
        return _judge(tokens, run[:ordinary[-1]], flag, name, cues)
    if ordinary and ordinary[0] <= 1 and len(run) - ordinary[0] - 1 > MIN_CUED:
        return _judge(tokens, run[ordinary[0] + 1:], flag, name, cues)
    # Not a phrase as a whole: ordinary words around one ("my seed starts with ..."). Judge the
    # stretches of list words between the odd words (each is shorter, so this ends).
    parts: list[PhraseHit] = []
    piece: list[int] = []
    for i, is_exact in zip([*run, -1], [*exact, False], strict=True):
        if is_exact:
            piece.append(i)
            continue
        if len(piece) >= MIN_CUED:
            parts.extend(_judge(tokens, piece, flag, name, cues))
        piece = []
    return parts


def _cued(start: int, cues: list[int]) -> bool:
    """Whether a cue word ends within ``CUE_REACH`` characters before ``start``."""
    from bisect import bisect_right

    k = bisect_right(cues, start)
    return k > 0 and start - cues[k - 1] <= CUE_REACH


def _hit(tokens: _Tokens, name: str, run: list[int], exact: list[bool], odd: int) -> PhraseHit:
    """The hit for a run: all of it is redacted.

    "my seed is abandon ... about": "seed" is a list word joined to the phrase by "is", and
    "hello please help ... thank you" are list words too. Cutting them off would need
    certainty that they are not words of the phrase, which nothing gives (a phrase with a
    garbled word looks the same), so they are redacted with it. The *description* uses a
    checksummed stretch of exact words when one of a valid length has a valid checksum.
    """
    start, end = tokens.starts[run[0]], tokens.ends[run[-1]]
    stretch: list[str] = []
    for i, is_exact in zip([*run, -1], [*exact, False], strict=True):
        if is_exact:
            stretch.append(tokens.keys[i])
            continue
        for length in sorted((n for n in VALID_LENGTHS if n <= len(stretch)), reverse=True):
            for offset in range(len(stretch) - length + 1):
                if valid_checksum(stretch[offset:offset + length], name):
                    return PhraseHit(start, end, length, name, True, 0)
        stretch = []
    checksum = False if len(run) in VALID_LENGTHS and not odd else None
    return PhraseHit(start, end, len(run), name, checksum, odd)


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
    return [replace(best, start=start, end=end) for start, end, best in merged]

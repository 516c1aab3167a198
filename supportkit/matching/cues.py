"""Cue patterns of lexicon.yaml: their keys, the words they need, their regular expressions, typo repair."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

from supportkit.matching.fold import (
    fold,
    is_han,
    tokens,
)

_LATIN_GAP = r"(?:\W+\w+){0,3}?\W+"


_HAN_GAP = r"[^。！？!?.\n]{0,6}?"


def cue_key(text: str) -> str:
    """Lookup key of a cue: its first Han character, the first 3 letters of a stem, else its first word.

    A message's words look up their first Han characters, their first 3 letters and
    themselves (``lookup_keys``), so a cue is only tried when its first part can occur.
    """
    first = text.split(" ", 1)[0]
    if is_han(first):
        return first[:1]
    return first[:3] if first.endswith("*") else first


@functools.cache
def compiled(pattern: str) -> re.Pattern[str]:
    """A cue's regex, compiled on first use (a message only ever tries a few dozen cues)."""
    return re.compile(pattern)


def compile_cue(text: str, gaps: bool = True) -> str:
    """Regex for a cue pattern (already folded): ordered parts, small gaps, ``*`` stems.

    Without ``gaps`` the parts follow each other ("got it" must not match "got frozen, I need it").
    """
    parts = text.split()
    pieces: list[str] = []
    for i, part in enumerate(parts):
        han = is_han(part)
        stem_mark = part.endswith("*")
        word = re.escape(part.rstrip("*"))
        piece = word if han else r"(?<!\w)" + word + (r"\w*" if stem_mark else r"(?!\w)")
        if i:
            prev_han = is_han(parts[i - 1])
            if gaps:
                pieces.append(_HAN_GAP if (han or prev_han) else _LATIN_GAP)
            else:
                pieces.append(r"\s*" if (han or prev_han) else r"\W+")
        pieces.append(piece)
    return "".join(pieces)


def deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def lookup_keys(words: Iterable[str]) -> set[str]:
    """Keys under which the cues that may start in ``words`` are filed (``cue_key``).

    A word gives itself and its first 3 letters (a stem cue's key); a word in Han script
    gives each of its characters.
    """
    keys: set[str] = set()
    for word in words:
        if is_han(word):
            keys.update(word)
        else:
            keys.add(word)
            keys.add(word[:3])
    return keys


def cue_needs(folded: str) -> frozenset[str]:
    """What a cue's parts need among a message's keys to occur at all.

    A word needs itself, a stem of 3 letters or more its first 3 letters, a Han string each
    of its characters. A cue lacking one of them cannot match, so its regex is never tried.
    """
    needs: set[str] = set()
    for part in folded.split():
        if is_han(part):
            needs.update(part)
        elif not part.endswith("*"):
            needs.add(part)
        elif len(part) > 3:
            needs.add(part[:3])
    return frozenset(needs)


@functools.lru_cache(maxsize=4096)
def _fold_part(part: str) -> str:
    """One word of a cue, folded like messages are (cue words repeat: "usdt", "wallet")."""
    return " ".join(tokens(fold(part)))


def fold_cue(raw: str) -> str:
    """A cue folded like messages are, keeping its ``*`` stem marks."""
    parts = []
    for part in raw.split():
        stem_mark = part.endswith("*")
        folded = _fold_part(part.rstrip("*"))
        if folded:
            parts.append(folded + ("*" if stem_mark else ""))
    return " ".join(parts)


MEMO_LIMIT = 50_000
"""Most corrections ``correct_typos`` remembers (then it starts over: bounded memory)."""


def correct_typos(words: list[str], vocabulary: Mapping[str, str], memo: dict[str, str] | None = None) -> list[str]:
    """Words with a one-letter typo replaced by the known word they were meant to be.

    Only longer words are corrected (a wrong letter from 6 letters, a missing or extra one
    from 7): short words are too often another real word ("times" is not "tiers").
    ``memo``: the corrections already made with this ``vocabulary`` (an unknown word comes
    back in message after message of a batch, and each costs all its deletions).
    """
    fixed = []
    for word in words:
        if len(word) < 6 or is_han(word) or vocabulary.get(word) == word:
            fixed.append(word)
            continue
        known = memo.get(word) if memo is not None else None
        if known is None:
            known = _correction(word, vocabulary)
            if memo is not None:
                if len(memo) >= MEMO_LIMIT:
                    memo.clear()
                memo[word] = known
        fixed.append(known)
    return fixed


def _correction(word: str, vocabulary: Mapping[str, str]) -> str:
    """The known word ``word`` (six letters or more, not itself known) was meant to be, or ``word``."""
    for candidate in [vocabulary.get(word)] + [vocabulary.get(d) for d in sorted(deletes(word))]:
        if candidate is None or candidate == word:
            continue
        if len(candidate) == len(word) or min(len(candidate), len(word)) >= 7:
            return candidate
    return word

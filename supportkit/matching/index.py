"""The matching index: cue patterns and example-phrase vectors, built once per library.

Two kinds of evidence, both explainable:

- cues (``lexicon.yaml``): short keyword patterns per intent and language, e.g.
  ``olvid* contraseña`` or ``忘 密码``. Words must appear in order with at most a few
  words (Chinese: a few characters) between them; ``*`` ends a stem.
- examples (``examples:`` of each reply template): phrases customers write. A message is
  compared with every example by TF-IDF cosine over words and character n-grams, which
  tolerates typos and inflection; the nearest examples per intent count.

The built index is plain data (dicts, lists, regex sources), cached per process and on
disk (``$XDG_CACHE_HOME/supportkit``) keyed by the files it was built from.
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportkit.matching.fold import HAN_RE, fold, tokens

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")
INDEX_VERSION = 3
"""Bump when the index layout or feature extraction changes (invalidates disk caches)."""

CUE_WEIGHTS = {"strong": 2.0, "cues": 1.0}
_LATIN_GAP = r"(?:\W+\w+){0,3}?\W+"
_HAN_GAP = r"[^。！？!?.\n]{0,6}?"


@dataclass
class Cue:
    """One keyword pattern: where it came from and what it is worth."""

    intent: str
    lang: str
    text: str
    weight: float
    pattern: str

    @property
    def regex(self) -> re.Pattern[str]:
        return compiled(self.pattern)


@dataclass
class UrgencyCue:
    """A pattern that makes a message urgent (``loss``) or urgent when about funds (``pressing``)."""

    kind: str
    lang: str
    text: str
    pattern: str

    @property
    def regex(self) -> re.Pattern[str]:
        return compiled(self.pattern)


@dataclass
class Example:
    """An example phrase of an intent, as a unit TF-IDF vector."""

    intent: str
    lang: str
    text: str
    vector: dict[str, float]


@dataclass
class MatchIndex:
    """Everything classify needs, built from the lexicon and the library's examples."""

    intents: tuple[str, ...]
    cues_by_key: dict[str, list[Cue]] = field(default_factory=dict)
    urgency_by_key: dict[str, list[UrgencyCue]] = field(default_factory=dict)
    funds_intents: frozenset[str] = frozenset()
    examples: list[Example] = field(default_factory=list)
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    default_idf: float = 1.0
    vocabulary: dict[str, str] = field(default_factory=dict)
    """Deletion-neighbourhood of known words (``wrd`` -> ``word``): fixes one-letter typos."""


# ---------------------------------------------------------------- features


def features(folded: str) -> dict[str, float]:
    """Sparse term counts: words, character 3-grams of words, Han unigrams and bigrams."""
    counts: dict[str, float] = defaultdict(float)
    for token in tokens(folded):
        if HAN_RE.match(token):
            for i, ch in enumerate(token):
                counts["h:" + ch] += 0.5
                if i + 1 < len(token):
                    counts["h:" + token[i : i + 2]] += 1.0
            continue
        if len(token) < 2:
            continue
        counts["w:" + token] += 1.0
        padded = f"^{token}$"
        for i in range(len(padded) - 2):
            counts["c:" + padded[i : i + 3]] += 0.35
    return counts


def vectorize(counts: Mapping[str, float], idf: Mapping[str, float], default_idf: float,
              keep_unknown: bool = True) -> dict[str, float]:
    """Unit-length TF-IDF vector (sublinear tf); unknown terms weigh ``default_idf`` in the norm."""
    vector: dict[str, float] = {}
    for term, count in counts.items():
        weight = (1.0 + math.log(count)) if count >= 1 else count
        known = idf.get(term)
        if known is None and not keep_unknown:
            continue
        vector[term] = weight * (known if known is not None else default_idf)
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {t: v / norm for t, v in vector.items()}


# ---------------------------------------------------------------- cues


def cue_key(text: str) -> str:
    """Lookup key of a cue (its first word) or of a word: first Han character, or first 3 letters."""
    first = text.split(" ", 1)[0]
    return first[:1] if HAN_RE.match(first) else first[:3]


@functools.cache
def compiled(pattern: str) -> re.Pattern[str]:
    """A cue's regex, compiled on first use (a message only ever tries a few dozen cues)."""
    return re.compile(pattern)


def compile_cue(text: str) -> str:
    """Regex for a cue pattern (already folded): ordered parts, small gaps, ``*`` stems."""
    parts = text.split()
    pieces: list[str] = []
    for i, part in enumerate(parts):
        han = bool(HAN_RE.match(part))
        stem = part.endswith("*")
        word = re.escape(part.rstrip("*"))
        piece = word if han else r"(?<!\w)" + word + (r"\w*" if stem else r"(?!\w)")
        if i:
            prev_han = bool(HAN_RE.match(parts[i - 1]))
            pieces.append(_HAN_GAP if (han or prev_han) else _LATIN_GAP)
        pieces.append(piece)
    return "".join(pieces)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


# ---------------------------------------------------------------- building


def build_index(lexicon: Mapping[str, Any], examples: Iterable[tuple[str, str, str]],
                intents: Iterable[str]) -> MatchIndex:
    """Build the index from a parsed lexicon and ``(intent, lang, phrase)`` examples."""
    index = MatchIndex(intents=tuple(intents))
    vocabulary_words: set[str] = set()
    for intent, tiers in (lexicon.get("intents") or {}).items():
        for tier, by_lang in (tiers or {}).items():
            weight = CUE_WEIGHTS.get(tier)
            if weight is None:
                continue
            for lang, cues in (by_lang or {}).items():
                for raw in cues or ():
                    folded = _fold_cue(str(raw))
                    if not folded:
                        continue
                    cue = Cue(intent, lang, str(raw), weight, compile_cue(folded))
                    index.cues_by_key.setdefault(cue_key(folded), []).append(cue)
                    vocabulary_words.update(p.rstrip("*") for p in folded.split() if not HAN_RE.match(p))
    urgency = lexicon.get("urgency") or {}
    for kind in ("loss", "pressing"):
        for lang, cues in (urgency.get(kind) or {}).items():
            for raw in cues or ():
                folded = _fold_cue(str(raw))
                if folded:
                    ucue = UrgencyCue(kind, lang, str(raw), compile_cue(folded))
                    index.urgency_by_key.setdefault(cue_key(folded), []).append(ucue)
                    vocabulary_words.update(p.rstrip("*") for p in folded.split() if not HAN_RE.match(p))
    index.funds_intents = frozenset(urgency.get("funds_intents") or ())

    # Examples: document frequencies over all examples, then unit vectors and postings.
    raw_examples = [(i, lang, text, features(fold(text))) for i, lang, text in examples if text.strip()]
    df: dict[str, int] = defaultdict(int)
    for *_, counts in raw_examples:
        for term in counts:
            df[term] += 1
    n = max(1, len(raw_examples))
    index.idf = {t: math.log((n + 1) / (d + 0.5)) for t, d in df.items()}
    index.default_idf = math.log((n + 1) / 0.5)
    for intent, lang, text, counts in raw_examples:
        vector = vectorize(counts, index.idf, index.default_idf)
        number = len(index.examples)
        index.examples.append(Example(intent, lang, text, vector))
        for term, weight in vector.items():
            index.postings.setdefault(term, []).append((number, weight))
        vocabulary_words.update(t for t in tokens(fold(text)) if not HAN_RE.match(t))

    for word in vocabulary_words:
        if len(word) >= 6:
            index.vocabulary.setdefault(word, word)
            for deleted in _deletes(word):
                index.vocabulary.setdefault(deleted, word)
    return index


def _fold_cue(raw: str) -> str:
    """A cue folded like messages are, keeping its ``*`` stem marks."""
    parts = []
    for part in raw.split():
        stem = part.endswith("*")
        folded = " ".join(tokens(fold(part.rstrip("*"))))
        if folded:
            parts.append(folded + ("*" if stem else ""))
    return " ".join(parts)


def correct_typos(words: list[str], vocabulary: Mapping[str, str]) -> list[str]:
    """Words with a one-letter typo replaced by the known word they were meant to be.

    Only longer words are corrected (a wrong letter from 6 letters, a missing or extra one
    from 7): short words are too often another real word ("times" is not "tiers").
    """
    fixed = []
    for word in words:
        if len(word) < 6 or HAN_RE.match(word) or vocabulary.get(word) == word:
            fixed.append(word)
            continue
        candidates = [vocabulary.get(word)] + [vocabulary.get(d) for d in _deletes(word)]
        best = None
        for candidate in candidates:
            if candidate is None or candidate == word:
                continue
            if len(candidate) == len(word) or min(len(candidate), len(word)) >= 7:
                best = candidate
                break
        fixed.append(best or word)
    return fixed

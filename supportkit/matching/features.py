"""Sparse TF-IDF features of folded text: words, stems, character 3-grams, Han uni- and bigrams."""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

from supportkit.matching.fold import (
    AMOUNT,
    HAN_STOP,
    STOPWORDS,
    content_word,
    is_han,
    stem,
    tokens,
)

# Feature weights (before IDF): a whole word says most; its stem and character n-grams
# let inflected or misspelt forms meet it; Chinese bigrams carry most of a word's meaning.
_WORD, _STEM, _GRAM = 1.0, 1.0, 0.5
_HAN_UNI, _HAN_BI = 0.8, 1.0



def features(folded: str, known: Mapping[str, float] | None = None) -> dict[str, float]:
    """Sparse term counts: words, stems, character 3-grams, Han unigrams and bigrams.

    With ``known`` (the index's terms), a word the examples contain is matched as that word
    and its stem only; character 3-grams are kept for the other words (typos, rare forms).
    """
    return features_of(tokens(folded), known)


def features_of(words: Iterable[str], known: Mapping[str, float] | None = None,
                memo: dict[str, tuple[tuple[str, float], ...]] | None = None) -> dict[str, float]:
    """``features`` of text already split into ``tokens`` (classify has them); ``memo`` keeps each
    token's terms between calls (``term_memo``: tokens come back in message after message)."""
    counts: dict[str, float] = defaultdict(float)
    for token in words:
        terms = memo.get(token) if memo is not None else None
        if terms is None:
            terms = _token_terms(token, known)
            if memo is not None:
                if len(memo) >= _TERMS_LIMIT:
                    memo.clear()  # bounded memory; the terms are the same either way
                memo[token] = terms
        for term, weight in terms:
            counts[term] += weight
    return counts


def _token_terms(token: str, known: Mapping[str, float] | None) -> tuple[tuple[str, float], ...]:
    """The terms of one token, in the order ``features`` counts them (nothing for a stopword)."""
    if is_han(token):
        terms: list[tuple[str, float]] = []
        for i, ch in enumerate(token):
            if ch not in HAN_STOP:
                terms.append(("h:" + ch, _HAN_UNI))
            if i + 1 < len(token):
                terms.append(("h:" + token[i : i + 2], _HAN_BI))
        return tuple(terms)
    word = content_word(token)
    if len(word) < 2 or word in STOPWORDS or word == AMOUNT:
        return ()
    return _word_terms(word, known is None or "w:" + word not in known)


_TERMS_LIMIT = 65536


@functools.lru_cache(maxsize=8)
def term_memo(owner: object) -> dict[str, tuple[tuple[str, float], ...]]:
    """The token -> terms table of ``owner`` (a ``MatchIndex``, its own key by identity)."""
    return {}


@functools.lru_cache(maxsize=8192)
def _word_terms(word: str, grams: bool) -> tuple[tuple[str, float], ...]:
    """The terms of one content word, in order: the word, its stem, its 3-grams (when ``grams``).

    Cached: the same words come back in message after message.
    """
    terms = [("w:" + word, _WORD)]
    if len(word) >= 4:
        terms.append(("s:" + stem(word), _STEM))
        if grams:
            padded = f"^{word}$"
            terms.extend(("c:" + padded[i : i + 3], _GRAM) for i in range(len(padded) - 2))
    return tuple(terms)


def vectorize(counts: Mapping[str, float], idf: Mapping[str, float], default_idf: float) -> dict[str, float]:
    """Unit-length TF-IDF vector (sublinear tf); unknown terms weigh ``default_idf`` in the norm."""
    log, weight_of = math.log, idf.get
    # count 1 (most terms): 1 + log(1) is exactly 1, so the weight is the idf itself.
    vector = {term: (weight_of(term, default_idf) if count == 1.0
                     else ((1.0 + log(count)) if count >= 1 else count) * weight_of(term, default_idf))
              for term, count in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {t: v / norm for t, v in vector.items()}

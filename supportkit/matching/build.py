"""Building the match index from the lexicon and the templates' examples, and calibrating its cues."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from supportkit.matching.cues import (
    compile_cue,
    cue_key,
    cue_needs,
    deletes,
    fold_cue,
)
from supportkit.matching.features import (
    features,
    vectorize,
)
from supportkit.matching.fold import (
    content_word,
    fold,
    is_han,
    tokens,
)
from supportkit.matching.index import (
    COURTESY_INTENTS,
    URGENCY_KINDS,
    Cue,
    Example,
    ExampleColumns,
    MatchIndex,
    Probe,
    Profile,
    UrgencyCue,
)

CUE_WEIGHTS = {"strong": 2.0, "cues": 1.0}


COMMON_TERM_SHARE = 0.06
"""Terms in more than this share of examples are left out of the postings (they cost the
most time and, with their low IDF, say the least); they still count in vector lengths."""


COMMON_GRAM_SHARE = 0.02
"""Character 3-grams are left out of the postings above this share already (they are many)."""


MIN_COMMON_DF = 20
"""A term is never "common" below this many examples (a small library keeps every term)."""




_SHORT_COURTESY = 4

STRICT_KINDS = ("resolved", "negation", "device")
"""Urgency kinds whose parts must follow each other: read, never urgent, so a loose match misleads."""
"""Examples of a courtesy intent this short (words; twice as many Han characters) lend all their words."""


def _romanized_russian(folded_examples: list[tuple[str, str, str, str]]) -> dict[str, str]:
    """Skeleton of each usual Latin spelling of the Russian examples' words -> the word (the most
    frequent one where two words spell alike), so "ukrali vse usdt" is read as "украли все usdt"."""
    from supportkit.detection.romanized import latin_forms
    from supportkit.matching.fold import tokens

    counts: dict[str, int] = defaultdict(int)
    for _intent, lang, _text, folded in folded_examples:
        if lang == "ru":
            for token in tokens(folded):
                if len(token) > 1 and not token.isascii():
                    counts[token] += 1
    spelled: dict[str, tuple[int, str]] = {}
    for word, count in counts.items():
        for form in latin_forms(word):
            if len(form) > 1 and (form not in spelled or spelled[form] < (count, word)):
                spelled[form] = (count, word)
    return {form: word for form, (_count, word) in sorted(spelled.items())}


def _courtesy_words(lexicon: Mapping[str, Any], folded_examples: list[tuple[str, str, str, str]]) -> frozenset[str]:
    """The words a greeting or a thanks is made of: its cues' words, and every word of its short
    examples ("good morning team", "ok thanks bye"); Han text by character."""
    from supportkit.matching.fold import tokens

    words: set[str] = set()

    def take(folded: str) -> None:
        for token in tokens(folded):
            words.update(token if is_han(token) else (token,))

    for intent in COURTESY_INTENTS:
        for by_lang in ((lexicon.get("intents") or {}).get(intent) or {}).values():
            for cues in (by_lang or {}).values():
                for raw in cues or ():
                    take(fold_cue(str(raw)).replace("*", ""))
    for intent, _lang, _text, folded in folded_examples:
        if intent in COURTESY_INTENTS:
            found = tokens(folded)
            if sum(len(t) / 2 if is_han(t) else 1 for t in found) <= _SHORT_COURTESY:
                take(folded)
    return frozenset(words)


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
                    folded = fold_cue(str(raw))
                    if not folded:
                        continue
                    cue = Cue(intent, lang, str(raw), weight, folded, compile_cue(folded), needs=cue_needs(folded))
                    index.cues_by_key.setdefault(cue_key(folded), []).append(cue)
                    vocabulary_words.update(p.rstrip("*") for p in folded.split() if not is_han(p))
    urgency = lexicon.get("urgency") or {}
    for kind in URGENCY_KINDS:
        for lang, cues in (urgency.get(kind) or {}).items():
            for raw in cues or ():
                folded = fold_cue(str(raw))
                if folded:
                    pattern = compile_cue(folded, gaps=kind not in STRICT_KINDS)
                    ucue = UrgencyCue(kind, lang, str(raw), folded, pattern, cue_needs(folded))
                    index.urgency_by_key.setdefault(cue_key(folded), []).append(ucue)
                    vocabulary_words.update(p.rstrip("*") for p in folded.split() if not is_han(p))
    index.risk_intents = frozenset(urgency.get("risk_intents") or ())
    index.acted_intents = frozenset(urgency.get("acted_intents") or ())
    index.pressing_intents = frozenset(urgency.get("pressing_intents") or ())
    index.unknown_intents = frozenset(urgency.get("unknown_intents") or ())
    index.theft_words = frozenset(str(word) for word in urgency.get("theft_words") or ())

    # Examples: document frequencies over all examples, then unit vectors and postings.
    folded_examples = [(i, lang, text, fold(text)) for i, lang, text in examples if text.strip()]
    index.courtesy_words = _courtesy_words(lexicon, folded_examples)
    index.romanized_ru = _romanized_russian(folded_examples)
    raw_examples = [(i, lang, text, features(folded)) for i, lang, text, folded in folded_examples]
    # Document frequency is taken within each language and the largest share counts: "my"
    # is in a fifth of the English examples but only a twentieth of all of them, and must
    # weigh as little as a word that common deserves.
    df: dict[str, int] = defaultdict(int)
    df_by_lang: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_lang: dict[str, int] = defaultdict(int)
    for _, lang, _, counts in raw_examples:
        per_lang[lang] += 1
        for term in counts:
            df[term] += 1
            df_by_lang[lang][term] += 1
    n = max(1, len(raw_examples))
    share: dict[str, float] = defaultdict(float)
    for lang, terms in df_by_lang.items():
        for term, count in terms.items():
            share[term] = max(share[term], count / per_lang[lang])
    smallest = min(per_lang.values(), default=1)
    index.idf = {t: math.log(1.0 / (s + 0.5 / smallest)) + 1.0 for t, s in share.items()}
    index.default_idf = math.log(2.0 * smallest) + 1.0
    common = {t for t, d in df.items()
              if d > max(MIN_COMMON_DF, (COMMON_GRAM_SHARE if t.startswith("c:") else COMMON_TERM_SHARE) * n)}
    sums: dict[tuple[str, str], dict[str, float]] = {}
    sizes: dict[tuple[str, str], int] = defaultdict(int)
    for intent, lang, text, counts in raw_examples:
        vector = vectorize(counts, index.idf, index.default_idf)
        number = len(index.examples)
        index.examples.append(Example(intent, lang, text))
        for term, weight in vector.items():
            if term not in common:
                index.postings.add(term, number, weight)
        total = sums.setdefault((intent, lang), defaultdict(float))
        for term, weight in vector.items():
            total[term] += weight
        sizes[(intent, lang)] += 1
        vocabulary_words.update(content_word(t) for t in tokens(folded_examples[number][3]) if not is_han(t))
    for (intent, lang), total in sums.items():
        norm = math.sqrt(sum(v * v for v in total.values())) or 1.0
        number = len(index.profiles)
        index.profiles.append(Profile(intent, lang, sizes[(intent, lang)]))
        for term, weight in total.items():
            if term not in common:
                index.profile_postings.add(term, number, weight / norm)

    index.postings.freeze()
    index.profile_postings.freeze(like=index.postings)  # a profile holds its examples' terms: the same set
    index.example_columns = ExampleColumns.of(index.examples)
    index.profile_columns = ExampleColumns.of(index.profiles)
    _calibrate_cues(index, [(intent, folded) for intent, _, _, folded in folded_examples])
    for word in sorted(vocabulary_words):  # sorted: the same typo fix in every process
        if len(word) >= 6:
            index.vocabulary.setdefault(word, word)
            for deleted in deletes(word):
                index.vocabulary.setdefault(deleted, word)
    return index


CUE_PRIOR = (1.0, 0.25)
"""Smoothing of cue reliability: (own + a) / (all + a + b); a cue no example shows gets 0.8."""


def _calibrate_cues(index: MatchIndex, examples: list[tuple[str, str]]) -> None:
    """Scale each cue by how specific it is to its intent in the templates' examples.

    A cue that matches many examples of other intents ("new" in "new update", 币 in most
    Chinese messages, "disappeared" said of tokens, wallets and scammers alike) tells
    little, so it counts less; a cue that only its own intent's examples show keeps its
    weight. This is IDF for cues, measured on the writers' examples.
    """
    own: dict[int, int] = defaultdict(int)
    seen: dict[int, int] = defaultdict(int)
    for intent, folded in examples:
        probe = Probe([" ".join(tokens(folded))])
        for cue in probe.candidates(index.cues_by_key):
            if probe.has(cue.folded, cue.pattern):
                seen[id(cue)] += 1
                own[id(cue)] += cue.intent == intent
    a, b = CUE_PRIOR
    for cues in index.cues_by_key.values():
        for cue in cues:
            cue.reliability = (own[id(cue)] + a) / (seen[id(cue)] + a + b)

"""The matching index: cue patterns and example-phrase vectors, built once per library.

Two kinds of evidence, both explainable:

- cues (``lexicon.yaml``): short keyword patterns per intent and language, e.g.
  ``olvid* contraseña`` or ``忘 密码``. Words must appear in order with at most a few
  words (Chinese: a few characters) between them; ``*`` ends a stem.
- examples (``examples:`` of each reply template): phrases customers write. A message is
  compared with the examples by TF-IDF cosine over words, crude stems, character n-grams
  and Chinese character uni- and bigrams, which tolerates typos and inflection. Two views
  count: the nearest examples of each intent, and the intent's profile (the centroid of all
  its examples in one language), which generalises beyond any single phrasing.

Both comparisons go through inverted indexes (term -> examples, term -> profiles) that
skip the commonest terms, so a message touches a few hundred postings, not every example.
Term weights are IDF within each language (a word in a fifth of the English examples is
common, whatever its share of all five languages). Each cue is also weighed by the examples:
one that matches many examples of other intents counts less (``_calibrate_cues``).

The built index is plain data (dicts, lists, arrays, regex sources), cached per process and
on disk (``$XDG_CACHE_HOME/supportkit``) keyed by the files it was built from.
"""

from __future__ import annotations

import functools
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportkit.matching.fold import (
    AMOUNT,
    HAN_STOP,
    STOPWORDS,
    content_word,
    fold,
    han_characters,
    is_han,
    stem,
    tokens,
)

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")
INDEX_VERSION = 8
"""Bump when the index layout or feature extraction changes (invalidates disk caches)."""

CUE_WEIGHTS = {"strong": 2.0, "cues": 1.0}
_LATIN_GAP = r"(?:\W+\w+){0,3}?\W+"
_HAN_GAP = r"[^。！？!?.\n]{0,6}?"

COMMON_TERM_SHARE = 0.06
"""Terms in more than this share of examples are left out of the postings (they cost the
most time and, with their low IDF, say the least); they still count in vector lengths."""

COMMON_GRAM_SHARE = 0.02
"""Character 3-grams are left out of the postings above this share already (they are many)."""

MIN_COMMON_DF = 20
"""A term is never "common" below this many examples (a small library keeps every term)."""

# Feature weights (before IDF): a whole word says most; its stem and character n-grams
# let inflected or misspelt forms meet it; Chinese bigrams carry most of a word's meaning.
_WORD, _STEM, _GRAM = 1.0, 1.0, 0.5
_HAN_UNI, _HAN_BI = 0.8, 1.0


class Probe:
    """A message as cues are tried on it: its folded words, as a set and joined.

    Most cues are one word, one stem or one Chinese string: those are set lookups and
    substring tests. Only cues of several parts need their regex (compiled on first use),
    and ``candidates`` only offers a cue whose every part can occur.
    """

    def __init__(self, variants: list[str]) -> None:
        self.variants = variants
        words: set[str] = set()
        for variant in variants:
            for word in variant.split():
                words.add(word)
                if "'" in word:  # "l'adresse" holds "adresse", as a regex word boundary would see it
                    words.update(piece for piece in word.split("'") if piece)
        self.words = words
        self.keys = lookup_keys(words)
        """Keys of the cues that may start here (see ``cue_key``)."""
        self.present = self.keys | set(han_characters(" ".join(variants)))
        """Keys any part of a cue may need (``cue_needs``): these, and every Han character."""
        # Answers so far, by pattern: one pattern is often listed for several languages ("usdt").
        self._answers: dict[str, bool] = {}

    def candidates(self, by_key: Mapping[str, list[Any]]) -> list[Any]:
        """Cues (``Cue``, ``UrgencyCue``) whose first part may occur here, and each of whose parts may."""
        present = self.present
        return [cue for key in self.keys for cue in by_key.get(key, ()) if cue.needs <= present]

    def has(self, folded: str, pattern: str) -> bool:
        """Whether the cue (``folded`` text, ``pattern`` its regex) occurs in the message."""
        answer = self._answers.get(pattern)
        if answer is None:
            answer = self._answers[pattern] = self._occurs(folded, pattern)
        return answer

    def _occurs(self, folded: str, pattern: str) -> bool:
        if " " not in folded:
            if is_han(folded):
                return any(folded in variant for variant in self.variants)
            if folded.endswith("*"):
                prefix = folded[:-1]
                return any(word.startswith(prefix) for word in self.words)
            return folded in self.words
        regex = compiled(pattern)
        return any(regex.search(variant) for variant in self.variants)


@dataclass
class Cue:
    """One keyword pattern: where it came from and what it is worth."""

    intent: str
    lang: str
    text: str
    weight: float
    folded: str
    pattern: str
    reliability: float = 1.0
    """Share of the examples this cue matches that belong to its own intent (smoothed)."""
    needs: frozenset[str] = frozenset()
    """What its parts need in ``Probe.present`` (``cue_needs``)."""


URGENCY_KINDS = ("loss", "exposed", "permissions", "acted", "pressing")


@dataclass
class UrgencyCue:
    """A pattern of urgency: ``loss`` (funds lost or moving), ``exposed`` (a secret seen by someone
    else), ``permissions`` (account permissions changed) make a message urgent on their own;
    ``acted`` (paid, sent, signed, approved) only when the message is about a scam
    (``acted_intents``); ``pressing`` (time pressure) only on the customer's own stuck funds
    (``pressing_intents``), elsewhere it is listed as a reason of a message already urgent."""

    kind: str
    lang: str
    text: str
    folded: str
    pattern: str
    needs: frozenset[str] = frozenset()
    """What its parts need in ``Probe.present`` (``cue_needs``)."""


@dataclass
class Example:
    """An example phrase of an intent (its vector lives in the postings)."""

    intent: str
    lang: str
    text: str


@dataclass
class Profile:
    """The centroid of one intent's examples in one language, as a unit TF-IDF vector."""

    intent: str
    lang: str
    size: int


@dataclass(eq=False)
class ExampleColumns:
    """The examples as columns by number, for the loop over every example a message touches.

    ``ranks`` orders the phrases as text (equal phrases share a rank), so nearest examples
    sort by ``(-similarity, rank)`` exactly as by ``(-similarity, phrase)``, comparing ints.
    """

    intents: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    ranks: list[int] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    """Distinct phrases in text order: ``phrases[rank]``."""

    @classmethod
    def of(cls, items: list[Any]) -> ExampleColumns:
        """Columns of ``Example`` (or ``Profile``: no phrases) objects."""
        phrases = sorted({item.text for item in items if isinstance(item, Example)})
        rank = {phrase: number for number, phrase in enumerate(phrases)}
        return cls([item.intent for item in items], [item.lang for item in items],
                   [rank[item.text] for item in items if isinstance(item, Example)], phrases)


_MISSING_LIMIT = 65536
"""Terms no document holds that ``Postings.get`` remembers at most (then it starts afresh)."""


class Postings:
    """An inverted index, term -> (document number, weight), held in flat arrays.

    Flat arrays are read back in a fraction of the time lists of tuples take (a cold
    ``supportkit reply`` reads the index from disk), and a term's postings are one slice.
    """

    def __init__(self) -> None:
        self.lists: dict[str, list[tuple[int, float]]] | None = {}
        self.terms: dict[str, int] = {}
        self.bounds = array("I", [0])
        self.numbers = array("I")
        self.weights = array("f")
        self._pairs: dict[str, tuple[tuple[int, float], ...]] = {}

    def add(self, term: str, number: int, weight: float) -> None:
        assert self.lists is not None, "postings are frozen"
        self.lists.setdefault(term, []).append((number, weight))

    def freeze(self, like: Postings | None = None) -> None:
        """Pack the postings into the flat arrays (after the last ``add``).

        With ``like`` (frozen, holding exactly the same terms), terms are numbered as there and
        its term table is shared: one table less to store and to load.
        """
        lists = self.lists or {}
        if like is not None and like.terms.keys() == lists.keys():
            order: Iterable[str] = like.terms
            self.terms = like.terms
        else:
            order = lists
            self.terms = {term: number for number, term in enumerate(lists)}
        for term in order:
            found = lists[term]
            self.numbers.extend(number for number, _ in found)
            self.weights.extend(weight for _, weight in found)
            self.bounds.append(len(self.numbers))
        self.lists = None
        self._pairs = {}

    def get(self, term: str) -> tuple[tuple[int, float], ...]:
        """``(number, weight)`` of every document holding ``term`` (nothing when none does)."""
        found = self._pairs.get(term)
        if found is None:
            # Unpacked once per term and kept: messages share most of their terms. A term no
            # document holds is remembered as such too (a third of a message's terms), boundedly.
            if len(self._pairs) >= len(self.terms) + _MISSING_LIMIT:
                self._pairs.clear()
            k = self.terms.get(term)
            if k is None:
                found = ()
            else:
                start, end = self.bounds[k], self.bounds[k + 1]
                found = tuple(zip(self.numbers[start:end], self.weights[start:end], strict=True))
            self._pairs[term] = found
        return found

    def dot(self, query: Mapping[str, float]) -> dict[int, float]:
        """Dot product of ``query`` with every document sharing one of its terms (the others are 0)."""
        dots: dict[int, float] = {}
        get = dots.get
        unpacked = self._pairs
        for term, weight in query.items():
            found = unpacked.get(term)
            if found is None:
                found = self.get(term)
            for number, document_weight in found:
                dots[number] = get(number, 0.0) + weight * document_weight
        return dots

    def __len__(self) -> int:
        return len(self.terms)

    def __getstate__(self) -> dict[str, Any]:
        return {"terms": self.terms, "bounds": self.bounds, "numbers": self.numbers, "weights": self.weights}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.lists = None
        self.terms, self.bounds = state["terms"], state["bounds"]
        self.numbers, self.weights = state["numbers"], state["weights"]
        self._pairs = {}


@dataclass(eq=False)
class MatchIndex:
    """Everything classify needs, built from the lexicon and the library's examples."""

    intents: tuple[str, ...]
    cues_by_key: dict[str, list[Cue]] = field(default_factory=dict)
    urgency_by_key: dict[str, list[UrgencyCue]] = field(default_factory=dict)
    risk_intents: frozenset[str] = frozenset()
    """Intents urgent whatever the words (a secret seen by someone else, funds moved without the customer)."""
    acted_intents: frozenset[str] = frozenset()
    """Intents urgent when the customer acted on the scam (an ``acted`` cue)."""
    pressing_intents: frozenset[str] = frozenset()
    """Intents urgent under time pressure (a ``pressing`` cue): the customer's own funds stuck."""
    romanized_ru: dict[str, str] = field(default_factory=dict)
    """Russian typed in Latin letters: the skeleton of a Latin spelling (``detection.romanized``)
    -> the Russian word of the examples it spells (``_romanized_russian``)."""
    courtesy_words: frozenset[str] = frozenset()
    """Words (and Han characters) of greetings and thanks: a message made of these alone asks
    nothing else (``_courtesy_words``)."""
    examples: list[Example] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    postings: Postings = field(default_factory=lambda: Postings())
    """term -> (example number, weight in its unit vector), common terms left out."""
    profile_postings: Postings = field(default_factory=lambda: Postings())
    """term -> (profile number, weight in its unit vector), common terms left out."""
    idf: dict[str, float] = field(default_factory=dict)
    default_idf: float = 1.0
    vocabulary: dict[str, str] = field(default_factory=dict)
    """Deletion-neighbourhood of known words (``wrd`` -> ``word``): fixes one-letter typos."""
    example_columns: ExampleColumns = field(default_factory=ExampleColumns)
    profile_columns: ExampleColumns = field(default_factory=ExampleColumns)

    def to_data(self) -> dict[str, Any]:
        """The index as plain data, no sets (``supportkit.cache`` stores nothing else; marshal reads it fast)."""

        def postings(p: Postings) -> tuple[Any, ...]:
            return (p.terms, p.bounds.tobytes(), p.numbers.tobytes(), p.weights.tobytes())

        def columns(c: ExampleColumns) -> tuple[Any, ...]:
            return (c.intents, c.langs, c.ranks, c.phrases)

        return {
            "intents": self.intents,
            "cues": {k: [(c.intent, c.lang, c.text, c.weight, c.folded, c.pattern, c.reliability, tuple(c.needs))
                         for c in cues] for k, cues in self.cues_by_key.items()},
            "urgency": {k: [(c.kind, c.lang, c.text, c.folded, c.pattern, tuple(c.needs)) for c in cues]
                        for k, cues in self.urgency_by_key.items()},
            "risk_intents": tuple(sorted(self.risk_intents)),
            "acted_intents": tuple(sorted(self.acted_intents)),
            "pressing_intents": tuple(sorted(self.pressing_intents)),
            "courtesy_words": tuple(sorted(self.courtesy_words)),
            "romanized_ru": self.romanized_ru,
            "examples": [(e.intent, e.lang, e.text) for e in self.examples],
            "profiles": [(p.intent, p.lang, p.size) for p in self.profiles],
            "postings": postings(self.postings),
            "profile_postings": postings(self.profile_postings),
            "idf": self.idf,
            "default_idf": self.default_idf,
            "vocabulary": self.vocabulary,
            "example_columns": columns(self.example_columns),
            "profile_columns": columns(self.profile_columns),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> MatchIndex:
        """The index ``to_data`` gave; malformed data raises (KeyError, TypeError, ValueError)."""

        def postings(terms: dict[str, int], bounds: bytes, numbers: bytes, weights: bytes) -> Postings:
            p = Postings()
            p.lists = None
            p.terms = terms
            p.bounds, p.numbers, p.weights = array("I"), array("I"), array("f")
            p.bounds.frombytes(bounds)
            p.numbers.frombytes(numbers)
            p.weights.frombytes(weights)
            if len(p.bounds) != len(terms) + 1 or len(p.numbers) != len(p.weights):
                raise ValueError("postings do not fit together")
            return p

        return cls(
            intents=tuple(data["intents"]),
            cues_by_key={k: [Cue(*(*fields[:7], frozenset(fields[7]))) for fields in cues]
                         for k, cues in data["cues"].items()},
            urgency_by_key={k: [UrgencyCue(*(*fields[:5], frozenset(fields[5]))) for fields in cues]
                            for k, cues in data["urgency"].items()},
            risk_intents=frozenset(data["risk_intents"]),
            acted_intents=frozenset(data["acted_intents"]),
            pressing_intents=frozenset(data["pressing_intents"]),
            courtesy_words=frozenset(data["courtesy_words"]),
            romanized_ru=dict(data["romanized_ru"]),
            examples=[Example(*fields) for fields in data["examples"]],
            profiles=[Profile(*fields) for fields in data["profiles"]],
            postings=postings(*data["postings"]),
            profile_postings=postings(*data["profile_postings"]),
            idf=dict(data["idf"]),
            default_idf=float(data["default_idf"]),
            vocabulary=dict(data["vocabulary"]),
            example_columns=ExampleColumns(*data["example_columns"]),
            profile_columns=ExampleColumns(*data["profile_columns"]),
        )


# ---------------------------------------------------------------- features


def features(folded: str, known: Mapping[str, float] | None = None) -> dict[str, float]:
    """Sparse term counts: words, stems, character 3-grams, Han unigrams and bigrams.

    With ``known`` (the index's terms), a word the examples contain is matched as that word
    and its stem only; character 3-grams are kept for the other words (typos, rare forms).
    """
    return features_of(tokens(folded), known)


def features_of(words: Iterable[str], known: Mapping[str, float] | None = None) -> dict[str, float]:
    """``features`` of text already split into ``tokens`` (classify has them)."""
    counts: dict[str, float] = defaultdict(float)
    remembered = _remembered_terms(known)
    for token in words:
        terms = remembered.get(token)
        if terms is None:
            if len(remembered) >= _TERMS_LIMIT:
                remembered.clear()  # bounded memory; the terms are the same either way
            terms = remembered[token] = _token_terms(token, known)
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
_TERMS: dict[int, tuple[Mapping[str, float] | None, dict[str, tuple[tuple[str, float], ...]]]] = {}


def _remembered_terms(known: Mapping[str, float] | None) -> dict[str, tuple[tuple[str, float], ...]]:
    """Token -> terms for the index terms ``known``: tokens come back in message after message,
    Chinese runs included. A dict cannot be a key, so ``known`` is looked up by identity and held
    with its terms (its id stays its own); at eight the table starts afresh."""
    hit = _TERMS.get(id(known))
    if hit is None or hit[0] is not known:
        if len(_TERMS) >= 8:
            _TERMS.clear()
        hit = _TERMS[id(known)] = (known, {})
    return hit[1]


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


# ---------------------------------------------------------------- cues


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


def compile_cue(text: str) -> str:
    """Regex for a cue pattern (already folded): ordered parts, small gaps, ``*`` stems."""
    parts = text.split()
    pieces: list[str] = []
    for i, part in enumerate(parts):
        han = is_han(part)
        stem_mark = part.endswith("*")
        word = re.escape(part.rstrip("*"))
        piece = word if han else r"(?<!\w)" + word + (r"\w*" if stem_mark else r"(?!\w)")
        if i:
            prev_han = is_han(parts[i - 1])
            pieces.append(_HAN_GAP if (han or prev_han) else _LATIN_GAP)
        pieces.append(piece)
    return "".join(pieces)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


# ---------------------------------------------------------------- building


COURTESY_INTENTS = ("greeting", "thanks")
"""Intents of courtesy: they answer a message only when it asks nothing else."""

_SHORT_COURTESY = 4
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
                    take(_fold_cue(str(raw)).replace("*", ""))
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
                    folded = _fold_cue(str(raw))
                    if not folded:
                        continue
                    cue = Cue(intent, lang, str(raw), weight, folded, compile_cue(folded), needs=cue_needs(folded))
                    index.cues_by_key.setdefault(cue_key(folded), []).append(cue)
                    vocabulary_words.update(p.rstrip("*") for p in folded.split() if not is_han(p))
    urgency = lexicon.get("urgency") or {}
    for kind in URGENCY_KINDS:
        for lang, cues in (urgency.get(kind) or {}).items():
            for raw in cues or ():
                folded = _fold_cue(str(raw))
                if folded:
                    ucue = UrgencyCue(kind, lang, str(raw), folded, compile_cue(folded), cue_needs(folded))
                    index.urgency_by_key.setdefault(cue_key(folded), []).append(ucue)
                    vocabulary_words.update(p.rstrip("*") for p in folded.split() if not is_han(p))
    index.risk_intents = frozenset(urgency.get("risk_intents") or ())
    index.acted_intents = frozenset(urgency.get("acted_intents") or ())
    index.pressing_intents = frozenset(urgency.get("pressing_intents") or ())

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
            for deleted in _deletes(word):
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


def _fold_cue(raw: str) -> str:
    """A cue folded like messages are, keeping its ``*`` stem marks."""
    parts = []
    for part in raw.split():
        stem_mark = part.endswith("*")
        folded = _fold_part(part.rstrip("*"))
        if folded:
            parts.append(folded + ("*" if stem_mark else ""))
    return " ".join(parts)


def correct_typos(words: list[str], vocabulary: Mapping[str, str]) -> list[str]:
    """Words with a one-letter typo replaced by the known word they were meant to be.

    Only longer words are corrected (a wrong letter from 6 letters, a missing or extra one
    from 7): short words are too often another real word ("times" is not "tiers").
    """
    fixed = []
    for word in words:
        if len(word) < 6 or is_han(word) or vocabulary.get(word) == word:
            fixed.append(word)
            continue
        candidates = [vocabulary.get(word)] + [vocabulary.get(d) for d in sorted(_deletes(word))]
        best = None
        for candidate in candidates:
            if candidate is None or candidate == word:
                continue
            if len(candidate) == len(word) or min(len(candidate), len(word)) >= 7:
                best = candidate
                break
        fixed.append(best or word)
    return fixed

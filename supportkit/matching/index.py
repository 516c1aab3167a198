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
one that matches many examples of other intents counts less (``build._calibrate_cues``).

This module holds the index as data (``MatchIndex`` and its parts); ``build`` makes it from the
lexicon and the examples, with ``cues`` (patterns) and ``features`` (TF-IDF terms). The built
index is plain data (dicts, lists, arrays, regex sources), cached per process and
on disk (``$XDG_CACHE_HOME/supportkit``) keyed by the files it was built from.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportkit.matching.cues import compiled, lookup_keys
from supportkit.matching.fold import han_characters, is_han

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")


INDEX_VERSION = 10
"""Bump when the index layout or feature extraction changes (invalidates disk caches)."""


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


COURTESY_INTENTS = ("greeting", "thanks")
"""Intents of courtesy: they answer a message only when it asks nothing else."""

URGENCY_KINDS = ("loss", "exposed", "permissions", "acted", "pressing", "unknown", "device", "resolved", "negation")


@dataclass
class UrgencyCue:
    """A pattern of urgency: ``loss`` (funds lost or moving), ``exposed`` (a secret seen by someone
    else), ``permissions`` (account permissions changed) make a message urgent on their own;
    ``acted`` (paid, sent, signed, approved) only when the message is about a scam
    (``acted_intents``); ``pressing`` (time pressure) only on ``pressing_intents``, elsewhere it
    is listed as a reason of a message already urgent; ``unknown`` (an approval the customer does
    not know) on ``unknown_intents``. Three kinds are read, never urgent themselves: ``device``
    (a stolen phone: a bare theft word then says nothing of the funds), ``resolved`` (the problem
    went away: a thank-you decides the message) and ``negation`` (which undoes ``resolved``)."""

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
    """Intents urgent under time pressure (a ``pressing`` cue): none in the bundled lexicon."""
    unknown_intents: frozenset[str] = frozenset()
    """Intents urgent when the customer does not know what they see (an ``unknown`` cue)."""
    theft_words: frozenset[str] = frozenset()
    """``loss`` cues that name a theft and not what was stolen: not funds when a ``device`` cue is found."""
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
            "unknown_intents": tuple(sorted(self.unknown_intents)),
            "theft_words": tuple(sorted(self.theft_words)),
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
            unknown_intents=frozenset(data["unknown_intents"]),
            theft_words=frozenset(data["theft_words"]),
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

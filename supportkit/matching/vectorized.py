"""The example-phrase similarity of ``classify`` with NumPy, for runs over many messages.

``classify`` compares a message with every example phrase and every intent profile that
shares a term with it: a sparse dot product over the inverted index (``Postings``), then the
nearest three examples of each intent. In pure Python that is a third of the work of one
message in ``supportkit batch``. Here the same sums are taken in C with ``numpy.bincount``,
which adds the products in exactly the order the Python loop does (query terms in order,
then each term's postings in order), so every score is the same float, bit for bit.

NumPy takes a tenth of a second to import: ``reply`` and the other one-message commands
keep the pure-Python path, and ``batch`` workers switch this one on
(``supportkit.matching.use_numpy``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from supportkit.matching.index import ExampleColumns, MatchIndex, Postings


class _Arrays:
    """One ``Postings`` as NumPy arrays, its documents renumbered in ``order``, with their intents
    (as codes)."""

    def __init__(self, postings: Postings, columns: ExampleColumns, codes: Mapping[str, int],
                 order: Sequence[int]) -> None:
        self._columns, self._order = columns, np.array(order, dtype=np.intp)
        position = np.empty(len(order), dtype=np.intp)
        position[self._order] = np.arange(len(order))
        self.terms = postings.terms
        self.bounds = np.frombuffer(postings.bounds, dtype=np.uint32).astype(np.intp)
        self.numbers = position[np.frombuffer(postings.numbers, dtype=np.uint32).astype(np.intp)]
        self.weights = np.frombuffer(postings.weights, dtype=np.float32).astype(np.float64)
        self.size = len(order)
        self.intents = np.array([codes[columns.intents[n]] for n in order], dtype=np.intp)
        self._scales: dict[str, Any] = {}

    def scale(self, lang: str) -> Any:
        """``language_scale`` of these documents, in their numbering here."""
        from supportkit.matching.scoring import language_scale

        found = self._scales.get(lang)
        if found is None:
            if len(self._scales) >= 64:
                self._scales.clear()
            found = self._scales[lang] = np.array(language_scale(self._columns, lang))[self._order]
        return found

    def scales(self, langs: Sequence[str]) -> tuple[Any, Any]:
        """``scale`` of each of ``langs`` as a table of rows, and each one's row in it."""
        distinct = list(dict.fromkeys(langs))
        rows = {lang: row for row, lang in enumerate(distinct)}
        return np.stack([self.scale(lang) for lang in distinct]), np.array([rows[lang] for lang in langs], dtype=np.intp)

    def query(self, queries: Sequence[Mapping[str, float]]) -> tuple[Any, Any, Any] | None:
        """The terms of ``queries`` held here: their numbers, their weights and how many each
        query has, query after query, each in its own order (None when there are none)."""
        get = self.terms.get
        numbers = np.array([get(term, -1) for query in queries for term in query], dtype=np.intp)
        held = numbers >= 0
        if not held.any():
            return None
        weights = np.array([weight for query in queries for weight in query.values()])[held]
        owner = np.repeat(np.arange(len(queries)), [len(query) for query in queries])[held]
        return numbers[held], weights, np.bincount(owner, minlength=len(queries))

    def dots(self, found: Any, query_weights: Any, lengths: Any) -> Any:
        """Every query's dot product with every document: one row per query, flat (0.0 where no
        term is shared).

        ``found`` are the numbers of the queries' terms, ``query_weights`` their weights, query
        after query, each in its own order; ``lengths`` how many terms each query has there.
        """
        starts = self.bounds[found]
        counts = self.bounds[found + 1] - starts
        ends = np.cumsum(counts)
        # Every posting of every term, term after term: the start of its term plus its offset in it.
        positions = np.arange(int(ends[-1])) + np.repeat(starts - (ends - counts), counts)
        products = self.weights[positions] * np.repeat(query_weights, counts)
        cells = np.repeat(np.repeat(np.arange(len(lengths)) * self.size, lengths), counts) + self.numbers[positions]
        # bincount adds in input order: each document's sum is taken in the Python loop's order.
        return np.bincount(cells, products, minlength=len(lengths) * self.size)


class ExampleScorer:
    """``_score_examples`` of one index, vectorized (see the module's docstring)."""

    def __init__(self, index: MatchIndex) -> None:
        examples, profiles = index.example_columns, index.profile_columns
        self.intent_names = list(dict.fromkeys([*examples.intents, *profiles.intents]))
        codes = {name: code for code, name in enumerate(self.intent_names)}
        # Examples by intent, then phrase: the similarities of one message to one intent's
        # examples lie side by side, and equal ones in phrase order.
        by_intent = sorted(range(len(examples.intents)), key=lambda n: (codes[examples.intents[n]], examples.ranks[n]))
        self.examples = _Arrays(index.postings, examples, codes, by_intent)
        self.ranks = np.array([examples.ranks[n] for n in by_intent], dtype=np.intp)
        self.phrases = examples.phrases
        # Profiles by intent, and where each intent starts (for reduceat).
        by_intent = sorted(range(len(profiles.intents)), key=lambda n: codes[profiles.intents[n]])
        self.profiles = _Arrays(index.profile_postings, profiles, codes, by_intent)
        first = np.r_[True, self.profiles.intents[1:] != self.profiles.intents[:-1]] if by_intent else []
        self.profile_starts = np.flatnonzero(first)
        self.profile_codes = self.profiles.intents[self.profile_starts].tolist()

    def score_many(self, queries: Sequence[Mapping[str, float]], langs: Sequence[str],
                   raws: Sequence[dict[str, float]], evidences: Sequence[dict[str, list[str]]]) -> None:
        """``_score_examples`` of several messages: the evidence of ``queries[m]`` (in language
        ``langs[m]``) is added to ``raws[m]`` and ``evidences[m]``, to the same floats."""
        query = self.examples.query(queries)
        if query is not None:
            self._nearest_examples(*query, langs, raws, evidences)
        if self.profiles.terms is not self.examples.terms:  # the index shares one term table, as a rule
            query = self.profiles.query(queries)
        if query is not None:
            self._best_profiles(*query, langs, raws)

    def _nearest_examples(self, numbers: Any, weights: Any, lengths: Any, langs: Sequence[str],
                          raws: Sequence[dict[str, float]], evidences: Sequence[dict[str, list[str]]]) -> None:
        """For each (message, intent) with an example at ``KNN_NEEDS`` or more: its nearest
        ``len(KNN_DECAY)`` examples, decayed and summed as the Python loop sums them."""
        from supportkit.matching.scoring import (
            EVIDENCE_SIMILARITY,
            KNN_DECAY,
            KNN_NEEDS,
            SIMILARITY_FLOOR,
            SIMILARITY_WEIGHT,
        )

        examples, names = self.examples, self.intent_names
        dots = examples.dots(numbers, weights, lengths)
        cells = np.flatnonzero(dots > 0.0)  # in order: by message, intent, phrase
        rows, columns = np.divmod(cells, examples.size)
        table, lang_rows = examples.scales(langs)
        values = dots[cells] * table[lang_rows[rows], columns]
        pairs = rows * len(names) + examples.intents[columns]
        strong = np.zeros(len(langs) * len(names), dtype=bool)
        strong[pairs[values >= KNN_NEEDS]] = True
        keep = strong[pairs]
        if not keep.any():
            return
        pairs, values, columns = pairs[keep], values[keep], columns[keep]
        new_pair = np.r_[True, pairs[1:] != pairs[:-1]]
        starts = np.flatnonzero(new_pair)
        pair_of = np.cumsum(new_pair) - 1
        positions = np.arange(len(values))
        # The nearest of each pair is its largest similarity, the first in phrase order where
        # several are equal (as the Python sort by (-similarity, phrase)); then the next one
        # among the others. -1.0 marks one taken, or none left.
        left = values.copy()
        top = np.zeros(len(starts))
        for rank, weight in enumerate(KNN_DECAY):
            best = np.maximum.reduceat(left, starts)
            at = np.minimum.reduceat(np.where(left == best[pair_of], positions, len(values)), starts)
            if rank == 0:
                top, nearest, first_at = weight * best, best, at
            else:
                found = best >= 0.0
                top[found] = top[found] + weight * best[found]
            left[at[at < len(values)]] = -1.0
        added = SIMILARITY_WEIGHT * np.maximum(top - SIMILARITY_FLOOR, 0.0)
        shown = nearest >= EVIDENCE_SIMILARITY
        chosen = np.flatnonzero((added > 0.0) | shown)
        for pair, value, phrase, show in zip(pairs[starts[chosen]].tolist(), added[chosen].tolist(),
                                             self.ranks[columns[first_at[chosen]]].tolist(), shown[chosen].tolist(),
                                             strict=True):
            m, code = divmod(pair, len(names))
            intent = names[code]
            if intent not in raws[m]:
                continue
            if value > 0.0:  # adding 0.0 changes no score
                raws[m][intent] += value
            if show:
                evidences[m][intent].append(f"≈ {self.phrases[phrase]}")

    def _best_profiles(self, numbers: Any, weights: Any, lengths: Any, langs: Sequence[str],
                       raws: Sequence[dict[str, float]]) -> None:
        """The similarity of each message to the best profile of each intent, weighted as in Python."""
        from supportkit.matching.scoring import PROFILE_WEIGHT, SIMILARITY_FLOOR

        profiles, names, codes = self.profiles, self.intent_names, self.profile_codes
        if not codes:
            return
        table, lang_rows = profiles.scales(langs)
        similarity = profiles.dots(numbers, weights, lengths).reshape(len(langs), profiles.size) * table[lang_rows]
        best = np.maximum.reduceat(similarity, self.profile_starts, axis=1)
        added = PROFILE_WEIGHT * np.maximum(best - SIMILARITY_FLOOR, 0.0)
        rows, columns = np.nonzero(added > 0.0)
        for m, column, value in zip(rows.tolist(), columns.tolist(), added[rows, columns].tolist(), strict=True):
            intent = names[codes[column]]
            if intent in raws[m]:
                raws[m][intent] += value


@functools.lru_cache(maxsize=8)
def scorer_for(index: MatchIndex) -> ExampleScorer:
    """The scorer of ``index`` (built once per index; an index is its own key, by identity)."""
    return ExampleScorer(index)

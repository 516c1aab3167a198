"""Message -> ranked customer intents and urgency, in zh en es ru fr, with the reasons why.

``classify(text, lang, library)`` scores every customer intent from explainable evidence
(see ``index.py``):

- keyword cues from ``lexicon.yaml``, each weighted by how specific it is to its intent
  in the templates' examples;
- the nearest example phrases of each reply template (``examples:``), and the intent's
  profile (all its examples in one language together), by TF-IDF cosine;
- funds lost or stolen (the urgency ``loss`` cues) count for ``scam_report``, the reply
  for lost and stolen funds.

It answers ``other`` when no intent scores above a calibrated threshold, and flags urgency
(funds lost or stolen, or time pressure on a funds problem). No machine translation: every
language's cues and examples are tried on every message, the message's own language first.
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from supportkit.languages import language_of
from supportkit.matching.cues import correct_typos
from supportkit.matching.features import features_of, term_memo, vectorize
from supportkit.matching.fold import STOPWORDS, fold, is_han, tokens
from supportkit.matching.index import COURTESY_INTENTS, URGENCY_KINDS, MatchIndex, Probe
from supportkit.matching.scoring import (
    EVIDENCE_SIMILARITY,
    FOREIGN_WEIGHT,
    KNN_DECAY,
    KNN_NEEDS,
    PROFILE_WEIGHT,
    SIMILARITY_FLOOR,
    SIMILARITY_WEIGHT,
    language_scale,
)
from supportkit.matching.store import index_for

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from supportkit.library import Library

__all__ = ["Classification", "IntentScore", "classify", "classify_many", "OTHER_THRESHOLD", "use_numpy"]

OTHER_THRESHOLD = 0.6
"""Raw evidence below which the answer is ``other`` (calibrated with ``scripts/bench_match.py --cv``)."""

LOSS_WEIGHT = 1.5
"""What funds lost or stolen (an urgency ``loss`` cue) count for the security intent it points at."""

LOSS_INTENTS = ("unauthorized_transfer", "scam_report", "investment_scam", "address_poisoning",
                "token_approval", "secret_exposed")
"""The intents funds lost can point at, the default first (``_conclude``)."""

REVIEW_SCORE = 0.5
"""A best intent scoring under this (0..1) fits the message too weakly to send its reply unread."""

REVIEW_MARGIN = 0.08
"""Two best intents closer than this (0..1) are a close call the agent should settle."""

_SCALE = 2.0
_MAX_MESSAGE = 2000  # chars; intent shows in the first lines, and this bounds the work per message
COURTESY_WEIGHT = 1.0
DEVICE_INTENT = "wallet_recovery"
DEVICE_WEIGHT = 1.5
"""A stolen phone (a ``device`` cue) is the wallet-recovery question, whatever theft words say."""
"""What a message made only of greeting or thanks words adds to the better of the two (over the best other intent)."""

PROBLEM_EVIDENCE = 0.8
"""Raw evidence of another intent from which a greeting or thanks no longer decides the message."""
# The guard replaces secrets with a bracketed marker ("[recovery phrase removed]"); its words
# must not count as the customer's ("recovery phrase" would point at wallet_recovery).
_MARKER_RE = re.compile(r"\[[^\[\]\n]{1,60}\]|【[^【】\n]{1,30}】")
# "!!", "！！！": emphatic punctuation is time pressure in any language.
_EMPHASIS_RE = re.compile(r"[!！]\s*[!！]")


class IntentScore(NamedTuple):
    """One intent's score (0..1) and the matched cues or example phrases that explain it.

    A named tuple (immutable like a frozen dataclass, built several times faster): classify
    makes one per intent for every message.
    """

    id: str
    score: float
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "score": round(self.score, 4), "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Classification:
    """Every customer intent ranked for one message, and whether it is urgent."""

    intents: list[IntentScore]
    urgent: bool = False
    urgency_reasons: list[str] = field(default_factory=list)

    @property
    def top(self) -> str:
        """Id of the best intent, or ``other``."""
        return self.intents[0].id if self.intents else "other"

    @property
    def review_reason(self) -> str | None:
        """Why an agent should read the message before sending the reply, or None.

        The message fits nothing well (``other``, or a best score under ``REVIEW_SCORE``), or
        the two best intents are too close to tell apart (``REVIEW_MARGIN``).
        """
        if not self.intents or self.top == "other":
            return "fits no intent well"
        best = self.intents[0]
        if best.score < REVIEW_SCORE:
            return f"weak fit ({best.id} {best.score:.2f})"
        if len(self.intents) > 1:
            second = self.intents[1]
            if second.id != "other" and best.score - second.score < REVIEW_MARGIN:
                return f"close call ({best.id} {best.score:.2f}, {second.id} {second.score:.2f})"
        return None

    @property
    def needs_review(self) -> bool:
        """Whether an agent should check the intent before sending (see ``review_reason``)."""
        return self.review_reason is not None

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON shape: ``intent``, ``intents`` (ranked), ``urgent``, ``urgency_reasons``,
        ``needs_review`` and ``review_reason``."""
        return {"intent": self.top, "intents": [s.to_dict() for s in self.intents],
                "urgent": self.urgent, "urgency_reasons": list(self.urgency_reasons),
                "needs_review": self.needs_review, "review_reason": self.review_reason}


def _confidence(raw: float) -> float:
    """Raw evidence (sum of cue weights and weighted similarity) mapped to 0..1."""
    return 1.0 - math.exp(-raw / _SCALE) if raw > 0.0 else 0.0


def classify(text: str, lang: str, library: Library | None = None) -> Classification:
    """Rank every customer intent for ``text`` (already normalized and redacted) in language ``lang``.

    ``library`` gives the example phrases (the configured library when None). The result
    lists every customer intent including ``other``, best first; ``other`` is first when
    nothing else reaches ``OTHER_THRESHOLD``.
    """
    return classify_many([(text, lang)], library)[0]


def classify_many(items: Sequence[tuple[str, str]], library: Library | None = None) -> list[Classification]:
    """``classify`` of each ``(text, lang)``, with the same results.

    After ``use_numpy()`` the messages are compared with the example phrases all at once,
    which is where many messages save time (``batch`` gives a chunk of records).
    """
    index = index_for(library)
    readings = [_read(index, text, lang) for text, lang in items]
    started = [reading for reading in readings if isinstance(reading, _Pending)]
    if started and index.examples:
        if _vectorized is not None:
            queries = [_query(index, r.fixed) for r in started]
            _vectorized(index).score_many(queries, [r.lang for r in started], [r.raw for r in started],
                                          [r.evidence for r in started])
        else:
            for r in started:
                _score_examples(index, r.fixed, r.lang, r.raw, r.evidence)
    return [_conclude(index, r) if isinstance(r, _Pending) else r for r in readings]


class _Pending(NamedTuple):
    """A message between its cues and its example phrases (``classify_many``)."""

    lang: str
    text: str
    fixed: list[str]
    probe: Probe
    raw: dict[str, float]
    evidence: dict[str, list[str]]


def _read(index: MatchIndex, text: str, lang: str) -> _Pending | Classification:
    """The message's words and cue scores (or its classification, when it has no words)."""
    lang = language_of(lang or "")
    text = _MARKER_RE.sub(" ", text[:_MAX_MESSAGE])
    words = tokens(fold(text))
    if lang == "ru" and index.romanized_ru:
        words = _cyrillic(index, words)
    if not words:
        return Classification([IntentScore(i, 0.0) for i in _ordered(index.intents)])
    fixed = correct_typos(words, index.vocabulary, _typo_memo(index))
    # Cues are tried on the words as written and, when some looked like typos, as corrected.
    variants = [" ".join(words)]
    if fixed != words:
        variants.append(" ".join(fixed))

    probe = Probe(variants)
    raw: dict[str, float] = dict.fromkeys(index.intents, 0.0)
    evidence: dict[str, list[str]] = {i: [] for i in index.intents}
    _score_cues(index, probe, lang, raw, evidence)
    return _Pending(lang, text, fixed, probe, raw, evidence)


def _cyrillic(index: MatchIndex, words: list[str]) -> list[str]:
    """Russian words typed in Latin letters ("zabyl parol") as the examples write them ("забыл пароль")."""
    from supportkit.detection.romanized import skeleton

    spelled = index.romanized_ru
    return [spelled.get(skeleton(w), w) if w.isascii() and w.isalpha() else w for w in words]


def _conclude(index: MatchIndex, reading: _Pending) -> Classification:
    """The ranking, once the example phrases have added their evidence to the reading."""
    text, fixed, probe, raw, evidence = reading.text, reading.fixed, reading.probe, reading.raw, reading.evidence
    found = _urgency_cues(index, probe)
    if found["device"] and found["loss"] and _thefts(index, probe) <= len(found["device"]):
        # "they stole my phone": a bare theft word speaks of the phone. A cue naming the funds
        # ("drained") still counts, and so does a second theft ("...then they stole my USDT").
        found["loss"] = [cue for cue in found["loss"] if cue not in index.theft_words]
        if DEVICE_INTENT in raw:  # the theft words also pointed at scam_report: the phone is the subject
            raw[DEVICE_INTENT] += DEVICE_WEIGHT
            evidence[DEVICE_INTENT].insert(0, f"phone stolen: {found['device'][0]}")
    losses = found["loss"]
    family = [i for i in LOSS_INTENTS if i in raw]
    if losses and family:
        # Funds lost count for the security intent the rest of the message points at (stolen,
        # a scam paid, a poisoned address...), funds moved without the customer when none.
        intent = max(family, key=lambda i: (raw[i], -family.index(i)))
        raw[intent] += LOSS_WEIGHT
        evidence[intent].insert(0, f"funds lost: {losses[0]}")
    _weigh_courtesy(index, raw, fixed, found)
    if "other" in raw:
        raw["other"] = max(raw["other"], OTHER_THRESHOLD)

    ranked = sorted(index.intents, key=lambda i: (-raw[i], i != "other", i))
    # Most intents have no evidence in a message: their (equal, immutable) score is made once.
    unmatched = _unmatched_scores(index)
    intents = [IntentScore(i, _confidence(raw[i]), tuple(evidence[i][:6])) if raw[i] > 0.0 or evidence[i] else unmatched[i]
               for i in ranked]
    return Classification(intents, *_urgency(index, ranked[0], found, text))


@functools.lru_cache(maxsize=8)
def _typo_memo(index: MatchIndex) -> dict[str, str]:
    """The corrections ``correct_typos`` made with the vocabulary of ``index`` (an index is its own key)."""
    return {}


@functools.lru_cache(maxsize=8)
def _unmatched_scores(index: MatchIndex) -> dict[str, IntentScore]:
    """The score of each intent of ``index`` in a message that shows nothing of it (an index is its own key)."""
    return {i: IntentScore(i, 0.0) for i in index.intents}


def _only_courtesy(index: MatchIndex, words: list[str]) -> bool:
    """Whether every word (every Han character) of the message is one of greetings and thanks."""
    known = index.courtesy_words
    said = [w for w in words if w not in STOPWORDS]
    return bool(known) and bool(said) and all(all(c in known for c in w) if is_han(w) else w in known for w in said)


def _weigh_courtesy(index: MatchIndex, raw: dict[str, float], words: list[str],
                    found: dict[str, list[str]] | None = None) -> None:
    """A greeting or thanks decides a message that asks nothing else, and only such a message.

    Made only of greeting and thanks words ("hi", "merci beaucoup", "在吗"), it is one, whatever
    examples share a word. "hi, my withdrawal did not arrive" opens most live chats: when another
    intent has evidence of its own (``PROBLEM_EVIDENCE``), the greeting and the thanks go below it.
    A short message with a weak second intent ("thanks, all good now") stays a thank-you, and so
    does a thank-you for a problem that went away ("it arrived, thanks!": a ``resolved`` cue),
    unless something is negated ("thanks, but it still has not arrived") or lost.
    """
    courtesy = [i for i in COURTESY_INTENTS if i in raw]
    if not courtesy:
        return
    if found is not None and _thanks_for_a_solution(raw, found):
        raw["thanks"] += COURTESY_WEIGHT + max((v for i, v in raw.items() if i not in COURTESY_INTENTS), default=0.0)
        return
    if _only_courtesy(index, words):
        best = max(courtesy, key=lambda i: raw[i])
        raw[best] += COURTESY_WEIGHT + max((v for i, v in raw.items() if i not in COURTESY_INTENTS), default=0.0)
        return
    problem = max((score for intent, score in raw.items() if intent not in COURTESY_INTENTS and intent != "other"),
                  default=0.0)
    content = sum(len(w) if is_han(w) else 1 for w in words)
    if problem >= PROBLEM_EVIDENCE or (content > 8 and problem > 0.0):
        for intent in courtesy:
            raw[intent] = min(raw[intent] * 0.4, problem * 0.9)


def _thefts(index: MatchIndex, probe: Probe) -> int:
    """How many theft words (``theft_words``) the message holds, each occurrence counted."""
    pattern = _theft_pattern(index)
    return max((len(pattern.findall(variant)) for variant in probe.variants), default=0) if pattern else 0


@functools.lru_cache(maxsize=8)
def _theft_pattern(index: MatchIndex) -> re.Pattern[str] | None:
    """One regex for the theft words of ``index`` (an index is its own key)."""
    from supportkit.matching.cues import compile_cue, fold_cue

    words = sorted({fold_cue(word) for word in index.theft_words} - {""}, key=len, reverse=True)
    return re.compile("|".join(compile_cue(word) for word in words)) if words else None


def _thanks_for_a_solution(raw: dict[str, float], found: dict[str, list[str]]) -> bool:
    """Thanks, a problem solved (``resolved``), nothing negated, nothing lost or exposed."""
    return (raw.get("thanks", 0.0) > 0.0 and bool(found["resolved"]) and not found["negation"]
            and not (found["loss"] or found["exposed"] or found["permissions"] or found["unknown"]))


def _urgency(index: MatchIndex, top: str, found: dict[str, list[str]], text: str) -> tuple[bool, list[str]]:
    """Whether a message is urgent, and why.

    Urgent: funds lost or moving, a secret seen by someone else, account permissions changed,
    a scam acted on (paid, sent, signed, approved), an approval the customer does not know
    (``unknown_intents``), an intent that is urgent whatever the words (``risk_intents``), or an
    intent of ``pressing_intents`` under time pressure (none in the bundled lexicon: funds frozen
    or late are not lost). "!!!", "help me", "urgent" and "today" never make a message urgent:
    they are listed as a reason of a message that is.
    """
    reasons = [f"funds_at_risk: {cue}" for cue in found["loss"][:3]]
    reasons += [f"secret_exposed: {cue}" for cue in found["exposed"][:2]]
    reasons += [f"permissions_changed: {cue}" for cue in found["permissions"][:2]]
    if found["acted"] and top in index.acted_intents:
        reasons.append(f"scam_acted_on: {found['acted'][0]}")
    if found["unknown"] and top in index.unknown_intents:
        reasons.append(f"unknown_approval: {found['unknown'][0]}")
    if top in index.risk_intents and not reasons:
        reasons.append(f"security_intent: {top}")
    if found["pressing"] and top in index.pressing_intents and not reasons:
        reasons.append(f"time_pressure: {found['pressing'][0]}")  # the customer's own funds, stuck, with a deadline
    elif reasons:
        pressing = found["pressing"][0] if found["pressing"] else ("!!" if _EMPHASIS_RE.search(text) else None)
        if pressing is not None:
            reasons.append(f"time_pressure: {pressing}")
    return bool(reasons), reasons


def _ordered(intents: tuple[str, ...]) -> list[str]:
    return sorted(intents, key=lambda i: (i != "other", i))


def _score_cues(index: MatchIndex, probe: Probe, lang: str,
                raw: dict[str, float], evidence: dict[str, list[str]]) -> None:
    # The same pattern listed for several languages (e.g. "usdt") counts once, at its best weight.
    hits: dict[tuple[str, str], tuple[float, str]] = {}
    for cue in probe.candidates(index.cues_by_key):
        if cue.intent not in raw or not probe.has(cue.folded, cue.pattern):
            continue
        weight = cue.weight * cue.reliability * (1.0 if cue.lang == lang else FOREIGN_WEIGHT)
        key = (cue.intent, cue.pattern)
        if key not in hits or hits[key][0] < weight:
            hits[key] = (weight, cue.text)
    by_intent: dict[str, list[tuple[float, str]]] = {}
    for (intent, _), hit in hits.items():
        by_intent.setdefault(intent, []).append(hit)
    for intent, found in by_intent.items():
        found.sort(key=lambda hit: (-hit[0], hit[1]))
        # Diminishing returns: a second cue adds half, a third a quarter...
        raw[intent] += sum(weight / (2**n) for n, (weight, _) in enumerate(found[:5]))
        evidence[intent].extend(text for _, text in found)


def _query(index: MatchIndex, words: list[str]) -> dict[str, float]:
    """The message's unit TF-IDF vector, to compare with the examples'."""
    return vectorize(features_of(words, index.idf, term_memo(index)), index.idf, index.default_idf)


def _score_examples(index: MatchIndex, words: list[str], lang: str,
                    raw: dict[str, float], evidence: dict[str, list[str]]) -> None:
    query = _query(index, words)
    # Dot products with every example and profile sharing a term, through the inverted indexes.
    dots = index.postings.dot(query)
    profile_dots = index.profile_postings.dot(query)
    # Per intent, (-similarity, rank of the phrase): sorted as they are, the nearest come first.
    columns = index.example_columns
    intents, ranks, scale = columns.intents, columns.ranks, language_scale(columns, lang)
    # An intent whose nearest example stays under KNN_NEEDS adds nothing (its best three sum
    # to less than SIMILARITY_FLOOR) and shows no phrase: only the others are ranked.
    strong = {intents[number] for number, dot in dots.items()
              if dot >= KNN_NEEDS and dot * scale[number] >= KNN_NEEDS}  # scale <= 1: most fail the first test
    nearest: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for number, dot in dots.items():
        intent = intents[number]
        if intent in strong:
            nearest[intent].append((-(dot * scale[number]), ranks[number]))
    for intent, scored in nearest.items():
        if intent not in raw:
            continue
        scored.sort()
        top = sum([decay * -negated for decay, (negated, _) in zip(KNN_DECAY, scored, strict=False)])
        raw[intent] += SIMILARITY_WEIGHT * max(0.0, top - SIMILARITY_FLOOR)
        if -scored[0][0] >= EVIDENCE_SIMILARITY:
            evidence[intent].append(f"≈ {columns.phrases[scored[0][1]]}")
    intents, scale = index.profile_columns.intents, language_scale(index.profile_columns, lang)
    profile_best: dict[str, float] = {}  # an intent no profile brings above 0 adds nothing
    for number, dot in profile_dots.items():
        similarity = dot * scale[number]
        if similarity > profile_best.get(intents[number], 0.0):
            profile_best[intents[number]] = similarity
    for intent, similarity in profile_best.items():
        if intent in raw:
            raw[intent] += PROFILE_WEIGHT * max(0.0, similarity - SIMILARITY_FLOOR)


_vectorized: Callable[[MatchIndex], Any] | None = None


def use_numpy(enabled: bool = True) -> bool:
    """Score example phrases with NumPy from now on in this process (``batch`` workers), or not.

    Same scores to the last bit (``vectorized.py``); worth its import time (0.1 s) only when
    many messages follow. Returns whether NumPy is used: False where it cannot be imported.
    """
    global _vectorized
    _vectorized = None
    if enabled:
        try:
            from supportkit.matching.vectorized import scorer_for
        except ImportError:
            return False
        _vectorized = scorer_for
    return _vectorized is not None





def _urgency_cues(index: MatchIndex, probe: Probe) -> dict[str, list[str]]:
    """The urgency cues found, by kind (``URGENCY_KINDS``), longest first."""
    found: dict[str, set[str]] = {kind: set() for kind in URGENCY_KINDS}
    for cue in probe.candidates(index.urgency_by_key):
        if probe.has(cue.folded, cue.pattern):
            found[cue.kind].add(cue.text)
    return {kind: sorted(cues, key=lambda t: (-len(t), t)) for kind, cues in found.items()}

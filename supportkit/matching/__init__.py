"""Message -> ranked customer intents and urgency, in zh en es ru fr, with the reasons why.

``classify(text, lang, library)`` scores every customer intent from two explainable
sources (see ``index.py``): keyword cues from ``lexicon.yaml`` and the nearest example
phrases of each reply template (``examples:``). It answers ``other`` when no intent scores
above a calibrated threshold, and flags urgency (funds lost or stolen, or time pressure on
a funds problem). No machine translation: every language's cues and examples are tried on
every message, the message's own language first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from supportkit.matching.cache import index_for
from supportkit.matching.fold import HAN_RE, fold, tokens
from supportkit.matching.index import MatchIndex, correct_typos, cue_key, features, vectorize

if TYPE_CHECKING:
    from supportkit.library import Library

__all__ = ["Classification", "IntentScore", "classify", "OTHER_THRESHOLD"]

OTHER_THRESHOLD = 0.9
"""Raw evidence below which the answer is ``other`` (calibrated with scripts/bench_match.py)."""

SIMILARITY_WEIGHT = 4.0
"""How much the nearest example phrases count against cues (a cosine of 0.6 ~ one strong cue)."""

FOREIGN_WEIGHT = 0.8
"""Cues and examples of another language than the message's count this much (code-switching)."""

SIMILARITY_FLOOR = 0.1
"""Cosine below this is noise (shared words like "wallet", "USDT") and counts nothing."""

_SCALE = 2.0
_MAX_MESSAGE = 2000  # chars; intent shows in the first lines, and this bounds the work per message
_GREETING = "greeting_thanks"
# The guard replaces secrets with a bracketed marker ("[recovery phrase removed]"); its words
# must not count as the customer's ("recovery phrase" would point at wallet_recovery).
_MARKER_RE = re.compile(r"\[[^\[\]\n]{1,60}\]|【[^【】\n]{1,30}】")


@dataclass(frozen=True)
class IntentScore:
    """One intent's score (0..1) and the matched cues or example phrases that explain it."""

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

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON shape: ``intent``, ``intents`` (ranked), ``urgent``, ``urgency_reasons``."""
        return {"intent": self.top, "intents": [s.to_dict() for s in self.intents],
                "urgent": self.urgent, "urgency_reasons": list(self.urgency_reasons)}


def _confidence(raw: float) -> float:
    """Raw evidence (sum of cue weights and weighted similarity) mapped to 0..1."""
    return 1.0 - math.exp(-max(raw, 0.0) / _SCALE)


def classify(text: str, lang: str, library: Library | None = None) -> Classification:
    """Rank every customer intent for ``text`` (already normalized and redacted) in language ``lang``.

    ``library`` gives the example phrases (the configured library when None). The result
    lists every customer intent including ``other``, best first; ``other`` is first when
    nothing else reaches ``OTHER_THRESHOLD``.
    """
    index = index_for(library)
    lang = (lang or "").split("-")[0].split("_")[0].lower()
    folded = fold(_MARKER_RE.sub(" ", text[:_MAX_MESSAGE]))
    words = tokens(folded)
    if not words:
        return Classification([IntentScore(i, 0.0) for i in _ordered(index.intents)])
    fixed = correct_typos(words, index.vocabulary)
    # Cues are tried on the words as written and, when some looked like typos, as corrected.
    variants = [" ".join(words)]
    if fixed != words:
        variants.append(" ".join(fixed))
    matchable = variants[-1]

    raw: dict[str, float] = dict.fromkeys(index.intents, 0.0)
    evidence: dict[str, list[str]] = {i: [] for i in index.intents}
    _score_cues(index, variants, words + fixed, lang, raw, evidence)
    _score_examples(index, matchable, lang, raw, evidence)
    # A greeting or thanks only decides a message that says little else.
    content = sum(len(w) if HAN_RE.match(w) else 1 for w in fixed)
    if content > 8 and _GREETING in raw:
        raw[_GREETING] *= 0.4
    if "other" in raw:
        raw["other"] = max(raw["other"], OTHER_THRESHOLD)

    ranked = sorted(index.intents, key=lambda i: (-raw[i], i != "other", i))
    intents = [IntentScore(i, _confidence(raw[i]), tuple(evidence[i][:6])) for i in ranked]
    urgent, reasons = _urgency(index, variants, words + fixed, intents[0].id)
    return Classification(intents, urgent, reasons)


def _ordered(intents: tuple[str, ...]) -> list[str]:
    return sorted(intents, key=lambda i: (i != "other", i))


def _candidates(by_key: dict[str, list[Any]], words: list[str]) -> list[Any]:
    """Cues whose first word (or first Han character) occurs in the message."""
    keys: set[str] = set()
    for word in words:
        if HAN_RE.match(word):
            keys.update(word)
        else:
            keys.add(cue_key(word))
    found: list[Any] = []
    for key in keys:
        found.extend(by_key.get(key, ()))
    return found


def _score_cues(index: MatchIndex, variants: list[str], words: list[str], lang: str,
                raw: dict[str, float], evidence: dict[str, list[str]]) -> None:
    # The same pattern listed for several languages (e.g. "usdt") counts once, at its best weight.
    hits: dict[tuple[str, str], tuple[float, str]] = {}
    for cue in _candidates(index.cues_by_key, words):
        if cue.intent not in raw or not any(cue.regex.search(v) for v in variants):
            continue
        weight = cue.weight * (1.0 if cue.lang == lang else FOREIGN_WEIGHT)
        key = (cue.intent, cue.pattern)
        if key not in hits or hits[key][0] < weight:
            hits[key] = (weight, cue.text)
    by_intent: dict[str, list[float]] = {}
    for (intent, _), (weight, text) in hits.items():
        by_intent.setdefault(intent, []).append(weight)
        evidence[intent].append(text)
    for intent, weights in by_intent.items():
        weights.sort(reverse=True)
        # Diminishing returns: a second cue adds half, a third a quarter...
        raw[intent] += sum(w / (2**n) for n, w in enumerate(weights[:5]))
        evidence[intent].sort(key=len, reverse=True)


def _score_examples(index: MatchIndex, matchable: str, lang: str,
                    raw: dict[str, float], evidence: dict[str, list[str]]) -> None:
    if not index.examples:
        return
    query = vectorize(features(matchable), index.idf, index.default_idf)
    dots: dict[int, float] = {}
    for term, weight in query.items():
        for number, example_weight in index.postings.get(term, ()):
            dots[number] = dots.get(number, 0.0) + weight * example_weight
    best: dict[str, list[tuple[float, str]]] = {}
    for number, dot in dots.items():
        example = index.examples[number]
        similarity = dot * (1.0 if example.lang == lang else FOREIGN_WEIGHT)
        best.setdefault(example.intent, []).append((similarity, example.text))
    for intent, scored in best.items():
        if intent not in raw:
            continue
        scored.sort(reverse=True)
        top = scored[0][0] + 0.25 * (scored[1][0] if len(scored) > 1 else 0.0)
        raw[intent] += SIMILARITY_WEIGHT * max(0.0, top - SIMILARITY_FLOOR)
        if scored[0][0] >= 0.25:
            evidence[intent].append(f"≈ {scored[0][1]}")


def _urgency(index: MatchIndex, variants: list[str], words: list[str], top: str) -> tuple[bool, list[str]]:
    """Urgent when funds are lost/stolen, or when a funds problem comes with time pressure."""
    reasons: list[str] = []
    pressing: list[str] = []
    for cue in _candidates(index.urgency_by_key, words):
        if not any(cue.regex.search(v) for v in variants):
            continue
        if cue.kind == "loss":
            reasons.append(f"funds_at_risk: {cue.text}")
        else:
            pressing.append(cue.text)
    if pressing and top in index.funds_intents:
        reasons.append(f"time_pressure: {pressing[0]}")
    return bool(reasons), sorted(set(reasons))[:4]

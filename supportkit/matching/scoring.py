"""How the nearest examples and profiles count: the weights both scorers share (the Python loop in
``matching`` and the NumPy one in ``vectorized``), so the two give the same score to the last bit."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supportkit.matching.index import ExampleColumns

SIMILARITY_WEIGHT = 4.0
"""How much the nearest example phrases count against cues (a cosine of 0.6 ~ one strong cue)."""

PROFILE_WEIGHT = 4.0
"""How much the similarity to an intent's profile (all its examples in a language) counts."""

FOREIGN_WEIGHT = 0.8
"""Cues and examples of another language than the message's count this much (code-switching)."""

SIMILARITY_FLOOR = 0.1
"""Cosine below this is noise (shared words like "wallet", "USDT") and counts nothing."""

KNN_DECAY = (1.0, 0.5, 0.25)
"""The nearest examples of an intent count with these weights (best first)."""

EVIDENCE_SIMILARITY = 0.25
"""An intent's nearest example is shown as evidence from this similarity on."""

KNN_NEEDS = SIMILARITY_FLOOR / sum(KNN_DECAY) * (1 - 1e-9)
"""Below this similarity an intent's nearest examples cannot reach SIMILARITY_FLOOR (with a
margin for rounding): such intents are skipped, which changes no score."""


@functools.lru_cache(maxsize=64)
def language_scale(columns: ExampleColumns, lang: str) -> list[float]:
    """Per example (or profile) number: 1.0 in the message's language ``lang``, else ``FOREIGN_WEIGHT``
    (remembered per columns, by identity, and language)."""
    return [1.0 if other == lang else FOREIGN_WEIGHT for other in columns.langs]

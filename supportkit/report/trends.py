"""Intents rising week over week beyond their normal variation: how a scam wave first shows.

For each intent, overall and in each language, the tickets of every week are compared with what
the trailing weeks lead to expect:

- expected = the median of the last ``HISTORY`` weeks (at least ``MIN_HISTORY`` of them): one
  earlier spike does not raise it;
- spread = the larger of Poisson noise (the square root of expected) and the trailing weeks' own
  variation (1.4826 x their median absolute deviation, the standard deviation of normal noise),
  plus one so that a week after a run of zeros is not a wave of three tickets;
- score = (count - expected) / spread, a z-score.

A week is a trend when its score is at least ``MIN_SCORE``, its count at least 1.5 times the
expected one and at least ``privacy.MIN_GROUP`` tickets. Trends are listed strongest first
(highest score). Calibrated in tests/test_report_trends.py: an intent doubling in one week of the
smallest language is found first; 20 exports with weekly noise and no wave give none.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from supportkit.report.privacy import MIN_GROUP

HISTORY = 8
MIN_HISTORY = 4
MIN_SCORE = 4.5
MIN_RATIO = 1.5
MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class Trend:
    intent: str
    language: str | None
    week: dt.date
    count: int
    expected: float
    score: float

    @property
    def ratio(self) -> float:
        return self.count / self.expected if self.expected > 0 else float(self.count)

    def to_dict(self) -> dict[str, object]:
        return {"intent": self.intent, "language": self.language, "period": self.week.isoformat(), "count": self.count,
                "expected": round(self.expected, 3), "ratio": round(self.ratio, 3), "score": round(self.score, 3),
                "examples": []}


def rising(series: list[int]) -> Iterable[tuple[int, float, float]]:
    """``(index, expected, score)`` of each week of ``series`` that rises beyond its trailing weeks."""
    for index in range(MIN_HISTORY, len(series)):
        trailing = series[max(0, index - HISTORY):index]
        count = series[index]
        if count < MIN_GROUP:
            continue
        expected = statistics.median(trailing)
        deviation = statistics.median(abs(n - expected) for n in trailing) * MAD_TO_SD
        spread = max(math.sqrt(expected), deviation) + 1.0
        score = (count - expected) / spread
        if score >= MIN_SCORE and count >= MIN_RATIO * expected:
            yield index, float(expected), score


def find_trends(weeks: list[dt.date], cells: Iterable[tuple[str, str, dt.date, int]], limit: int = 20) -> list[Trend]:
    """The trends among weekly ``(intent, language, week, tickets)`` cells, strongest first."""
    index = {week: i for i, week in enumerate(weeks)}
    series: dict[tuple[str, str | None], list[int]] = {}
    for intent, language, week, count in cells:
        for key in ((intent, language), (intent, None)):
            series.setdefault(key, [0] * len(weeks))[index[week]] += count
    found = [Trend(intent, language, weeks[i], counts[i], expected, score)
             for (intent, language), counts in series.items()
             for i, expected, score in rising(counts)]
    found.sort(key=lambda t: (-t.score, t.intent, t.language or "", t.week))
    return found[:limit]

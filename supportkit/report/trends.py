"""Intents rising week over week beyond their normal variation: how a scam wave first shows.

For each intent, overall and in each language, the tickets of every week are compared with what
the trailing weeks lead to expect:

- expected = the median share of the week's tickets this cell had over the last ``HISTORY``
  weeks (at least ``MIN_HISTORY``), times this week's tickets: a busy week for the whole desk
  (a holiday, a release) lifts every cell alike and is not a wave; one earlier spike does not
  move a median;
- score = how surprising the count is: -log10 of the chance of that many tickets or more from a
  Poisson law of the expected count, widened by ``CUSHION`` (plus one ticket) for the error of
  an expectation drawn from a few weeks. A score of 6 is a one-in-a-million week.

A week is a trend when its score is at least ``MIN_SCORE``, its count at least ``MIN_RATIO``
times the expected one and at least ``privacy.MIN_GROUP`` tickets. Trends are listed strongest
first. Calibrated in tests/test_report_trends.py on weekly counts with a busy-week factor
(sd 6%) and Poisson noise: with no wave, the highest score over 200 exports was 3.4; an intent
doubling from about 170 tickets a week (the smallest language's largest intent) scored 12.5 or
more. A doubling from 50 a week scores from about 2 to 9 (found most of the time, not always).
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
MIN_SCORE = 6.0
MIN_RATIO = 1.5
CUSHION = 1.1


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


def rising(series: list[int], totals: list[int] | None = None) -> Iterable[tuple[int, float, float]]:
    """``(index, expected, score)`` of each week of ``series`` that rises beyond its trailing weeks.

    ``totals``: every ticket of each week; the expected count is the trailing weeks' median share
    of them times this week's total, so a busy week for the whole desk is not a wave.
    """
    totals = totals or [1] * len(series)
    for index in range(MIN_HISTORY, len(series)):
        count = series[index]
        if count < MIN_GROUP or not totals[index]:
            continue
        window = range(max(0, index - HISTORY), index)
        shares = [series[i] / totals[i] for i in window if totals[i]]
        if len(shares) < MIN_HISTORY:
            continue
        expected = statistics.median(shares) * totals[index]
        if count < MIN_RATIO * expected:
            continue
        score = poisson_surprise(count, expected * CUSHION + 1.0)
        if score >= MIN_SCORE:
            yield index, float(expected), score


def poisson_surprise(count: int, mean: float) -> float:
    """-log10 of the chance of ``count`` or more from a Poisson law of ``mean`` (exact, in log space)."""
    log_mean = math.log(mean)
    terms = [k * log_mean - mean - math.lgamma(k + 1) for k in range(count, count + 60 + int(6 * math.sqrt(count)))]
    top = max(terms)
    return -(top + math.log(sum(math.exp(t - top) for t in terms))) / math.log(10)


def find_trends(weeks: list[dt.date], cells: Iterable[tuple[str, str, dt.date, int]], limit: int = 20) -> list[Trend]:
    """The trends among weekly ``(intent, language, week, tickets)`` cells, strongest first."""
    index = {week: i for i, week in enumerate(weeks)}
    series: dict[tuple[str, str | None], list[int]] = {}
    totals = [0] * len(weeks)
    for intent, language, week, count in cells:
        totals[index[week]] += count
        for key in ((intent, language), (intent, None)):
            series.setdefault(key, [0] * len(weeks))[index[week]] += count
    found = [Trend(intent, language, weeks[i], counts[i], expected, score)
             for (intent, language), counts in series.items()
             for i, expected, score in rising(counts, totals)]
    found.sort(key=lambda t: (-t.score, t.intent, t.language or "", t.week))
    return found[:limit]

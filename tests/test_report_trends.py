"""Trends: an intent rising beyond its normal weekly variation is reported first; noise alone is not.

Weekly counts are drawn per (intent, language) from Poisson laws around a base volume that
itself varies from week to week (a busy week lifts every intent), as in a real help desk.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from supportkit.config import Config
from supportkit.report import build_report
from supportkit.report.trends import find_trends
from tests.report_data import INTENTS, LANGUAGES, generate, write_labelled

np = pytest.importorskip("numpy")

WEEKS = [dt.date(2026, 9, 7) + dt.timedelta(weeks=i) for i in range(10)]
PER_WEEK = 10_000
"""Tickets a week: the smallest language, fr, has 8% of them; tx_pending in fr about 170 a week."""


def weekly_cells(seed: int, wave: tuple[str, str, int] | None = None) -> list[tuple[str, str, dt.date, int]]:
    rng = np.random.default_rng(seed)
    languages, intents = sum(LANGUAGES.values()), sum(INTENTS.values())
    cells = []
    for index, week in enumerate(WEEKS):
        busy = rng.normal(1.0, 0.06)  # the whole desk's week: holidays, a release
        for language, lw in LANGUAGES.items():
            for intent, iw in INTENTS.items():
                mean = PER_WEEK * busy * lw / languages * iw / intents
                if wave and (intent, language, index) == wave:
                    mean *= 2
                count = int(rng.poisson(mean))
                if count:
                    cells.append((intent, language, week, count))
    return cells


@pytest.mark.parametrize("language", sorted(LANGUAGES, key=LANGUAGES.__getitem__))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_intent_doubling_in_one_week_is_the_first_trend(language: str, seed: int) -> None:
    trends = find_trends(WEEKS, weekly_cells(seed, ("tx_pending", language, 7)))
    assert trends, "no trend found"
    first = trends[0]
    assert (first.intent, first.language, first.week) == ("tx_pending", language, WEEKS[7])
    assert first.ratio > 1.5


@pytest.mark.parametrize("seed", range(100, 120))
def test_no_wave_no_trend(seed: int) -> None:
    assert find_trends(WEEKS, weekly_cells(seed)) == []


def test_the_report_puts_the_wave_first_with_redacted_examples(tmp_path: Path) -> None:
    rows = generate(10_000, seed=3, weeks=8, wave=("swap_usdt", "ru", 6, 60))
    rows[-1]["text"] = "my email is victim@example.com, call +7 912 345 67 89"
    export, _labels = write_labelled(tmp_path, rows)
    data = build_report(export, Config()).data
    first = data["trends"][0]
    assert (first["intent"], first["language"], first["period"]) == ("swap_usdt", "ru", "2026-10-19")
    assert first["count"] >= 5 and first["ratio"] > 1.5 and 1 <= len(first["examples"]) <= 3
    assert all("@" not in text and "912" not in text for trend in data["trends"] for text in trend["examples"])


def test_the_generated_export_without_a_wave_has_no_trend(tmp_path: Path) -> None:
    export, _labels = write_labelled(tmp_path, generate(10_000, seed=4, weeks=8))
    assert build_report(export, Config()).data["trends"] == []

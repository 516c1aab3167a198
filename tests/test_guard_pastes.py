"""The guard against the second attack pass (``tests/guard_pastes.py``): pastes of real tickets.

The same checks as ``test_guard_attacks`` (found, every word inside a finding, no word left),
per shape, so a failure names the shape. Two shapes failed before the fixes that came with
them: ``mixed_case`` (``view._camel_starts_between_words``: a word in random case, "AbAnDoN",
was split at every lower-to-upper step as CamelCase, and none of its pieces is a list word) and
``joiners`` (``view._has_separating``: words joined by zero-width joiners only were read as one
word, the joiners taken out and never read as spaces).
"""

from __future__ import annotations

import pytest

from supportkit.guard import scan, view
from supportkit.guard.view import reader_views, word_view
from tests import guard_pastes as pastes
from tests import test_guard_attacks as checks

CASES = pastes.generate()


def test_the_pastes_are_many_seeded_and_of_every_shape_list_and_length() -> None:
    assert len(CASES) >= 200 and len({c.id for c in CASES}) == len(CASES)
    assert {c.variant.rsplit("_", 1)[0] for c in CASES} == set(pastes.SHAPES)
    assert {c.wordlist for c in CASES} == set(pastes.CASED_LISTS)
    assert {int(c.variant.rsplit("_", 1)[1]) for c in CASES} == set(pastes.LENGTHS)
    assert pastes.generate() == CASES and pastes.generate(seed=13) != CASES
    for case in CASES:  # every piece is its word, as written (case aside)
        shown = [case.messages[i][s:e] for i, s, e in case.pieces]
        assert [_folded(w) for w in shown] == [_folded(w) for w in case.words], case.id


def _folded(word: str) -> str:
    return word.lower().replace("ı", "i")  # Turkish: "I".lower() is "i", not "ı"


@pytest.mark.parametrize("shape", sorted(pastes.SHAPES))
def test_every_paste_is_found_covered_and_gone(shape: str) -> None:
    cases = [c for c in CASES if c.variant.rsplit("_", 1)[0] == shape]
    failed = [f"{c.id} ({c.variant} {c.wordlist}): {why}" for c in cases
              if (why := checks._found(c) or checks._uncovered(c) or checks._left(c))]
    assert not failed, checks._report("pastes", shape, len(cases), failed)


def test_a_list_word_in_random_case_is_not_split_as_camel_case() -> None:
    words = "turtle enough tuition hero control loan portion festival whale square seek only".split()
    shown = ["TUrTLE", "eNOuGh", "tuitIon", "Hero", "coNtROl", "loAn", "PoRtIon", "FESTiVAL", "WHaLe", "sqUarE",
             "SeeK", "only"]
    result = scan("Не понимаю, в чём ошибка.\n" + " ".join(shown) + "\nНадеюсь, вы сможете это исправить.")
    assert result.secret_found and result.findings[0].words == len(words)
    assert not any(word in result.redacted for word in shown)


@pytest.mark.parametrize(("text", "read"), [
    ("AbAnDoN aBiLiTy", "AbAnDoN aBiLiTy"),          # list words: kept whole
    ("AbandonAbilityAble", "Abandon Ability Able"),  # CamelCase words: split
    ("my iPhone and McDonald", "my i Phone and Mc Donald"),
])
def test_camel_case_is_split_between_words_only(text: str, read: str) -> None:
    assert word_view(reader_views(text)[0]).text == read


def test_words_joined_by_zero_width_joiners_are_read_apart() -> None:
    words = "turtle enough tuition hero control loan portion festival whale square seek only".split()
    result = scan("Hola, ayuda por favor: " + "\u200d".join(words) + "\nGracias.")
    assert result.secret_found and result.findings[0].words == 12
    assert result.redacted.startswith("Hola, ayuda por") and not any(word in result.redacted for word in words)
    family = "👨\u200d👩\u200d👧 " * 3  # joiners in emoji sequences are no separators
    assert view._has_separating("abandon\u200cability") and not view._has_separating(family + "abandon")

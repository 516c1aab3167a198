"""Damaged phrases in the alphabetic word lists: typos side by side, mistyped first and last words.

Issue 12's partial class left a few phrases with three typos next to ordinary words found in
part or not at all: three mistyped words side by side break the run of list words in two, a
mistyped three-letter word is no typo to ``near_word``, and a lead-in of list words ("ma
phrase secrète est …") kept the judge from the phrase after it. Each test below failed before
the run was grown over its typos and its best stretch taken (``phrases._grown``,
``phrases._best_stretch``); the negatives hold what keeps ordinary text out.
"""

from __future__ import annotations

import random

import pytest

from supportkit.guard import phrases, scan
from tests import guard_attacks as attacks
from tests import secret_samples as samples


def _typed(words: list[str], wrong: dict[int, str]) -> str:
    return " ".join(wrong.get(i, w) for i, w in enumerate(words))


def _left(redacted: str, words: list[str], wrong: dict[int, str]) -> list[str]:
    """The phrase's words (as typed) still in ``redacted``."""
    typed = {wrong.get(i, w) for i, w in enumerate(words)}
    tokens = set(redacted.replace(",", " ").replace(":", " ").split())
    return sorted(typed & tokens)


# --- the corpus: every non-Chinese case of the partial class -------------------------------------


def _partial_cases() -> list[attacks.AttackCase]:
    cases = attacks._class_cases("partial", attacks.DEFAULT_COUNTS["partial"], 12)
    return [c for c in cases if c.kind == "recovery_phrase" and c.wordlist not in attacks.HAN_LISTS]


def test_every_partial_phrase_of_an_alphabetic_list_is_found_whole() -> None:
    """Found, every piece inside a finding, no word left: 8 cases failed before (typos3 portuguese
    174, 390, 750; spanish 351; english 480; russian 886; typos4_24 spanish 315, russian 550,
    portuguese 702)."""
    from tests import test_guard_attacks as checks

    failed = [f"{c.id} ({c.variant} {c.wordlist}): {why}" for c in _partial_cases()
              if (why := checks._found(c) or checks._uncovered(c) or checks._left(c))]
    assert not failed, failed


# --- the rules, one case each ----------------------------------------------------------------------


def test_three_typos_side_by_side_do_not_break_the_phrase() -> None:
    words = samples.phrase("portuguese", 12, 4)
    wrong = {i: samples.mistype(words[i], "portuguese", random.Random(i)) for i in (6, 7, 8)}
    text = f"lo que anoté: {_typed(words, wrong)}\nLa aplicación se cierra sola."
    result = scan(text)
    assert result.secret_found
    assert _left(result.redacted, words, wrong) == []
    assert result.redacted.startswith("lo que anoté: [") and result.redacted.endswith("]\nLa aplicación se cierra sola.")


def test_three_typos_side_by_side_in_a_24_word_phrase() -> None:
    words = samples.phrase("russian", 24, 5)
    wrong = {i: samples.mistype(words[i], "russian", random.Random(i)) for i in (4, 16, 17, 18)}
    text = f"моя фраза восстановления: {_typed(words, wrong)} Сменил телефон и не могу войти."
    result = scan(text)
    assert result.secret_found and [f.kind for f in result.findings] == ["recovery_phrase"]
    assert _left(result.redacted, words, wrong) == []
    # "Сменил" is a unique prefix off a list word and "телефон" a list word: they may go with it.
    assert result.redacted.endswith("] и не могу войти.")


def test_a_mistyped_short_word_at_either_end_goes_with_the_phrase() -> None:
    # "vaa" for "vaca" and "hrn" for "horn": three letters, no typo to near_word, one letter off all the same.
    spanish = "vaca cara puré asiento cueva inicio rueda relieve etnia canguro pista situar".split()
    wrong = {0: "vaa", 2: "pur", 8: "ettnia"}
    result = scan(f"This is very urgent for me. my 12 words: {_typed(spanish, wrong)}")
    assert result.secret_found and _left(result.redacted, spanish, wrong) == []
    english = "size unveil useless junk mistake demise auction left wall blue horn edge".split()
    wrong = {7: "lef", 10: "hrn", 11: "edgge"}
    result = scan(f"My wallet is empty now. my recovery phrase is {_typed(english, wrong)}")
    assert result.secret_found and _left(result.redacted, english, wrong) == []


def test_list_words_in_the_lead_in_do_not_hide_the_phrase() -> None:
    # "zéro" and "phrase" are English list words: the run began in the French sentence before it.
    words = "regret blossom beauty orphan afraid museum post two distance deputy priority express".split()
    wrong = {3: "orpphan", 5: "mureum", 9: "deputyy"}
    text = f"Le solde affiche zéro. \nma phrase secrète est {_typed(words, wrong)} \nRépondez vite s'il vous plaît."
    result = scan(text)
    assert result.secret_found and _left(result.redacted, words, wrong) == []
    assert result.redacted.startswith("Le solde affiche zéro.")


def test_three_typos_at_the_end_go_with_the_phrase() -> None:
    words = "bimestre anzol sedento trabalho feno arrumar tingido devotado tingido clicar ambiente publicar".split()
    wrong = {9: "clncar", 10: "ambiennte", 11: "publmcar"}
    result = scan(f"mes 12 mots :\n{_typed(words, wrong)}\n\nUn ami m'a dit que vous pouvez le restaurer.")
    assert result.secret_found and _left(result.redacted, words, wrong) == []
    assert result.redacted.endswith("]\n\nUn ami m'a dit que vous pouvez le restaurer.")


# --- what keeps ordinary text out ------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    # List words that come again, and words one letter off list words ("read", "your") between them:
    # its best stretch passes when every list word counts, not when each counts once.
    "Step one: panic. Step two: read your FAQ. Step three: still panic. Step four: ask for help. My balance shows zero.",
    "Level one: easy. Level two: read your notes. Level three: hard. Level four: expert only. Thanks.",
    "Day one: panic. Day two: read your FAQ. Day three: still panic. Day four: write to you.",
])
def test_ordinary_text_that_repeats_its_list_words_is_no_phrase(text: str) -> None:
    assert not scan(text).findings


def test_a_phrase_is_not_grown_into_the_next_line() -> None:
    first, second = samples.phrase("english", 12, 1), samples.phrase("spanish", 12, 2)
    text = f"old wallet: {' '.join(first)}\nnew wallet: {' '.join(second)}"
    result = scan(text)
    assert [f.wordlist for f in result.findings] == ["english", "spanish"]
    # "new" is one letter off "news", but a whole phrase (its checksum holds) is not grown.
    assert result.redacted == "[recovery phrase removed]\nnew wallet: [recovery phrase removed]"


def test_one_typo_is_stricter_than_near_word() -> None:
    # near_word takes a token that starts with a unique prefix; runs are grown over real typos only.
    assert phrases.near_word("palabras", "english") and not phrases.one_typo("palabras", "english")
    assert phrases.one_typo("lef", "english") and not phrases.near_word("lef", "english")
    assert phrases.one_typo("habittar", "portuguese") and phrases.one_typo("secr", "portuguese")
    assert not phrases.one_typo("hello", "chinese_simplified")


def test_stretch_searches_are_bounded_per_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # Dense runs of list words and typos cost a stretch search each: past the budget, runs are judged as found.
    words = "regret blossom beauty orphan afraid museum post two distance deputy priority express".split()
    wrong = {3: "orpphan", 5: "mureum", 9: "deputyy"}
    text = f"Le solde affiche zéro. \nma phrase secrète est {_typed(words, wrong)}"
    assert scan(text).secret_found
    monkeypatch.setattr(phrases, "STRETCH_BUDGET", 0)
    assert not scan(text).secret_found

"""Fold text to the form matching compares: case, accents, scripts and protected spans.

Matching compares a customer's message with example phrases and cue words, so both are
folded the same way: lower case, no accents (customers often type "contrasena",
"recuperation"), ё -> е, Traditional -> Simplified Chinese (OpenCC's character table),
addresses/hashes/numbers removed (they say nothing about intent) and amounts reduced to the
word ``amount``. ``stem`` and ``STOPWORDS`` serve example similarity.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from supportkit.text import HAN, find_protected_spans, has_wide, is_han, replace_spans, strip_non_linguistic
from supportkit.text.chinese import t2s_table

T2S: dict[int, str] = {**t2s_table(), ord("帳"): "账", ord("帐"): "账"}
"""Traditional -> Simplified Chinese, character by character: OpenCC's ``t2s`` (``supportkit.text.chinese``).

One exception: 帳 (and 帐, its Simplified form) fold to 账. Character by character, ``t2s`` gives 帐
(tent, curtain); in money matters both scripts mean 账 (轉帳 is 转账, 到帳 is 到账, 帳戶 is 账户), and
customers write 转帐 too."""

__all__ = ["T2S", "han_characters", "is_han"]


@functools.cache
def _han_re() -> re.Pattern[str]:
    return re.compile(f"[{HAN}]")


def han_characters(text: str) -> list[str]:
    """Every Han character of ``text``, in order."""
    return _han_re().findall(text) if has_wide(text) else []


@functools.cache
def _token_re(han: bool) -> re.Pattern[str]:
    """A token: a run of Han characters, or a run of letters (Latin, Cyrillic...).

    The Han ranges cost milliseconds to compile; text without wide characters
    (``supportkit.text.has_wide``) is tokenized the same without them.
    """
    if not han:
        return re.compile("[^\\W\\d_]+(?:['’][^\\W\\d_]+)?")
    return re.compile(f"[{HAN}]+|[^\\W\\d_{HAN}]+(?:['’][^\\W\\d_]+)?")


def strip_accents(text: str) -> str:
    """``text`` without combining accents (é -> e, ñ -> n); Cyrillic й keeps its breve."""
    if text.isascii():  # nothing to decompose, no accent to drop
        return text
    decomposed = unicodedata.normalize("NFD", text)
    # й and ё decompose too; only й must survive (ё -> е is wanted anyway).
    kept = decomposed.replace("\u0438\u0306", "\u0439").replace("\u0418\u0306", "\u0419")
    return kept.translate(_ACCENTS)


class _CombiningMarks(dict[int, int | None]):
    """``str.translate`` table that drops combining marks, filled in as characters are met."""

    def __missing__(self, code: int) -> int | None:
        if len(self) >= 65536:  # bounded, whatever the input
            self.clear()
        value = self[code] = None if unicodedata.combining(chr(code)) else code
        return value


_ACCENTS = _CombiningMarks()


# A zero balance or price says something ("shows 0"); other numbers do not.
_ZERO_RE = re.compile(r"(?<![0-9A-Za-z\u00c0-\u024f\u0400-\u04ff.,])[$€¥£₽]?0(?:[.,]0+)?\s?[$€¥£₽]?(?![0-9A-Za-z\u00c0-\u024f\u0400-\u04ff]|[.,]\d)")


AMOUNT = "amount"
"""What a pasted amount ("2,000 USDT", "$50") folds to: its digits say nothing, but that an
amount stands there does ("amount gone" is money gone)."""


def fold(text: str) -> str:
    """Text as matching compares it: no protected spans or numbers, lower case, no accents, Simplified."""
    text = _ZERO_RE.sub(" zero ", text)
    spans = find_protected_spans(text)
    text = strip_non_linguistic(replace_spans(text, spans, lambda _index, span: f" {AMOUNT} " if span.kind == "amount" else " "))
    text = text.casefold()
    if not text.isascii():  # only Han characters are mapped to Simplified, and accents dropped
        # Every Traditional character is wide (Han, above U+3000): no other text has one to map.
        text = strip_accents(text.translate(T2S) if has_wide(text) else text)
    return text


def tokens(folded: str) -> list[str]:
    """Word tokens of folded text; a Han run stays one token (n-grams split it later)."""
    return [t.replace("’", "'") for t in _token_re(has_wide(folded)).findall(folded)]


# Light stemming for inflected languages: one suffix off, then the ending of the stem kept
# short, so "congelados", "congelaron", "congelar" or "заморожены", "заморозили" meet.
# Deliberately crude and shared by es/fr/en (Latin) and ru (Cyrillic): customers mix
# languages, and a stem only has to make forms of one word meet, not be a real root.
_LATIN_SUFFIXES = sorted("""
    amientos imientos aciones uciones amiento imiento amente ements ement ations ation acion
    aron ieron ando iendo aste iste ados adas idos idas ado ada ido ida ees ee es er ez ir
    ar ent ing ed s e a o
    """.split(), key=len, reverse=True)
_CYRILLIC_SUFFIXES = sorted("""
    иями ями ами ого его ому ему ыми ими ая яя ое ее ые ие ый ий ой ую юю ешь ете ишь ите ет
    ит ют ут ат ят ала ила ыла али или ыли ало ило ал ил ыл ла ли ло ть ти ов ев ей ам ям ах
    ях ом ем а я о е ы и у ю ь й
    """.split(), key=len, reverse=True)
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
STEM_LENGTH = 6
"""Stems are cut to this many letters: long derivations of one word share them."""


def stem(word: str) -> str:
    """A crude stem of a folded Latin or Cyrillic word (``contrasenas`` -> ``contra``)."""
    if len(word) <= 3:
        return word
    cyrillic = bool(_CYRILLIC_RE.match(word))
    if cyrillic and word.endswith(("ся", "сь")) and len(word) > 5:
        word = word[:-2]
    for suffix in _CYRILLIC_SUFFIXES if cyrillic else _LATIN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:STEM_LENGTH]


_ELISION_RE = re.compile(r"^(?:[ldnjmstc]|qu)'(?=\w{2})")


def content_word(token: str) -> str:
    """A token without a French elided article or pronoun (``l'adresse`` -> ``adresse``)."""
    return _ELISION_RE.sub("", token)


# Function words say nothing about intent and make unrelated phrases look alike ("still",
# "about", "my"); they are left out of example similarity (cues still see them). Folded.
STOPWORDS = frozenset("""
    a an the and or but if of to in on at for from by with about as into than then so too very
    i me my mine myself we us our you your yours he him his she her it its they them their
    is am are was were be been being do does did doing have has had having will would shall
    should can could may might must this that these those there here what which who whom whose
    when where why how all any some no not just also still only even yet again now please pls
    im i'm it's dont don't didnt didn't cant can't
    el la los las un una unos unas y o pero si de del al a en con por para sin sobre que como
    cuando donde quien cual me mi mis te tu tus su sus nos nuestro se le les lo es son esta estan
    esto eso ese esa estoy fue ser hay ya muy mas tambien porque
    le la les des du de un une et ou mais si en dans avec pour par sans sur que qui quoi comme
    quand ou je tu il elle on nous vous ils elles me te se mon ma mes ton ta tes son sa ses notre
    votre vos leur est sont suis ai as a avons avez ont ce cet cette ces ca cela y ne pas plus
    tres aussi deja encore svp
    и в во на с со к ко по за из у о об от до для без над под при что как когда где кто это
    этот эта эти тот та те я мне меня мой моя мои ты тебя твой вы вас ваш ваша ваши он она оно
    они его ее их мы нас наш же ли бы не ни да нет но а или то уже еще очень там тут вот так
    """.split())
HAN_STOP = frozenset("的了吗呢吧啊呀嘛么我你他她它们是在有这那就都也和与及或很还又")

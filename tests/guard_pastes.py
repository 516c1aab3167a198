"""Seeded pastes of recovery phrases in shapes real tickets have and ``guard_attacks`` does not.

A second attack pass on the alphabetic word lists (issue 12): the phrase inside a quoted
e-mail reply (``> `` before every line), a markdown table, JSON (``{"mnemonic": "..."}``, a
list of words), a wallet link or QR text (``wallet:...``, ``?mnemonic=w1+w2``), numbered and
comma-joined without spaces (``1.abandon,2.ability``), every letter's case mixed, 15-, 18- and
21-word phrases, words joined by ``|``, ``/``, ``-``, ``_``, ``+`` or ``;`` or by zero-width
joiners only, a CSV row, a Python list, a fenced code block. Each case is an ``AttackCase`` of ``guard_attacks`` (class
``pastes``) with the span of every word, so the same checks read it: found, every word
covered, nothing left.

Everything comes from ``random.Random`` seeded with strings; nothing reads the clock, the
network or the dev messages.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from tests.guard_attacks import CASED_LISTS, FILLER, INTROS, AttackCase, _Draft, phrase

CLASS = "pastes"
DEFAULT_COUNT = 440
LENGTHS = (12, 15, 18, 21, 24)
LANG_OF = {"spanish": "es", "french": "fr", "russian": "ru"}


def _lang(rng: random.Random, wordlist: str) -> str:
    return LANG_OF[wordlist] if wordlist in LANG_OF and rng.random() < 0.5 else rng.choice(("en", "es", "ru", "fr"))


def _around(draft: _Draft, rng: random.Random, lang: str, body: Callable[[], None], intro: bool = True) -> None:
    if rng.random() < 0.7:
        draft.text(rng.choice(FILLER[lang]) + rng.choice((" ", "\n", "\n\n")))
    if intro and rng.random() < 0.6:
        draft.text(rng.choice(INTROS[lang]) + rng.choice((" ", "\n")))
    body()
    if rng.random() < 0.6:
        draft.text(rng.choice((" ", "\n", "\n\n")) + rng.choice(FILLER[lang]))


def _email_reply(rng: random.Random, draft: _Draft, words: list[str], lang: str) -> None:
    """The phrase in a quoted reply: ``> `` (or ``> > ``) before every line."""
    quote = rng.choice(("> ", ">", "> > ", ">> "))
    per_line = rng.choice((len(words), 6, 4, 3, 1))
    draft.text(rng.choice(("On Mon, 3 Jun 2024 at 10:12, Support wrote:\n", "-----Original Message-----\n", "")))
    draft.text(quote + rng.choice(FILLER[lang]) + "\n" + quote + rng.choice(INTROS[lang]) + "\n" + quote)
    seps = ["\n" + quote if (i + 1) % per_line == 0 else " " for i in range(len(words) - 1)]
    draft.words(words, seps)
    draft.text("\n" + quote + "\n" + quote + rng.choice(FILLER[lang]))


def _markdown_table(rng: random.Random, draft: _Draft, words: list[str], lang: str) -> None:
    """A markdown table: one numbered word per row, or three or four words per row."""
    if rng.random() < 0.5:
        draft.text("| # | word |\n|---|------|\n")
        for n, word in enumerate(words, 1):
            draft.text(f"| {n} | ")
            draft.piece(word)
            draft.text(" |\n")
        return
    width = rng.choice((3, 4))
    draft.text("|" + "|".join(f" {c} " for c in "ABCD"[:width]) + "|\n|" + "|".join(["---"] * width) + "|\n")
    for row in range(0, len(words), width):
        draft.text("| ")
        draft.words(words[row:row + width], " | ")
        draft.text(" |\n")


def _json(rng: random.Random, draft: _Draft, words: list[str], lang: str) -> None:
    """``{"mnemonic": "w1 w2 ..."}`` (or seed/phrase/recoveryPhrase), or a JSON list of words."""
    key = rng.choice(("mnemonic", "seed", "phrase", "recoveryPhrase", "seed_phrase", "secret"))
    if rng.random() < 0.5:
        draft.text(rng.choice(("{", '{"version": 3, ', '{\n  "name": "main",\n  ')) + json.dumps(key) + ': "')
        draft.words(words, " ")
        draft.text('"' + rng.choice(("}", ', "path": "m/44\'/60\'/0\'/0"}', "\n}")))
        return
    draft.text(json.dumps(key) + ": [" if rng.random() < 0.5 else "[")
    quotes = ['"'] * len(words)
    draft.words(words, rng.choice((", ", ",", ",\n  ")), before=quotes, after=quotes)
    draft.text("]")


def _link(rng: random.Random, draft: _Draft, words: list[str], lang: str) -> None:
    """A wallet link or QR text: ``wallet:w1 w2``, ``?mnemonic=w1+w2``, ``seed=w1%20w2``."""
    style = rng.choice(("wallet", "query_plus", "query_space", "scheme_dash"))
    if style == "wallet":
        draft.text(rng.choice(("wallet:", "WALLET:", "mnemonic:", "seed:")))
        draft.words(words, " ")
    elif style == "query_plus":
        draft.text(rng.choice(("https://wallet.example/import?mnemonic=", "wc:import?seed=", "app://restore?phrase=")))
        draft.words(words, "+")
        draft.text(rng.choice(("", "&network=eth", "&v=2")))
    elif style == "query_space":
        draft.text(rng.choice(("https://wallet.example/import?mnemonic=", "app://restore?words=")))
        draft.words(words, "%20")
    else:
        draft.text(rng.choice(("ethereum:restore/", "wallet://")))
        draft.words(words, "-")


def _numbered_commas(rng: random.Random, draft: _Draft, words: list[str], lang: str) -> None:
    """``1.abandon,2.ability,...`` and its kin: numbers and words with no spaces at all."""
    style = rng.choice(("{n}.{w}", "{n}){w}", "{n}-{w}", "{n}:{w}", "#{n}{w}", "{n}.{w}"))
    sep = rng.choice((",", ";", ", ", " ", "|"))
    for n, word in enumerate(words, 1):
        before, after = style.split("{w}")
        draft.text(before.format(n=n))
        draft.piece(word)
        draft.text(after)
        if n < len(words):
            draft.text(sep)


def _mixed_case(rng: random.Random, draft: _Draft, words: list[str], lang: str) -> None:
    """Every letter's case at random ("AbAnDoN"), the way a phone keyboard's shift key leaves it."""
    shown = ["".join(ch.upper() if rng.random() < 0.5 else ch for ch in w) for w in words]
    draft.words(shown, rng.choice((" ", ", ", "\n")))


def _joined_by(rng: random.Random, draft: _Draft, words: list[str], lang: str) -> None:
    """Words joined by ``|``, ``/``, ``-``, ``_``, ``+``, ``;``, ``.``, ``~`` with or without spaces."""
    sep = rng.choice(("|", " | ", "/", " / ", "-", " - ", "_", "+", ";", "; ", ".", "~", "*", "•", " · "))
    draft.words(words, sep)


def _csv(rng: random.Random, draft: _Draft, words: list[str], lang: str) -> None:
    """A spreadsheet row: quoted or not, with a header and an index column."""
    quote = rng.choice(("", '"'))
    draft.text(rng.choice(("id,phrase\n1,", "word1,word2,word3\n", "")) + quote)
    draft.words(words, f"{quote},{quote}" if rng.random() < 0.7 else f"{quote}\t{quote}")
    draft.text(quote + rng.choice(("", "\n", ",2024-05-01")))


def _python_list(rng: random.Random, draft: _Draft, words: list[str], lang: str) -> None:
    """``words = ['abandon', 'ability', ...]``, as a developer pastes it."""
    quote = rng.choice(("'", '"'))
    draft.text(rng.choice(("words = [", "seed = (", "[", "mnemonic = [\n    ")))
    quotes = [quote] * len(words)
    draft.words(words, rng.choice((", ", ",", ",\n    ")), before=quotes, after=quotes)
    draft.text(rng.choice(("]", ")", "\n]")))


def _code_block(rng: random.Random, draft: _Draft, words: list[str], lang: str) -> None:
    """A fenced or indented code block, one line or several."""
    fence = rng.choice(("```\n", "```text\n", "    ", "`"))
    draft.text(fence)
    draft.words(words, rng.choice((" ", "\n" + ("    " if fence == "    " else ""))))
    draft.text({"```\n": "\n```", "```text\n": "\n```", "    ": "\n", "`": "`"}[fence])


def _joiners(rng: random.Random, draft: _Draft, words: list[str], lang: str) -> None:
    """Words joined by zero-width joiners or non-joiners only: one unbroken word on screen."""
    draft.words(words, rng.choice(("\u200d", "\u200c", "\u200d\u200c")))


SHAPES: dict[str, Callable[[random.Random, _Draft, list[str], str], None]] = {
    "email_reply": _email_reply, "markdown_table": _markdown_table, "json": _json, "link": _link,
    "numbered_commas": _numbered_commas, "mixed_case": _mixed_case, "joined_by": _joined_by, "csv": _csv,
    "python_list": _python_list, "code_block": _code_block, "joiners": _joiners,
}
"""Every shape, each given every word list and every length in turn."""


def _case(index: int, rng: random.Random) -> AttackCase:
    shape = tuple(SHAPES)[index % len(SHAPES)]
    wordlist = CASED_LISTS[(index // len(SHAPES)) % len(CASED_LISTS)]
    length = LENGTHS[(index // (len(SHAPES) * len(CASED_LISTS))) % len(LENGTHS)]
    words = phrase(rng, wordlist, length)
    lang = _lang(rng, wordlist)
    draft = _Draft()
    _around(draft, rng, lang, lambda: SHAPES[shape](rng, draft, words, lang), intro=shape != "email_reply")
    return AttackCase(f"{CLASS}-{index:05d}", CLASS, "recovery_phrase", draft.messages(), tuple(draft.pieces),
                      tuple(words), "text", wordlist, f"{shape}_{length}")


def generate(seed: int = 12, count: int = DEFAULT_COUNT) -> list[AttackCase]:
    """``count`` pastes (every shape x every alphabetic list x every length, in turn: 440 is each once)."""
    rng = random.Random(f"guard-pastes-{seed}")
    return [_case(index, rng) for index in range(count)]

"""A customer who pasted a recovery phrase reads: greeting, safety notice, then guidance that does not
reassure, in every locale of every bundled reply (tested on the rendered text, not the template source)."""

from __future__ import annotations

import re

import pytest

from supportkit.config import Config
from supportkit.guard import safety_notice
from supportkit.languages import SUPPORTED_LANGUAGES
from supportkit.library import select_template
from supportkit.library.store import library_for
from supportkit.pipeline import GREETING_MAX_CHARS, greeting_of, process_message, with_notice
from supportkit.rendering import render
from supportkit.writers.checks.code import REASSURING

PHRASE = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
FORGOT = {"zh": "我忘记钱包密码了，助记词是", "en": "I forgot my wallet password, my words are",
          "es": "Olvidé la contraseña de mi billetera, mi frase es", "ru": "Забыл пароль от кошелька, сид-фраза:",
          "fr": "J’ai oublié le mot de passe de mon portefeuille, ma phrase est"}


def _replies() -> list[str]:
    return sorted(t.ref for t in library_for(Config()) if t.kind == "reply")


def test_the_notice_goes_after_the_greeting_line_or_first() -> None:
    assert with_notice("Hi Ana,\n\nBody.", "NOTICE") == "Hi Ana,\n\nNOTICE\n\nBody."
    assert with_notice("A first paragraph that is much longer than any greeting would ever be, so no.\n\nB",
                       "NOTICE") == "NOTICE\n\nA first paragraph that is much longer than any greeting would ever be, so no.\n\nB"
    assert with_notice("Hi,\nthere\n\nBody.", "NOTICE") == "NOTICE\n\nHi,\nthere\n\nBody."  # two lines: no greeting
    assert with_notice("Only one paragraph.", "NOTICE") == "NOTICE\n\nOnly one paragraph."
    assert greeting_of("x" * GREETING_MAX_CHARS + "\n\nBody") is not None
    assert greeting_of("x" * (GREETING_MAX_CHARS + 1) + "\n\nBody") is None


@pytest.mark.parametrize("locale", SUPPORTED_LANGUAGES)
def test_every_reply_reads_greeting_notice_then_guidance(locale: str) -> None:
    library = library_for(Config())
    reassuring = re.compile(REASSURING[locale], re.IGNORECASE)
    notice = safety_notice(locale)
    problems = []
    for ref in _replies():
        template = library.get(ref)
        if locale not in template.locales:
            continue
        rendered = render(select_template(library, ref, locale), {}, Config().brand, secret_found=True)
        text = with_notice(rendered.text, notice)
        paragraphs = text.split("\n\n")
        if greeting_of(text) is None:
            problems.append(f"{ref}: opens without a greeting line: {paragraphs[0][:60]!r}")
            continue
        if paragraphs[1] != notice:
            problems.append(f"{ref}: the notice is not right after the greeting")
        opening = "\n\n".join(paragraphs[2:4])
        if reassuring.search(opening):
            problems.append(f"{ref}: reassures after the notice: {reassuring.search(opening).group()!r}")  # type: ignore[union-attr]
    assert problems == []


@pytest.mark.parametrize("locale", SUPPORTED_LANGUAGES)
def test_a_pasted_phrase_end_to_end(locale: str) -> None:
    result = process_message(f"{FORGOT[locale]} {PHRASE}", Config(), lang=locale)
    assert result.secret_found and "abandon" not in result.text
    greeting = greeting_of(result.text)
    assert greeting is not None
    assert result.text.split("\n\n")[1] == safety_notice(locale)


@pytest.mark.parametrize("locale", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("message", [PHRASE, f"{PHRASE}\n\n{PHRASE.replace('about', 'abandon')}"])
def test_a_message_that_is_only_a_phrase_is_answered_about_the_exposure(locale: str, message: str) -> None:
    result = process_message(message, Config(), lang=locale)
    assert result.secret_found and "abandon" not in result.text
    assert result.reply.template == "secret_exposed"
    assert result.text.split("\n\n")[1] == safety_notice(locale)


@pytest.mark.parametrize(("spelling", "network"), [
    ("Трон", "TRON"), ("трон (TRC20)", "TRON"), ("波场链", "TRON"), ("trc-20", "TRON"),
    ("Эфириум", "Ethereum"), ("эфир", "Ethereum"), ("ERC20", "Ethereum"), ("以太坊", "Ethereum"),
    ("BSC", "BNB Chain"), ("币安智能链", "BNB Chain"),
])
@pytest.mark.parametrize("locale", SUPPORTED_LANGUAGES)
def test_tx_pending_knows_a_network_however_the_customer_spells_it(locale: str, spelling: str, network: str) -> None:
    # «Трон» and «Эфириум» (how Russian speakers write them) were answered as an unknown network.
    library = library_for(Config())
    template = select_template(library, "tx_pending", locale)
    for secret in (False, True):
        said = render(template, {"network": spelling}, Config().brand, secret_found=secret).text
        canonical = render(template, {"network": network}, Config().brand, secret_found=secret).text
        assert said == canonical


@pytest.mark.parametrize("spelling", ["opBNB", "Ethereum Classic", "Tronix"])
def test_tx_pending_does_not_mistake_a_different_network(spelling: str) -> None:
    library = library_for(Config())
    template = select_template(library, "tx_pending", "en")
    said = render(template, {"network": spelling}, Config().brand).text
    assert f"the {spelling} network" in said

"""What a customer gets on messages written as customers write: greetings, pressure, conversations, review."""

from __future__ import annotations

import pytest

from supportkit.config import load_config
from supportkit.matching import Classification, IntentScore, classify
from supportkit.pipeline import process_message, process_messages

PROBLEMS = {"deposit_missing", "tx_pending"}


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "hi, my withdrawal did not arrive"),
    ("en", "hello there! withdrew usdt from binance 2 hours ago and nothing in my wallet"),
    ("es", "hola buenas, retiré usdt de binance y no me llega a la billetera"),
    ("ru", "здравствуйте, вывел usdt с биржи, а на кошелек не пришло"),
    ("fr", "bonjour, j'ai retiré des usdt de binance et rien n'est arrivé sur mon portefeuille"),
    ("zh", "你好，从交易所提的USDT一直没到账"),
])
def test_a_greeting_before_a_problem_is_the_problem(lang: str, text: str) -> None:
    assert classify(text, lang).top in PROBLEMS


@pytest.mark.parametrize(("lang", "text"), [("en", "hi"), ("en", "good morning"), ("zh", "在吗"),
                                            ("es", "hola buenas"), ("ru", "добрый день"), ("fr", "bonjour")])
def test_a_bare_greeting_is_a_greeting(lang: str, text: str) -> None:
    assert classify(text, lang).top == "greeting"


def test_review_reasons() -> None:
    assert Classification([IntentScore("gas_fee", 0.9), IntentScore("tx_pending", 0.3)]).review_reason is None
    assert Classification([IntentScore("gas_fee", 0.7), IntentScore("tx_pending", 0.65)]).review_reason == \
        "close call (gas_fee 0.70, tx_pending 0.65)"
    assert Classification([IntentScore("gas_fee", 0.4), IntentScore("other", 0.3)]).review_reason == \
        "weak fit (gas_fee 0.40)"
    assert Classification([IntentScore("other", 0.45), IntentScore("gas_fee", 0.3)]).review_reason == \
        "fits no intent well"
    unclear = classify("zzqx blorp wibble", "en")
    assert unclear.needs_review and unclear.to_dict()["needs_review"] is True


def test_reply_json_and_text_say_when_to_review() -> None:
    from click.testing import CliRunner

    from supportkit.cli import cli

    runner = CliRunner()
    data = process_message("zzqx blorp wibble", load_config()).to_dict()
    assert (data["needs_review"], data["review_reason"]) == (True, "fits no intent well")
    result = runner.invoke(cli, ["reply", "zzqx blorp wibble"])
    assert result.exit_code == 0
    assert "REVIEW before sending: fits no intent well\n" in result.stderr


def test_the_next_messages_decide_a_bare_greeting() -> None:
    config = load_config()
    alone = process_message("hi", config)
    opened = process_message("hi", config, following=["my withdrawal from binance never arrived in my wallet"])
    assert alone.intent == "greeting"
    assert opened.intent in PROBLEMS
    batch = process_messages([("hi", None), ("my withdrawal from binance never arrived in my wallet", None)], config,
                             contexts=[((), ("my withdrawal from binance never arrived in my wallet",)), (("hi",), ())])
    assert [r.intent for r in batch if not isinstance(r, Exception)] == [opened.intent, opened.intent]


def test_a_greeting_followed_by_small_talk_stays_a_greeting() -> None:
    assert process_message("hello", load_config(), following=["how are you?"]).intent == "greeting"


def test_next_messages_are_guarded_before_they_are_read() -> None:
    phrase = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    result = process_message("hi", load_config(), following=[f"my seed is {phrase} and my wallet is empty"])
    assert not any("abandon" in e for i in result.intents for e in i["evidence"])


@pytest.mark.parametrize(("text", "intent"), [
    ("zabyl parol ot koshelka", "forgot_password"),
    ("privet, kak vosstanovit koshelek", "wallet_recovery"),
    ("perevod zavis uzhe 3 chasa", "tx_pending"),
])
def test_russian_in_latin_letters_is_read_as_russian(text: str, intent: str) -> None:
    result = process_message(text, load_config())
    assert (result.language, result.intent, result.reply.locale) == ("ru", intent, "ru")
    assert "the customer wrote Russian in Latin letters; the reply is in Cyrillic" in result.notes
    assert any("а" <= c <= "я" for c in result.text)

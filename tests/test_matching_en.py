"""English as customers write it: urgency in their words, greetings before the problem, questions we route.

Messages written for these tests, not copied from the templates' examples.
"""

from __future__ import annotations

import pytest

from supportkit.library import CUSTOMER_INTENTS, Library
from supportkit.matching import classify


def test_every_customer_intent_has_enough_english_examples(library: Library) -> None:
    counts = {intent: 0 for intent in CUSTOMER_INTENTS}
    for template in library.templates.values():
        for intent in template.intents:
            if intent in counts:
                counts[intent] += len(template.examples.get("en", ()))
    assert {i: n for i, n in counts.items() if n < 50} == {}


@pytest.mark.parametrize(("text", "reason"), [
    ("my wallet got cleaned out last night", "funds_at_risk: cleaned out"),
    ("someone is draining my wallet right now", "funds_at_risk: draining wallet"),
    ("a sweeper bot takes every trx i send to my address", "funds_at_risk: sweeper"),
    ("i didnt send this, 900 usdt left my wallet", "funds_at_risk: didnt send this"),
    ("my tron account got hijacked", "permissions_changed: hijack*"),
    ("my account permissions were modified by someone", "permissions_changed: permission* modified"),
    ("shared my 12 words with someone claiming to be from support", "secret_exposed: shared my words"),
    ("a scammer knows my mnemonic", "secret_exposed: knows my mnemonic"),
    ("i pasted my seed phrase on a website that looked like yours", "secret_exposed: seed website"),
])
def test_urgent_as_english_customers_say_it(library: Library, text: str, reason: str) -> None:
    result = classify(text, "en", library)
    assert result.urgent, result.intents[:2]
    assert reason in result.urgency_reasons


@pytest.mark.parametrize(("text", "intent"), [
    ("i payed the unlock fee twice and they still want more before i can withdraw", "investment_scam"),
    ("i approved a contract on a sketchy site, how do i revoke it", "token_approval"),
])
def test_a_scam_acted_on_is_urgent(library: Library, text: str, intent: str) -> None:
    result = classify(text, "en", library)
    assert result.top == intent
    assert any(r.startswith("scam_acted_on: ") for r in result.urgency_reasons), result.urgency_reasons


@pytest.mark.parametrize("text", [
    "the trading site wants me to pay a fee before i withdraw, should i?",
    "how do i see my approvals",
    "i have my seed phrase written down, how do i restore my wallet",
    "i know my seed phrase but forgot the password",
    "your app drains my battery",
    "URGENT!!! do you support the aptos chain",
])
def test_not_urgent_without_loss_exposure_or_an_act(library: Library, text: str) -> None:
    result = classify(text, "en", library)
    assert not result.urgent, result.urgency_reasons


@pytest.mark.parametrize(("text", "intent"), [
    ("hi, my withdrawal from binance did not arrive", "deposit_missing"),
    ("hello, sent usdt from kucoin yesterday, still not in my wallet", "deposit_missing"),
    ("good morning, i forgot my password", "forgot_password"),
    ("hey there", "greeting"),
    ("thank u soo much, all good", "thanks"),
    ("do you guys support the aptos chain", "product_question"),
    ("do i have to pay taxes on my crypto gains", "product_question"),
    ("all my usdt went out to some address, wasnt me", "unauthorized_transfer"),
    ("a scammer knows my mnemonic, funds still there", "secret_exposed"),
    ("can you recommend a good restaurant", "other"),
])
def test_english_intents_beyond_the_examples(library: Library, text: str, intent: str) -> None:
    assert classify(text, "en", library).top == intent

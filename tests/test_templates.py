"""Every bundled template renders in every locale with empty, typical and edge-case values."""

from __future__ import annotations

import re

import pytest

from supportkit.config import BUNDLED_REPLIES, Config
from supportkit.languages import SUPPORTED_LANGUAGES
from supportkit.library import CUSTOMER_INTENTS, Template, load_library, select_template
from supportkit.rendering import render

LIBRARY = load_library(BUNDLED_REPLIES)
TEMPLATES = list(LIBRARY)
AGENT_REPLIES = ("info_request", "follow_up", "satisfaction_survey", "escalation", "out_of_hours", "closing")
TUTORIALS = ("create_wallet", "backup_recovery_phrase", "import_wallet", "switch_phone", "swap_tokens",
             "withdraw_from_exchange", "add_custom_token", "check_transaction", "network_fees", "revoke_approval")

EDGE_VALUES = {
    "text": "Zoë-Ångström «李» O'Brien-Nakamura de la Fuente y Villanueva " * 2,
    "number": "21",
    "amount": "0.00123456",
    "date": "2026-02-28",
    "url": "https://example.org/a?b=c&d=<e>",
}
TYPICAL_VALUES = {"text": "Ana", "number": "2", "amount": "1150.5", "date": "2026-11-22", "url": "https://example.org"}
# French puts a narrow no-break space (U+202F) before ? ! : ; -- that is correct, not an artefact.
ARTEFACTS = re.compile(r"(?m)(\w ,|[^\S\u202f][,.!?;:，。！？]$|^[,，.。]|,,|，，|  \S|\{\{|\{%|None|Undefined)")


def values_for(template: Template, kind: str) -> dict[str, str]:
    if kind == "empty":
        return {name: "" for name in template.variables}
    table = TYPICAL_VALUES if kind == "typical" else EDGE_VALUES
    return {name: (v.example if kind == "typical" and v.example else table[v.type]) for name, v in template.variables.items()}


def test_library_is_complete() -> None:
    replies = {t.id for t in TEMPLATES if t.kind == "reply"}
    tutorials = {t.id for t in TEMPLATES if t.kind == "tutorial"}
    assert set(CUSTOMER_INTENTS) <= replies
    assert set(AGENT_REPLIES) <= replies
    assert set(TUTORIALS) <= tutorials
    for intent in CUSTOMER_INTENTS:
        assert LIBRARY.for_intent(intent) is not None, intent
    assert LIBRARY.problems == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.ref)
def test_every_template_exists_in_all_five_locales_up_to_date(template: Template) -> None:
    assert set(SUPPORTED_LANGUAGES) <= set(template.locales), template.ref
    for code in SUPPORTED_LANGUAGES:
        assert template.translation_state(code) == "ok", (template.ref, code)


@pytest.mark.parametrize("kind", ["empty", "typical", "edge"])
@pytest.mark.parametrize("locale", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.ref)
def test_renders_cleanly(template: Template, locale: str, kind: str) -> None:
    result = render(select_template(LIBRARY, template.ref, locale), values_for(template, kind), Config().brand)
    assert result.locale == locale and not result.fallback
    assert result.text.strip()
    assert not ARTEFACTS.search(result.text), (template.ref, locale, ARTEFACTS.search(result.text))


# Asking someone to hand the secret over; typing it into the wallet app (import steps) is not asking.
SECRET_REQUEST = re.compile(
    r"(send|give|share|tell|provide)\b[^.\n]{0,40}\b(recovery phrase|seed phrase|private key)"
    # zh: a request ("请提供…助记词", "把助记词发给我们"), not the past "您发来的助记词" (the phrase you sent)
    r"|(请|麻烦)[^。\n]{0,4}(发|提供|告诉)[^。\n]{0,10}(助记词|私钥)|(助记词|私钥)[^。\n]{0,8}(发给|发送给|告诉|提供给)我们"
    r"|(envía|envíanos|envíe|envíenos|comparte|compártanos|dinos|díganos|proporciona|proporcione)[^.\n]{0,40}"
    r"(frase de recuperación|frase semilla|clave privada)"
    r"|(отправьте|пришлите|сообщите|перешлите)[^.\n]{0,40}(сид-фраз|приватн)"
    r"|(envoyez|communiquez|donnez|indiquez)[^.\n]{0,40}(phrase de récupération|clé privée)",
    re.IGNORECASE,
)
NEGATION = re.compile(r"\b(never|don't|do not|nunca|no |jamais|ne |никогда|не )|(不要|切勿|绝不|永远不会|不会)", re.I)


@pytest.mark.parametrize(("sentence", "asks"), [
    ("请提供您的助记词。", True), ("请把助记词发给我们。", True), ("麻烦您告诉我们私钥。", True),
    ("您发来的助记词已经泄露。", False), ("您刚才发在消息里的助记词已经不再安全。", False),
    ("Please send us your recovery phrase.", True), ("Envíenos su frase de recuperación.", True), ("Nunca le pediremos su clave privada.", False),
])
def test_the_secret_request_pattern(sentence: str, asks: bool) -> None:
    assert bool(SECRET_REQUEST.search(sentence)) is asks


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.ref)
def test_no_template_asks_for_a_secret(template: Template) -> None:
    for code, translation in template.locales.items():
        for sentence in re.split(r"(?<=[.!?。！？\n])", translation.body):
            if SECRET_REQUEST.search(sentence):
                assert NEGATION.search(sentence), (template.ref, code, sentence.strip())

"""Spanish as customers write it (issue 13): urgency and security intents without a pasted secret.

The messages are written for these tests, apart from the templates' `examples:` (Latin
American and Spain variants, voseo, slang, missing accents); each urgent one was missed before
the Spanish examples and urgency cues were grown.
"""

from __future__ import annotations

import pytest

from supportkit.library import Library
from supportkit.matching import classify


@pytest.mark.parametrize("text", [
    "ayer le di la frase a un muchacho que dijo ser del soporte técnico",  # a secret seen
    "introduje mi frase en una web rara para reclamar un premio",
    "me tumbaron con una página de inversión, ya no tengo nada",  # funds lost
    "la plataforma me pidió el 20% de impuestos para retirar y ya lo he pagado",  # a scam acted on
    "hola, cai en una estafa de inversion y ya les he transferido 800 usdt",
    "un soporte de telegram me pidió la frase y se la di",
])
def test_spanish_urgent_without_a_pasted_secret(library: Library, text: str) -> None:
    result = classify(text, "es", library)
    assert result.urgent, result.intents[:2]


@pytest.mark.parametrize("text", [
    "cuánto cuesta la comisión para mandar usdt? es urgente",  # pressure alone
    "hola!!! ayuda por favor, cómo agrego un token",
    "puse la frase en la app para restaurar y me sale otra dirección",  # restoring is not exposing
    "pagamos con usdt a un proveedor y la transacción sigue pendiente",  # paying is not a scam acted on
    "me pidió la frase pero no se la di, es estafa?",  # asked for, not given
])
def test_spanish_not_urgent(library: Library, text: str) -> None:
    assert not classify(text, "es", library).urgent


@pytest.mark.parametrize(("text", "intent"), [
    ("buenas noches, me drenaron la wallet y no sé cómo", "unauthorized_transfer"),
    ("hola, en tronscan aparece otra dirección como dueño de mi cuenta", "unauthorized_transfer"),
    ("buenas, la web de inversión me pide un depósito de garantía para sacar mi plata", "investment_scam"),
])
def test_spanish_greeting_or_slang_reaches_the_intent(library: Library, text: str, intent: str) -> None:
    assert classify(text, "es", library).top == intent

"""Help-desk vocabulary: words and phrases that customers of a wallet help desk type.

Each hit adds a fixed bonus (in nats) to its language, on top of the statistical
score. The list is written by hand for our five languages and stays small: it tips
two- and three-word chat messages ("ne marche pas", "hola??") where frequency
statistics alone are close, and it leaves long text to the statistics. Words here
must be rare in the confusable languages (pt it ca de uk bg), or they would pull
those languages into ours.
"""

from __future__ import annotations

import re
from collections.abc import Container

BONUS = 2.5
"""Log-odds added per distinct help-desk term found (capped by MAX_HITS)."""
MAX_HITS = 3

TERMS: dict[str, tuple[str, ...]] = {
    "en": (
        "hello", "hi", "hey", "thanks", "thank you", "thx", "ty", "tysm", "tnx", "pls", "plz", "please", "help",
        "withdrawal", "withdraw", "deposit", "password", "stuck", "pending", "account",
        "doesn't work", "not working", "can't", "cannot", "my money", "refund", "anyone", "where is",
        "what", "why", "how", "funds", "scam", "scammed", "hacked", "seed phrase", "recovery phrase",
        "transfer", "gas fee", "network fee", "customer service", "lost", "asap",
    ),
    "es": (
        "hola", "gracias", "saludos", "ayuda", "ayúdenme", "por favor", "porfa", "monedero", "billetera",
        "no funciona", "no me llega", "no llega", "no aparece", "retiro", "contraseña", "cuenta",
        "transferencia", "dinero", "necesito", "buenas", "buenos días", "qué", "cómo", "dónde", "por qué",
        "mis fondos", "estafa", "me estafaron", "soporte", "atención al cliente", "comisión",
        "frase de recuperación", "todavía", "ya", "pero", "hace",
    ),
    "fr": (
        "bonjour", "bonsoir", "salut", "coucou", "allô", "merci", "aide", "aidez-moi", "portefeuille", "ne marche pas",
        "marche pas", "fonctionne pas", "ne fonctionne pas", "mot de passe", "retrait", "solde", "virement",
        "s'il vous plaît", "s'il vous plait", "svp", "stp", "argent", "compte", "toujours", "pourquoi",
        "où", "mes fonds", "arnaque", "escroquerie", "frais",
        "phrase de récupération", "j'ai", "je", "n'arrive", "reçu", "bloqué", "bloquée", "rien",
    ),
    "ru": (
        "привет", "ок", "здравствуйте", "добрый день", "спасибо", "помогите", "помощь", "кошелёк", "кошелек",
        "не работает", "вывод", "перевод", "деньги", "поддержка", "счёт", "пожалуйста",
        "не пришли", "не пришло", "не приходит", "где", "почему", "что", "мошенники", "срочно",
        "комиссия", "сид-фраза", "сид фраза", "ещё", "уже", "это",
    ),
}

_PATTERNS: dict[str, re.Pattern[str]] = {
    lang: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")(?!\w)")
    for lang, terms in TERMS.items()
}


def helpdesk_bonus(lowered: str, languages: Container[str] | None = None) -> dict[str, float]:
    """Bonus per language for the distinct help-desk terms found in ``lowered`` text.

    ``languages``: only these are wanted (the others' terms are not looked for; None: all).
    """
    bonus: dict[str, float] = {}
    for lang, pattern in _PATTERNS.items():
        if languages is not None and lang not in languages:
            continue
        hits = len(set(pattern.findall(lowered)))
        if hits:
            bonus[lang] = BONUS * min(hits, MAX_HITS)
    # Inverted marks are Spanish and only Spanish.
    if "¿" in lowered or "¡" in lowered:
        bonus["es"] = bonus.get("es", 0.0) + BONUS
    return bonus

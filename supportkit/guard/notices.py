"""What the guard says: redaction markers and the customer-facing safety notice, natively written.

French puts U+202F (narrow no-break space) before ``; : ? !``; Spanish opens ``¿ ¡``;
Chinese uses full-width punctuation. The register is the reply templates' own: 您, usted,
вы, vous. The words are the glossary's own (助记词,
frase de recuperación, сид-фраза, phrase de récupération; 私钥, clave privada,
приватный ключ, clé privée), the ones the templates use.
"""

from __future__ import annotations

from supportkit.languages import SUPPORTED_LANGUAGES, language_of

KINDS = ("recovery_phrase", "private_key", "wif", "keystore")
"""Every kind of secret the guard finds."""

NOTICE_LANGUAGES = SUPPORTED_LANGUAGES

_NNBSP = "\u202f"

# A WIF key is a private key to a customer: same words.
_MARKERS: dict[str, dict[str, str]] = {
    "recovery_phrase": {
        "en": "[recovery phrase removed]",
        "zh": "[助记词已移除]",
        "es": "[frase de recuperación eliminada]",
        "ru": "[сид-фраза удалена]",
        "fr": "[phrase de récupération supprimée]",
    },
    "private_key": {
        "en": "[private key removed]",
        "zh": "[私钥已移除]",
        "es": "[clave privada eliminada]",
        "ru": "[приватный ключ удалён]",
        "fr": "[clé privée supprimée]",
    },
    "keystore": {
        "en": "[keystore file removed]",
        "zh": "[Keystore 文件已移除]",
        "es": "[archivo keystore eliminado]",
        "ru": "[файл keystore удалён]",
        "fr": "[fichier keystore supprimé]",
    },
}
_MARKERS["wif"] = _MARKERS["private_key"]

_NOTICES: dict[str, str] = {
    "en": (
        "Important: your message contained your recovery phrase or private key, so anyone who saw it can "
        "take your funds. Create a new wallet, write its new recovery phrase on paper, and move everything to it "
        "now. Then delete the message that contained it. We will never ask for your phrase or key."
    ),
    "zh": (
        "重要提示：您的消息中包含助记词或私钥，您的钱包已不再安全，任何看到这些信息的人都能转走您的资产。"
        "请立即创建一个新钱包，先把新助记词手抄在纸上，再把全部资产转入新钱包。"
        "我们的客服绝不会向您索要助记词或私钥。请撤回或删除您发来的那条消息；手机相册或云端如果存有助记词、私钥的截图，"
        "也请一并删除。"
    ),
    "es": (
        "¡Importante! Su mensaje contenía su frase de recuperación o su clave privada, ahora expuesta: quien "
        "la haya visto puede llevarse sus fondos. Cree ya una billetera nueva con una frase nueva, pase a ella "
        "todos sus fondos y borre ese mensaje. Nunca le pediremos su frase ni su clave."
    ),
    "ru": (
        "Важно: вы прислали сид-фразу или приватный ключ — любой, кто видел ваше сообщение, может "
        "вывести ваши средства. Прямо сейчас создайте новый кошелёк с новой сид-фразой, переведите туда всё и удалите своё "
        "сообщение. Поддержка никогда не просит сид-фразу или приватный ключ."
    ),
    "fr": (
        f"Important{_NNBSP}: votre message contenait votre phrase de récupération ou votre clé privée{_NNBSP}; "
        f"quiconque l’a vue peut voler vos fonds. Créez vite un nouveau portefeuille, notez sa phrase "
        f"sur papier, transférez-y tout et effacez ce message. Nous ne vous demanderons jamais ni l’une ni l’autre."
    ),
}


def _language(locale: str | None) -> str | None:
    """``zh-TW`` -> ``zh``, ``es_419`` -> ``es``; None or a language we do not write -> None."""
    if not locale:
        return None
    code = language_of(locale)
    return code if code in NOTICE_LANGUAGES else None


def redaction_marker(kind: str, locale: str | None = None) -> str:
    """The bracketed marker that replaces a secret of ``kind``: canonical English for None, else native."""
    try:
        per_language = _MARKERS[kind]
    except KeyError:
        raise ValueError(f"unknown secret kind {kind!r} (one of {', '.join(KINDS)})") from None
    return per_language[_language(locale) or "en"]


def all_markers() -> list[str]:
    """Every marker the guard can write, in every language (for tests and for ignoring them)."""
    return sorted({marker for per_language in _MARKERS.values() for marker in per_language.values()})


def safety_notice(locale: str | None = None) -> str:
    """The notice that opens a reply when the customer exposed a secret, in their language (else English)."""
    return _NOTICES[_language(locale) or "en"]

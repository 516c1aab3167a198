"""Generated secrets for the guard's tests: phrases in every word list and format, keys, keystores.

Everything is generated from fixed seeds (the dev messages are never copied), and every
generated phrase carries a valid BIP39 checksum unless a test breaks it on purpose.
"""

from __future__ import annotations

import hashlib
import json
import random
import unicodedata

from mnemonic import Mnemonic

from supportkit.guard.phrases import WORDLISTS, fold

LENGTHS = (12, 15, 18, 21, 24)
HAN_LISTS = ("chinese_simplified", "chinese_traditional")
LATIN_FOLDED = ("english", "spanish", "french", "italian", "portuguese", "czech", "turkish")
FORMATS = ("spaces", "numbered", "numbered_tight", "lines", "commas", "mixed_case", "typo")
NOT_A_LIST_HAN = "龘"
"""A Han character in no word list: one mistyped word of a Chinese phrase."""

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def phrase(wordlist: str, words: int = 12, seed: int = 0) -> list[str]:
    """A valid phrase (NFC words) of ``words`` words from ``wordlist``."""
    rng = random.Random(f"{wordlist}-{words}-{seed}")
    entropy = bytes(rng.getrandbits(8) for _ in range(words * 11 * 32 // 33 // 8))
    text = Mnemonic(wordlist).to_mnemonic(entropy)
    return [unicodedata.normalize("NFC", w) for w in text.split()]


def mistype(word: str, wordlist: str, rng: random.Random) -> str:
    """``word`` one edit away and no longer a list word (a Han character is replaced)."""
    if wordlist in HAN_LISTS:
        return NOT_A_LIST_HAN
    listed = set(Mnemonic(wordlist).wordlist)
    letters = "xzqkwjv" if word.isascii() else word
    for _ in range(200):
        i = rng.randrange(1, len(word)) if len(word) > 1 else 0
        candidate = word[:i] + rng.choice(letters) + word[i + 1:]
        if candidate != word and candidate not in listed and unicodedata.normalize("NFKD", candidate) not in listed:
            return candidate
    return word + word[-1]


def format_phrase(words: list[str], fmt: str, wordlist: str, seed: int = 0) -> str:
    """The phrase written the way customers paste it."""
    rng = random.Random(f"{fmt}-{seed}")
    separator = "\u3000" if wordlist == "japanese" else " "
    if fmt == "spaces":
        return separator.join(words)
    if fmt == "numbered":
        return " ".join(f"{i}. {w}" for i, w in enumerate(words, 1))
    if fmt == "numbered_tight":
        return " ".join(f"{i}){w}" for i, w in enumerate(words, 1))
    if fmt == "lines":
        return "\n".join(words)
    if fmt == "commas":
        return ", ".join(words)
    if fmt == "mixed_case":
        return " ".join(w.upper() if i % 3 == 0 else w.capitalize() if i % 3 == 1 else w for i, w in enumerate(words))
    if fmt == "typo":
        position = rng.randrange(1, len(words) - 1)
        changed = list(words)
        changed[position] = mistype(words[position], wordlist, rng)
        return separator.join(changed)
    if fmt == "tight":
        return "".join(words)
    if fmt == "no_accents":
        return " ".join(fold(w) for w in words)
    if fmt == "nfd":
        return unicodedata.normalize("NFD", separator.join(words))
    raise ValueError(fmt)


def all_phrase_cases() -> list[tuple[str, int, str]]:
    """(word list, length, format) for every list, length and format that applies to it."""
    cases = []
    for wordlist in WORDLISTS:
        for length in LENGTHS:
            formats = list(FORMATS)
            if wordlist in HAN_LISTS:
                formats.remove("mixed_case")
            if wordlist in ("spanish", "french", "portuguese", "czech", "turkish", "italian"):
                formats.append("no_accents")
            if wordlist in ("spanish", "french", "japanese", "korean"):
                formats.append("nfd")
            cases.extend((wordlist, length, fmt) for fmt in formats)
    return cases


# --- keys ---------------------------------------------------------------------------------


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out


def b58check(payload: bytes) -> str:
    return b58encode(payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4])


def hex_key(seed: int = 0) -> str:
    return random.Random(f"hex-{seed}").randbytes(32).hex()


def wif(seed: int = 0, compressed: bool = True, testnet: bool = False) -> str:
    key = random.Random(f"wif-{seed}").randbytes(32)
    return b58check((b"\xef" if testnet else b"\x80") + key + (b"\x01" if compressed else b""))


def bad_checksum(value: str) -> str:
    """``value`` with its last character changed (the base58check checksum no longer matches)."""
    return value[:-1] + ("2" if value[-1] != "2" else "3")


def two_typos(value: str) -> str:
    """``value`` with two characters changed: no longer one substitution away from a valid checksum."""
    middle = len(value) // 2
    return bad_checksum(value[:middle] + ("2" if value[middle] != "2" else "3") + value[middle + 1:])


def xprv(seed: int = 0) -> str:
    rng = random.Random(f"xprv-{seed}")
    payload = bytes.fromhex("0488ade4") + b"\x00" * 9 + rng.randbytes(32) + b"\x00" + rng.randbytes(32)
    return b58check(payload)


def solana_secret(seed: int = 0) -> str:
    return b58encode(random.Random(f"sol-{seed}").randbytes(64))


def keystore(seed: int = 0, indent: int | None = None) -> str:
    rng = random.Random(f"keystore-{seed}")
    data = {
        "address": rng.randbytes(20).hex(),
        "crypto": {
            "cipher": "aes-128-ctr",
            "ciphertext": rng.randbytes(32).hex(),
            "cipherparams": {"iv": rng.randbytes(16).hex()},
            "kdf": "scrypt",
            "kdfparams": {"dklen": 32, "n": 262144, "p": 1, "r": 8, "salt": rng.randbytes(32).hex()},
            "mac": rng.randbytes(32).hex(),
        },
        "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
        "version": 3,
    }
    return json.dumps(data, indent=indent)


# --- whole messages for the end-to-end tests ---------------------------------------------------

PHRASE_FRAMES = {
    "zh": "你好，我的钱包打不开了，助记词是 {secret} 请帮帮我",
    "en": "hi, my wallet shows zero now. here is my recovery phrase so you can check: {secret} thanks",
    "es": "hola, mi billetera no abre. esta es mi frase de recuperación: {secret} ayúdenme por favor",
    "ru": "здравствуйте, кошелёк не открывается, вот моя сид-фраза: {secret} помогите",
    "fr": "bonjour, mon portefeuille ne s’ouvre plus, voici ma phrase de récupération : {secret} merci",
}
KEY_FRAMES = {
    "zh": "我的私钥是 {secret} 帮我看看资产还在不在",
    "en": "support, this is my private key {secret} can you check my funds?",
    "es": "mi clave privada es {secret} por favor revisen mis fondos",
    "ru": "мой приватный ключ {secret} проверьте, пожалуйста, баланс",
    "fr": "ma clé privée est {secret} pouvez-vous vérifier mes fonds ?",
}
WORDLIST_OF = {"zh": "chinese_simplified", "en": "english", "es": "spanish", "ru": "english", "fr": "french"}


def secret_messages() -> list[tuple[str, str, list[str]]]:
    """(language, message, pieces of the secret that must never appear in an output)."""
    messages: list[tuple[str, str, list[str]]] = []
    for lang, frame in PHRASE_FRAMES.items():
        for seed, (length, fmt) in enumerate([(12, "spaces"), (24, "numbered"), (15, "lines"), (18, "commas"),
                                              (12, "typo")]):
            words = phrase(WORDLIST_OF[lang], length, seed)
            text = format_phrase(words, fmt, WORDLIST_OF[lang], seed)
            messages.append((lang, frame.format(secret=text), words))
        if lang == "zh":
            for seed, length in enumerate((12, 24)):
                words = phrase("chinese_simplified", length, 100 + seed)
                messages.append((lang, frame.format(secret="".join(words)), words))
    for lang, frame in KEY_FRAMES.items():
        for secret in [hex_key(1), "0x" + hex_key(2), wif(3), wif(4, compressed=False), xprv(5), solana_secret(6)]:
            messages.append((lang, frame.format(secret=secret), [secret]))
        store = keystore(7)
        messages.append((lang, frame.format(secret=store), [json.loads(store)["crypto"]["ciphertext"]]))
    return messages


def leaked(output: str, pieces: list[str]) -> list[str]:
    """The parts of a secret still in ``output``: three consecutive phrase words, or the first or
    last two (where a cut redaction would leave them); 12 characters of a key.

    Single words and most pairs are not evidence: BIP39 words are ordinary words, and replies
    say "network fee" whatever the phrase holds.
    """
    found = []
    if len(pieces) >= 12:  # a phrase: its words
        if all(len(p) == 1 for p in pieces):  # Chinese: characters, compared without spaces
            flat = "".join(output.split())
            found.extend(t for t in ("".join(pieces[i:i + 3]) for i in range(len(pieces) - 2)) if t in flat)
            return found
        flat = " " + " ".join(output.lower().replace(",", " ").split()) + " "
        words = [p.lower() for p in pieces]
        runs = [words[i:i + 3] for i in range(len(words) - 2)] + [words[:2], words[-2:]]
        found.extend(" ".join(run) for run in runs if f" {' '.join(run)} " in flat)
    else:
        for secret in pieces:
            for i in range(0, max(1, len(secret) - 11), 6):
                if secret[i:i + 12] in output:
                    found.append(secret[i:i + 12])
                    break
    return found

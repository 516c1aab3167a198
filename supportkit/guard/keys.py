"""Private keys and keystores: 64-hex keys, WIF, extended keys, Solana keys, keystore JSON.

A raw private key and a transaction hash look the same (64 hex digits, with or without
``0x``; TRON txids and Bitcoin txids have no ``0x``). The words around them tell them apart:

1. inside a link (an explorer URL) it is a hash;
2. the nearest of a *key* word (private key, 私钥, clave privada, приватный ключ, clé privée,
   key, export ...) and a *hash* word (hash, txid, tx, transaction, explorer, 交易哈希, хеш,
   hachage ...) decides; a tie goes to the key;
3. with neither, a message about a payment (sent, pending, withdrawal, 转账, 到账, перевод,
   transferencia, virement ...) holds that payment's hash;
4. otherwise it is treated as a key.

Why the last rule: customers who paste a hash say what it is or what happened to their
transfer, while a bare 64-hex string with nothing about a payment is what a key export gives.
A hash taken for a key costs a redaction the agent can undo by asking for the explorer
link (links are never redacted); a key taken for a hash puts a live key into replies,
files and logs. The finding's ``confidence`` is ``low`` for this case so the agent knows.

WIF keys (51/52 base58 characters) and extended private keys (``xprv``...) carry a
checksum: valid means a key. A WIF-shaped string with a bad checksum counts only next
to a key word. A keystore (encrypted key JSON: ``crypto``/``ciphertext``/``kdf``) is
redacted as the whole JSON object around it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_HEX_RE = re.compile(r"(?<![0-9A-Za-z])(?:0[xX])?[0-9a-fA-F]{64}(?![0-9A-Za-z])")
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(_B58_ALPHABET)}
_B58_RE = re.compile(r"(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{50,112}(?![0-9A-Za-z])")
_LONG_RUN_RE = re.compile(r"[0-9A-Za-z]{50}")
_BYTE_ARRAY_RE = re.compile(r"\[[\d\s,]{63,1300}\]")
_KEYSTORE_RE = re.compile(r"[\"']?(?:ciphertext|cipherparams|kdfparams)[\"']?\s*:", re.IGNORECASE)
_KEYSTORE_CONFIRM_RE = re.compile(r"[\"']?(?:crypto|kdf|mac|cipher)[\"']?\s*:", re.IGNORECASE)

CONTEXT_BEFORE = 120
CONTEXT_AFTER = 60

# Words right next to the string (nearest wins; a tie goes to the key).
KEY_TERMS = (
    "private key", "privatekey", "private_key", "priv key", "privkey", "secret key", "secret", "pk", "key", "keys",
    "export", "exported", "import", "imported",
    "私钥", "私鑰", "密钥", "密鑰", "秘钥", "导出", "導出", "导入", "導入",
    "clave privada", "llave privada", "clave", "llave", "secreto", "exportar", "exporté", "importar", "importé",
    "приватный ключ", "приватного ключа", "приватник", "секретный ключ", "закрытый ключ", "ключ", "ключа", "ключом",
    "экспорт", "импорт",
    "clé privée", "cle privee", "clef privée", "clé", "clef", "exporter", "exporté", "importer", "importé",
    "chiave privata", "chave privada", "privater schlüssel",
)
HASH_TERMS = (
    "hash", "txid", "tx id", "tx", "txn", "transaction", "transactions", "tx hash", "explorer", "etherscan",
    "bscscan", "tronscan", "solscan", "blockchair", "block", "signature", "receipt",
    "哈希", "交易", "交易哈希", "交易号", "区块", "區塊", "浏览器", "瀏覽器", "单号", "订单号",
    "transacción", "transaccion", "comprobante", "firma",
    "хеш", "хэш", "транзакция", "транзакции", "транзакцию", "квитанция", "подпись",
    "hachage", "reçu",
    "transazione", "transação",
)
# Anywhere in the message: it is about a payment, so a 64-hex string in it is that payment's hash.
_TX_EVENT = (
    r"(?<!\w)(?:transfer\w*|sent|paid|payment\w*|withdr\w*|deposit\w*|received|arrived|pending|stuck|confirm\w*|"
    r"refund\w*|bought|swap\w*|"
    r"transferencia\w*|transfer[íi]\w*|envi[éó]|enviad[oa]s?|pag[óo]|pagu[ée]|pago|dep[óo]sito\w*|retir[oóée]\w*|"
    r"recib[íi]\w*|pendiente\w*|lleg[óo]|llegaron|"
    r"перев[её]д\w*|перев[её]л\w*|отправил\w*|оплат\w*|плат[её]ж\w*|депозит\w*|вывод\w*|вывел\w*|"
    r"пополнени\w*|получил\w*|завис\w*|пришл\w*|пришёл|"
    r"virement\w*|transfert\w*|envoy[ée]\w*|paiement\w*|pay[ée]\w*|d[ée]p[ôo]t\w*|retrait\w*|attente|arriv[ée]\w*)"
    r"(?!\w)|转账|轉賬|转帐|转出|转入|提币|提幣|充值|充币|提现|付款|支付|到账|到賬|收款|兑换"
)


# The patterns are only needed when a key-like string turns up: compiled then, not at import.
@functools.cache
def _tx_event_re() -> re.Pattern[str]:
    return re.compile(_TX_EVENT, re.IGNORECASE)


@functools.cache
def _terms_re(terms: tuple[str, ...]) -> re.Pattern[str]:
    """Latin and Cyrillic terms as whole words (the word-edge test first: fast), CJK terms anywhere."""
    ordered = sorted(set(terms), key=len, reverse=True)
    words = "|".join(re.escape(t) for t in ordered if not "\u3400" <= t[0] <= "\u9fff")
    cjk = "|".join(re.escape(t) for t in ordered if "\u3400" <= t[0] <= "\u9fff")
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)|{cjk}", re.IGNORECASE)


@dataclass(frozen=True)
class KeyHit:
    """A key or keystore found in the text (offsets into it); never holds the secret."""

    start: int
    end: int
    kind: str
    format: str
    confidence: str
    checksum: bool | None = None


def _nearest(pattern: re.Pattern[str], text: str, start: int, end: int) -> int | None:
    """Characters between the span and the closest match of ``pattern`` around it (None when none)."""
    best: int | None = None
    low = max(0, start - CONTEXT_BEFORE)
    for match in pattern.finditer(text, low, start):
        distance = start - match.end()
        best = distance if best is None else min(best, distance)
    for match in pattern.finditer(text, end, min(len(text), end + CONTEXT_AFTER)):
        distance = match.start() - end
        best = distance if best is None else min(best, distance)
        break
    return best


def _in_link(text: str, start: int) -> bool:
    """True when the span continues a URL (``https://tronscan.org/#/transaction/<hash>``)."""
    line_start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start), text.rfind("\t", 0, start)) + 1
    prefix = text[line_start:start]
    if "://" in prefix or prefix.lower().startswith("www."):
        return True
    # scheme-less explorer links: etherscan.io/tx/<hash>
    return "/" in prefix and "." in prefix.split("/", 1)[0]


def _key_or_hash(text: str, start: int, end: int) -> str | None:
    """``high``/``low`` confidence that the span is a key, or None when it is a hash."""
    if _in_link(text, start):
        return None
    key_distance = _nearest(_terms_re(KEY_TERMS), text, start, end)
    hash_distance = _nearest(_terms_re(HASH_TERMS), text, start, end)
    if key_distance is not None and (hash_distance is None or key_distance <= hash_distance):
        return "high"
    if hash_distance is not None or _tx_event_re().search(text) is not None:
        return None
    return "low"


def b58decode(value: str) -> bytes:
    """Base58 (Bitcoin alphabet) to bytes."""
    number = 0
    for ch in value:
        number = number * 58 + _B58_INDEX[ch]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    leading = len(value) - len(value.lstrip("1"))
    return b"\x00" * leading + body


def _checksum_ok(raw: bytes) -> bool:
    import hashlib  # OpenSSL's start-up is a few ms of every cold command; few messages get here

    if len(raw) < 5:
        return False
    payload, checksum = raw[:-4], raw[-4:]
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == checksum


def is_wif(value: str) -> bool:
    """A valid WIF private key (mainnet or testnet, compressed or not, checksum verified)."""
    if len(value) not in (51, 52):
        return False
    raw = b58decode(value)
    if not _checksum_ok(raw):
        return False
    payload = raw[:-4]
    if payload[:1] not in (b"\x80", b"\xef"):
        return False
    return len(payload) == 33 or (len(payload) == 34 and payload[-1] == 1)


def _wif_shaped(value: str) -> bool:
    return (len(value) == 51 and value[0] in "59") or (len(value) == 52 and value[0] in "KLc")


def find_keys(text: str) -> list[KeyHit]:
    """Every private key in ``text``."""
    hits: list[KeyHit] = []
    if _LONG_RUN_RE.search(text) is None and "[" not in text:
        return hits
    for match in _HEX_RE.finditer(text):
        confidence = _key_or_hash(text, match.start(), match.end())
        if confidence:
            fmt = "hex_0x" if match.group()[:2] in ("0x", "0X") else "hex"
            hits.append(KeyHit(match.start(), match.end(), "private_key", fmt, confidence))
    for match in _B58_RE.finditer(text):
        value = match.group()
        length = len(value)
        if length in (51, 52):
            if is_wif(value):
                hits.append(KeyHit(match.start(), match.end(), "wif", "wif", "high", True))
            elif _wif_shaped(value) and not _in_link(text, match.start()):
                key_distance = _nearest(_terms_re(KEY_TERMS), text, match.start(), match.end())
                if key_distance is not None:
                    hits.append(KeyHit(match.start(), match.end(), "wif", "wif", "medium", False))
        elif length in (111, 112) and value[1:4] == "prv":
            raw = b58decode(value)
            if _checksum_ok(raw) and len(raw) == 82:
                hits.append(KeyHit(match.start(), match.end(), "private_key", "extended", "high", True))
        elif 86 <= length <= 90 and len(b58decode(value)) == 64:
            # A Solana secret key (64 bytes) looks like a transaction signature: context decides.
            confidence = _key_or_hash(text, match.start(), match.end())
            if confidence:
                hits.append(KeyHit(match.start(), match.end(), "private_key", "base58", confidence))
    if "[" in text:
        for match in _BYTE_ARRAY_RE.finditer(text):
            numbers = [n for n in re.split(r"[\s,]+", match.group()[1:-1].strip()) if n]
            if (len(numbers) in (32, 64) and all(len(n) <= 3 and int(n) <= 255 for n in numbers)
                    and (len(numbers) == 64 or _nearest(_terms_re(KEY_TERMS), text, match.start(), match.end()) is not None)):
                hits.append(KeyHit(match.start(), match.end(), "private_key", "byte_array", "high"))
    return hits


def find_keystores(text: str) -> list[KeyHit]:
    """Keystore JSON (an encrypted private key): the whole object around ``ciphertext``/``kdfparams``."""
    lowered = text.lower()
    if "ciphertext" not in lowered and "params" not in lowered:
        return []
    if _KEYSTORE_RE.search(text) is None or _KEYSTORE_CONFIRM_RE.search(text) is None:
        return []
    objects = _top_level_objects(text)
    hits: list[KeyHit] = []
    for match in _KEYSTORE_RE.finditer(text):
        if hits and match.start() < hits[-1].end:
            continue
        span = next(((s, e) for s, e in objects if s <= match.start() < e), None)
        if span is None:
            # A fragment without its braces: from the start of its line to the end of the last keystore field.
            line_start = text.rfind("\n", 0, match.start()) + 1
            line_end = text.find("\n", match.end())
            span = (line_start, len(text) if line_end < 0 else line_end)
        hits.append(KeyHit(span[0], span[1], "keystore", "json", "high"))
    return hits


def _top_level_objects(text: str) -> list[tuple[int, int]]:
    """Spans of outermost ``{...}`` in ``text`` (string-aware; an unclosed one runs to the end)."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    in_string = False
    for match in re.finditer(r'\\.|["{}]', text):
        token = match.group()
        if in_string:
            if token == '"':
                in_string = False
            continue
        if token == '"':
            in_string = depth > 0
        elif token == "{":
            if depth == 0:
                start = match.start()
            depth += 1
        elif token == "}" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, match.end()))
    if depth:
        spans.append((start, len(text)))
    return spans

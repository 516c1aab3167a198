"""Private keys and keystores in every shape a customer pastes them.

A raw private key and a transaction hash look the same (64 hex digits, with or without
``0x``; TRON txids and Bitcoin txids have no ``0x``). The words around them tell them apart:

1. inside a link (an explorer URL) it is a hash, except as the value of a query or
   fragment parameter whose name says key/secret/pk/priv/seed (``?pk=``, ``&privateKey=``,
   ``#key=``): wallet deep links and faucet pages put keys there, explorers never do;
2. the nearest of a *key* word (private key, seed, 私钥, clave privada, приватный ключ,
   clé privée, key, export ...) and a *hash* word (hash, txid, tx, transaction, explorer,
   交易哈希, хеш, hachage ...) decides; a tie goes to the key;
3. a message asking us to send on the customer's behalf ("no gas, send it for me",
   "envíalo tú", "отправьте за меня", "envoyez-le pour moi", "你帮我转") is handing over
   the key: only a key lets anyone send from a wallet, so rule 4 does not apply;
4. with none of these, a message about a payment (sent, pending, withdrawal, 转账, 到账,
   перевод, transferencia, virement ...) holds that payment's hash;
5. otherwise it is treated as a key.

Why rule 5: customers who paste a hash say what it is or what happened to their
transfer, while a bare 64-hex string with nothing about a payment is what a key export gives.
A hash taken for a key costs a redaction the agent can undo by asking for the explorer
link (links are never redacted); a key taken for a hash puts a live key into replies,
files and logs. The finding's ``confidence`` is ``low`` for this case so the agent knows.

The same 64 hex digits split in groups ("a1b2 c3d4 ...", with ``-`` or ``:`` too) are a
key whatever the message is about: that is how keys are copied onto paper, and no explorer
or wallet shows a hash that way; only a nearer hash word keeps them. Split across lines
(32 + 32, 4 x 16, a wrapped terminal) they follow the rules above, as a wrapped hash is
common on phones.

Checksummed formats decide for themselves:

- WIF (51/52 base58 characters, first character ``5 K L`` mainnet, ``9 c`` testnet;
  version byte 0x80/0xef, Bitcoin wiki "Wallet import format"). A WIF-shaped string whose
  checksum fails is still the key when one substituted character makes it valid: a
  random string passes that test about once in 2^32 / 3,000, and trying all 51 x 57
  substitutions costs a few milliseconds, so at most ``REPAIR_BUDGET`` strings per text
  get it (bounded work on adversarial text). Past that, or with two typos, the rule of
  before applies: a key word next to it. Why repair rather than "WIF shape and no
  tx/address context": a typo'd WIF gets pasted next to "sent" or "address" too ("I sent
  everything to the address of this key"), and the checksum does not care what the
  message is about.
- Extended private keys (111 base58 characters, BIP32 serialization): version bytes from
  BIP32 (xprv 0488ADE4, tprv 04358394), SLIP-0132 (yprv 049D7878, zprv 04B2430C,
  Yprv 0295B005, Zprv 02AA7A99, uprv 044A4E28, vprv 045F18BC) and Litecoin Core's
  chainparams (Ltpv 019D9CFE). A bad checksum with the prefix spelled right is still the
  key (the prefix says "private" by itself); with a typo in the prefix too, only next to
  a key word.
- A Solana secret key (64 bytes: base58 86-90 characters, or a JSON array of 64 numbers)
  looks like a transaction signature. Its last 32 bytes are the ed25519 public key of the
  first 32, but no ed25519 library is importable here (``cryptography`` and ``PyNaCl`` are
  not dependencies) and curve arithmetic is not code a help-desk tool should own, so the
  words decide as for hex: a key word nearer than a hash word wins over any transfer word.
  A 64-number array is a key outright (signatures are never pasted as byte arrays).

Other chains' formats:

- Polkadot/Substrate: a raw seed is ``0x`` + 64 hex ("seed", "secret seed", "raw seed"
  are key words); a secret URI ``<mnemonic>//hard/soft///password`` (sp-core's SecretUri)
  has its ``///password`` redacted (the mnemonic is the phrase finder's); a polkadot-js
  JSON export (``"encoded"`` + ``"encoding": {"content": ["pkcs8", ...]}``) is a keystore.
- Cosmos/Tendermint: the ``priv_key`` object of ``priv_validator_key.json``
  (``"type": "tendermint/PrivKeyEd25519"``, CometBFT) is redacted whole; any PEM-style
  ``-----BEGIN ... PRIVATE KEY-----`` block (RFC 7468; Tendermint's armored export adds
  ``kdf:``/``salt:`` headers) to its END line, or through its body when the END is
  missing; a bare padded base64 key (44 characters = 32 bytes secp256k1/ed25519 seed,
  88 = 64 bytes ed25519) next to a key word.

A keystore (encrypted key JSON: ``crypto``/``ciphertext``/``kdf``, or polkadot-js's) is
redacted as the whole JSON object around it.

Every finder is linear in the text: each pattern is anchored by a look-behind so a
search never restarts inside a run, context windows are bounded (``CONTEXT_BEFORE``,
``CONTEXT_AFTER``, ``LINK_LOOKBACK``), and message-wide facts (is it about a payment?)
are computed once per text, not once per candidate.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import compress, count, repeat
from operator import eq

from supportkit.text import is_han

_HEX_RE = re.compile(r"(?<![0-9A-Za-z])(?:0[xX])?[0-9a-fA-F]{64}(?![0-9A-Za-z])")
# Hex groups joined by separators; the groups are checked in Python. Groups are bounded so a
# long unbroken run fails after 64 characters instead of backtracking through all of it.
_HEX_RUN_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:0[xX])?[0-9a-fA-F]{1,64}"
    r"(?:(?:(?:[ \t\r]*\n){1,3}[ \t]*|[ \t]*[:\-][ \t]*|[ \t]+)[0-9a-fA-F]{1,64})+"
    r"(?![0-9A-Za-z])")
_HEX_SEPARATOR_RE = re.compile(r"([^0-9a-fA-F]+)")
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(_B58_ALPHABET)}
# Letters and digits, not only base58: a typo can bring in one of 0 O I l.
_ALNUM_RUN_RE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{50,112}(?![0-9A-Za-z])")
_NOT_B58_RE = re.compile(r"[0OIl]")
_ONLY_HEX_RE = re.compile(r"[0-9a-fA-F]+")
# A key copied in part ("only part of my private key: 89c8...3b"): most of 64 digits, next to key words.
_PARTIAL_HEX_RE = re.compile(r"(?<![0-9A-Za-z])(?:0[xX])?(?:[0-9a-fA-F]{48,63}|[0-9a-fA-F]{65,130})(?![0-9A-Za-z])")
"""Most of a key (48-63 digits), or a key with more (65-130: a 64-byte ed25519 pair is 128)."""
_B58_CHARS = "1-9A-HJ-NP-Za-km-z"


@functools.cache
def _grouped_b58_re() -> re.Pattern[str]:
    """Base58 in blocks of 4 to 8 ("5Kb8 kLf9 zgWQ ..."): a WIF or extended key copied in blocks
    (the blocks' sizes are checked after: one pattern is faster than one per size)."""
    return re.compile(rf"(?<![0-9A-Za-z])(?:[{_B58_CHARS}]{{4,8}}[ \t\r\n\-|/._]{{1,3}}){{6,}}[{_B58_CHARS}]{{1,8}}"
                      r"(?![0-9A-Za-z])")
# Two lines of base58 that make one key (a WIF or an extended key wrapped or pasted in halves).
_B58_PART = "[1-9A-HJ-NP-Za-km-z]{10,100}"
_SPLIT_B58_RE = re.compile(rf"(?<![0-9A-Za-z])(?=({_B58_PART})((?:[ \t\r]*\n){{1,3}}[ \t]*)({_B58_PART})(?![0-9A-Za-z]))")
_LONG_RUN_RE = re.compile(r"[0-9A-Za-z]{50}")
_BYTE_ARRAY_RE = re.compile(r"\[[\d\s,]{63,1300}\]")
_B64_KEY_RE = re.compile(r"(?<![A-Za-z0-9+/=])(?:[A-Za-z0-9+/]{43}=|[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])")
_B64_VALUE_RE = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")
_ARMOR_RE = re.compile(r"-----(BEGIN|END) [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
# What follows a BEGIN line when the END line is missing: "Name: value" headers, a blank line,
# full base64 lines (64 in PEM, 70 in OpenSSH, 76 in MIME), a last shorter one, a "=abcd" checksum.
_ARMOR_BODY_RE = re.compile(
    r"(?:\r?\n[ \t]*[\w-]{1,40}:[^\n]{0,200})*(?:\r?\n[ \t]*(?=\r?\n))?"
    r"(?:\r?\n[ \t]*[A-Za-z0-9+/]{60,80})*"
    r"(?:\r?\n[ \t]*(?:[A-Za-z0-9+/]{16,80}={0,2}|[A-Za-z0-9+/]{1,80}={1,2}))?"
    r"(?:\r?\n[ \t]*=[A-Za-z0-9+/]{4})?")
_ARMOR_LINE_RE = re.compile(
    r"[ \t]*(?:[A-Za-z0-9+/]{16,100}={0,2}|[A-Za-z0-9+/]{1,100}={1,2}|=[A-Za-z0-9+/]{4})[ \t\r]*")
_TENDERMINT_TYPE_RE = re.compile(r"\"[\w./]{0,60}PrivKey\w{0,20}\"")
_PUBLIC_RE = re.compile(r"pub_?key|public[ _]?key|公钥|公鑰|публичн\w* ключ|clave p[úu]blica|cl[ée] publique",
                        re.IGNORECASE)
_SURI_PASSWORD_RE = re.compile(r"(?<=[\w-])///(?!/)[^\s'\"]+")
_URL_PARAM_RE = re.compile(r"[?&#;]([\w.\[\]%-]{1,40})=$")
_KEY_PARAM_NAME_RE = re.compile(r"key|secret|pk|priv|seed", re.IGNORECASE)
_KEYSTORE_TRIGGERS = (
    ("json", re.compile(r"[\"']?(?:ciphertext|cipherparams|kdfparams)[\"']?\s*:", re.IGNORECASE),
     re.compile(r"[\"']?(?:crypto|kdf|mac|cipher)[\"']?\s*:", re.IGNORECASE)),
    ("polkadot_json", re.compile(r"[\"']encoded[\"']\s*:"),
     # a cut-off export keeps its "encoded" value, the encrypted key itself
     re.compile(r"[\"']encoding[\"']\s*:|pkcs8|xsalsa20|[\"']encoded[\"']\s*:\s*[\"'][A-Za-z0-9+/]{64}", re.IGNORECASE)),
)

CONTEXT_BEFORE = 120
CONTEXT_AFTER = 60
LINK_LOOKBACK = 2048
"""How far back a URL is looked for: longer links are not pasted by hand."""
REPAIR_BUDGET = 8
"""WIF-shaped strings per text given the one-substitution checksum repair (a few ms each)."""

EXTENDED_PRIVATE_VERSIONS = {
    "xprv": 0x0488ADE4, "tprv": 0x04358394, "yprv": 0x049D7878, "zprv": 0x04B2430C, "Yprv": 0x0295B005,
    "Zprv": 0x02AA7A99, "uprv": 0x044A4E28, "vprv": 0x045F18BC, "Ltpv": 0x019D9CFE,
}
"""Base58 prefix of a 78-byte extended private key -> its version bytes (sources in the module docstring)."""

# Words right next to the string (nearest wins; a tie goes to the key).
KEY_TERMS = (
    "private key", "privatekey", "private_key", "priv key", "privkey", "priv_key", "secret key", "secret", "pk",
    "key", "keys", "keypair", "key pair", "export", "exported", "import", "imported", "seed", "raw seed",
    "secret seed",
    "私钥", "私鑰", "密钥", "密鑰", "秘钥", "导出", "導出", "导入", "導入", "种子", "種子",
    "clave privada", "llave privada", "clave", "llave", "secreto", "exportar", "exporté", "importar", "importé",
    "semilla",
    "приватный ключ", "приватного ключа", "приватник", "секретный ключ", "закрытый ключ", "ключ", "ключа", "ключом",
    "экспорт", "импорт", "сид",
    "clé privée", "cle privee", "clef privée", "clé", "clef", "exporter", "exporté", "importer", "importé", "graine",
    "chiave privata", "chave privada", "privater schlüssel",
    # The other languages of the BIP39 lists and of the dev set's foreign messages.
    "özel anahtar", "özel anahtarım", "ozel anahtar", "gizli anahtar", "soukromý klíč", "klucz prywatny",
    "khóa riêng", "khóa bí mật", "المفتاح الخاص", "秘密鍵", "개인키", "개인 키",
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
    r"перевод\w*|перев[её]д\w*|перев[её]л\w*|отправил\w*|оплат\w*|плат[её]ж\w*|депозит\w*|вывод\w*|вывел\w*|"
    r"пополнени\w*|получил\w*|завис\w*|пришл\w*|пришёл|"
    r"virement\w*|transfert\w*|envoy[ée]\w*|paiement\w*|pay[ée]\w*|d[ée]p[ôo]t\w*|retrait\w*|attente|arriv[ée]\w*|"
    # What a transfer's outcome and its parts are called: a failed transfer, its address, its amount.
    r"failed|fail|revert\w*|out_of_energy|out_of_gas|energy|address|wrong\s+address|"
    r"fall[óo]|fallid[oa]|direcci[óo]n|"
    r"ошибк\w*|адрес\w*|тх|"
    r"[ée]chou[ée]e?|[ée]chec|adresse|"
    r"\d[\d,.]*\s?(?:u|usdt|usdc|trx|eth|bnb|btc|sol|юсдт|usd)"
    r")(?!\w)|转账|轉賬|转帐|转出|转入|转错|轉錯|提币|提幣|充值|充币|提现|付款|支付|到账|到賬|收款|兑换|失败|失敗|地址|"
    r"\d\s?[uU](?![a-zA-Z])"
)
# Anywhere in the message: the customer asks us to send for them, which only the key allows.
_HANDOVER = (
    r"(?<!\w)(?:"
    r"(?:send|transfer|move|withdraw|sign)\s+(?:it|them|this|that|(?:the|my)\s+\w+)\s+for\s+me|"
    r"you\s+(?:send|transfer|move|withdraw)\s+(?:it|them)|"
    r"(?:env[ií]|mand|transfi[ée]r)\w*(?:lo|la|los|las)\s+(?:t[uú]|usted(?:es)?)|"
    r"(?:env[ií]|mand|transfi[ée]r)\w*\s+(?:tú|por\s+m[ií])|"
    r"(?:отправ|перевед|перевест|вывед|вывест|пошл)\w*\s+(?:за\s+меня|вместо\s+меня|сами)|"
    r"(?:envoy|transf[ée]r)\w*(?:-(?:le|la|les))?\s+(?:pour\s+moi|[àa]\s+ma\s+place|vous-m[êe]me)"
    r")(?!\w)|你帮我转|您帮我转|帮我转|替我转|代我转|你来转|你转吧"
)


# The patterns are only needed when a key-like string turns up: compiled then, not at import.
@functools.cache
def _tx_event_re() -> re.Pattern[str]:
    return re.compile(_TX_EVENT, re.IGNORECASE)


@functools.cache
def _handover_re() -> re.Pattern[str]:
    return re.compile(_HANDOVER, re.IGNORECASE)


@functools.cache
def _terms_re(terms: tuple[str, ...]) -> re.Pattern[str]:
    """Latin and Cyrillic terms as whole words (the word-edge test first: fast), CJK terms anywhere."""
    ordered = sorted(set(terms), key=len, reverse=True)
    words = "|".join(re.escape(t) for t in ordered if not is_han(t))
    cjk = "|".join(re.escape(t) for t in ordered if is_han(t))
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)|{cjk}", re.IGNORECASE)


@functools.cache
def _b58_weights() -> tuple[int, ...]:
    """58**k for every base58 position of a WIF, highest first."""
    return tuple(58 ** k for k in range(51, -1, -1))


@dataclass(frozen=True)
class KeyHit:
    """A key or keystore found in the text (offsets into it); never holds the secret."""

    start: int
    end: int
    kind: str
    format: str
    confidence: str
    checksum: bool | None = None


class _Reading:
    """One text under scan: the message-wide answers, each worked out at most once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._payment: bool | None = None
        self._handover: bool | None = None
        self.repairs_left = REPAIR_BUDGET

    def about_payment(self) -> bool:
        if self._payment is None:
            self._payment = _tx_event_re().search(self.text) is not None
        return self._payment

    def handing_over(self) -> bool:
        if self._handover is None:
            self._handover = _handover_re().search(self.text) is not None
        return self._handover

    def key_distance(self, start: int, end: int) -> int | None:
        return _nearest(_terms_re(KEY_TERMS), self.text, start, end)

    def key_nearer(self, start: int, end: int) -> bool | None:
        """True when a key word is nearer than any hash word, False when a hash word is, None with neither."""
        key_distance = self.key_distance(start, end)
        hash_distance = _nearest(_terms_re(HASH_TERMS), self.text, start, end)
        if key_distance is not None and (hash_distance is None or key_distance <= hash_distance):
            return True
        return False if hash_distance is not None else None

    def key_or_hash(self, start: int, end: int) -> str | None:
        """Rules 2-5 of the module docstring: a confidence that the span is a key, or None for a hash."""
        nearer = self.key_nearer(start, end)
        if nearer is not None:
            return "high" if nearer else None
        if self.handing_over():
            return "medium"
        return None if self.about_payment() else "low"


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
    low = max(0, start - LINK_LOOKBACK)
    line_start = max(text.rfind(" ", low, start), text.rfind("\n", low, start), text.rfind("\t", low, start), low - 1) + 1
    prefix = text[line_start:start]
    if "://" in prefix or prefix.lower().startswith("www."):
        return True
    # scheme-less explorer links: etherscan.io/tx/<hash>
    return "/" in prefix and "." in prefix.split("/", 1)[0]


def _link_role(text: str, start: int) -> str | None:
    """``key`` for the value of a key-named URL parameter, ``link`` for any other part of a link, else None."""
    param = _URL_PARAM_RE.search(text, max(0, start - 42), start)
    if param is not None and param.end() == start:
        name = param.group(1).lower()
        if _KEY_PARAM_NAME_RE.search(name) and "pub" not in name:
            return "key"
    return "link" if _in_link(text, start) else None


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
    if len(value) not in (51, 52) or _NOT_B58_RE.search(value):
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


def wif_one_substitution_away(value: str) -> bool:
    """Whether changing one character of the WIF-shaped ``value`` gives a valid WIF.

    The string's number changes by (new - old) * 58**position, so each candidate is one
    addition, a version/flag test and a double SHA-256; no candidate string is decoded.
    """
    import hashlib

    size = 38 if len(value) == 52 else 37  # version + 32-byte key (+ 0x01 compressed flag) + checksum
    weights = _b58_weights()[52 - len(value):]
    digits = [_B58_INDEX.get(ch, -1) for ch in value]
    unknown = [i for i, d in enumerate(digits) if d < 0]
    if len(unknown) > 1:
        return False
    number = sum(max(d, 0) * w for d, w in zip(digits, weights, strict=True))
    sha256 = hashlib.sha256
    for position in unknown or range(len(value)):
        base = number - max(digits[position], 0) * weights[position]
        for digit in range(58):
            if digit == digits[position]:
                continue
            candidate = base + digit * weights[position]
            if candidate.bit_length() > size * 8 or candidate >> (size * 8 - 8) not in (0x80, 0xEF):
                continue
            if size == 38 and (candidate >> 32) & 0xFF != 1:
                continue
            raw = candidate.to_bytes(size, "big")
            if sha256(sha256(raw[:-4]).digest()).digest()[:4] == raw[-4:]:
                return True
    return False


def _one_off(prefix: str, known: str) -> bool:
    return sum(a != b for a, b in zip(prefix, known, strict=True)) == 1


# --- one finder per format: each yields its hits for a _Reading ------------------------------


def _hex_keys(reading: _Reading) -> Iterator[KeyHit]:
    text = reading.text
    for match in _HEX_RE.finditer(text):
        start, end = match.span()
        fmt = "hex_0x" if match.group()[:2] in ("0x", "0X") else "hex"
        role = _link_role(text, start)
        if role == "key":
            yield KeyHit(start, end, "private_key", "url_param", "high")
        elif role is None and (confidence := reading.key_or_hash(start, end)):
            yield KeyHit(start, end, "private_key", fmt, confidence)


def _grouped_hex_keys(reading: _Reading) -> Iterator[KeyHit]:
    """64 hex digits in equal groups ("a1b2 c3d4 ...", "-", ":") or split across lines."""
    text = reading.text
    for run in _HEX_RUN_RE.finditer(text):
        if run.end() - run.start() < 64:
            continue
        offset = 2 if run.group()[:2] in ("0x", "0X") else 0
        parts = _HEX_SEPARATOR_RE.split(run.group()[offset:])  # group, separator, group, ...
        sizes = [len(group) for group in parts[0::2]]
        seps = parts[1::2]
        kinds = [":" if ":" in sep else "-" if "-" in sep else "\n" if "\n" in sep else " " for sep in seps]
        starts = list(itertools.accumulate(map(len, parts), initial=run.start() + offset))[0::2]
        for first, last in _windows_of_64(sizes, kinds):
            start = starts[first] - (offset if first == 0 else 0)
            end = starts[last] + sizes[last]
            if _link_role(text, start) is not None:
                continue
            if all(kind == "\n" for kind in kinds[first:last]):
                confidence = reading.key_or_hash(start, end)
            else:
                nearer = reading.key_nearer(start, end)
                confidence = None if nearer is False else "high" if nearer else "medium"
            if confidence:
                yield KeyHit(start, end, "private_key", "hex_grouped", confidence)


def _partial_hex_keys(reading: _Reading) -> Iterator[KeyHit]:
    """Most of a hex key (48-63 digits), or more than one (65-130), where a key word is nearer than any hash word."""
    for match in _PARTIAL_HEX_RE.finditer(reading.text):
        start, end = match.span()
        if _link_role(reading.text, start) is None and reading.key_nearer(start, end):
            yield KeyHit(start, end, "private_key", "hex_partial" if end - start < 70 else "hex_long", "medium")


def _grouped_base58_keys(reading: _Reading) -> Iterator[KeyHit]:
    """A WIF or extended key in blocks (checksum verified), or a Solana key in blocks next to key words."""
    for match in _grouped_b58_re().finditer(reading.text):
        blocks = re.findall(r"[0-9A-Za-z]+", match.group())
        if len({len(block) for block in blocks[:-1]}) != 1 or len(blocks[-1]) > len(blocks[0]):
            continue  # blocks of one size, the last one shorter: what a copy in blocks looks like
        value = "".join(blocks)
        start, end = match.span()
        if (checked := _checksummed_b58(value, start, end, "grouped")) is not None:
            yield checked
        elif 86 <= len(value) <= 90 and len(b58decode(value)) == 64 and reading.key_nearer(start, end):
            yield KeyHit(start, end, "private_key", "base58_grouped", "medium")


def _split_base58_keys(reading: _Reading) -> Iterator[KeyHit]:
    """A WIF or extended private key pasted over two lines (or two chat messages read together):
    the halves joined must carry the key's checksum, so nothing else is taken for one."""
    for match in _SPLIT_B58_RE.finditer(reading.text):
        first, gap, second = match.groups()
        value = first + second
        start = match.start()
        end = start + len(first) + len(gap) + len(second)
        if (checked := _checksummed_b58(value, start, end, "split")) is not None:
            yield checked


_KEY_PART_RE = re.compile(r"(?<![0-9A-Za-z])(?:0[xX])?(?:([0-9a-fA-F]{8,64})|([1-9A-HJ-NP-Za-km-z]{10,100}))(?![0-9A-Za-z])")
_WORDS_RE = re.compile(r"[^\W\d_]+")
MAX_PART_WORDS = 4
"""Words beside a piece of a key in its message ("part 2:", "私钥第一段：")."""


def names_a_key(text: str) -> bool:
    """Whether ``text`` has a word for a private key in it (and none for a hash)."""
    return _terms_re(KEY_TERMS).search(text) is not None and _terms_re(HASH_TERMS).search(text) is None


def key_like_part(message: str) -> tuple[int, int, str] | None:
    """``(start, end, "hex"|"base58")`` of the one run of hex or base58 in ``message`` that could be a
    piece of a key sent over several messages (a few words beside it at most), else None."""
    runs = list(_KEY_PART_RE.finditer(message))
    if len(runs) != 1:
        return None
    run = runs[0]
    rest = message[:run.start()] + " " + message[run.end():]
    if len(_WORDS_RE.findall(rest)) > MAX_PART_WORDS:
        return None
    kind = "hex" if run.group(1) else "base58"
    return run.start(), run.end(), kind


def joined_key(value: str, kind: str) -> KeyHit | None:
    """The key that pieces of several messages make when joined, if they make one: 64 hex digits
    (a hash is never sent in pieces), or base58 with a WIF's or an extended key's checksum."""
    value = value[2:] if value[:2] in ("0x", "0X") else value
    if kind == "hex":
        return KeyHit(0, len(value), "private_key", "hex_split", "medium") if len(value) == 64 else None
    return _checksummed_b58(value, 0, len(value), "split")


def _checksummed_b58(value: str, start: int, end: int, how: str) -> KeyHit | None:
    """A WIF or an extended private key put together from pieces (``how``: "grouped", "split"),
    when its checksum holds: nothing else of that length carries one."""
    if len(value) in (51, 52) and is_wif(value):
        return KeyHit(start, end, "wif", f"wif_{how}", "high", True)
    if len(value) in (111, 112) and value[:4] in EXTENDED_PRIVATE_VERSIONS:
        raw = b58decode(value)
        if len(raw) == 82 and _checksum_ok(raw):
            return KeyHit(start, end, "private_key", f"extended_{how}", "high", True)
    return None


def _windows_of_64(sizes: list[int], kinds: list[str]) -> Iterator[tuple[int, int]]:
    """(first, last) indexes of each run of equal groups holding 64 digits in all.

    One kind of separator per run (spaces and line breaks are one kind: four lines of four
    groups); after a line break the last group may be shorter (a wrapped line). One pass,
    started only where a window can begin (``_window_starts``): a run of hex-like junk has
    thousands of groups and a window in few places.
    """
    groups = len(sizes)
    first = 0
    for start in _window_starts(sizes, kinds):
        if start < first:
            continue
        first = start
        size = sizes[first]
        kind = kinds[first].replace("\n", " ") if first < groups - 1 else ""
        last = first
        while last + 1 < groups and sizes[last + 1] == size and kinds[last].replace("\n", " ") == kind:
            last += 1
        total = size * (last - first + 1)
        if total < 64 and last + 1 < groups and kinds[last] == "\n" and sizes[last + 1] == 64 - total:
            last += 1
            total = 64
        if total == 64 and last > first and size >= 2:
            yield first, last
        first = last + 1


def _window_starts(sizes: list[int], kinds: list[str]) -> list[int]:
    """The groups a window of ``_windows_of_64`` can begin at: those the next group continues (the
    same size) or completes after a line break. From any other group the one pass finds no
    window and moves on to the next group, so it may skip straight to these."""
    same = compress(count(), map(eq, sizes, sizes[1:]))
    wrapped = (i for i in compress(count(), map(eq, kinds, repeat("\n"))) if sizes[i] + sizes[i + 1] == 64)
    return sorted({*same, *wrapped})


def _base58_keys(reading: _Reading) -> Iterator[KeyHit]:
    """WIF, extended private keys and Solana secret keys (and their one-character typos)."""
    text = reading.text
    for match in _ALNUM_RUN_RE.finditer(text):
        value = match.group()
        start, end = match.span()
        typos = len(_NOT_B58_RE.findall(value))
        if typos > 1:
            continue
        length = len(value)
        if length in (51, 52) and _wif_shaped(value):
            yield from _wif(reading, value, start, end, typos)
        elif length in (111, 112):
            yield from _extended(reading, value, start, end, typos)
        elif 86 <= length <= 90 and not typos and len(b58decode(value)) == 64:
            role = _link_role(text, start)
            if role == "key":
                yield KeyHit(start, end, "private_key", "url_param", "high")
            elif role is None and (confidence := reading.key_or_hash(start, end)):
                yield KeyHit(start, end, "private_key", "base58", confidence)


def _wif(reading: _Reading, value: str, start: int, end: int, typos: int) -> Iterator[KeyHit]:
    if not typos and is_wif(value):
        yield KeyHit(start, end, "wif", "wif", "high", True)
        return
    if _link_role(reading.text, start) == "link":
        return
    # A real WIF uses the whole base58 alphabet: a hex-only string is never one, not worth repairing.
    repairable = reading.repairs_left > 0 and _ONLY_HEX_RE.fullmatch(value) is None
    if repairable:
        reading.repairs_left -= 1
    if (repairable and wif_one_substitution_away(value)) or reading.key_distance(start, end) is not None:
        yield KeyHit(start, end, "wif", "wif_typo", "medium", False)


def _extended(reading: _Reading, value: str, start: int, end: int, typos: int) -> Iterator[KeyHit]:
    prefix = value[:4]
    if not typos:
        raw = b58decode(value)
        if (len(raw) == 82 and _checksum_ok(raw)
                and int.from_bytes(raw[:4], "big") in EXTENDED_PRIVATE_VERSIONS.values()):
            yield KeyHit(start, end, "private_key", "extended", "high", True)
            return
    if _link_role(reading.text, start) == "link":
        return
    if prefix in EXTENDED_PRIVATE_VERSIONS or (
            any(_one_off(prefix, known) for known in EXTENDED_PRIVATE_VERSIONS)
            and reading.key_distance(start, end) is not None):
        yield KeyHit(start, end, "private_key", "extended", "medium", False)


def _byte_arrays(reading: _Reading) -> Iterator[KeyHit]:
    text = reading.text
    for match in _BYTE_ARRAY_RE.finditer(text):
        numbers = [n for n in re.split(r"[\s,]+", match.group()[1:-1].strip()) if n]
        if (len(numbers) in (32, 64) and all(len(n) <= 3 and int(n) <= 255 for n in numbers)
                and (len(numbers) == 64 or reading.key_distance(match.start(), match.end()) is not None)):
            yield KeyHit(match.start(), match.end(), "private_key", "byte_array", "high")


def _base64_keys(reading: _Reading) -> Iterator[KeyHit]:
    """A padded base64 32- or 64-byte key next to a key word (Cosmos/Tendermint exports).

    Public keys are base64 of 32 bytes too: one named so, or the value of a ``PubKey``
    object (``priv_validator_key.json``'s ``pub_key``), is left for the agent.
    """
    text = reading.text
    for match in _B64_KEY_RE.finditer(text):
        start, end = match.span()
        if _link_role(text, start) == "link" or not reading.key_nearer(start, end):
            continue
        public = _nearest(_PUBLIC_RE, text, start, start)
        key = reading.key_distance(start, end)
        opening = text.rfind("{", max(0, start - 200), start)
        in_public_object = (opening >= 0 and text.find("}", opening, start) < 0
                            and _PUBLIC_RE.search(text, opening, start) is not None)
        if not in_public_object and (public is None or key is None or key < public):
            yield KeyHit(start, end, "private_key", "base64", "high")


def _armored_keys(reading: _Reading) -> Iterator[KeyHit]:
    """``-----BEGIN ... PRIVATE KEY-----`` to its END line (through the body when END is missing)."""
    text = reading.text
    opened: int | None = None
    opened_end = 0
    for match in _ARMOR_RE.finditer(text):
        if match.group(1) == "END":
            # An END with no BEGIN: the start was cut off; the base64 lines above it go with it.
            start = _armor_body_start(text, match.start()) if opened is None else opened
            yield KeyHit(start, match.end(), "private_key", "pem", "high")
            opened = None
            continue
        if opened is not None:
            yield KeyHit(opened, _armor_body_end(text, opened_end), "private_key", "pem", "high")
        opened, opened_end = match.start(), match.end()
    if opened is not None:
        yield KeyHit(opened, _armor_body_end(text, opened_end), "private_key", "pem", "high")


def _armor_body_end(text: str, begin_line_end: int) -> int:
    body = _ARMOR_BODY_RE.match(text, begin_line_end)
    return body.end() if body else begin_line_end


def _armor_body_start(text: str, end_line_start: int) -> int:
    """The first of the base64 lines right above an END line (the END line itself when none)."""
    start = end_line_start
    while start > 0 and text[start - 1] == "\n":
        line_start = text.rfind("\n", 0, start - 1) + 1
        if _ARMOR_LINE_RE.fullmatch(text, line_start, start - 1) is None:
            break
        start = line_start
    return start


def _tendermint_keys(reading: _Reading) -> Iterator[KeyHit]:
    """The ``{"type": "tendermint/PrivKey...", "value": ...}`` object, or the value next to the type."""
    text = reading.text
    for match in _TENDERMINT_TYPE_RE.finditer(text):
        opening = text.rfind("{", max(0, match.start() - 300), match.start())
        closing = text.find("}", match.end(), match.end() + 400)
        if (opening >= 0 and closing >= 0 and text.find("}", opening, match.start()) < 0
                and text.find("{", match.end(), closing) < 0):
            yield KeyHit(opening, closing + 1, "private_key", "tendermint", "high")
            continue
        value = _B64_VALUE_RE.search(text, match.end(), match.end() + 300)
        if value is not None:
            # The whole '"type": "...", "value": "..."' pair, quotes included, so no stray quote is left.
            field = text.rfind('"type"', max(0, match.start() - 20), match.start())
            end = value.end() + (text[value.end():value.end() + 1] == '"')
            yield KeyHit(match.start() if field < 0 else field, end, "private_key", "tendermint", "high")


def _secret_uri_passwords(reading: _Reading) -> Iterator[KeyHit]:
    """The ``///password`` of a Substrate secret URI (the mnemonic before it is the phrase finder's)."""
    for match in _SURI_PASSWORD_RE.finditer(reading.text):
        if not _in_link(reading.text, match.start()):
            yield KeyHit(match.start(), match.end(), "private_key", "secret_uri", "high")


# What each format's match must hold, as patterns ``re`` scans for with a C-level loop (they
# start with a character class): the finders' own patterns start with a look-behind, which
# makes ``re`` try every position of the text.
# 64 digits in groups: after an optional "0x", 62 characters of hex digits and separators.
_HEX_GROUPS_HINT_RE = re.compile(r"[0-9a-fA-F \t\r\n:\-]{62}")
# 48 digits or more in a row.
_PARTIAL_HEX_HINT_RE = re.compile(r"[0-9a-fA-F]{48}")
# Six blocks of 4 and a separator, then a last block: 31 characters of base58 and separators.
_B58_GROUPS_HINT_RE = re.compile(rf"[{_B58_CHARS} \t\r\n\-|/._]{{31}}")
# A first half of ten base58 characters or more, then a line break.
_SPLIT_B58_HINT_RE = re.compile(rf"[{_B58_CHARS}]{{10}}[ \t\r]*\n")
# A padded base64 key: 43 base64 characters, then "=".
_B64_KEY_HINT_RE = re.compile(r"[A-Za-z0-9+/]{43}=")

def _has_long_run(text: str) -> bool:
    return _LONG_RUN_RE.search(text) is not None


# (finder, cheap test that the text could hold its format): most messages skip every finder.
# A test shared by two finders is run once per text (``find_keys``).
_FINDERS: tuple[tuple[Callable[[_Reading], Iterator[KeyHit]], Callable[[str], bool]], ...] = (
    (_hex_keys, _has_long_run),
    (_base58_keys, _has_long_run),
    (_grouped_hex_keys, lambda text: len(text) >= 64 and _HEX_GROUPS_HINT_RE.search(text) is not None),
    (_partial_hex_keys, lambda text: len(text) >= 48 and _PARTIAL_HEX_HINT_RE.search(text) is not None),
    (_split_base58_keys, lambda text: "\n" in text and len(text) >= 51 and _SPLIT_B58_HINT_RE.search(text) is not None),
    (_grouped_base58_keys, lambda text: len(text) >= 51 and _B58_GROUPS_HINT_RE.search(text) is not None),
    (_byte_arrays, lambda text: "[" in text),
    (_base64_keys, lambda text: "=" in text and _B64_KEY_HINT_RE.search(text) is not None),
    (_armored_keys, lambda text: "PRIVATE KEY" in text),
    (_tendermint_keys, lambda text: "PrivKey" in text),
    (_secret_uri_passwords, lambda text: "///" in text),
)


def find_keys(text: str) -> list[KeyHit]:
    """Every private key in ``text``, in order of position."""
    reading = _Reading(text)
    answers: dict[Callable[[str], bool], bool] = {}
    hits: list[KeyHit] = []
    for finder, could_hold in _FINDERS:
        if could_hold not in answers:
            answers[could_hold] = could_hold(text)
        if answers[could_hold]:
            hits.extend(finder(reading))
    return sorted(hits, key=lambda hit: (hit.start, -hit.end))


def find_keystores(text: str) -> list[KeyHit]:
    """Keystore JSON (an encrypted private key): the whole object around ``ciphertext``/``kdfparams``/``encoded``."""
    lowered = text.lower()
    if "ciphertext" not in lowered and "params" not in lowered and "encoded" not in lowered:
        return []
    triggers = sorted((match.start(), match.end(), fmt)
                      for fmt, trigger, confirm in _KEYSTORE_TRIGGERS
                      if confirm.search(text) is not None
                      for match in trigger.finditer(text))
    if not triggers:
        return []
    objects = _top_level_objects(text)
    starts = [s for s, _ in objects]
    hits: list[KeyHit] = []
    for match_start, match_end, fmt in triggers:
        if hits and match_start < hits[-1].end:
            continue
        index = bisect.bisect_right(starts, match_start) - 1
        if index >= 0 and match_start < objects[index][1]:
            span = objects[index]
        else:
            # A fragment without its braces: from the start of its line to the end of the last keystore field.
            line_start = text.rfind("\n", 0, match_start) + 1
            line_end = text.find("\n", match_end)
            span = (line_start, len(text) if line_end < 0 else line_end)
        hits.append(KeyHit(span[0], span[1], "keystore", fmt, "high"))
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

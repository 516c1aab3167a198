"""Private-key formats an attack pass got past the guard, each one now found whole; hashes that stay hashes.

Every secret is generated here from fixed seeds. Version bytes are written out from their
specifications (BIP32, SLIP-0132, Litecoin Core), not taken from the module under test.
"""

from __future__ import annotations

import base64
import json
import random
import sys
from types import FrameType
from typing import Any

import pytest

from supportkit.guard import keys, scan
from tests import secret_samples as samples

KEY = "[private key removed]"
WIF = "[private key removed]"  # a WIF key is a private key to a customer: same marker
KEYSTORE = "[keystore file removed]"


def _formats(text: str) -> list[tuple[str, str | None]]:
    return [(f.kind, f.format) for f in scan(text).findings]


# --- hex split across lines or grouped ---------------------------------------------------------


def _grouped(key: str, size: int, sep: str) -> str:
    return sep.join(key[i:i + size] for i in range(0, len(key), size))


HEX = samples.hex_key(21)
GROUPED_CASES = {
    "two_lines": HEX[:32] + "\n" + HEX[32:],
    "four_lines": _grouped(HEX, 16, "\n"),
    "wrapped_40_24": HEX[:40] + "\n" + HEX[40:],
    "crlf_indented": HEX[:32] + "\r\n    " + HEX[32:],
    "0x_two_lines": "0x" + HEX[:32] + "\n" + HEX[32:],
    "fours_spaces": _grouped(HEX, 4, " "),
    "fours_dashes": _grouped(HEX, 4, "-"),
    "fours_colons": _grouped(HEX, 4, ":"),
    "bytes_colons": _grouped(HEX.upper(), 2, ":"),
    "eights_spaces": _grouped(HEX, 8, " "),
    "four_lines_of_four_groups": "\n".join(_grouped(HEX[i:i + 16], 4, " ") for i in range(0, 64, 16)),
}


@pytest.mark.parametrize("name", GROUPED_CASES)
@pytest.mark.parametrize("frame", ["my private key:\n{}\nthanks", "{}", "私钥 {} 谢谢", "ключ: {}"])
def test_hex_split_or_grouped_is_one_key(name: str, frame: str) -> None:
    result = scan(frame.format(GROUPED_CASES[name]))
    assert result.redacted == frame.format(KEY), name
    assert [(f.kind, f.format) for f in result.findings] == [("private_key", "hex_grouped")]


def test_grouped_hex_is_a_key_even_in_a_payment_message() -> None:
    # Nobody copies a hash in groups of four; a split line follows the hex rules (a wrapped hash).
    grouped = _grouped(HEX, 4, " ")
    assert scan(f"my transfer is pending {grouped}").redacted == f"my transfer is pending {KEY}"
    wrapped = f"my transfer is pending\n{HEX[:32]}\n{HEX[32:]}"
    assert not scan(wrapped).secret_found


@pytest.mark.parametrize("text", [
    "a bad cafe, add beef and dead face",
    "uuid 3f2a9c1e-4b7d-4e8a-9c0f-1a2b3c4d5e6f and mac 00:1a:2b:3c:4d:5e",
    _grouped(HEX, 4, " ") + " " + "abcd",  # 17 groups: 68 digits, not a key's 64
])
def test_grouped_hex_needs_exactly_64_digits_in_equal_groups(text: str) -> None:
    assert not scan(text).secret_found


# --- a key in a URL parameter -------------------------------------------------------------------


@pytest.mark.parametrize("link", [
    "https://wallet.example/import?pk={}", "https://app.example/?chain=tron&privateKey={}",
    "https://faucet.example/#key={}", "https://x.example/recover?secret={}", "x.example/r?priv_key={}&a=1",
    "https://x.example/?seed={}",
])
@pytest.mark.parametrize("key", [HEX, "0x" + HEX])
def test_hex_in_a_key_named_url_parameter_is_a_key(link: str, key: str) -> None:
    result = scan("they told me to open " + link.format(key))
    assert result.redacted == "they told me to open " + link.format(KEY)
    assert _formats(link.format(key)) == [("private_key", "url_param")]


@pytest.mark.parametrize("link", [
    "https://etherscan.io/tx/0x{}", "https://tronscan.org/#/transaction/{}", "https://x.example/?txid={}",
    "https://x.example/?hash=0x{}", "https://x.example/account?pubkey={}", "https://x.example/?publicKey={}",
])
def test_hex_elsewhere_in_a_link_stays_a_hash(link: str) -> None:
    assert not scan("see " + link.format(HEX)).secret_found


# --- WIF with a typo ----------------------------------------------------------------------------


def _substitute(value: str, position: int, char: str) -> str:
    assert value[position] != char
    return value[:position] + char + value[position + 1:]


WIF_TYPOS = {
    "compressed_middle": _substitute(samples.wif(31), 25, "z" if samples.wif(31)[25] != "z" else "y"),
    "compressed_last": samples.bad_checksum(samples.wif(32)),
    "uncompressed": _substitute(samples.wif(33, compressed=False), 10, "Q" if samples.wif(33, compressed=False)[10] != "Q" else "R"),
    "testnet_compressed": samples.bad_checksum(samples.wif(34, testnet=True)),
    "testnet_uncompressed": samples.bad_checksum(samples.wif(35, compressed=False, testnet=True)),
    "zero_for_o": _substitute(samples.wif(36), 30, "0"),  # 0 is not base58
    "lower_l": _substitute(samples.wif(37), 40, "l"),
}


@pytest.mark.parametrize("name", WIF_TYPOS)
@pytest.mark.parametrize("frame", ["what is this code {}", "I sent everything to the address of {} yesterday", "{}"])
def test_wif_one_substitution_from_valid_is_the_key(name: str, frame: str) -> None:
    typo = WIF_TYPOS[name]
    assert not keys.is_wif(typo) and keys.wif_one_substitution_away(typo)
    result = scan(frame.format(typo))
    assert result.redacted == frame.format(WIF), name
    [finding] = result.findings
    assert (finding.kind, finding.format, finding.confidence, finding.checksum) == ("wif", "wif_typo", "medium", False)


def test_wif_shape_alone_is_not_a_key_but_a_key_word_makes_it_one() -> None:
    far = samples.two_typos(samples.wif(38))
    assert not keys.wif_one_substitution_away(far)
    assert not scan(f"what is this code {far}").secret_found
    assert scan(f"my private key {far}").redacted == f"my private key {WIF}"


# --- extended private keys ----------------------------------------------------------------------

EXTENDED_VERSIONS = {  # BIP32, SLIP-0132, Litecoin Core chainparams
    "xprv": "0488ade4", "tprv": "04358394", "yprv": "049d7878", "zprv": "04b2430c", "Yprv": "0295b005",
    "Zprv": "02aa7a99", "uprv": "044a4e28", "vprv": "045f18bc", "Ltpv": "019d9cfe",
}
PUBLIC_VERSIONS = {"xpub": "0488b21e", "tpub": "043587cf", "zpub": "04b24746", "Ltub": "019da462"}


def _extended(version: str, seed: int) -> str:
    rng = random.Random(f"ext-{version}-{seed}")
    payload = bytes.fromhex(version) + b"\x03" + rng.randbytes(4) + b"\x00\x00\x00\x01" + rng.randbytes(32)
    return samples.b58check(payload + b"\x00" + rng.randbytes(32))


@pytest.mark.parametrize("prefix", EXTENDED_VERSIONS)
def test_every_extended_private_key_prefix(prefix: str) -> None:
    value = _extended(EXTENDED_VERSIONS[prefix], 1)
    assert value.startswith(prefix)
    typo_body = samples.bad_checksum(value)
    typo_prefix = _substitute(value, 1, "q")  # xprv -> xqrv: no longer says "private" by itself
    assert _formats(f"restore this {value}") == [("private_key", "extended")]
    assert scan(f"restore this {typo_body}").redacted == f"restore this {KEY}"
    assert scan(f"my key {typo_prefix}").redacted == f"my key {KEY}"
    assert not scan(f"what is {typo_prefix}").secret_found


@pytest.mark.parametrize("prefix", PUBLIC_VERSIONS)
def test_extended_public_keys_are_not_secrets(prefix: str) -> None:
    value = _extended(PUBLIC_VERSIONS[prefix], 2)
    assert value.startswith(prefix)
    assert not scan(f"my watch-only key {value}").secret_found


# --- Polkadot / Substrate -----------------------------------------------------------------------


@pytest.mark.parametrize("frame", [
    "the transfer failed, here is my raw seed {}", "I sent DOT yesterday and nothing arrived. Secret seed: {}",
    "la transferencia falló, mi semilla: {}", "перевод завис, сид {}", "le virement est bloqué, graine {}",
    "转账失败了，种子 {}",
])
def test_substrate_raw_seed_in_a_payment_message(frame: str) -> None:
    assert scan(frame.format("0x" + HEX)).redacted == frame.format(KEY)


def test_secret_uri_password_is_removed_and_the_mnemonic_by_the_phrase_finder() -> None:
    words = samples.phrase("english", 12, 41)
    result = scan(f"my account: {' '.join(words)}//polkadot//0///Hunter2-pass please help")
    assert "Hunter2" not in result.redacted and "///" not in result.redacted
    assert not samples.leaked(result.redacted, words)
    # "pass please help" are list words joined to the phrase: redacted with it (guard/phrases.py, _hit).
    assert result.redacted.startswith("my ")
    assert scan("//Alice///s3cret").redacted == "//Alice" + KEY
    assert not scan("see file:///home/me/wallet.json").secret_found


def _polkadot_export(seed: int) -> str:
    rng = random.Random(f"dot-{seed}")
    return json.dumps({
        "encoded": base64.b64encode(rng.randbytes(117)).decode(),
        "encoding": {"content": ["pkcs8", "sr25519"], "type": ["scrypt", "xsalsa20-poly1305"], "version": "3"},
        "address": "5" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") for _ in range(47)),
        "meta": {"genesisHash": "0x" + rng.randbytes(32).hex(), "name": "main", "whenCreated": 1700000000000},
    }, indent=2)


@pytest.mark.parametrize("cut", [None, 120])
def test_polkadot_js_json_export_is_a_keystore(cut: int | None) -> None:
    export = _polkadot_export(1)[:cut]
    result = scan(f"backup from polkadot.js:\n{export}\nthe password is my dog")
    # A cut-off object runs to the end of the message, as a cut-off Ethereum keystore does.
    after = "" if cut else "\nthe password is my dog"
    assert result.redacted == f"backup from polkadot.js:\n{KEYSTORE}{after}"
    assert _formats(export) == [("keystore", "polkadot_json")]


def test_the_word_encoded_is_not_a_keystore() -> None:
    assert not scan('the app shows "encoded": true in the settings, what does it mean?').secret_found


# --- Cosmos / Tendermint ------------------------------------------------------------------------

B64_32 = base64.b64encode(random.Random("b64-32").randbytes(32)).decode()
B64_64 = base64.b64encode(random.Random("b64-64").randbytes(64)).decode()


def test_priv_validator_key_json_loses_its_private_key() -> None:
    pub = base64.b64encode(random.Random("pub").randbytes(32)).decode()
    file = json.dumps({
        "address": "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678",
        "pub_key": {"type": "tendermint/PubKeyEd25519", "value": pub},
        "priv_key": {"type": "tendermint/PrivKeyEd25519", "value": B64_64},
    }, indent=2)
    result = scan(f"my node is jailed, priv_validator_key.json:\n{file}")
    assert B64_64[:12] not in result.redacted and pub in result.redacted
    assert f'"priv_key": {KEY}' in result.redacted
    assert [(f.kind, f.format) for f in result.findings] == [("private_key", "tendermint")]
    fragment = f'"type":"tendermint/PrivKeyEd25519","value":"{B64_64}"'
    assert scan(fragment).redacted == KEY
    assert scan(f"validator public key: {pub}").redacted == f"validator public key: {pub}"


ARMOR_BODY = "\n".join([
    "kdf: bcrypt", "salt: 5A4B3C2D1E0F5A4B3C2D1E0F5A4B3C2D", "type: secp256k1", "",
    base64.b64encode(random.Random("armor").randbytes(48)).decode(),
    base64.b64encode(random.Random("armor2").randbytes(20)).decode(), "=Z3xq",
])


@pytest.mark.parametrize("label", ["TENDERMINT PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY",
                                   "ENCRYPTED PRIVATE KEY", "PRIVATE KEY"])
def test_armored_private_key_block(label: str) -> None:
    block = f"-----BEGIN {label}-----\n{ARMOR_BODY}\n-----END {label}-----"
    assert scan(f"exported with gaiad:\n{block}\nwhat now?").redacted == f"exported with gaiad:\n{KEY}\nwhat now?"
    assert _formats(block) == [("private_key", "pem")]


def test_armored_block_cut_off_at_either_end() -> None:
    begin = "-----BEGIN TENDERMINT PRIVATE KEY-----"
    end = "-----END TENDERMINT PRIVATE KEY-----"
    body_lines = ARMOR_BODY.split("\n")[4:]
    assert scan(f"{begin}\n{ARMOR_BODY}\n\nhelp").redacted == f"{KEY}\n\nhelp"
    assert scan("tail of it:\n" + "\n".join(body_lines) + f"\n{end}").redacted == f"tail of it:\n{KEY}"


@pytest.mark.parametrize("frame", ["validator private key: {}", "my key {}", "私钥 {}", "ключ: {}", "clé privée {}"])
@pytest.mark.parametrize("value", [B64_32, B64_64])
def test_base64_key_next_to_key_words(frame: str, value: str) -> None:
    assert scan(frame.format(value)).redacted == frame.format(KEY)


@pytest.mark.parametrize("frame", ["signature {}", "{}", "tx {} confirmed"])
def test_base64_without_key_words_stays(frame: str) -> None:
    assert not scan(frame.format(B64_64)).secret_found


# --- Solana secret keys next to transfer words --------------------------------------------------

SOL = samples.solana_secret(51)
SOL_ARRAY = json.dumps(list(random.Random("sol-array").randbytes(64)))


@pytest.mark.parametrize("frame", [
    "I sent 2 SOL from Phantom and it never arrived, the keypair: {}",
    "I sent everything, here is my secret key {}", "enviado desde esta cuenta, mi clave: {}",
    "отправил с этого кошелька, ключ {}", "j'ai envoyé 2 SOL, voici ma clé {}", "我转账了，私钥是 {}",
])
@pytest.mark.parametrize("secret", [SOL, SOL_ARRAY], ids=["base58", "byte_array"])
def test_solana_secret_key_word_wins_over_transfer_words(frame: str, secret: str) -> None:
    assert scan(frame.format(secret)).redacted == frame.format(KEY)


@pytest.mark.parametrize("frame", [
    "I sent 2 SOL, signature {}", "I sent it yesterday {}", "enviado, la firma es {}", "отправил, подпись {}",
    "transaction {} — my private key is safe, right?",
])
def test_solana_signature_next_to_transfer_words_stays(frame: str) -> None:
    assert not scan(frame.format(SOL)).secret_found


# --- "no gas, send it for me": the key handed over ------------------------------------------------

TRON_TXID = samples.hex_key(61)


@pytest.mark.parametrize(("lang", "frame"), [
    ("en", "no gas, send it for me {}"),
    ("en", "my USDT withdrawal is stuck, I can't pay the fee, you send it {}"),
    ("en", "transfer failed: no gas. Please send my USDT for me: {}"),
    ("es", "no tengo gas, envíalo tú {}"),
    ("es", "mi retiro está pendiente, no tengo gas, envíalo tú {}"),
    ("ru", "нет газа, отправьте за меня {}"),
    ("ru", "вывод завис, нет газа, отправьте за меня {}"),
    ("fr", "pas de gas, envoyez-le pour moi {}"),
    ("fr", "mon virement est en attente, pas de gas, envoyez-le pour moi {}"),
    ("zh", "没有gas，你帮我转 {}"),
    ("zh", "转账转不出去，没有gas，你帮我转 {}"),
])
def test_send_it_for_me_hands_over_the_key(lang: str, frame: str) -> None:
    result = scan(frame.format(TRON_TXID))
    assert result.redacted == frame.format(KEY), lang
    assert result.findings[0].confidence == "medium"


@pytest.mark.parametrize(("lang", "frame"), [
    ("en", "my transfer is pending {}"), ("zh", "转账一直没到账 {}"), ("ru", "перевод завис {}"),
    ("es", "mi transferencia está pendiente {}"), ("fr", "mon virement est en attente {}"),
    ("en", "I sent it myself but it is stuck {}"), ("ru", "отправил сам, перевод завис {}"),
    ("es", "envía tu comprobante, dicen; mi depósito no llegó {}"),
])
def test_tron_txid_in_a_payment_message_stays_a_hash(lang: str, frame: str) -> None:
    assert not scan(frame.format(TRON_TXID)).secret_found, lang


# --- linear work -------------------------------------------------------------------------------------


def _junk(size: int, seed: int) -> str:
    """Hex-like junk touching every finder: hex runs, groups, WIF shapes, links, armor, base64, SURIs."""
    rng = random.Random(seed)
    pieces: list[str] = []
    length = 0
    makers = [
        lambda: rng.randbytes(rng.choice((8, 16, 32, 33))).hex(),
        lambda: samples.wif(rng.randrange(10**6))[:-1] + "z",
        lambda: "?pk=" + rng.randbytes(32).hex(),
        lambda: "https://x.io/tx/" + rng.randbytes(32).hex(),
        lambda: "-----BEGIN EC PRIVATE KEY-----",
        lambda: base64.b64encode(rng.randbytes(32)).decode(),
        lambda: '"tendermint/PrivKeyEd25519"',
        lambda: "a///b",
        lambda: "[" + ",".join(str(rng.randrange(256)) for _ in range(rng.choice((31, 64)))) + "]",
        lambda: '{"ciphertext": "' + rng.randbytes(8).hex() + '", "kdf": 1}',
        lambda: rng.choice(("sent", "key", "hash", "no gas, send it for me")),
    ]
    while length < size:
        piece = rng.choice(makers)() + rng.choice((" ", "\n", "-", ":", " ", ", "))
        pieces.append(piece)
        length += len(piece)
    return "".join(pieces)[:size]


def _lines_run(text: str) -> int:
    """Python lines executed in the key finders for ``text`` (deterministic, unlike a clock)."""
    count = 0
    module_file = keys.__file__

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if frame.f_code.co_filename != module_file:
            return None
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        keys.find_keys(text)
        keys.find_keystores(text)
    finally:
        sys.settrace(None)
    return count


def test_key_finders_do_linear_work() -> None:
    # Each text is the one before it and as much again (same seed), so the work added by the
    # second half is compared with the first's: twice as much for a linear scan, four times
    # for one that rescans the text per candidate. Differences cancel the fixed costs (the
    # WIF repairs a text gets, compiled patterns).
    small, medium, large = (_lines_run(_junk(size, 1)) for size in (20_000, 40_000, 80_000))
    assert 1.6 < (large - medium) / (medium - small) < 2.4, (small, medium, large)

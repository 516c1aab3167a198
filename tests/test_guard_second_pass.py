"""What a second attack pass on the rewritten guard got through, each fixed and kept fixed."""

from __future__ import annotations

import json
import quopri
import random
import urllib.parse

import pytest
from mnemonic import Mnemonic

from supportkit.guard import scan
from supportkit.guard.phrases import near_word
from tests import secret_samples as samples


def _phrase(wordlist: str, seed: int) -> str:
    return Mnemonic(wordlist).to_mnemonic(random.Random(f"{wordlist}-{seed}").randbytes(16))


def test_a_huge_word_is_no_typo_of_a_list_word() -> None:
    # Looking it up built every deletion of it: quadratic (7 s for 100,000 letters).
    assert not near_word("x" * 100_000, "english")
    words = _phrase("english", 1).split()
    result = scan("x" * 100_000 + " " + " ".join(words))
    assert result.secret_found and not samples.leaked(result.redacted, words)


@pytest.mark.parametrize("cue", ["seed: ", "my seed: ", "phrase: ", "Seed phrase: "])
def test_four_words_after_a_cue_that_is_itself_a_list_word(cue: str) -> None:
    words = _phrase("english", 2).split()[:4]
    result = scan(cue + " ".join(words) + " please help")
    assert result.secret_found
    assert not any(word in result.redacted.split() for word in words)


def test_talk_about_backup_words_far_from_list_words_is_not_a_phrase() -> None:
    text = "My backup words are safe, I just need help with the swap: price impact high, slippage error, network busy"
    assert scan(text).findings == []


@pytest.mark.parametrize("wordlist", ["japanese", "chinese_simplified", "russian", "french", "turkish", "korean"])
@pytest.mark.parametrize("encode", ["json", "quoted-printable", "url"])
def test_encoded_phrases_are_read_decoded(wordlist: str, encode: str) -> None:
    phrase = _phrase(wordlist, 3)
    encoded = {"json": json.dumps(phrase), "quoted-printable": quopri.encodestring(phrase.encode()).decode(),
               "url": urllib.parse.quote(phrase)}[encode]
    result = scan("here it is: " + encoded)
    assert result.secret_found, (wordlist, encode)
    assert encoded[2:-2] not in result.redacted


def test_quoted_printable_soft_line_breaks_inside_a_phrase() -> None:
    phrase = _phrase("english", 4)
    result = scan("=\n".join(phrase[i:i + 20] for i in range(0, len(phrase), 20)))
    assert result.secret_found


@pytest.mark.parametrize("shape", ["bytes", "list", "percent", "fullwidth"])
def test_a_hex_key_in_the_shapes_programmers_and_input_methods_give_it(shape: str) -> None:
    key = samples.hex_key(71)
    shown = {"bytes": "".join(f"\\x{key[i:i + 2]}" for i in range(0, 64, 2)),
             "list": ", ".join(f"0x{key[i:i + 2]}" for i in range(0, 64, 2)),
             "percent": key,
             "fullwidth": key.translate({c: c + 0xFEE0 for c in range(33, 127)})}[shape]
    text = ("private%20key%3A%20" if shape == "percent" else "my private key is ") + shown
    result = scan(text)
    assert result.secret_found, shape
    assert shown[4:20] not in result.redacted


@pytest.mark.parametrize("separator", [" ", "-", "\n", "|", "/", ".", "_"])
def test_a_wif_copied_in_blocks(separator: str) -> None:
    wif = samples.b58check(b"\x80" + random.Random(separator).randbytes(32) + b"\x01")
    blocks = separator.join(wif[i:i + 4] for i in range(0, len(wif), 4))
    result = scan("my private key (WIF): " + blocks)
    assert result.secret_found and wif[:8] not in result.redacted.replace(separator, "")


@pytest.mark.parametrize("digits", [65, 96, 128])
def test_a_hex_key_of_another_length_next_to_key_words(digits: int) -> None:
    value = (samples.hex_key(72) * 3)[:digits]
    assert scan("my private key is " + value).secret_found
    assert not scan("my USDT transfer " + value + " is pending").findings


def test_a_phrase_split_by_a_sentence_in_one_message() -> None:
    words = _phrase("spanish", 5).split()
    result = scan("Mi frase: " + " ".join(words[:6]) + ". Perdón, faltan estas: " + " ".join(words[6:]))
    assert result.secret_found and not samples.leaked(result.redacted, words)
    assert result.redacted.startswith("Mi ")


def test_lines_of_a_list_are_not_pieces_of_a_phrase() -> None:
    text = ("Things in my safe deposit box:\n- passport\n- birth certificate\n- house deed\n- spare car key\n"
            "- my grandmother's ring\n- the wallet backup card\n- two old watches")
    assert not scan(text).secret_found

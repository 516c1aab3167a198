"""Protected-span scanning: the fast scan finds exactly what the plain alternation of patterns finds."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportkit.text import _ALTERNATIVES, _MASTER, _PATTERNS, find_protected_spans

PLAIN = re.compile(_ALTERNATIVES, re.DOTALL)
# Characters every pattern is made of, and some that none starts with.
ALPHABET = ("0123456789abcdefABCDEFxXTtbBcC13 @._%+-$€¥£₽[]{}()#:/\n\t,"
            "removedhtpsw USDT sats gwei 冻结钱包已移除 удалена éñ ٣０"
            # every letter, for the tickers and for the scan's skip inside ASCII words (_MID_WORD_CHARACTERS)
            "ghijklmnoqruvyzGHIJKLMNOPQRSUVWYZ_ www. http:// BTC10 USDT5 a@b.cc")


def _scan(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, str | None]]:
    return [(m.start(), m.end(), m.lastgroup) for m in pattern.finditer(text)]


@given(st.text(alphabet=ALPHABET, max_size=80))
@settings(max_examples=2000, deadline=None)
def test_look_ahead_changes_no_span(text: str) -> None:
    assert _scan(_MASTER, text) == _scan(PLAIN, text)


@pytest.mark.parametrize("kind", sorted({kind for kind, _ in _PATTERNS}))
def test_every_kind_is_still_found(kind: str) -> None:
    examples = {
        "redaction": "[recovery phrase removed]", "jinja": "{{ x }}", "placeholder": "{name}",
        "url": "https://example.com/a", "email": "_a.b@example.com", "hash": "0x" + "ab" * 32,
        "address": "0x" + "ab" * 20, "hex": "ab" * 32, "amount": "20 USDT", "handle": "@support_team",
    }
    text = f"说 {examples[kind]} и"
    assert [s.kind for s in find_protected_spans(text)] == [kind]


def test_random_messages_scan_alike() -> None:
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 60)))
        assert _scan(_MASTER, text) == _scan(PLAIN, text), text


# Whole spans of every kind, glued to words and to each other: where the scan skips the inside
# of an ASCII word, a span that starts there (a URL, a marker, a placeholder, a currency sign)
# must still be found, and the others must not start there either.
PIECES = ["ab", "x", "Q", "_", "9", "07", ".", "-", "é", "钱", " ", "\n", "https://ex.com/a", "http://x.io", "www.ex.org",
          "[recovery phrase removed]", "{{ x }}", "{% if a %}", "{name}", "%(n)s", "%d", "$5", "€ 10", "¥3", "20 USDT",
          "USDT 5", "1,000.50 sats", "0x" + "ab" * 20, "0x" + "cd" * 32, "ef" * 32, "T" + "1" * 33, "bc1" + "q" * 20,
          "1" + "A" * 30, "a.b@ex.com", "@handle_1", "0x1234abcd"]


def test_glued_spans_scan_alike() -> None:
    rng = random.Random(11)
    for _ in range(20000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 8)))
        assert _scan(_MASTER, text) == _scan(PLAIN, text), text


@pytest.mark.parametrize("text", ["plain ascii", "tab\tand\x07bell\x00", "e\u0301t\u00e9\u200b", "кошелёк\u202e", ""])
def test_normalize_ascii_shortcut_matches_the_full_path(text: str) -> None:
    import unicodedata

    from supportkit.text import _CONTROL_RE, _INVISIBLE, normalize

    full = _CONTROL_RE.sub("", unicodedata.normalize("NFC", text).translate(_INVISIBLE))
    assert normalize(text).text == full


def test_invisible_pattern_finds_exactly_the_table_characters() -> None:
    from supportkit.text import _INVISIBLE, _INVISIBLE_RE

    assert {code for code in range(0x10000) if _INVISIBLE_RE.fullmatch(chr(code))} == set(_INVISIBLE)


# --- patterns without the Han ranges for text without wide characters ---------------------

NARROW = "aZéñüçÀß йЁжЩ ٣ 1 2 _ ' ’ - . \u0301\u0308 Ⅻ ﬁ"
WIDE = "钱包助記詞㐀丽ＡＢ　。😀ｶ"


@given(st.text(alphabet=NARROW + WIDE, max_size=40))
@settings(max_examples=500, deadline=None)
def test_has_wide_is_a_character_at_or_above_u3000(text: str) -> None:
    from supportkit.text import has_wide

    assert has_wide(text) == any(ch >= "\u3000" for ch in text)


@given(st.text(alphabet="".join(ch for ch in NARROW if ch < "\u3000"), max_size=40))
@settings(max_examples=1500, deadline=None)
def test_tokenizers_without_han_ranges_match_the_same_where_they_are_used(text: str) -> None:
    # Text without wide characters (has_wide false) takes the tokenizers without the Han ranges.
    from supportkit.guard.phrases import _token_re as guard_token_re
    from supportkit.matching.fold import _token_re as fold_token_re
    from supportkit.text import has_wide

    assert not has_wide(text)
    for marks in (False, True):
        for named in (False, True):
            full = [(m.span(), m.lastgroup) for m in guard_token_re(True, marks, named).finditer(text)]
            assert [(m.span(), m.lastgroup) for m in guard_token_re(False, marks, named).finditer(text)] == full
    assert fold_token_re(False).findall(text) == fold_token_re(True).findall(text)


@given(st.text(alphabet=NARROW + WIDE, max_size=40))
@settings(max_examples=500, deadline=None)
def test_is_han_and_han_characters_agree_with_the_han_class(text: str) -> None:
    from supportkit.matching.fold import han_characters, is_han
    from supportkit.text import HAN

    han = re.compile(f"[{HAN}]")
    assert han_characters(text) == han.findall(text)
    assert is_han(text) == bool(han.match(text))


@pytest.mark.parametrize(("text", "email"), [
    ("write to john.smith@example.com please", "john.smith@example.com"),
    ("(ana-b+tag@mail.example.co)", "ana-b+tag@mail.example.co"),
    ("correo:soporte@example.es.", "soporte@example.es"),
    ("邮箱kefu@example.cn谢谢", "kefu@example.cn"),
    ("user_1@example.com", "user_1@example.com"),
])
def test_emails_are_found_where_their_word_starts(text: str, email: str) -> None:
    assert [s.text for s in find_protected_spans(text) if s.kind == "email"] == [email]

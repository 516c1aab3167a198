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
            "removedhtpsw USDT sats gwei 冻结钱包已移除 удалена éñ ٣０")


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


@pytest.mark.parametrize("text", ["plain ascii", "tab\tand\x07bell\x00", "e\u0301t\u00e9\u200b", "кошелёк\u202e", ""])
def test_normalize_ascii_shortcut_matches_the_full_path(text: str) -> None:
    import unicodedata

    from supportkit.text import _CONTROL_RE, _INVISIBLE, normalize

    full = _CONTROL_RE.sub("", unicodedata.normalize("NFC", text).translate(_INVISIBLE))
    assert normalize(text).text == full

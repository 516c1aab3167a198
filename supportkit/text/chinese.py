"""Simplified and Traditional Chinese: the one place that converts between the two scripts.

Customers in Taiwan and Hong Kong write Traditional Chinese and must be answered in it. The
conversions are OpenCC's (https://github.com/BYVoid/OpenCC), never a table of our own:

- ``to_traditional``: a Simplified reply written by a writer, converted with ``s2twp``
  (Traditional with Taiwan phrasing: 软件 -> 軟體, 信息 -> 資訊) when no writer has written the
  ``zh-Hant`` text. OpenCC is loaded on first use only (~70 ms import, ~170 ms for ``s2twp``).
- ``T2S``: the character level of OpenCC's ``t2s``, shipped as data (``chinese_t2s.json``,
  written by ``scripts/make_t2s.py``) so that matching can fold Traditional to Simplified
  without loading OpenCC on a cold command.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from supportkit.text import HAN_BLOCKS

T2S_FILE = Path(__file__).with_name("chinese_t2s.json")

TRADITIONAL = "zh-Hant"
"""The locale of Traditional Chinese replies."""

CONVERTER = "OpenCC s2twp"
"""What makes a ``zh-Hant`` reply from the ``zh`` one when no writer has written it."""

_TRADITIONAL_REGIONS = frozenset({"hant", "tw", "hk", "mo"})

_BMP_HAN = tuple((low, high) for low, high in HAN_BLOCKS if high < 0x10000)
"""The Han blocks of the Basic Multilingual Plane: the ones OpenCC's table changes."""


def is_traditional_locale(language: str, rest: str | None) -> bool:
    """Whether a parsed locale (``parse_locale``) asks for Traditional Chinese: zh-Hant, zh-TW, zh-HK, zh-MO."""
    if language != "zh" or not rest:
        return False
    return any(part.lower() in _TRADITIONAL_REGIONS for part in rest.split("-"))


@functools.cache
def _converter(config: str) -> object:
    import opencc  # noqa: PLC0415 - loaded on first use: its import alone costs a cold command ~60 ms

    return opencc.OpenCC(config)


@functools.lru_cache(maxsize=512)
def to_traditional(text: str) -> str:
    """``text`` (Simplified Chinese, Jinja markup allowed: it is ASCII) in Traditional with Taiwan phrasing."""
    if not text:
        return text
    converted: str = _converter("s2twp").convert(text)  # type: ignore[attr-defined]
    return converted


def t2s_pairs_from_opencc() -> str:
    """Every CJK character OpenCC's ``t2s`` changes on its own, as "TS" pairs in one string."""
    converter = _converter("t2s")
    pairs: list[str] = []
    for low, high in _BMP_HAN:
        for point in range(low, high + 1):
            char = chr(point)
            simplified = converter.convert(char)  # type: ignore[attr-defined]
            if len(simplified) == 1 and simplified != char:
                pairs.append(char + simplified)
    return "".join(pairs)


@functools.cache
def t2s_table() -> dict[int, str]:
    """``str.translate`` table: Traditional -> Simplified, character by character (OpenCC's, as data)."""
    data = json.loads(T2S_FILE.read_text(encoding="utf-8"))
    pairs: str = data["pairs"]
    return {ord(pairs[i]): pairs[i + 1] for i in range(0, len(pairs) - 1, 2)}


def to_simplified_chars(text: str) -> str:
    """``text`` with every Traditional character replaced by its Simplified form (matching's fold)."""
    return text.translate(t2s_table())

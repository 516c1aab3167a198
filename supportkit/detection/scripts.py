"""Writing systems: which script each letter belongs to, and what a script alone says.

Scripts are ISO 15924 codes. A script used by one language in our world (hangul,
kana, Thai, Greek ...) names that language outright; Latin and Cyrillic need the
statistical scorer; Han needs a look at kana (Japanese) and at the characters that
only Traditional or only Simplified Chinese writes.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections import Counter

from supportkit.text import HAN_BLOCKS

# (first code point, last code point, script); sorted, non-overlapping.
_RANGES: list[tuple[int, int, str]] = sorted([
    (0x0041, 0x005A, "Latn"), (0x0061, 0x007A, "Latn"), (0x00C0, 0x024F, "Latn"),
    (0x1E00, 0x1EFF, "Latn"),
    (0x0370, 0x03FF, "Grek"), (0x1F00, 0x1FFF, "Grek"),
    (0x0400, 0x052F, "Cyrl"),
    (0x0530, 0x058F, "Armn"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, "Arab"), (0x0750, 0x077F, "Arab"), (0xFB50, 0xFDFF, "Arab"), (0xFE70, 0xFEFF, "Arab"),
    (0x0900, 0x097F, "Deva"), (0x0980, 0x09FF, "Beng"), (0x0A00, 0x0A7F, "Guru"), (0x0A80, 0x0AFF, "Gujr"),
    (0x0B80, 0x0BFF, "Taml"), (0x0C00, 0x0C7F, "Telu"), (0x0C80, 0x0CFF, "Knda"), (0x0D00, 0x0D7F, "Mlym"),
    (0x0D80, 0x0DFF, "Sinh"),
    (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Laoo"), (0x1000, 0x109F, "Mymr"),
    (0x10A0, 0x10FF, "Geor"), (0x1200, 0x137F, "Ethi"), (0x1780, 0x17FF, "Khmr"),
    (0x1100, 0x11FF, "Hang"), (0x3130, 0x318F, "Hang"), (0xAC00, 0xD7AF, "Hang"),
    (0x3040, 0x309F, "Hira"), (0x30A0, 0x30FF, "Kana"), (0x31F0, 0x31FF, "Kana"), (0xFF66, 0xFF9D, "Kana"),
    *((low, high, "Hani") for low, high in HAN_BLOCKS),
])
_STARTS = [r[0] for r in _RANGES]

SHARED_HAN = (
    "佛俊修僵克兑冢冬凌出刮制千升卜卧即卷叁只台吃合吊同向吣呆周咽哄唇喂噪回困囱埯埼奸姜娘媪家局岙峰巨布席幞幸床"
    "庵弦彝彩御志念恤悦愈愠戚户才扎托扣折抬拐挨挲挽捆捝揾搜教旋旗既昆暗曲朱杆杯松板查栗核梁棁棋棱榅欲氲污沈泄泛注"
    "温溯漓漤灶煴症痴皂真睾矩硷私秋秘税穗糖系累群胡脱腽致舍芸苔葱蒙蓑蔑蜕表谷踊逾酸雕面飧鼗齄\U00029f80\U0002a38d"
)
"""Characters that wordfreq's table gives as the simplified form of some traditional one but that
Traditional text writes as well (回 for 迴, 台 for 臺, 面 for 麵 ...): no evidence of Simplified.
The simplified targets of that table which OpenCC 1.4.2 leaves unchanged by s2t, s2tw, s2hk or
s2twp (computed once; OpenCC is not needed at run time)."""

# A script that (for us) means one language; the code returned when it dominates.
SCRIPT_LANGUAGE: dict[str, str] = {
    "Grek": "el", "Armn": "hy", "Hebr": "he", "Arab": "ar", "Deva": "hi", "Beng": "bn", "Guru": "pa",
    "Gujr": "gu", "Taml": "ta", "Telu": "te", "Knda": "kn", "Mlym": "ml", "Sinh": "si", "Thai": "th",
    "Laoo": "lo", "Mymr": "my", "Geor": "ka", "Ethi": "am", "Khmr": "km", "Hang": "ko",
}

# How much one letter of a script weighs when scripts are mixed: a Han character or a
# hangul syllable carries about as much as a short Latin word.
SCRIPT_WEIGHT: dict[str, float] = {"Hani": 3.0, "Hira": 3.0, "Kana": 3.0, "Hang": 2.5}


def script_of(ch: str) -> str | None:
    """ISO 15924 code of a letter, or None for anything that is not a letter we know."""
    cp = ord(ch)
    i = bisect_right(_STARTS, cp) - 1
    if i >= 0 and cp <= _RANGES[i][1]:
        return _RANGES[i][2] if ch.isalpha() else None
    return None


_ASCII_LETTER_RE = re.compile("[A-Za-z]")
_NON_ASCII_RE = re.compile("[^\x00-\x7f]")


def count_scripts(text: str) -> dict[str, int]:
    """Letters per script in ``text`` (ASCII letters counted at once: most input is Latin)."""
    counts: dict[str, int] = {}
    # Counted per distinct character (a Russian or Chinese message repeats most of its letters).
    for ch, times in Counter(_NON_ASCII_RE.findall(text)).items():
        script = _script_of_char(ch)
        if script is not None:
            counts[script] = counts.get(script, 0) + times
    ascii_letters = len(_ASCII_LETTER_RE.findall(text))
    if ascii_letters:
        counts["Latn"] = counts.get("Latn", 0) + ascii_letters
    return counts


@functools.lru_cache(maxsize=8192)
def _script_of_char(ch: str) -> str | None:
    """``script_of``, remembered: a message repeats its characters."""
    return script_of(ch)

#!/usr/bin/env python3
"""Write supportkit/text/chinese_t2s.json: OpenCC's Traditional -> Simplified character table.

Matching folds Traditional Chinese to Simplified before it compares a message with cues and
examples. Loading OpenCC itself costs ~70 ms on a cold command, so the character level of its
``t2s`` conversion ships as data: every code point of the CJK blocks that OpenCC changes when
converted alone, with the OpenCC version that made it. Run after upgrading OpenCC:

    python scripts/make_t2s.py

tests/test_chinese.py checks the shipped table against the installed OpenCC.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from supportkit.text.chinese import T2S_FILE, t2s_pairs_from_opencc  # noqa: E402


def main() -> int:
    pairs = t2s_pairs_from_opencc()
    data = {"opencc": version("opencc"), "config": "t2s", "pairs": pairs}
    T2S_FILE.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{T2S_FILE}: {len(pairs) // 2} characters (OpenCC {data['opencc']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Per-locale client-side search index, written as a script so it loads from file:// too."""

from __future__ import annotations

import json
from typing import Any

MAX_TEXT_CHARS = 1500
"""Text kept per article in the index; long guides are cut to bound the index size."""


def search_index_script(locale: str, articles: list[Any], strings: dict[str, str]) -> str:
    """``window.SUPPORTKIT_SEARCH = {...}``: this locale's articles only, UTF-8, no \\u escapes."""
    docs = [
        {"t": article.title, "u": article.slug, "c": article.category,
         "x": " ".join(article.text.split())[:MAX_TEXT_CHARS]}
        for article in articles
    ]
    payload = {"locale": locale, "strings": strings, "docs": docs}
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # Keep the script safe to inline or load: no "</script" and no U+2028/2029 line breaks.
    text = text.replace("</", "<\\/").replace("\u2028", " ").replace("\u2029", " ")
    return f"window.SUPPORTKIT_SEARCH={text};\n"

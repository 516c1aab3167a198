"""The site's search: Pagefind's index when Pagefind is installed, and a simple index always.

Pagefind (``pip install 'pagefind[extended]'``, the ``site`` extra) indexes the built pages:
Snowball stemming for en/es/ru/fr, Chinese word segmentation (the extended binary), one index
per ``<html lang>`` (zh-Hant apart from zh), whole articles, highlighted excerpts, and an index
split into chunks the browser fetches on use. Only the article text is indexed
(``data-pagefind-body`` in ``article.html``); a page shown in another language as a fallback is
left out, as it would land in that other language's index.

The simple index (``<locale>/search-index.js``) is an exact-substring search written as a script,
so it loads from ``file://`` too: ``static/search.js`` uses it when the page is opened from disk
(browsers refuse Pagefind's module and fetches there) or when the build had no Pagefind.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from supportkit.errors import N_
from supportkit.faq.options import FaqBuildError
from supportkit.library import Library
from supportkit.text.chinese import TRADITIONAL, to_traditional

PAGEFIND_FOLDER = "pagefind"
"""Where Pagefind writes its bundle, under the site's root."""

ENGINE_PAGEFIND = "pagefind"
ENGINE_SIMPLE = "simple"


def pagefind_binary() -> str | None:
    """The Pagefind executable of the installed ``pagefind`` package (extended first), or None."""
    import importlib

    for module in ("pagefind.service", "pagefind_bin_extended", "pagefind_bin"):
        try:
            found = importlib.import_module(module).get_executable()
        except Exception:  # not installed, or a package without a binary for this platform
            continue
        if found and os.access(found, os.X_OK):
            return str(found)
    return None


def page_keywords(library: Library, locales: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Template ref -> locale -> the words Pagefind also indexes for its page (not shown).

    They are the ``strong`` cues of the template's intents in the matching lexicon
    (``supportkit/matching/lexicon.yaml``): the help desk's own words for each topic ("pig
    butchering", "杀猪盘"), so a reader's word that the article does not use still finds it; on zh
    pages in both scripts, as readers type either.
    An article that replaces a template takes its page, so it is found by the same words."""
    from supportkit.matching.store import load_lexicon

    intents = load_lexicon().get("intents", {})
    found: dict[str, dict[str, str]] = {}
    for template in library:
        for locale in locales:
            language = "zh" if locale == TRADITIONAL else locale
            cues = [str(cue) for intent in template.intents
                    for cue in (intents.get(intent, {}).get("strong", {}).get(language) or [])]
            words = " ".join(dict.fromkeys(cue.replace("*", "") for cue in cues))
            if language == "zh" and words:
                # Readers type either script: Simplified pages are found by Traditional words too.
                traditional = to_traditional(words)
                words = traditional if locale == TRADITIONAL else " ".join(dict.fromkeys([words, traditional]))
            if words:
                found.setdefault(template.ref, {})[locale] = words
    return found


def run_pagefind(binary: str, site: Path) -> list[str]:
    """Index the built ``site`` into ``site/pagefind``; the files written, relative to ``site``."""
    try:
        done = subprocess.run([binary, "--site", str(site), "--output-subdir", PAGEFIND_FOLDER, "--silent"],
                              capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FaqBuildError(N_("Pagefind could not index the site: {reason}"), binary,
                            N_("Reinstall it (pip install 'pagefind[extended]') or uninstall it to build with the "
                               "simple search."), reason=str(exc)) from None
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        raise FaqBuildError(N_("Pagefind could not index the site: {reason}"), binary,
                            N_("Reinstall it (pip install 'pagefind[extended]') or uninstall it to build with the "
                               "simple search."), reason=reason[0])
    # Pagefind lists its languages in no fixed order: sorted, two builds of one site are byte-identical.
    entry = site / PAGEFIND_FOLDER / "pagefind-entry.json"
    if entry.is_file():
        data = json.loads(entry.read_text(encoding="utf-8"))
        entry.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    return sorted(path.relative_to(site).as_posix() for path in (site / PAGEFIND_FOLDER).rglob("*") if path.is_file())


def search_index_script(locale: str, articles: list[Any]) -> str:
    """``window.SUPPORTKIT_SEARCH = {...}``: this locale's articles only, whole text, UTF-8, no \\u escapes."""
    docs = [
        {"t": article.title, "u": article.slug, "c": article.category, "x": " ".join(article.text.split())}
        for article in articles
    ]
    payload = {"locale": locale, "docs": docs}
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # Keep the script safe to inline or load: no "</script" and no U+2028/2029 line breaks.
    text = text.replace("</", "<\\/").replace("\u2028", " ").replace("\u2029", " ")
    return f"window.SUPPORTKIT_SEARCH={text};\n"

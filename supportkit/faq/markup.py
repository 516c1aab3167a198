"""Rendered template text (plain text, numbered steps, bullets, bare URLs) to safe HTML.

Everything is escaped first; only the structure we recognise becomes markup, and only
http(s) URLs become links. A template can therefore never inject script or markup.
"""

from __future__ import annotations

import re
from html import escape

_URL_RE = re.compile(r"https?://[^\s<>\"'\u3000-\u303f\uff01-\uff5e]+[^\s<>\"'.,;:!?)\]}\u3000-\u303f\uff01-\uff5e]")
_STEP_RE = re.compile(r"^\s*(\d{1,2})[.)、]\s+(.*)$")
_BULLET_RE = re.compile(r"^\s*[-•·]\s+(.*)$")


def inline(text: str) -> str:
    """Escape ``text`` and turn bare http(s) URLs into links."""
    out: list[str] = []
    last = 0
    for match in _URL_RE.finditer(text):
        out.append(escape(text[last:match.start()]))
        url = match.group()
        out.append(f'<a href="{escape(url)}" rel="noopener">{escape(url)}</a>')
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def to_html(text: str) -> str:
    """Paragraphs, ordered steps and bullet lists as HTML; everything else escaped."""
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_kind = ""

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>\n".join(inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def flush_list() -> None:
        nonlocal list_kind
        if items:
            blocks.append(f"<{list_kind}>\n" + "\n".join(f"<li>{item}</li>" for item in items) + f"\n</{list_kind}>")
            items.clear()
        list_kind = ""

    for raw in text.splitlines():
        line = raw.rstrip()
        step = _STEP_RE.match(line)
        bullet = _BULLET_RE.match(line)
        if not line.strip():
            flush_paragraph()
            flush_list()
        elif step or bullet:
            flush_paragraph()
            kind = "ol" if step else "ul"
            if list_kind and list_kind != kind:
                flush_list()
            list_kind = kind
            items.append(inline((step.group(2) if step else bullet.group(1)).strip()))  # type: ignore[union-attr]
        elif items and raw.startswith(("   ", "\t")):
            items[-1] += "<br>" + inline(line.strip())  # continuation of a step
        else:
            flush_list()
            paragraph.append(line.strip())
    flush_paragraph()
    flush_list()
    return "\n".join(blocks)


def plain_summary(text: str, limit: int = 155) -> str:
    """One line of plain text for meta descriptions and search snippets."""
    flat = re.sub(r"\s+", " ", re.sub(r"(?m)^\s*(\d{1,2}[.)、]|[-•·])\s+", "", text)).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(",.;:，。") + "…"

"""What the report may show: redacted text only, and no group of fewer than ``MIN_GROUP`` tickets.

Every text that leaves ``supportkit report`` (the labels file, examples in ``--json``, CSV and
HTML) was redacted by the guard in the pipeline (recovery phrases, private keys, keystores) and
then here: e-mail addresses and phone numbers, which the guard leaves (a reply may quote them).
"""

from __future__ import annotations

import re

MIN_GROUP = 5
"""Fewest tickets a group of the report may hold to be shown (smaller ones are left out or folded)."""
MAX_EXAMPLE_CHARS = 280
"""Longest example message shown (cut with an ellipsis)."""

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"

_EMAIL_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+(?:@|＠|\s*\[at\]\s*)[\w-]+(?:\s*(?:\.|\[dot\])\s*[\w-]+)+",
                       re.IGNORECASE)
_PHONE_RE = re.compile(r"(?<![0-9A-Za-z+._])\+?\(?\d[\d\s().\-\u2010-\u2015]{5,}\d(?![0-9A-Za-z])")
"""A run of digits with spaces, dots, dashes or brackets between them (7 digits or more: checked below)."""


def redact_contacts(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers (7 digits or more) replaced by markers."""
    text = _EMAIL_RE.sub(EMAIL_MARK, text)
    return _PHONE_RE.sub(_phone, text)


_DATE_RE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}(?!\d)")


def _phone(match: re.Match[str]) -> str:
    found = match.group()
    if sum(c.isdigit() for c in found) < 7 or _DATE_RE.match(found):
        return found  # an amount, an order number, a date
    return PHONE_MARK


def example_text(text: str) -> str:
    """One example as shown: contacts redacted (again: the labels file may be older), one line, cut."""
    text = " ".join(redact_contacts(text).split())
    return text if len(text) <= MAX_EXAMPLE_CHARS else text[: MAX_EXAMPLE_CHARS - 1].rstrip() + "\u2026"

"""The columns ``supportkit report`` reads, and what a value of each may look like.

Our names are ``config.REPORT_COLUMNS``; ``[report.columns]`` maps an export's own names to them
(docs/report.md has the mappings for Zendesk, Freshdesk and Chatwoot exports). Only ``id`` and
``text`` are needed; each section of the report says which others it needs (``SECTION_COLUMNS``),
and one whose columns are missing is left out with a note.

A value that does not look like its column (a timestamp with letters in it, a rating of 40
characters) is kept as nothing: the ticket is counted out of the figures that need it. So the
labels file never holds free text from these columns, only the guard-redacted message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from supportkit.config import REPORT_COLUMNS

META_COLUMNS = ("created_at", "first_response_at", "solved_at", "csat", "reopened", "channel")
"""Columns other than id, text, lang and the ticket id, carried into the labels file."""
TIME_COLUMNS = ("created_at", "first_response_at", "solved_at")

SECTION_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "response_times": ("created_at", "first_response_at", "solved_at"),
    "load_by_hour": ("created_at",),
    "satisfaction": ("csat", "reopened"),
    "channel": ("channel",),
    "trends": ("created_at",),
}
"""Columns each section reads (response_times needs created_at and one of the others; satisfaction one of its two)."""

_TIME_RE = re.compile(r"[0-9][0-9TtZz:.,+\- /]{0,39}")
"""ISO 8601 and its usual variants, or seconds / milliseconds since 1970."""
_TOKEN_RE = re.compile(r"[^\W_][\w .+-]{0,39}")
"""A rating, a yes/no, a channel name: one short word or number, no @ (an address is not a channel)."""


def clean_value(column: str, value: str | None) -> str | None:
    """``value`` when it looks like a value of ``column``, else None (counted out)."""
    if value is None:
        return None
    value = value.strip()
    pattern = _TIME_RE if column in TIME_COLUMNS else _TOKEN_RE
    if not pattern.fullmatch(value):
        return None
    return value.lower() if column not in TIME_COLUMNS else value


def source_names(mapping: Mapping[str, str]) -> dict[str, str]:
    """Every column of ours -> the export's name for it (its own name when not mapped)."""
    return {name: mapping.get(name, name) for name in REPORT_COLUMNS}

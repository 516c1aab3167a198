"""Snapshots of source texts, keyed by digest, so a stale translation can show what changed;
and the translation memory of approved sentences (``TranslationMemory``).

A translation records the digest of the source text it was made from (``source:``).
When the source changes, the digest alone says *that* it changed; the snapshot of
the old text says *what* changed. ``supportkit stamp`` and ``supportkit drafts``
write one small JSON file per digest into ``<replies>/.sources/<digest>.json``::

    {"subject": "...", "body": "..."}

Commit them with the templates. They are never needed at run time; a missing
snapshot only means ``check`` says "source changed since <digest>" without a diff.
A snapshot whose text does not hash to its name is ignored.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from supportkit.library import source_digest

SNAPSHOT_DIR = ".sources"
_DIGEST_RE = re.compile(r"^[0-9a-f]{12}$")


def library_root(path: Path) -> Path:
    """The replies folder a template file belongs to (tutorials live one level down)."""
    parent = Path(path).parent
    return parent.parent if parent.name == "tutorials" else parent


class SourceStore:
    """The snapshot folder of one template library."""

    def __init__(self, replies_root: Path) -> None:
        self.folder = Path(replies_root) / SNAPSHOT_DIR

    def path_of(self, digest: str) -> Path:
        if not _DIGEST_RE.match(digest):
            raise ValueError(f"not a source digest: {digest!r}")
        return self.folder / f"{digest}.json"

    def get(self, digest: str) -> tuple[str, str] | None:
        """``(subject, body)`` of the source text with ``digest``, if a valid snapshot exists."""
        try:
            data = json.loads(self.path_of(digest).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        subject, body = data.get("subject", ""), data.get("body", "")
        if not isinstance(subject, str) or not isinstance(body, str) or source_digest(subject, body) != digest:
            return None
        return subject, body

    def put(self, subject: str, body: str) -> str:
        """Keep a snapshot of this source text (no-op when it exists); returns its digest."""
        from supportkit.files import write_text

        digest = source_digest(subject, body)
        path = self.path_of(digest)
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            write_text(path, json.dumps({"subject": subject, "body": body}, ensure_ascii=False, indent=1) + "\n")
        return digest


MEMORY_DIR = ".memory"
FIELDS = ("subject", "body")
KINDS = ("pieces", "sentences")

Pairs = dict[str, dict[str, dict[str, str]]]
"""``{field: {kind: {source: translation}}}``: field ``subject`` or ``body``; kind ``pieces`` (a run of
prose between template tags, both sides verbatim, outer spaces included) or ``sentences``."""


def empty_pairs() -> Pairs:
    return {name: {kind: {} for kind in KINDS} for name in FIELDS}


class TranslationMemory:
    """Approved translations of source sentences, per template, field and locale.

    ``<replies>/.memory/<locale>/<ref>.json`` holds ``{"body": {"pieces": {source: translation},
    "sentences": {...}}, "subject": {...}}`` (sorted), committed with the templates like the
    snapshots. ``supportkit drafts`` fills it from approved translations before it replaces them, and
    takes a piece or sentence from it instead of the machine whenever its source is unchanged: an
    approved sentence survives a change elsewhere in its template, even through several drafts made
    before the next approval.
    """

    def __init__(self, replies_root: Path) -> None:
        self.folder = Path(replies_root) / MEMORY_DIR

    def path_of(self, ref: str, locale: str) -> Path:
        if (not re.fullmatch(r"(?:tutorials/)?[a-z][a-z0-9_]{1,63}", ref)
                or not re.fullmatch(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?", locale)):
            raise ValueError(f"not a template ref and locale: {ref!r} {locale!r}")
        return self.folder / locale / f"{ref}.json"

    def get(self, ref: str, locale: str) -> Pairs:
        """The approved pairs of one template and locale (empty when there are none or the file is unreadable)."""
        memory = empty_pairs()
        try:
            data = json.loads(self.path_of(ref, locale).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return memory
        for name in FIELDS:
            kinds = data.get(name) if isinstance(data, dict) else None
            for kind in KINDS:
                pairs = kinds.get(kind) if isinstance(kinds, dict) else None
                if isinstance(pairs, dict):
                    memory[name][kind] = {k: v for k, v in pairs.items() if isinstance(k, str) and isinstance(v, str)}
        return memory

    def add(self, ref: str, locale: str, pairs: Pairs) -> bool:
        """Record approved pairs (newer ones win); True when the file changed."""
        from supportkit.files import write_text

        memory = self.get(ref, locale)
        for name in FIELDS:
            for kind in KINDS:
                memory[name][kind].update(pairs.get(name, {}).get(kind, {}))
        text = json.dumps({name: {kind: dict(sorted(memory[name][kind].items())) for kind in KINDS} for name in FIELDS},
                          ensure_ascii=False, indent=1) + "\n"
        path = self.path_of(ref, locale)
        try:
            if path.read_text(encoding="utf-8") == text:
                return False
        except OSError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, text)
        return True

"""Snapshots of source texts, keyed by digest, so a stale translation can show what changed.

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

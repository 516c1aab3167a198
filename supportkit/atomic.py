"""Writing a file so that a crash or a kill never leaves half of it (one small, import-light helper)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes(path: Path, data: bytes, *, keep_mode: bool = False, make_parents: bool = False) -> None:
    """Replace ``path`` with ``data`` in one rename.

    ``keep_mode`` keeps the permissions of the file being replaced (a writer's template;
    new files get 0644); ``make_parents`` creates the folder first (caches).
    """
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if keep_mode:
            try:
                os.chmod(tmp, path.stat().st_mode & 0o7777)
            except FileNotFoundError:
                os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

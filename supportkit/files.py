"""Small, import-light file helpers: crash-safe writes, the cache folder, identities of installed packages."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any


def write_bytes(path: Path, data: bytes, *, keep_mode: bool = False, make_parents: bool = False) -> None:
    """Replace ``path`` with ``data`` in one rename.

    ``keep_mode`` keeps the permissions of the file being replaced (a writer's template;
    new files get 0644); ``make_parents`` creates the folder first (caches).
    """
    import tempfile  # with random, shutil, bz2, lzma: milliseconds of a cold start that writes nothing

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


def cache_dir() -> Path:
    """Where supportkit keeps rebuildable caches ($XDG_CACHE_HOME/supportkit)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "supportkit"


def cache_file(kind: str, key: str, suffix: str) -> Path:
    """The cache file of ``kind`` for ``key``: ``KIND-CRC32SUFFIX`` in ``cache_dir()``.

    Callers whose wrong file would give wrong answers store ``key`` in the file and
    compare it on reading (two keys can share a CRC).
    """
    import zlib

    return cache_dir() / f"{kind}-{zlib.crc32(key.encode()):08x}{suffix}"


_USED_AGAIN_AFTER_NS = 3600 * 10**9


def mark_used(path: Path) -> None:
    """Note that the cache file ``path`` was just read (its mtime, at most once an hour).

    ``prune_cache`` keeps the newest files: a cache read every day but written long ago must
    count as new, or a burst of other libraries' caches would push it out.
    """
    import time

    with contextlib.suppress(OSError):
        now = time.time_ns()
        if now - os.stat(path).st_mtime_ns > _USED_AGAIN_AFTER_NS:
            os.utime(path, ns=(now, now))


def prune_cache(kind: str, suffix: str, keep: int) -> None:
    """Delete all but the ``keep`` most recently used cache files of ``kind`` (see ``mark_used``).

    Every change of a library, and every upgrade, keys a new file; without pruning the
    old ones pile up (a detection model is 16 MB). Called after writing a new file.
    A file another process still reads stays readable until it closes it.
    """
    try:
        found = []
        for entry in os.scandir(cache_dir()):
            if entry.name.startswith(f"{kind}-") and entry.name.endswith(suffix) and entry.is_file():
                found.append((entry.stat().st_mtime_ns, entry.path))
    except OSError:
        return
    for _, path in sorted(found, reverse=True)[keep:]:
        with contextlib.suppress(OSError):  # gone already, or not ours to delete: only space is lost
            os.unlink(path)


def read_cache(path: Path) -> bytes | None:
    """The bytes of a ``cache_file``, or None when it cannot be read; the file counts as used."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    mark_used(path)
    return data


def write_cache(path: Path, data: bytes, keep: int) -> None:
    """Write a ``cache_file`` (private folder, one rename), then keep the ``keep`` most recently
    used files of its kind. A cache that cannot be written only costs time: nothing is raised."""
    kind = path.name.rsplit("-", 1)[0]
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_bytes(path, data)
    except OSError:
        return
    prune_cache(kind, path.suffix, keep)


class UsedEntries:
    """A cache file holding a pickled dict, of which each run keeps only the entries it used.

    Subclasses look entries up in ``entries`` (the last run's) and record what this run used in
    ``used``, counting in ``misses`` the ones made anew. ``save`` writes ``used`` when it changed
    by more than 1% (``worth_rewriting``), so the cache never outgrows what is in use.
    """

    def __init__(self, path: Path, load: bool = True) -> None:
        self.path = path
        self.entries: dict[str, Any] = _pickled_dict(path) if load else {}
        self.used: dict[str, Any] = {}
        self.misses = 0

    def save(self, keep: int) -> None:
        """Write the cache if worth it, keeping the ``keep`` most recently used files of its kind."""
        if worth_rewriting(len(self.entries), len(self.used), self.misses):
            import pickle

            write_cache(self.path, pickle.dumps(self.used, protocol=pickle.HIGHEST_PROTOCOL), keep=keep)


def _pickled_dict(path: Path) -> dict[str, Any]:
    import pickle

    try:
        data = pickle.loads(read_cache(path) or b"")
    except (EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.UnpicklingError):
        return {}
    return data if isinstance(data, dict) else {}


def worth_rewriting(before: int, now: int, new: int) -> bool:
    """Whether a cache that held ``before`` entries, of which ``now`` are used and ``new`` were
    missing, changed by more than 1%: rewriting a big cache costs more than redoing a few entries."""
    dropped = before - (now - new)
    return new + dropped > now // 100


def installed_identity(package: str) -> str:
    """An identity of the installed ``package``: its ``__init__`` file's path, size and mtime.

    A reinstall or upgrade rewrites the file, so a cache key built from it changes;
    unlike ``importlib.metadata.version`` (about 35 ms on a cold start) this reads one inode.
    """
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        return f"{package}-missing"
    try:
        info = os.stat(spec.origin)
    except OSError:
        return f"{package}-{spec.origin}"
    return f"{spec.origin}:{info.st_size}:{info.st_mtime_ns}"

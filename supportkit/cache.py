"""The cache folder: rebuildable data kept between runs, and the only code that touches it.

A cache file is input from whoever can write the folder, so this module treats it as such
(the trust-boundaries issue: pickle files at a computable path ran code for anyone who could
write there). Three rules, enforced here so no cache can forget them:

- Data, never code. Entries are ``marshal`` of plain data, checked after loading
  (``loads``): dict, list, tuple, str, bytes, int, float, bool and None only; a code
  object or anything else makes the entry unreadable, and the caller rebuilds. Marshal,
  not JSON: it reads the 16 MB detection header and the template cache several times faster.
- Keyed by content and code. ``cache_key`` puts the identity of the producing modules'
  source files (``code_identity``: path, size, mtime; one ``stat`` each) and the
  supportkit and Python versions into every key, so a changed loader never reads an
  entry an older one wrote. The key is stored in the entry and compared on reading
  (``read_data``): file names carry only its CRC-32, and two keys can share one.
- A private folder. ``$XDG_CACHE_HOME/supportkit`` is created 0700. It is used only while it
  is owned by the effective user and not writable by group or others, and each file only
  when it is owned by that user and not writable by others; otherwise the cache is off
  for the process (everything is rebuilt in memory, nothing written) and one line on
  stderr says why. A folder of ours that is merely readable by others (0755) is
  tightened to 0700 and used; one that others could write is tightened but not read
  in that process, since files may have been planted while it was open.

A cache that cannot be read or written only costs time: nothing here raises ``OSError``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterable
from itertools import chain, compress
from pathlib import Path
from typing import Any

from supportkit.files import write_bytes

_PLAIN = frozenset({dict, list, tuple, str, bytes, int, float, bool, type(None)})


def cache_dir() -> Path:
    """Where supportkit keeps rebuildable caches ($XDG_CACHE_HOME/supportkit)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "supportkit"


# --- keys --------------------------------------------------------------------------------------


def code_identity(files: Iterable[str | Path]) -> str:
    """An identity of the source ``files`` that produce a cache's data: path, size and mtime of each.

    Editing, reinstalling or upgrading any of them changes it; a ``stat`` per file keeps it cheap
    on a cold start (hashing the sources would read them all).
    """
    parts = []
    for name in files:
        try:
            info = os.stat(name)
            parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:missing")
    return "|".join(parts)


def cache_key(data_format: int, *content: object, sources: Iterable[str | Path] = (),
              dependencies: Iterable[str] = (), code: Iterable[str | Path]) -> str:
    """The one key recipe of every disk cache, as a string to store and compare.

    ``data_format``: the layout of the stored data (bumped when it changes); ``content``: plain
    values the data depends on (a folder, a locale); ``sources``: the files it was made from,
    by path, size and modification time; ``dependencies``: the installed packages that made it
    (``installed_identity``); ``code``: our own source files that made it. supportkit's version
    and Python's are part of every key.
    """
    from supportkit import __version__
    from supportkit.files import installed_identity

    return repr((__version__, sys.version_info[:2], data_format, content, code_identity(sources),
                 tuple(installed_identity(name) for name in dependencies), code_identity(code)))


def cache_file(kind: str, key: str, suffix: str = ".marshal") -> Path:
    """The cache file of ``kind`` for ``key``: ``KIND-CRC32SUFFIX`` in ``cache_dir()``.

    Two keys can share a CRC: ``read_data`` compares the key stored in the file.
    """
    import zlib

    return cache_dir() / f"{kind}-{zlib.crc32(key.encode()):08x}{suffix}"


# --- the folder's trust -----------------------------------------------------------------------

_verdicts: dict[str, bool] = {}
"""cache_dir() -> whether this process uses it (decided once per folder, warned once)."""


def _private(info: os.stat_result) -> bool:
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _folder_usable(folder: Path) -> bool:
    """Whether this process reads and writes ``folder`` (see the module docstring); decided once."""
    verdict = _verdicts.get(str(folder))
    if verdict is not None:
        return verdict
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        verdict = True  # created 0700 by the first write
    except OSError as exc:
        verdict = False  # cannot even look: cannot use it either
        _warn_unwritable(folder, exc)
    else:
        verdict = stat.S_ISDIR(info.st_mode) and _private(info)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and info.st_mode & 0o077:
            with contextlib.suppress(OSError):
                os.chmod(folder, 0o700)
        if not verdict:
            owner = "" if info.st_uid == os.geteuid() else f"owned by uid {info.st_uid}, "
            # English: this runs while the UI catalogs themselves are being loaded from the cache.
            print(f"supportkit: warning: not using the cache folder {folder} ({owner}mode "
                  f"{stat.S_IMODE(info.st_mode):04o}); it must be yours and private (0700)", file=sys.stderr)
    _verdicts[str(folder)] = verdict
    return verdict


def _open_trusted(path: Path) -> Any:
    """``path`` opened for reading when its folder and the file itself are ours and private, else None."""
    if not _folder_usable(path.parent):
        return None
    try:
        handle = open(path, "rb")  # noqa: SIM115 - returned to the caller
    except OSError:
        return None
    try:
        info = os.fstat(handle.fileno())  # the file opened, not whatever the name points to now
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode) or not _private(info):
        handle.close()
        return None
    return handle


# --- bytes ------------------------------------------------------------------------------------

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
    Pickle files of ``kind`` (older versions wrote them) go first.
    A file another process still reads stays readable until it closes it.
    """
    if not _folder_usable(cache_dir()):
        return
    try:
        found, legacy = [], []
        for entry in os.scandir(cache_dir()):
            if entry.name.startswith(f"{kind}-") and entry.is_file():
                if entry.name.endswith(suffix):
                    found.append((entry.stat().st_mtime_ns, entry.path))
                elif entry.name.endswith(".pickle"):  # written before caches held data only: never read
                    legacy.append(entry.path)
    except OSError:
        return
    for path in legacy + [path for _, path in sorted(found, reverse=True)[keep:]]:
        with contextlib.suppress(OSError):  # gone already, or not ours to delete: only space is lost
            os.unlink(path)


def read_cache(path: Path) -> bytes | None:
    """The bytes of a ``cache_file``, or None when it is missing, unreadable or not trusted; it counts as used."""
    handle = _open_trusted(path)
    if handle is None:
        return None
    try:
        with handle:
            data: bytes = handle.read()
    except OSError:
        return None
    mark_used(path)
    return data


def map_cache(path: Path) -> memoryview | None:
    """A ``cache_file`` mapped read-only (processes share the pages), or None as for ``read_cache``."""
    import mmap

    handle = _open_trusted(path)
    if handle is None:
        return None
    try:
        with handle:
            mapped = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
    except (OSError, ValueError):
        return None
    mark_used(path)
    return mapped


def write_cache(path: Path, data: bytes, keep: int) -> None:
    """Write a ``cache_file`` (private folder, one rename), then keep the ``keep`` most recently
    used files of its kind. A cache that cannot be written, or is not trusted, only costs time."""
    if not _folder_usable(path.parent):
        return
    kind = path.name.rsplit("-", 1)[0]
    if str(path.parent) in _unwritable:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_bytes(path, data)  # mkstemp: 0600
    except OSError as exc:
        _warn_unwritable(path.parent, exc)
        return
    prune_cache(kind, path.suffix, keep)


_unwritable: set[str] = set()
"""Cache folders that could not be written: warned about once, not tried again by this process."""


def _warn_unwritable(folder: Path, exc: OSError) -> None:
    if str(folder) in _unwritable:
        return
    _unwritable.add(str(folder))
    # English: this can run while the UI catalogs themselves are being loaded from the cache.
    print(f"supportkit: warning: cannot use the cache folder {folder} ({exc.strerror or exc}); this run keeps "
          "its caches in memory and the next one builds them again (set XDG_CACHE_HOME to a writable folder)",
          file=sys.stderr)


# --- plain data -------------------------------------------------------------------------------


def loads(data: bytes | memoryview) -> Any:
    """Unmarshal ``data`` and check it is plain data (see the module docstring); ValueError otherwise."""
    import marshal

    try:
        value = marshal.loads(data)
    except (EOFError, TypeError) as exc:
        raise ValueError(f"damaged cache entry: {exc}") from None
    check_plain(value, budget=64 * len(data) + 1024)
    return value


_MAX_DEPTH = 100
"""Deeper than any cache's data; a marshal stream can build a list that holds itself."""
_CONTAINERS = frozenset({dict, list, tuple})


def check_plain(value: Any, budget: int | None = None) -> None:
    """Raise ValueError unless ``value`` is made only of the plain types a cache may hold.

    Walks one nesting level at a time with C-level iterators (a parse cache of 2,000 templates
    is checked in a few ms, where a walk object by object took over 100). ``budget`` bounds the
    items visited (``loads``: from the size of the data): containers shared, or holding themselves,
    cannot make the walk endless.
    """
    level: list[Any] = [value]
    visited = 0
    for _ in range(_MAX_DEPTH):
        kinds = set(map(type, level))
        if not kinds <= _PLAIN:
            raise ValueError(f"cache entry holds a {next(iter(kinds - _PLAIN)).__name__}")
        visited += len(level)
        if budget is not None and visited > budget:
            raise ValueError("cache entry refers to its parts too often")
        if kinds.isdisjoint(_CONTAINERS):
            return  # the usual end: a level of strings and numbers
        if kinds <= _CONTAINERS:
            containers = level
        else:
            containers = list(compress(level, map(_CONTAINERS.__contains__, map(type, level))))
        dicts = [c for c in containers if type(c) is dict] if dict in kinds else []
        sequences = containers if dict not in kinds else [c for c in containers if type(c) is not dict]
        level = [*chain.from_iterable(sequences), *chain.from_iterable(dicts),
                 *chain.from_iterable(map(dict.values, dicts))]
    raise ValueError("cache entry is nested too deeply")


def dumps(value: Any) -> bytes:
    """``value`` as bytes ``loads`` reads back; ValueError when it is not plain data."""
    import marshal

    check_plain(value)
    return marshal.dumps(value)


def read_data(path: Path, key: str) -> Any | None:
    """The data stored in ``path`` under ``key``; None when missing, untrusted, damaged, not plain or another key's."""
    raw = read_cache(path)
    if raw is None:
        return None
    try:
        stored = loads(raw)
    except ValueError:
        return None
    if type(stored) is not dict or stored.get("key") != key:
        return None
    return stored.get("data")


def write_data(path: Path, key: str, data: Any, keep: int) -> None:
    """Store plain ``data`` under ``key`` in ``path`` (``write_cache``); data that is not plain is not stored."""
    try:
        raw = dumps({"key": key, "data": data})
    except ValueError:
        return
    write_cache(path, raw, keep)


# --- a cache of entries ---------------------------------------------------------------------------


class UsedEntries:
    """A cache file holding a dict of plain data, of which each run keeps only the entries it used.

    Subclasses look entries up in ``entries`` (the last run's) and record what this run used in
    ``used``, counting in ``misses`` the ones made anew. ``save`` writes ``used`` when it changed
    by more than 1% (``worth_rewriting``), so the cache never outgrows what is in use.
    """

    def __init__(self, path: Path, key: str, load: bool = True) -> None:
        self.path = path
        self.key = key
        stored = read_data(path, key) if load else None
        self.entries: dict[str, Any] = stored if type(stored) is dict else {}
        self.used: dict[str, Any] = {}
        self.misses = 0

    def save(self, keep: int) -> None:
        """Write the cache if worth it, keeping the ``keep`` most recently used files of its kind."""
        if worth_rewriting(len(self.entries), len(self.used), self.misses):
            write_data(self.path, self.key, self.used, keep=keep)


def worth_rewriting(before: int, now: int, new: int) -> bool:
    """Whether a cache that held ``before`` entries, of which ``now`` are used and ``new`` were
    missing, changed by more than 1%: rewriting a big cache costs more than redoing a few entries."""
    dropped = before - (now - new)
    return new + dropped > now // 100

"""The configured template library, loaded once per process while its files are unchanged.

Every command and worker asks ``library_for(config)``; it reads the folder's file names,
modification times (nanoseconds) and sizes and loads the YAML again only when one of them changed.
A template whose file has an error is left out (``Library.broken`` says which and why): one
broken file disables its own template, never every reply.
"""

from __future__ import annotations

import functools
import weakref
from pathlib import Path

from supportkit.config import Config
from supportkit.errors import Problem
from supportkit.library import Library, load_library, without_broken

_NOTED: weakref.WeakSet[Library] = weakref.WeakSet()
"""Libraries whose broken files were already met by ``library_for`` in this process."""
_PENDING: weakref.WeakSet[Library] = weakref.WeakSet()
"""Those of them ``broken_notes`` has not handed out yet."""


@functools.lru_cache(maxsize=4)
def _cached_library(root: str, source_locale: str, stamp: tuple[tuple[str, int, int], ...]) -> Library:
    return without_broken(load_library(Path(root), source_locale, strict=False))


def library_for(config: Config) -> Library:
    """The configured template library, loaded once per process while its files are unchanged."""
    root = Path(config.replies_dir)
    try:
        files = sorted(root.rglob("*.y*ml"))
        stamp = tuple((str(p), info.st_mtime_ns, info.st_size) for p in files for info in (p.stat(),))
    except OSError:
        stamp = ()
    library = _cached_library(str(root), config.source_locale, stamp)
    if library.broken and library not in _NOTED:
        _NOTED.add(library)
        _PENDING.add(library)
    return library


def broken_notes() -> list[Problem]:
    """The broken files of libraries loaded since the last call (each library's once per process),
    for a command to say once which templates are disabled and why."""
    notes = [problem for library in list(_PENDING) for problem in library.broken]
    _PENDING.clear()
    return notes


def forget_loaded_libraries() -> None:
    """Drop the libraries this process loaded (the next ``library_for`` reads the files again)."""
    _cached_library.cache_clear()
    _NOTED.clear()
    _PENDING.clear()

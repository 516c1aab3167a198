"""The configured template library, loaded once per process while its files are unchanged.

Every command and worker asks ``library_for(config)``; it reads the folder's file names and
modification times (microseconds) and loads the YAML again only when one of them changed.
"""

from __future__ import annotations

import functools
from pathlib import Path

from supportkit.config import Config
from supportkit.library import Library, load_library


@functools.lru_cache(maxsize=4)
def _cached_library(root: str, source_locale: str, stamp: tuple[tuple[str, float], ...]) -> Library:
    return load_library(Path(root), source_locale)


def library_for(config: Config) -> Library:
    """The configured template library, loaded once per process while its files are unchanged."""
    root = Path(config.replies_dir)
    try:
        files = sorted(root.rglob("*.y*ml"))
        stamp = tuple((str(p), p.stat().st_mtime) for p in files)
    except OSError:
        stamp = ()
    return _cached_library(str(root), config.source_locale, stamp)


def forget_loaded_libraries() -> None:
    """Drop the libraries this process loaded (the next ``library_for`` reads the files again)."""
    _cached_library.cache_clear()

"""The cache folder helpers (``supportkit.cache``): file names per key, and pruning of stale caches."""

from __future__ import annotations

import os
import time
from pathlib import Path

from supportkit.cache import cache_dir, cache_file, mark_used, prune_cache
from supportkit.files import write_bytes


def test_cache_file_is_stable_per_key_and_kind() -> None:
    assert cache_file("match", "a", ".marshal") == cache_file("match", "a", ".marshal")
    assert cache_file("match", "a", ".marshal") != cache_file("match", "b", ".marshal")
    assert cache_file("match", "a", ".marshal").parent == cache_dir()
    assert cache_file("match", "a", ".marshal").name.startswith("match-")


def test_prune_keeps_the_newest_of_one_kind_only(tmp_path: Path) -> None:
    cache_dir().mkdir(parents=True)
    paths = [cache_file("match", str(i), ".marshal") for i in range(5)]
    for age, path in enumerate(paths):  # paths[0] is the newest
        write_bytes(path, b"x")
        os.utime(path, ns=(10**18 - age * 10**9, 10**18 - age * 10**9))
    other = cache_file("templates", "x", ".marshal")
    write_bytes(other, b"y")
    os.utime(other, ns=(1, 1))  # the oldest file of all, but another kind
    unrelated = cache_dir() / "match-notes.txt"
    unrelated.write_text("mine")
    prune_cache("match", ".marshal", keep=2)
    assert [p.exists() for p in paths] == [True, True, False, False, False]
    assert other.exists() and unrelated.exists()


def test_prune_without_a_cache_folder_is_quiet() -> None:
    assert not cache_dir().exists()
    prune_cache("match", ".marshal", keep=1)


def test_a_cache_read_lately_counts_as_new_when_pruning() -> None:
    cache_dir().mkdir(parents=True)
    old, fresh = cache_file("templates", "bundled", ".marshal"), cache_file("templates", "other", ".marshal")
    write_bytes(old, b"x")
    write_bytes(fresh, b"y")
    os.utime(old, ns=(10**18, 10**18))  # written long ago (2001)...
    recent = time.time_ns() - 10**10
    os.utime(fresh, ns=(recent, recent))  # the other one ten seconds ago
    mark_used(old)  # ...but read just now
    prune_cache("templates", ".marshal", keep=1)
    assert old.exists() and not fresh.exists()


def test_prune_removes_the_pickles_older_versions_wrote() -> None:
    cache_dir().mkdir(parents=True)
    old = cache_dir() / "templates-0badc0de.pickle"
    old.write_bytes(b"x")
    current = cache_file("templates", "now")
    write_bytes(current, b"y")
    prune_cache("templates", ".marshal", keep=8)
    assert current.exists() and not old.exists()

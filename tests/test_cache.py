"""The cache folder helpers (``supportkit.cache``): file names per key, and pruning of stale caches."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

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


def test_an_unusable_cache_folder_is_one_warning_per_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {**os.environ, "XDG_CACHE_HOME": str(blocker / "cache"), "SUPPORTKIT_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "supportkit", "reply", "my transfer is pending"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("supportkit: warning:")]
    assert warnings == [f"supportkit: warning: cannot use the cache folder {blocker / 'cache' / 'supportkit'} "
                        "(Not a directory); this run keeps its caches in memory and the next one builds them "
                        "again (set XDG_CACHE_HOME to a writable folder)"]
    assert done.stdout.strip()  # the reply itself


def test_a_failed_cache_write_warns_once_and_is_not_tried_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from supportkit import cache

    folder = tmp_path / "cache"
    monkeypatch.setattr(cache, "cache_dir", lambda: folder)
    monkeypatch.setattr(cache, "_unwritable", set())
    calls = []

    def refuse(path: Path, data: bytes) -> None:
        calls.append(path)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache, "write_bytes", refuse)
    cache.write_cache(folder / "match-1.marshal", b"x", keep=2)
    cache.write_cache(folder / "templates-2.marshal", b"y", keep=2)
    assert len(calls) == 1
    assert capsys.readouterr().err == (
        f"supportkit: warning: cannot use the cache folder {folder} (Permission denied); this run keeps its "
        "caches in memory and the next one builds them again (set XDG_CACHE_HOME to a writable folder)\n")

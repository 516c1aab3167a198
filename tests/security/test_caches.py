"""Attacks on the cache folder (trust-boundaries issue): a cache holds data, never code.

Each test plays one attack from the review against every cache that could suffer it: a
planted pickle or code object at the path supportkit computes, a folder someone else
owns or can write, an entry an older loader wrote. The command must keep working (the
cache is rebuilt) and nothing planted may run or be believed.
"""

from __future__ import annotations

import marshal
import os
import pickle
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from supportkit import cache as _cache
from supportkit.config import BUNDLED_LOCALES, BUNDLED_REPLIES, Config
from supportkit.library import Library, _ParseCache, load_library

NOBODY = 65534
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")


class _Marker:
    """Unpickling this creates ``path``: proof that a cache file ran code."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.path), "w"))


@pytest.fixture(autouse=True)
def _cold_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts like a new process: nothing remembered from another test's cache."""
    from supportkit import i18n
    from supportkit.detection import model
    from supportkit.guard import hanzi
    from supportkit.library.store import forget_loaded_libraries
    from supportkit.matching import store as cache

    monkeypatch.setattr(_cache, "_verdicts", {})
    monkeypatch.setattr(model, "_model", None)
    monkeypatch.setattr(hanzi, "_model", None)
    monkeypatch.setattr(cache, "_BY_KEY", {})
    monkeypatch.setattr(cache, "_BY_LIBRARY", {})
    # The prebuilt model and index of an installed package are not a cache: here, the caches are tested.
    monkeypatch.setattr(model, "shipped_path", lambda: Path("/nonexistent/detect.model"))
    monkeypatch.setattr(cache, "shipped_path", lambda: Path("/nonexistent/match.index"))
    i18n._translations.cache_clear()
    forget_loaded_libraries()


# --- every cache: where it is, and a use of it that must keep working --------------------------


def _library() -> Library:
    return load_library(BUNDLED_REPLIES)


def _templates(tmp: Path) -> tuple[Path, str, Callable[[], None]]:
    parse = _ParseCache(BUNDLED_REPLIES, "en")

    def use() -> None:
        assert len(_library()) > 30 and not _library().errors

    return parse.path, parse.key, use


def _faq(tmp: Path) -> tuple[Path, str, Callable[[], None]]:
    from supportkit.faq.articles import article_cache_key, article_cache_path
    from supportkit.faq.build import BuildOptions, build_site

    out = (tmp / "site").resolve()

    def use() -> None:
        assert build_site(Config(), BuildOptions(out=out), _library()).articles > 0

    use()  # a previous build: the next one reads the cache
    return article_cache_path(out), article_cache_key(out), use


def _match(tmp: Path) -> tuple[Path, str, Callable[[], None]]:
    from supportkit.matching import classify
    from supportkit.matching import store as cache

    library = _library()
    key = cache.library_key(library)

    def use() -> None:
        cache._BY_KEY.clear()
        cache._BY_LIBRARY.clear()
        cache.index_for(library)
        assert classify("my USDT transfer is pending", "en", library).top == "tx_pending"

    return cache._disk_path(key), key, use


def _detect(tmp: Path) -> tuple[Path, str, Callable[[], None]]:
    from supportkit.detection import detect, model

    def use() -> None:
        assert detect("mi transferencia no llega todavía").language == "es"

    return _cache.cache_file("detect", model._cache_key()), model._cache_key(), use


def _guard_han(tmp: Path) -> tuple[Path, str, Callable[[], None]]:
    from supportkit.guard import hanzi, scan

    def use() -> None:
        assert not scan("请问我的转账为什么还没有到账").secret_found

    return _cache.cache_file("guard-han", hanzi._cache_key()), hanzi._cache_key(), use


def _catalog(tmp: Path) -> tuple[Path, str, Callable[[], None]]:
    from supportkit import i18n
    from supportkit.i18n import catalogs

    def use() -> None:
        i18n._translations.cache_clear()
        assert catalogs.compiled_catalog(BUNDLED_LOCALES, "fr")
        assert i18n.translations("fr").gettext("file not found: {path}") != "file not found: {path}"

    path, key = catalogs._cache_entry(BUNDLED_LOCALES / "fr" / "LC_MESSAGES" / "messages.po", "fr")
    return path, key, use


CACHES = {"templates": _templates, "faq": _faq, "match": _match, "detect": _detect, "guard-han": _guard_han,
          "catalog": _catalog}


def _plant(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(data)
    path.chmod(0o600)


# --- the attacks -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CACHES)
def test_a_planted_pickle_never_runs(name: str, tmp_path: Path) -> None:
    path, _, use = CACHES[name](tmp_path)
    marker = tmp_path / "pwned"
    _plant(path, pickle.dumps({"x": _Marker(marker)}, protocol=pickle.HIGHEST_PROTOCOL))
    use()
    assert not marker.exists(), f"the {name} cache unpickled a planted file"
    use()  # and again, from what the first use wrote back
    assert not marker.exists()


@pytest.mark.parametrize("name", CACHES)
def test_a_planted_code_object_is_rejected(name: str, tmp_path: Path) -> None:
    path, key, use = CACHES[name](tmp_path)
    code = compile(f"open({str(tmp_path / 'pwned')!r}, 'w')", "planted", "exec")
    if name == "detect":  # its own layout: magic, header length, header
        from supportkit.detection import model

        header = marshal.dumps({"format": model.FORMAT, "key": key, "latin": code})
        planted = model._MAGIC + len(header).to_bytes(4, "little") + header
    else:
        planted = marshal.dumps({"key": key, "data": {"entry": [code]}})
    _plant(path, planted)
    use()
    assert not (tmp_path / "pwned").exists()
    rebuilt = path.read_bytes()
    assert rebuilt != planted, f"the {name} cache kept the planted entry"
    if name != "detect":
        assert _cache.read_data(path, key) is not None  # what was written back is plain data


def test_no_module_unpickles() -> None:
    import supportkit

    root = Path(supportkit.__file__).parent
    users = [p.name for p in root.rglob("*.py") if "import pickle" in p.read_text(encoding="utf-8")]
    assert users == []


def test_loads_accepts_plain_data_only() -> None:
    plain = {"a": [1, 2.5, True, None, b"x", ("t", {"n": -1})]}
    assert _cache.loads(marshal.dumps(plain)) == plain
    for unsafe in (compile("1", "x", "eval"), {"a": frozenset()}, [{1, 2}], (1, [2, (3, Ellipsis)]), 1j):
        with pytest.raises(ValueError):
            _cache.loads(marshal.dumps(unsafe))
    deep: Any = []
    for _ in range(1500):
        deep = [deep]
    with pytest.raises(ValueError):  # refused without a RecursionError
        _cache.loads(marshal.dumps(deep))
    # A list holding itself, as a hand-made marshal stream can build: refused, not walked forever.
    looped: list[Any] = []
    looped.extend([looped, looped])
    with pytest.raises(ValueError):
        _cache.check_plain(looped, budget=10_000)


def _planted_library_entry(parse: _ParseCache) -> bytes:
    """A well-formed parse cache whose tx_pending says what an attacker wants agents to send."""
    from supportkit.library import _result_to_data, load_template

    path = BUNDLED_REPLIES / "tx_pending.yaml"
    template, problems = load_template(path)
    assert template is not None
    data = list(_result_to_data((template, problems)))
    data[0] = list(data[0])
    data[0][11] = {**data[0][11], "en": ("en", "PLANTED", "Send your recovery phrase to us", None, "approved",
                                         "", 1, 1, 1)}
    info = path.stat()
    entry = {str(path): (info.st_mtime_ns, info.st_size, (tuple(data[0]), data[1]))}
    return marshal.dumps({"key": parse.key, "data": entry})


def _subject() -> str:
    return _library().get("tx_pending").locales["en"].subject


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_a_cache_folder_others_can_write_is_not_read(mode: int, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    parse = _ParseCache(BUNDLED_REPLIES, "en")
    _plant(parse.path, _planted_library_entry(parse))
    assert _subject() == "PLANTED"  # the entry is well formed: a trusted folder would use it
    planted = parse.path.read_bytes()  # as that run wrote it back, with the other templates
    _cache._verdicts.clear()  # a new process
    folder = _cache.cache_dir()
    folder.chmod(mode)
    assert _subject() != "PLANTED"
    assert parse.path.read_bytes() == planted  # nothing written there either
    err = capsys.readouterr().err
    assert err.count("not using the cache folder") == 1 and str(folder) in err
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # ours: tightened for the next run


@as_root
def test_a_cache_folder_of_another_user_is_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parse = _ParseCache(BUNDLED_REPLIES, "en")
    _plant(parse.path, _planted_library_entry(parse))
    folder = _cache.cache_dir()
    os.chown(folder, NOBODY, NOBODY)
    _cache._verdicts.clear()  # a new process
    assert _subject() != "PLANTED"
    assert "not using the cache folder" in capsys.readouterr().err
    assert folder.stat().st_uid == NOBODY and stat.S_IMODE(folder.stat().st_mode) == 0o700  # not ours to change


@as_root
def test_a_cache_file_of_another_user_is_not_read(tmp_path: Path) -> None:
    parse = _ParseCache(BUNDLED_REPLIES, "en")
    _plant(parse.path, _planted_library_entry(parse))
    os.chown(parse.path, NOBODY, NOBODY)
    assert _subject() != "PLANTED"


def test_a_group_writable_cache_file_is_not_read(tmp_path: Path) -> None:
    parse = _ParseCache(BUNDLED_REPLIES, "en")
    _plant(parse.path, _planted_library_entry(parse))
    parse.path.chmod(0o620)
    assert _subject() != "PLANTED"


def test_an_entry_written_by_other_code_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import supportkit.yamlsource

    files = sorted(BUNDLED_REPLIES.glob("*.yaml"))
    old = _ParseCache(BUNDLED_REPLIES, "en")
    for path in files:
        old.load(path)
    old.save(keep=8)
    written = old.path.read_bytes()
    # The loader changes (an upgrade, an edit): its entries must not be read, even at the same name.
    changed = tmp_path / "yamlsource.py"
    changed.write_text(Path(supportkit.yamlsource.__file__).read_text(encoding="utf-8") + "\n# changed\n")
    monkeypatch.setattr(supportkit.yamlsource, "__file__", str(changed))
    new = _ParseCache(BUNDLED_REPLIES, "en")
    _plant(new.path, written)
    for path in files:
        new.load(path)
    assert new.misses == len(files), "a parse cache written by another loader was used"


def test_the_cache_folder_is_created_private(monkeypatch: pytest.MonkeyPatch, runner: Any) -> None:
    from supportkit.cli import cli

    monkeypatch.setenv("SUPPORTKIT_LANG", "fr")  # the UI catalog is the first cache this run writes
    result = runner.invoke(cli, ["templates", "list"])
    assert result.exit_code == 0, result.output
    folder = _cache.cache_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.rglob("*")), list(folder.rglob("*"))


def test_a_readable_cache_folder_of_ours_is_tightened_and_used() -> None:
    parse = _ParseCache(BUNDLED_REPLIES, "en")
    _plant(parse.path, _planted_library_entry(parse))
    _cache.cache_dir().chmod(0o755)
    _cache._verdicts.clear()  # a new process
    assert _subject() == "PLANTED"  # others could read it, not write it: still ours, still used
    assert stat.S_IMODE(_cache.cache_dir().stat().st_mode) == 0o700


def test_an_unwritable_cache_folder_costs_time_only() -> None:
    folder = _cache.cache_dir()
    folder.mkdir(parents=True, mode=0o500)
    try:
        assert len(_library()) > 30
        _cache.write_data(folder / "x-00000000.marshal", "k", {"a": 1}, keep=1)
    finally:
        folder.chmod(0o700)


def test_a_prebuilt_model_holding_code_is_not_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The prebuilt files sit in the package folder (as trusted as the code), yet they are read as
    # plain data only, like every cache: a tampered install cannot run code through them.
    from supportkit.detection import model
    from supportkit.matching import store

    code = compile(f"open({str(tmp_path / 'pwned')!r}, 'w')", "planted", "exec")
    header = marshal.dumps({"format": model.FORMAT, "key": model.shipped_key(), "latin": code})
    shipped = tmp_path / "detect.model"
    shipped.write_bytes(model._MAGIC + len(header).to_bytes(4, "little") + header)
    monkeypatch.setattr(model, "shipped_path", lambda: shipped)
    assert model._load_shipped() is None
    index = tmp_path / "match.index"
    index.write_bytes(marshal.dumps({"key": store.shipped_key(_library()), "data": {"entry": [code]}}))
    monkeypatch.setattr(store, "shipped_path", lambda: index)
    assert store._read_shipped(_library()) is None
    assert not (tmp_path / "pwned").exists()

"""``supportkit models`` and ``supportkit translate``: packages in and out, validation, the index client.

The index tests serve an ``index.json`` and packages built here from a local
``http.server`` on 127.0.0.1; nothing else is reachable (tests/conftest.py).
"""

from __future__ import annotations

import hashlib
import json
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.errors import ModelError
from supportkit.translation.package_index import index_url, plan_install
from supportkit.translation.packages import (
    PackageInfo,
    install_archive,
    list_installed,
    packages_dir,
    validate_archive,
)
from tests.conftest import NetworkBlocked


def installed_names() -> list[str]:
    root = packages_dir()
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


def no_leftovers() -> bool:
    """Nothing half-written beside or inside the packages folder."""
    root = packages_dir()
    places = [root.parent, root] if root.is_dir() else [root.parent]
    return not any(p.name.startswith(".supportkit-") for place in places if place.is_dir() for p in place.iterdir())


# --- install, list, remove -------------------------------------------------------------


def test_install_list_remove(runner: CliRunner, archives: Callable[..., Path]) -> None:
    result = runner.invoke(cli, ["models", "install", str(archives("en", "es")), str(archives("zh", "en"))])
    assert result.exit_code == 0, result.output
    assert "installed translate-en_es 1.0 (en -> es)" in result.stdout
    assert installed_names() == ["translate-en_es-1_0", "translate-zh_en-1_0"]

    listed = runner.invoke(cli, ["models", "list", "--json"])
    data = json.loads(listed.stdout)
    assert data["packages_dir"] == str(packages_dir())
    assert [(p["from"], p["to"], p["version"], p["usable"]) for p in data["packages"]] == [
        ("en", "es", "1.0", True), ("zh", "en", "1.0", True)]
    text = runner.invoke(cli, ["models", "list"])
    assert text.stdout.splitlines()[0].startswith("en -> es\t1.0\t")

    assert runner.invoke(cli, ["models", "remove", "en", "es"]).exit_code == 0
    assert runner.invoke(cli, ["models", "remove", "translate-zh_en"]).exit_code == 0
    assert installed_names() == []
    assert no_leftovers()
    again = runner.invoke(cli, ["models", "remove", "en", "es"])
    assert again.exit_code == 1
    assert "no installed package translate-en_es" in again.output
    assert "Traceback" not in again.output


def test_empty_list_says_how_to_install(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["models", "list"])
    assert result.exit_code == 0
    assert "supportkit models install en zh" in result.stderr
    assert json.loads(runner.invoke(cli, ["models", "list", "--json"]).stdout)["packages"] == []


def test_new_version_replaces_the_old_one_atomically(archives: Callable[..., Path]) -> None:
    install_archive(archives("en", "es", version="1.0"))
    result = install_archive(archives("en", "es", version="1.1"))
    assert result.replaced == ("translate-en_es-1_0",)
    assert [p.info.package_version for p in list_installed()] == ["1.1"]
    again = install_archive(archives("en", "es", version="1.1"))  # same folder: swapped in one rename
    assert again.replaced == ()
    assert installed_names() == ["translate-en_es-1_1"]
    assert no_leftovers()


def test_install_with_no_arguments_of_either_kind_is_a_usage_error(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["models", "install", "en"]).exit_code == 2
    assert runner.invoke(cli, ["models", "install", "en", "zh", "x.argosmodel"]).exit_code == 2


def test_installed_packages_translate(runner: CliRunner, archives: Callable[..., Path]) -> None:
    runner.invoke(cli, ["models", "install", str(archives("ru", "en")), str(archives("en", "fr"))])
    message = "Мой перевод 20 USDT на TXYZa1b2c3d4e5f6g7h8i9j1k2m3n4p5q6 завис."
    result = runner.invoke(cli, ["translate", "-", "--from", "ru", "--to", "fr", "--json"], input=message)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["path"], data["source_language"], data["target_language"]) == ("ru->en->fr", "ru", "fr")
    assert data["text"] == message and data["secret_found"] is False
    assert [s["status"] for s in data["segments"]] == ["translated"]
    plain = runner.invoke(cli, ["translate", message, "--from", "ru", "--to", "fr"])
    assert plain.stdout == message + "\n"


def test_translate_without_a_model_says_which_command_installs_it(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["translate", "Hola amigo", "--from", "es", "--to", "zh"])
    assert result.exit_code == 1
    assert "Error: no translation model for es -> zh" in result.stderr
    assert "supportkit models install es zh" in result.stderr
    assert "Traceback" not in result.output


def test_translate_reports_secrets_in_json(runner: CliRunner, archives: Callable[..., Path]) -> None:
    from mnemonic import Mnemonic

    install_archive(archives("en", "es"))
    phrase = Mnemonic("english").to_mnemonic(bytes(range(16)))
    result = runner.invoke(cli, ["translate", "--from", "en", "--to", "es", "--json", f"my words: {phrase}"])
    data = json.loads(result.stdout)
    assert data["secret_found"] is True
    assert phrase.split()[3] not in result.stdout
    warned = runner.invoke(cli, ["translate", "--from", "en", "--to", "es", f"my words: {phrase}"])
    assert "WARNING" in warned.stderr and phrase.split()[3] not in warned.stdout


# --- validation ----------------------------------------------------------------------------


def _rewrite(source: Path, dest: Path, change: Callable[[str, bytes], list[tuple[str, bytes]]],
             extra: Sequence[tuple[zipfile.ZipInfo | str, bytes]] = ()) -> Path:
    """A copy of the archive ``source`` with each member passed through ``change`` (and ``extra`` added)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            for name, data in change(info.filename, src.read(info)):
                out.writestr(name, data)
        for entry, payload in extra:
            out.writestr(entry, payload)
    return dest


def _symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o120777 << 16)
    return info


BAD_ARCHIVES: dict[str, tuple[Callable[[str, bytes], list[tuple[str, bytes]]], list[Any], str]] = {
    "parent-path": (lambda n, d: [(n, d)], [("translate-en_es-1_0/../../evil.txt", b"x")], "unsafe path"),
    "absolute-path": (lambda n, d: [(n, d)], [("/tmp/evil.txt", b"x")], "unsafe path"),
    "backslash": (lambda n, d: [(n, d)], [("translate-en_es-1_0\\..\\evil.txt", b"x")], "unsafe path"),
    "symlink": (lambda n, d: [(n, d)], [(_symlink("translate-en_es-1_0/link"), b"/etc/passwd")], "link"),
    "two-folders": (lambda n, d: [(n, d)], [("other/file.txt", b"x")], "exactly one top-level folder"),
    "no-folder": (lambda n, d: [(n.split("/", 1)[1], d)], [], "exactly one top-level folder"),
    "no-metadata": (lambda n, d: [] if n.endswith("metadata.json") else [(n, d)], [], "missing"),
    "bad-json": (lambda n, d: [(n, b"{not json" if n.endswith("metadata.json") else d)], [], "not valid JSON"),
    "bad-code": (lambda n, d: [(n, json.dumps({**json.loads(d), "from_code": "../x"}).encode()
                               if n.endswith("metadata.json") else d)], [], "from_code"),
    "no-model": (lambda n, d: [] if n.endswith("model.bin") else [(n, d)], [], "model.bin"),
    "no-tokenizer": (lambda n, d: [] if n.endswith("sentencepiece.model") else [(n, d)], [], "tokenizer"),
}


@pytest.mark.parametrize("case", sorted(BAD_ARCHIVES))
def test_invalid_packages_are_refused_and_nothing_is_written(case: str, tmp_path: Path, runner: CliRunner,
                                                             archives: Callable[..., Path]) -> None:
    change, extra, expected = BAD_ARCHIVES[case]
    bad = _rewrite(archives("en", "es"), tmp_path / f"{case}.argosmodel", change, extra)
    result = runner.invoke(cli, ["models", "install", str(bad)])
    assert result.exit_code == 1, result.output
    assert "not a valid Argos model package" in result.stderr and expected in result.stderr
    assert "Traceback" not in result.output
    assert installed_names() == [] and no_leftovers()
    assert not (tmp_path.parent / "evil.txt").exists()


def test_every_problem_is_reported_at_once(tmp_path: Path, archives: Callable[..., Path]) -> None:
    bad = _rewrite(archives("en", "es"), tmp_path / "bad.argosmodel",
                   lambda n, d: [] if n.endswith(("model.bin", "sentencepiece.model")) else [(n, d)],
                   [("translate-en_es-1_0/../x", b"")])
    with pytest.raises(ModelError) as caught:
        validate_archive(bad)
    message = str(caught.value)
    assert "unsafe path" in message and "model.bin" in message and "tokenizer" in message


def test_not_a_zip_and_a_corrupt_member_are_refused(tmp_path: Path, archives: Callable[..., Path]) -> None:
    junk = tmp_path / "junk.argosmodel"
    junk.write_bytes(b"this is not a zip file")
    with pytest.raises(ModelError, match="not a zip archive"):
        install_archive(junk)
    corrupt = tmp_path / "corrupt.argosmodel"
    data = bytearray(archives("en", "es").read_bytes())
    with zipfile.ZipFile(archives("en", "es")) as zf:
        member = zf.getinfo("translate-en_es-1_0/model/model.bin")
    start = member.header_offset + 30 + len(member.filename) + len(member.extra) + 100
    data[start:start + 8] = b"\x00" * 8
    corrupt.write_bytes(bytes(data))
    with pytest.raises(ModelError):
        install_archive(corrupt)
    assert installed_names() == [] and no_leftovers()


def test_a_published_checksum_is_checked(runner: CliRunner, archives: Callable[..., Path]) -> None:
    archive = archives("en", "es")
    wrong = runner.invoke(cli, ["models", "install", str(archive), "--sha256", "0" * 64])
    assert wrong.exit_code == 1 and "SHA-256 of the package is" in wrong.stderr
    assert installed_names() == []
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    right = runner.invoke(cli, ["models", "install", str(archive), "--sha256", digest.upper()])
    assert right.exit_code == 0, right.output
    assert runner.invoke(cli, ["models", "install", "en", "es", "--sha256", digest]).exit_code == 2


def test_missing_file_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["models", "install", "nowhere.argosmodel"])
    assert result.exit_code == 1 and "package file not found" in result.stderr


# --- where packages live -------------------------------------------------------------------


def test_packages_dir_follows_argos(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert packages_dir({"ARGOS_PACKAGES_DIR": "/srv/argos"}) == Path("/srv/argos")
    assert packages_dir({"HOME": str(home)}) == home / ".local/share/argos-translate/packages"
    assert packages_dir({"HOME": str(home), "XDG_DATA_HOME": "/data"}) == Path("/data/argos-translate/packages")
    settings = home / ".config/argos-translate/settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"ARGOS_PACKAGES_DIR": "/opt/models"}), encoding="utf-8")
    assert packages_dir({"HOME": str(home)}) == Path("/opt/models")
    assert packages_dir({"HOME": str(home), "ARGOS_PACKAGES_DIR": "/env"}) == Path("/env")


def test_index_address_follows_argos() -> None:
    assert index_url(None, {}).endswith("/argospm-index/main/index.json")
    assert index_url(None, {"ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/repo/"}) == "http://127.0.0.1:9/repo/index.json"
    assert index_url(None, {"SUPPORTKIT_PACKAGE_INDEX": "http://h/i.json", "ARGOS_PACKAGE_INDEX": "x"}) == "http://h/i.json"
    assert index_url("http://h/other.json", {"SUPPORTKIT_PACKAGE_INDEX": "http://h/i.json"}) == "http://h/other.json"


# --- the index, served from 127.0.0.1 --------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(autouse=True)
def _sockets_collected_here() -> Iterator[None]:
    """Sockets that urllib and http.server leave to the garbage collector after an aborted or
    refused transfer are collected at the end of the test that made them: left to chance, the
    collector ran in a later, unrelated test and failed it with a ResourceWarning."""
    import gc
    import warnings

    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture
def index_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``(base URL, folder it serves)``: an HTTP server on 127.0.0.1 for this test only."""
    folder = tmp_path / "served"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def publish(folder: Path, base: str, archives: list[Path], **overrides: Any) -> str:
    """Copy ``archives`` into the served folder and write an Argos-style index.json for them."""
    entries = []
    for archive in archives:
        (folder / archive.name).write_bytes(archive.read_bytes())
        with zipfile.ZipFile(archive) as zf:
            metadata = json.loads(zf.read(f"{archive.stem}/metadata.json"))
        entry = {**metadata, "links": ["ipfs://skipped", f"{base}/{archive.name}"],
                 "code": metadata["code"]}
        entry.update(overrides.get(metadata["code"], {}))
        entries.append(entry)
    entries.append({"type": "sbd", "code": "sbd-en", "links": [f"{base}/none"]})  # not ours: skipped
    (folder / "index.json").write_text(json.dumps(entries), encoding="utf-8")
    return f"{base}/index.json"


def test_install_a_pair_from_the_index(runner: CliRunner, index_server: tuple[str, Path],
                                       archives: Callable[..., Path]) -> None:
    base, folder = index_server
    archive = archives("en", "zh")
    url = publish(folder, base, [archive], **{"translate-en_zh": {
        "sha256": hashlib.sha256(archive.read_bytes()).hexdigest(), "size": archive.stat().st_size}})
    carry = packages_dir().parent / "carry"
    result = runner.invoke(cli, ["models", "install", "en", "zh", "--index", url, "--save", str(carry)])
    assert result.exit_code == 0, result.output
    assert installed_names() == ["translate-en_zh-1_0"]
    assert "\r" not in result.output  # no progress bar when not on a terminal
    assert no_leftovers()
    saved = carry / "translate-en_zh-1_0.argosmodel"
    assert saved.read_bytes() == archive.read_bytes()
    assert f"saved {saved} (sha256 {hashlib.sha256(archive.read_bytes()).hexdigest()})" in result.stdout
    # ...and the copy installs on the "offline" side, checked against its digest.
    assert runner.invoke(cli, ["models", "remove", "en", "zh"]).exit_code == 0
    digest = hashlib.sha256(saved.read_bytes()).hexdigest()
    assert runner.invoke(cli, ["models", "install", str(saved), "--sha256", digest]).exit_code == 0


def test_index_install_pivots_through_english(runner: CliRunner, index_server: tuple[str, Path],
                                              archives: Callable[..., Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    base, folder = index_server
    publish(folder, base, [archives("zh", "en"), archives("en", "es"), archives("en", "fr")])
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", base)  # Argos' own variable: the repository address
    result = runner.invoke(cli, ["models", "install", "zh", "es"])
    assert result.exit_code == 0, result.output
    assert installed_names() == ["translate-en_es-1_0", "translate-zh_en-1_0"]
    translated = runner.invoke(cli, ["translate", "我的钱包卡住了。", "--from", "zh", "--to", "es", "--json"])
    assert json.loads(translated.stdout)["path"] == "zh->en->es"


@pytest.mark.parametrize(("override", "expected"), [
    ({"sha256": "0" * 64}, "SHA-256"),
    ({"size": 12}, "the index says 12"),
])
def test_index_download_checks_fail_closed(override: dict[str, Any], expected: str, runner: CliRunner,
                                           index_server: tuple[str, Path], archives: Callable[..., Path]) -> None:
    base, folder = index_server
    url = publish(folder, base, [archives("en", "zh")], **{"translate-en_zh": override})
    result = runner.invoke(cli, ["models", "install", "en", "zh", "--index", url])
    assert result.exit_code == 1
    assert "failed its checks" in result.stderr and expected in result.stderr
    assert installed_names() == [] and no_leftovers()


def test_index_entry_that_lies_about_its_pair_is_refused(index_server: tuple[str, Path],
                                                         archives: Callable[..., Path], runner: CliRunner) -> None:
    base, folder = index_server
    archive = archives("en", "fr")
    (folder / "fake.argosmodel").write_bytes(archive.read_bytes())
    entry = {"from_code": "en", "to_code": "zh", "code": "translate-en_zh", "links": [f"{base}/fake.argosmodel"]}
    (folder / "index.json").write_text(json.dumps([entry]), encoding="utf-8")
    result = runner.invoke(cli, ["models", "install", "en", "zh", "--index", f"{base}/index.json"])
    assert result.exit_code == 1 and "holds translate-en_fr" in result.stderr
    assert installed_names() == []


def test_index_errors_are_clear(runner: CliRunner, index_server: tuple[str, Path],
                                archives: Callable[..., Path]) -> None:
    base, folder = index_server
    missing = runner.invoke(cli, ["models", "install", "en", "zh", "--index", f"{base}/nothing.json"])
    assert missing.exit_code == 1 and "cannot download the package index: HTTP 404" in missing.stderr
    url = publish(folder, base, [archives("en", "fr")])
    absent = runner.invoke(cli, ["models", "install", "ru", "zh", "--index", url])
    assert absent.exit_code == 1 and "has no package for ru -> zh" in absent.stderr
    (folder / "translate-en_fr-1_0.argosmodel").unlink()
    gone = runner.invoke(cli, ["models", "install", "en", "fr", "--index", url])
    assert gone.exit_code == 1 and "cannot download translate-en_fr" in gone.stderr and "HTTP 404" in gone.stderr
    bad_scheme = runner.invoke(cli, ["models", "install", "en", "fr", "--index", "file:///etc/index.json"])
    assert bad_scheme.exit_code == 1 and "unsupported address" in bad_scheme.stderr
    assert "Traceback" not in missing.output + absent.output + gone.output + bad_scheme.output


def test_progress_bar_only_for_a_person_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from supportkit.cli.common import show_progress

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert not show_progress()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert show_progress()
    monkeypatch.setenv("CI", "true")
    assert not show_progress()


def test_plan_prefers_the_newest_direct_package() -> None:
    offered = [PackageInfo("en", "zh", "1.0", links=("http://x/1",)), PackageInfo("en", "zh", "1.9", links=("http://x/2",)),
               PackageInfo("zh", "en", "1.9", links=("http://x/3",))]
    assert [p.package_version for p in plan_install("en", "zh", offered)] == ["1.9"]
    with pytest.raises(ModelError, match="offers: en->zh, zh->en"):
        plan_install("es", "zh", offered)


def test_the_network_beyond_loopback_stays_blocked(runner: CliRunner) -> None:
    import gc
    import warnings

    with warnings.catch_warnings():
        # The refused socket is never closed by urllib (the guard raises a non-OSError); drop it quietly.
        warnings.simplefilter("ignore", ResourceWarning)
        result = runner.invoke(cli, ["models", "install", "en", "zh", "--index", "http://192.0.2.10/index.json"])
        blocked = isinstance(result.exception, NetworkBlocked)
        del result
        gc.collect()
    assert blocked
    assert installed_names() == []


# --- what the index offers (models available), and offline errors that name the right files ----------

NAMES = {"en": "English", "es": "Spanish", "zh": "Chinese", "ru": "Russian", "fr": "French"}
MIRROR = "https://mirror.example.org/v1"


def entry(from_code: str, to_code: str, version: str = "1.0") -> dict[str, Any]:
    """An index entry as Argos publishes it (its links are never opened by these tests)."""
    name = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}.argosmodel"
    return {"package_version": version, "argos_version": "1.0", "from_code": from_code, "to_code": to_code,
            "from_name": NAMES[from_code], "to_name": NAMES[to_code], "code": f"translate-{from_code}_{to_code}",
            "type": "translate", "links": [f"ipfs://Qm{from_code}{to_code}", f"{MIRROR}/{name}"]}


def write_index(path: Path, *entries: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([*entries, {"type": "sbd", "code": "sbd-en", "links": ["x"]}]), encoding="utf-8")
    return path


OFFER = (entry("en", "es"), entry("en", "es", "0.9"), entry("es", "en"), entry("en", "ru"), entry("zh", "en"),
         entry("en", "zh"))


def argos_index() -> Path:
    """Argos' own copy (argospm update), where Argos 1.9+ keeps it: read when supportkit saved none."""
    import os

    return write_index(Path(os.environ["XDG_DATA_HOME"]) / "argos-translate" / "index.json", *OFFER)


def test_available_lists_the_index_with_installed_packages_marked(runner: CliRunner, tmp_path: Path,
                                                                   archives: Callable[..., Path]) -> None:
    index = write_index(tmp_path / "carried" / "index.json", *OFFER)
    install_archive(archives("en", "es", version="1.0"))
    install_archive(archives("zh", "en", version="0.5"))
    result = runner.invoke(cli, ["models", "available", "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "en -> es\t1.0\tEnglish -> Spanish\ttranslate-en_es-1_0.argosmodel\tinstalled\n"
        "en -> ru\t1.0\tEnglish -> Russian\ttranslate-en_ru-1_0.argosmodel\n"
        "en -> zh\t1.0\tEnglish -> Chinese\ttranslate-en_zh-1_0.argosmodel\n"
        "es -> en\t1.0\tSpanish -> English\ttranslate-es_en-1_0.argosmodel\n"
        "zh -> en\t1.0\tChinese -> English\ttranslate-zh_en-1_0.argosmodel\tinstalled 0.5, older\n")
    assert result.stderr == f"package index: {index} ({index})\n"
    from_en = runner.invoke(cli, ["models", "available", "EN", "--index", str(index)])
    assert [line.split("\t")[0] for line in from_en.stdout.splitlines()] == ["en -> es", "en -> ru", "en -> zh"]
    # FROM TO: what `models install FROM TO` would install, both hops through English for a pivot.
    pivot = runner.invoke(cli, ["models", "available", "es", "ru", "--index", str(index), "--json"])
    data = json.loads(pivot.stdout)
    assert [(p["code"], p["file"], p["link"], p["installed"]) for p in data["packages"]] == [
        ("translate-es_en", "translate-es_en-1_0.argosmodel", f"{MIRROR}/translate-es_en-1_0.argosmodel", None),
        ("translate-en_ru", "translate-en_ru-1_0.argosmodel", f"{MIRROR}/translate-en_ru-1_0.argosmodel", None)]
    assert (data["index"], data["file"], data["saved_at"]) == (str(index), str(index), None)
    none = runner.invoke(cli, ["models", "available", "fr", "ru", "--index", str(index)])
    assert none.exit_code == 1 and "has no package for fr -> ru" in none.stderr


def test_available_offline_reads_the_saved_index_or_argos_own(runner: CliRunner, index_server: tuple[str, Path],
                                                               archives: Callable[..., Path]) -> None:
    nothing = runner.invoke(cli, ["models", "available"])  # offline, nothing saved: no network, a clear error
    assert nothing.exit_code == 1 and "Traceback" not in nothing.output
    assert nothing.stderr == (
        "Error: no package index on this machine yet (https://raw.githubusercontent.com/argosopentech/argospm-index"
        "/main/index.json). Download it (online): supportkit models available --update; on a machine without a "
        "connection, copy an index.json there and run: supportkit models available --index ./index.json\n")
    argos_index()
    theirs = runner.invoke(cli, ["models", "available", "zh"])
    assert theirs.exit_code == 0 and theirs.stdout.startswith("zh -> en\t1.0\tChinese -> English\t")
    # --update downloads and saves the index; later runs read the saved copy with no server.
    base, folder = index_server
    url = publish(folder, base, [archives("en", "fr")])
    updated = runner.invoke(cli, ["models", "available", "--update", "--index", url])
    assert updated.exit_code == 0, updated.output
    assert updated.stdout == "en -> fr\t1.0\tEnglish -> French\ttranslate-en_fr-1_0.argosmodel\n"
    (folder / "index.json").unlink()
    offline = runner.invoke(cli, ["models", "available", "--index", url, "--json"])
    assert offline.exit_code == 0, offline.output
    saved = json.loads(offline.stdout)
    assert saved["index"] == url and saved["saved_at"].endswith("Z") and len(saved["packages"]) == 1


def test_missing_model_error_names_the_exact_files_and_links(runner: CliRunner,
                                                              archives: Callable[..., Path]) -> None:
    def error(source: str, target: str) -> str:
        result = runner.invoke(cli, ["translate", "hello there friend", "--from", source, "--to", target])
        assert result.exit_code == 1 and "Traceback" not in result.output
        return result.stderr

    # No index on this machine: the package names for the requested pair, never another pair's.
    direct = error("en", "es")
    assert "the .argosmodel file of translate-en_es (the links are in https://" in direct
    assert "en_zh" not in direct
    pivot = error("es", "ru")
    assert "files of translate-es_en and translate-en_ru" in pivot and "translate-es_ru" not in pivot
    # With Argos' copy of the index: the exact file and its link, both hops for a route via English.
    argos_index()
    assert error("en", "es") == (
        f"Error: no translation model for en -> es ({packages_dir()}). Install it (online): supportkit models "
        f"install en es; offline: download translate-en_es-1_0.argosmodel ({MIRROR}/translate-en_es-1_0.argosmodel)"
        " on a connected machine, then run: supportkit models install ./translate-en_es-1_0.argosmodel\n")
    assert (f"download translate-es_en-1_0.argosmodel ({MIRROR}/translate-es_en-1_0.argosmodel) and "
            f"translate-en_ru-1_0.argosmodel ({MIRROR}/translate-en_ru-1_0.argosmodel) on a connected machine, "
            "then run: supportkit models install ./translate-es_en-1_0.argosmodel "
            "./translate-en_ru-1_0.argosmodel\n") in error("es", "ru")
    assert "offline: the package index saved here (https://" in error("fr", "ru")  # no fr package in it
    assert "offers nothing for fr -> ru, directly or via English" in error("fr", "ru")
    install_archive(archives("es", "en"))  # one hop there: only the other is named
    one = error("es", "ru")
    assert "(missing en -> ru for the route via English)" in one and "supportkit models install en ru;" in one
    assert "then run: supportkit models install ./translate-en_ru-1_0.argosmodel\n" in one
    assert "translate-es_en-1_0" not in one


def test_offline_install_names_the_requested_pair(runner: CliRunner, index_server: tuple[str, Path],
                                                  archives: Callable[..., Path]) -> None:
    base, folder = index_server
    gone = f"{base}/gone.json"
    unsaved = runner.invoke(cli, ["models", "install", "en", "es", "--index", gone])
    assert unsaved.exit_code == 1 and "cannot download the package index: HTTP 404" in unsaved.stderr
    assert "the .argosmodel file of translate-en_es (the links are in " + gone in unsaved.stderr
    assert "en_zh" not in unsaved.stderr  # the old hint named translate-en_zh whatever the pair
    url = publish(folder, base, [archives("zh", "en"), archives("en", "es")])
    assert runner.invoke(cli, ["models", "available", "--update", "--index", url]).exit_code == 0
    (folder / "index.json").unlink()  # the index server is down now; its last copy is saved here
    offline = runner.invoke(cli, ["models", "install", "zh", "es", "--index", url])
    assert offline.exit_code == 1
    assert (f"download translate-zh_en-1_0.argosmodel ({base}/translate-zh_en-1_0.argosmodel) and "
            f"translate-en_es-1_0.argosmodel ({base}/translate-en_es-1_0.argosmodel)") in offline.stderr

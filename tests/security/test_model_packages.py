"""Trust boundaries of translation model packages: one test per attack of the packages report.

Many members just under 1 MiB passed the per-member ratio check (360 KB unpacked to 300 MB); a
package whose folder was another pair's silently replaced it; a plain-http index without sha256
was used without a word; redirects were followed across schemes; a server that trickles bytes was
never cut off; metadata with ANSI escapes was printed raw; overlapping members (CVE-2024-0450)
were left to the Python build to catch.
"""

from __future__ import annotations

import json
import struct
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.errors import ModelError
from supportkit.translation import package_index as index_module
from supportkit.translation.package_index import _vouched, download, fetch_index, is_private
from supportkit.translation.packages import (
    PackageInfo,
    install_archive,
    list_installed,
    printable,
    validate_archive,
)

METADATA = {"from_code": "en", "to_code": "zh", "type": "translate", "code": "translate-en_zh",
            "package_version": "1.0", "from_name": "English", "to_name": "Chinese"}


def package_zip(path: Path, folder: str, members: dict[str, bytes], metadata: dict[str, object] | None = None,
                level: int = 9) -> Path:
    """A zip shaped like a package: ``folder/`` with metadata, a model and a tokenizer, plus ``members``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr(f"{folder}/metadata.json", json.dumps(metadata or METADATA))
        zf.writestr(f"{folder}/model/model.bin", b"\x00\x01" * 64)
        zf.writestr(f"{folder}/sentencepiece.model", b"sp")
        for name, data in members.items():
            zf.writestr(f"{folder}/{name}", data)
    return path


@pytest.mark.parametrize("count", [30, 90])
def test_many_members_just_under_a_mebibyte_are_refused(count: int, tmp_path: Path) -> None:
    members = {f"pad/{i:04}.bin": bytes(1024**2 - 1) for i in range(count)}
    archive = package_zip(tmp_path / "bomb.argosmodel", "translate-en_zh-1_0", members)
    assert archive.stat().st_size < count * 1300  # each member compresses to about a kilobyte
    with pytest.raises(ModelError, match=r"unpacks to \d+x its size"):
        validate_archive(archive)


def test_a_real_sized_ratio_passes(tmp_path: Path) -> None:
    import random

    noise = random.Random(1).randbytes(3 * 1024**2)  # model weights barely compress
    archive = package_zip(tmp_path / "ok.argosmodel", "translate-en_zh-1_0", {"model/extra.bin": noise})
    info, top = validate_archive(archive)
    assert (info.pair, top) == (("en", "zh"), "translate-en_zh-1_0")


@pytest.mark.parametrize("folder", ["translate-en_zh-1_0", "en_zh", "translate-en_zh", "model.en_zh.v2"])
def test_a_folder_named_for_another_pair_is_refused(folder: str, tmp_path: Path) -> None:
    metadata = {**METADATA, "from_code": "es", "to_code": "fr", "code": "translate-es_fr"}
    archive = package_zip(tmp_path / "p.argosmodel", folder, {}, metadata)
    with pytest.raises(ModelError, match="names the pair en -> zh but the package translates es -> fr"):
        validate_archive(archive)


def _renamed(archive: Path, out: Path, folder: str, **metadata: object) -> Path:
    """``archive`` with its top folder renamed and metadata changed."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        top = source.namelist()[0].split("/")[0]
        for member in source.infolist():
            data = source.read(member)
            if member.filename == f"{top}/metadata.json":
                data = json.dumps({**json.loads(data), **metadata}).encode()
            target.writestr(folder + member.filename[len(top):], data)
    return out


def test_a_package_never_replaces_another_pairs_folder(archives: Callable[..., Path], tmp_path: Path) -> None:
    first = _renamed(archives("en", "zh"), tmp_path / "a.argosmodel", "model")
    second = _renamed(archives("en", "zh"), tmp_path / "b.argosmodel", "model", from_code="es", to_code="fr",
                      code="translate-es_fr")
    install_archive(first)
    with pytest.raises(ModelError, match="holds the en -> zh package; this one translates es -> fr"):
        install_archive(second)
    assert [(p.path.name, p.info.pair) for p in list_installed()] == [("model", ("en", "zh"))]


def test_overlapping_members_are_refused(tmp_path: Path) -> None:
    archive = package_zip(tmp_path / "o.argosmodel", "translate-en_zh-1_0", {"a.txt": b"a" * 100, "b.txt": b"b" * 100})
    data = bytearray(archive.read_bytes())
    # Point the last central-directory entry at the first member's local header.
    last = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, last + 42, 0)
    archive.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="overlap"):
        validate_archive(archive)


def test_metadata_is_printed_without_control_characters(archives: Callable[..., Path], tmp_path: Path,
                                                         runner: CliRunner) -> None:
    evil = "\x1b[2J\x1b]0;pwned\x07English\u202e"
    info = PackageInfo.from_metadata({**METADATA, "from_name": evil, "code": "translate-en_zh\x1b[31m"})
    assert (info.from_name, info.code) == ("[2J]0;pwnedEnglish", "translate-en_zh[31m")
    assert printable("a\nb\tc\x00d") == "abcd"
    install_archive(_renamed(archives("en", "zh"), tmp_path / "e.argosmodel", "translate-en_zh-1_0", from_name=evil))
    listed = runner.invoke(cli, ["models", "list"])
    assert listed.exit_code == 0 and "\x1b" not in listed.output and "\u202e" not in listed.output


def test_plain_http_links_need_a_sha256_from_a_private_index(tmp_path: Path) -> None:
    info = PackageInfo.from_metadata({**METADATA, "links": ["http://203.0.113.7/translate-en_zh.argosmodel"]})
    with pytest.raises(ModelError, match="plain http and no sha256 from an https index; refused"):
        download(info, tmp_path)
    assert is_private("https://example.com/x") and is_private("http://127.0.0.1:8000/x")
    assert not is_private("http://example.com/x") and not is_private("ftp://example.com/x")
    signed = PackageInfo.from_metadata({**METADATA, "sha256": "ab" * 32, "links": ["http://203.0.113.7/x"]})
    assert _vouched(signed, index_is_private=True).extra["sha256"] == "ab" * 32
    assert "sha256" not in _vouched(signed, index_is_private=False).extra


class _Handler(BaseHTTPRequestHandler):
    """Redirects (/redirect) or trickles (/slow) as the test asks."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path == "/redirect.json":
            self.send_response(302)
            self.send_header("Location", "https://127.0.0.1:9/index.json")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        try:
            for _ in range(200):
                self.wfile.write(b"[")
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_redirects_across_schemes_are_refused(server: str) -> None:
    with pytest.raises(ModelError, match="redirected from http to https"):
        fetch_index(f"{server}/redirect.json")


def test_a_trickling_server_is_cut_off_by_the_deadline(server: str, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setattr(index_module, "INDEX_DEADLINE", 0.3)
    with pytest.raises(ModelError, match="took too long"):
        fetch_index(f"{server}/slow.json")
    monkeypatch.setattr(index_module, "DOWNLOAD_DEADLINE", 0.3)
    info = PackageInfo.from_metadata({**METADATA, "links": [f"{server}/slow.argosmodel"]})
    with pytest.raises(ModelError, match="took too long"):
        download(info, tmp_path)
    assert not list(tmp_path.iterdir())  # the partial download is gone

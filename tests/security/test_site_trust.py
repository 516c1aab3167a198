"""Trust boundaries of the help-center site: one test per attack of the site report.

A newline in ``--base-url`` injected lines into robots.txt; a ``CNAME`` a deploy added to the
output was deleted by the next build; a template linked in from outside the library was
published; ``faq serve`` answered ``GET /../x`` with the parent folder's 404 page.
"""

from __future__ import annotations

import http.client
import os
import threading
from pathlib import Path

import pytest

from supportkit.config import BUNDLED_REPLIES, Config
from supportkit.errors import ValidationError
from supportkit.faq import BuildOptions, FaqBuildError, build_site
from supportkit.faq.build import check_base_url
from supportkit.faq.serve import make_server
from supportkit.library import load_library

TUTORIAL = BUNDLED_REPLIES / "tutorials" / "create_wallet.yaml"


@pytest.fixture
def lib_dir(tmp_path: Path) -> Path:
    """A small library: one tutorial (an article)."""
    target = tmp_path / "replies" / "tutorials"
    target.mkdir(parents=True)
    (target / TUTORIAL.name).write_bytes(TUTORIAL.read_bytes())
    return target.parent


def build(lib_dir: Path, out: Path, **options: object) -> dict[str, object]:
    report = build_site(Config(), BuildOptions(out=out, locales=("en",), **options),  # type: ignore[arg-type]
                        library=load_library(lib_dir))
    return report.to_dict()


@pytest.mark.parametrize("base_url", [
    "https://help.example.com/\nSitemap: https://evil.example/sitemap.xml",
    "https://help.example.com/\r\nDisallow: /",
    "https://help.example.com/\tx",
    "https://help.example.com/ x",
    "https://help.example.com/\"onload=\"alert(1)",
    "https://help.example.com/<script>",
    "https://help.example.com/\x00",
    "https://help.example.com/\u2028",
    "https://user:pass@help.example.com/",
    "javascript:alert(1)",
    "https:///nohost",
])
def test_base_url_is_checked_as_written(base_url: str, lib_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(FaqBuildError):
        check_base_url(base_url)
    with pytest.raises(FaqBuildError):
        build(lib_dir, tmp_path / "site", base_url=base_url)
    assert not (tmp_path / "site").exists()


def test_a_good_base_url_gives_a_one_line_sitemap(lib_dir: Path, tmp_path: Path) -> None:
    build(lib_dir, tmp_path / "site", base_url="https://help.example.com/faq")
    assert (tmp_path / "site" / "robots.txt").read_text(encoding="utf-8") == \
        "User-agent: *\nAllow: /\nSitemap: https://help.example.com/faq/sitemap.xml\n"


def test_files_a_deploy_added_survive_rebuilds(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(lib_dir, out)
    (out / "CNAME").write_text("help.example.com\n", encoding="utf-8")
    (out / ".well-known").mkdir()
    (out / ".well-known" / "security.txt").write_text("Contact: mailto:sec@example.com\n", encoding="utf-8")
    (out / "latest").symlink_to("en")
    for _ in range(3):  # the spare folder of the build before last must not drop them either
        report = build(lib_dir, out)
        assert report["kept"] == [".well-known/security.txt", "CNAME", "latest"]
        assert (out / "CNAME").read_text(encoding="utf-8") == "help.example.com\n"
        assert (out / ".well-known" / "security.txt").is_file()
        assert os.readlink(out / "latest") == "en"


def test_pages_the_site_no_longer_has_are_still_removed(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(lib_dir, out)
    page = next((out / "en").glob("guide-*.html"))
    extra = lib_dir / "tutorials" / "second_guide.yaml"
    extra.write_text(TUTORIAL.read_text(encoding="utf-8").replace("id: create_wallet", "id: second_guide", 1),
                     encoding="utf-8")
    build(lib_dir, out)
    assert (out / "en" / "guide-second-guide.html").is_file()
    extra.unlink()
    report = build(lib_dir, out)
    assert not (out / "en" / "guide-second-guide.html").exists()
    assert page.is_file() and report["kept"] == []


def test_a_template_linked_from_outside_is_refused(lib_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "leak.yaml"
    outside.parent.mkdir()
    outside.write_text(TUTORIAL.read_text(encoding="utf-8").replace("id: create_wallet", "id: leak", 1),
                       encoding="utf-8")
    (lib_dir / "leak.yaml").symlink_to(outside)
    with pytest.raises(ValidationError) as caught:
        build(lib_dir, tmp_path / "site")
    assert "link to a file outside the library" in str(caught.value.problems[0])
    assert not (tmp_path / "site").exists()


def test_a_linked_tutorials_folder_from_outside_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "replies"
    root.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / TUTORIAL.name).write_bytes(TUTORIAL.read_bytes())
    (root / "tutorials").symlink_to(elsewhere)
    library = load_library(root, strict=False)
    assert [p.check for p in library.problems] == ["schema"]
    assert not library.templates


def test_a_link_inside_the_library_is_fine(lib_dir: Path) -> None:
    (lib_dir / "alias.yaml").symlink_to(lib_dir / "tutorials" / TUTORIAL.name)
    library = load_library(lib_dir, strict=False)
    assert not [p for p in library.problems if "outside" in p.message]


@pytest.mark.parametrize("path", ["/../x", "/..%2f..%2fx", "/%2e%2e/x", "/../../x", "/en/../../x", "//../x"])
def test_serve_stays_in_its_folder(path: str, tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    site = parent / "site"
    (site / "en").mkdir(parents=True)
    (parent / "404.html").write_text("PARENT SECRET", encoding="utf-8")
    (parent / "x").write_text("PARENT FILE", encoding="utf-8")
    (site / "404.html").write_text("site not found", encoding="utf-8")
    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
    finally:
        server.shutdown()
        server.server_close()
    assert response.status == 404
    assert body == "site not found"

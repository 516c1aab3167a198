"""The FAQ site's search index at build: Pagefind when installed, the simple index always (no browser here)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.config import Config
from supportkit.faq import BuildOptions, FaqBuildError, build_site
from supportkit.faq.search import page_keywords, pagefind_binary
from supportkit.library import load_library
from tests.test_faq import lib_dir  # noqa: F401  (the fixture: the minimal library with gas_fee)

WARNING = ("warning: Pagefind is not installed, so the site's search finds exact words only. "
           "Install it: pip install 'supportkit[site]'\n")


def needs_pagefind() -> None:
    """Skip without Pagefind; CI installs it (the test extra) and must never skip."""
    if pagefind_binary() is None:
        if os.environ.get("SUPPORTKIT_REQUIRE_BROWSER") == "1":
            pytest.fail("Pagefind is not installed (pip install -e '.[test]')")
        pytest.skip("Pagefind is not installed (pip install 'pagefind[extended]')")


def test_build_with_pagefind_indexes_each_locale_apart(lib_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    needs_pagefind()
    out = tmp_path / "site"
    report = build_site(Config(), BuildOptions(out=out, locales=("en", "zh", "zh-Hant", "ru")),
                        library=load_library(lib_dir))
    assert report.search == "pagefind" and report.to_dict()["search"] == "pagefind"
    bundle = out / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    languages = sorted(re.sub(r"_[0-9a-f]+\.pf_meta$", "", p.name.removeprefix("pagefind."))
                       for p in bundle.glob("pagefind.*.pf_meta"))
    # zh-Hant has its own index; ru has none: its pages are English fallbacks, left out (below).
    assert languages == ["en", "zh", "zh-hant"]
    manifest = json.loads((out / ".supportkit-site.json").read_text(encoding="utf-8"))
    assert "pagefind/pagefind.js" in manifest["files"]
    page = (out / "en" / "gas-fee.html").read_text(encoding="utf-8")
    assert '<article data-pagefind-body>' in page and 'data-engine="pagefind"' in page
    assert re.search(r'<span data-pagefind-index-attrs="data-keywords" data-keywords="[^"]*\bgas\b', page)
    assert '<script src="../static/search.js" defer></script>' in page
    # An untranslated page (shown in English with a notice) is left out of the Russian index.
    assert "data-pagefind-body" not in (out / "ru" / "gas-fee.html").read_text(encoding="utf-8")
    # A rebuild with nothing changed keeps the bundle; one with a change indexes the new site only:
    # no file of the old bundle stays behind.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("supportkit.faq.build.run_pagefind", lambda *args: pytest.fail("indexed again"))
        build_site(Config(), BuildOptions(out=out, locales=("en", "zh", "zh-Hant", "ru")),
                   library=load_library(lib_dir))
    assert (bundle / "pagefind.js").is_file()
    (lib_dir / "tutorials" / "switch_phone.yaml").unlink()
    build_site(Config(), BuildOptions(out=out, locales=("en", "zh", "zh-Hant", "ru")), library=load_library(lib_dir))
    manifest = json.loads((out / ".supportkit-site.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(out).as_posix() for p in bundle.rglob("*") if p.is_file()}
    assert on_disk == {rel for rel in manifest["files"] if rel.startswith("pagefind/")}


def test_build_without_pagefind_keeps_the_simple_search_and_says_so(
        lib_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr("supportkit.faq.build.pagefind_binary", lambda: None)
    result = CliRunner().invoke(cli, ["--replies", str(lib_dir), "faq", "build", "--out", str(tmp_path / "s"),
                                      "--locales", "en,zh"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(WARNING) and "Traceback" not in result.output
    out = tmp_path / "s"
    assert not (out / "pagefind").exists()
    page = (out / "en" / "gas-fee.html").read_text(encoding="utf-8")
    assert 'data-engine="simple"' in page and "data-keywords" not in page
    index = json.loads((out / "en" / "search-index.js").read_text(encoding="utf-8")
                       .removeprefix("window.SUPPORTKIT_SEARCH=").rstrip(";\n"))
    assert [d["u"] for d in index["docs"]] == ["gas-fee.html", "guide-switch-phone.html"]


def test_simple_index_holds_whole_articles(lib_dir: Path, tmp_path: Path,  # noqa: F811
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("supportkit.faq.build.pagefind_binary", lambda: None)
    path = lib_dir / "gas_fee.yaml"
    long = " ".join(["Energy is paid in TRX."] * 120) + " The last words of a long article."
    path.write_text(path.read_text(encoding="utf-8").replace(
        "See https://tronscan.org/#/ for details.", "See https://tronscan.org/#/ for details.\n\n      " + long),
        encoding="utf-8")
    from supportkit.library.edit import stamp

    stamp(path)
    build_site(Config(), BuildOptions(out=tmp_path / "s", locales=("en",)), library=load_library(lib_dir))
    text = (tmp_path / "s" / "en" / "search-index.js").read_text(encoding="utf-8")
    assert "The last words of a long article." in text  # past 1,500 characters


def test_a_failing_pagefind_is_a_clear_error(lib_dir: Path, tmp_path: Path,  # noqa: F811
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("supportkit.faq.build.pagefind_binary", lambda: "/bin/false")
    with pytest.raises(FaqBuildError, match="Pagefind could not index the site: exit 1"):
        build_site(Config(), BuildOptions(out=tmp_path / "s", locales=("en",)), library=load_library(lib_dir))
    assert not (tmp_path / "s").exists()  # nothing half-built is swapped in


def test_page_keywords_are_the_lexicon_cues_of_the_page_intents(lib_dir: Path) -> None:  # noqa: F811
    words = page_keywords(load_library(lib_dir), ("en", "zh", "zh-Hant"))
    assert "gas" in words["gas_fee"]["en"].split()
    assert words["gas_fee"]["zh-Hant"] != words["gas_fee"]["zh"]  # converted to Traditional

"""The FAQ site build: content, links, SEO tags, safety and repeatability (no browser here)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.config import Config
from supportkit.errors import ValidationError
from supportkit.faq import BuildOptions, FaqBuildError, build_site
from supportkit.library import load_library

MIN = Path(__file__).parent / "data" / "replies_min"


@pytest.fixture
def lib_dir(tmp_path: Path) -> Path:
    target = tmp_path / "replies"
    shutil.copytree(MIN, target)
    (target / "gas_fee.yaml").write_text("""id: gas_fee
intents: [gas_fee]
category: transfers
updated: 2026-11-20
faq:
  en: Why do I need TRX to send USDT?
  zh: 为什么转USDT需要TRX？
locales:
  en:
    subject: Network fees
    body: |
      {% if customer_name %}Hi {{ customer_name }},{% else %}Hi there,{% endif %}

      Every transfer on TRON uses energy and bandwidth, paid in TRX. <script>alert(1)</script>
      See https://tronscan.org/#/ for details.
  zh:
    source: 000000000000
    subject: 网络手续费
    body: |
      {% if customer_name %}{{ customer_name }}，您好！{% else %}您好！{% endif %}

      在波场网络上每笔转账都会消耗能量和带宽，需要用TRX支付。
variables:
  customer_name: {}
""", encoding="utf-8")
    from supportkit.library.edit import stamp

    stamp(target / "gas_fee.yaml")
    return target


def build(lib_dir: Path, out: Path, **options: object) -> dict[str, object]:
    library = load_library(lib_dir)
    report = build_site(Config(), BuildOptions(out=out, **options), library=library)  # type: ignore[arg-type]
    return report.to_dict()


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_site_layout_and_page_languages(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    report = build(lib_dir, out, base_url="https://help.example.com")
    assert report["articles"] == 2
    for code in ("zh", "en", "es", "ru", "fr"):
        for name in ("index.html", "search.html", "404.html", "search-index.js", "gas-fee.html",
                     "guide-switch-phone.html"):
            assert (out / code / name).is_file(), (code, name)
    zh_article = read(out / "zh" / "gas-fee.html")
    assert '<html lang="zh"' in zh_article
    assert "在波场网络上每笔转账" in zh_article
    assert "您好" not in zh_article  # the chat greeting is not part of an FAQ article
    # An untranslated page says so, in the reader's language, and states the content's true language.
    es_article = read(out / "es" / "gas-fee.html")
    assert '<html lang="en"' in es_article and 'class="notice" role="note" lang="es"' in es_article
    assert '<link rel="canonical" href="https://help.example.com/en/gas-fee.html">' in es_article
    assert "hreflang" not in es_article.split("</head>")[0]


def test_hreflang_is_absolute_with_self_and_x_default(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(lib_dir, out, base_url="https://help.example.com/kb")
    head = read(out / "zh" / "gas-fee.html").split("</head>")[0]
    links = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', head)
    assert links == [("zh", "https://help.example.com/kb/zh/gas-fee.html"),
                     ("en", "https://help.example.com/kb/en/gas-fee.html"),
                     ("zh-Hant", "https://help.example.com/kb/zh-Hant/gas-fee.html"),
                     ("x-default", "https://help.example.com/kb/en/gas-fee.html")]
    assert '<link rel="canonical" href="https://help.example.com/kb/zh/gas-fee.html">' in head
    sitemap = read(out / "sitemap.xml")
    assert "<loc>https://help.example.com/kb/zh/gas-fee.html</loc>" in sitemap
    assert "<lastmod>2026-11-20</lastmod>" in sitemap
    assert "Sitemap: https://help.example.com/kb/sitemap.xml" in read(out / "robots.txt")
    jsonld = re.search(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)
    assert jsonld and json.loads(jsonld.group(1))["mainEntity"][0]["name"] == "为什么转USDT需要TRX？"


def test_traditional_chinese_pages_are_the_zh_text_converted(lib_dir: Path, tmp_path: Path) -> None:
    from supportkit.text.chinese import to_traditional

    out = tmp_path / "site"
    build(lib_dir, out)
    page = read(out / "zh-Hant" / "gas-fee.html")
    assert '<html lang="zh-Hant"' in page
    assert to_traditional("在波场网络上每笔转账都会消耗能量和带宽，需要用TRX支付。") in page
    assert "為什麼轉USDT需要TRX？" in page
    assert not (out / "zh-Hant" / "guide-switch-phone.html").read_text(encoding="utf-8").count("需要用TRX")


def test_without_base_url_links_stay_relative(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(lib_dir, out)
    for page in out.rglob("*.html"):
        html = read(page)
        assert 'href="/' not in html and 'src="/' not in html, page
        assert "hreflang=\"x-default\"" not in html
    assert not (out / "sitemap.xml").exists()


def test_content_is_escaped(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(lib_dir, out)
    html = read(out / "en" / "gas-fee.html")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://tronscan.org/#/" rel="noopener">' in html


def test_search_index_per_locale_is_plain_utf8(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(lib_dir, out)
    zh = read(out / "zh" / "search-index.js")
    assert "\\u" not in zh and "能量和带宽" in zh
    payload = json.loads(zh.removeprefix("window.SUPPORTKIT_SEARCH=").rstrip(";\n"))
    assert payload["locale"] == "zh"
    assert {d["u"] for d in payload["docs"]} == {"gas-fee.html", "guide-switch-phone.html"}
    ru = read(out / "ru" / "search-index.js")
    assert "能量" not in ru


def test_two_builds_are_byte_identical(lib_dir: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    build(lib_dir, first, base_url="https://h.example/")
    build(lib_dir, second, base_url="https://h.example/")
    files_a = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_rebuild_renders_only_what_changed(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    full = build(lib_dir, out)
    again = build(lib_dir, out)
    assert again["rendered"] == 0 and again["reused"] == full["pages"]
    path = lib_dir / "gas_fee.yaml"
    path.write_text(read(path).replace("energy and bandwidth", "energy and bandwidth (resources)"), encoding="utf-8")
    changed = build(lib_dir, out)
    assert 0 < int(changed["rendered"]) < int(full["pages"]) // 2  # type: ignore[call-overload]
    assert "energy and bandwidth (resources)" in read(out / "en" / "gas-fee.html")


def test_strict_lists_every_untranslated_article(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    with pytest.raises(ValidationError) as info:
        build(lib_dir, out, strict=True)
    found = sorted((Path(p.path).name, p.locale, p.message) for p in info.value.problems)
    assert ("gas_fee.yaml", "es", "article gas_fee is missing") in found
    assert ("switch_phone.yaml", "zh", "article tutorials/switch_phone is missing") in found
    assert ("switch_phone.yaml", "zh-Hant", "article tutorials/switch_phone is missing") in found
    assert len(found) == 8  # gas_fee: es ru fr (zh-Hant is zh converted); switch_phone: zh es ru fr zh-Hant
    assert not out.exists()


def test_failed_build_leaves_previous_site_untouched(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(lib_dir, out)
    before = read(out / "en" / "gas-fee.html")
    path = lib_dir / "gas_fee.yaml"
    path.write_text(read(path).replace("paid in TRX.", "paid in {{ undeclared_thing }}."), encoding="utf-8")
    with pytest.raises(Exception, match="undeclared"):
        build(lib_dir, out)
    assert read(out / "en" / "gas-fee.html") == before
    assert not [p for p in tmp_path.iterdir() if ".building-" in p.name]


def test_refuses_to_replace_a_foreign_folder(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(FaqBuildError, match="not empty and was not built by supportkit"):
        build(lib_dir, out)
    assert (out / "thesis.docx").read_text(encoding="utf-8") == "precious"


def test_omit_policy_leaves_untranslated_out(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(lib_dir, out, untranslated="omit")
    assert (out / "zh" / "gas-fee.html").is_file()
    assert not (out / "es" / "gas-fee.html").exists()
    assert "gas-fee.html" not in read(out / "es" / "index.html")
    # The language switcher on the zh article points es readers to their home page instead.
    assert 'href="../es/index.html" hreflang="es"' in read(out / "zh" / "gas-fee.html")


def test_bad_base_url_and_locale_are_clear_errors(lib_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(FaqBuildError, match="absolute http"):
        build(lib_dir, tmp_path / "s", base_url="help.example.com")
    runner = CliRunner()
    result = runner.invoke(cli, ["--replies", str(lib_dir), "faq", "build", "--out", str(tmp_path / "s"),
                                 "--locales", "en,../x"])
    assert result.exit_code == 1 and result.output.startswith("Error: unknown locale '../x'")


def test_cli_build_json_report(lib_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--replies", str(lib_dir), "faq", "build", "--out", str(tmp_path / "s"),
                                      "--locales", "en,zh", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["locales"] == ["en", "zh"] and report["pages"] == 14


# --- incremental rebuilds -------------------------------------------------------------


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_as_clean_build(lib_dir: Path, out: Path, tmp_path: Path, **options: object) -> None:
    """``out`` holds exactly the bytes (and files) a build into a new folder gives."""
    from supportkit.faq.articles import article_cache_path
    from supportkit.faq.writer import spare_path

    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.rmtree(spare_path(clean.resolve()), ignore_errors=True)
    article_cache_path(clean.resolve()).unlink(missing_ok=True)
    report = build(lib_dir, clean, **options)
    assert report["reused"] == 0
    built, expected = tree(out), tree(clean)
    assert sorted(built) == sorted(expected)
    for rel, data in expected.items():
        assert built[rel] == data, rel


def add_tutorial(lib_dir: Path, name: str, title: str) -> None:
    (lib_dir / "tutorials" / f"{name}.yaml").write_text(f"""id: {name}
kind: tutorial
category: getting_started
locales:
  en:
    subject: {title}
    body: |
      1. Open the app.
      2. Tap {title}.
""", encoding="utf-8")


def test_incremental_rebuilds_equal_clean_builds(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    options: dict[str, object] = {"base_url": "https://h.example/"}
    build(lib_dir, out, **options)
    path = lib_dir / "gas_fee.yaml"
    steps = [
        lambda: path.write_text(read(path).replace("paid in TRX.", "paid in TRX (the network's coin)."),
                                encoding="utf-8"),
        lambda: add_tutorial(lib_dir, "new_wallet", "Create a wallet"),
        lambda: path.write_text(read(path).replace("category: transfers", "category: security"), encoding="utf-8"),
        lambda: options.update(base_url=None),  # sitemap.xml goes away
        lambda: options.update(locales=("en", "zh")),  # whole folders go away
        lambda: (lib_dir / "tutorials" / "new_wallet.yaml").unlink(),
        lambda: options.update(locales=("zh", "en", "es", "ru", "fr"), untranslated="omit"),
        lambda: None,
    ]
    for step in steps:
        step()
        report = build(lib_dir, out, **options)
        assert report["rendered"] < report["pages"] or report["reused"] == 0
        assert_same_as_clean_build(lib_dir, out, tmp_path, **options)


def test_rebuild_updates_the_spare_and_leaves_the_live_site_alone(lib_dir: Path, tmp_path: Path) -> None:
    from supportkit.faq.writer import spare_path

    out = tmp_path / "site"
    build(lib_dir, out)
    path = lib_dir / "gas_fee.yaml"
    path.write_text(read(path).replace("paid in TRX.", "paid in TRX, always."), encoding="utf-8")
    build(lib_dir, out)
    spare = spare_path(out.resolve())
    assert spare.is_dir()  # the output before last, kept for the next build to update
    # Whatever happened to the spare, the next build puts exactly the right files in place.
    (spare / "en" / "stray.html").write_text("stray", encoding="utf-8")
    (spare / "xx").mkdir()
    (spare / "xx" / "stray.txt").write_text("stray", encoding="utf-8")
    (spare / "es" / "index.html").unlink()
    (spare / "robots.txt").unlink()
    (spare / "robots.txt").mkdir()  # a folder where the site has a file, and the other way round
    shutil.rmtree(spare / "static")
    (spare / "static").write_text("not a folder", encoding="utf-8")
    live = tree(out)
    path.write_text(read(path).replace("always.", "every time."), encoding="utf-8")
    report = build(lib_dir, out)
    assert 0 < int(report["rendered"]) < int(report["pages"]) // 2  # type: ignore[call-overload]
    assert_same_as_clean_build(lib_dir, out, tmp_path)
    assert tree(spare) == live  # the site it replaced, untouched (no file of it was written to)


def test_bad_manifest_means_a_full_build(lib_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    full = build(lib_dir, out)
    for garbage in ("{not json", '{"format": 1, "layout": "other", "pages": {}}', '["a list"]'):
        (out / ".supportkit-site.json").write_text(garbage, encoding="utf-8")
        again = build(lib_dir, out)
        assert again["reused"] == 0 and again["rendered"] == full["rendered"], garbage
        assert_same_as_clean_build(lib_dir, out, tmp_path)


def test_broken_article_cache_is_ignored(lib_dir: Path, tmp_path: Path) -> None:
    from supportkit.faq.articles import article_cache_path

    out = tmp_path / "site"
    build(lib_dir, out)
    article_cache_path(out.resolve()).write_bytes(b"\x80\x05garbage")
    path = lib_dir / "gas_fee.yaml"
    path.write_text(read(path).replace("paid in TRX.", "paid in TRX, always."), encoding="utf-8")
    build(lib_dir, out)
    assert "paid in TRX, always." in read(out / "en" / "gas-fee.html")
    assert_same_as_clean_build(lib_dir, out, tmp_path)


def test_a_changed_ui_translation_renders_pages_again(lib_dir: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from supportkit.faq import build as faq_build

    out = tmp_path / "site"
    build(lib_dir, out)
    real = faq_build.site_gettext

    def edited(locale: str) -> object:
        translate = real(locale)
        return lambda message: "Jump to content" if message == "Skip to content" else translate(message)

    monkeypatch.setattr(faq_build, "site_gettext", edited)
    report = build(lib_dir, out)
    assert report["rendered"] == report["pages"] - 6  # every page; the six search indexes do not show it
    assert "Jump to content" in read(out / "en" / "guide-switch-phone.html")
    assert_same_as_clean_build(lib_dir, out, tmp_path)


# --- CI guard rails: --warn-stale, and folders --out must not replace ------------------------------


def make_zh_stale(lib_dir: Path) -> str:
    """Change the English text of gas_fee after zh was stamped: zh is stale. Returns the expected warning."""
    path = lib_dir / "gas_fee.yaml"
    path.write_text(read(path).replace("paid in TRX.", "paid in TRX (energy first)."), encoding="utf-8")
    template = load_library(lib_dir).templates["gas_fee"]
    assert template.translation_state("zh") == "stale"
    return f"{template.path}:{template.locales['zh'].line}: zh: article gas_fee is stale"


def test_warn_stale_lists_stale_articles_and_still_builds(lib_dir: Path, tmp_path: Path) -> None:
    warning = make_zh_stale(lib_dir)
    runner = CliRunner()
    args = ["--replies", str(lib_dir), "faq", "build", "--locales", "en,zh"]
    silent = runner.invoke(cli, [*args, "--out", str(tmp_path / "a")])
    assert silent.exit_code == 0 and "is stale" not in silent.stderr
    warned = runner.invoke(cli, [*args, "--out", str(tmp_path / "b"), "--warn-stale"])
    assert warned.exit_code == 0, warned.output
    assert warned.stderr.splitlines()[0] == warning  # path:line: locale: message, then the summary
    assert (tmp_path / "b" / "zh" / "gas-fee.html").is_file()
    as_json = runner.invoke(cli, [*args, "--out", str(tmp_path / "c"), "--warn-stale", "--json"])
    assert as_json.exit_code == 0 and as_json.stderr == warning + "\n"
    [entry] = json.loads(as_json.stdout)["warnings"]
    assert (entry["locale"], entry["message"], entry["check"]) == ("zh", "article gas_fee is stale", "faq_stale")
    strict = runner.invoke(cli, [*args, "--out", str(tmp_path / "d"), "--warn-stale", "--strict"])
    assert strict.exit_code == 1 and warning in strict.stderr and not (tmp_path / "d").exists()


def test_warn_stale_is_quiet_when_nothing_is_stale(lib_dir: Path, tmp_path: Path) -> None:
    report = build(lib_dir, tmp_path / "site", warn_stale=True)
    assert report["warnings"] == []  # missing translations are --strict's business, not stale ones


def snapshot(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(("out", "what"), [
    (".", "the current folder"),
    ("..", "the current folder"),
    ("../..", "the current folder"),
    ("~/a", "the current folder"),
    ("~", "the home folder"),
    ("~/..", "the home folder"),
    ("/", "the filesystem root"),
    ("REPLIES", "the templates folder"),
    ("REPLIES/..", "the templates folder"),
])
def test_out_refuses_folders_a_build_would_replace(out: str, what: str, lib_dir: Path, tmp_path: Path,
                                                    tmp_path_factory: pytest.TempPathFactory,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("users") / "home"  # apart from the templates (tmp_path/replies)
    shell = home / "a" / "b" / "site"  # the shell is in a previous build: the case the old check let through
    build(lib_dir, shell, locales=("en",))
    (shell / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(shell)
    before = {place: snapshot(place) for place in (tmp_path, home.parent)}
    target = out.replace("REPLIES", str(lib_dir)).replace("~", str(home))
    result = CliRunner().invoke(cli, ["--replies", str(lib_dir), "faq", "build", "--out", target])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: refusing to build into {Path(target).resolve()}: ")
    assert f"which is or holds {what}." in result.stderr and "Traceback" not in result.output
    assert {place: snapshot(place) for place in (tmp_path, home.parent)} == before
    assert (shell / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_out_refuses_the_folder_of_the_configuration(lib_dir: Path, tmp_path: Path) -> None:
    import os

    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "supportkit"  # the user's own file
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(f'replies_dir = "{lib_dir}"\n', encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["faq", "build", "--out", str(tmp_path / "site")]).exit_code == 0
    refused = runner.invoke(cli, ["faq", "build", "--out", str(folder.parent)])
    assert refused.exit_code == 2, refused.output
    assert "which is or holds the folder of the configuration file." in refused.stderr
    assert sorted(p.name for p in folder.parent.rglob("*")) == ["config.toml", "supportkit"]

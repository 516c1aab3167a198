"""Help-center articles: the content model, Markdown, shared facts, images and their place on the site."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest

from supportkit.config import BUNDLED_ARTICLES, Brand, Config
from supportkit.errors import TemplateError
from supportkit.faq import BuildOptions, build_site
from supportkit.faq.images import MAX_WIDTH, ImageError, publish, sanitize_svg
from supportkit.faq.markdown import render_article
from supportkit.library import load_library
from supportkit.library.articles import ArticleText, allowed_link, image_file, load_articles
from supportkit.rendering.articles import fill_facts, markdown_value

MIN = Path(__file__).parent / "data" / "replies_min"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 60"><title>Steps</title>'
       '<rect x="1" y="1" width="50" height="30" fill="#fff" stroke="#000"/></svg>\n')


def article(folder: Path, slug: str, locale: str, body: str, **meta: str) -> Path:
    front = {"title": f"Title of {slug} ({locale})", "description": "What the article says.", "category": "account",
             **meta}
    path = folder / slug / f"{locale}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + "".join(f"{k}: {v}\n" for k, v in front.items()) + "---\n" + body, encoding="utf-8")
    return path


def text_of(body: str, locale: str = "en", folder: Path = Path("/nowhere")) -> ArticleText:
    return ArticleText(slug="a", locale=locale, path=folder / "a" / f"{locale}.md", title="A", description="d",
                       category="account", body=body, body_line=6)


def html_of(body: str, folder: Path = Path("/nowhere"), locale: str = "en", brand: Brand | None = None) -> str:
    text = text_of(body, locale, folder)
    return render_article(text, fill_facts(text, brand or Brand()), folder / "a", "en", lambda s: s).html


# --- content model --------------------------------------------------------------------------------

def test_front_matter_is_read_with_lines_and_translations_take_the_shared_keys(tmp_path: Path) -> None:
    article(tmp_path, "move-wallet", "en", "Text.\n", order="2", related="[other]", updated="2026-12-01",
            replaces="tutorials/switch_phone")
    article(tmp_path, "move-wallet", "fr", "Texte.\n", title="Changer de téléphone")
    found = load_articles(tmp_path)
    assert found.problems == []
    en, fr = found.articles["move-wallet"]["en"], found.articles["move-wallet"]["fr"]
    assert (en.order, en.related, str(en.updated), en.replaces) == (2, ("other",), "2026-12-01",
                                                                     ("tutorials/switch_phone",))
    assert (fr.title, fr.order, fr.replaces, fr.body_line) == ("Changer de téléphone", 2, ("tutorials/switch_phone",), 6)
    assert en.line_of("order") == 5


@pytest.mark.parametrize(("text", "line", "message"), [
    ("no front matter\n", 1, "no front matter"),
    ("---\ntitle: [unclosed\n---\nx\n", 3, "invalid YAML"),
    ("---\ntitle: T\ndescription: D\n---\nx\n", 2, "category is required and must be text"),
    ("---\ntitle: T\ndescription: D\ncategory: cooking\n---\nx\n", 4, "unknown category 'cooking'"),
    ("---\ntitle: T\ndescription: D\ncategory: fees\nauthor: me\n---\nx\n", 5, "unknown front-matter key 'author'"),
    ("---\ntitle: T\ndescription: D\ncategory: fees\nupdated: soon\n---\nx\n", 5, "updated must be a date"),
    ("---\ntitle: T\ndescription: D\ncategory: fees\n---\n\n", 6, "no text after its front matter"),
])
def test_front_matter_errors_name_their_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "topic" / "en.md"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    found = load_articles(tmp_path)
    assert [(p.path, p.line, p.locale) for p in found.problems] == [(str(path), line, "en")]
    assert message in found.problems[0].message
    assert found.articles == {}


def test_a_translation_may_not_change_the_articles_own_keys(tmp_path: Path) -> None:
    article(tmp_path, "topic", "en", "x\n")
    path = article(tmp_path, "topic", "es", "x\n", category="fees")
    problems = load_articles(tmp_path).problems
    assert [(p.path, p.line, p.locale, p.message.split(" (")[0]) for p in problems] == [
        (str(path), 4, "es", "category differs from the en article's")]


# --- Markdown ---------------------------------------------------------------------------------------

def test_raw_html_is_text_and_only_safe_links_are_links() -> None:
    html = html_of("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
                   "[a](javascript:alert(1)) [b](data:text/html;base64,PHNjcmlwdD4=) [c](vbscript:x) [d](//evil.example)\n\n"
                   "![e](data:image/svg+xml;base64,PHN2Zz4=) [f](https://example.com) [g](mailto:help@example.com) "
                   "[h](other.html)\n")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "href=\"javascript" not in html and "href=\"data" not in html and "vbscript" in html and 'href="//' not in html
    assert '<a href="https://example.com" rel="noopener">f</a>' in html
    assert '<a href="mailto:help@example.com">g</a>' in html and '<a href="other.html">h</a>' in html
    assert [allowed_link(u) for u in ("https://x", "HTTP://x", "mailto:a@b.c", "page.html", "#top", "JaVaScript:x",
                                      "data:x", "file:///etc/passwd", "//x")] == [True] * 5 + [False] * 4


def test_headings_get_ids_and_a_table_of_contents_from_three() -> None:
    two = html_of("## One\n\ntext\n\n## Two\n\ntext\n")
    assert '<h2 id="one">One</h2>' in two and 'class="toc"' not in two
    three = html_of("## First step\n\n### In detail\n\n## Último paso\n")
    assert three.startswith('<nav class="toc" aria-labelledby="toc-label">\n<p id="toc-label" class="toc-label">On this page</p>')
    assert '<li class="toc-h3"><a href="#in-detail">In detail</a></li>' in three
    assert '<h2 id="último-paso">Último paso</h2>' in three


def test_admonitions_bold_labels_tables_and_email_links() -> None:
    html = html_of("::: warning\nTap **Settings** first.\n:::\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                   "Write to <help@example.com>.\n\n::: note\nnot a box\n:::\n")
    assert ('<div class="admonition warning" role="note">\n<p class="admonition-title">Warning</p>\n'
            "<p>Tap <strong>Settings</strong> first.</p>\n</div>") in html
    assert '<div class="table">\n<table>' in html and "<td>2</td>" in html
    assert '<a href="mailto:help@example.com">help@example.com</a>' in html
    assert "::: note" in html  # only tip, warning and danger are boxes


# --- shared facts -------------------------------------------------------------------------------------

def test_brand_facts_are_filled_in_before_markdown_and_escaped() -> None:
    brand = Brand(product="*Evil* [x](javascript:alert(1)) <b>", support_email="help@example.com",
                  website="https://wallet.example", support_hours={"en": "9:00-17:00 #1", "fr": "9 h à 17 h"})
    html = html_of("{{ brand.product }} opens {{ brand.support_hours }}.\n\nMail {{ brand.support_email }}, "
                   "see {{ brand.website }}.\n", brand=brand)
    assert "<p>*Evil* [x](javascript:alert(1)) &lt;b&gt; opens 9:00-17:00 #1.</p>" in html
    assert '<a href="mailto:help@example.com">help@example.com</a>' in html
    assert '<a href="https://wallet.example" rel="noopener">https://wallet.example</a>' in html
    assert "9 h à 17 h" in html_of("{{ brand.support_hours }}\n", locale="fr", brand=brand)
    assert markdown_value("a_b") == "a\\_b" and markdown_value("https://x.example/a_b") == "<https://x.example/a_b>"


def test_an_unknown_fact_is_an_error_naming_the_file() -> None:
    with pytest.raises(TemplateError, match=r"a/en\.md: en"):
        fill_facts(text_of("{{ brand.phone }}\n"), Brand())


def test_facts_in_the_bundled_articles_are_the_replies_values() -> None:
    found = load_articles(BUNDLED_ARTICLES)
    text = found.articles["switch-phone"]["en"]
    filled = fill_facts(text, Config().brand)
    assert "{{" not in filled and "<service@tokenpocket.pro>" in filled and "09\\:00–21\\:00 UTC\\+8" in filled


# --- images ----------------------------------------------------------------------------------------

def test_a_locale_shows_its_own_image_else_the_default_locales_else_the_shared_one(tmp_path: Path) -> None:
    for rel in ("images/x.svg", "images/en/x.svg", "images/fr/x.svg"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(SVG, encoding="utf-8")
    assert image_file(tmp_path, "images/x.svg", "fr", "en") == (tmp_path / "images/fr/x.svg", "fr")
    assert image_file(tmp_path, "images/x.svg", "es", "en") == (tmp_path / "images/en/x.svg", "en")
    (tmp_path / "images/en/x.svg").unlink()
    assert image_file(tmp_path, "images/x.svg", "es", "en") == (tmp_path / "images/x.svg", "")
    for bad in ("images/../en.md", "/etc/passwd", "https://x/x.svg", "images/x.txt", "images/missing.svg"):
        assert image_file(tmp_path, bad, "en", "en") is None


def test_an_image_has_its_size_lazy_loading_and_a_caption(tmp_path: Path) -> None:
    (tmp_path / "a" / "images").mkdir(parents=True)
    (tmp_path / "a" / "images" / "steps.svg").write_text(SVG, encoding="utf-8")
    html = html_of('Before.\n\n![Two boxes joined by an arrow](images/steps.svg "The two steps")\n', folder=tmp_path)
    assert ('<figure><img src="../media/a/steps.svg" alt="Two boxes joined by an arrow" width="120" height="60" '
            'loading="lazy" decoding="async">\n<figcaption>The two steps</figcaption></figure>') in html
    with pytest.raises(ImageError, match="images/gone.svg' not found"):
        html_of("![Gone](images/gone.svg)\n", folder=tmp_path)


@pytest.mark.parametrize(("svg", "absent"), [
    ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>', "script"),
    ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><rect onclick="x()"/></svg>',
     "on"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
     '<use xlink:href="https://evil.example/x.svg#a"/><use href="#ok"/></svg>', "evil"),
    ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect fill="url(https://evil.example/p)"/>'
     '<rect fill="url(#grad)"/></svg>', "evil"),
    ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><foreignObject><p>x</p></foreignObject>'
     '<image href="https://evil.example/i.png"/><style>@import url(https://evil.example)</style></svg>', "evil"),
])
def test_svg_is_rebuilt_from_allowed_elements_and_attributes(svg: str, absent: str) -> None:
    clean = sanitize_svg(svg.encode(), "x.svg")[0].decode()
    assert absent not in clean.replace("xmlns", "")
    assert "foreignObject" not in clean and "<image" not in clean and "<style" not in clean
    if "#ok" in svg:
        assert 'href="#ok"' in clean
    if "url(#grad)" in svg:
        assert 'fill="url(#grad)"' in clean


@pytest.mark.parametrize("svg", [
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
    b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>",
    b"<html/>",
    b'<svg xmlns="http://www.w3.org/2000/svg"/>',
])
def test_svg_that_cannot_be_made_safe_is_refused(svg: bytes) -> None:
    with pytest.raises(ImageError):
        sanitize_svg(svg, "x.svg")


def test_raster_images_are_resized_and_compressed(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    path = tmp_path / "big.png"
    PILImage.new("RGB", (2000, 1000), (200, 30, 30)).save(path)
    image = publish(path, "a", "fr")
    assert (image.rel, image.width, image.height) == ("media/a/fr/big.png", MAX_WIDTH, 480)
    assert PILImage.open(io.BytesIO(image.data)).size == (MAX_WIDTH, 480)


def test_without_pillow_a_raster_image_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "small.jpg"
    path.write_bytes(b"\xff\xd8not really")
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImageError, match=r"pip install 'supportkit\[site\]'"):
        publish(path, "b", "")


# --- on the site ---------------------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    from supportkit.library.edit import stamp

    replies = tmp_path / "replies"
    shutil.copytree(MIN, replies)
    tutorial = replies / "tutorials" / "switch_phone.yaml"
    tutorial.write_text(tutorial.read_text(encoding="utf-8") + "  fr:\n    source: 000000000000\n"
                        "    subject: Changer de téléphone\n    body: |\n      Suivez ces étapes.\n", encoding="utf-8")
    stamp(tutorial)
    articles = tmp_path / "articles"
    article(articles, "new-phone", "en", "Intro.\n\n![Four boxes: back up, install, import, check](images/steps.svg)\n\n"
            "::: tip\nKeep the backup.\n:::\n\n## One\n\n## Two\n\n## Three\n",
            title="Moving to a new phone", replaces="tutorials/switch_phone", updated="2026-12-07")
    (articles / "new-phone" / "images").mkdir()
    (articles / "new-phone" / "images" / "steps.svg").write_text(SVG, encoding="utf-8")
    article(articles, "web-only", "en", "Only in English.\n", title="Only on the web", category="general")
    article(articles, "web-only", "zh", "只有网页版。\n", title="网页文章", category="general")
    return replies, articles


def test_an_article_replaces_its_page_where_written_and_the_page_stays_elsewhere(
        project: tuple[Path, Path], tmp_path: Path) -> None:
    replies, articles = project
    config = Config(replies_dir=replies, articles_dir=articles)
    out = tmp_path / "site"
    report = build_site(config, BuildOptions(out=out, locales=("en", "fr", "zh", "zh-Hant")))
    en = (out / "en" / "guide-switch-phone.html").read_text(encoding="utf-8")
    assert "<h1>Moving to a new phone</h1>" in en and 'class="toc"' in en and 'class="admonition tip"' in en
    assert '<img src="../media/new-phone/steps.svg" alt="Four boxes: back up, install, import, check" width="120"' in en
    assert (out / "media" / "new-phone" / "steps.svg").read_text(encoding="utf-8").startswith("<svg")
    assert 'FAQPage' not in en and '<meta name="description" content="What the article says.">' in en
    fr = (out / "fr" / "guide-switch-phone.html").read_text(encoding="utf-8")
    assert "<h1>Changer de téléphone</h1>" in fr and "Moving to a new phone" not in fr  # the tutorial stays
    # Without the article or a page to keep, a locale shows the article with the honest notice.
    fallback = (out / "fr" / "web-only.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in fallback and 'class="notice"' in fallback
    assert "網頁文章" in (out / "zh-Hant" / "web-only.html").read_text(encoding="utf-8")
    assert "fr/web-only.html" in report.fallbacks and "zh/web-only.html" not in report.fallbacks
    home = (out / "en" / "index.html").read_text(encoding="utf-8")
    assert home.count('href="guide-switch-phone.html"') == 1 and 'href="web-only.html"' in home


def test_strict_build_fails_on_a_missing_article_and_a_broken_file(project: tuple[Path, Path], tmp_path: Path) -> None:
    from supportkit.errors import ValidationError

    replies, articles = project
    (articles / "broken").mkdir()
    (articles / "broken" / "en.md").write_text("no front matter\n", encoding="utf-8")
    config = Config(replies_dir=replies, articles_dir=articles)
    with pytest.raises(ValidationError) as caught:
        build_site(config, BuildOptions(out=tmp_path / "site", locales=("en", "fr"), strict=True))
    found = {(Path(p.path).parent.name, p.line, p.locale, p.check) for p in caught.value.problems}
    assert found == {("broken", 1, "en", "article_front_matter"), ("web-only", 1, "fr", "faq_missing")}
    # new-phone is not written in fr, which keeps the tutorial it replaces: nothing is missing there


def test_the_bundled_articles_replace_their_tutorials_in_the_five_locales(tmp_path: Path) -> None:
    found = load_articles(BUNDLED_ARTICLES)
    assert found.problems == [] and sorted(found.articles) == ["network-fees", "revoke-approval", "switch-phone"]
    library = load_library(Config().replies_dir)
    for slug, texts in found.articles.items():
        assert all(ref in library.templates for ref in texts["en"].replaces), slug
        assert sorted(texts) == ["en", "es", "fr", "ru", "zh"], slug
        for text in texts.values():  # each locale's own picture with its own alt text
            assert text.body.count("\n## ") >= 3 and ":::" in text.body and "](images/" in text.body, text.path
            assert text.category == texts["en"].category and text.replaces == texts["en"].replaces
            (image,) = (p for p in (BUNDLED_ARTICLES / slug / "images" / text.locale).glob("*.svg")) \
                if text.locale != "en" else (BUNDLED_ARTICLES / slug / "images").glob("*.svg")
            assert image.is_file()


def test_a_translation_takes_the_category_from_the_source_article(tmp_path: Path) -> None:
    folder = tmp_path / "articles" / "new-phone"
    folder.mkdir(parents=True)
    (folder / "en.md").write_text("---\ntitle: New phone\ndescription: Move it.\ncategory: account\n---\n\nText.\n",
                                  encoding="utf-8")
    (folder / "fr.md").write_text("---\ntitle: Nouveau téléphone\ndescription: Déplacez-le.\n---\n\nTexte.\n",
                                  encoding="utf-8")
    found = load_articles(tmp_path / "articles")
    assert found.problems == [] and found.articles["new-phone"]["fr"].category == "account"
    (folder / "en.md").unlink()
    found = load_articles(tmp_path / "articles")
    assert [(p.locale, p.message) for p in found.problems] == [("fr", "category is required and must be text")]
    assert found.articles == {}


def test_the_articles_folder_comes_from_the_configuration(tmp_path: Path) -> None:
    from supportkit.config import load_config

    assert Config().articles_root == BUNDLED_ARTICLES
    assert Config(replies_dir=tmp_path).articles_root is None  # a team's own replies: its own articles
    config = load_config(tmp_path, env={"SUPPORTKIT_ARTICLES_DIR": str(tmp_path / "help")})
    assert config.articles_root == tmp_path / "help"


def test_a_title_keeps_its_no_break_spaces(tmp_path: Path) -> None:
    # "Pourquoi ?" with U+202F lost it on the page title, <title>, breadcrumb and meta description.
    folder = tmp_path / "articles" / "fees"
    folder.mkdir(parents=True)
    (folder / "en.md").write_text("---\ntitle: Fees\ndescription: Fees.\ncategory: fees\n---\n\nText.\n", encoding="utf-8")
    (folder / "fr.md").write_text("---\ntitle: Pourquoi payer des frais\u202f?\ndescription: >\n  Environ 65\u202f000\n"
                                  "  d’énergie.\n---\n\nTexte.\n", encoding="utf-8")
    text = load_articles(tmp_path / "articles").articles["fees"]["fr"]
    assert text.title == "Pourquoi payer des frais\u202f?"
    assert text.description == "Environ 65\u202f000 d’énergie."

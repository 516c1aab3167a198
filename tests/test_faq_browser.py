"""The FAQ site in a real browser: Debian's Chromium driven by Playwright, axe-core, Nu HTML checker.

Skipped when Chromium or Playwright is missing, unless SUPPORTKIT_REQUIRE_BROWSER=1 (set by
CI), where a missing browser is a failure.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from supportkit.config import Config
from supportkit.faq import BuildOptions, build_site
from supportkit.faq.serve import make_server
from supportkit.languages import SUPPORTED_LANGUAGES
from tests.browser_support import AXE, VNU, chromium, require
from tests.test_faq_search import needs_pagefind

pytestmark = pytest.mark.browser




@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("faq") / "site"
    build_site(Config(), BuildOptions(out=out, base_url="https://help.example.com/"))
    return out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    httpd = make_server(site, 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def _index(site: Path, locale: str) -> dict[str, Any]:
    text = (site / locale / "search-index.js").read_text(encoding="utf-8")
    return json.loads(text.removeprefix("window.SUPPORTKIT_SEARCH=").rstrip(";\n"))  # type: ignore[no-any-return]


def _mid_sentence_word(site: Path, locale: str) -> tuple[str, str]:
    """A word from the middle of a sentence of a translated article, and that article's URL."""
    for doc in _index(site, locale)["docs"]:
        text = doc["x"]
        if locale == "zh":
            for match in re.finditer(r"[\u4e00-\u9fff]{6,}", text):
                run = match.group()
                return run[2:4], doc["u"]
        else:
            for sentence in re.split(r"[.!?]\s", text):
                words = [w for w in sentence.split() if re.fullmatch(r"[а-яА-ЯёЁ]{6,}", w)]
                if len(sentence.split()) > 6 and len(words) >= 2:
                    return words[1].lower(), doc["u"]
    raise AssertionError(f"no suitable {locale} word found")


def _article_slug(site: Path) -> str:
    return sorted(p.name for p in (site / "en").glob("*.html") if p.name not in {"index.html", "search.html", "404.html"})[0]


def test_language_switch_keeps_the_article(page: Any, server: str, site: Path) -> None:
    slug = _article_slug(site)
    page.goto(f"{server}/en/{slug}")
    page.click('nav.languages a[hreflang="ru"]')
    page.wait_for_load_state()
    assert page.url == f"{server}/ru/{slug}"
    assert page.locator("nav.languages [aria-current]").inner_text() == "Русский"
    page.click('nav.languages a[hreflang="zh"]')
    assert page.url == f"{server}/zh/{slug}"


@pytest.mark.parametrize("locale", ["zh", "ru"])
def test_search_finds_a_mid_sentence_word(page: Any, server: str, site: Path, locale: str) -> None:
    word, url = _mid_sentence_word(site, locale)
    page.goto(f"{server}/{locale}/index.html")
    page.fill("#q", word)
    page.click(".search-form button")
    page.wait_for_selector("#search-results li")
    hrefs = page.eval_on_selector_all("#search-results a", "els => els.map(e => e.getAttribute('href'))")
    assert url in hrefs, (word, hrefs)
    # Results come from this locale's index only.
    other = "en"
    assert all((site / locale / h).is_file() for h in hrefs)
    assert _index(site, other)["locale"] == other


def test_site_works_from_file_urls(page: Any, site: Path) -> None:
    slug = _article_slug(site)
    page.goto((site / "fr" / "index.html").as_uri())
    page.click(f'a[href="{slug}"]')
    page.wait_for_load_state()
    assert page.url == (site / "fr" / slug).as_uri()
    assert page.locator("h1").count() == 1
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != ""  # stylesheet loaded
    word, url = _mid_sentence_word(site, "ru")
    page.goto((site / "ru" / "search.html").as_uri() + "?q=" + word)
    page.wait_for_selector("#search-results li")
    assert url in page.eval_on_selector_all("#search-results a", "els => els.map(e => e.getAttribute('href'))")
    # From disk the simple index answers, and the page says why the search is simpler.
    page.goto((site / "en" / "search.html").as_uri() + "?q=wallet")
    page.wait_for_selector("#search-results li")
    assert page.inner_text("#search-note") == ("This page was opened from disk, so search finds exact words only. "
                                               "For the full search, serve the site: supportkit faq serve")


def _suggested(page: Any, query: str) -> list[str]:
    """Type ``query`` into the header's search box; the links it suggests as you type."""
    page.fill("#q", query)
    page.wait_for_function("q => document.querySelector('#search-panel ul').dataset.query === q", arg=query)
    return page.eval_on_selector_all("#search-panel ul a", "els => els.map(e => e.getAttribute('href'))")  # type: ignore[no-any-return]


@pytest.mark.parametrize(("locale", "query", "expected"), [
    ("en", "recovery phrases", "guide-backup-recovery-phrase.html"),  # a plural; the article says "recovery phrase"
    ("ru", "забыла пароль", "forgot-password.html"),  # an inflected form; the article says "забыли пароль"
    ("zh", "手续费太高", "gas-fee.html"),  # Chinese without spaces
])
def test_search_as_you_type_understands_words(browser: Any, server: str, locale: str, query: str,
                                              expected: str) -> None:
    needs_pagefind()
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{server}/{locale}/guide-create-wallet.html")
    assert expected in _suggested(page, query)[:3]
    assert page.locator("#search-panel ul mark").count() >= 1  # the words found are highlighted
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    page.keyboard.press("Escape")
    assert page.locator("#search-panel").is_hidden()
    # The one console error today is the missing favicon (issue 16's branding part).
    assert [e for e in errors if "404" not in e] == []
    context.close()


def test_an_empty_search_offers_contact_support(page: Any, server: str) -> None:
    page.goto(f"{server}/en/search.html?q=zzzqqq")
    page.wait_for_function("() => document.getElementById('search-results').dataset.query === 'zzzqqq'")
    assert page.inner_text("#search-status") == "No articles match your search. Contact support"
    assert page.get_attribute("#search-status a", "href") == "contact-support.html"


def test_search_page_keeps_the_query_across_languages(page: Any, server: str) -> None:
    page.goto(f"{server}/en/search.html?q=usdt")
    page.wait_for_function("() => document.getElementById('search-results').dataset.query === 'usdt'")
    page.click('nav.languages a[hreflang="ru"]')
    page.wait_for_load_state()
    assert page.url == f"{server}/ru/search.html?q=usdt"
    assert page.input_value("#q") == "usdt"
    page.wait_for_function("() => document.getElementById('search-results').dataset.query === 'usdt'")
    assert page.locator("#search-results li").count() >= 1


@pytest.mark.parametrize("locale", SUPPORTED_LANGUAGES)
def test_not_found_page_per_locale(page: Any, server: str, locale: str) -> None:
    response = page.goto(f"{server}/{locale}/no-such-article.html")
    assert response.status == 404
    assert page.get_attribute("html", "lang") == locale


def test_pages_work_without_javascript(browser: Any, server: str, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/es/index.html")
    links = page.eval_on_selector_all("main a", "els => els.length")
    assert links >= 5
    page.goto(f"{server}/es/{_article_slug(site)}")
    assert page.locator("article h1").inner_text().strip()
    context.close()


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]} for v in result]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("locale", SUPPORTED_LANGUAGES)
def test_axe_finds_no_violations(browser: Any, server: str, site: Path, locale: str, scheme: str) -> None:
    if not AXE.is_file():
        require("axe-core is not installed (npm ci)")
    context = browser.new_context(color_scheme=scheme, viewport={"width": 390, "height": 844})
    page = context.new_page()
    for path in ("index.html", _article_slug(site), "search.html?q=usdt", "404.html"):
        page.goto(f"{server}/{locale}/{path}")
        assert _axe(page) == [], (locale, path, scheme)
    context.close()


def test_nu_html_checker_finds_no_errors(site: Path) -> None:
    java = shutil.which("java")
    if not VNU.is_file() or java is None:
        require("vnu-jar (npm ci) and Java (apt-get install default-jre-headless) are needed")
    done = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "text", str(site)],
                          capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]


def _boxiest_article() -> str:
    """The page of the bundled English article with the most tip/warning/danger boxes."""
    from supportkit.config import BUNDLED_ARTICLES

    def boxes(source: Path) -> int:
        return sum(line.startswith("::: ") for line in source.read_text(encoding="utf-8").splitlines())

    best = max(sorted(BUNDLED_ARTICLES.glob("*/en.md")), key=boxes)
    return f"guide-{best.parent.name}.html"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_article_with_a_picture_and_boxes_passes_axe(browser: Any, server: str, site: Path, scheme: str) -> None:
    if not AXE.is_file():
        require("axe-core is not installed (npm ci)")
    context = browser.new_context(color_scheme=scheme, viewport={"width": 320, "height": 640})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{server}/en/{_boxiest_article()}")  # the writers change the articles: take the one with most boxes
    assert page.locator(".admonition").count() >= 1 and page.locator("nav.toc a").count() >= 3
    image = page.locator("figure img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('figure img').complete")
    assert page.evaluate("document.querySelector('figure img').naturalWidth") > 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    assert _axe(page) == [], scheme
    assert errors == []
    context.close()

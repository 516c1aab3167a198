"""The HTML report in a real browser: Debian's Chromium driven by Playwright, and axe-core.

The sample report of ``scripts/report_screenshots.py`` is rendered in each UI language, written
to a file and opened over ``file://``: no console error or warning, no page error, axe finds no
violation in light and dark, and a 360 px screen never scrolls sideways (wide tables scroll in
their own focusable region). Skipped when Chromium or Playwright is missing, unless
SUPPORTKIT_REQUIRE_BROWSER=1 (set by CI), where a missing browser is a failure.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from supportkit.languages import SUPPORTED_LANGUAGES
from supportkit.report.html import render_html
from tests.browser_support import AXE, VNU, chromium, missing, require

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.browser




def _sample_report() -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("report_screenshots", ROOT / "scripts" / "report_screenshots.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.sample_report()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def report_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require(missing())
    folder = tmp_path_factory.mktemp("report")
    report = _sample_report()
    files = {}
    for locale in SUPPORTED_LANGUAGES:
        files[locale] = folder / f"report-{locale}.html"
        files[locale].write_text(render_html(report, locale), encoding="utf-8")
    return files


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


def _open(browser: Any, path: Path, **options: Any) -> tuple[Any, Any, list[str]]:
    # bypass_csp: the page forbids every script; axe is injected by the test, not by the page.
    context = browser.new_context(bypass_csp=True, **options)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("request", lambda request: problems.append(f"request: {request.url}")
            if not request.url.startswith("file://") else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return context, page, problems


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]} for v in result]


@pytest.mark.parametrize("locale", SUPPORTED_LANGUAGES)
def test_opens_over_file_url_without_console_errors(browser: Any, report_files: dict[str, Path], locale: str) -> None:
    context, page, problems = _open(browser, report_files[locale], viewport={"width": 1366, "height": 900})
    assert page.get_attribute("html", "lang") == locale
    visible = page.eval_on_selector_all("svg[role=img]", "els => els.filter(e => e.getBoundingClientRect().width > 0).length")
    assert visible == page.locator("figure").count() >= 10
    page.click("figure details summary")  # a table opens with its numbers
    assert page.locator("figure details[open] table").first.is_visible()
    context.close()
    assert problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("locale", SUPPORTED_LANGUAGES)
def test_axe_finds_no_violations(browser: Any, report_files: dict[str, Path], locale: str, scheme: str) -> None:
    if not AXE.is_file():
        require("axe-core is not installed (npm ci)")
    context, page, problems = _open(browser, report_files[locale], color_scheme=scheme,
                                    viewport={"width": 1366, "height": 900})
    page.eval_on_selector_all("details", "els => els.forEach(e => e.open = true)")  # tables checked too
    assert _axe(page) == [], (locale, scheme)
    context.close()
    assert problems == []


@pytest.mark.parametrize("locale", SUPPORTED_LANGUAGES)
def test_phone_width_does_not_scroll_sideways(browser: Any, report_files: dict[str, Path], locale: str) -> None:
    context, page, problems = _open(browser, report_files[locale], viewport={"width": 360, "height": 800})
    page.eval_on_selector_all("details", "els => els.forEach(e => e.open = true)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shown = page.eval_on_selector_all(".chart", "els => els.filter(e => getComputedStyle(e).display !== 'none')"
                                                ".map(e => e.className)")
    assert shown and all(name == "chart narrow" for name in shown)
    if AXE.is_file():
        assert _axe(page) == [], locale
    context.close()
    assert problems == []


def test_nu_html_checker_finds_no_errors(report_files: dict[str, Path]) -> None:
    java = shutil.which("java")
    if not VNU.is_file() or java is None:
        require("vnu-jar (npm ci) and Java (apt-get install default-jre-headless) are needed")
    done = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "text",
                           *(str(path) for path in report_files.values())],
                          capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]

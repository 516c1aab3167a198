"""What the browser tests share: where Chromium, axe and the Nu checker are, and whether they must run.

In CI (`SUPPORTKIT_REQUIRE_BROWSER=1`, set by .ci/run) a missing browser fails the test; elsewhere it skips.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
REQUIRED = os.environ.get("SUPPORTKIT_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed (apt-get install chromium fonts-wqy-microhei)"
    return None


def require(what_is_missing: str | None) -> None:
    """Skip (or, in CI, fail) when something a browser test needs is missing."""
    if what_is_missing:
        if REQUIRED:
            pytest.fail(what_is_missing)
        pytest.skip(what_is_missing)


def chromium() -> Iterator[Any]:
    """A headless Chromium for a module's tests (use as the body of a fixture)."""
    require(missing())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()

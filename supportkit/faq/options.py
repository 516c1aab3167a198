"""What a site build is asked for, and how it fails."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from supportkit.errors import SupportkitError
from supportkit.languages import SUPPORTED_LANGUAGES
from supportkit.text.chinese import TRADITIONAL

SITE_FORMAT = 1  # bump when page layout changes so old manifests are not reused
SITE_LOCALES = (*SUPPORTED_LANGUAGES, TRADITIONAL)
"""The site's locales: our five languages, and Traditional Chinese (the writers' zh-Hant, else zh converted)."""


class FaqBuildError(SupportkitError):
    """The site could not be built (strict failures, bad options, unsafe output folder)."""


class UnsafeOutputError(FaqBuildError):
    """``--out`` names a folder a build must never replace (the one the shell is in, home, the
    templates...): a usage error, exit 2, raised before anything is written or moved."""

    exit_code = 2


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where."""

    out: Path
    base_url: str | None = None
    locales: tuple[str, ...] = SITE_LOCALES
    strict: bool = False
    untranslated: str = "notice"
    warn_stale: bool = False
    """Report stale articles as warnings (``BuildReport.warnings``) without failing; ``strict`` fails."""

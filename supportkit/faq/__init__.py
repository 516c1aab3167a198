"""The localized FAQ site: ``build_site`` and ``serve``."""

from supportkit.faq.build import BuildReport, build_site
from supportkit.faq.options import BuildOptions, FaqBuildError

__all__ = ["BuildOptions", "BuildReport", "FaqBuildError", "build_site"]

"""The localized FAQ site: ``build_site`` and ``serve``."""

from supportkit.faq.build import BuildOptions, BuildReport, FaqBuildError, build_site

__all__ = ["BuildOptions", "BuildReport", "FaqBuildError", "build_site"]

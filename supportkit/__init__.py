"""supportkit: multilingual help-desk toolkit for a self-custody crypto wallet."""

__version__ = "0.1.0"

SUPPORTED_LANGUAGES: tuple[str, ...] = ("zh", "en", "es", "ru", "fr")
"""The five languages supportkit answers customers in, in display order."""

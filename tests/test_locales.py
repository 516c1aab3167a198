from __future__ import annotations

import pytest

from supportkit.errors import UnknownLocaleError
from supportkit.languages import choose_locale, parse_locale

FIVE = ("zh", "en", "es", "ru", "fr")


@pytest.mark.parametrize(
    ("requested", "locale", "fallback"),
    [("zh-TW", "zh-Hant", False), ("zh-Hant", "zh-Hant", False), ("zh_HK", "zh-Hant", False), ("zh-CN", "zh", False), ("es-419", "es", False),
     ("fr-CA", "fr", False), ("ru", "ru", False), ("pt-BR", "en", True), ("de", "en", True)],
)
def test_fallback_chain(requested: str, locale: str, fallback: bool) -> None:
    choice = choose_locale(requested, FIVE)
    assert (choice.locale, choice.fallback) == (locale, fallback)


def test_configured_default_is_used() -> None:
    assert choose_locale("pt", FIVE, default="es").locale == "es"
    assert choose_locale("pt", ("ru",), default="es").locale == "ru"


@pytest.mark.parametrize("bad", ["", "../en", "en/../../x", "e", "en.UTF-8", "zh\x00", "x" * 40, "en us"])
def test_codes_that_could_reach_the_file_system_are_refused(bad: str) -> None:
    with pytest.raises(UnknownLocaleError):
        parse_locale(bad)

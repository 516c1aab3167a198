"""Configuration precedence: defaults < file < SUPPORTKIT_* < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportkit.config import BUNDLED_REPLIES, load_config
from supportkit.errors import ConfigError

ACME_CONTACTS = """support_email = "help@acme.example"
website = "https://www.acme.example"
help_center = "https://help.acme.example"
twitter = "https://x.com/acme"
telegram = "https://t.me/acme"
"""


def test_defaults_use_bundled_templates(tmp_path: Path) -> None:
    config = load_config(tmp_path, env={})
    assert config.replies_dir == BUNDLED_REPLIES
    assert config.brand.product == "TokenPocket"
    assert config.source == "defaults"


def test_pyproject_table_then_env_then_replace(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.supportkit]\nreplies_dir = "team/replies"\ndefault_locale = "es"\n'
        '[tool.supportkit.brand]\nproduct = "AcmeWallet"\n' + ACME_CONTACTS, encoding="utf-8")
    (tmp_path / ".git").mkdir()  # the search goes up to the project's root, never above
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    config = load_config(nested, env={})
    assert config.replies_dir == tmp_path / "team" / "replies"
    assert (config.default_locale, config.brand.product) == ("es", "AcmeWallet")
    config = load_config(nested, env={"SUPPORTKIT_DEFAULT_LOCALE": "fr", "SUPPORTKIT_ALLOW_DRAFTS": "yes"})
    assert (config.default_locale, config.allow_drafts) == ("fr", True)
    # An unset flag (None) never overrides the file.
    assert config.replace(default_locale=None).default_locale == "fr"
    assert config.replace(default_locale="ru").default_locale == "ru"


@pytest.mark.parametrize("table", [
    '[tool.supportkit]\ndefault_locale = "es"\n',
    '[tool]\nsupportkit = { default_locale = "es" }\n',
    '[ tool . "supportkit" ]\ndefault_locale = "es"\n',
    'tool.supportkit.default_locale = "es"\n',
])
def test_every_toml_spelling_of_our_pyproject_table_is_read(tmp_path: Path, table: str) -> None:
    (tmp_path / "pyproject.toml").write_text(table + '[project]\nname = "shop"\n', encoding="utf-8")
    assert load_config(tmp_path, env={}).default_locale == "es"


def test_a_pyproject_without_our_table_is_not_parsed(tmp_path: Path) -> None:
    # Not ours to judge (and tomllib is not loaded for it): a broken one is passed over.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop\n', encoding="utf-8")
    assert load_config(tmp_path, env={}).source == "defaults"
    (tmp_path / "pyproject.toml").write_text('[tool.supportkit]\ndefault_locale = [\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot parse pyproject.toml"):
        load_config(tmp_path, env={})


def test_supportkit_toml_wins_over_pyproject_in_same_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.supportkit]\ndefault_locale = "es"\n', encoding="utf-8")
    (tmp_path / "supportkit.toml").write_text('default_locale = "ru"\n', encoding="utf-8")
    assert load_config(tmp_path, env={}).default_locale == "ru"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("colour = 1\n", "unknown setting 'colour'"),
        ("allow_drafts = 'maybe'\n", "allow_drafts must be true or false"),
        ("[brand]\nlogo = 'x'\n", "unknown brand setting"),
        ("replies_dir = [\n", "cannot parse supportkit.toml"),
        ("[brand.in_app_support]\nen = ''\n", "table of non-empty strings"),
        ("[brand.product]\nen = 'Acme'\n", "brand.product must be a string"),
        ("[brand.in_app_support]\n'../x' = 'Help'\n", "brand.in_app_support"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "supportkit.toml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path, env={})


def test_brand_setting_per_locale_resolves_to_the_readers_language(tmp_path: Path) -> None:
    (tmp_path / "supportkit.toml").write_text(
        '[brand]\nproduct = "Acme"\n' + ACME_CONTACTS + '[brand.in_app_support]\nen = "Help > Chat"\nzh = "帮助 > 在线客服"\n',
        encoding="utf-8")
    brand = load_config(tmp_path, env={}).brand
    assert brand.localized("zh-TW").in_app_support == "帮助 > 在线客服"
    assert brand.localized("ru").in_app_support == "Help > Chat"  # no ru entry: en
    assert brand.localized("zh").product == "Acme"
    assert load_config(tmp_path.parent / "nowhere", env={}).brand.localized("fr").in_app_support.startswith("Moi")


def test_a_locale_without_its_own_telegram_channel_gets_none_not_the_english_one(tmp_path: Path) -> None:
    brand = load_config(tmp_path, env={}).brand
    assert brand.localized("en").telegram == "https://t.me/TokenPocket_en"
    assert [brand.localized(code).telegram for code in ("zh", "zh-TW", "es", "ru", "fr")] == ["", "", "", "", ""]
    contacts = ACME_CONTACTS.replace('telegram = "https://t.me/acme"\n', "")
    (tmp_path / "supportkit.toml").write_text(
        '[brand]\nproduct = "Acme"\n' + contacts
        + '[brand.telegram]\nen = "https://t.me/acme"\nzh = "https://t.me/acme_cn"\n', encoding="utf-8")
    brand = load_config(tmp_path, env={}).brand
    assert brand.localized("zh-TW").telegram == "https://t.me/acme_cn"
    assert brand.localized("fr").telegram == ""
    assert "t.me/acme_cn" in brand.link_policy().links  # a reply may link to each locale's channel


def test_every_locale_of_a_telegram_table_must_be_an_https_link_on_telegram(tmp_path: Path) -> None:
    contacts = ACME_CONTACTS.replace('telegram = "https://t.me/acme"\n', "")
    (tmp_path / "supportkit.toml").write_text(
        '[brand]\nproduct = "Acme"\n' + contacts
        + '[brand.telegram]\nen = "https://t.me/acme"\nru = "https://evil.example/acme"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="brand.telegram links to evil.example"):
        load_config(tmp_path, env={})

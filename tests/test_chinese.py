"""Traditional Chinese end to end: OpenCC's tables, the zh-Hant locale, replies in the customer's script."""

from __future__ import annotations

import json

import pytest

from supportkit.config import load_config
from supportkit.languages import choose_locale
from supportkit.matching.fold import fold
from supportkit.pipeline import process_message
from supportkit.text.chinese import T2S_FILE, t2s_pairs_from_opencc, to_simplified_chars, to_traditional


def test_shipped_character_table_is_opencc_t2s() -> None:
    shipped = json.loads(T2S_FILE.read_text(encoding="utf-8"))
    assert shipped["config"] == "t2s"
    assert shipped["pairs"] == t2s_pairs_from_opencc(), "run scripts/make_t2s.py after upgrading OpenCC"


def test_folding_reads_traditional_as_simplified() -> None:
    assert to_simplified_chars("錢包裡的幣被轉走了") == "钱包里的币被转走了"
    assert fold("請問助記詞洩露了怎麼辦") == fold("请问助记词泄露了怎么办")


def test_to_traditional_uses_taiwan_phrasing() -> None:
    assert to_traditional("请在软件里打开网络设置，确认信息。") == "請在軟體裡開啟網路設定，確認資訊。"
    assert to_traditional("{% if customer_name %}{{ customer_name }}，您好！{% endif %}") == \
        "{% if customer_name %}{{ customer_name }}，您好！{% endif %}"


@pytest.mark.parametrize("requested", ["zh-Hant", "zh-TW", "zh_HK", "zh-Hant-TW"])
def test_traditional_locales_choose_zh_hant(requested: str) -> None:
    converted = choose_locale(requested, ("zh", "en"))
    assert (converted.locale, converted.fallback, converted.converted_from) == ("zh-Hant", False, "zh")
    written = choose_locale(requested, ("zh", "zh-Hant", "en"))
    assert (written.locale, written.fallback, written.converted_from) == ("zh-Hant", False, None)
    assert choose_locale(requested, ("en", "fr")).locale == "en"


def test_simplified_locales_stay_simplified() -> None:
    for requested in ("zh", "zh-CN", "zh-Hans", "zh-SG"):
        choice = choose_locale(requested, ("zh", "en"))
        assert (choice.locale, choice.converted_from) == ("zh", None)


def test_a_customer_writing_traditional_is_answered_in_traditional() -> None:
    config = load_config()
    traditional = process_message("請問我的USDT轉帳一直顯示處理中，要等多久？", config)
    simplified = process_message("请问我的USDT转账一直显示处理中，要等多久？", config)
    assert (traditional.language, traditional.script) == ("zh", "Hant")
    assert (traditional.reply.locale, traditional.reply.converted_from) == ("zh-Hant", "zh")
    assert (simplified.reply.locale, simplified.reply.converted_from) == ("zh", None)
    assert traditional.intent == simplified.intent
    assert traditional.text == to_traditional(simplified.text)
    assert traditional.reply.subject == to_traditional(simplified.reply.subject)
    data = traditional.to_dict()
    assert (data["locale"], data["converted_from"], data["fallback"]) == ("zh-Hant", "zh", False)


def test_a_traditional_customer_who_pasted_a_phrase_gets_the_notice_in_traditional() -> None:
    from supportkit.guard import safety_notice

    phrase = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    result = process_message(f"請幫我看看錢包，助記詞是 {phrase}", load_config())
    assert result.secret_found and result.reply.locale == "zh-Hant"
    assert result.text.split("\n\n")[1] == to_traditional(safety_notice("zh"))  # after the greeting
    assert "abandon" not in result.text and "abandon" not in result.message


def test_lang_option_asks_for_traditional() -> None:
    result = process_message("我的转账一直在处理中", load_config(), lang="zh-TW")
    assert (result.reply.locale, result.reply.converted_from) == ("zh-Hant", "zh")
    assert result.text == to_traditional(process_message("我的转账一直在处理中", load_config()).text)


def test_templates_show_renders_what_a_traditional_customer_receives() -> None:
    from click.testing import CliRunner

    from supportkit.cli import cli

    result = CliRunner().invoke(cli, ["templates", "show", "thanks", "--lang", "zh-TW", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)["locales"]
    assert list(shown) == ["zh-Hant"]
    assert shown["zh-Hant"]["state"].startswith("converted from zh by OpenCC s2twp")
    simplified = json.loads(CliRunner().invoke(cli, ["templates", "show", "thanks", "--lang", "zh", "--json"]).output)
    assert shown["zh-Hant"]["text"] == to_traditional(simplified["locales"]["zh"]["text"])

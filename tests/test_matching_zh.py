"""Matching on Chinese as customers write it: Traditional (Taiwan, Hong Kong), Cantonese, pinyin
shorthand (zjc = 助记词, kf = 客服), mixed English, slang (issue 13). None of these phrases is a
template example: they check that the zh cues and examples generalize."""

from __future__ import annotations

import pytest

from supportkit.library import Library
from supportkit.matching import classify


@pytest.mark.parametrize(("text", "reason"), [
    ("钱包被掏空了", "funds_at_risk"),
    ("我啲USDT俾人轉走咗", "funds_at_risk"),
    ("钱包里的币不翼而飞", "funds_at_risk"),
    ("余额变成0了，我没有转过", "funds_at_risk"),
    ("我把zjc发给客服了", "secret_exposed"),
    ("zjc泄露了", "secret_exposed"),
    ("私钥被人看到了", "secret_exposed"),
    ("助記詞外洩了", "secret_exposed"),
    ("我把私鑰貼到群組裡", "secret_exposed"),
    ("我個助記詞俾咗人", "secret_exposed"),
    ("助记词输进了一个网站", "secret_exposed"),
    ("在网页上输了助记词", "secret_exposed"),
    ("转账提示权限不足，owner不是我", "permissions_changed"),
    ("我給了他們保證金", "scam_acted_on"),
])
def test_urgency_cues_name_what_happened(library: Library, text: str, reason: str) -> None:
    """Urgent for what the customer says happened, not only because of the intent it lands on."""
    result = classify(text, "zh", library)
    assert result.urgent
    assert reason in {r.split(":")[0] for r in result.urgency_reasons}, result.urgency_reasons


@pytest.mark.parametrize("text", [
    "重灌App之後錢包不見了",  # a wallet missing from the app after a reinstall: restore it, nothing is lost
    "我的USDT转账一直pending，急！！！",  # pressure alone
    "之前授權過的合約要去哪裡撤銷",  # an old approval, nothing acted on now
    "钱包里的U不见了，但是链上还在",  # a token the app does not show: "钱包 不见" with a gap matched it
])
def test_not_urgent(library: Library, text: str) -> None:
    result = classify(text, "zh", library)
    assert not result.urgent, result.urgency_reasons


@pytest.mark.parametrize(("text", "intent"), [
    ("我把zjc发给客服了", "secret_exposed"),
    ("钱包里的币不翼而飞", "unauthorized_transfer"),
    ("唔該晒", "thanks"),
    ("客服好敷衍", "complaint"),
    ("找kf", "contact_support"),
    ("換電話之後錢包點算", "switch_phone"),
    ("在么", "greeting"),
    ("钱包里的U不见了，但是链上还在", "token_missing"),
    ("在一个叫XX的平台炒币，要交25%手续费才能提现", "investment_scam"),
])
def test_intent_of_shorthand_cantonese_and_traditional(library: Library, text: str, intent: str) -> None:
    assert classify(text, "zh", library).intents[0].id == intent


@pytest.mark.parametrize("text", ["USDT還沒到帳", "转帐失败了", "我的帳戶權限被改了"])
def test_zhang_in_both_scripts_reads_as_the_money_account(library: Library, text: str) -> None:
    from supportkit.matching.fold import fold

    assert "帐" not in fold(text) and "帳" not in fold(text)
    assert "账" in fold(text)

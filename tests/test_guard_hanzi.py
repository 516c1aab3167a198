"""Chinese phrases the way customers paste them in part: after "助记词前几个是", around a forgotten
word ("???"), with mistyped characters, and in pieces over several chat messages.

Each case below was missed (or left characters behind) before the rule its test names; the
ordinary Chinese beside them is held to no finding, so each rule is also held to what it must not do.
"""

from __future__ import annotations

import pytest

from supportkit.guard import hanzi, scan, scan_conversation
from tests import secret_samples as samples

MARKER = "[recovery phrase removed]"


def _found_whole(text: str, phrase: str) -> str:
    """The redacted text, once it is checked that a phrase was found and none of its characters is left."""
    result = scan(text)
    assert result.secret_found, text
    left = [ch for ch in phrase if ch.isalpha() and ch in result.redacted.replace(MARKER, "")
            and text.count(ch) == phrase.count(ch)]
    assert not left, (text, left)
    return result.redacted


# --- a cue's lead: "助记词前几个是", "我的12个单词：", then the phrase --------------------------


@pytest.mark.parametrize(("text", "phrase", "redacted"), [
    ("先谢谢你们。 \n助记词前几个是求售及候", "求售及候", "先谢谢你们。 \n助记词前几个" + MARKER),  # 是: nearly as likely
    ("我的钱包现在是空的。\n我的助记词开头是 堅 穩 馮 敗", "堅穩馮敗", "我的钱包现在是空的。\n我的助记词开头是 " + MARKER),
    ("我的助记词开头是 掩針門涉橋勁", "掩針門涉橋勁", "我的助记词开头是 " + MARKER),
    ("我的助记词开头是駛 剪 狗 根 醇 頻... 这件事对我很急。", "駛剪狗根醇頻", None),
])
def test_a_partial_phrase_after_a_cue_and_its_lead(text: str, phrase: str, redacted: str | None) -> None:
    got = _found_whole(text, phrase)
    if redacted is not None:
        assert got == redacted


def test_a_run_that_ends_in_the_first_word_of_a_spaced_phrase_is_cut_at_the_lead() -> None:
    # "是仰" is one run of characters: the lead ("前几个是") says where the phrase begins.
    text = "我真的很担心。 助记词前几个是仰 花 律 泥 非... 你好，我需要帮助。"
    assert hanzi._cue_ends(text, None)[1] == frozenset({text.index("仰")})
    redacted = _found_whole(text, "仰花律泥非")
    assert redacted.startswith("我真的很担心。 助记词前几个是" + MARKER) and redacted.endswith("我需要帮助。")


@pytest.mark.parametrize("text", [
    "我的助记词是不是被盗了？",
    "助记词前几个是什么我已经忘了，怎么办",
    "我的助记词如下：我没有写下来，手机也丢了",
    "请勿向任何人（包括客服）透露您的助记词或私钥。\n>\n> 6月3日 我 写道：\n> 5月28日之后质押奖励就没有了。",
])
def test_talk_about_the_phrase_after_a_cue_is_not_one(text: str) -> None:
    assert not scan(text).findings


# --- a forgotten word: "午粘莱纹 ??? 矿拍儿泰波琴失" ------------------------------------------


@pytest.mark.parametrize(("before", "hole", "after"), [
    ("午粘莱纹", "???", "矿拍儿泰波琴失"),
    ("史所寒铜辩恶鲜胀冒番", "???", "职"),
    ("審毛", "???", "交畜博械籠負肌副符"),
    ("悲", "***", "欄取毛氣各鑄都仲尾劉"),
    ("依", "…", "肅摩邦辦緩載勸童沙技材芽慌秦勢劍療濱死衰父腿"),
])
def test_the_words_on_both_sides_of_a_hole_are_one_phrase(before: str, hole: str, after: str) -> None:
    text = f"有一个词我忘了，能帮我找回来吗？\n\n我写下来的是： {before} {hole} {after} \n我不明白哪里出错了。"
    redacted = _found_whole(text, before + after)
    assert redacted == f"有一个词我忘了，能帮我找回来吗？\n\n我写下来的是： {MARKER} \n我不明白哪里出错了。"


@pytest.mark.parametrize("text", ["我等了很久...还是没到账，怎么办？？？客服在吗", "转账失败了 ??? 为什么会这样，手续费也扣了",
                                  "我的币呢…… 昨天还在的"])
def test_a_hole_between_sentences_is_punctuation(text: str) -> None:
    assert not scan(text).findings


# --- mistyped characters that written Chinese never uses --------------------------------------


@pytest.mark.parametrize(("text", "phrase"), [
    ("Баланс показывает ноль. моя фраза восстановления: 领部获靐爩苗很丈六复齉头 \nНа экране только ошибка сети.",
     "领部获靐爩苗很丈六复齉头"),
    ("Gracias de antemano. frase: 礦屬靐錄瘋爩為決激衛語爩", "礦屬靐錄瘋爩為決激衛語爩"),
    ("No cierren mi caso, por favor. \nmi frase de recuperación es 鐘從鉛靐體齉抗田我讀側麤\n\nGracias.",
     "鐘從鉛靐體齉抗田我讀側麤"),
])
def test_three_mistyped_characters_in_twelve(text: str, phrase: str) -> None:
    _found_whole(text, phrase)


def test_characters_outside_the_lists_cost_what_written_chinese_says() -> None:
    model = hanzi.load()
    assert "们" not in model.outside and model.score["们"] == model.char_llr["们"]  # a list character
    assert "嗯" in model.outside and model.score["嗯"] == hanzi.NON_LIST_PENALTY  # common, not listed
    assert "靐" not in model.score  # no sentence uses it: RARE_SCORE, no evidence either way
    assert "傘" in model.outside and "伞" in model.outside  # a Traditional form counts as its Simplified one


def test_a_24_character_phrase_with_its_typos_at_the_end_is_redacted_whole() -> None:
    phrase = "怀工扇溜忆刘盐示艰孟迷亡宿楼鱻鱻厵床岁装鲜龘暴溜"
    redacted = _found_whole(f"麻烦尽快回复。\n我的12个单词： {phrase}", phrase)
    assert redacted == f"麻烦尽快回复。\n我的12个单词： {MARKER}"


def test_a_list_of_things_that_repeats_a_character_is_not_a_phrase() -> None:
    text = "．豆类制品中属于软质食物的种类可以选用，例如：绿豆掽、红豆沙、豆腐、豆包等。"
    assert not scan(text).findings


# --- in pieces over several messages ------------------------------------------------------------


@pytest.mark.parametrize(("message", "part"), [
    ("后面是 銅 商", "銅 商"),
    ("el resto: 沿 防 龍 急", "沿 防 龍 急"),
    ("剩下的： 附泉胞夥傷奧", "附泉胞夥傷奧"),
    ("霸泡跡株陣遼", "霸泡跡株陣遼"),
    ("这是我的助记词 臨 六", "臨 六"),
    ("here is my seed: 良 謂", "良 謂"),
    ("接着是 畢跨飾", "畢跨飾"),
    ("我的钱包现在是空的。", "我的钱包现在是空的"),
    ("Hello there", None),
    ("今日は天気がいいです", None),
])
def test_the_piece_a_message_holds_comes_after_its_label(message: str, part: str | None) -> None:
    got = hanzi.phrase_part(message)
    assert (message[got[0]:got[1]] if got else None) == part


def test_only_a_piece_right_after_a_cue_and_its_lead_is_cued() -> None:
    assert hanzi.phrase_part("我的12个单词： 栽論金盾申禍鞋沉末") == (9, 18, True)
    assert hanzi.phrase_part("我 的 seed 有 24 个 words ， app 只 给 12 个 格子")[2] is False  # type: ignore[index]


@pytest.mark.parametrize("messages", [
    ["客服你好。", "又 限 骗 进", "后面是 拉 零", "吉 曼 墙 盖 彩 钱"],
    ["我不明白哪里出错了。", "客服你好。", "霸泡跡株陣遼", "接着是 畢跨飾", "跟含踐"],
    ["Can you tell me where my tokens went?", "here is my seed: 良 謂", "rest: 探", "勾 鑑 超 戈", "哩 隔 半 訂 續",
     "The screen just says network error."],
    ["现在显示的是另一个地址。", "我的12个单词： 栽論金盾申禍鞋沉末", "剩下的： 附泉胞夥傷奧", "剩下的： 工疑撐", "擋指返",
     "我已经等了两天了。"],
    ["Mon argent est-il en sécurité ?", "voici ma phrase de récupération : 饼俩废挤", "失虫", "et ensuite 森",
     "举应理贯赞晒敢冒"],
])
def test_a_chinese_phrase_in_pieces_is_removed_from_every_message(messages: list[str]) -> None:
    ordinary = ("你好", "明白", "地址", "等了", "tokens", "network", "sécurité")
    pieces = [m for m in messages if hanzi.phrase_part(m) and not any(w in m for w in ordinary)]
    results = scan_conversation(messages)
    for message, result in zip(messages, results, strict=True):
        if message in pieces:
            assert result.secret_found, message
            start, end, _cued = hanzi.phrase_part(message)  # type: ignore[misc]
            assert not any(ch in result.redacted for ch in message[start:end] if ch.isalpha()), message
        elif not scan(message).findings:
            assert result.redacted == message


@pytest.mark.parametrize("messages", [
    ["助记词导入失败", "我 的 seed 有 24 个 words ， app 只 给 12 个 格子"],
    ["课程结束后，吕维晋被编剧班老师挑中。", "贴身衣物要以吸汗透气的棉质为主。", "我真的很担心。", "客服你好。"],
    ["你好，我需要帮助。", "换了手机以后登录不了。", "余额显示为零。", "麻烦尽快回复。", "请不要关闭我的工单。"],
])
def test_ordinary_chinese_messages_in_a_row_are_not_a_phrase(messages: list[str]) -> None:
    assert not any(r.findings for r in scan_conversation(messages))


def test_a_generated_phrase_in_four_messages_with_labels() -> None:
    words = samples.phrase("chinese_traditional", 12, 4)
    messages = ["客服你好。", "我的助記詞是：" + " ".join(words[:3]), "后面是 " + "".join(words[3:7]),
                "el resto: " + " ".join(words[7:10]), "".join(words[10:]), "麻烦尽快回复。"]
    results = scan_conversation(messages)
    assert [r.secret_found for r in results] == [False, True, True, True, True, False]
    assert not samples.leaked(" ".join(r.redacted for r in results), words)

"""Fold text to the form matching compares: case, accents, scripts and protected spans.

Matching compares a customer's message with example phrases and cue words, so both are
folded the same way: lower case, no accents (customers often type "contrasena",
"recuperation"), ё -> е, Traditional -> Simplified Chinese for the characters a help-desk
message uses, addresses/hashes/numbers removed (they say nothing about intent) and amounts
reduced to the word ``amount``. ``stem`` and ``STOPWORDS`` serve example similarity.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from supportkit.text import find_protected_spans, has_wide, replace_spans, strip_non_linguistic

# Traditional -> Simplified for common characters (help-desk vocabulary first). Pairs are
# "TS"; a character that is the same in both scripts needs no entry. Extend freely.
_T2S_PAIRS = """
錢钱 轉转 賬账 帳账 幣币 錯错 誤误 發发 給给 這这 個个 們们 麼么 沒没 還还 說说 問问 題题 請请 幫帮
過过 時时 間间 後后 點点 開开 關关 號号 碼码 記记 詞词 憶忆 導导 換换 機机 舊旧 兌兑 閃闪 凍冻 結结
資资 產产 騙骗 詐诈 盜盗 竊窃 隱隐 聯联 繫系 係系 絡络 務务 覆复 複复 應应 該该 費费 礦矿 氣气 網网
鏈链 額额 餘余 顯显 現现 見见 報报 丟丢 無无 擔担 謝谢 嗎吗 為为 會会 樣样 從从 來来 讓让 對对 於于
與与 將将 經经 歷历 處处 認认 證证 頁页 設设 選选 擇择 確确 標标 簽签 備备 鑰钥 權权 銷销 釣钓 魚鱼
連连 續续 訂订 單单 寫写 讀读 壞坏 刪删 數数 據据 庫库 圖图 廣广 員员 專专 業业 態态 爛烂 體体 驗验
訴诉 舉举 駭骇 區区 塊块 場场 買买 賣卖 價价 種种 約约 義义 綁绑 蘋苹 復复 鎖锁 進进 輸输 錄录 戶户
頭头 電电 話话 郵邮 線线 遲迟 決决 緊紧 單单 風风 險险 洩泄 訊讯 紀纪 註注 頻频 寬宽 帶带 質质 夠够
讚赞 厲厉 囉啰 儲储 託托 歸归 還还 運运 卻却 雖虽 節节 達达 邊边 裡里 裏里 壓压 畫画 夢梦 該该 視视
覺觉 辦办 勞劳 動动 務务 態态 團团 隊队 長长 門门 題题 類类 幾几 麼么 嗎吗 吳吴 實实 際际 難难 離离
邏逻 輯辑 軟软 體体 裝装 載载 刷刷 屬属 於于 檢检 查查 詢询 測测 試试 驗验 證证 號号 碼码 億亿 萬万
塊块 錯错 誤误 總总 計计 內内 負负 責责 務务 許许 諾诺 條条 款款 規规 則则 律律 師师 獲获 收收 穫获
鐘钟 鍾钟 週周 麵面 髮发 臺台 颱台 擊击 陸陆 島岛 灣湾 異异 常常 斷断 絕绝 續续 傳传 遞递 纔才 纍累
糾纠 紛纷 維维 護护 織织 級级 組组 紅红 綠绿 藍蓝 黃黄 黑黑 燒烧 橋桥 幣币 鏈链 礎础 錄录 憑凭 據据
詳详 細细 講讲 談谈 議议 論论 誰谁 請请 謊谎 騙骗 詭诡 讓让 護护 衛卫 營营 銀银 鈔钞 錶表 鐵铁 鋪铺
費费 貴贵 賠赔 償偿 損损 虧亏 購购 賺赚 貨货 貿贸 賞赏 贈赠 贊赞 趕赶 躍跃 車车 軍军 較较 輕轻 辭辞
遠远 適适 選选 遺遗 還还 郵邮 醫医 針针 閉闭 閱阅 陳陈 陰阴 隨随 雙双 雜杂 雲云 靈灵 響响 頁页 項项
順顺 須须 預预 領领 頻频 願愿 風风 飛飞 養养 館馆 馬马 驚惊 體体 鬧闹 鳥鸟 龍龙 亂乱 亞亚 佈布 來来
倆俩 們们 優优 傷伤 僅仅 兒儿 內内 兩两 冊册 準准 幹干 剛刚 創创 劃划 劇剧 勁劲 務务 勝胜 勢势 勵励
匯汇 參参 叢丛 嘆叹 員员 問问 啟启 喚唤 單单 嚴严 國国 圍围 園园 場场 壞坏 聲声 處处 備备 夠够 奪夺
奮奋 婦妇 媽妈 學学 寶宝 實实 寵宠 審审 寫写 將将 對对 專专 尋寻 導导 層层 屆届 幫帮 廳厅 張张 強强
彈弹 彥彦 徑径 從从 復复 徵征 應应 懷怀 態态 慣惯 憂忧 戲戏 戰战 擁拥 擔担 據据 擬拟 攜携 敗败 敵敌
數数 斷断 於于 晝昼 晉晋 曉晓 暫暂 曆历 書书 會会 東东 極极 構构 槍枪 樂乐 標标 樣样 橫横 機机 檔档
歡欢 歲岁 歷历 殘残 殺杀 殼壳 氣气 漢汉 決决 況况 淚泪 淺浅 測测 湯汤 滅灭 滿满 漲涨 潔洁 潛潜 澤泽
濟济 濕湿 為为 無无 煩烦 熱热 營营 爭争 爺爷 牆墙 獨独 獎奖 環环 產产 畢毕 畫画 當当 療疗 發发 盡尽
監监 盤盘 瞭了 礙碍 禮礼 禪禅 稅税 穩稳 積积 窮穷 競竞 筆笔 節节 範范 築筑 簡简 籌筹 糧粮 緒绪 練练
縣县 縮缩 績绩 繼继 續续 罰罚 羅罗 習习 聞闻 聽听 職职 膽胆 臉脸 興兴 舉举 舊旧 莊庄 華华 萊莱 葉叶
著着 蓋盖 蘇苏 號号 蟲虫 補补 裝装 襪袜 規规 親亲 觀观 觸触 計计 訊讯 託托 記记 訪访 設设 許许 診诊
評评 詞词 試试 該该 誠诚 誌志 語语 誤误 說说 課课 調调 請请 諒谅 論论 諮咨 謀谋 謝谢 證证 識识 護护
讀读 變变 貓猫 負负 財财 貢贡 貨货 販贩 貪贪 貫贯 責责 賀贺 資资 賓宾 賴赖 贏赢 趨趋 跡迹 踐践 蹤踪
軌轨 軸轴 較较 載载 輔辅 輪轮 輯辑 輸输 轄辖 辦办 農农 這这 連连 週周 進进 過过 遊游 運运 達达 違违
遙遥 遞递 還还 邊边 郵邮 鄉乡 醜丑 釋释 鉅巨 錄录 鍵键 鏡镜 長长 閒闲 間间 閘闸 闆板 陣阵 陽阳 隊队
階阶 際际 隱隐 雞鸡 離离 電电 霧雾 韓韩 頂顶 預预 額额 顏颜 風风 餐餐 飯饭 飲饮 首首 驅驱 體体 髒脏
鬆松 魚鱼 鮮鲜 麥麦 黨党 齊齐 齒齿
"""
T2S: dict[int, str] = {ord(pair[0]): pair[1] for pair in _T2S_PAIRS.split() if len(pair) == 2 and pair[0] != pair[1]}

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def is_han(text: str) -> bool:
    """Whether ``text`` starts with a Han character (a Han token, or one character)."""
    if not text:
        return False
    first = text[0]
    return "\u4e00" <= first <= "\u9fff" or "\u3400" <= first <= "\u4dbf" or "\uf900" <= first <= "\ufaff"


@functools.cache
def _han_re() -> re.Pattern[str]:
    return re.compile(f"[{_HAN}]")


def han_characters(text: str) -> list[str]:
    """Every Han character of ``text``, in order."""
    return _han_re().findall(text) if has_wide(text) else []


@functools.cache
def _token_re(han: bool) -> re.Pattern[str]:
    """A token: a run of Han characters, or a run of letters (Latin, Cyrillic...).

    The Han ranges cost milliseconds to compile; text without wide characters
    (``supportkit.text.has_wide``) is tokenized the same without them.
    """
    if not han:
        return re.compile("[^\\W\\d_]+(?:['’][^\\W\\d_]+)?")
    return re.compile(f"[{_HAN}]+|[^\\W\\d_{_HAN}]+(?:['’][^\\W\\d_]+)?")


def strip_accents(text: str) -> str:
    """``text`` without combining accents (é -> e, ñ -> n); Cyrillic й keeps its breve."""
    if text.isascii():  # nothing to decompose, no accent to drop
        return text
    decomposed = unicodedata.normalize("NFD", text)
    # й and ё decompose too; only й must survive (ё -> е is wanted anyway).
    kept = decomposed.replace("\u0438\u0306", "\u0439").replace("\u0418\u0306", "\u0419")
    return kept.translate(_ACCENTS)


class _CombiningMarks(dict[int, int | None]):
    """``str.translate`` table that drops combining marks, filled in as characters are met."""

    def __missing__(self, code: int) -> int | None:
        if len(self) >= 65536:  # bounded, whatever the input
            self.clear()
        value = self[code] = None if unicodedata.combining(chr(code)) else code
        return value


_ACCENTS = _CombiningMarks()


# A zero balance or price says something ("shows 0"); other numbers do not.
_ZERO_RE = re.compile(r"(?<![0-9A-Za-z\u00c0-\u024f\u0400-\u04ff.,])[$€¥£₽]?0(?:[.,]0+)?\s?[$€¥£₽]?(?![0-9A-Za-z\u00c0-\u024f\u0400-\u04ff]|[.,]\d)")


AMOUNT = "amount"
"""What a pasted amount ("2,000 USDT", "$50") folds to: its digits say nothing, but that an
amount stands there does ("amount gone" is money gone)."""


def fold(text: str) -> str:
    """Text as matching compares it: no protected spans or numbers, lower case, no accents, Simplified."""
    text = _ZERO_RE.sub(" zero ", text)
    spans = find_protected_spans(text)
    text = strip_non_linguistic(replace_spans(text, spans, lambda _index, span: f" {AMOUNT} " if span.kind == "amount" else " "))
    text = text.casefold()
    if not text.isascii():  # only Han characters are mapped to Simplified, and accents dropped
        text = strip_accents(text.translate(T2S))
    return text


def tokens(folded: str) -> list[str]:
    """Word tokens of folded text; a Han run stays one token (n-grams split it later)."""
    return [t.replace("’", "'") for t in _token_re(has_wide(folded)).findall(folded)]


# Light stemming for inflected languages: one suffix off, then the ending of the stem kept
# short, so "congelados", "congelaron", "congelar" or "заморожены", "заморозили" meet.
# Deliberately crude and shared by es/fr/en (Latin) and ru (Cyrillic): customers mix
# languages, and a stem only has to make forms of one word meet, not be a real root.
_LATIN_SUFFIXES = sorted("""
    amientos imientos aciones uciones amiento imiento amente ements ement ations ation acion
    aron ieron ando iendo aste iste ados adas idos idas ado ada ido ida ees ee es er ez ir
    ar ent ing ed s e a o
    """.split(), key=len, reverse=True)
_CYRILLIC_SUFFIXES = sorted("""
    иями ями ами ого его ому ему ыми ими ая яя ое ее ые ие ый ий ой ую юю ешь ете ишь ите ет
    ит ют ут ат ят ала ила ыла али или ыли ало ило ал ил ыл ла ли ло ть ти ов ев ей ам ям ах
    ях ом ем а я о е ы и у ю ь й
    """.split(), key=len, reverse=True)
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
STEM_LENGTH = 6
"""Stems are cut to this many letters: long derivations of one word share them."""


def stem(word: str) -> str:
    """A crude stem of a folded Latin or Cyrillic word (``contrasenas`` -> ``contra``)."""
    if len(word) <= 3:
        return word
    cyrillic = bool(_CYRILLIC_RE.match(word))
    if cyrillic and word.endswith(("ся", "сь")) and len(word) > 5:
        word = word[:-2]
    for suffix in _CYRILLIC_SUFFIXES if cyrillic else _LATIN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:STEM_LENGTH]


_ELISION_RE = re.compile(r"^(?:[ldnjmstc]|qu)'(?=\w{2})")


def content_word(token: str) -> str:
    """A token without a French elided article or pronoun (``l'adresse`` -> ``adresse``)."""
    return _ELISION_RE.sub("", token)


# Function words say nothing about intent and make unrelated phrases look alike ("still",
# "about", "my"); they are left out of example similarity (cues still see them). Folded.
STOPWORDS = frozenset("""
    a an the and or but if of to in on at for from by with about as into than then so too very
    i me my mine myself we us our you your yours he him his she her it its they them their
    is am are was were be been being do does did doing have has had having will would shall
    should can could may might must this that these those there here what which who whom whose
    when where why how all any some no not just also still only even yet again now please pls
    im i'm it's dont don't didnt didn't cant can't
    el la los las un una unos unas y o pero si de del al a en con por para sin sobre que como
    cuando donde quien cual me mi mis te tu tus su sus nos nuestro se le les lo es son esta estan
    esto eso ese esa estoy fue ser hay ya muy mas tambien porque
    le la les des du de un une et ou mais si en dans avec pour par sans sur que qui quoi comme
    quand ou je tu il elle on nous vous ils elles me te se mon ma mes ton ta tes son sa ses notre
    votre vos leur est sont suis ai as a avons avez ont ce cet cette ces ca cela y ne pas plus
    tres aussi deja encore svp
    и в во на с со к ко по за из у о об от до для без над под при что как когда где кто это
    этот эта эти тот та те я мне меня мой моя мои ты тебя твой вы вас ваш ваша ваши он она оно
    они его ее их мы нас наш же ли бы не ни да нет но а или то уже еще очень там тут вот так
    """.split())
HAN_STOP = frozenset("的了吗呢吧啊呀嘛么我你他她它们是在有这那就都也和与及或很还又")

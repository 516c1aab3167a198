"""Scam signals in zh en es ru fr: what the customer reports having been asked, shown or done.

A signal is a short id, found as two *concepts* near each other in one sentence
(an impostor word near a support role, an ask verb near the recovery phrase ...):

- ``fake_support``: someone posing as support, an advisor or an admin;
- ``asked_for_phrase``: someone asked for (or had the customer type in) the phrase or key;
- ``fake_site``: phishing; a site, link or bot the customer connected, signed or typed the
  phrase into; a "verify your wallet or it will be suspended" message;
- ``unknown_approval``: an approval, signature or permission change the customer does not
  recognise (unlimited allowances, TRON owner permissions, multisig);
- ``airdrop_claim``: airdrops, free tokens to claim, unknown tokens that appeared;
- ``address_poisoning``: funds sent to a look-alike address.

Signals are for the agent. Urgency is narrower: a scam makes a message urgent when the
customer *acted on it or lost funds* (connected, signed, typed, sent, "gone", "drained"
...), the help desk's meaning of urgent ("funds at risk or lost, or a secret exposed");
"a fake support account messaged me, is it you?" is a report, not an emergency (``engaged``).

Each concept lists its alternatives; their literal beginnings are the cheap trigger
stems (word prefixes for Latin and Cyrillic, substrings for CJK), so a pattern's regex
only runs when both of its concepts have a stem in the text. Only the head of a message
is read (``MAX_CHARS``), which bounds the work on huge input.
"""

from __future__ import annotations

import functools
import re

from supportkit.text import has_wide

MAX_CHARS = 8000
SIGNALS = ("fake_support", "asked_for_phrase", "fake_site", "unknown_approval", "airdrop_claim",
           "address_poisoning")


def _is_cjk(text: str) -> bool:
    """Whether ``text`` starts with a CJK character (U+3000-U+9FFF, U+F900-U+FFEF)."""
    return bool(text) and ("\u3000" <= text[0] <= "\u9fff" or "\uf900" <= text[0] <= "\uffef")


_WORD_RE = re.compile(r"[^\W\d_]+")

# Concepts: alternatives in lower case; a space stands for any whitespace.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "secret": (
        "seed", "recovery phrase", "secret phrase", "mnemonic", "backup phrase", "private key", "phrase",
        "12 words", "24 words", "twelve words", "助记词", "助記詞", "私钥", "私鑰", "密钥", "秘钥", "恢复短语", "种子",
        "frase", "semilla", "clave privada", "llave privada", "12 palabras", "24 palabras",
        r"сид\w*", r"фраз\w*", r"мнемони\w*", r"приватн\w* ключ\w*", r"ключ\w*", r"12 слов\w*", r"24 слов\w*",
        r"phrase de r[ée]cup[ée]ration", "phrase secrète", r"cl[ée] priv[ée]e", "12 mots", "24 mots",
    ),
    "role": (
        r"support\w*", r"admin\w*", r"moderator\w*", "customer service", "customer care", "help desk",
        r"agents?", r"advis[eo]rs?", r"managers?", "official", r"representatives?", "staff", r"team\b",
        "客服", "官方", "工作人员", "管理员", "技术人员", "经理", "顾问", "专员",
        "soporte", r"asesor\w*", r"agentes?", r"administrador\w*", "servicio al cliente", r"representante\w*",
        r"поддержк\w*", r"техподдержк\w*", r"менеджер\w*", r"админ\w*", r"модератор\w*", r"сотрудник\w*",
        r"оператор\w*", r"консультант\w*", r"агент\w*",
        r"conseill\w*", r"administrateur\w*", "service client", "équipe", "equipe", r"responsable\w*",
    ),
    "impostor": (
        "fake", r"impost[eo]r\w*", "so-called", r"supposed\w*", r"claim\w* to be", "posing as", r"pretend\w*",
        r"said (?:he|she|they) (?:was|were|is|are)", "says he is", "says she is", "scammer",
        "冒充", "自称", "假", "说是", "号称", "所谓", "谎称",
        r"supuest[oa]s?", r"fals[oa]s?", "se hizo pasar", r"dec[íi]a ser", "dice ser", "dijo ser", r"estafador\w*",
        r"фейков\w*", r"поддельн\w*", r"ложн\w*", "якобы", r"как(?:ой|ая)-то", r"некий", r"представил\w*",
        r"выда[её]т себя", r"мошенник\w*",
        "faux", "fausse", r"soi-disant", r"pr[ée]tendu\w*", "se faisant passer", "se disant", r"usurp\w*",
        r"arnaqueur\w*",
    ),
    "contacted": (
        r"contact\w* me", r"messag\w* me", r"text\w* me", r"call\w* me", r"dm'?e?d me", "wrote to me",
        "reached out", "added me", "replied to me", "on telegram", "on whatsapp", "on discord", "on twitter",
        "telegram", "whatsapp", "wechat", "discord",
        "加我", "联系我", "私信", "找我", "打电话", "给我打", "回复我", "微信", "电报", "推特", "飞机",
        r"me escribi\w*", r"me contact\w*", r"me llam\w*", r"me mand\w*", r"me agreg\w*",
        r"написал\w*", r"пишет", r"пишут", r"связал\w*", r"позвонил\w*", r"добавил\w*", r"звонил\w*",
        r"m'a (?:contact|écrit|ecrit|appel|ajout)\w*", r"m’a (?:contact|écrit|ecrit|appel|ajout)\w*",
        r"m'ont (?:contact|écrit|ecrit|appel)\w*", r"m’ont (?:contact|écrit|ecrit|appel)\w*",
        "commented", "commenting", "commente", "commentent", r"comenta\w*", r"комментир\w*", "评论",
    ),
    "ask": (
        # Events (past or ongoing), not policy questions: "asked", never the bare "ask" of "will you ask".
        "asked", "asks", "asking", "requested", "requesting", "wanted", "wants", "demanded", "demanding",
        r"told me to \w+", r"had me \w+", r"made me \w+", "needed my", r"instructed\w*",
        "让我", "叫我", "要我", "要求我", "索要", "索取", "问我要", "骗我", "诱导我",
        r"pidi[óo]", "pidieron", "pide", "piden", r"ped[íi]a", r"ped[íi]an", "pidiendo", r"solicit[óo]",
        "solicitaron", r"exigi[óo]", "exigieron", "exige", r"me hizo \w+", r"me hicieron \w+",
        r"попросил\w*", r"просил\w*", "просят", "просит", r"требовал\w*", "требуют", "требует", r"запросил\w*",
        r"сказал\w* (?:ввести|отправить|прислать|скинуть)",
        r"m'a demand[ée]\w*", r"m’a demand[ée]\w*", r"m'ont demand[ée]\w*", r"m’ont demand[ée]\w*",
        "demandait", "demandaient", r"me demande", r"exig[ée]", r"réclam[ée]", r"m'a fait \w+", r"m’a fait \w+",
    ),
    "site": (
        r"sites?", r"websites?", r"links?", "url", r"pages?", r"dapps?", r"forms?", r"bots?", r"platforms?",
        "sms", "email", "e-mail",
        "网站", "網站", "链接", "鏈接", "网址", "页面", "平台", "小程序", "短信", "邮件",
        r"sitios?", r"páginas?", r"paginas?", "web", r"enlaces?", r"plataformas?", "correo",
        r"сайт\w*", r"ссылк\w*", r"страниц\w*", r"платформ\w*", r"бот\w*", r"смс", r"почт\w*", r"письм\w*",
        r"liens?", r"plateformes?", r"courriel\w*",
    ),
    "engage_site": (
        r"connect\w*", r"link\w* my", r"click\w*", r"enter\w*", r"typed", r"imported", r"signed", r"verif\w*",
        r"sync\w*", r"validat\w*", "bound",
        "连接", "链接了", "绑定", "点了", "点击", "输入", "导入", "授权", "签名", "验证", "同步", "登录",
        r"conect\w*", r"vincul\w*", "hice clic", r"ingres\w*", r"import\w*", r"firm\w*", r"verific\w*",
        r"sincroniz\w*",
        r"подключ\w*", r"привяза\w*", r"перешел\w*", r"перешёл", r"нажал\w*", r"ввел\w*", r"ввёл",
        r"импортировал\w*", r"подписал\w*", r"синхрониз\w*",
        r"connect[ée]\w*", r"li[ée] mon", r"cliqu[ée]\w*", r"saisi\w*", r"import[ée]\w*", r"sign[ée]\w*",
        r"vérifi\w*", r"synchronis\w*",
    ),
    "phishing": (
        r"phishing\w*", r"suspicious", r"scam\w*", r"clon\w*", r"look-?alike", "fake",
        "钓鱼", "釣魚", "假网站", "假链接", "可疑", "诈骗",
        "suplantaci", r"raro", r"rara", r"sospechos\w*", r"estafa\w*", r"fals[oa]",
        r"фишинг\w*", r"странн\w*", r"подозрительн\w*", r"мошенни\w*", r"лев(?:ый|ого|ому|ом|ая|ой|ую)", r"фейков\w*",
        r"hame[çc]onnage", r"louche", r"bizarre", r"arnaque\w*", r"frauduleu\w*", "faux", "fausse",
    ),
    "threat": (
        # "verify or your wallet will be suspended": account threats, not the everyday "verify my email".
        r"suspend\w*", r"deactivat\w*", "will be closed", "will be locked", "security update", r"compensation",
        "停用", "封禁", "修复钱包", "补偿", "将被冻结", "会被冻结",
        r"desactiv\w*", r"suspend\w*", r"compensaci\w*", "actualización de seguridad",
        r"приостанов\w*", r"обновлени\w* безопасности", r"компенсаци\w*", "будет заблокирован",
        r"suspendu\w*", r"désactiv\w*", r"mise à jour de s[ée]curit[ée]", r"dédommag\w*", r"dedommag\w*",
    ),
    "loss": (
        r"gone", r"drain\w*", r"emptied", r"stolen", "lost", "disappeared", "wiped", "took everything",
        "没了", "被盗", "转走", "清空", "不见了", "归零", "被偷",
        r"vaciaron", r"robaron", r"desapareci\w*", r"perd[íi]", r"se llevaron", r"sacando",
        r"ушли", r"украли", r"пропал\w*", r"списал\w*", r"обнулил\w*", r"увели", r"вывели", r"опустош\w*",
        r"disparu\w*", r"vid[ée]\w*", r"vol[ée]\w*", r"envol[ée]\w*", r"perdu\w*",
    ),
    "approval": (
        r"approv\w*", r"authori[sz]\w*", r"signed", r"signature\w*", r"permissions?", r"allowance\w*", r"multi-?sig\w*",
        r"owner",
        "授权", "授權", "签名", "簽名", "权限", "權限", "多签", "多簽",
        r"aprob\w*", r"autoriz\w*", r"firm[ée]", r"firmas?", r"permisos?", "multifirma",
        r"одобр\w*", r"разрешени\w*", r"апрув\w*", r"подписал\w*", r"подпис\w*", r"прав\w* (?:владельц|доступ)\w*",
        r"мультиподпис\w*",
        r"approb\w*", r"approuv\w*", r"autoris\w*", r"sign[ée]", r"permissions?", r"multisig\w*",
    ),
    "unknown": (
        "unknown", r"unlimited", "suspicious", "strange", "weird", "something", "random", "not mine",
        r"chang\w*", "added", r"didn'?t", "never",
        "未知", "陌生", "可疑", "无限", "不明", "什么", "改成", "改了", "被改", "不认识",
        r"desconocid\w*", "algo", r"rar[oa]", r"extra[ñn]\w*", r"ilimitad\w*", r"cambi\w*",
        r"неизвестн\w*", "что-то", r"странн\w*", r"безлимит\w*", r"неограниченн\w*", r"измен\w*", r"добавил\w*",
        r"inconnu\w*", "quelque chose", r"bizarre\w*", r"illimit\w*", r"chang[ée]\w*", r"modifi\w*",
    ),
    "airdrop": (
        r"airdrops?", "空投", r"аирдроп\w*", r"айрдроп\w*", r"эйрдроп\w*", r"эирдроп\w*", r"airdrop\w*",
        r"largage\w*",
    ),
    "free_tokens": (
        r"free (?:tokens?|usdt|coins?|crypto|nfts?)", r"claim (?:my |the |your |free )?(?:tokens?|rewards?|bonus|"
        r"coins?|nfts?)", r"unknown tokens?", r"random tokens?",
        "免费领", "领取奖励", "领取代币", "陌生代币", "不明代币",
        r"tokens? gratis", r"reclamar (?:los |mis |tus )?(?:tokens?|recompensas?|premios?)",
        r"tokens? desconocidos?",
        r"раздач\w* (?:токен|монет|usdt)\w*", r"бесплатн\w* (?:токен|монет|usdt)\w*", r"неизвестн\w* токен\w*",
        r"jetons gratuits", r"tokens gratuits", r"jetons inconnus",
        r"réclamer (?:mes |les |vos )?(?:jetons|tokens|r[ée]compenses)",
        r"reclamer (?:mes |les |vos )?(?:jetons|tokens|r[ée]compenses)",
    ),
    "claim": (
        r"claim\w*", r"connect\w*", r"sites?", r"links?", r"receiv\w*", "got", r"eligib\w*", r"rewards?",
        r"approv\w*", r"sign\w*", "bonus",
        "领取", "领", "连接", "网站", "链接", "收到", "奖励", "授权",
        r"reclam\w*", r"conect\w*", r"sitios?", r"enlaces?", r"recib\w*", r"recompensa\w*",
        r"получ\w*", r"забр\w*", r"подключ\w*", r"сайт\w*", r"ссылк\w*", r"наград\w*",
        r"réclam\w*", r"lien\w*", r"reçu\w*", r"récompense\w*",
    ),
    "lookalike": (
        r"looked like", r"look(?:s|ing)? like", r"similar", r"same first", r"first and last", r"matched",
        r"resembl\w*",
        "很像", "相似", "假地址", "一样的开头", "首尾",
        r"parecid[ao]", r"similar", r"igual(?:es)? al principio", r"se parec[íi]a",
        r"похож\w*", r"поддельн\w* адрес\w*", r"такой же", r"совпадал\w*",
        r"ressembl\w*", r"similaire", r"mêmes? (?:premiers|d[ée]but)", r"memes? (?:premiers|d[ée]but)",
    ),
    "address": (
        r"address\w*", "地址", r"direcci[óo]n\w*", r"адрес\w*", r"adresse\w*",
    ),
    "sent": (
        r"sent", r"transferred", r"paid", r"copied", r"moved",
        "转", "转账", "付", "复制", "粘贴",
        r"envi[ée]", r"transfer[íi]", r"pagu[ée]", r"copi[ée]", r"pas[ée]",
        r"отправил\w*", r"перевел\w*", r"перевёл\w*", r"скопировал\w*", r"вставил\w*",
        r"envoy[ée]\w*", r"transf[ée]r[ée]\w*", r"pay[ée]\w*", r"copi[ée]\w*",
    ),
}

# (concept, concept, symmetric, also anywhere): a signal fires when the two concepts meet
# within one sentence (and the third, when given, is somewhere in the message).
_RULES: dict[str, tuple[tuple[str, str, bool, str | None], ...]] = {
    "fake_support": (("impostor", "role", True, None), ("role", "contacted", True, None)),
    "asked_for_phrase": (("ask", "secret", False, None),),
    # Connecting a wallet to a site is everyday dapp use; it is a scam when the funds went with it.
    "fake_site": (("site", "phishing", True, None), ("site", "threat", True, None),
                  ("engage_site", "site", True, "loss")),
    "unknown_approval": (("approval", "unknown", True, None),),
    "airdrop_claim": (("free_tokens", "free_tokens", False, None), ("airdrop", "claim", True, None)),
    "address_poisoning": (("lookalike", "address", True, None), ("sent", "lookalike", True, None)),
}
_REACH = 40
"""Characters between the two concepts of a rule."""

# Acted on it or lost funds: what makes a scam urgent.
ENGAGED = (
    r"connect\w*", "clicked", "entered", "typed", "imported", "signed", "approved", "gave", "sent", "transferred",
    "moved", r"had me \w+", r"made me \w+", "did it", "shared", "scanned", "gone", r"drain\w*", r"empt\w*",
    "stolen", "lost", "disappeared", "zero", "missing",
    "连接", "连了", "绑定", "授权了", "签了", "签名了", "输入了", "填了", "发了", "给了", "点了", "导入了", "扫了",
    "没了", "被盗", "转走", "清空", "不见了", "少了", "被转", "转了", "转账了",
    r"conect[ée]", r"firm[ée]", r"aprob[ée]", r"autoric[ée]", r"ingres[ée]", "puse", "di la", r"envi[ée]",
    r"transfer[íi]", r"mand[ée]", r"pas[ée]", r"mov[íi]", r"me hizo \w+", r"me hicieron \w+", "hice clic",
    r"import[ée]", r"compart[íi]", "lo hice", "vaciaron", "robaron", r"desapareci\w*", r"perd[íi]", "sacando",
    "cero",
    r"подключил\w*", r"подписал\w*", r"одобрил\w*", r"ввел\w*", "ввёл", r"дал\w*", r"отправил\w*", r"нажал\w*",
    r"импортировал\w*", r"перешел\w*", r"перевел\w*", "перевёл", "ушли", "украли", r"пропал\w*", r"списал\w*",
    r"обнулил\w*", r"пуст\w*", "увели", "вывели",
    r"connect[ée]\w*", r"sign[ée]\w*", r"approuv[ée]\w*", r"saisi\w*", r"donn[ée]\w*", r"envoy[ée]\w*",
    r"cliqu[ée]\w*", r"import[ée]\w*", r"partag[ée]\w*", r"transf[ée]r[ée]\w*", r"vol[ée]\w*", r"disparu\w*",
    r"vid[ée]\w*", r"envol[ée]\w*", r"perdu\w*",
)


# "will you ever ask for my phrase?", "nobody asked me": not an event.
_NEGATED_RE = re.compile(
    r"(?:\b(?:never|not|don'?t|doesn'?t|didn'?t|won'?t|wouldn'?t|would you|will you|do you|does|if|nobody|no one|"
    r"nunca|nadie|jam[áa]s|никогда|никто|не|jamais|personne|si)\b|不会|不要|绝不|从不|没有人|是否|会不会)"
    r"[^.!?\n]{0,20}$",
)


def _alternative(alternative: str) -> str:
    return alternative.replace(" ", r"\s+")


@functools.cache
def _concept_patterns(name: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """(word alternatives, anchored at word edges; CJK alternatives, anywhere) of a concept."""
    words = sorted((a for a in CONCEPTS[name] if not _is_cjk(a)), key=len, reverse=True)
    cjk = sorted((a for a in CONCEPTS[name] if _is_cjk(a)), key=len, reverse=True)
    # The word-edge test comes first, so most positions are rejected before any alternative is tried.
    word_re = re.compile(r"(?<!\w)(?:" + "|".join(map(_alternative, words)) + r")(?!\w)") if words else None
    cjk_re = re.compile("|".join(map(_alternative, cjk))) if cjk else None
    return word_re, cjk_re


def _stem(alternative: str) -> str | None:
    """The literal beginning of an alternative (None when it has none to test cheaply)."""
    match = re.match(r"[^\\\[\](){}?*+|.^$ ]+", alternative)
    if match is None:
        return None
    stem = match.group()
    if any(ch in "?*+{" for ch in alternative[len(stem):len(stem) + 1]):
        stem = stem[:-1]  # "agents?": the last letter is optional
    return stem if stem and (len(stem) >= 2 or _is_cjk(stem)) else None


@functools.cache
def _concept_stems(name: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(word-prefix stems, substring stems) of a concept, or None when some alternative has no stem.

    Stems of letters only are tested as word prefixes; CJK stems and stems with an apostrophe,
    hyphen or digit ("m'a", "so-called", "12") as substrings.
    """
    words: list[str] = []
    others: list[str] = []
    for alternative in CONCEPTS[name]:
        stem = _stem(alternative)
        if stem is None:
            return None
        (words if stem.isalpha() and not any(map(_is_cjk, stem)) else others).append(stem)
    return tuple(words), tuple(others)


@functools.cache
def _engaged_re() -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(_alternative(a) for a in ENGAGED if not _is_cjk(a)) + r")(?!\w)|"
                      + "|".join(a for a in ENGAGED if _is_cjk(a)))


_BOUNDARY_RE = re.compile(r"[.!?。！？\n]")


@functools.cache
def _stem_index() -> tuple[dict[str, list[tuple[str, str]]], dict[bool, list[tuple[str, str]]], frozenset[str]]:
    """(first two letters -> [(word stem, concept)], {is CJK: [(substring stem, concept)]}, concepts without stems)."""
    by_start: dict[str, list[tuple[str, str]]] = {}
    substrings: dict[bool, list[tuple[str, str]]] = {True: [], False: []}
    always: set[str] = set()
    for concept in CONCEPTS:
        stems = _concept_stems(concept)
        if stems is None:
            always.add(concept)
            continue
        for stem in stems[0]:
            by_start.setdefault(stem[:2], []).append((stem, concept))
        for stem in stems[1]:
            substrings[any(map(_is_cjk, stem))].append((stem, concept))
    return by_start, substrings, frozenset(always)


def _concepts_present(head: str, has_cjk: bool) -> set[str]:
    """Concepts with a stem in ``head``: one dictionary lookup per distinct word."""
    _, substrings, always = _stem_index()
    present = set(always)
    for word in set(_WORD_RE.findall(head)):
        present.update(_word_concepts(word))
    for stem, concept in substrings[False] + (substrings[True] if has_cjk else []):
        if concept not in present and stem in head:
            present.add(concept)
    return present


@functools.lru_cache(maxsize=16384)
def _word_concepts(word: str) -> tuple[str, ...]:
    """Concepts with a stem that ``word`` starts with (remembered: words repeat across messages)."""
    by_start = _stem_index()[0]
    return tuple(concept for stem, concept in by_start.get(word[:2], ()) if word.startswith(stem))


def scam_signals(text: str) -> list[str]:
    """The scam signals in ``text``, in the fixed order of ``SIGNALS``."""
    head = text[:MAX_CHARS].lower()
    has_cjk = has_wide(head)  # may also be emoji: CJK alternatives then simply find nothing
    present = _concepts_present(head, has_cjk)
    spans: dict[str, list[tuple[int, int]]] = {}

    def found_in(concept: str) -> list[tuple[int, int]]:
        if concept not in present:
            return []
        if concept not in spans:
            spans[concept] = _spans(concept, head, has_cjk)
        return spans[concept]

    found: list[str] = []
    for signal, rules in _RULES.items():
        for first, second, symmetric, also in rules:
            if first not in present or second not in present:
                continue
            if also is not None and not found_in(also):
                continue
            firsts = found_in(first)
            if signal == "asked_for_phrase":
                firsts = [span for span in firsts if not _negated(head, span[0])]
            if not firsts:
                continue
            if first == second:
                found.append(signal)
                break
            seconds = found_in(second)
            if any(_near(head, a, b) or (symmetric and _near(head, b, a)) for a in firsts for b in seconds):
                found.append(signal)
                break
    return found


def _spans(concept: str, head: str, has_cjk: bool) -> list[tuple[int, int]]:
    """Where ``concept`` occurs in ``head``."""
    word_re, cjk_re = _concept_patterns(concept)
    found = [m.span() for m in word_re.finditer(head)] if word_re is not None else []
    if cjk_re is not None and has_cjk:
        found.extend(m.span() for m in cjk_re.finditer(head))
    return found


def _near(head: str, first: tuple[int, int], second: tuple[int, int]) -> bool:
    """``first`` then ``second``, at most _REACH characters apart, in one sentence."""
    gap = second[0] - first[1]
    return 0 <= gap <= _REACH and _BOUNDARY_RE.search(head, first[1], second[0]) is None


def _negated(head: str, start: int) -> bool:
    return _NEGATED_RE.search(head, max(0, start - 30), start) is not None


def engaged(text: str) -> bool:
    """The customer acted on the scam or lost funds (connected, signed, typed, sent, "gone" ...)."""
    return _engaged_re().search(text[:MAX_CHARS].lower()) is not None

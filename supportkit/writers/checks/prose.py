"""Rules about the words: markup, links, protected tokens, secrets, punctuation, glossary."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator

from supportkit.errors import N_, Message
from supportkit.languages import language_of
from supportkit.rendering.analysis import JINJA_RE
from supportkit.safety import BRAND_LINKS
from supportkit.text import HAN, has_wide, is_han
from supportkit.writers.checks.base import URL_RE, Finding, TemplateView, rule

_BRACKETS = {"(": ")", "[": "]", "（": "）", "【": "】", "「": "」", "『": "』", "《": "》", "«": "»"}
_QUOTES = {"en": {"“": "”"}, "zh": {"“": "”", "‘": "’"}, "es": {"“": "”"}, "fr": {"“": "”"}, "ru": {"„": "“"}}
_HTML_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_MARKDOWN_RE = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__|\[[^\]\n]+\]\([^)\n]+\)|^#{1,6}\s|`[^`\n]+`", re.MULTILINE)
_LIST_MARKER_RE = re.compile(r"^\s*[0-9a-zA-Zа-я]\)", re.MULTILINE)


@functools.lru_cache(maxsize=8)
def _pair_chars(chars: frozenset[str]) -> re.Pattern[str]:
    """Finds the brackets and quotes of a locale: the pairing walk skips every other character."""
    return re.compile("[" + "".join(re.escape(char) for char in sorted(chars)) + "]")


@rule("markup", "error", "unbalanced brackets or quotes, HTML tags or Markdown in plain text")
def check_markup(view: TemplateView) -> Iterator[Finding]:
    for piece in view.all_pieces():
        masked = piece.masked
        for pattern, what in ((_HTML_RE, N_("{field}: HTML tag {markup!r} in plain text")),
                              (_MARKDOWN_RE, N_("{field}: Markdown {markup!r} in plain text"))):
            match = pattern.search(masked)
            if match:
                yield view.finding("markup", piece.line_at(match.start()), piece.locale,
                                   Message.of(what, field=piece.field, markup=match.group().strip()))
        pairs = {**_BRACKETS, **_QUOTES.get(piece.locale, {})}
        closers = {close: open_ for open_, close in pairs.items()}
        skip = {m.end() - 1 for m in _LIST_MARKER_RE.finditer(masked)}
        stack: list[tuple[str, int]] = []
        problem: tuple[int, Message] | None = None
        for match in _pair_chars(frozenset(pairs) | frozenset(closers)).finditer(masked):
            offset, char = match.start(), match.group()
            if offset in skip:
                continue
            if char in pairs and not (char in closers and stack and stack[-1][0] == closers[char]):
                stack.append((char, offset))
            elif char in closers:
                if stack and stack[-1][0] == closers[char]:
                    stack.pop()
                else:
                    problem = (offset, Message.of(N_("{char!r} closes nothing"), char=char))
                    break
        if problem is None and stack:
            char, offset = stack[-1]
            problem = (offset, Message.of(N_("{char!r} is never closed"), char=char))
        if problem is not None:
            yield view.finding("markup", piece.line_at(problem[0]), piece.locale,
                               Message.of(N_("{field}: {reason}"), field=piece.field, reason=problem[1]))


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url if "://" in url else "https://" + url).hostname or "").lower()


@rule("url", "error", "a URL that is not in the source text and not on an allowed domain")
def check_urls(view: TemplateView) -> Iterator[Finding]:
    import dataclasses

    brand = view.config.brand
    allowed = {_host(str(v)) for v in dataclasses.asdict(brand).values() if "." in str(v) and "/" in str(v)}
    allowed |= {d.lower().lstrip(".") for d in view.config.allowed_domains}
    allowed.discard("")
    source = view.template.source
    source_urls = set(URL_RE.findall(f"{source.subject}\n{source.body}")) if source else set()
    for piece in view.all_pieces():
        for match in URL_RE.finditer(piece.text):
            url = match.group()
            host = _host(url)
            on_allowed = any(host == d or host.endswith("." + d) for d in allowed)
            if piece.locale != view.template.source_locale and url not in source_urls:
                yield view.finding("url", piece.line_at(match.start()), piece.locale,
                                   Message.of(N_("{field}: URL {url} is not in the source text"), field=piece.field,
                                              url=url))
            elif not on_allowed:
                yield view.finding("url", piece.line_at(match.start()), piece.locale,
                                   Message.of(N_("{field}: URL {url} is not on an allowed domain "
                                                 "(brand links, or allowed_domains in the config)"),
                                              field=piece.field, url=url))


_TICKER_RE = re.compile(r"(?<![\w.])(USDT|USDC|DAI|BTC|ETH|BNB|TRX|SOL|MATIC|POL|ARB|AVAX|DOGE|LTC|XRP|ADA|DOT|TON|"
                        r"SHIB|PEPE|LINK|UNI|AAVE|WBTC|WETH|SUI|APT|NEAR|ATOM|BCH|ETC|FIL|OKB|CAKE|TRC-?20|ERC-?20|"
                        r"BEP-?20|BSC|TRON|HECO|Polygon|Arbitrum|Solana|Ethereum)(?!\w)")


def _amount_key(text: str, locale: str) -> str:
    """An amount as ``TICKER:decimal`` whatever the locale's separators."""
    ticker = "".join(re.findall(r"[A-Za-z$€¥£₽]+", text)).upper()
    number = re.sub(r"[\s\u00a0\u202f]", "", re.sub(r"[A-Za-z$€¥£₽]", "", text))
    if "," in number and "." in number:
        decimal = max(number.rfind(","), number.rfind("."))
        number = re.sub(r"[,.]", "", number[:decimal]) + "." + number[decimal + 1:]
    elif "," in number and (locale in ("es", "fr", "ru") or not re.fullmatch(r"\d{1,3}(,\d{3})+", number)):
        number = number.replace(",", ".")
    else:
        number = number.replace(",", "")
    try:
        from decimal import Decimal

        return f"{ticker}:{Decimal(number).normalize()}"
    except ArithmeticError:
        return f"{ticker}:{number}"


def protected_tokens(text: str, locale: str, terms: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Tokens a translation must keep, normalized, with the offset and text of their first use."""
    from supportkit.text import find_protected_spans

    masked = JINJA_RE.sub(lambda m: " " * len(m.group()), text)
    tokens: dict[str, tuple[int, str]] = {}
    for span in find_protected_spans(masked, terms):
        if span.kind in ("address", "hash", "hex", "email", "handle", "term"):
            key = f"{span.kind}:{span.text}"
        elif span.kind == "amount":
            key = "amount:" + _amount_key(span.text, locale)
        else:
            continue
        if span.kind == "term" and _TICKER_RE.fullmatch(span.text):
            continue  # counted once, as a ticker, below
        tokens.setdefault(key, (span.start, span.text))
    for match in _TICKER_RE.finditer(masked):
        tokens.setdefault("ticker:" + match.group().replace("-", "").upper(), (match.start(), match.group()))
    return tokens


@rule("protected", "error", "a protected token of the source (address, hash, ticker, amount, product name) is altered or missing")
def check_protected(view: TemplateView) -> Iterator[Finding]:
    template = view.template
    terms = view.config.glossary
    for name in ("subject", "body"):
        source_piece = view.piece(template.source_locale, name)
        if source_piece is None:
            continue
        wanted = protected_tokens(source_piece.text, template.source_locale, terms)
        for translation in view.translations():
            piece = view.piece(translation.locale, name)
            if piece is None:
                continue
            found = protected_tokens(piece.text, translation.locale, terms)
            for key in sorted(set(wanted) - set(found), key=lambda k: wanted[k][0]):
                yield view.finding("protected", piece.line, translation.locale,
                                   Message.of(N_("{field}: {token!r} from the source is missing or altered"),
                                              field=name, token=wanted[key][1]))
            for key in sorted(set(found) - set(wanted), key=lambda k: found[k][0]):
                if key.startswith(("ticker:", "term:")):
                    continue  # naming a ticker the source does not is not an alteration
                yield view.finding("protected", piece.line_at(found[key][0]), translation.locale,
                                   Message.of(N_("{field}: {token!r} is not in the source"), field=name,
                                              token=found[key][1]))


@rule("secret_request", "error", "the text asks the customer for their recovery phrase or private key")
def check_secret_request(view: TemplateView) -> Iterator[Finding]:
    from supportkit.safety import secret_requests

    for piece in view.all_pieces():
        for offset, sentence in secret_requests(piece.masked, piece.locale):
            yield view.finding("secret_request", piece.line_at(offset), piece.locale,
                               Message.of(N_("{field}: asks for a recovery phrase or private key: {sentence!r}"),
                                          field=piece.field, sentence=sentence[:80]))


_LETTERS_RE = re.compile(r"[^\W\d_]{2,}")


@rule("same_as_source", "warning", "a translated subject or body is identical to the source (allowlist real cases)")
def check_same_as_source(view: TemplateView) -> Iterator[Finding]:
    source_locale = view.template.source_locale
    for translation in view.translations():
        for name in ("subject", "body"):
            piece = view.piece(translation.locale, name)
            source_piece = view.piece(source_locale, name)
            if piece is None or source_piece is None:
                continue
            if piece.text.strip() == source_piece.text.strip() and _LETTERS_RE.search(piece.masked):
                yield view.finding("same_as_source", piece.line, translation.locale,
                                   Message.of(N_("{field} is identical to the {source} source (untranslated?)"),
                                              field=name, source=source_locale))


_ASCII_PUNCT_RE = re.compile(r"[,.!?:;()]")
_FR_SPACE_BEFORE_RE = re.compile(r"(?<![\s\u00a0\u202f?!(\ue000])([;:!?])")
_FR_PLAIN_SPACE_RE = re.compile(r" ([;:!?»])|(«) ")
_SENTENCE_END = ".!?\n。"


def _half_width_in_chinese(masked: str) -> Iterator[re.Match[str]]:
    """Matches of ``(?<=[HAN])[,.!?:;()]|[(](?=[HAN])``, without compiling
    the Han ranges (milliseconds): ASCII punctuation after a Han character, or "(" before one."""
    for match in _ASCII_PUNCT_RE.finditer(masked):
        offset = match.start()
        if (offset and is_han(masked[offset - 1])) or (match.group() == "(" and is_han(masked[offset + 1:offset + 2])):
            yield match


_SPANISH_MARKS = (("¿", "?", re.compile(r"[¿?]")), ("¡", "!", re.compile(r"[¡!]")))


def _spanish_pairs(masked: str) -> Iterator[tuple[int, Message]]:
    for opener, closer, marks in _SPANISH_MARKS:
        for mark in marks.finditer(masked):  # every other character is passed over
            offset, char = mark.start(), mark.group()
            if char == closer:
                start = offset
                while start > 0 and masked[start - 1] not in _SENTENCE_END.replace(closer, "") + closer and masked[start - 1] != opener:
                    start -= 1
                if start == 0 or masked[start - 1] != opener:
                    if closer in masked[offset + 1: offset + 2]:
                        continue  # "??" or "!!": the first one already pairs
                    yield offset, Message.of(N_("{closer!r} without an opening {opener!r}"), closer=closer, opener=opener)
            elif char == opener:
                end = offset + 1
                while end < len(masked) and masked[end] != closer and masked[end] not in _SENTENCE_END:
                    end += 1
                if end >= len(masked) or masked[end] != closer:
                    yield offset, Message.of(N_("{opener!r} without a closing {closer!r}"), closer=closer, opener=opener)


@rule("punctuation", "warning", "locale punctuation: full-width in zh, ¿…? ¡…! in es, narrow no-break space before ; : ? ! in fr, « » in ru and fr")
def check_punctuation(view: TemplateView) -> Iterator[Finding]:
    for piece in view.all_pieces():
        language = language_of(piece.locale)
        masked = piece.masked
        found: list[tuple[int, Message]] = []
        if language == "zh":
            found += [(m.start(), Message.of(N_("half-width {char!r} in Chinese text (use full-width)"),
                                             char=m.group()))
                      for m in _half_width_in_chinese(masked)]
        elif language == "es":
            found += list(_spanish_pairs(masked))
        elif language == "fr":
            for match in _FR_SPACE_BEFORE_RE.finditer(masked):
                char = match.group(1)
                before = masked[match.start() - 1] if match.start() else ""
                after = masked[match.end(): match.end() + 1]
                if char == ":" and before.isdigit() and after.isdigit():
                    continue  # a time: 09:00
                if not before or before == "\n":
                    continue
                found.append((match.start(), Message.of(N_("no narrow no-break space (U+202F) before {char!r}"),
                                                        char=char)))
            for match in _FR_PLAIN_SPACE_RE.finditer(masked):
                char = match.group(1) or match.group(2)
                found.append((match.start(), Message.of(N_("plain space next to {char!r} (use a narrow no-break "
                                                           "space, U+202F)"), char=char)))
        if language in ("fr", "ru"):
            for match in re.finditer(r'"', masked):
                found.append((match.start(), Message.of(N_('straight quotes " (use « »)'))))
                break
        for offset, message in sorted(found, key=_by_place)[:3]:
            yield view.finding("punctuation", piece.line_at(offset), piece.locale,
                               Message.of(N_("{field}: {reason}"), field=piece.field, reason=message))


def _by_place(found: tuple[int, Message]) -> tuple[int, str]:
    """Findings of a text in order: by offset, then by their English text."""
    return found[0], str(found[1])


ZH_LIST_NUMBERING = "."
"""The one list numbering of Chinese texts: ``1.`` (``1、`` is the other style; the texts use ``1.``)."""
ZH_SPACE_HAN_LATIN = True
"""Chinese texts put a space between Han characters and Latin letters or digits (``USDT 转账``)."""
_FR_STRAIGHT_APOSTROPHE_RE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
_RU_NUMERO_RE = re.compile("№(?!\u00a0)")
_RU_UNIT_RE = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)? (?=(?:TRX|USDT|USDC|ETH|BNB|BTC|%|ч\b|мин\b|сек\b|"
                         r"дн(?:я|ей)\b|день\b|час(?:а|ов)?\b|минут\w*|секунд\w*))")
_ZH_OTHER_NUMBERING_RE = re.compile(r"(?m)^[ \t]*\d{1,2}、")
@functools.cache
def _zh_unspaced_re() -> re.Pattern[str]:
    return re.compile(rf"[{HAN}](?=[A-Za-z0-9])|(?<=[A-Za-z0-9])[{HAN}]")  # on first use: Han ranges compile slowly


def _typography(language: str, masked: str) -> Iterator[tuple[int, Message]]:
    if language == "fr":
        for match in _FR_STRAIGHT_APOSTROPHE_RE.finditer(masked):
            yield match.start(), Message.of(N_("straight apostrophe ' (use ’)"))
    elif language == "ru":
        for match in _RU_NUMERO_RE.finditer(masked):
            yield match.start(), Message.of(N_("no no-break space (U+00A0) after «№»"))
        for match in _RU_UNIT_RE.finditer(masked):
            yield match.end() - 1, Message.of(N_("plain space between a number and its unit (use a no-break space, "
                                                 "U+00A0)"))
    elif language == "zh":
        if ZH_LIST_NUMBERING == ".":
            for match in _ZH_OTHER_NUMBERING_RE.finditer(masked):
                yield match.start(), Message.of(N_("list numbered with 、 (the texts number lists 1. 2. 3.)"))
        if ZH_SPACE_HAN_LATIN and has_wide(masked):
            for match in _zh_unspaced_re().finditer(masked):
                yield match.start(), Message.of(N_("no space between Han characters and Latin letters or digits"))


@rule("typography", "warning", "locale typography: ’ in fr, no-break spaces after № and before units in ru, "
      "one list numbering and Han-Latin spacing in zh")
def check_typography(view: TemplateView) -> Iterator[Finding]:
    for piece in view.all_pieces():
        found = sorted(_typography(language_of(piece.locale), piece.masked), key=_by_place)
        for offset, message in found[:3]:
            yield view.finding("typography", piece.line_at(offset), piece.locale,
                               Message.of(N_("{field}: {reason}"), field=piece.field, reason=message))


_WHITESPACE_RULES: list[tuple[str, int, str, Callable[[str], bool]]] = [
    (r"[ \t\u3000]+$", re.MULTILINE, N_("{field}: trailing whitespace"),
     lambda text: text.endswith((" ", "\t", "\u3000")) or any(f"{char}\n" in text for char in " \t\u3000")),
    (r"(?<=[^\s\ue000]) {2,}(?=[^\s\ue000])", 0, N_("{field}: double space"), lambda text: "  " in text),
    (r"\t", 0, N_("{field}: tab character"), lambda text: "\t" in text),
    (r"(?<=\w) +(?=[,.](?:\s|$))", 0, N_("{field}: space before punctuation"),
     lambda text: " ," in text or " ." in text),
    (rf"(?<=[{HAN}]) +(?=[，。！？：；、])|(?<=[，。！？：；、]) +(?=[{HAN}])", 0,
     N_("{field}: space around full-width punctuation"),
     lambda text: any(f" {char}" in text or f"{char} " in text for char in "，。！？：；、")),
]
"""(pattern, flags, the finding's msgid, a plain-string test that the pattern can match at all). Most texts fail
the test, so the regex (the Han ranges cost milliseconds to compile) is seldom compiled or run."""


@rule("whitespace", "warning", "stray whitespace: trailing, doubled, tabs, before punctuation")
def check_whitespace(view: TemplateView) -> Iterator[Finding]:
    for piece in view.all_pieces():
        for pattern, flags, what, can_match in _WHITESPACE_RULES:
            if what == "{field}: space before punctuation" and piece.locale.startswith("fr"):
                continue
            if not can_match(piece.masked):
                continue
            match = re.compile(pattern, flags).search(piece.masked)
            if match:
                yield view.finding("whitespace", piece.line_at(match.start()), piece.locale,
                                   Message.of(what, field=piece.field))


_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _text_fields(view: TemplateView) -> Iterator[tuple[str, Callable[[], int], str, str]]:
    """``(locale, first line, field, text)`` for subjects, bodies and FAQ questions.

    The first line comes as a function: finding a FAQ question's line reads the file again,
    which only a finding needs.
    """
    for piece in view.all_pieces():
        yield piece.locale, functools.partial(int, piece.line), piece.field, piece.text
    for code, question in view.template.faq.items():
        yield code, functools.partial(view.key_line, "faq", code), "faq", question


@rule("invisible", "warning", "zero-width or bidi control characters")
def check_invisible(view: TemplateView) -> Iterator[Finding]:
    for locale, first_line, name, text in _text_fields(view):
        match = _INVISIBLE_RE.search(text)
        if match:
            yield view.finding("invisible", first_line() + text.count("\n", 0, match.start()), locale,
                               Message.of(N_("{field}: invisible character {character}"), field=name,
                                          character=f"U+{ord(match.group()):04X}"))


@rule("replacement_char", "warning", "U+FFFD (text damaged by a wrong encoding)")
def check_replacement(view: TemplateView) -> Iterator[Finding]:
    for locale, first_line, name, text in _text_fields(view):
        offset = text.find("\ufffd")
        if offset >= 0:
            yield view.finding("replacement_char", first_line() + text.count("\n", 0, offset), locale,
                               Message.of(N_("{field}: U+FFFD replacement character (re-save the file as UTF-8)"),
                                          field=name))


GLOSSARY: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "recovery phrase": {
        "en": (r"recovery phrases?", (r"seed phrases?", r"mnemonic phrases?", r"secret phrases?", r"seed words")),
        "zh": (r"助记词", (r"恢复短语", r"种子短语", r"助记短语", r"种子词")),
        "es": (r"frases? de recuperación", (r"frases? semillas?", r"frases? secretas?", r"frases? mnemónicas?")),
        "ru": (r"сид-фраз\w*", (r"мнемоническ\w* фраз\w*", r"фраз\w* восстановления", r"секретн\w* фраз\w*",
                                r"сид фраз\w*")),
        "fr": (r"phrases? de récupération", (r"phrases? secrètes?", r"phrases? mnémoniques?",
                                             r"phrases? de restauration", r"phrases? de départ")),
    },
    "private key": {
        "en": (r"private keys?", ()),
        "zh": (r"私钥", ()),
        "es": (r"claves? privadas?", (r"llaves? privadas?",)),
        "ru": (r"приватн\w* ключ\w*", (r"закрыт\w* ключ\w*", r"личн\w* ключ\w*")),
        "fr": (r"clés? privées?", (r"clefs? privées?",)),
    },
    # One term per concept, chosen by each locale's native writers (December 2026 review): the
    # variants they removed come back as findings.
    "token": {"fr": (r"tokens?", (r"jetons?",))},
    "transaction hash": {
        "en": (r"transaction hash(?:es)?", (r"tx hash(?:es)?",)),
        "zh": (r"交易哈希", (r"TxHash",)),
        "es": (r"hash(?:es)? de la transacción", (r"tx hash",)),
        "ru": (r"хеш\w*", (r"хэш\w*",)),
        "fr": (r"hash", (r"tx hash",)),
    },
    "swap": {"zh": (r"闪兑", (r"兑换（Swap）",)), "ru": (r"обмен\w*", (r"своп\w*",))},
    "approval": {
        "en": (r"approvals?", (r"authori[sz]ations?",)),
        "zh": (r"授权", (r"批准",)),
        "es": (r"aprobaci(?:ón|ones)", (r"autorizaci(?:ón|ones)",)),
        "ru": (r"разрешени\w*", (r"одобрени\w*", r"авторизаци\w*")),
        "fr": (r"autorisations?", (r"approbations?", r"approuver")),
    },
    "native coin": {
        "en": (r"native coins?", (r"gas tokens?", r"network's coin", r"chain's own coin")),
        "zh": (r"主币", (r"原生币", r"Gas 币")),
        "es": (r"monedas? nativas?", (r"moneda propia", r"tokens? de gas", r"moneda de la red")),
        "fr": (r"cryptos? natives?", (r"monnaies? natives?", r"tokens? de gas")),
    },
    "exchange": {"fr": (r"plateformes? d[’']échange", (r"exchanges?",))},
    "self-custody": {"fr": (r"non dépositaire", (r"non[ -]custodial",)), "zh": (r"自托管", (r"去中心化的?钱包",))},
    "email": {"en": (r"email", (r"e-mail",))},
    "BNB Chain": {"en": (r"BNB Chain", (r"BNB Smart Chain", r"(?<!\()BSC"))},
    "memo": {"zh": (r"备注（Memo/Tag）", (r"Memo/标签", r"Memo 或 Tag")), "fr": (r"mémo", (r"memo",))},
    "contact us": {"es": (r"comunicarse con", (r"contactar con", r"contacte con"))},
    "sign-off": {"es": (r"Saludos cordiales", (r"Un saludo",))},
    "fake": {"ru": (r"поддельн\w*", (r"фейков\w*",))},
    "direct messages": {"ru": (r"личн\w* сообщени\w*", (r"в личку",))},
    "senior agent": {"zh": (r"高级客服专员", (r"资深客服团队",))},
    "support agent": {"fr": (r"conseill(?:er|ère)s?", (r"vraie personne",))},
}
"""The agreed word for each concept per locale, and variants to avoid (regular expressions)."""
MUST_CARRY = frozenset({"recovery phrase", "private key"})
"""Concepts a translation must name with the agreed term whenever the source names them."""


@functools.lru_cache(maxsize=64)
def _term(pattern: str) -> re.Pattern[str]:
    if is_han(pattern):
        return re.compile(pattern)  # Chinese has no word boundaries
    return re.compile(rf"(?<!\w){pattern}(?!\w)", re.IGNORECASE)


@functools.lru_cache(maxsize=32)
def _any_term(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """Matches where any one of ``_term(p)`` would: one scan of a text instead of one per term.

    Each term keeps its own flags and boundaries. When every term starts with a plain letter, a
    look-ahead on those letters (case-insensitive, as the terms) lets the scan skip most positions.
    """
    alternatives = "|".join(f"(?:{pattern})" if is_han(pattern) else rf"(?i:(?<!\w){pattern}(?!\w))"
                            for pattern in patterns)
    if all(pattern[:1].isalnum() and pattern[1:2] not in ("?", "*", "{") and "|" not in pattern for pattern in patterns):
        alternatives = f"(?=(?i:[{''.join(sorted({pattern[0] for pattern in patterns}))}]))(?:{alternatives})"
    return re.compile(alternatives)


def _readable(pattern: str) -> str:
    """A glossary pattern as a writer would type it: ``frases? de recuperación`` -> ``frase de recuperación``."""
    return re.sub(r"s\?|\?|\\w\*", "", pattern).replace("сид-фраз", "сид-фраза")


@rule("glossary", "warning", "the agreed term is not used (e.g. 助记词, frase de recuperación, сид-фраза, phrase de récupération)")
def check_glossary(view: TemplateView) -> Iterator[Finding]:
    source_locale = view.template.source_locale
    for concept, per_locale in GLOSSARY.items():
        source_terms = per_locale.get(source_locale)
        mentioned_in: dict[str, bool] = {}  # per field: does the source mention the concept (asked once)
        for piece in view.all_pieces():
            language = language_of(piece.locale)
            if language not in per_locale:
                continue
            preferred, variants = per_locale[language]
            text = piece.masked
            if not _any_term((preferred, *variants)).search(text):
                variants = ()  # no term at all (most texts): straight to whether the source mentions one
            elif _term(preferred).search(text) is not None:
                continue  # the agreed term is used: variants next to it are fine
            for variant in variants:
                match = _term(variant).search(text)
                if match:
                    yield view.finding("glossary", piece.line_at(match.start()), piece.locale,
                                       Message.of(N_("{field}: {found!r}: the agreed term for {concept!r} is "
                                                     "{preferred!r}"), field=piece.field, found=match.group(),
                                                  concept=concept, preferred=_readable(preferred)))
                    break
            else:
                if piece.locale == source_locale or source_terms is None or concept not in MUST_CARRY:
                    continue
                source_piece = view.piece(source_locale, piece.field)
                if source_piece is None:
                    continue
                mentioned = mentioned_in.get(piece.field)
                if mentioned is None:
                    mentioned = mentioned_in[piece.field] = bool(
                        _any_term((source_terms[0], *source_terms[1])).search(source_piece.masked))
                if mentioned:
                    yield view.finding("glossary", piece.line, piece.locale,
                                       Message.of(N_("{field}: the source mentions {concept!r} but the agreed term "
                                                     "{preferred!r} is not used"), field=piece.field,
                                                  concept=concept, preferred=_readable(preferred)))


@functools.lru_cache(maxsize=4)
def _any_brand_value(values: tuple[str, ...]) -> re.Pattern[str]:
    """Matches where any one of the per-value patterns below would: one scan of a text instead of six.

    The look-ahead on the values' first characters (same flags, so the same case folding)
    lets the scan skip most positions cheaply.
    """
    texts = [value.removeprefix("https://") for value in values]
    if not all(texts):
        return re.compile("")  # a bare "https://" setting: no shortcut, every text goes through the per-value scan
    first = "".join(sorted({re.escape(text[:1]) for text in texts}))
    alternatives = "|".join(re.escape(text) for text in texts)
    return re.compile(rf"(?=[{first}])(?<![\w/.@])(?:{alternatives})(?![\w@])", re.IGNORECASE)


@rule("hardcoded_brand", "warning", "the product name, support e-mail or a brand link typed in instead of {{ brand.* }}")
def check_hardcoded_brand(view: TemplateView) -> Iterator[Finding]:
    brand = view.config.brand
    named = [(f"brand.{key}", value) for key in ("product", "support_email") for value in [getattr(brand, key)]]
    named += [(f"brand.{key}", value) for key in BRAND_LINKS for value in brand.links(key)]
    values = [(name, str(value)) for name, value in named if value]
    if not values:
        return
    any_value = _any_brand_value(tuple(value for _, value in values))
    for piece in view.all_pieces():
        stripped = JINJA_RE.sub(lambda m: " " * len(m.group()), piece.text)
        if not any_value.search(stripped):
            continue
        for name, value in values:
            pattern = re.compile(rf"(?<![\w/.@]){re.escape(value.removeprefix('https://'))}(?![\w@])", re.IGNORECASE)
            match = pattern.search(stripped)
            if match:
                yield view.finding("hardcoded_brand", piece.line_at(match.start()), piece.locale,
                                   Message.of(N_("{field}: {found!r} typed in; use {placeholder}"), field=piece.field,
                                              found=match.group(), placeholder=f"{{{{ {name} }}}}"))
                break

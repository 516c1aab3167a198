"""Language identification: script evidence first, then word and character statistics.

1. Normalize and drop what is not language (URLs, addresses, hashes, numbers, emoji,
   @handles) with ``supportkit.text``; look at a bounded head of the text only.
2. The dominant script decides alone where it can: kana -> ja, hangul -> ko, Han -> zh
   (Hant/Hans from characters only one form writes), Greek -> el, Thai -> th ...
   Han counts per character against Latin per word: "wallet 里的 TRX 不见了" is Chinese
   with English words in it, not English.
3. Latin and Cyrillic words are scored per candidate language by naive Bayes over
   words: P(word) is the wordfreq frequency when the word is in that language's
   lexicon, mixed with a back-off character trigram chain from langdetect's
   profiles for words it lacks. A help-desk lexicon and a penalty on languages
   outside our five and their confusables tip close calls. Russian typed in Latin
   letters is one more Latin candidate, ``ru-Latn``, scored on folded spellings
   (``romanized``); it comes out as ``ru`` with ``romanized`` set.
4. A message of three words or fewer that is made of common words of one of our
   five ("hi", "ok", "merci") is that language, even when a language outside our
   five scores it a little higher ("hi" is frequent Catalan).
"""

from __future__ import annotations

import functools
import math
import operator
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from supportkit.detection import model as _model
from supportkit.detection.helpdesk import TERMS, helpdesk_bonus
from supportkit.detection.romanized import ROMANIZED, skeleton
from supportkit.detection.scripts import SCRIPT_LANGUAGE, SCRIPT_WEIGHT, count_scripts
from supportkit.text import is_han, normalize, strip_non_linguistic

SUPPORTED = _model.SUPPORTED
CONFUSABLE = ("pt", "it", "ca", "de", "uk", "bg", "ja", "ko")

MAX_SCAN_CHARS = 3000
"""Characters of input looked at per window; long text is judged on its head."""
MAX_WINDOWS = 4
"""Windows tried when a window holds (almost) no letters, e.g. a log paste that starts with hashes."""
MAX_WORDS = 48
"""Words scored at most; enough for any sentence, bounded for huge input."""
EARLY_STOP_WORDS = 10
EARLY_STOP_MARGIN = 25.0
"""After this many words, stop once the best language leads by this many nats."""

# Priors (nats). Measured (scripts/tune_detect.py on a wordfreq development set, then
# one check with scripts/bench_detect.py): every nat of prior toward our five moves
# about 2-3% of confusable single words (pt/es, ca/es, bg/ru share most words at
# similar frequencies) into our five, so between our five and the confusables the
# prior is slightly the other way (+0.2), and the pull toward our five comes from the
# help-desk lexicon and from the penalty on every other language.
PRIOR: dict[str, float] = {lang: 0.0 for lang in SUPPORTED}
PRIOR.update({"pt": 0.2, "it": 0.2, "ca": 0.2, "de": 0.2, "uk": 0.2, "bg": 0.2})
PRIOR[ROMANIZED] = -2.0
"""Russian in Latin letters is rarer than the Latin languages, and its folded spellings
(several spellings share one skeleton) score a little high. Measured on a development set
sampled from wordfreq (1, 2, 3 and 5 Russian words transliterated two ways, against words
and pairs of 20 Latin-script languages): -2 rather than -1 takes about a third off the Croatian,
Slovenian, Polish and Finnish words read as Russian for 1-2% fewer single Russian words found."""
OTHER_PRIOR = -2.5
OOV_LOG_WEIGHT = math.log(0.02)
"""Share of a language's probability mass for words outside its (top 250k) lexicon."""
SMALL_LIST_OOV_LOG_WEIGHT = math.log(0.15)
"""Same for languages whose wordfreq list stops at frequency 1e-6 (more words fall outside)."""
ROMANIZED_OOV_LOG_WEIGHT = math.log(0.001)
"""Same for Russian in Latin letters: its character chain runs on folded words (a smaller alphabet,
so every string looks likelier), and a romanized message is recognized by its known words.
On the same development set, 0.001 instead of 0.02 halves Hungarian, Finnish, Lithuanian and
Latvian words (no candidate of their own) read as Russian, for under 1% of Russian words."""
SMALL_LISTS = frozenset({"ro", "tr", "vi", "id", "bg", "sk", "hr", "sl"})
TEMPERATURE = 2.0
"""Scores are divided by this before the softmax: naive Bayes is overconfident."""

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Letters glued to digits (0xabc, 2fa, tx9f3c) are codes, not words.
# Whole tokens only, so URLs and e-mails stay intact for strip_non_linguistic.
_DIGIT_WORD_RE = re.compile(r"(?<!\S)[0-9A-Za-z]*\d[0-9A-Za-z]*(?=[\s.,;:!?)]|$)")
_LATIN_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_DIGIT_LETTERS_RE = re.compile(r"[a-z346]{3,15}")
_DIGIT_LETTERS = str.maketrans({"4": "ch", "6": "sh", "3": "z"})
_ASCII_WORD_RE = re.compile(r"[A-Za-z]+")
_SEED_GAP_RE = re.compile(r"[\s\-,.;:·•|/()\[\]\"'*#]*")
SEED_RUN = 6
"""Consecutive BIP39 words that make a pasted recovery phrase (12/24 words; a cut one still has 6)."""
_CACHE_LIMIT = 200_000

LOANWORDS = frozenset({
    "wallet", "wallets", "swap", "swaps", "token", "tokens", "staking", "airdrop", "airdrops", "bridge",
    "exchange", "seed", "gas", "fee", "fees", "bug", "app", "blockchain", "crypto", "stablecoin", "stablecoins",
    "dapp", "dapps", "defi", "nft", "nfts", "mainnet", "testnet", "hash", "pool", "farming", "approve", "claim",
    "usdt", "usdc", "trx", "btc", "eth", "bnb",
})
"""English crypto jargon that Spanish and French customers write as is ("mi wallet no muestra USDT").
Such a word says nothing about which of our Latin-script languages the message is in: it scores
the same for all three, so "mi wallet no muestra" is Spanish. A message of such words only
("wallet swap") still reads as English. Russian in Latin letters borrows them too ("kak dobavit token")."""

OURS = frozenset((*SUPPORTED, ROMANIZED))
"""Candidates that are one of our five languages (Russian in Latin letters included)."""
SHORT_WORDS = 3
"""Messages of at most this many words get the short-message rule (see ``_prefer_ours``)."""
COMMON_WORD_LOGP = math.log(10**-4.0)
"""A word is common in a language from this frequency up (Zipf 5; "hi" is 5.0 in English, "merci"
5.6 in French). Measured on the langid single words (scripts/bench_detect.py): Zipf 4.5 finds 2 more
points of our single words but labels 4.8% of all confusable samples ours, over the 4% target (3.9%
at Zipf 5). Openers rarer than that ("coucou", "gracias" in some lists) are help-desk terms instead."""


def _neutral(scores: tuple[float, ...], languages: tuple[str, ...]) -> tuple[float, ...]:
    """A loanword's scores with our languages levelled to the best of them."""
    shared = max(score for score, lang in zip(scores, languages, strict=True) if lang in OURS)
    return tuple(shared if lang in OURS else score for score, lang in zip(scores, languages, strict=True))


class Alternative(NamedTuple):
    """One ranked candidate language (a named tuple: every detection makes up to five)."""

    language: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "confidence": round(self.confidence, 4)}


@dataclass(frozen=True)
class Detection:
    """The language of a text, how sure we are, its script and the ranked alternatives.

    ``script`` is the ISO 15924 code of the writing: "Hans" or "Hant" for Chinese, "Latn" for
    Russian typed in Latin letters, which also sets ``romanized`` (reply in Cyrillic anyway).
    """

    language: str
    confidence: float
    script: str
    alternatives: tuple[Alternative, ...] = field(default_factory=tuple)
    romanized: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with stable keys."""
        return {
            "language": self.language,
            "confidence": round(self.confidence, 4),
            "script": self.script,
            "romanized": self.romanized,
            "alternatives": [a.to_dict() for a in self.alternatives],
        }


UNDETERMINED = Detection("und", 0.0, "Zyyy", (Alternative("und", 0.0),))


def _single(language: str, confidence: float, script: str, others: Iterable[tuple[str, float]] = ()) -> Detection:
    alternatives = (Alternative(language, confidence), *(Alternative(lang, c) for lang, c in others))
    return Detection(language, confidence, script, alternatives)


def detect(text: str) -> Detection:
    """The language of ``text``: never raises on a str, same answer every run."""
    if not isinstance(text, str):
        raise TypeError("detect() takes str")
    for window in range(MAX_WINDOWS):
        head = text[window * MAX_SCAN_CHARS : (window + 1) * MAX_SCAN_CHARS]
        if not head:
            break
        words = _DIGIT_WORD_RE.sub(_digit_word, normalize(head).text)
        cleaned = _strip_seed_phrases(strip_non_linguistic(words))
        counts = count_scripts(cleaned)
        if sum(counts.values()) >= 2 or len(text) <= (window + 1) * MAX_SCAN_CHARS:
            return _detect_cleaned(cleaned, counts)
    return UNDETERMINED


@functools.cache
def _bip39_words() -> frozenset[str]:
    """The English BIP39 word list (shipped by the mnemonic package); nearly all phrases use it."""
    from importlib.resources import files

    return frozenset(files("mnemonic").joinpath("wordlist", "english.txt").read_text(encoding="utf-8").split())


def _strip_seed_phrases(text: str) -> str:
    """``text`` without runs of SEED_RUN or more BIP39 words: a pasted phrase is not the customer's language."""
    words = _ASCII_WORD_RE.findall(text)
    if len(words) < SEED_RUN:
        return text
    wordlist = _bip39_words()
    if sum(map(wordlist.__contains__, map(str.lower, words))) < SEED_RUN:
        return text
    cuts: list[tuple[int, int]] = []
    run: list[re.Match[str]] = []
    for match in _ASCII_WORD_RE.finditer(text):
        joined = bool(run) and _SEED_GAP_RE.fullmatch(text, run[-1].end(), match.start()) is not None
        if match.group().lower() in wordlist:
            if run and not joined:
                if len(run) >= SEED_RUN:
                    cuts.append((run[0].start(), run[-1].end()))
                run = []
            run.append(match)
        else:
            if len(run) >= SEED_RUN:
                cuts.append((run[0].start(), run[-1].end()))
            run = []
    if len(run) >= SEED_RUN:
        cuts.append((run[0].start(), run[-1].end()))
    for start, end in reversed(cuts):
        text = text[:start] + " " + text[end:]
    return text


def _digit_word(match: re.Match[str]) -> str:
    """A token glued to digits is a code (blanked), unless it is a chat-Russian word ("4to" -> "chto").

    Such a word is lower case, with one or two of the digits that stand for ч ш з, at least two
    letters, and four before a final digit ("pomo6" is a word, "mp3" a file type).
    """
    token = match.group()
    if _DIGIT_LETTERS_RE.fullmatch(token) is None:
        return " "
    letters = sum(ch.isalpha() for ch in token)
    if len(token) - letters > 2 or letters < 2 or token[-1].isdigit() and letters < 4:
        return " "
    return token.translate(_DIGIT_LETTERS)


def detect_many(texts: Iterable[str]) -> list[Detection]:
    """``detect`` for each text, sharing the loaded model and word cache."""
    return [detect(t) for t in texts]


def _detect_cleaned(cleaned: str, counts: dict[str, int]) -> Detection:
    if not counts:
        return UNDETERMINED
    cjk = counts.get("Hani", 0) + counts.get("Hira", 0) + counts.get("Kana", 0)
    weighted = {s: n * SCRIPT_WEIGHT.get(s, 1.0) for s, n in counts.items()}
    weighted["Hani"] = cjk * SCRIPT_WEIGHT["Hani"]
    weighted.pop("Hira", None)
    weighted.pop("Kana", None)
    script = max(sorted(weighted), key=weighted.__getitem__)
    if script == "Latn" and counts.get("Hani", 0) >= 2 and counts["Hani"] >= len(_LATIN_WORD_RE.findall(cleaned)):
        script = "Hani"  # a Chinese request with English words: each character weighs a Latin word
    if script == "Hani":
        return _detect_han(cleaned, counts)
    if script == "Hang":
        return _single("ko", _script_confidence(counts["Hang"]), "Kore")
    if script in SCRIPT_LANGUAGE:
        return _single(SCRIPT_LANGUAGE[script], _script_confidence(counts[script]), script)
    if script == "Latn":
        return _score(cleaned, "Latn", counts["Latn"])
    if script == "Cyrl":
        return _score(cleaned, "Cyrl", counts["Cyrl"])
    return UNDETERMINED


def _script_confidence(letters: int) -> float:
    return min(0.99, 0.8 + 0.05 * letters)


def _detect_han(cleaned: str, counts: dict[str, int]) -> Detection:
    """Han with kana is Japanese; Han alone is Chinese, Hant when its characters say so."""
    m = _model.load()
    kana = counts.get("Hira", 0) + counts.get("Kana", 0)
    han = counts.get("Hani", 0)
    han_chars = [ch for ch in cleaned if is_han(ch)]
    kanji_only = sum(1 for ch in han_chars if ch in m.kanji_only)
    if kana and (kana * 10 >= han or han < 20) or kanji_only and kanji_only * 20 >= han:
        return _single("ja", _script_confidence(kana + han), "Jpan", [("zh", 0.01)])
    traditional = sum(1 for ch in han_chars if ch in m.traditional)
    simplified = sum(1 for ch in han_chars if ch in m.simplified)
    script = "Hant" if traditional > simplified else "Hans"
    return _single("zh", _script_confidence(han), script, [("ja", 0.01)])


# --- Latin and Cyrillic scoring ---------------------------------------------------------

_word_cache: dict[str, tuple[float, ...]] = {}


def _char_logp(table: dict[str, float], floor: float, padded: str) -> float:
    """Log-probability of `` word `` under a back-off trigram chain (scores every char after the first space)."""
    total = 0.0
    get = table.get
    for i in range(1, len(padded)):
        value = get(padded[i - 2 : i + 1]) if i >= 2 else None
        if value is None:
            value = get(padded[i - 1 : i + 1])
            if value is None:
                value = get(padded[i], floor)
        total += value
    return total


def _lexicon_logp(entry: tuple[Any, Any], key: int) -> float | None:
    hashes, freqs = entry
    i = bisect_left(hashes, key)
    if i < len(hashes) and hashes[i] == key:
        return _model.freq_log(freqs[i])
    return None


def _word_scores(word: str, languages: tuple[str, ...]) -> tuple[float, ...]:
    """log P(word | language) for each candidate: lexicon frequency mixed with the character chain."""
    cache_key = word + "\x00" + languages[0]
    cached = _word_cache.get(cache_key)
    if cached is not None:
        return cached
    m = _model.load()
    key = _model.word_hash(word)
    padded = " " + word + " "
    scores = []
    for lang in languages:
        oov_weight = SMALL_LIST_OOV_LOG_WEIGHT if lang in SMALL_LISTS else OOV_LOG_WEIGHT
        if lang == ROMANIZED:
            folded = skeleton(word)
            chars = ROMANIZED_OOV_LOG_WEIGHT + _char_logp(m.chars[lang], m.char_floor, " " + folded + " ")
            lexical = _lexicon_logp(m.lexicon[lang], _model.word_hash(folded))
        else:
            chars = oov_weight + _char_logp(m.chars[lang], m.char_floor, padded)
            lexical = _lexicon_logp(m.lexicon[lang], key)
        if lexical is None:
            scores.append(chars)
        else:
            high, low = (lexical, chars) if lexical > chars else (chars, lexical)
            scores.append(high + math.log1p(math.exp(low - high)))
    result = tuple(scores)
    if len(_word_cache) >= _CACHE_LIMIT:
        _word_cache.clear()  # bounded memory; correctness never depends on the cache
    _word_cache[cache_key] = result
    return result


def _token_scores(token: str, languages: tuple[str, ...]) -> tuple[float, ...]:
    """A token with apostrophes (l'argent, don't) scores as a whole or as its parts, whichever is likelier."""
    whole = _word_scores(token, languages)
    if "'" not in token:
        return whole
    parts = [p for p in token.split("'") if p]
    split = [0.0] * len(languages)
    for part in parts:
        for i, value in enumerate(_word_scores(part, languages)):
            split[i] += value
    return tuple(max(a, b) for a, b in zip(whole, split, strict=True))


def _score(cleaned: str, script: str, letters: int) -> Detection:
    m = _model.load()
    languages = m.latin if script == "Latn" else m.cyrillic
    if letters < 2:
        return Detection("und", 0.0, script, (Alternative("und", 0.0),))
    lowered = cleaned.lower().replace("’", "'")
    first_letter = "a" if script == "Latn" else "а"
    totals = [PRIOR.get(lang, OTHER_PRIOR) for lang in languages]
    words = 0
    loans: list[str] = []
    scored: list[str] = []
    for match in _WORD_RE.finditer(lowered):
        token = match.group()
        # Only words of the dominant script: a Latin ticker in Russian text says nothing.
        if (token[0] < "\u0400") != (first_letter < "\u0400"):
            continue
        if token in LOANWORDS:
            loans.append(token)
        else:
            scored.append(token)
            totals = list(map(operator.add, totals, _token_scores(token, languages)))
        words += 1
        if words >= MAX_WORDS:
            break
        if words >= EARLY_STOP_WORDS and words % 5 == 0:
            ordered = sorted(totals, reverse=True)
            if ordered[0] - ordered[1] > EARLY_STOP_MARGIN:
                break
    if words == 0:
        return Detection("und", 0.0, script, (Alternative("und", 0.0),))
    only_loans = len(loans) == words
    for token in loans:
        scores = _token_scores(token, languages)
        totals = list(map(operator.add, totals, scores if only_loans else _neutral(scores, languages)))
    for lang, bonus in helpdesk_bonus(lowered, languages).items():
        if lang in languages:
            totals[languages.index(lang)] += bonus
    if script == "Cyrl":
        _cyrillic_letters(lowered, languages, totals)
    if words <= SHORT_WORDS:
        _prefer_ours(scored, languages, totals)
    return _ranked(languages, totals, script)


def _prefer_ours(tokens: list[str], languages: tuple[str, ...], totals: list[float]) -> None:
    """Put the best of our five first when every word of a short message is common in it.

    "hi" is more frequent in Catalan than in English and "ok" in Italian, but a help desk
    for our five languages reads them as ours. Rare words do not count as fitting: "grazie"
    and "obrigado" stay Italian and Portuguese. Russian in Latin letters is never where the
    rule leads (a short Croatian or Polish message must not become Russian), and it gives way
    to a common word of ours ("ty" is "thank you" before it is ты).
    """
    best = max(range(len(languages)), key=lambda i: (totals[i], -i))
    if languages[best] in SUPPORTED or not tokens:
        return
    fitting = [i for i, lang in enumerate(languages)
               if lang in SUPPORTED and all(_is_common(token, lang) for token in tokens)]
    if fitting:
        winner = max(fitting, key=lambda i: (totals[i], -i))
        totals[winner] = totals[best] + 1.0  # one nat ahead: first, and not falsely sure


_HELPDESK_WORDS = {lang: frozenset(term for term in terms if " " not in term) for lang, terms in TERMS.items()}


def _is_common(token: str, lang: str) -> bool:
    """``token``, or each part of a token with apostrophes (d'accord), is a common word of ``lang``.

    A one-word help-desk term of ``lang`` ("ty", "thx", "porfa") counts as common in it.
    """
    if token in _HELPDESK_WORDS.get(lang, ()) or _common_word(token, lang):
        return True
    parts = [part for part in token.split("'") if part]
    return len(parts) > 1 and all(_common_word(part, lang) for part in parts)


def _common_word(word: str, lang: str) -> bool:
    logp = _lexicon_logp(_model.load().lexicon[lang], _model.word_hash(word))
    return logp is not None and logp >= COMMON_WORD_LOGP


# Letters that only one of ru/uk/bg writes. The character chains know them too; the
# explicit evidence makes one letter enough in a two-word message.
_UK_ONLY = frozenset("іїєґ")
_RU_ONLY = frozenset("ыэё")


def _cyrillic_letters(lowered: str, languages: tuple[str, ...], totals: list[float]) -> None:
    uk = sum(1 for ch in lowered if ch in _UK_ONLY)
    ru = sum(1 for ch in lowered if ch in _RU_ONLY)
    index = {lang: i for i, lang in enumerate(languages)}
    if uk and not ru and "uk" in index:
        for lang in ("ru", "bg"):
            if lang in index:
                totals[index[lang]] -= 4.0 * min(uk, 3)
    if ru and not uk:
        for lang in ("uk", "bg"):
            if lang in index:
                totals[index[lang]] -= 4.0 * min(ru, 3)


def _ranked(languages: tuple[str, ...], totals: list[float], script: str) -> Detection:
    best = max(totals)
    weights = [math.exp((t - best) / TEMPERATURE) for t in totals]
    norm = sum(weights)
    # Ties break by the fixed language order, so the answer never depends on anything else.
    order = sorted(range(len(languages)), key=lambda i: (-totals[i], i))
    alternatives = tuple(Alternative("ru" if languages[i] == ROMANIZED else languages[i], weights[i] / norm)
                         for i in order[:5])
    top = alternatives[0]
    return Detection(top.language, top.confidence, script, alternatives, romanized=languages[order[0]] == ROMANIZED)

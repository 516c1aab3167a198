"""The guard against the seeded attack corpus (``tests/guard_attacks.py``): recall, coverage, leftovers.

Each check runs once per obfuscation class and reports that class's recall and its first
failing cases, so a failure says which class and how many. Scans are done once per case
and shared by the checks.

- recall: the guard says a secret is there (``scan`` for one message, ``scan_conversation``
  for a conversation, ``scan_stream`` for one word per line);
- coverage: every piece of the secret lies inside the findings' spans of its message
  (offsets into the message exactly as given to the guard);
- nothing left: the redacted text holds no secret word more often than the text around the
  secret does, and no 12 characters of a key;
- output: the same over ``process_message``'s whole JSON for every 20th one-message case;
- negatives: hashes, addresses, order numbers, numbered steps and the filler come through untouched.
"""

from __future__ import annotations

import functools
import html
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import pytest
from mnemonic import Mnemonic

from supportkit import guard
from supportkit.guard import GuardResult, all_markers, scan
from tests import guard_attacks as attacks
from tests.guard_attacks import CLASSES, NEGATIVE_CLASSES, WORDLISTS, AttackCase

CASES = attacks.generate()

# What the guard does not yet do, measured by scripts/bench_guard.py (issue: the guard holds
# against real pastes). Strict: when a class passes, its mark must go.
KNOWN_GAPS = {
    "conversation": "Latin phrases sent in pieces where a checksum-valid run of one piece hides the whole "
                    "phrase, or a piece follows other words (recall 98.4%)",
}


def _classes() -> list[Any]:
    return [pytest.param(cls, marks=pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[cls]))
            if cls in KNOWN_GAPS else cls for cls in CLASSES]

BY_CLASS: dict[str, list[AttackCase]] = {cls: [c for c in CASES if c.cls == cls] for cls in CLASSES}
NEGATIVES = attacks.negatives()
OUTPUT_EVERY = 20
SHOW = 8
"""Failing cases named in an assertion message."""

_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFEFF, 0xFFA0]
    + list(range(0x180B, 0x1810)) + list(range(0x200B, 0x2010)) + list(range(0x202A, 0x202F))
    + list(range(0x2060, 0x2070)) + list(range(0xFE00, 0xFE10)) + list(range(0xE0000, 0xE0080))
    + list(range(0xE0100, 0xE01F0))
)
_TO_LATIN = str.maketrans({**{v: k for k, v in attacks.LAT_TO_CYR.items()}, "к": "k"})
_TO_CYRILLIC = str.maketrans({v: k for k, v in attacks.CYR_TO_LAT.items()})
_UPPER = "".join(ch for ch in map(chr, range(0x41, 0x530)) if ch.isupper() and ch.isalpha())
_LOWER = "".join(ch for ch in map(chr, range(0x61, 0x530)) if ch.islower() and ch.isalpha())
_CAMEL_RE = re.compile(rf"(?<=[{_LOWER}])(?=[{_UPPER}])|(?<=[{_UPPER}]{{2}})(?=[{_LOWER}])")
_TOKEN_RE = re.compile(r"[^\W\d_]+")
_TAG_RE = re.compile(r"<[^>]*>")
_INLINE_TAG_RE = re.compile(r"</?(?:a|b|i|u|s|em|strong|span|font|small|big|mark|code|sub|sup)\b[^>]*>", re.IGNORECASE)
"""Tags a browser shows no gap for: ``<b>aban</b>don`` reads "abandon"; any other tag reads as a space."""
_NOT_ALNUM_RE = re.compile(r"[^0-9a-z]+")
_MARKER_RE = re.compile("|".join(re.escape(m) for m in sorted(all_markers(), key=len, reverse=True)))
_CHARACTER_LISTS = ("chinese_simplified", "chinese_traditional", "japanese")
"""Lists counted as substrings (no spaces between words in the language), not as whole words."""


# --- scanning, once per case ----------------------------------------------------------------------


def _guard_function(name: str) -> Callable[..., Any] | None:
    function = getattr(guard, name, None)
    return function if callable(function) else None


_RESULTS: dict[str, tuple[GuardResult, ...] | str] = {}


def results(case: AttackCase) -> tuple[GuardResult, ...] | str:
    """One GuardResult per message of ``case``, or why there are none."""
    if case.id in _RESULTS:
        return _RESULTS[case.id]
    outcome: tuple[GuardResult, ...] | str
    if case.mode == "text":
        outcome = (scan(case.messages[0]),)
    else:
        name = "scan_conversation" if case.mode == "conversation" else "scan_stream"
        function = _guard_function(name)
        if function is None:
            outcome = f"supportkit.guard.{name} does not exist"
        else:
            argument: Sequence[str] | Iterator[str] = (list(case.messages) if case.mode == "conversation"
                                                       else iter(case.messages))
            got = tuple(function(argument))
            outcome = got if len(got) == len(case.messages) else (
                f"{name} gave {len(got)} results for {len(case.messages)} messages")
    _RESULTS[case.id] = outcome
    return outcome


def _holding(case: AttackCase) -> list[int]:
    return sorted({index for index, _, _ in case.pieces})


def _describe(case: AttackCase, why: str = "") -> str:
    where = f" {case.wordlist}" if case.wordlist else ""
    return f"{case.id} ({case.variant}{where}){': ' + why if why else ''}"


def _report(check: str, cls: str, total: int, failed: list[str]) -> str:
    passed = total - len(failed)
    shown = "\n  ".join(failed[:SHOW])
    return (f"{check} [{cls}]: {passed}/{total} = {100.0 * passed / max(total, 1):.1f}% "
            f"({len(failed)} failing); first:\n  {shown}")


# --- the view a leak is looked for in ---------------------------------------------------------------


def _view(text: str, tags: str = " ") -> str:
    """``text`` as a reader would take it: markers out, tags out (inline ones joining what they split,
    others as ``tags``), entities decoded, invisible characters out, literal ``\\n`` as a space,
    compatibility forms folded, CamelCase split, lower case."""
    text = _MARKER_RE.sub(" ", text)
    if "<" in text:
        text = _TAG_RE.sub(tags, _INLINE_TAG_RE.sub("", text))
    if "&" in text:
        text = html.unescape(text)
    text = text.translate(_INVISIBLE)
    text = text.replace("\\n", " ").replace("\\r", " ").replace("\\t", " ")
    text = unicodedata.normalize("NFKC", text)
    text = _CAMEL_RE.sub(" ", text)
    return text.lower().replace("ı", "i")


def _word_key(word: str) -> str:
    return unicodedata.normalize("NFKC", word).lower().replace("ı", "i")


def _tokens(view: str) -> Counter[str]:
    """Whole words of ``view``, each also with look-alike letters read as Latin and as Cyrillic."""
    counts: Counter[str] = Counter()
    for token in _TOKEN_RE.findall(view):
        counts.update({token, token.translate(_TO_LATIN), token.translate(_TO_CYRILLIC)})
    return counts


def _word_counts(text: str, words: Iterable[str], wordlist: str) -> dict[str, int]:
    """How often each of ``words`` occurs in ``text`` (the most over the readings of its tags)."""
    keys = {_word_key(w) for w in words}
    counts = dict.fromkeys(keys, 0)
    # <span>abandon</span><span>ability</span> reads as one word or two, depending on the page's CSS.
    for view in (_view(text), _view(_INLINE_TAG_RE.sub(" ", text))) if "<" in text else (_view(text),):
        if wordlist in _CHARACTER_LISTS:
            found = {k: view.count(k) for k in keys}
        else:
            tokens = _tokens(view)
            found = {k: tokens[k] for k in keys}
        counts = {k: max(counts[k], found[k]) for k in keys}
    return counts


def _alnum(text: str) -> str:
    return _NOT_ALNUM_RE.sub("", _view(text, tags="").translate(_TO_LATIN))


def _key_runs(key: str) -> list[str]:
    clean = _alnum(key)
    return [clean[i:i + 12] for i in range(max(1, len(clean) - 11))]


def _filler(message: str, spans: list[tuple[int, int]]) -> str:
    """``message`` with the pieces cut out (a space in place of each)."""
    out: list[str] = []
    at = 0
    for start, end in sorted(spans):
        out.append(message[at:start])
        out.append(" ")
        at = end
    out.append(message[at:])
    return "".join(out)


def _phrase_leftovers(text: str, baseline: dict[str, int], case: AttackCase) -> list[str]:
    counts = _word_counts(text, case.words, case.wordlist)
    return sorted(k for k, n in counts.items() if n > baseline.get(k, 0))


def leftovers(case: AttackCase, index: int, redacted: str) -> list[str]:
    """What of the secret is still in ``redacted`` (the guard's output for message ``index``)."""
    message = case.messages[index]
    if case.kind == "private_key":
        flat = _alnum(redacted)
        runs = [run for run in _key_runs(case.words[0]) if run in flat]
        return [f"{len(runs)} runs of 12 key characters"] if runs else []
    spans = [(start, end) for i, start, end in case.pieces if i == index]
    baseline = _word_counts(_filler(message, spans), case.words, case.wordlist)
    left = _phrase_leftovers(redacted, baseline, case)
    return [f"{len(left)} words left"] if left else []


# --- the corpus itself ----------------------------------------------------------------------------


def test_corpus_size_classes_and_word_lists() -> None:
    assert len(CASES) >= 10_000
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.cls for c in CASES} == set(CLASSES)
    for cls in CLASSES:
        assert len(BY_CLASS[cls]) >= (20 if cls == "long" else 300), cls
    phrases = [c for c in CASES if c.kind == "recovery_phrase"]
    assert {c.wordlist for c in phrases} == set(WORDLISTS)
    for cls in ("plain", "html", "labels", "partial", "conversation", "lines", "spacing", "invisible"):
        assert {c.wordlist for c in BY_CLASS[cls] if c.kind == "recovery_phrase"} == set(WORDLISTS), cls
    assert {c.mode for c in BY_CLASS["conversation"]} == {"conversation"}
    assert {c.mode for c in BY_CLASS["lines"]} == {"lines"}
    assert sum(len(c.messages[0]) > attacks.HUGE_CHARS for c in BY_CLASS["long"]) == attacks.HUGE_CASES
    assert set(attacks.KEY_VARIANTS) <= {c.variant for c in BY_CLASS["keys"]}
    assert len(NEGATIVES) >= 300 and {cls for cls, _ in NEGATIVES} == set(NEGATIVE_CLASSES)


def test_corpus_is_deterministic() -> None:
    assert attacks.generate() == CASES
    assert attacks.negatives() == NEGATIVES
    assert attacks.generate(seed=13, per_class=20) != attacks.generate(seed=12, per_class=20)
    assert attacks.generate(per_class=20) == attacks.generate(per_class=20)


def _levenshtein_one(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are at most one edit apart."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _clean_piece(text: str, like: str) -> str:
    """A piece as its clean word: tags and entities out, invisible characters out, look-alikes back."""
    text = _TAG_RE.sub("", html.unescape(text)).translate(_INVISIBLE).lower()
    cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in like)
    text = text.translate(_TO_CYRILLIC if cyrillic else _TO_LATIN)
    return unicodedata.normalize("NFC", text).replace("ı", "i")


def _key_valid(case: AttackCase) -> bool:
    key, variant = case.words[0], case.variant
    if variant.startswith("wif"):
        payload = attacks.b58check_ok(key)
        if variant.startswith("wif_bad"):
            return payload is None and len(key) in (51, 52)
        return payload is not None and payload[:1] in (b"\x80", b"\xef") and (
            len(payload) == 33 or (len(payload) == 34 and payload[-1] == 1))
    if variant in attacks.XPRV_VERSIONS:
        payload = attacks.b58check_ok(key)
        return payload is not None and len(payload) == 78 and payload[:4].hex() == attacks.XPRV_VERSIONS[variant]
    if variant == "sol_b58":
        return len(attacks.b58decode(key)) == 64
    if variant == "sol_array":
        numbers = json.loads(key)
        return len(numbers) == 64 and all(0 <= n <= 255 for n in numbers)
    if variant in ("tm_json", "tm_armor", "dot_json"):
        import base64

        return len(base64.b64decode(key)) in (64, 72, 201)
    if variant == "hex_truncated":
        return 56 <= len(key.removeprefix("0x")) <= 63 and re.fullmatch(r"(0x)?[0-9a-f]+", key) is not None
    return re.fullmatch(r"(0x)?[0-9a-fA-F]{64}", key) is not None


class _IndexedList(list[str]):
    """A word list whose ``index`` is a dict lookup (``Mnemonic.check`` calls it once per word)."""

    def __init__(self, words: Iterable[str]) -> None:
        super().__init__(words)
        self._positions = {w: i for i, w in reversed(list(enumerate(self)))}

    def index(self, value: str, *_: Any) -> int:
        try:
            return self._positions[value]
        except KeyError:
            raise ValueError(value) from None


@functools.cache
def _checker(wordlist: str) -> Mnemonic:
    """``Mnemonic(wordlist)`` with its (repaired) list in NFKD: ``check`` decomposes its input, so as
    shipped it rejects every Russian, Turkish, Czech, Italian or Portuguese phrase with a letter like й, ş, č."""
    return Mnemonic(wordlist, wordlist=_IndexedList(unicodedata.normalize("NFKD", w)
                                                     for w in attacks.wordlist(wordlist)))


def test_generator_is_sane() -> None:
    """Phrases carry a valid checksum, every span points at its word, and keys are what they claim."""
    problems: list[str] = []
    for case in CASES:
        for index, start, end in case.pieces:
            if not (0 <= index < len(case.messages) and 0 <= start < end <= len(case.messages[index])):
                problems.append(_describe(case, f"span {index}:{start}:{end} out of range"))
        if problems:
            break
        shown = [case.messages[i][s:e] for i, s, e in case.pieces]
        if case.kind == "private_key":
            if len(case.words) != 1 or _alnum("".join(shown)) != _alnum(case.words[0]):
                problems.append(_describe(case, "pieces do not spell the key"))
            if not _key_valid(case):
                problems.append(_describe(case, "key is not the format it claims"))
            continue
        words = attacks.listed(case.wordlist)
        if len(case.words) != len(case.pieces) or not all(w in words for w in case.words):
            problems.append(_describe(case, "words are not one list word per piece"))
            continue
        full = case.cls != "partial"
        if full and not _checker(case.wordlist).check(" ".join(case.words)):
            problems.append(_describe(case, "checksum"))
        typos = case.variant.startswith("typos")
        for text, word in zip(shown, case.words, strict=True):
            clean = _clean_piece(text, word)
            want = word.lower().replace("ı", "i")
            if clean != want and not (typos and (_levenshtein_one(clean, want) or clean in attacks.NOT_LISTED_HAN)):
                problems.append(_describe(case, f"piece {text!r} is not {word!r}"))
                break
        if typos:
            wrong = [t for t, w in zip(shown, case.words, strict=True) if t != w]
            if len(wrong) != (3 if case.variant == "typos3" else 4) or any(t in words for t in wrong):
                problems.append(_describe(case, f"{len(wrong)} typos"))
    assert not problems, f"{len(problems)} bad cases:\n  " + "\n  ".join(problems[:SHOW])


def test_leak_check_sees_every_secret_left_in_place() -> None:
    """The "nothing left" check is not blind: with nothing redacted, it flags every message holding a
    piece (every third case of each class: the check is the same for all)."""
    blind = [_describe(c, f"message {i}") for cls in CLASSES for c in BY_CLASS[cls][::3] for i in _holding(c)
             if not leftovers(c, i, c.messages[i])]
    assert not blind, f"{len(blind)} unredacted secrets not seen:\n  " + "\n  ".join(blind[:SHOW])


def test_filler_does_not_look_like_a_phrase() -> None:
    """No filler sentence holds a run of 6 list words (the guard's ordinary-text budget)."""
    long_runs: list[str] = []
    for lang, pool in [*attacks.FILLER.items(), ("zh", attacks.FILLER_TW)]:
        for sentence in pool + attacks.INTROS.get(lang, ()):
            for wordlist in WORDLISTS:
                if wordlist in _CHARACTER_LISTS:
                    continue
                words = attacks.listed(wordlist)
                run = best = 0
                for token in _TOKEN_RE.findall(sentence.lower()):
                    run = run + 1 if token in words else 0
                    best = max(best, run)
                if best >= 6:
                    long_runs.append(f"{sentence!r} ({wordlist}: {best})")
    assert not long_runs, long_runs


# --- the guard against it -------------------------------------------------------------------------


def _found(case: AttackCase) -> str:
    """Why ``case`` counts as missed ("" when found)."""
    got = results(case)
    if isinstance(got, str):
        return got
    if case.mode == "text":
        return "" if got[0].secret_found else "no finding"
    missed = [i for i in _holding(case) if not got[i].findings]
    return f"no finding in message(s) {missed}" if missed else ""


@pytest.mark.parametrize("cls", _classes())
def test_recall(cls: str) -> None:
    cases = BY_CLASS[cls]
    failed = [_describe(c, why) for c in cases if (why := _found(c))]
    assert not failed, _report("recall", cls, len(cases), failed)


def _uncovered(case: AttackCase) -> str:
    got = results(case)
    if isinstance(got, str):
        return got
    missing = 0
    for index, start, end in case.pieces:
        spans = sorted((f.start, f.end) for f in got[index].findings)
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        if not any(s <= start and end <= e for s, e in merged):
            missing += 1
    return f"{missing}/{len(case.pieces)} pieces outside the findings" if missing else ""


@pytest.mark.parametrize("cls", _classes())
def test_coverage(cls: str) -> None:
    cases = BY_CLASS[cls]
    failed = [_describe(c, why) for c in cases if (why := _uncovered(c))]
    assert not failed, _report("coverage", cls, len(cases), failed)


def _left(case: AttackCase) -> str:
    got = results(case)
    if isinstance(got, str):
        return got
    for index in _holding(case):
        left = leftovers(case, index, got[index].redacted)
        if left:
            return f"message {index}: {left[0]}"
    return ""


@pytest.mark.parametrize("cls", _classes())
def test_nothing_left(cls: str) -> None:
    cases = BY_CLASS[cls]
    failed = [_describe(c, why) for c in cases if (why := _left(c))]
    assert not failed, _report("nothing left", cls, len(cases), failed)


def _output_leftovers(case: AttackCase, data: dict[str, Any]) -> list[str]:
    """``leftovers`` over the whole JSON of ``process_message``.

    The reply, subject and library evidence are rendered from templates (no customer text),
    so a secret word found there is no leak: the allowance for a word is its count there plus
    its count in the text around the secret, once for the echoed message and once per quoted
    evidence snippet.
    """
    dump = json.dumps(data, ensure_ascii=False)
    if case.kind == "private_key":
        flat = _alnum(dump)
        return [run for run in _key_runs(case.words[0]) if run in flat][:1]
    quoted = [e for intent in data.get("intents", []) for e in intent.get("evidence", []) if not e.startswith("≈")]
    rest = {**data, "message": ""}
    rest["intents"] = [{**intent, "evidence": [e for e in intent.get("evidence", []) if e.startswith("≈")]}
                       for intent in data.get("intents", [])]
    spans = [(start, end) for _, start, end in case.pieces]
    filler = _word_counts(_filler(case.messages[0], spans), case.words, case.wordlist)
    template = _word_counts(json.dumps(rest, ensure_ascii=False), case.words, case.wordlist)
    allowed = {k: template[k] + filler[k] * (1 + len(quoted)) for k in filler}
    return _phrase_leftovers(dump, allowed, case)


def test_output_json_holds_nothing_of_the_secret() -> None:
    from supportkit.config import load_config
    from supportkit.pipeline import process_message

    config = load_config()
    sample = [c for c in CASES if c.mode == "text"][::OUTPUT_EVERY]
    failed: list[str] = []
    per_class: Counter[str] = Counter()
    for case in sample:
        data = process_message(case.messages[0], config).to_dict()
        left = _output_leftovers(case, data)
        if left:
            failed.append(_describe(case, f"{len(left)} left in the JSON"))
            per_class[case.cls] += 1
    assert not failed, (_report("output", "every 20th text case", len(sample), failed)
                        + f"\n  by class: {dict(per_class)}")


@pytest.mark.parametrize("cls", NEGATIVE_CLASSES)
def test_negatives_untouched(cls: str) -> None:
    texts = [text for kind, text in NEGATIVES if kind == cls]
    flagged = [text for text in texts if scan(text).findings]
    assert not flagged, (f"negatives [{cls}]: {len(flagged)}/{len(texts)} redacted; first:\n  "
                         + "\n  ".join(repr(t[:160]) for t in flagged[:SHOW]))

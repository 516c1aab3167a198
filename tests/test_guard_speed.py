"""The guard's fast paths give what the plain computations they replaced give.

Each reference below is the code the fast path replaced (issue 12: 100,000 characters of any
script in 100 ms), kept here verbatim in substance, and a property test holds the two equal on
generated text: list words of every list, Han characters common and rare, digits, long gaps,
accents (composed and not), compatibility forms, final sigma, markers. The chunk sizes are
made small so that short generated texts cross chunk boundaries.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from itertools import accumulate, chain, compress, count, repeat
from operator import add, ge, mul, sub
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from supportkit.guard import hanzi, phrases, view
from supportkit.text import WIDE_FLOOR, has_wide

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


# --- references: the plain computations ------------------------------------------------------


def plain_hopeful_starts(text: str) -> list[int]:
    """``hanzi._hopeful_starts`` as it was: every window of the text scored, pairs and all."""
    model = hanzi.load()
    shortest = phrases.VALID_LENGTHS[0]
    n = len(text)
    if n < shortest:
        return []
    marked = hanzi._non_han_re().sub("\x00", text)
    sums = list(accumulate(map(model.sunk_llr.get, marked, repeat(hanzi.RARE_SCORE)), initial=0.0))
    simple = marked.translate(model.simplify_table)
    pair_starts = list(accumulate(chain(map(model.pairs.__contains__, map(add, simple, simple[1:])), (False,)),
                                  initial=0))
    base = map(sub, sums[shortest:], sums[:n - shortest + 1])
    pairs = map(sub, pair_starts[shortest - 1:n], pair_starts[:n - shortest + 1])
    cut = (hanzi.THRESHOLD - hanzi.EXTEND_MARGIN - 2 * hanzi.EDGE_BONUS - 0.6931471805599453 * 4
           - hanzi.RUN_PREFILTER_MARGIN)
    scores = map(sub, base, map(mul, pairs, repeat(hanzi.PAIR_WEIGHT)))
    return list(compress(count(), map(ge, scores, repeat(cut))))


def plain_tokenize(text: str, exclude: list[tuple[int, int]]) -> tuple[list[int], ...] | tuple[list, ...]:
    """``phrases._tokenize`` as it was (its fields as a tuple)."""
    masks_of = phrases.lexicon().masks
    pattern = phrases._split_re(has_wide(text), phrases._HAS_MARKS_RE.search(text) is not None)
    pieces = pattern.split(text)
    offsets = list(accumulate(map(len, pieces), initial=0))
    words = pieces[1::2]
    gaps = pieces[0::2]
    joined_keys = "\x00".join(words).lower()
    ascii_only = joined_keys.isascii()
    if not ascii_only and not unicodedata.is_normalized("NFKC", joined_keys):
        joined_keys = unicodedata.normalize("NFKC", joined_keys)
    keys = joined_keys.split("\x00") if words else []
    masks = list(map(masks_of.get, keys, repeat(0)))
    if not ascii_only:
        for i in [i for i, (m, k) in enumerate(zip(masks, keys, strict=True))
                  if not m and not k.isascii() and k[0] < "\u0530"]:
            masks[i] = phrases._mask(keys[i], masks_of)
    joined = [len(g) <= phrases.MAX_GAP and (len(g) < 3 or phrases._BAD_GAP_RE.search(g) is None) for g in gaps[:-1]]
    if joined:
        joined[0] = False
    starts = offsets[1:-1:2]
    ends = offsets[2::2]
    breakers: set[int] = set()
    if has_wide(text):
        breakers = {i for i, m in enumerate(map(phrases._han_run_start().match, words)) if m is not None}
    if exclude:
        spans = sorted(exclude)
        k = 0
        for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
            while k < len(spans) and spans[k][1] <= start:
                if i and spans[k][0] >= ends[i - 1]:
                    joined[i] = False
                k += 1
            if k < len(spans) and spans[k][0] < end:
                breakers.add(i)
    if breakers:
        for i in breakers:
            if i + 1 < len(joined):
                joined[i + 1] = False
        kept = [i for i in range(len(words)) if i not in breakers]
        return ([starts[i] for i in kept], [ends[i] for i in kept], [keys[i] for i in kept],
                [masks[i] for i in kept], [joined[i] for i in kept])
    return starts, ends, keys, masks, joined


def plain_could_hold_phrase(text: str) -> bool:
    """``phrases.could_hold_phrase`` as it was: the whole text lowered, normalized and split at once."""
    pattern = phrases._token_re(has_wide(text), phrases._HAS_MARKS_RE.search(text) is not None, named=False)
    lowered = text.lower()
    if not lowered.isascii() and not unicodedata.is_normalized("NFKC", lowered):
        lowered = unicodedata.normalize("NFKC", lowered)
    words = pattern.findall(lowered)
    needed = phrases.MIN_CUED if phrases.cue_re().search(text) else phrases.MIN_EXACT
    if len(words) < needed:
        return False
    masks = phrases.lexicon().masks
    listed = sum(map(masks.__contains__, words))
    if listed >= needed:
        return True
    for word in words:
        if not word.isascii() and word[0] < "\u0530" and word not in masks and phrases._mask(phrases._key(word), masks):
            listed += 1
            if listed >= needed:
                return True
    return False


def tokens_of(text: str, exclude: list[tuple[int, int]]) -> tuple[list, ...]:
    tokens = phrases._tokenize(text, exclude)
    return tokens.starts, tokens.ends, tokens.keys, tokens.masks, tokens.joined


# --- generated text ----------------------------------------------------------------------------


def _list_words() -> list[str]:
    words = phrases.lexicon().words
    return [w for name in phrases.WORDLISTS for w in words[name][::97]]


_PIECES = st.one_of(
    st.sampled_from(_list_words()),
    st.sampled_from(_list_words()).map(lambda w: unicodedata.normalize("NFD", w.upper())),
    st.sampled_from(["的", "一", "是", "钱", "包", "转", "账", "龘", "貔", "錢", "的一是在不了有和人这中大", "钱包转账"]),
    st.sampled_from([" ", "  ", "\n", ", ", "1. ", "123", " 4567 ", " " * 30, "-", "、", "，", "\x00"]),
    st.sampled_from(["ΟΔΟΣ ", "Σ", "İstanbul", "ﬁle", "ａｂａｎｄｏｎ", "x²", "ｶﾀｶﾅ", "e\u0301", "\u0301", "ß", "ſeed",
                     "seed", "助记词", "frase", "сид", "Ábaco", "ёлка", "ｓｅｅｄ", "①", "Ⅻ"]),
    st.text(alphabet=st.characters(max_codepoint=0x3100), max_size=6),
)
TEXTS = st.lists(_PIECES, max_size=60).map("".join)


def small_chunks() -> Iterator[None]:
    """Chunks of a few characters, so generated texts cross their boundaries."""
    with mock.patch.object(phrases, "COULD_CHUNK", 7), mock.patch.object(phrases, "NFKC_CHUNK", 40):
        yield


# --- properties --------------------------------------------------------------------------------


@PROPERTY
@given(TEXTS, st.lists(st.tuples(st.integers(0, 300), st.integers(1, 20)), max_size=3))
def test_tokenize_is_the_plain_tokenizer(text: str, marks: list[tuple[int, int]]) -> None:
    exclude = [(start, start + length) for start, length in marks if start + length <= len(text)]
    for _ in small_chunks():
        assert tokens_of(text, exclude) == plain_tokenize(text, exclude)


@PROPERTY
@given(TEXTS)
def test_could_hold_phrase_read_in_chunks_is_the_plain_bound(text: str) -> None:
    expected = plain_could_hold_phrase(text)
    for _ in small_chunks():
        assert phrases.could_hold_phrase(text) is expected
        assert phrases.could_hold_phrase(text, phrases.cue_re().search(text) is not None) is expected


@PROPERTY
@given(TEXTS, st.sampled_from(["\x00", " "]))
def test_nfkc_in_chunks_is_nfkc(text: str, boundary: str) -> None:
    assume(boundary in text)
    with mock.patch.object(phrases, "NFKC_CHUNK", 256):
        assert phrases._nfkc(text, boundary) == unicodedata.normalize("NFKC", text)


_HAN_TEXT = st.lists(st.one_of(
    st.sampled_from(phrases.lexicon().words["chinese_simplified"][::7]),
    st.sampled_from(phrases.lexicon().words["chinese_traditional"][::11]),
    st.sampled_from(["的", "是", "了", "钱包", "转账", "我们", "龘", "貔貅", " ", "，", "a", "1", "。\n"]),
), max_size=120).map("".join)


@PROPERTY
@given(_HAN_TEXT)
def test_hopeful_starts_are_the_plain_ones(text: str) -> None:
    assert hanzi._hopeful_starts(text) == plain_hopeful_starts(text)


def test_hopeful_starts_of_list_characters_only() -> None:
    # Every window a candidate: the dense path.
    words = phrases.lexicon().words["chinese_simplified"]
    text = "".join(words[(i * 37) % 2048] for i in range(3000))
    assert hanzi._hopeful_starts(text) == plain_hopeful_starts(text)


def test_every_list_character_is_han() -> None:
    # The pairs are counted on the text as it is (not with what is not Han masked): a pair of
    # list characters never holds anything else.
    model = hanzi.load()
    assert all(hanzi._non_han_re().match(ch) is None for ch in model.char_llr)


@PROPERTY
@given(st.lists(st.sampled_from(["%2", "%20", "\\u00e9", "\\x41", "=3D", "=\n", "0x1f, ", "0X", "abc", " ", "%zz",
                                 "\\u12", "=4", "0x"]), max_size=40).map("".join))
def test_encoded_stretches_are_found_as_the_regex_finds_them(text: str) -> None:
    fast = [m.span() for m in view._encoded_finditer(text)]
    assert fast == [m.span() for m in view._ENCODED_RE.finditer(text)]


@PROPERTY
@given(st.text(alphabet=st.sampled_from("aZbΣσÀé ΑаЯ1_-ǅ"), max_size=80))
def test_camel_case_starts_are_where_the_regex_matches(text: str) -> None:
    assert view._camel_starts(text) == [m.start() for m in view._camel_re().finditer(text)]


@PROPERTY
@given(st.text(alphabet=st.sampled_from("，。ａＺ１\u3000 的a,\uff5e\uff5f"), max_size=60))
def test_full_width_folding_is_the_rewrite(text: str) -> None:
    base = view.identity(text)
    plain = view._rewrite(base, view._FULLWIDTH_RE, lambda m: m.group().translate(view._FULLWIDTH))
    fast = view._fold_fullwidth(base)
    assert (fast.text, fast.edits) == (plain.text, plain.edits)


def test_pairs_as_written_are_the_pairs_once_simplified() -> None:
    # window_scores and _hopeful_starts look pairs up as written, not translated to simplified.
    import random

    model = hanzi.load()
    words = phrases.lexicon().words
    chars = sorted({*words["chinese_simplified"], *words["chinese_traditional"], "龘", "a", " "})
    rng = random.Random(12)
    candidates = [a + b for pair in sorted(model.pairs)[:3000] for a in (pair[0], *chars[:3]) for b in (pair[1],)]
    candidates += [rng.choice(chars) + rng.choice(chars) for _ in range(100_000)]
    candidates += sorted(model.written_pairs)
    for pair in candidates:
        assert (pair in model.written_pairs) == (pair.translate(model.simplify_table) in model.pairs), pair


@PROPERTY
@given(st.text(alphabet=st.characters(min_codepoint=0x2F00, max_codepoint=0x3010) | st.characters(max_codepoint=0x7f)
               | st.sampled_from(["\ud800", "\U0010ffff", "é"]), max_size=20))
def test_has_wide_is_the_maximum_test(text: str) -> None:
    assert has_wide(text) == (not text.isascii() and max(text) >= WIDE_FLOOR)


_GROUPED = st.lists(st.sampled_from(["的", "一是", "在不了有和", "人这中大为上个国", "龘", "\U00020001", "\U0003134f", " ", "，",
                                     "、", "1", "123", "a", "\n", " " * 30, "_", "ー"]), max_size=50).map("".join)


@PROPERTY
@given(_GROUPED)
def test_han_groups_are_found_as_the_plain_pattern_finds_them(text: str) -> None:
    assert [m.span() for m in hanzi._group_re().finditer(text)] == [m.span() for m in hanzi._plain_group_re().finditer(text)]
    plain_runs = [m.start() for m in re.finditer(f"[{phrases.HAN}]{{2,}}", text)]
    assert [m.start() for m in phrases._han_runs_re().finditer(text)] == plain_runs


@PROPERTY
@given(st.lists(st.sampled_from(["seed", "SEED", "ſeed", "phraſe", "PHRASE", "mnemonİc", "mnemonıc", "mnemonic", "phraseed",
                                 "助记词", "助记", "单词语", "私钥", "seeds", "x", " ", "е", "Seed", "mnemonics"]),
                max_size=20).map("".join))
def test_chinese_cue_ends_are_those_of_the_single_pattern(text: str) -> None:
    single = {m.end() for m in hanzi._CUE_RE.finditer(text)}
    assert {m.end() for m in hanzi._CUE_CJK_RE.finditer(text)} | {m.end() for m in hanzi._CUE_LATIN_RE.finditer(text)} == single


_KEYISH = st.lists(st.one_of(
    st.text(alphabet="0123456789abcdefABCDEF", min_size=1, max_size=70),
    st.text(alphabet="123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", min_size=1, max_size=60),
    st.sampled_from([" ", "\n", " \n", ":", "-", "|", "/", ".", "_", "0x", "=", "==", "+", "l", "O", "key: ", "\t"]),
), max_size=30).map("".join)


@PROPERTY
@given(_KEYISH)
def test_a_key_finder_skipped_by_its_hint_finds_nothing(text: str) -> None:
    from supportkit.guard import keys

    hints = {keys._grouped_hex_keys: keys._HEX_GROUPS_HINT_RE, keys._partial_hex_keys: keys._PARTIAL_HEX_HINT_RE,
             keys._grouped_base58_keys: keys._B58_GROUPS_HINT_RE, keys._split_base58_keys: keys._SPLIT_B58_HINT_RE,
             keys._base64_keys: keys._B64_KEY_HINT_RE}
    for finder, hint in hints.items():
        if hint.search(text) is None:
            assert list(finder(keys._Reading(text))) == [], finder.__name__


def plain_window_scores(block: str, floor: float | None = None, cues: tuple[int, ...] = (),
                        separated: list[bool] | None = None, alone: bool = False, leads: tuple[int, ...] = ()
                        ) -> list[tuple[float, int, int, bool | None]]:
    """``hanzi.window_scores`` as it was: every window's score worked out in full."""
    floor = hanzi.THRESHOLD if floor is None else floor
    model = hanzi.load()
    n = len(block)
    if n < hanzi.CUED_MIN:
        return []
    llr = model.char_llr
    sums = list(accumulate(map(model.score.get, block, repeat(hanzi.RARE_SCORE)), initial=0.0))
    inside = list(accumulate(map(llr.__contains__, block), initial=0))
    simple = block.translate(model.simplify_table)
    # Words are words across a space too: "钱 包" is written Chinese, spaced for emphasis.
    pair_starts = list(accumulate(chain(map(model.pairs.__contains__, map(add, simple, simple[1:])), (False,)),
                                  initial=0))
    spaces = list(accumulate(chain(separated[1:], (False,)), initial=0)) if separated else None
    top_bonus = 2 * hanzi.EDGE_BONUS + (hanzi.CUE_BONUS + hanzi.CUED_BONUS) * bool(cues) + hanzi.SPACED_BONUS * bool(separated)

    def score_of(start: int, length: int) -> tuple[float, int, int, bool | None] | None:
        end = start + length
        if length - (inside[end] - inside[start]) > max(1, length // 4):  # mistyped characters
            return None
        score = sums[end] - sums[start] - hanzi.PAIR_WEIGHT * (pair_starts[end - 1] - pair_starts[start])
        score -= hanzi.REPEAT_PENALTY * (length - len(set(block[start:end])))
        score += hanzi.EDGE_BONUS * ((start == 0 or bool(separated and separated[start]))
                               + (end == n or bool(separated and separated[end])))
        if spaces is not None and length > 1 and spaces[end - 1] - spaces[start] >= hanzi.SPACED_SHARE * (length - 1):
            score += hanzi.SPACED_BONUS
        if cues and any(start - hanzi.CUE_REACH <= cue <= start for cue in cues):
            score += hanzi.CUE_BONUS
        if cues and any(start - hanzi.CUE_REACH <= cue <= start for cue in cues) and start in leads:
            score += hanzi.CUED_BONUS
        checksum: bool | None = None
        if length in phrases.VALID_LENGTHS and score < floor <= score + math.log(2) * (length // 3) and (
                inside[end] - inside[start] == length):
            checksum = hanzi._checksum(block[start:end])
            if checksum:
                score += math.log(2) * (length // 3)
        return (score, start, length, checksum) if score >= floor else None

    results: list[tuple[float, int, int, bool | None]] = []
    shortest = phrases.VALID_LENGTHS[0]
    if n >= shortest:
        base = list(map(sub, sums[shortest:], sums[:n - shortest + 1]))
        pairs = list(map(sub, pair_starts[shortest - 1:n], pair_starts[:n - shortest + 1]))
        base = [b - hanzi.PAIR_WEIGHT * p for b, p in zip(base, pairs, strict=True)]
        sure = hanzi.THRESHOLD + hanzi.EXTEND_MARGIN  # passes whatever the bonuses and the odd-character rule
        hopeful_cut = floor - hanzi.PREFILTER_MARGIN - top_bonus
        for start in [i for i, v in enumerate(base) if v >= hopeful_cut]:
            value = base[start]
            if value >= sure and inside[start + shortest] - inside[start] >= shortest - 1:
                results.append((value, start, shortest, None))
                continue
            found = score_of(start, shortest)
            if found:
                results.append(found)
            if found is None or found[0] < hanzi.THRESHOLD:
                for length in phrases.VALID_LENGTHS[1:]:
                    if start + length > n:
                        break
                    longer = score_of(start, length)
                    if longer:
                        results.append(longer)
    if n in phrases.VALID_LENGTHS[1:] and not any(w[1] == 0 and w[2] == n for w in results):
        whole = score_of(0, n)
        if whole:
            results.append(whole)
    # Partial phrases: the whole run when it stands alone between blanks or line breaks ("集着宗驾
    # 彪霸益升" on a line of its own), shorter windows where the characters are spaced out, or
    # after a cue.
    if alone and hanzi.SPACED_MIN <= n < shortest and (found := score_of(0, n)):
        results.append(found)
    short_starts: set[int] = set()
    if separated:
        short_starts.update(hanzi._spaced_starts(separated, n))
    for cue in cues:
        short_starts.update(range(max(0, cue), min(n, cue + hanzi.CUED_GAP + 1)))
    for start in sorted(short_starts):
        # A cue counts for a short window only right before it ("助记词：的一是在"), and an unspaced
        # short window only where it is set off at its end: "助记词拍照发云盘备份" is a sentence.
        cued = any(start - hanzi.CUED_GAP <= cue <= start for cue in cues)
        for length in range(hanzi.CUED_MIN if cued else hanzi.SPACED_MIN, shortest):
            if start + length > n:
                break
            end = start + length
            is_spaced = spaces is not None and spaces[end - 1] - spaces[start] >= hanzi.SPACED_SHARE * (length - 1)
            set_off = end == n or bool(separated and separated[end])
            if not (is_spaced or (cued and set_off)):
                continue
            # A short window inside one already found that passes adds nothing: not scored.
            if any(w[0] >= hanzi.THRESHOLD and w[1] <= start and end <= w[1] + w[2] for w in results):
                continue
            found = score_of(start, length)
            if found:
                results.append(found)
    return results


@PROPERTY
@given(_HAN_TEXT, st.lists(st.integers(-15, 40), max_size=3), st.booleans(), st.booleans(), st.sampled_from([None, 0.0, -4.0]),
       st.booleans())
def test_window_scores_are_the_plain_ones(block: str, cues: list[int], spaced: bool, alone: bool,
                                          floor: float | None, lead: bool) -> None:
    block = "".join(ch for ch in block if hanzi._non_han_re().match(ch) is None)
    separated = [i > 0 and i % 2 == 0 for i in range(len(block))] if spaced else None
    cue_offsets = tuple(sorted(set(cues)))
    leads = tuple(c for c in cue_offsets if c >= 0) if lead else ()
    assert (hanzi.window_scores(block, floor, cue_offsets, separated, alone, leads)
            == plain_window_scores(block, floor, cue_offsets, separated, alone, leads))


@PROPERTY
@given(_HAN_TEXT)
def test_hopeful_starts_with_arrays_are_the_plain_ones(text: str) -> None:
    # The numpy path of long texts, on short ones (and on one as long as it is taken for).
    assert hanzi._hopeful_starts_arrays(text * 3) == plain_hopeful_starts(text * 3)


def test_hopeful_starts_of_a_long_text_take_the_arrays() -> None:
    words = phrases.lexicon().words["chinese_simplified"]
    text = "".join(words[(i * 37) % 2048] for i in range(2000)) + "，我的钱包是空的。" * 300 + "ab 12"
    assert len(text) >= hanzi.ARRAY_MIN
    assert hanzi._hopeful_starts(text) == plain_hopeful_starts(text) == hanzi._hopeful_starts_arrays(text)


@pytest.mark.parametrize("spaced", [False, True])
def test_window_scores_of_a_long_block_take_the_arrays_and_are_the_plain_ones(spaced: bool) -> None:
    import random

    rng = random.Random(12)
    words = phrases.lexicon().words
    pool = [*words["chinese_simplified"][::5], *words["chinese_traditional"][::9], "的", "是", "钱", "包", "龘",
            hanzi.HOLE]
    block = "".join(rng.choice(pool) for _ in range(hanzi.ARRAY_MIN + 500))
    block = block[:2000] + "的一是在不了有和人这中大为上个国" * 20 + block[2000:]
    separated = [i > 0 and rng.random() < 0.5 for i in range(len(block))] if spaced else None
    for cues, leads in (((), ()), ((-3, 40, 2500), (40,))):
        assert (hanzi.window_scores(block, 0.0, cues, separated, False, leads)
                == plain_window_scores(block, 0.0, cues, separated, False, leads))


def test_letters_of_a_long_group_with_arrays_are_the_plain_ones() -> None:
    import random

    rng = random.Random(5)
    pieces = ["的", "一是", "在不了有", "龘", "\U00020001", "钱包"]
    gaps = [" ", "，", "、", " 1 ", "\u3000", "  "]
    group = "".join(rng.choice(pieces) + rng.choice(gaps) for _ in range(2000)) + "的"
    assert len(group) >= hanzi.ARRAY_MIN
    positions = [7 + i for i, ch in enumerate(group) if ch.isalpha()]
    separated = [False] + [b != a + 1 for a, b in zip(positions, positions[1:], strict=False)]
    block = "".join(group[p - 7] for p in positions)
    assert hanzi._letters_arrays(group, 7) == (block, positions, separated)


def test_best_windows_of_a_big_cluster_are_those_of_the_ranking() -> None:
    import random

    rng = random.Random(3)
    cluster = [(float(rng.randint(0, 40)) / 4, i // 3, rng.choice([8, 12, 12, 15, 24, 11]), None)
               for i in range(hanzi.ARRAY_MIN + 100)]
    ranked = sorted(cluster, key=lambda w: -w[0])
    expected = [w for w in ranked if w[2] in phrases.VALID_LENGTHS][:hanzi.DESCRIBE_TRIES]
    assert hanzi._best(cluster) == expected
    assert hanzi._best(cluster[:50]) == [w for w in sorted(cluster[:50], key=lambda w: -w[0])
                                         if w[2] in phrases.VALID_LENGTHS][:hanzi.DESCRIBE_TRIES]

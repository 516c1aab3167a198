"""The compiled detection model: built once from package data, cached, loaded fast.

Sources (both are runtime dependencies, read only when the cache is built):

- langdetect's 1-3 gram profiles (``langdetect/profiles``): a character model per
  language, turned into a back-off trigram chain that scores words absent from
  the lexicon.
- wordfreq's word frequency lists: a word lexicon per language. Words are stored
  as sorted CRC-32 hashes (``array('I')``) beside a quantized log frequency
  (``array('B')``), about 5 bytes a word, read through a read-only memory map: loading
  costs milliseconds and processes share the pages.
- wordfreq's Russian list again, written in Latin letters and folded by ``romanized``:
  the lexicon and character chain of the pseudo-language ``ru-Latn`` (Russian typed
  in Latin letters), which the Latin scorer weighs like any other candidate.
- wordfreq's traditional-to-simplified Chinese table and its ``ja``/``zh`` lists:
  the characters that only Traditional (or only Simplified) Chinese writes, and
  kanji that Chinese does not use; minus ``scripts.SHARED_HAN``, the simplified forms
  that Traditional text writes as well.

The model ships prebuilt: the wheel's build hook (``hatch_build.py``, also run by ``pip install -e .``)
compiles it into ``supportkit/data/detect.model``, keyed by ``FORMAT``, Python's version and
the bytes of the modules that build it (``shipped_key``). A process maps that file read-only
and builds nothing. When it is missing or was built by other code (a source checkout run
without installing, a module edited since), the model is built once (about 7 s) into the cache
folder (``supportkit.cache``: plain data only, checked on loading), keyed by this module's
source, the versions of supportkit, langdetect and wordfreq and ``FORMAT``, written atomically
(temporary file + rename) so concurrent first runs in several processes are safe.
"""

from __future__ import annotations

import functools
import math
import mmap
import sys
import threading
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from supportkit.cache import cache_file, cache_key, dumps, loads, map_cache, write_cache
from supportkit.detection import romanized, scripts
from supportkit.detection.romanized import ROMANIZED
from supportkit.detection.scripts import SHARED_HAN
from supportkit.languages import SUPPORTED_LANGUAGES
from supportkit.text import is_han

FORMAT = 5
"""Bump when the layout or the content of the compiled model changes."""

SUPPORTED = SUPPORTED_LANGUAGES
LATIN = ("en", "es", "fr", "pt", "it", "ca", "de", "nl", "ro", "pl", "tr", "vi", "id", "sv", "cs", "sk", "hr", "sl",
         ROMANIZED)
"""Latin-script candidates: our languages, the confusables, a few more so they come out as themselves,
and Russian in Latin letters (scored on folded words, see ``romanized``). The Slavic languages written
in Latin letters (cs sk hr sl) are here so that "ne mogu se prijaviti" stays Croatian, not Russian."""
WORDFREQ_CODE = {"hr": "sh"}
"""wordfreq lists Croatian (with Serbian and Bosnian in Latin letters) as Serbo-Croatian."""
CYRILLIC = ("ru", "uk", "bg")
LEXICON_WORDS = 250_000
"""Most frequent words kept per language (words rarer than that fall back to the character model)."""
ROMANIZED_SOURCE_WORDS = 120_000
"""Most frequent Russian words written in Latin letters for ``ru-Latn`` (a few forms each)."""
FREQ_STEP = 4
"""wordfreq buckets are centibels (cB); stored as cB // FREQ_STEP in one byte."""

_LN10 = math.log(10)


@dataclass(frozen=True)
class Model:
    """Everything detection needs at run time, loaded once per process."""

    latin: tuple[str, ...]
    cyrillic: tuple[str, ...]
    lexicon: dict[str, tuple[Sequence[int], Sequence[int]]]
    """lang -> (sorted crc32 hashes, quantized frequency per hash)."""
    chars: dict[str, dict[str, float]]
    """lang -> {trigram|bigram|char: log-probability with back-off already applied}."""
    char_floor: float
    traditional: frozenset[str]
    simplified: frozenset[str]
    kanji_only: frozenset[str]


def word_hash(word: str) -> int:
    """Deterministic 32-bit hash of a word (Python's hash() changes per process)."""
    return zlib.crc32(word.encode("utf-8"))


def freq_log(quantized: int) -> float:
    """Natural log of the word frequency stored as ``quantized``."""
    return -quantized * FREQ_STEP / 100 * _LN10


def _cache_key() -> str:
    return cache_key(FORMAT, dependencies=("langdetect", "wordfreq"), code=(__file__, romanized.__file__))


def shipped_path() -> Path:
    """Where the installed package keeps its prebuilt model (see the module docstring)."""
    return Path(__file__).resolve().parents[1] / "data" / "detect.model"


def shipped_key() -> str:
    """The key of a prebuilt model that fits this code: the same wherever the package is installed.

    Unlike ``_cache_key`` (paths and modification times), it hashes the bytes of the modules
    that build the model, so a file built in the wheel's build folder is valid once installed.
    """
    digest = 0  # CRC-32 over the bytes (zlib is loaded already; hashlib costs milliseconds of a cold start)
    for name in (__file__, romanized.__file__, scripts.__file__):
        with open(name, "rb") as handle:
            code = handle.read()
        digest = zlib.crc32(code, zlib.crc32(len(code).to_bytes(8, "little"), digest))
    return repr(("shipped", FORMAT, sys.version_info[:2], f"{digest:08x}"))


def write_shipped(path: Path) -> None:
    """Build the model and write it to ``path`` as the package's prebuilt model (the build hook's job)."""
    from supportkit.files import write_bytes

    payload = _serialize(build(), shipped_key())
    write_bytes(path, payload, keep_mode=True, make_parents=True)  # one rename; a new file is 0644, like the package's


# --- building -----------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _romanized_buckets() -> list[list[str]]:
    """wordfreq's Russian buckets (frequent first) with each word replaced by its folded Latin forms."""
    import wordfreq

    buckets: list[list[str]] = []
    seen = 0
    for words in wordfreq.get_frequency_list("ru", wordlist="best"):
        buckets.append([form for word in words for form in romanized.latin_forms(word)])
        seen += len(words)
        if seen >= ROMANIZED_SOURCE_WORDS:
            break
    return buckets


def _frequency_buckets(lang: str) -> list[list[str]]:
    import wordfreq

    if lang == ROMANIZED:
        return _romanized_buckets()
    return wordfreq.get_frequency_list(WORDFREQ_CODE.get(lang, lang), wordlist="best")


def _build_lexicon(lang: str) -> tuple[bytes, bytes]:
    buckets: list[tuple[list[int], int]] = []
    kept = 0
    for centibels, words in enumerate(_frequency_buckets(lang)):
        # Words with a letter (isalpha() first: it answers most words in one C call).
        lettered = [w for w in words if w.isalpha() or any(ch.isalpha() for ch in w)]
        # word_hash, mapped in C: millions of words go through here when the cache is built.
        buckets.append((list(map(zlib.crc32, map(str.encode, lettered))), min(255, centibels // FREQ_STEP)))
        kept += len(lettered)
        if kept >= LEXICON_WORDS:
            break
    # Lists run from frequent to rare and a word keeps its best frequency: fill from the
    # rarest bucket up, so a more frequent bucket overwrites.
    best: dict[int, int] = {}
    for hashes_of_bucket, quantized in reversed(buckets):
        best.update(dict.fromkeys(hashes_of_bucket, quantized))
    hashes = array("I", sorted(best))
    freqs = array("B", map(best.__getitem__, hashes))
    return hashes.tobytes(), freqs.tobytes()


def _langdetect_profile(lang: str) -> tuple[dict[str, int], list[int]]:
    import json
    from importlib.resources import files

    raw = json.loads(files("langdetect").joinpath("profiles", lang).read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    for gram, count in raw["freq"].items():
        low = gram.lower()  # profiles keep case; our input is lower-cased
        counts[low] = counts.get(low, 0) + count
    return counts, raw["n_words"]


def _romanized_profile() -> tuple[dict[str, int], list[int]]:
    """A langdetect-like profile of ``ru-Latn``: 1-3 grams of the folded forms, counted by word frequency."""
    counts: dict[str, float] = {}
    for centibels, forms in enumerate(_romanized_buckets()):
        weight = 10 ** (-centibels / 100)
        for form in forms:
            for gram in romanized.padded_grams(form):
                counts[gram] = counts.get(gram, 0.0) + weight
    scale = 1e9 / max(1.0, sum(c for g, c in counts.items() if len(g) == 1))
    scaled = {gram: max(1, round(count * scale)) for gram, count in counts.items()}
    return scaled, [sum(c for g, c in scaled.items() if len(g) == n) for n in (1, 2, 3)]


def _build_chars(lang: str) -> dict[str, float]:
    """Back-off trigram chain: P(c | ab) from trigram/bigram counts, else 0.4 * P(c | b), else 0.16 * P(c)."""
    counts, n_words = _romanized_profile() if lang == ROMANIZED else _langdetect_profile(lang)
    unigrams = n_words[0]
    # Word boundaries: the profiles count " x" and "x " but not " " alone.
    starts = sum(c for g, c in counts.items() if len(g) == 2 and g[0] == " ")
    ends = sum(c for g, c in counts.items() if len(g) == 2 and g[1] == " ")
    total = dict(counts)
    total[" "] = max(starts, ends, 1)
    table: dict[str, float] = {}
    for gram, count in counts.items():
        if len(gram) == 1:
            table[gram] = math.log(0.16 * count / unigrams)
        elif len(gram) == 2:
            context = total.get(gram[0])
            if context:
                table[gram] = math.log(0.4 * min(1.0, count / context))
        elif len(gram) == 3:
            context = total.get(gram[:2])
            if context:
                table[gram] = math.log(min(1.0, count / context))
    table[" "] = math.log(0.16 * 0.15)  # end of word when nothing better is known
    return table


def _build_han_tables() -> tuple[str, str, str]:
    """Traditional-only and simplified-only characters, and kanji that Chinese does not write."""
    import gzip
    from importlib.resources import files

    import msgpack
    import wordfreq

    source = files("wordfreq").joinpath("data", "_chinese_mapping.msgpack.gz")
    with source.open("rb") as packed, gzip.open(packed) as fh:
        raw: dict[int | str, int | str] = msgpack.load(fh, raw=False, strict_map_key=False)
    # Keys and values are code points or one-character strings.
    mapping = {(chr(t) if isinstance(t, int) else t): (chr(s) if isinstance(s, int) else s) for t, s in raw.items()}
    traditional = {t for t, s in mapping.items() if len(t) == 1 and t != s}
    simplified = {s for t, s in mapping.items() if len(s) == 1 and t != s} - traditional - set(SHARED_HAN)
    zh_chars: set[str] = set()
    for words in wordfreq.get_frequency_list("zh", wordlist="best"):
        for word in words:
            zh_chars.update(word)
    kanji: set[str] = set()
    for centibels, words in enumerate(wordfreq.get_frequency_list("ja", wordlist="best")):
        if centibels > 600:  # only kanji seen often enough to be sure
            break
        for word in words:
            kanji.update(filter(is_han, word))
    # wordfreq folds Traditional into Simplified for zh: a kanji that is neither a zh
    # character nor a Traditional form is Japanese-only (駅, 売, 広 ...).
    kanji_only = kanji - zh_chars - traditional
    return "".join(sorted(traditional)), "".join(sorted(simplified)), "".join(sorted(kanji_only))


def _forget_wordlists() -> None:
    """Drop the word lists wordfreq keeps once read (it caches every list: 580 MB for all of ours)."""
    import wordfreq

    wordfreq.get_frequency_list.cache_clear()


def build() -> dict[str, object]:
    """Compile the model from langdetect and wordfreq data (a few seconds, once)."""
    languages = LATIN + CYRILLIC
    traditional, simplified, kanji_only = _build_han_tables()
    _forget_wordlists()
    lexicon = {}
    try:
        for lang in languages:
            lexicon[lang] = _build_lexicon(lang)
            _forget_wordlists()
        chars = {lang: _build_chars(lang) for lang in languages}
    finally:
        _romanized_buckets.cache_clear()  # shared by the ru-Latn lexicon and character chain, then dropped
        _forget_wordlists()
    return {
        "format": FORMAT,
        "latin": list(LATIN),
        "cyrillic": list(CYRILLIC),
        "lexicon": lexicon,
        "chars": chars,
        "char_floor": math.log(1e-6),
        "traditional": traditional,
        "simplified": simplified,
        "kanji_only": kanji_only,
    }


_MAGIC = b"SKDETECT"


def _serialize(data: dict, key: str) -> bytes:
    """One file: magic, header length, marshal header (with ``key``), then the raw lexicon arrays (4-byte aligned)."""
    blob = bytearray()
    offsets: dict[str, tuple[int, int, int]] = {}
    for lang, (hash_bytes, freq_bytes) in data["lexicon"].items():
        start = len(blob)
        blob += hash_bytes
        blob += freq_bytes
        blob += b"\0" * (-len(blob) % 4)
        offsets[lang] = (start, len(hash_bytes), len(freq_bytes))
    # Character tables stay marshalled per language: a process loads only those its text needs
    # (a Chinese message none, a Latin one the Latin languages'), not 17 tables on every start.
    chars = {lang: dumps(table) for lang, table in data["chars"].items()}
    header = dumps({**data, "key": key, "lexicon": offsets, "chars": chars})
    header += b"\0" * (-(len(_MAGIC) + 4 + len(header)) % 4)
    return _MAGIC + len(header).to_bytes(4, "little") + header + bytes(blob)


class _CharTables(dict[str, dict[str, float]]):
    """lang -> character table, each unmarshalled the first time it is asked for.

    A table that is damaged or not plain data is built again from langdetect's profile
    (tens of ms): detection goes on.
    """

    def __init__(self, packed: dict[str, bytes]) -> None:
        super().__init__()
        self._packed = packed

    def __missing__(self, lang: str) -> dict[str, float]:
        packed = self._packed[lang]  # KeyError for a language the model lacks
        try:
            table = loads(packed) if type(packed) is bytes else None
        except ValueError:
            table = None
        if type(table) is not dict:
            table = _build_chars(lang)
        self[lang] = table
        return table


def _deserialize(buffer: memoryview, key: str) -> Model | None:
    """The model over a mapped cache file, without copying the lexicon (None when stale or another key's).

    Damaged data raises ValueError, TypeError or KeyError; so does data that is not plain (``loads``).
    """
    if bytes(buffer[: len(_MAGIC)]) != _MAGIC:
        return None
    size = int.from_bytes(buffer[len(_MAGIC) : len(_MAGIC) + 4], "little")
    base = len(_MAGIC) + 4
    data = loads(buffer[base : base + size])
    if type(data) is not dict or data.get("format") != FORMAT or data.get("key") != key:
        return None
    blob = buffer[base + size :]
    lexicon: dict[str, tuple[Sequence[int], Sequence[int]]] = {}
    for lang, (start, n_hash, n_freq) in data["lexicon"].items():
        hashes = blob[start : start + n_hash].cast("I")
        freqs = blob[start + n_hash : start + n_hash + n_freq]
        lexicon[lang] = (hashes, freqs)
    return Model(
        latin=tuple(data["latin"]),
        cyrillic=tuple(data["cyrillic"]),
        lexicon=lexicon,
        chars=_CharTables(data["chars"]),
        char_floor=data["char_floor"],
        traditional=frozenset(data["traditional"]),
        simplified=frozenset(data["simplified"]),
        kanji_only=frozenset(data["kanji_only"]),
    )


_lock = threading.Lock()
_model: Model | None = None


def _load_shipped() -> Model | None:
    """The package's prebuilt model, mapped read-only; None when it is missing, damaged or not for this code."""
    try:
        with open(shipped_path(), "rb") as handle:
            mapped = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
    except (OSError, ValueError):  # missing, unreadable, or empty (mmap of 0 bytes)
        return None
    try:
        return _deserialize(mapped, shipped_key())
    except (ValueError, TypeError, KeyError):
        return None


def load() -> Model:
    """The model for this process: the package's prebuilt one, else the cache file's, else built (and cached)."""
    global _model
    if _model is not None:
        return _model
    with _lock:
        if _model is not None:
            return _model
        model = _load_shipped()
        if model is None:
            model = _load_cached()
        _model = model
        return model


def _load_cached() -> Model:
    key = _cache_key()
    path = cache_file("detect", key)
    model = None
    mapped = map_cache(path)
    if mapped is not None:
        try:
            model = _deserialize(mapped, key)
        except (ValueError, TypeError, KeyError):
            model = None
    if model is None:
        if sys.stderr is not None and sys.stderr.isatty():
            print("supportkit: building the language model (once, about 10 s; `pip install` ships it prebuilt)...",
                  file=sys.stderr)
        payload = _serialize(build(), key)
        # 16 MB each, one per installed version; a read-only cache still detects (it rebuilds next time).
        write_cache(path, payload, keep=2)
        mapped = map_cache(path)
        model = _deserialize(mapped, key) if mapped is not None else None
        if model is None:
            model = _deserialize(memoryview(payload), key)
    assert model is not None
    return model

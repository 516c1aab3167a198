"""Build the matching index once per library and keep it: in the process and on disk.

The index depends on the lexicon, on the ``examples:`` of the library's templates and on
the code that builds it (``_CODE``), so it is keyed by those files' paths, modification
times and sizes (``cache.cache_key``). A warm process reuses it for every message; a cold
process reads it back from the cache folder (``cache.read_data``: plain data only, private,
rebuilt whenever it cannot be used).

The index of the bundled library also ships prebuilt (``supportkit/data/match.index``, written by
the wheel's build hook, ``hatch_build.py``): a first run with an empty cache folder reads it
instead of spending seconds building. Its key (``shipped_key``) hashes the bytes of the code, the
lexicon and the template files, so it holds wherever the package is installed, and only for a
library with exactly those templates.
"""

from __future__ import annotations

import sys
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supportkit.matching.index import INDEX_VERSION, LEXICON_PATH, MatchIndex

if TYPE_CHECKING:
    from supportkit.library import Library

_BY_KEY: dict[str, MatchIndex] = {}
_BY_LIBRARY: dict[int, tuple[weakref.ref[Any], str]] = {}


_CODE = (*(Path(__file__).with_name(name) for name in ("index.py", "build.py", "cues.py", "features.py", "fold.py", "store.py")),
         Path(__file__).parent.parent / "text" / "__init__.py")
"""The code that builds the index: folding uses ``text``, ``_examples`` lives here."""


def library_key(library: Library | None) -> str:
    """What the index of ``library`` depends on: lexicon, template files and the code that builds it."""
    from supportkit.cache import cache_key

    files = sorted({str(t.path) for t in library}) if library is not None else []
    return cache_key(INDEX_VERSION, sources=(LEXICON_PATH, *files), dependencies=("yaml",), code=_CODE)


def _customer_intents() -> tuple[str, ...]:
    from supportkit.library import CUSTOMER_INTENTS

    return CUSTOMER_INTENTS


def _examples(library: Library | None) -> list[tuple[str, str, str]]:
    """``(intent, lang, phrase)`` for every example of every customer reply in ``library``."""
    if library is None:
        return []
    intents = set(_customer_intents())
    found: list[tuple[str, str, str]] = []
    for template in library:
        answered = [i for i in template.intents if i in intents]
        if template.kind != "reply" or not answered:
            continue
        for lang, phrases in template.examples.items():
            for phrase in phrases:
                found.extend((intent, lang, str(phrase)) for intent in answered)
    return found


def load_lexicon(path: Path = LEXICON_PATH) -> dict[str, Any]:
    """The parsed cue lexicon (``lexicon.yaml``)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader
    return data if isinstance(data, dict) else {}


def _disk_path(key: str) -> Path:
    from supportkit.cache import cache_file

    return cache_file("match", key)


def _read_disk(path: Path, key: str) -> MatchIndex | None:
    """The index stored for ``key``, or None (missing, damaged, not plain data, another key's)."""
    from supportkit.cache import read_data

    data = read_data(path, key)
    if data is None:
        return None
    try:
        return MatchIndex.from_data(data)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return None


def _write_disk(path: Path, key: str, index: MatchIndex) -> None:
    from supportkit.cache import write_data

    write_data(path, key, index.to_data(), keep=8)  # one per library in use


def shipped_path() -> Path:
    """Where the installed package keeps the prebuilt index of its bundled library."""
    return Path(__file__).resolve().parents[1] / "data" / "match.index"


def shipped_key(library: Library) -> str:
    """The portable key of ``library``'s index: a hash of the bytes its building reads (no paths, no times)."""
    import zlib  # CRC-32, not hashlib: this runs on every cold start that reads the prebuilt index

    def crc(data: bytes) -> tuple[int, int]:
        return zlib.crc32(data), len(data)

    code = [crc(Path(path).read_bytes()) for path in (*_CODE, LEXICON_PATH)]
    templates = sorted(crc(Path(name).read_bytes()) for name in {str(t.path) for t in library})
    return repr(("shipped", INDEX_VERSION, sys.version_info[:2], code, templates))


def write_shipped(path: Path, library: Library) -> None:
    """Build ``library``'s index and write it to ``path`` as the package's prebuilt one (the build hook's job)."""
    from supportkit.cache import dumps
    from supportkit.files import write_bytes

    payload = dumps({"key": shipped_key(library), "data": build_for(library).to_data()})
    write_bytes(path, payload, keep_mode=True, make_parents=True)  # one rename; a new file is 0644, like the package's


def _read_shipped(library: Library | None) -> MatchIndex | None:
    """The prebuilt index when it was built from exactly ``library``'s files, else None."""
    from supportkit.cache import loads

    path = shipped_path()
    if library is None or not path.is_file():
        return None
    try:
        stored = loads(path.read_bytes())
        if type(stored) is not dict or stored.get("key") != shipped_key(library):
            return None
        return MatchIndex.from_data(stored["data"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return None


def build_for(library: Library | None) -> MatchIndex:
    """Build the index of ``library`` from scratch (no cache)."""
    from supportkit.matching.build import build_index

    return build_index(load_lexicon(), _examples(library), _customer_intents())


def index_for(library: Library | None) -> MatchIndex:
    """The index of ``library`` (the configured library when None), built at most once per change."""
    if library is None:
        from supportkit.config import load_config
        from supportkit.library.store import library_for

        library = library_for(load_config())
    remembered = _BY_LIBRARY.get(id(library))
    if remembered is not None and remembered[0]() is library:
        index = _BY_KEY.get(remembered[1])
        if index is not None:
            return index
    key = library_key(library)
    index = _BY_KEY.get(key)
    if index is None:
        disk = _disk_path(key)
        index = _read_disk(disk, key) or _read_shipped(library)  # the prebuilt one is not copied to the cache
        if index is None:
            index = build_for(library)
            _write_disk(disk, key, index)
        if len(_BY_KEY) > 8:
            _BY_KEY.clear()
        _BY_KEY[key] = index
    _BY_LIBRARY[id(library)] = (weakref.ref(library), key)
    return index

"""The records of a ticket export, read so that one bad record never costs another.

- Every line is read with a size limit (``MAX_LINE_BYTES``): a longer one is skipped in chunks
  to its newline, so memory stays bounded whatever the file holds, and becomes a reject.
- Every record is parsed under its own ``try``: deep nesting, a number of thousands of digits,
  a lone surrogate or any other surprise is a reject with the line number and a reason that
  never quotes the record. Nothing after it is lost.
- CSV is decoded line by line (a bad byte rejects the record holding it, with its line), and a
  quoted field may run over at most ``MAX_CSV_RECORD_LINES`` lines and ``MAX_CSV_RECORD_CHARS``
  characters, or to the end of the file: then the record is a reject at its first line and
  reading starts again on the next line, so an unterminated quote never swallows later tickets.
"""

from __future__ import annotations

import csv
import json
import re
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from supportkit.errors import N_, BatchError

MAX_RECORD_CHARS = 1_000_000
"""Longest ticket text (the pipeline's hard input limit, ``text.MAX_INPUT_CHARS``)."""
MAX_ID_CHARS = 1_000
MAX_FIELD_CHARS = 200
"""Longest value kept of another column (a timestamp, a rating, a channel name)."""
MAX_LINE_BYTES = 8 * 1024 * 1024
"""Longest line read (8 MiB): a text of ``MAX_RECORD_CHARS`` written with ``\\u`` escapes
(6 bytes a character, what ``json.dumps`` writes by default) and its other fields."""
SKIP_CHUNK = 1024 * 1024
"""Bytes read at a time while skipping the rest of a line that is too long."""
MAX_CSV_RECORD_LINES = 10_000
"""Lines one CSV record (a quoted field with newlines) may span."""
MAX_CSV_RECORD_CHARS = 2 * MAX_RECORD_CHARS
"""Characters one CSV record may hold: the longest text and room for the other columns."""

_MAY_HOLD_SECRET_RE = re.compile(r"[^\W\d_]{3}[\s\S]*[^\W\d_]{3}|[0-9A-Za-z]{24}|[^\x00-\u2fff]{4}|[{\[=/]")
"""What any secret needs: two words of three letters, a long key-like run, four CJK characters,
or the brackets, = and / of keystores, arrays, base64 and secret URIs."""
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
CONVERSATION_FIELDS = ("conversation_id", "conversation", "thread_id", "ticket_id")
"""Columns that name a record's conversation, first found wins (one row per chat message)."""


@dataclass(frozen=True)
class Record:
    """One ticket of the export, with where it came from."""

    line: int
    id: str
    text: str
    lang: str | None = None
    conversation: str | None = None
    before: tuple[str, ...] = ()
    """Earlier messages of the same conversation within ``CONVERSATION_WINDOW`` (for the guard)."""
    after: tuple[str, ...] = ()
    """Later messages of the same conversation within ``CONVERSATION_WINDOW`` (for the guard)."""
    fields: tuple[tuple[str, str], ...] = ()
    """Other columns asked for (``read_records(keep=...)``), as text cut to ``MAX_FIELD_CHARS``."""


@dataclass(frozen=True)
class Reject:
    """Why a line of the input produced no output record (never the record's content)."""

    line: int
    id: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "id": self.id, "reason": self.reason}


def read_records(stream: BinaryIO, fmt: str, *, columns: Mapping[str, str] | None = None,
                 keep: Sequence[str] = ()) -> Iterator[Record | Reject]:
    """Records of the export, or a Reject for each line that cannot become one.

    ``columns``: our name -> the export's (``{"id": "Ticket ID", "text": "Description"}``), for an
    export whose columns are named otherwise (CSV names compare case-insensitively). ``keep``: our
    names of other columns whose values each record carries in ``fields`` (``supportkit report``).
    """
    rename = _Renamer(columns or {}, tuple(keep), fmt == "csv")
    if fmt == "csv":
        yield from _read_csv(stream, rename)
    else:
        yield from _read_jsonl(stream, rename)


class _Renamer:
    """A row with the export's column names -> the row with ours (and the values to keep)."""

    def __init__(self, columns: Mapping[str, str], keep: tuple[str, ...], lower: bool) -> None:
        self.sources = {ours: (theirs.strip().lower() if lower else theirs) for ours, theirs in columns.items()}
        self.keep = keep
        self.active = bool(self.sources or keep)

    def __call__(self, data: Any) -> Any:
        if not self.active or not isinstance(data, dict):
            return data
        row = dict(data)
        for ours, theirs in self.sources.items():
            if ours != theirs:
                row.pop(ours, None)
                if theirs in data:
                    row[ours] = data[theirs]
        return row

    def fields(self, row: Any) -> tuple[tuple[str, str], ...]:
        if not self.keep or not isinstance(row, dict):
            return ()
        kept = []
        for name in self.keep:
            value = row.get(name)
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, (int, float)):
                value = repr(value) if isinstance(value, float) else str(value)
            if isinstance(value, str) and value.strip():
                kept.append((name, value.strip()[:MAX_FIELD_CHARS]))
        return tuple(kept)

    def header(self, columns: list[str]) -> list[str]:
        """CSV header names, ours where mapped."""
        if not self.sources:
            return columns
        theirs = {source: ours for ours, source in self.sources.items()}
        # A column named like one of ours that the mapping replaces is not read as ours.
        hidden = {ours for ours, source in self.sources.items() if ours != source}
        return [theirs[name] if name in theirs else ("\x00" + name if name in hidden else name) for name in columns]


_PLAIN = _Renamer({}, (), False)


def physical_lines(stream: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[bytes | None]:
    """Each line of ``stream`` with its newline, or None for a line longer than ``limit`` bytes
    (newline included), whose rest is skipped ``SKIP_CHUNK`` bytes at a time."""
    readline = stream.readline
    while True:
        raw = readline(limit + 1)
        if not raw:
            return
        if len(raw) <= limit:
            yield raw
            continue
        while not raw.endswith(b"\n"):
            raw = readline(SKIP_CHUNK)
            if not raw:
                break
        yield None


def _too_long() -> str:
    return f"line longer than {MAX_LINE_BYTES:,} bytes"


def _read_jsonl(stream: BinaryIO, rename: _Renamer = _PLAIN) -> Iterator[Record | Reject]:
    for number, raw in enumerate(physical_lines(stream), start=1):
        if raw is None:
            yield Reject(number, None, _too_long())
            continue
        try:
            item = _jsonl_record(raw, number, rename)
        except Exception as exc:  # noqa: BLE001 - one record never stops the run
            item = Reject(number, None, f"cannot read this line ({type(exc).__name__})")
        if item is not None:
            yield item


def _jsonl_record(raw: bytes, number: int, rename: _Renamer = _PLAIN) -> Record | Reject | None:
    if not raw.strip():
        return None
    if b"\x00" in raw:
        return Reject(number, None, "NUL bytes in line")
    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        return Reject(number, None, f"invalid UTF-8 at byte {exc.start}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Reject(number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return Reject(number, None, "invalid JSON: nested too deeply")
    except ValueError:  # int() of more digits than sys.get_int_max_str_digits()
        return Reject(number, None, "invalid JSON: a number with too many digits")
    # Only a \u escape can put a lone surrogate in a str (the strict decode above refuses the bytes).
    data = rename(data)
    return _with_fields(record_from(data, number, surrogates=b"\\u" in raw), rename, data)


def _with_fields(item: Record | Reject, rename: _Renamer, data: Any) -> Record | Reject:
    """``item`` with the kept columns of its (renamed) row ``data``."""
    if not rename.keep or not isinstance(item, Record):
        return item
    fields = rename.fields(data)
    return replace(item, fields=fields) if fields else item


def record_from(data: Any, line: int, *, surrogates: bool = False) -> Record | Reject:
    """The record of one row, or why there is none. Every field that is echoed (the id, in the
    output and the rejects) is guarded; a reason names the field, never quotes it.

    ``surrogates``: the row may hold lone surrogates (JSON ``\\u`` escapes); they cannot be
    written as UTF-8, so a field holding one is a reject.
    """
    from supportkit.errors import UnknownLocaleError
    from supportkit.guard import guard_text
    from supportkit.languages import parse_locale

    if not isinstance(data, dict):
        return Reject(line, None, "not a JSON object")
    raw_id = data.get("id")
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()) or isinstance(raw_id, (dict, list, bool)):
        return Reject(line, None, "missing id")
    record_id = str(raw_id)
    if len(record_id) > MAX_ID_CHARS:
        return Reject(line, None, f"id longer than {MAX_ID_CHARS} characters")
    if surrogates and _SURROGATE_RE.search(record_id):
        return Reject(line, None, "id is not valid Unicode (a lone surrogate)")
    if _MAY_HOLD_SECRET_RE.search(record_id):  # most ids are numbers or UUIDs: nothing to guard
        record_id = guard_text(record_id).redacted
    text = data.get("text")
    if not isinstance(text, str):
        return Reject(line, record_id, "missing or non-text 'text' field")
    if not text.strip():
        return Reject(line, record_id, "empty text")
    if len(text) > MAX_RECORD_CHARS:
        return Reject(line, record_id, f"text longer than {MAX_RECORD_CHARS} characters")
    if surrogates and _SURROGATE_RE.search(text):
        return Reject(line, record_id, "text is not valid Unicode (a lone surrogate)")
    lang = data.get("lang")
    if lang is not None and not isinstance(lang, str):
        return Reject(line, record_id, "lang must be text")
    if lang:
        try:
            parse_locale(lang)
        except UnknownLocaleError:
            return Reject(line, record_id, "lang is not a locale code (such as zh, en, es-419)")
    conversation = next((data[k] for k in CONVERSATION_FIELDS if data.get(k) not in (None, "")), None)
    if conversation is not None:
        if isinstance(conversation, bool) or not isinstance(conversation, (str, int, float)):
            return Reject(line, record_id, "conversation id must be text or a number")
        conversation = str(conversation)
    return Record(line, record_id, text, lang or None, conversation)


# --- CSV ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    problem: str | None = None


class _RecordEnded(Exception):
    """The record being read cannot end well: why (raised through ``csv.reader``)."""


class _CsvLines:
    """Physical lines for ``csv.reader``, each decoded on its own, with the lines of the record
    being read (``taken``) and lines to read again (``pushed``) after a record was cut short.

    Lines are read again only within a budget (as many characters again as were read, plus one
    record's worth), so a file of unterminated quotes costs at most about three readings.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._source = enumerate(physical_lines(stream), start=1)
        self.pushed: deque[_Line] = deque()
        self.taken: list[_Line] = []
        self._taken_chars = 0
        self.read_chars = 0
        self.reread_chars = 0

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        line = self.pushed.popleft() if self.pushed else self._read()
        if line is None:
            if self.taken:
                raise _RecordEnded("unterminated quoted field (it runs to the end of the file)")
            raise StopIteration
        self.taken.append(line)
        self._taken_chars += len(line.text)
        if len(self.taken) > MAX_CSV_RECORD_LINES:
            raise _RecordEnded(f"quoted field runs over more than {MAX_CSV_RECORD_LINES:,} lines (unterminated quote?)")
        if self._taken_chars > MAX_CSV_RECORD_CHARS:
            raise _RecordEnded(f"record longer than {MAX_CSV_RECORD_CHARS:,} characters (unterminated quote?)")
        return line.text

    def _read(self) -> _Line | None:
        try:
            number, raw = next(self._source)
        except StopIteration:
            return None
        if raw is None:
            return _Line(number, "\n", _too_long())
        problem = "NUL bytes in line" if b"\x00" in raw else None
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            # Replacement keeps every ASCII byte (quotes, commas, newlines): the CSV structure holds.
            text, problem = raw.decode("utf-8", errors="replace"), f"invalid UTF-8 at byte {exc.start}"
        if problem and "\x00" in text:
            text = text.replace("\x00", "")
        self.read_chars += len(text)
        return _Line(number, text, problem)

    def take(self) -> list[_Line]:
        """The lines of the record just read (and start the next)."""
        taken, self.taken, self._taken_chars = self.taken, [], 0
        return taken

    def cut_short(self, taken: list[_Line] | None = None) -> tuple[int, str]:
        """After a record that cannot end (or ended wrong): its first line number, and a note on the
        lines after it, which are read again (as records of their own) while the budget lasts."""
        taken = self.take() if taken is None else taken
        rest = taken[1:]
        if not rest:
            return taken[0].number, ""
        chars = sum(len(line.text) for line in rest)
        if self.reread_chars + chars <= self.read_chars + MAX_CSV_RECORD_CHARS:
            self.reread_chars += chars
            self.pushed.extendleft(reversed(rest))
            return taken[0].number, ""
        return taken[0].number, f"; lines {rest[0].number}-{rest[-1].number} were skipped with it"


def _problem(lines: list[_Line], start: int) -> str | None:
    for line in lines:
        if line.problem:
            return line.problem if line.number == start else f"{line.problem} (line {line.number})"
    return None


def _read_csv(stream: BinaryIO, rename: _Renamer = _PLAIN) -> Iterator[Record | Reject]:
    csv.field_size_limit(MAX_CSV_RECORD_CHARS + 1)  # our own limit (in _CsvLines) comes first
    lines = _CsvLines(stream)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    except (_RecordEnded, csv.Error) as exc:
        raise BatchError(N_("cannot read the CSV header: {reason}"), "line 1", reason=str(exc)) from None
    problem = _problem(lines.take(), 1)
    if problem:
        raise BatchError(N_("cannot read the CSV header: {reason}"), "line 1", reason=problem)
    columns = rename.header([h.strip().lower() for h in header])
    if "id" not in columns or "text" not in columns:
        if columns:
            raise BatchError(N_("CSV needs a header with id and text columns"), None, N_("Found: {columns}."),
                             columns=", ".join(columns))
        raise BatchError(N_("CSV needs a header with id and text columns"), None, N_("Found: nothing."))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except (_RecordEnded, csv.Error) as exc:
            if not lines.taken:  # csv.Error before any line of the record was read: nothing to report
                continue
            start, note = lines.cut_short()
            reason = str(exc) if isinstance(exc, _RecordEnded) else f"malformed CSV: {exc}"
            yield Reject(start, None, reason + note)
            continue
        taken = lines.take()
        start = taken[0].number
        try:
            problem = _problem(taken, start)
            if problem:
                yield Reject(start, None, problem)
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                # Over several lines, most likely a stray quote that swallowed the next records:
                # they are read again.
                note = lines.cut_short(taken)[1] if len(taken) > 1 else ""
                yield Reject(start, None, f"expected {len(columns)} columns, found {len(row)}" + note)
                continue
            data = dict(zip(columns, row, strict=True))
            item = _with_fields(record_from(data, start), rename, data)
        except Exception as exc:  # noqa: BLE001 - one record never stops the run
            item = Reject(start, None, f"cannot read this record ({type(exc).__name__})")
        yield item

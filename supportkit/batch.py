"""``supportkit batch``: a ticket export in, one drafted reply per record out, nothing lost.

- Streaming: records are read, processed and written with a bounded number in flight, so memory
  stays flat however long the export is (only the set of seen ids grows).
- Output is appended in whole records (up to CHUNK_SIZE to a ``write``) on an append-only
  descriptor, so a kill at any moment leaves a file of complete records; ``--resume`` redoes
  the ones not yet written and also repairs a torn last line left by a crash of the machine.
- A record that cannot be processed goes to the rejects file with its line number
  and reason. At the end ``read == written + rejected (+ skipped on resume)``.
- Output order is input order whatever ``--jobs`` is, so runs are comparable line by line.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from supportkit.config import Config
from supportkit.errors import BatchError, SupportkitError

MAX_RECORD_CHARS = 1_000_000
MAX_ID_CHARS = 1_000
_MAY_HOLD_SECRET_RE = re.compile(r"[^\W\d_]{3}[\s\S]*[^\W\d_]{3}|[0-9A-Za-z]{24}|[^\x00-\u2fff]{4}|[{\[=/]")
"""What any secret needs: two words of three letters, a long key-like run, four CJK characters,
or the brackets, = and / of keystores, arrays, base64 and secret URIs."""
STREAM_CONTEXT = 24
"""Messages of the same conversation read with a record on each side (the guard's window)."""
CHUNK_SIZE = 32
"""Records sent to a worker process at a time (fewer round trips, still a fine-grained balance)."""
CHUNKS_IN_FLIGHT_PER_JOB = 4
"""Chunks queued per worker: enough that none waits for the next, few enough to keep memory flat."""
OUTPUT_FIELDS = ("id", "line", "language", "confidence", "intent", "intents", "urgent", "urgency_reasons",
                 "secret_found", "scam_signals", "template", "locale", "fallback", "subject", "text")


CONVERSATION_FIELDS = ("conversation_id", "conversation", "thread_id", "ticket_id")
"""Columns that name a record's conversation, first found wins (one row per chat message)."""
CONVERSATION_WINDOW = 64
"""Records read ahead to find the other messages of a conversation (memory stays bounded)."""


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


@dataclass(frozen=True)
class Reject:
    """Why a line of the input produced no output record."""

    line: int
    id: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "id": self.id, "reason": self.reason}


@dataclass
class BatchReport:
    """Counts of a run: read = written + rejected + skipped."""

    read: int = 0
    written: int = 0
    rejected: int = 0
    skipped: int = 0
    output: str = ""
    rejects: str = ""
    seconds: float = 0.0
    repaired: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"read": self.read, "written": self.written, "rejected": self.rejected, "skipped": self.skipped,
                "output": self.output, "rejects": self.rejects, "seconds": round(self.seconds, 3),
                "repaired_torn_line": self.repaired}


def input_format(path: Path, declared: str | None) -> str:
    """``jsonl`` or ``csv``, from the option or the file name."""
    if declared:
        return declared
    name = path.name.lower()
    if name.endswith((".csv", ".csv.txt")):
        return "csv"
    if name.endswith((".jsonl", ".ndjson", ".json")) or path == Path("-"):
        return "jsonl"
    raise BatchError(f"cannot tell the format of {path.name}", None, "Name it .jsonl or .csv, or pass --format.")


def read_records(stream: BinaryIO, fmt: str) -> Iterator[Record | Reject]:
    """Records of the export, or a Reject for each line that cannot become one."""
    if fmt == "csv":
        yield from _read_csv(stream)
    else:
        yield from _read_jsonl(stream)


def _record_from(data: Any, line: int) -> Record | Reject:
    """The record of one row, or why there is none. Every field that is echoed (the id, in the
    output and the rejects) is guarded; a reason names the field, never quotes it."""
    from supportkit.errors import UnknownLocaleError
    from supportkit.guard import guard_text
    from supportkit.locales import parse_locale

    if not isinstance(data, dict):
        return Reject(line, None, "not a JSON object")
    raw_id = data.get("id")
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()) or isinstance(raw_id, (dict, list, bool)):
        return Reject(line, None, "missing id")
    record_id = str(raw_id)
    if len(record_id) > MAX_ID_CHARS:
        return Reject(line, None, f"id longer than {MAX_ID_CHARS} characters")
    if _MAY_HOLD_SECRET_RE.search(record_id):  # most ids are numbers or UUIDs: nothing to guard
        record_id = guard_text(record_id).redacted
    text = data.get("text")
    if not isinstance(text, str):
        return Reject(line, record_id, "missing or non-text 'text' field")
    if not text.strip():
        return Reject(line, record_id, "empty text")
    if len(text) > MAX_RECORD_CHARS:
        return Reject(line, record_id, f"text longer than {MAX_RECORD_CHARS} characters")
    lang = data.get("lang")
    if lang is not None and not isinstance(lang, str):
        return Reject(line, record_id, "lang must be text")
    if lang:
        try:
            parse_locale(lang)
        except UnknownLocaleError:
            return Reject(line, record_id, "lang is not a locale code (such as zh, en, es-419)")
    conversation = next((str(data[k]) for k in CONVERSATION_FIELDS if data.get(k) not in (None, "")), None)
    return Record(line, record_id, text, lang or None, conversation)


def with_conversations(records: Iterator[Record], window: int = CONVERSATION_WINDOW) -> Iterator[Record]:
    """``records`` in order, each with the other messages of its conversation that stand within
    ``window`` records before or after it (``before``/``after``), for the guard: a phrase sent
    over several chat messages is found and every part redacted. Records without a
    conversation pass through as they are; a record waits for at most ``window`` more."""
    from dataclasses import replace

    pending: deque[Record] = deque()
    done: deque[Record] = deque(maxlen=window)

    def context(record: Record) -> Record:
        if record.conversation is None:
            return record
        before = tuple(r.text for r in done if r.conversation == record.conversation)
        after = tuple(r.text for r in pending if r.conversation == record.conversation)
        if not before and not after:
            return record
        return replace(record, before=before[-STREAM_CONTEXT:], after=after[:STREAM_CONTEXT])

    for record in records:
        pending.append(record)
        if len(pending) > window:
            first = pending.popleft()
            yield context(first)
            done.append(first)
    while pending:
        first = pending.popleft()
        yield context(first)
        done.append(first)


def _read_jsonl(stream: BinaryIO) -> Iterator[Record | Reject]:
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        if b"\x00" in raw:
            yield Reject(number, None, "NUL bytes in line")
            continue
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield Reject(number, None, f"invalid UTF-8 at byte {exc.start}")
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Reject(number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        yield _record_from(data, number)


def _read_csv(stream: BinaryIO) -> Iterator[Record | Reject]:
    csv.field_size_limit(MAX_RECORD_CHARS * 4)
    text_stream = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    try:
        yield from _csv_records(text_stream)
    finally:
        # The caller owns (and closes) the binary stream; a collected wrapper would warn ResourceWarning.
        with contextlib.suppress(ValueError):
            text_stream.detach()


def _csv_records(text_stream: io.TextIOWrapper) -> Iterator[Record | Reject]:
    reader = csv.reader(text_stream)
    try:
        header = next(reader)
    except StopIteration:
        return
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BatchError(f"cannot read the CSV header: {exc}") from None
    columns = [h.strip().lower() for h in header]
    if "id" not in columns or "text" not in columns:
        raise BatchError("CSV needs a header with id and text columns", None,
                         f"Found: {', '.join(columns) or 'nothing'}.")
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            # The decoder cannot resume inside the stream: report and stop, nothing silently dropped.
            yield Reject(line, None, f"invalid UTF-8 ({exc.reason}); the rest of the file was not read")
            return
        except csv.Error as exc:
            yield Reject(line, None, f"malformed CSV: {exc}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            yield Reject(line, None, f"expected {len(columns)} columns, found {len(row)}")
            continue
        yield _record_from(dict(zip(columns, row, strict=True)), line)


# --- per-record work (runs in worker processes) -----------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(config: Config) -> None:
    from supportkit.matching import use_numpy
    from supportkit.pipeline import library_for

    _WORKER["config"] = config
    _WORKER["library"] = library_for(config)
    use_numpy()  # many messages follow: worth NumPy's import time (same results)


def _init_pool_worker(config: Config, parent: int) -> None:
    """``_init_worker`` in a worker process that dies with the batch process."""
    _die_with_parent(parent)
    _init_worker(config)


def _die_with_parent(parent: int) -> None:
    """On Linux, have the kernel kill this worker when the batch process dies (kill -9 included).

    Otherwise an orphaned worker finishes its chunk for nobody, then prints multiprocessing's
    BrokenPipeError traceback on the terminal.
    """
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the batch process died before the line above
        os._exit(1)


def process_record(record: Record, config: Config, library: Any = None) -> dict[str, Any]:
    """The drafted reply for one record, as an output row (raises SupportkitError on bad input)."""
    from supportkit.pipeline import process_message

    return _row(record, process_message(record.text, config, lang=record.lang, library=library,
                                        previous=record.before, following=record.after))


def process_records(records: Sequence[Record], config: Config, library: Any = None) -> list[dict[str, Any] | SupportkitError]:
    """``process_record`` of each record, the error in its place for one that cannot be processed.

    The same rows as one by one; the records are classified together (``process_messages``).
    """
    from supportkit.pipeline import process_messages

    results = process_messages([(record.text, record.lang) for record in records], config, library=library,
                               contexts=[(record.before, record.after) for record in records])
    return [result if isinstance(result, SupportkitError) else _row(record, result)
            for record, result in zip(records, results, strict=True)]


def _row(record: Record, reply: Any) -> dict[str, Any]:
    result = reply.to_dict()
    row = {key: result[key] for key in OUTPUT_FIELDS if key in result}
    row["id"] = record.id
    row["line"] = record.line
    return row


def _work(record: Record) -> tuple[str, Any]:
    """(``ok``, output line) or (``reject``, reason): a worker never raises for one bad record.

    The line is encoded here, in the worker, so the parent only writes it.
    """
    try:
        return "ok", encode_row(process_record(record, _WORKER["config"], _WORKER["library"]))
    except SupportkitError as exc:
        return "reject", exc.format_message()
    except Exception as exc:  # noqa: BLE001 - one broken record must not stop the run
        from supportkit.guard import scan

        # An exception message may quote the record: no secret reaches the rejects file through it.
        return "reject", scan(f"internal error: {type(exc).__name__}: {exc}"[:2000]).redacted


def _work_chunk(records: list[Record]) -> list[tuple[str, Any]]:
    """``_work`` for each record of a chunk (one round trip to a worker process), classified together."""
    try:
        return [("reject", result.format_message()) if isinstance(result, SupportkitError) else ("ok", encode_row(result))
                for result in process_records(records, _WORKER["config"], _WORKER["library"])]
    except Exception:  # noqa: BLE001 - then one by one: a record that breaks is rejected alone
        return [_work(record) for record in records]


# --- output ------------------------------------------------------------------------


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""One encoder for every row (``json.dumps`` with options builds a new one per call)."""


def encode_row(row: dict[str, Any]) -> bytes:
    """One JSON Lines record, as written to the output and rejects files."""
    return (_ENCODER.encode(row) + "\n").encode()


class AppendOnly:
    """A JSON Lines file written one whole record per ``write`` call (O_APPEND)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write(self, row: dict[str, Any]) -> None:
        self.write_line(encode_row(row))

    def write_line(self, data: bytes) -> None:
        """Append encoded records (``encode_row``; one, or several joined) in one write."""
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]

    def close(self) -> None:
        os.close(self.fd)


def done_entries(path: Path) -> tuple[dict[str, int], set[int], bool]:
    """``({id: line}, {line}, repaired)`` of an output or rejects file, after cutting a torn last line."""
    if not path.exists():
        return {}, set(), False
    ids: dict[str, int] = {}
    lines: set[int] = set()
    good_end = 0
    repaired = False
    with path.open("rb") as handle:
        offset = 0
        for raw in handle:
            offset += len(raw)
            if not raw.endswith(b"\n"):
                repaired = True
                break
            try:
                row = json.loads(raw)
            except ValueError:
                repaired = True
                break
            if isinstance(row, dict) and isinstance(row.get("line"), int):
                lines.add(row["line"])
                if row.get("id") is not None:
                    ids[str(row["id"])] = row["line"]
            good_end = offset
    if repaired:
        with path.open("r+b") as handle:
            handle.truncate(good_end)
    return ids, lines, repaired


def run_batch(
    source: Path,
    out: Path,
    config: Config,
    *,
    fmt: str | None = None,
    rejects: Path | None = None,
    jobs: int = 1,
    resume: bool = False,
    engine: str = "local",
    progress: Callable[[int], None] | None = None,
    scheduler: str | None = None,
) -> BatchReport:
    """Process the export at ``source`` into ``out`` (JSON Lines) and ``rejects``."""
    import time

    started = time.perf_counter()
    fmt = input_format(source, fmt)
    rejects = rejects or out.with_name(out.name + ".rejects.jsonl")
    if out.resolve() == source.resolve() or rejects.resolve() == source.resolve():
        raise BatchError("the output would overwrite the input", str(out), "Choose another --out.")
    if out.exists() and not resume:
        raise BatchError(f"{out} already exists", None, "Use --resume to continue it, or choose a new --out.")
    if jobs < 1:
        raise BatchError("--jobs must be at least 1")
    report = BatchReport(output=str(out), rejects=str(rejects))
    written_ids: dict[str, int] = {}
    rejected_lines: set[int] = set()
    if resume:
        written_ids, _lines, repaired_out = done_entries(out)
        _ids, rejected_lines, repaired_rejects = done_entries(rejects)
        report.repaired = repaired_out or repaired_rejects
    try:
        handle = open(source, "rb")  # noqa: SIM115 - closed in finally, streamed below
    except OSError as exc:
        raise BatchError(f"cannot read {source}: {exc.strerror}") from None
    writer = AppendOnly(out)
    reject_writer = AppendOnly(rejects)
    done: list[bytes] = []
    try:
        pending = with_conversations(_pending(read_records(handle, fmt), written_ids, rejected_lines, report,
                                              reject_writer, handle, progress))
        if engine == "dask":
            from supportkit.batch_dask import run_dask

            results = run_dask(pending, config, scheduler)
        else:
            results = _run_local(pending, config, jobs)
        for record, (status, value) in results:
            if status == "ok":
                # Whole records, CHUNK_SIZE to a write: one system call per record was a third
                # of the parent's work. A kill loses at most the unwritten ones; --resume redoes them.
                done.append(value)
                report.written += 1
                if len(done) >= CHUNK_SIZE:
                    writer.write_line(b"".join(done))
                    done.clear()
            else:
                reject_writer.write(Reject(record.line, record.id, value).to_dict())
                report.rejected += 1
    finally:
        if done:  # complete records (an interrupted run keeps them)
            writer.write_line(b"".join(done))
        writer.close()
        reject_writer.close()
        handle.close()
    report.seconds = time.perf_counter() - started
    return report


def _pending(items: Iterator[Record | Reject], written_ids: dict[str, int], rejected_lines: set[int],
             report: BatchReport, reject_writer: AppendOnly, handle: Any,
             progress: Callable[[int], None] | None) -> Iterator[Record]:
    """Records still to do. Input-level rejects and duplicate ids are written here, in input order;
    on resume, a line already written (same id, same line) or already rejected is skipped."""
    last_position = 0
    run_ids: set[str] = set()
    for item in items:
        report.read += 1
        if progress is not None:
            try:
                position = handle.tell()
            except (OSError, ValueError):
                position = last_position
            if position > last_position:
                progress(position - last_position)
                last_position = position
        if item.line in rejected_lines or (isinstance(item, Record) and written_ids.get(item.id) == item.line):
            report.skipped += 1
            continue
        if isinstance(item, Record) and (item.id in run_ids or item.id in written_ids):
            item = Reject(item.line, item.id, "duplicate id (first seen on an earlier line)")
        if isinstance(item, Reject):
            reject_writer.write(item.to_dict())
            report.rejected += 1
            continue
        run_ids.add(item.id)
        yield item


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _run_local(records: Iterator[Record], config: Config, jobs: int) -> Iterator[tuple[Record, tuple[str, Any]]]:
    if jobs == 1:
        _init_worker(config)
        for chunk in _chunks(records, CHUNK_SIZE):
            yield from zip(chunk, _work_chunk(chunk), strict=True)
        return
    import multiprocessing

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(jobs, initializer=_init_pool_worker, initargs=(config, os.getpid())) as pool:
        # A bounded queue of chunks keeps memory flat and every worker busy (no barrier
        # between windows); results are taken in submission order, so output is input order.
        in_flight: deque[tuple[list[Record], Any]] = deque()
        for chunk in _chunks(records, CHUNK_SIZE):
            in_flight.append((chunk, pool.apply_async(_work_chunk, (chunk,))))
            if len(in_flight) >= CHUNKS_IN_FLIGHT_PER_JOB * jobs:
                done, outcomes = in_flight.popleft()
                yield from zip(done, outcomes.get(), strict=True)
        while in_flight:
            done, outcomes = in_flight.popleft()
            yield from zip(done, outcomes.get(), strict=True)

"""``supportkit batch``: a ticket export in, one drafted reply per record out, nothing lost.

- Streaming: records are read, processed and written with a bounded number in flight, so memory
  stays flat however long the export is (only the set of seen ids grows).
- Output is appended in whole records (up to CHUNK_SIZE to a ``write``) on an append-only
  descriptor, so a kill at any moment leaves a file of complete records; ``--resume`` redoes
  the ones not yet written and also repairs a torn last line left by a crash of the machine.
  Which files a run wrote, the lock, and the refusals are in ``batch_output``.
- A record that cannot be read or processed goes to the rejects file with its line number and
  reason (``batch_records`` reads each under its own limits). At the end
  ``read == written + rejected (+ skipped on resume)``.
- The exit code tells a complete run (0) from a partial one (``EXIT_PARTIAL``: some records
  rejected, none lost) and a failed one (1: the run could not start or stopped early).
- Output order is input order whatever ``--jobs`` is, so runs are comparable line by line.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportkit.batch.output import AppendOnly, BatchOutputs, done_entries, encode_row, open_outputs
from supportkit.batch.records import (
    CONVERSATION_FIELDS,
    MAX_ID_CHARS,
    MAX_LINE_BYTES,
    MAX_RECORD_CHARS,
    Record,
    Reject,
    read_records,
)
from supportkit.batch.worker import (
    RowMaker,
    chunks,
    init_pool_worker,
    init_worker,
    process_record,
    process_records,
    settled_collector,
    work_chunk,
)
from supportkit.config import Config
from supportkit.errors import N_, BatchError, N_plural

__all__ = ["CONVERSATION_FIELDS", "MAX_ID_CHARS", "MAX_LINE_BYTES", "MAX_RECORD_CHARS", "AppendOnly", "BatchReport",
           "Record", "Reject", "done_entries", "encode_row", "process_record", "process_records", "read_records",
           "run_batch", "with_conversations"]

EXIT_PARTIAL = 3
"""Exit code of a run that went to the end with some records rejected (1 is a failed run)."""
STREAM_CONTEXT = 24
"""Messages of the same conversation read with a record on each side (the guard's window)."""
CHUNK_SIZE = 32
"""Records sent to a worker process at a time (fewer round trips, still a fine-grained balance)."""
CHUNKS_IN_FLIGHT_PER_JOB = 4
"""Chunks queued per worker: enough that none waits for the next, few enough to keep memory flat."""

CONVERSATION_WINDOW = 64
"""Records read ahead to find the other messages of a conversation (memory stays bounded)."""


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
    rejected_before: int = 0
    """Of the skipped records, those an earlier run (resumed) rejected."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """``complete`` (every record written) or ``partial`` (some rejected, now or by the resumed run)."""
        return "partial" if self.rejected or self.rejected_before else "complete"

    @property
    def exit_code(self) -> int:
        return EXIT_PARTIAL if self.status == "partial" else 0

    def to_dict(self) -> dict[str, Any]:
        return {"read": self.read, "written": self.written, "rejected": self.rejected, "skipped": self.skipped,
                "rejected_before": self.rejected_before, "status": self.status,
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
    raise BatchError(N_("cannot tell the format of {name}"), None, N_("Name it .jsonl or .csv, or pass --format."),
                     name=path.name)


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


# --- the run ---------------------------------------------------------------------


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
    insecure_scheduler: bool = False,
    columns: Mapping[str, str] | None = None,
    keep: Sequence[str] = (),
    row: RowMaker | None = None,
) -> BatchReport:
    """Process the export at ``source`` into ``out`` (JSON Lines) and ``rejects``.

    Raises BatchError when the run cannot start (output locked by another run, not ours on
    resume, the input itself ...) or stops early (a read or write error): what was written stays,
    and ``--resume`` continues. Rejected records do not raise: see ``BatchReport.status``.

    ``columns`` and ``keep``: the export's column names and other columns to read (``read_records``);
    ``row``: what is written for each record (default ``output_row``, the drafted reply). The Dask
    engine writes the default rows only.
    """
    import time

    started = time.perf_counter()
    fmt = input_format(source, fmt)
    rejects = rejects or out.with_name(out.name + ".rejects.jsonl")
    if jobs < 1:
        raise BatchError(N_("--jobs must be at least 1"))
    if row is not None and engine != "local":
        raise BatchError(N_("custom output rows need the local engine"))
    if engine == "dask" and scheduler:
        from supportkit.batch.dask_engine import check_scheduler_address

        check_scheduler_address(scheduler, insecure_scheduler)
    try:
        handle = open(source, "rb")  # noqa: SIM115 - closed in finally, streamed below
    except OSError as exc:
        raise BatchError(N_("cannot read {path}: {reason}"), path=str(source), reason=exc.strerror) from None
    try:
        outputs = open_outputs(handle.fileno(), source, out, rejects, resume=resume)
    except BaseException:
        handle.close()
        raise
    report = BatchReport(output=str(out), rejects=str(rejects), repaired=outputs.repaired)
    done: list[bytes] = []
    position = _Position(handle)
    try:
        pending = with_conversations(_pending(read_records(handle, fmt, columns=columns, keep=keep), outputs, report, position, progress))
        if engine == "dask":
            from supportkit.batch.dask_engine import run_dask

            results = run_dask(pending, config, scheduler, insecure=insecure_scheduler)
        else:
            results = _run_local(pending, config, jobs, row)
        for record, (status, value) in results:
            if status == "ok":
                # Whole records, CHUNK_SIZE to a write: one system call per record was a third
                # of the parent's work. A kill loses at most the unwritten ones; --resume redoes them.
                done.append(value)
                report.written += 1
                if len(done) >= CHUNK_SIZE:
                    outputs.writer.write_line(b"".join(done))
                    done.clear()
            else:
                outputs.reject_writer.write(Reject(record.line, record.id, value).to_dict())
                report.rejected += 1
        if done:
            outputs.writer.write_line(b"".join(done))
            done.clear()
    except OSError as exc:
        raise BatchError(N_("the run stopped after line {number}: {reason}"), str(exc.filename or out),
                         N_("Records before it are written; fix the problem and run again with --resume."),
                         number=position.line, reason=str(exc.strerror or exc)) from None
    finally:
        if done:  # complete records (an interrupted run keeps them)
            with contextlib.suppress(OSError):  # the error that stopped the run is the one reported
                outputs.writer.write_line(b"".join(done))
        outputs.close()
        handle.close()
    if report.read != report.written + report.rejected + report.skipped:
        lost = report.read - report.written - report.rejected - report.skipped
        raise BatchError(N_plural("{count} record was read but neither written nor rejected",
                                  "{count} records were read but neither written nor rejected", lost),
                         str(out), N_("Run again with --resume."))
    report.seconds = time.perf_counter() - started
    return report


class _Position:
    """How far the input was read (for progress, and to say where a failed run stopped)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.bytes = 0
        self.line = 0


def _pending(items: Iterator[Record | Reject], outputs: BatchOutputs, report: BatchReport, position: _Position,
             progress: Callable[[int], None] | None) -> Iterator[Record]:
    """Records still to do. Input-level rejects and duplicate ids are written here, in input order;
    on resume, a line already written (same id, same line) or already rejected is skipped."""
    written_ids, rejected_lines = outputs.done_out.ids, outputs.done_rejects.lines
    reject_writer = outputs.reject_writer
    run_ids: set[str] = set()
    for item in items:
        report.read += 1
        position.line = item.line
        if progress is not None:
            try:
                now = position.handle.tell()
            except (OSError, ValueError):
                now = position.bytes
            if now > position.bytes:
                progress(now - position.bytes)
                position.bytes = now
        if item.line in rejected_lines:
            report.skipped += 1
            report.rejected_before += 1
            continue
        if isinstance(item, Record) and written_ids.get(item.id) == item.line:
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


def _run_local(records: Iterator[Record], config: Config, jobs: int,
               row: RowMaker | None = None) -> Iterator[tuple[Record, tuple[str, Any]]]:
    if jobs == 1:
        init_worker(config, row)
        with settled_collector():
            for chunk in chunks(records, CHUNK_SIZE):
                yield from zip(chunk, work_chunk(chunk), strict=True)
        return
    import multiprocessing

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(jobs, initializer=init_pool_worker, initargs=(config, os.getpid(), row)) as pool:
        # A bounded queue of chunks keeps memory flat and every worker busy (no barrier
        # between windows); results are taken in submission order, so output is input order.
        in_flight: deque[tuple[list[Record], Any]] = deque()
        for chunk in chunks(records, CHUNK_SIZE):
            in_flight.append((chunk, pool.apply_async(work_chunk, (chunk,))))
            if len(in_flight) >= CHUNKS_IN_FLIGHT_PER_JOB * jobs:
                done, outcomes = in_flight.popleft()
                yield from zip(done, outcomes.get(), strict=True)
        while in_flight:
            done, outcomes = in_flight.popleft()
            yield from zip(done, outcomes.get(), strict=True)

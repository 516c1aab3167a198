"""The per-record work of ``supportkit batch``, in whichever process runs it (local pool or Dask).

A worker is set up once (``init_worker``: configuration, the template library, NumPy scoring)
and then turns records into encoded output lines (``work``, ``work_chunk``): a worker never
raises for one bad record; it returns ``("reject", reason)`` with any secret redacted.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from supportkit.batch.output import encode_row
from supportkit.batch.records import Record
from supportkit.config import Config
from supportkit.errors import SupportkitError

OUTPUT_FIELDS = ("id", "line", "language", "confidence", "intent", "intents", "urgent", "urgency_reasons",
                 "secret_found", "scam_signals", "template", "locale", "fallback", "subject", "text")
"""The fields of an output row, in this order."""

_STATE: dict[str, Any] = {}

GC_FIRST_GENERATION = 20_000
"""Allocations between two young-generation collections in a worker (Python's default is 700).

A record allocates thousands of short-lived objects and almost never a reference cycle; with the
default, the collector ran every few records and, every tenth time or so, walked the loaded
models too (about 4% of a worker's time). The models are moved out of its reach (``gc.freeze``)
once the first chunk has loaded them. Answers do not depend on when the collector runs."""


def reset_worker() -> None:
    """Forget the worker's configuration and library (the next ``ensure_worker`` loads them again)."""
    _STATE.clear()


def ensure_worker(config: Config) -> Any:
    """The template library of a worker set up for ``config`` (set up now if it is not)."""
    if _STATE.get("config") != config:
        init_worker(config)
    return _STATE["library"]


RowMaker = Callable[[Any, Any], dict[str, Any]]
"""``(record, reply) -> output row``: ``output_row`` for batch; ``supportkit report`` writes labels."""


def init_worker(config: Config, row: RowMaker | None = None) -> None:
    from supportkit.library.store import library_for
    from supportkit.matching import use_numpy

    _STATE["config"] = config
    _STATE["row"] = row or output_row
    _STATE["library"] = library_for(config)
    use_numpy()  # many messages follow: worth NumPy's import time (same results)


def init_pool_worker(config: Config, parent: int, row: RowMaker | None = None) -> None:
    """``init_worker`` in a worker process that dies with the batch process."""
    die_with_parent(parent)
    init_worker(config, row)
    _settle_collector()


@contextlib.contextmanager
def settled_collector() -> Iterator[None]:
    """The garbage collector tuned for a run of records in this process, as it was afterwards
    (``batch --jobs 1`` works in the batch process itself)."""
    threshold = gc.get_threshold()
    _settle_collector()
    try:
        yield
    finally:
        _STATE.pop("freeze", None)
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _settle_collector() -> None:
    gc.set_threshold(GC_FIRST_GENERATION, *gc.get_threshold()[1:])
    _STATE["freeze"] = True  # after the first chunk (``work_chunk``), when the models are loaded


def die_with_parent(parent: int) -> None:
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


def process_record(record: Record, config: Config, library: Any = None, row: RowMaker | None = None) -> dict[str, Any]:
    """The drafted reply for one record, as an output row (raises SupportkitError on bad input)."""
    from supportkit.pipeline import process_message

    return (row or output_row)(record, process_message(record.text, config, lang=record.lang, library=library,
                                        previous=record.before, following=record.after))


def process_records(records: Sequence[Record], config: Config, library: Any = None,
                    row: RowMaker | None = None) -> list[dict[str, Any] | SupportkitError]:
    """``process_record`` of each record, the error in its place for one that cannot be processed.

    The same rows as one by one; the records are classified together (``process_messages``).
    """
    from supportkit.pipeline import process_messages

    results = process_messages([(record.text, record.lang) for record in records], config, library=library,
                               contexts=[(record.before, record.after) for record in records])
    make = row or output_row
    return [result if isinstance(result, SupportkitError) else make(record, result)
            for record, result in zip(records, results, strict=True)]


def output_row(record: Any, reply: Any) -> dict[str, Any]:
    """The output row of ``reply`` (a ``ReplyResult``) for ``record`` (anything with ``id`` and ``line``)."""
    result = reply.to_dict()
    row = {key: result[key] for key in OUTPUT_FIELDS if key in result}
    row["id"] = record.id
    row["line"] = record.line
    return row


def work(record: Record) -> tuple[str, Any]:
    """(``ok``, output line) or (``reject``, reason): a worker never raises for one bad record.

    The line is encoded here, in the worker, so the parent only writes it.
    """
    try:
        return "ok", encode_row(process_record(record, _STATE["config"], _STATE["library"], _STATE.get("row")))
    except SupportkitError as exc:
        return "reject", exc.message
    except Exception as exc:  # noqa: BLE001 - one broken record must not stop the run
        from supportkit.guard import scan

        # An exception message may quote the record: no secret reaches the rejects file through it.
        return "reject", scan(f"internal error: {type(exc).__name__}: {exc}"[:2000]).redacted


def work_chunk(records: list[Record]) -> list[tuple[str, Any]]:
    """``work`` for each record of a chunk (one round trip to a worker process), classified together."""
    try:
        return [("reject", result.message) if isinstance(result, SupportkitError) else ("ok", encode_row(result))
                for result in process_records(records, _STATE["config"], _STATE["library"], _STATE.get("row"))]
    except Exception:  # noqa: BLE001 - then one by one: a record that breaks is rejected alone
        return [work(record) for record in records]
    finally:
        if _STATE.pop("freeze", False):
            gc.freeze()


def chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

"""The labels file: what the pipeline said of each message of an export, so a report never labels twice.

``label_export`` runs ``batch.run_batch`` (the same reader, pipeline, workers, rejects and
``--resume`` as ``supportkit batch``) with ``labels_row`` as the output row: the labels (language,
intent, urgency, secret found, template, whether the locale has a native one, needs review),
the export's other columns checked by ``columns.clean_value`` (timestamps, rating, channel), and
the message as redacted by the guard, then of e-mail addresses and phone numbers. Never the raw
message, never a cache: it is a file the user named (default ``EXPORT.labels.jsonl``), kept
beside the export, and deleting it only means labelling again.

The labels file is continued, never overwritten: a later run labels only the records not in it
(a grown export). A small stamp (``LABELS.supportkit-report``) records the export a complete run
read (size, modification time, inode) and the column mapping it read it with: when the export has
not changed since, nothing is read again; when the mapping has, the run refuses (the rows hold
the columns read then).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supportkit.config import Config
from supportkit.report.columns import META_COLUMNS, clean_value
from supportkit.report.privacy import redact_contacts

LABEL_FIELDS = ("id", "line", "ticket", "language", "intent", "urgent", "secret_found", "needs_review", "template",
                "locale", "native", "text", *META_COLUMNS)
"""The fields of a labels row, in this order (docs/report.md)."""
MAX_LABEL_TEXT = 1_000
"""Characters of the redacted message kept (enough to group and to quote an example)."""
STAMP_SUFFIX = ".supportkit-report"


def labels_row(record: Any, reply: Any) -> dict[str, Any]:
    """The labels of one record (a ``batch.Record``) from the pipeline's ``ReplyResult``."""
    fields = dict(record.fields)
    row: dict[str, Any] = {
        "id": record.id, "line": record.line, "ticket": record.conversation or record.id,
        "language": reply.language, "intent": reply.intent, "urgent": reply.urgent,
        "secret_found": reply.secret_found, "needs_review": reply.needs_review,
        "template": reply.reply.template, "locale": reply.reply.locale,
        "native": not reply.reply.fallback and not reply.reply.converted_from,
        "text": redact_contacts(reply.message[:MAX_LABEL_TEXT]),
    }
    for column in META_COLUMNS:
        row[column] = clean_value(column, fields.get(column))
    return row


@dataclass
class LabelRun:
    """What labelling an export did: records read, labelled now, rejected (now and before)."""

    labels: Path
    rejects: Path
    read: int = 0
    labelled_now: int = 0
    rejected: int = 0
    skipped: bool = False
    """True when the export had not changed since a complete run: nothing was read."""


def default_labels_path(export: Path) -> Path:
    return export.with_name(export.name + ".labels.jsonl")


def _stamp_of(path: Path) -> dict[str, int]:
    info = path.stat()
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "inode": info.st_ino}


def _read_stamp(stamp: Path) -> dict[str, Any]:
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def label_export(export: Path, config: Config, *, labels: Path | None = None, fmt: str | None = None,
                 columns: Mapping[str, str] | None = None, jobs: int = 1,
                 progress: Callable[[int], None] | None = None) -> LabelRun:
    """Label the records of ``export`` not yet in the labels file (raises BatchError as ``run_batch`` does)."""
    from supportkit.batch import run_batch

    labels = labels or default_labels_path(export)
    rejects = labels.with_name(labels.name + ".rejects.jsonl")
    stamp = labels.with_name(labels.name + STAMP_SUFFIX)
    recorded = _read_stamp(stamp)
    mapping = dict(columns or {})
    if labels.is_file() and recorded and recorded.get("columns", {}) != mapping:
        from supportkit.errors import N_, ReportError

        raise ReportError(N_("{name} was written with other column settings ([report.columns])"), str(labels),
                          N_("Its rows hold the columns read then: delete it to label again, or choose another "
                             "--labels."), name=labels.name)
    if (labels.is_file() and recorded.get("export") == _stamp_of(export)
            and recorded.get("labels") == _stamp_of(labels) and isinstance(recorded.get("read"), int)):
        return LabelRun(labels, rejects, read=recorded["read"], rejected=int(recorded.get("rejected", 0)), skipped=True)
    resume = labels.exists() or rejects.exists()
    keep = tuple(column for column in META_COLUMNS)
    report = run_batch(export, labels, config, fmt=fmt, rejects=rejects, jobs=jobs, resume=resume,
                       progress=progress, columns=columns, keep=keep, row=labels_row)
    run = LabelRun(labels, rejects, read=report.read, labelled_now=report.written,
                   rejected=report.rejected + report.rejected_before)
    mark_complete(export, labels, read=run.read, rejected=run.rejected, columns=mapping)
    return run


def mark_complete(export: Path, labels: Path, *, read: int, rejected: int,
                  columns: Mapping[str, str] | None = None) -> None:
    """Record that ``labels`` holds every record of ``export`` as it is now, read with ``columns``
    (the stamp, replaced in one rename)."""
    import contextlib

    from supportkit.files import write_text

    data = {"export": _stamp_of(export), "labels": _stamp_of(labels), "read": read, "rejected": rejected,
            "columns": dict(columns or {})}
    with contextlib.suppress(OSError):  # a missing stamp only means reading the export again
        write_text(labels.with_name(labels.name + STAMP_SUFFIX), json.dumps(data) + "\n")

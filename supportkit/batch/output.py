"""Where ``supportkit batch`` writes: one run at a time, never over its input, resumed only on its own files.

- ``OUT.supportkit-batch``, a small JSON side file next to the output, records which files a run
  wrote (device and inode of the output and the rejects file). ``--resume`` continues only those,
  so the output stays plain JSON Lines and a user's own file is never touched.
- The side file is also the lock: a run holds an advisory lock on it (``flock``; ``msvcrt.locking``
  on Windows) until it ends. The kernel drops the lock when the process dies, so a killed run
  leaves no stale lock, and a second run on the same output refuses at once.
- ``--resume`` cuts only a torn last line (what a crash leaves: no newline at the end); any other
  line that is not a record of ours refuses the run, every file left as it was.
- The output, the rejects file and the side file are never the input: compared by device and
  inode of the open files, so hard links, symlinks and other spellings of a path are caught.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supportkit.errors import N_, BatchError

SIDE_SUFFIX = ".supportkit-batch"
MAX_OUTPUT_LINE_BYTES = 64 * 1024 * 1024
"""Longest line of an output or rejects file read back on resume (rows of ours are far shorter)."""

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""One encoder for every row (``json.dumps`` with options builds a new one per call)."""


def encode_row(row: dict[str, Any]) -> bytes:
    """One JSON Lines record, as written to the output and rejects files."""
    return (_ENCODER.encode(row) + "\n").encode()


class AppendOnly:
    """A JSON Lines file written one whole record per ``write`` call (O_APPEND), on an open descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

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


def _identity(stat: os.stat_result) -> tuple[int, int]:
    return stat.st_dev, stat.st_ino


@dataclass
class Done:
    """What an earlier run of ours already wrote."""

    ids: dict[str, int] = field(default_factory=dict)
    lines: set[int] = field(default_factory=set)
    torn_at: int | None = None
    """Offset of a torn last line to cut, or None."""


def scan_done(path: Path, expected: os.stat_result | None = None) -> Done:
    """The records of an output or rejects file of ours; raises BatchError, changing nothing, when
    a complete line is not one of our records (the file was edited, or is not ours).

    ``expected``: the file must still be this one (the descriptor the run appends to).
    """
    from supportkit.batch.records import physical_lines

    done = Done()
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return done
    except OSError as exc:
        raise BatchError(N_("cannot read {path}: {reason}"), path=str(path), reason=exc.strerror) from None
    with handle:
        if expected is not None and not _same(os.fstat(handle.fileno()), expected):
            raise BatchError(N_("{path} changed while it was opened"), None, N_("Is another program writing it?"),
                             path=str(path))
        offset = 0
        for number, raw in enumerate(physical_lines(handle, MAX_OUTPUT_LINE_BYTES), start=1):
            if raw is not None and not raw.endswith(b"\n"):
                done.torn_at = offset  # the last line, cut by a crash
                break
            row = None
            if raw is not None:
                try:
                    row = json.loads(raw)
                except ValueError:
                    row = None
            if raw is None or not isinstance(row, dict) or type(row.get("line")) is not int:
                raise BatchError(N_("line {number} of {path} is not a record supportkit batch wrote"), None,
                                 N_("The file was changed since the run: --resume leaves it as it is. "
                                    "Choose a new --out."), number=number, path=str(path))
            done.lines.add(row["line"])
            if row.get("id") is not None:
                done.ids[str(row["id"])] = row["line"]
            offset += len(raw)
    return done


def done_entries(path: Path) -> tuple[dict[str, int], set[int], bool]:
    """``({id: line}, {line}, torn)`` of an output or rejects file (nothing is cut here)."""
    done = scan_done(path)
    return done.ids, done.lines, done.torn_at is not None


class _Lock:
    """An exclusive advisory lock on an open file, released when it is closed or the process dies."""

    @staticmethod
    def try_lock(fd: int) -> bool:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt

            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError:
                return False
            return True
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True


@dataclass
class BatchOutputs:
    """The output and rejects files of one run: locked, checked, open for appending."""

    out: Path
    rejects: Path
    side: Path
    side_fd: int
    writer: AppendOnly
    reject_writer: AppendOnly
    done_out: Done
    done_rejects: Done

    @property
    def repaired(self) -> bool:
        return self.done_out.torn_at is not None or self.done_rejects.torn_at is not None

    def close(self) -> None:
        self.writer.close()
        self.reject_writer.close()
        os.close(self.side_fd)  # releases the lock


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return _identity(a) == _identity(b)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None


def refuse_same_files(source_stat: os.stat_result, source: Path, out: Path, rejects: Path) -> None:
    """BatchError when the output, the rejects or the side file is the input, or out is rejects."""
    side = side_file(out)
    for path, option in ((out, "--out"), (rejects, "--rejects"), (side, "--out")):
        stat = _stat(path)
        if (stat is not None and _same(stat, source_stat)) or path.resolve() == source.resolve():
            raise BatchError(N_("the output would overwrite the input"), str(path),
                             N_("It is the input file (through a link or another path). Choose another {option}."),
                             option=option)
    out_stat, rejects_stat = _stat(out), _stat(rejects)
    if out.resolve() == rejects.resolve() or (out_stat and rejects_stat and _same(out_stat, rejects_stat)):
        raise BatchError(N_("--out and --rejects are the same file"), str(out), N_("Choose two different files."))


def side_file(out: Path) -> Path:
    return out.with_name(out.name + SIDE_SUFFIX)


def _read_manifest(fd: int) -> dict[str, Any]:
    os.lseek(fd, 0, os.SEEK_SET)
    data = os.read(fd, 65536)
    try:
        manifest = json.loads(data) if data.strip() else {}
    except ValueError:
        manifest = {}
    return manifest if isinstance(manifest, dict) else {}


def _write_manifest(fd: int, manifest: dict[str, Any]) -> None:
    data = (json.dumps(manifest, indent=1) + "\n").encode()
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    AppendOnly(fd).write_line(data)
    os.fsync(fd)


def _open_side(side: Path, out: Path) -> int:
    """The side file, open and locked (BatchError when another run holds it)."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _attempt in range(3):
        try:
            fd = os.open(side, flags, 0o600)
        except OSError as exc:
            raise BatchError(N_("cannot open {path}: {reason}"), None,
                             N_("It must be a plain file next to --out, writable by you."),
                             path=str(side), reason=exc.strerror) from None
        if not _Lock.try_lock(fd):
            os.close(fd)
            raise BatchError(N_("{path} is being written by another supportkit batch run"), None,
                             N_("Wait for it to end, or choose another --out. (The lock is on {side}; "
                                "it ends with that run.)"), path=str(out), side=str(side))
        # The file we locked must still be the one at the path (not unlinked and replaced meanwhile).
        now = _stat(side)
        if now is not None and _same(now, os.fstat(fd)):
            return fd
        os.close(fd)
    raise BatchError(N_("{path} keeps changing"), None, N_("Is another program writing next to --out?"),
                     path=str(side))


def _open_existing(path: Path, recorded: Any, side: Path, option: str) -> int:
    """An output or rejects file of an earlier run, checked against the side file's record of it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise BatchError(N_("cannot open {path}: {reason}"), path=str(path), reason=exc.strerror) from None
    stat = os.fstat(fd)
    if not isinstance(recorded, list) or tuple(recorded) != _identity(stat):
        os.close(fd)
        raise BatchError(N_("{path} was not written by supportkit batch"), None,
                         N_("{side} has no record of it, so --resume leaves it as it is. "
                            "Choose a new {option} (or delete the file if you no longer need it)."),
                         path=str(path), side=str(side), option=option)
    return fd


def _create(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    except FileExistsError:
        raise BatchError(N_("{path} already exists"), None, N_("Use --resume to continue it, or choose a new --out."),
                         path=str(path)) from None
    except OSError as exc:
        raise BatchError(N_("cannot create {path}: {reason}"), path=str(path), reason=exc.strerror) from None


def open_outputs(source_fd: int, source: Path, out: Path, rejects: Path, *, resume: bool) -> BatchOutputs:
    """Lock ``out`` (through its side file), check both files are ours, cut a torn last line, and
    open them for appending. Every refusal happens before any file is changed."""
    source_stat = os.fstat(source_fd)
    refuse_same_files(source_stat, source, out, rejects)
    side = side_file(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    side_fd = _open_side(side, out)
    fds: list[int] = []
    manifest: dict[str, Any] = {}
    try:
        manifest = _read_manifest(side_fd)
        existing = [path for path in (out, rejects) if os.path.lexists(path)]
        if existing and not resume:
            first = existing[0]
            raise BatchError(N_("{path} already exists"), None,
                             N_("Use --resume to continue it, or choose a new --out.") if first == out else
                             N_("Use --resume to continue the run that wrote it, or choose another --rejects."),
                             path=str(first))
        out_fd = _open_existing(out, manifest.get("out"), side, "--out") if out in existing else _create(out)
        fds.append(out_fd)
        rejects_fd = (_open_existing(rejects, manifest.get("rejects"), side, "--rejects") if rejects in existing
                      else _create(rejects))
        fds.append(rejects_fd)
        for fd, path in ((out_fd, out), (rejects_fd, rejects)):
            if _same(os.fstat(fd), source_stat):
                raise BatchError(N_("the output would overwrite the input"), str(path), N_("Choose another file."))
        done_out = scan_done(out, os.fstat(out_fd)) if out in existing else Done()
        done_rejects = scan_done(rejects, os.fstat(rejects_fd)) if rejects in existing else Done()
        # Nothing was changed so far; from here the files are ours.
        _write_manifest(side_fd, {"written_by": "supportkit batch", "input": str(source.resolve()),
                                  "out": list(_identity(os.fstat(out_fd))),
                                  "rejects": list(_identity(os.fstat(rejects_fd))),
                                  "rejects_path": str(rejects.resolve())})
        for fd, done in ((out_fd, done_out), (rejects_fd, done_rejects)):
            if done.torn_at is not None:
                os.ftruncate(fd, done.torn_at)
    except BaseException:
        for fd in fds:
            os.close(fd)
        if not manifest:  # a side file this refusal created: no trace left (the lock is still ours)
            side.unlink(missing_ok=True)
        os.close(side_fd)
        raise
    return BatchOutputs(out, rejects, side, side_fd, AppendOnly(out_fd), AppendOnly(rejects_fd),
                        done_out, done_rejects)

"""Trust boundaries of ``supportkit batch``: one test per attack of the batch-files report.

One JSONL line of deep nesting, a number of thousands of digits or a lone surrogate aborted the
whole run with a traceback; a bad byte in a CSV record dropped the records after it with a wrong
line number and exit 0; an unterminated quote merged later tickets silently; ``--resume``
truncated any ``--out``/``--rejects`` file at its first non-JSON line; two ``--resume`` runs at
once wrote every record twice; an ``--out`` hard-linked to the input corrupted it; a 300 MB line
took three times its size in memory; ``--engine dask`` sent unguarded records over plain tcp://.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import threading
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from supportkit import batch
from supportkit.batch import Record, Reject, read_records, run_batch, worker
from supportkit.cli import cli
from supportkit.config import Config
from supportkit.errors import BatchError

MAX_LINE_BYTES: int = getattr(batch, "MAX_LINE_BYTES", 8 * 1024 * 1024)
TEXTS = [("en", "my USDT transfer has been pending for 3 hours"), ("es", "hola, no me llegó el depósito"),
         ("fr", "mes USDT sont bloqués, que faire ?"), ("en", "how do I contact support?")]


@pytest.fixture(autouse=True)
def _forget_the_library() -> Any:
    """Later tests (tests/security/test_caches.py) expect a process that has not loaded the library yet."""
    yield
    from supportkit.library.store import forget_loaded_libraries

    forget_loaded_libraries()
    worker.reset_worker()


def good(index: int) -> bytes:
    lang, text = TEXTS[index % len(TEXTS)]
    return json.dumps({"id": f"t{index}", "text": f"{text} #{index}", "lang": lang}).encode()


def jsonl_with(bad: bytes, position: int, count: int = 6) -> bytes:
    """``count`` good records with ``bad`` at 0-based ``position`` (line ``position + 1``)."""
    lines = [good(i) for i in range(count)]
    lines.insert(position, bad)
    return b"".join(line + b"\n" for line in lines)


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- hostile JSON Lines ------------------------------------------------------------------

HOSTILE_LINES = {
    "deep array": b"[" * 100_000,
    "deep object": b'{"a":' * 50_000,
    "deep field": b'{"id": "d", "text": "hello", "meta": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "5,000-digit id": b'{"id": ' + b"9" * 5_000 + b', "text": "hello"}',
    "5,000-digit field": b'{"id": "n", "text": "hello", "n": ' + b"1" * 5_000 + b"}",
    "50,000-digit id": b'{"id": ' + b"7" * 50_000 + b', "text": "hello"}',
    "lone surrogate in id": b'{"id": "\\ud800", "text": "hello"}',
    "lone low surrogate in id": b'{"id": "a\\udfffb", "text": "hello"}',
    "lone surrogate in text": b'{"id": "s", "text": "hello \\udfff there"}',
}


@pytest.mark.parametrize("position", [0, 3, 6], ids=["first", "middle", "last"])
@pytest.mark.parametrize("name", list(HOSTILE_LINES))
def test_a_hostile_jsonl_line_is_one_reject_and_the_run_goes_on(name: str, position: int, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl_with(HOSTILE_LINES[name], position))
    report = run_batch(source, tmp_path / "out.jsonl", Config())
    assert (report.read, report.written, report.rejected) == (7, 6, 1)
    [reject] = rows(tmp_path / "out.jsonl.rejects.jsonl")
    assert reject["line"] == position + 1
    assert not any(piece in json.dumps(reject) for piece in ("[[[", "999", "111", "777", "d800", "dfff", "hello"))
    assert [row["id"] for row in rows(tmp_path / "out.jsonl")] == [f"t{i}" for i in range(6)]


# --- CSV: bad bytes and unterminated quotes -----------------------------------------------


def csv_export(count: int, special: dict[int, bytes] | None = None) -> bytes:
    """A CSV export of ``count`` tickets (record ``k`` on line ``k + 1``), some replaced."""
    special = special or {}
    lines = [b"id,text,lang"]
    for k in range(1, count + 1):
        lines.append(special.get(k, f'{k},"my transfer {k} is pending, please help",en'.encode()))
    return b"\n".join(lines) + b"\n"


def read_csv(data: bytes) -> tuple[list[Record], list[Reject]]:
    items = list(read_records(io.BytesIO(data), "csv"))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Reject)]


@pytest.mark.parametrize("bad", [1, 333, 500, 999, 1000])
@pytest.mark.parametrize("byte", [b"\xe9", b"\xff\xfe", b"\xed\xa0\x80"], ids=["latin-1", "ff-fe", "surrogate"])
def test_a_bad_byte_in_a_csv_record_rejects_that_record_only(bad: int, byte: bytes) -> None:
    data = csv_export(1000, {bad: f'{bad},"caf'.encode() + byte + b' pending",en'})
    records, rejects = read_csv(data)
    assert [(r.line, r.reason.split(" at ")[0]) for r in rejects] == [(bad + 1, "invalid UTF-8")]
    assert [r.id for r in records] == [str(k) for k in range(1, 1001) if k != bad]
    assert [r.line for r in records] == [k + 1 for k in range(1, 1001) if k != bad]


def test_a_bad_byte_inside_a_multiline_field_names_its_line() -> None:
    data = csv_export(10, {5: b'5,"first line\nsecond \xe9 line\nthird",en'})
    records, rejects = read_csv(data)
    assert [(r.line, r.reason) for r in rejects] == [(6, "invalid UTF-8 at byte 7 (line 7)")]
    assert [r.id for r in records] == ["1", "2", "3", "4", "6", "7", "8", "9", "10"]
    assert records[4].line == 9  # after the three lines of record 5


@pytest.mark.parametrize("bad", [1, 50, 199, 200])
@pytest.mark.parametrize("shape", ['{k},"never closed', '{k},never "closed,en', '{k},"closed"" not,en'])
def test_an_unterminated_quote_rejects_its_record_and_later_tickets_survive(bad: int, shape: str) -> None:
    data = csv_export(200, {bad: shape.format(k=bad).encode()})
    records, rejects = read_csv(data)
    if shape == '{k},never "closed,en':  # a quote inside an unquoted field is a character: no harm
        assert len(records) == 200 and not rejects
        return
    assert [r.line for r in rejects] == [bad + 1]
    assert [r.id for r in records] == [str(k) for k in range(1, 201) if k != bad]
    assert all(r.text.startswith("my transfer") and "\n" not in r.text for r in records)


@pytest.mark.parametrize("bad", [1, 3_000])
def test_a_quoted_field_running_past_the_line_limit_ends_as_a_reject(bad: int) -> None:
    from supportkit.batch.records import MAX_CSV_RECORD_LINES

    count = MAX_CSV_RECORD_LINES + 5_000
    records, rejects = read_csv(csv_export(count, {bad: f'{bad},"never closed'.encode()}))
    assert [r.line for r in rejects] == [bad + 1]
    assert len(records) == count - 1
    assert all("\n" not in r.text for r in records)


def test_the_cli_says_partial_for_a_bad_csv_record(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(csv_export(40, {20: b'20,"caf\xe9",en', 30: b'30,"unterminated'}))
    result = CliRunner().invoke(cli, ["batch", str(source), "--out", str(tmp_path / "out.jsonl"), "--json"])
    assert result.exit_code == 3, result.output
    assert json.loads(result.stdout)["status"] == "partial"
    assert [r["line"] for r in rows(tmp_path / "out.jsonl.rejects.jsonl")] == [21, 31]
    assert len(rows(tmp_path / "out.jsonl")) == 38


# --- --resume touches only its own files ----------------------------------------------------

NOTES = "My notes\n\nTo do: call Ana about ticket 42.\n{not json either}\n"


def _own_output_edited(tmp_path: Path, source: Path, which: str) -> Path:
    run_batch(source, tmp_path / "out.jsonl", Config())
    path = tmp_path / ("out.jsonl" if which == "out" else "out.jsonl.rejects.jsonl")
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(len(lines) // 2, b"edited by hand\n")
    path.write_bytes(b"".join(lines))
    return path


@pytest.mark.parametrize("case", ["notes as out", "notes as rejects", "other tool's jsonl as out",
                                  "own out edited", "own rejects edited", "own out replaced by notes"])
def test_resume_refuses_a_file_it_did_not_write_and_leaves_it_alone(case: str, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl_with(b"{broken", 2, count=4))
    out, rejects = tmp_path / "out.jsonl", None
    if case == "notes as out":
        victim = out
        victim.write_text(NOTES, encoding="utf-8")
    elif case == "notes as rejects":
        victim = rejects = tmp_path / "notes.txt"
        victim.write_text(NOTES, encoding="utf-8")
    elif case == "other tool's jsonl as out":
        victim = out
        victim.write_text('{"line": 1, "id": "t0"}\n{"note": "mine"}\nnot json\n', encoding="utf-8")
    elif case == "own out replaced by notes":
        run_batch(source, out, Config())
        victim = out
        out.unlink()
        out.write_text(NOTES, encoding="utf-8")
    else:
        victim = _own_output_edited(tmp_path, source, case.split()[1])
    before = victim.read_bytes()
    args = ["batch", str(source), "--out", str(out), "--resume"] + (["--rejects", str(rejects)] if rejects else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Error:" in result.output
    assert victim.read_bytes() == before


def test_resume_cuts_only_a_torn_last_line_of_its_own_output(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl_with(b"{broken", 2, count=8))
    run_batch(source, tmp_path / "full.jsonl", Config())
    run_batch(source, tmp_path / "out.jsonl", Config())
    full = (tmp_path / "full.jsonl").read_bytes()
    lines = full.splitlines(keepends=True)
    with open(tmp_path / "out.jsonl", "r+b") as handle:  # the same file, as a crash leaves it
        handle.truncate(len(b"".join(lines[:5])) + 9)
    report = run_batch(source, tmp_path / "out.jsonl", Config(), resume=True)
    assert report.repaired and (tmp_path / "out.jsonl").read_bytes() == full


# --- one run at a time -----------------------------------------------------------------------


@pytest.mark.parametrize("second_resume", [True, False])
@pytest.mark.parametrize("first_resume", [False, True])
def test_a_second_run_on_the_same_output_refuses_while_the_first_writes(
        first_resume: bool, second_resume: bool, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(good(i) + b"\n" for i in range(60)))
    out = tmp_path / "out.jsonl"
    if first_resume:  # the first run continues an interrupted one
        (tmp_path / "part.jsonl").write_bytes(b"".join(good(i) + b"\n" for i in range(20)))
        run_batch(tmp_path / "part.jsonl", out, Config())
    reading, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def hold(_bytes: int) -> None:
        reading.set()
        release.wait(60)

    def first() -> None:
        try:
            run_batch(source, out, Config(), resume=first_resume, progress=hold)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert reading.wait(60)
        with pytest.raises(BatchError) as refused:
            run_batch(source, out, Config(), resume=second_resume)
        assert "another supportkit batch run" in str(refused.value) or not second_resume
    finally:
        release.set()
        thread.join(120)
    assert not failures
    ids = [row["id"] for row in rows(out)]
    assert sorted(ids) == sorted(f"t{i}" for i in range(60))  # each record once
    report = run_batch(source, out, Config(), resume=True)  # the lock went with the first run
    assert report.skipped == 60


# --- the input is never an output -------------------------------------------------------------


@pytest.mark.parametrize("resume", [False, True])
@pytest.mark.parametrize("option", ["--out", "--rejects"])
@pytest.mark.parametrize("how", ["same path", "other spelling", "symlink", "hard link"])
def test_an_output_that_is_the_input_is_refused(how: str, option: str, resume: bool, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(good(i) + b"\n" for i in range(5)) + b"{bad\n")
    before = source.read_bytes()
    (tmp_path / "sub").mkdir()
    target = {"same path": source, "other spelling": tmp_path / "sub" / ".." / "in.jsonl",
              "symlink": tmp_path / "link.jsonl", "hard link": tmp_path / "hard.jsonl"}[how]
    if how == "symlink":
        target.symlink_to(source)
    elif how == "hard link":
        os.link(source, target)
    args = ["batch", str(source), "--format", "jsonl", option, str(target)]
    if option == "--rejects":
        args += ["--out", str(tmp_path / "out.jsonl")]
    result = CliRunner().invoke(cli, args + (["--resume"] if resume else []))
    assert result.exit_code == 1, result.output
    assert "would overwrite the input" in result.output
    assert source.read_bytes() == before


# --- a huge line in bounded memory --------------------------------------------------------------


class _Generated(io.RawIOBase):
    """A file made of (bytes, repeat) pieces, produced as it is read (no disk, no big buffer)."""

    def __init__(self, pieces: list[tuple[bytes, int]]) -> None:
        self.pieces = [(chunk, count) for chunk, count in pieces if count]
        self.offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view) and self.pieces:
            chunk, count = self.pieces[0]
            total = len(chunk) * count
            take = min(len(view) - filled, total - self.offset)
            start = self.offset % len(chunk)
            data = (chunk * (take // len(chunk) + 2))[start:start + take]
            view[filled:filled + take] = data
            filled += take
            self.offset += take
            if self.offset == total:
                self.pieces.pop(0)
                self.offset = 0
        return filled


@pytest.mark.parametrize("position", ["first", "middle", "last, no newline"])
@pytest.mark.parametrize("megabytes", [9, 60, 300])
def test_a_huge_line_is_a_reject_read_in_bounded_memory(megabytes: int, position: str) -> None:
    huge = [(b'{"id": "big", "text": "', 1), (b"a" * 65536, megabytes * 16), (b'"}', 1)]
    before = [(good(i) + b"\n", 1) for i in range(3)] if position != "first" else []
    after = [(good(i) + b"\n", 1) for i in range(3, 6)] if position != "last, no newline" else []
    newline = [(b"\n", 1)] if position != "last, no newline" else []
    stream = io.BufferedReader(_Generated(before + huge + newline + after), buffer_size=1 << 20)
    tracemalloc.start()
    try:
        items = list(read_records(stream, "jsonl"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_LINE_BYTES + (8 << 20), f"peak {peak / 2**20:.0f} MiB for a {megabytes} MB line"
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [(r.line, r.reason) for r in rejects] == [(len(before) + 1, f"line longer than {MAX_LINE_BYTES:,} bytes")]
    assert [i.id for i in items if isinstance(i, Record)] == [f"t{i}" for i in range(6)
                                                               if (i < 3) == bool(before) or (i >= 3) == bool(after)]


def test_a_line_over_the_limit_in_a_file_is_rejected_and_the_rest_written(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    with source.open("wb") as handle:
        handle.write(good(0) + b"\n" + b'{"id": "big", "text": "' + b"b" * (MAX_LINE_BYTES + 10) + b'"}\n')
        handle.write(b"".join(good(i) + b"\n" for i in range(1, 4)))
    report = run_batch(source, tmp_path / "out.jsonl", Config())
    assert (report.read, report.written, report.rejected) == (5, 4, 1)
    assert rows(tmp_path / "out.jsonl.rejects.jsonl") == [
        {"line": 2, "id": None, "reason": f"line longer than {MAX_LINE_BYTES:,} bytes"}]


# --- exit codes: complete, partial, failed ------------------------------------------------------


def test_the_exit_code_tells_complete_partial_and_failed(tmp_path: Path) -> None:
    runner = CliRunner()
    clean, dirty = tmp_path / "clean.jsonl", tmp_path / "dirty.jsonl"
    clean.write_bytes(b"".join(good(i) + b"\n" for i in range(3)))
    dirty.write_bytes(jsonl_with(b"[" * 100_000, 1, count=3))
    assert runner.invoke(cli, ["batch", str(clean), "--out", str(tmp_path / "a.jsonl")]).exit_code == 0
    result = runner.invoke(cli, ["batch", str(dirty), "--out", str(tmp_path / "b.jsonl"), "--json"])
    assert result.exit_code == 3 and json.loads(result.stdout)["status"] == "partial"
    result = runner.invoke(cli, ["batch", str(dirty), "--out", str(tmp_path / "b.jsonl"), "--resume", "--json"])
    assert result.exit_code == 3 and json.loads(result.stdout)["rejected_before"] == 1  # still partial
    result = runner.invoke(cli, ["batch", str(dirty), "--out", str(tmp_path / "b.jsonl")])
    assert result.exit_code == 1 and "already exists" in result.output  # failed: nothing done
    help_text = runner.invoke(cli, ["batch", "--help"]).output
    assert "Exit codes: 0 complete" in help_text and "3 partial" in " ".join(help_text.split())


# --- the Dask engine ----------------------------------------------------------------------------


class _FakeFuture:
    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


class _FakeClient:
    """Stands for ``dask.distributed.Client``: records what would leave the process, computes here."""

    addresses: list[str | None] = []
    sent: list[bytes] = []

    def __init__(self, address: Any = None, **_options: Any) -> None:
        _FakeClient.addresses.append(address if isinstance(address, str) else None)

    def scatter(self, value: Any, broadcast: bool = False) -> Any:
        return value

    def submit(self, function: Any, *args: Any, pure: bool = True) -> _FakeFuture:
        _FakeClient.sent.append(pickle.dumps(args[0]))
        return _FakeFuture(function(*args))

    def close(self) -> None:
        pass


class _FakeCluster:
    def __init__(self, **_options: Any) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def fake_dask(monkeypatch: pytest.MonkeyPatch) -> type[_FakeClient]:
    distributed = pytest.importorskip("dask.distributed")
    monkeypatch.setattr(distributed, "Client", _FakeClient)
    monkeypatch.setattr(distributed, "LocalCluster", _FakeCluster)
    _FakeClient.addresses, _FakeClient.sent = [], []
    return _FakeClient


def test_dask_records_are_guarded_before_they_leave_the_process(fake_dask: type[_FakeClient], tmp_path: Path) -> None:
    from tests import secret_samples

    words = secret_samples.phrase("english", 12, seed=3)
    other = secret_samples.phrase("english", 12, seed=4)
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(row) for row in [
        {"id": "a", "text": "hello, my transfer is stuck"},
        {"id": "b", "text": f"my seed is {' '.join(words)} please help"},
        {"id": "c", "text": f"here are my words {' '.join(other[:6])}", "conversation_id": "k"},
        {"id": "d", "text": " ".join(other[6:]), "conversation_id": "k"},
        {"id": "e", "text": "hi", "conversation_id": "m"},
        {"id": "f", "text": f"{' '.join(other)} is what I typed in the airdrop site", "conversation_id": "m"},
    ]) + "\n", encoding="utf-8")
    local = run_batch(source, tmp_path / "local.jsonl", Config())
    remote = run_batch(source, tmp_path / "dask.jsonl", Config(), engine="dask")
    sent = b"".join(fake_dask.sent).decode("utf-8", errors="replace")
    assert fake_dask.sent and "airdrop" in sent  # the records did go out
    assert not secret_samples.leaked(sent, words) and not secret_samples.leaked(sent, other)
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (local.written, local.rejected) == (remote.written, remote.rejected)


@pytest.mark.parametrize("address", ["tcp://10.0.0.5:8786", "10.0.0.5:8786", "tcp://scheduler.example.com:8786",
                                     "ws://203.0.113.9:8786", "tcp://[2001:db8::1]:8786", "TCP://192.168.1.2:8786"])
def test_dask_refuses_a_plain_tcp_scheduler_off_this_machine(address: str, fake_dask: type[_FakeClient],
                                                            tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(good(0) + b"\n")
    runner = CliRunner()
    base = ["batch", str(source), "--engine", "dask", "--scheduler", address]
    result = runner.invoke(cli, [*base, "--out", str(tmp_path / "a.jsonl")])
    assert result.exit_code == 1 and "unencrypted" in result.output and "tls://" in result.output
    assert fake_dask.addresses == [] and not (tmp_path / "a.jsonl").exists()
    result = runner.invoke(cli, [*base, "--out", str(tmp_path / "b.jsonl"), "--insecure-scheduler"])
    assert result.exit_code == 0, result.output
    assert fake_dask.addresses == [address]


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "localhost:8786", "tcp://[::1]:8786",
                                     "tls://10.0.0.5:8786", "tls://scheduler.example.com:8786"])
def test_dask_accepts_loopback_and_tls_schedulers(address: str, fake_dask: type[_FakeClient], tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(good(0) + b"\n")
    report = run_batch(source, tmp_path / "out.jsonl", Config(), engine="dask", scheduler=address)
    assert report.written == 1 and fake_dask.addresses == [address]


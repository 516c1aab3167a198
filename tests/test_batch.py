"""batch: streaming, resumable, nothing silently dropped, same output with any engine or job count."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.batch import done_entries, run_batch
from supportkit.cli import cli
from supportkit.config import Config

MESSAGES = [
    ("en", "my USDT transfer has been pending for 3 hours"),
    ("zh", "我的助记词忘了怎么办"),
    ("es", "hola, no me llegó el depósito desde binance"),
    ("ru", "спасибо, всё работает"),
    ("fr", "mes USDT sont bloqués, que faire ?"),
    ("en", "how do I contact support?"),
]


def write_jsonl(path: Path, count: int, extra: list[str] | None = None) -> Path:
    rows = []
    for i in range(count):
        lang, text = MESSAGES[i % len(MESSAGES)]
        rows.append(json.dumps({"id": f"t{i}", "text": f"{text} #{i}", "lang": lang}, ensure_ascii=False))
    rows.extend(extra or [])
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_counts_add_up_and_bad_lines_are_rejected_with_line_numbers(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", 6, extra=[
        "{not json", json.dumps({"id": "x1"}), json.dumps({"text": "no id"}), json.dumps({"id": "t0", "text": "dup"}),
        json.dumps({"id": "e", "text": "   "}), json.dumps([1, 2]),
    ])
    with source.open("ab") as handle:
        handle.write(b'{"id": "bin", "text": "caf\xe9"}\n')
    report = run_batch(source, tmp_path / "out.jsonl", Config())
    assert (report.read, report.written, report.rejected) == (13, 6, 7)
    assert report.read == report.written + report.rejected
    rejects = {r["line"]: r["reason"] for r in read_rows(tmp_path / "out.jsonl.rejects.jsonl")}
    assert rejects[7].startswith("invalid JSON")
    assert rejects[8] == "missing or non-text 'text' field"
    assert rejects[9] == "missing id"
    assert rejects[10] == "duplicate id (first seen on an earlier line)"
    assert rejects[11] == "empty text"
    assert rejects[12] == "not a JSON object"
    assert rejects[13] == "invalid UTF-8 at byte 26"  # offset of the 0xE9 byte in the line, from 0 like the CLI's
    rows = read_rows(tmp_path / "out.jsonl")
    assert [r["id"] for r in rows] == [f"t{i}" for i in range(6)]
    assert {"intent", "language", "urgent", "secret_found", "template", "locale", "text"} <= set(rows[0])


def test_csv_input(tmp_path: Path) -> None:
    source = tmp_path / "tickets.csv"
    source.write_text('id,text,lang\n1,"hola, ¿dónde está mi USDT?",es\n2,"",en\n3,"line one\nline two",\n',
                      encoding="utf-8")
    report = run_batch(source, tmp_path / "out.jsonl", Config())
    assert (report.read, report.written, report.rejected) == (3, 2, 1)
    assert [r["id"] for r in read_rows(tmp_path / "out.jsonl")] == ["1", "3"]


def test_jobs_two_gives_the_same_output_as_one(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", 600)
    run_batch(source, tmp_path / "one.jsonl", Config(), jobs=1)
    run_batch(source, tmp_path / "two.jsonl", Config(), jobs=2)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_jobs_one_leaves_the_garbage_collector_as_it_was(tmp_path: Path) -> None:
    """--jobs 1 tunes the collector in the batch process itself (worker.GC_FIRST_GENERATION), for its run only."""
    import gc

    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    source = write_jsonl(tmp_path / "in.jsonl", 70)
    run_batch(source, tmp_path / "out.jsonl", Config(), jobs=1)
    assert (gc.get_threshold(), gc.get_freeze_count()) == (threshold, frozen)


def test_existing_output_needs_resume(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", 3)
    (tmp_path / "out.jsonl").write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(source), "--out", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1
    assert "already exists" in result.output and "--resume" in result.output


def test_resume_cuts_a_torn_line_and_finishes_identically(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", 40, extra=["oops"])
    run_batch(source, tmp_path / "full.jsonl", Config())
    full = (tmp_path / "full.jsonl").read_bytes()
    lines = full.splitlines(keepends=True)
    partial = tmp_path / "partial.jsonl"
    run_batch(source, partial, Config())
    with partial.open("r+b") as handle:  # a crash mid-line (resume only repairs a file a run wrote)
        handle.truncate(len(b"".join(lines[:17]) + lines[17][:25]))
    report = run_batch(source, partial, Config(), resume=True)
    assert report.repaired and report.skipped == 18 and report.rejected_before == 1  # the rejects file is whole
    assert partial.read_bytes() == full
    assert (tmp_path / "partial.jsonl.rejects.jsonl").read_text() == (tmp_path / "full.jsonl.rejects.jsonl").read_text()


def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", 4000, extra=["{bad"])
    run_batch(source, tmp_path / "full.jsonl", Config())
    out = tmp_path / "killed.jsonl"
    command = [sys.executable, "-m", "supportkit", "batch", str(source), "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 20_000):
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert out.exists() and out.read_bytes() != (tmp_path / "full.jsonl").read_bytes(), "the run finished too soon"
    for line in out.read_text(encoding="utf-8").splitlines():
        json.loads(line)  # every line on disk is a complete record
    result = CliRunner().invoke(cli, ["batch", str(source), "--out", str(out), "--resume", "--json"])
    assert result.exit_code == 3, result.output  # partial: the "{bad" line is rejected
    assert out.read_bytes() == (tmp_path / "full.jsonl").read_bytes()
    report = json.loads(result.stdout)
    assert report["written"] + report["rejected"] + report["skipped"] == report["read"] == 4001


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers die with the parent on Linux (prctl)")
def test_kill_9_of_a_jobs_2_run_leaves_no_worker_and_prints_nothing(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", 6000)
    out = tmp_path / "killed.jsonl"
    command = [sys.executable, "-m", "supportkit", "batch", str(source), "--out", str(out), "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 20_000):
        time.sleep(0.01)
    workers = [int(pid) for children in Path(f"/proc/{process.pid}/task").glob("*/children")
               for pid in children.read_text().split()]
    assert workers, "no worker process was seen"
    process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.05)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[:1]]
    assert not alive, "workers outlived the killed batch process"
    assert b"Traceback" not in stderr and b"BrokenPipeError" not in stderr


def test_secrets_never_reach_the_output(tmp_path: Path) -> None:
    from tests import secret_samples

    # Single BIP39 words are ordinary English ("reason", "place") and appear in replies;
    # a leak is two consecutive words of the phrase (tests/test_guard_e2e.py covers every kind).
    words = secret_samples.phrase("english", 12, seed=1)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "s", "text": f"please help my seed is {' '.join(words)}"}) + "\n",
                      encoding="utf-8")
    run_batch(source, tmp_path / "out.jsonl", Config())
    data = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    row = json.loads(data)
    assert row["secret_found"] is True and row["urgent"] is True
    assert not secret_samples.leaked(data, words)


def test_missing_input_and_same_path(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["batch", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "file not found" in result.output
    source = write_jsonl(tmp_path / "in.jsonl", 1)
    result = runner.invoke(cli, ["batch", str(source), "--out", str(source), "--resume"])
    assert result.exit_code == 1 and "would overwrite the input" in result.output


def test_done_entries_on_missing_file(tmp_path: Path) -> None:
    assert done_entries(tmp_path / "none.jsonl") == ({}, set(), False)


@pytest.mark.slow
def test_dask_engine_matches_local(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    source = write_jsonl(tmp_path / "in.jsonl", 300, extra=["nope"])
    local = run_batch(source, tmp_path / "local.jsonl", Config())
    remote = run_batch(source, tmp_path / "dask.jsonl", Config(), engine="dask")
    assert (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "dask.jsonl").read_bytes()
    assert (tmp_path / "local.jsonl.rejects.jsonl").read_bytes() == (tmp_path / "dask.jsonl.rejects.jsonl").read_bytes()
    assert (local.read, local.written, local.rejected) == (remote.read, remote.written, remote.rejected)


def _records(texts: list[tuple[str, str | None]]) -> list[object]:
    from supportkit.batch import Record

    return [Record(line, f"r{line}", text, lang) for line, (text, lang) in enumerate(texts, start=1)]


RECORDS = [(text, lang) for lang, text in MESSAGES] + [
    ("   ", None), ("my wallet shows 0 USDT", "es"), ("where is my withdrawal??", None), ("hola", "../etc"),
    ("abandon " * 11 + "about", None), ("我的钱包被盗了，快帮帮我！！", None),
]


def test_records_processed_together_equal_one_by_one() -> None:
    from supportkit.batch import process_record, process_records
    from supportkit.errors import SupportkitError

    config = Config()
    records = _records(RECORDS)
    together = process_records(records, config)
    for record, found in zip(records, together, strict=True):
        try:
            expected: object = process_record(record, config)
        except SupportkitError as exc:
            assert isinstance(found, SupportkitError) and found.format_message() == exc.format_message()
            continue
        assert found == expected
    assert sum(isinstance(f, SupportkitError) for f in together) == 2  # the empty text, the bad locale


def test_a_record_that_breaks_its_chunk_is_rejected_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    import supportkit.detection
    from supportkit import batch
    from supportkit.batch import worker

    worker.init_worker(Config())
    records = _records(RECORDS)
    expected = [worker.work(record) for record in records]
    real_detect = supportkit.detection.detect

    def detect(text: str) -> object:
        if "BOOM" in text:
            raise RuntimeError("detector broke")
        return real_detect(text)

    monkeypatch.setattr(supportkit.detection, "detect", detect)
    found = worker.work_chunk([*records[:3], batch.Record(99, "boom", "BOOM my transfer"), *records[3:]])
    assert found[3] == ("reject", "internal error: RuntimeError: detector broke")
    assert found[:3] + found[4:] == expected  # the others as if nothing happened

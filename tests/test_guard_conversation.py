"""The guard across messages: --previous, --lines with look-ahead, batch conversations, echoed fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.batch import Record, run_batch, with_conversations
from supportkit.cli import cli
from supportkit.config import load_config
from supportkit.guard import guard_message, scan, scan_conversation, scan_stream
from tests import secret_samples as samples


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


WORDS = samples.phrase("english", 12, 61)


def test_a_phrase_split_over_messages_is_found_in_every_part() -> None:
    messages = ["hi, are you there?", "here: " + " ".join(WORDS[:6]), " ".join(WORDS[6:]), "ok?"]
    assert not any(scan(m).secret_found for m in messages[1:3])  # six words alone are not a phrase
    results = scan_conversation(messages)
    assert [r.secret_found for r in results] == [False, True, True, False]
    assert results[1].redacted == "here: [recovery phrase removed]"
    assert results[2].redacted == "[recovery phrase removed]"
    assert not samples.leaked(" ".join(r.redacted for r in results), WORDS)


def test_pieces_with_labels_between_them_and_a_key_in_quarters() -> None:
    messages = ["the words are " + " ".join(WORDS[:4]), "then " + " ".join(WORDS[4:8]),
                "and the last ones: " + " ".join(WORDS[8:])]
    results = scan_conversation(messages)
    assert all(r.secret_found for r in results)
    assert not samples.leaked(" ".join(r.redacted for r in results), WORDS)
    key = samples.hex_key(62)
    quarters = ["my key, part 1:", key[:16], "part 2: " + key[16:32], key[32:48], key[48:]]
    redacted = " ".join(r.redacted for r in scan_conversation(quarters))
    assert all(key[i:i + 16] not in redacted for i in range(0, 64, 16))


def test_unrelated_messages_of_a_conversation_stay_as_they_are() -> None:
    messages = ["my USDT transfer is pending", "since yesterday", "the hash is on tronscan", "thanks"]
    assert [r.redacted for r in scan_conversation(messages)] == messages


def test_scan_stream_finds_one_word_per_line_and_keeps_the_order() -> None:
    lines = ["hello", *WORDS, *(f"ok {i}" for i in range(60))]
    results = list(scan_stream(iter(lines)))
    assert len(results) == len(lines)
    assert all(r.secret_found for r in results[1:13])
    assert [r.redacted for r in results[13:]] == lines[13:]


def test_guard_message_guards_everything_before_cutting_and_with_the_conversation() -> None:
    head = "my transfer is stuck. " * 5000  # 110,000 characters
    read = guard_message(head + " ".join(WORDS))
    assert read.normalized.truncated and read.guarded.secret_found
    assert len(read.text) == 100_000 and not samples.leaked(read.text, WORDS)
    split = guard_message(" ".join(WORDS[6:]), previous=["here: " + " ".join(WORDS[:6])])
    assert split.guarded.secret_found and split.text == "[recovery phrase removed]"


def test_cli_guard_previous_and_lines(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["guard", "--json", "--previous", "here: " + " ".join(WORDS[:6]), " ".join(WORDS[6:])])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["redacted"] == "[recovery phrase removed]"
    streamed = runner.invoke(cli, ["guard", "--lines", "-"], input="\n".join(["hi", *WORDS, "bye"]) + "\n")
    records = [json.loads(line) for line in streamed.stdout.splitlines()]
    assert len(records) == 14 and records[0]["redacted"] == "hi"
    assert all(r["secret_found"] for r in records[1:13])
    assert not samples.leaked(streamed.stdout, WORDS)


def test_cli_reply_previous_and_lines(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["reply", "--json", "--previous", "mis palabras: " + " ".join(WORDS[:6]),
                                 " ".join(WORDS[6:])])
    data = json.loads(result.stdout)
    assert data["secret_found"] and data["message"] == "[recovery phrase removed]"
    assert "secret_found" in data["urgency_reasons"]
    streamed = runner.invoke(cli, ["reply", "--lines", "-"], input="\n".join(WORDS) + "\n")
    records = [json.loads(line) for line in streamed.stdout.splitlines()]
    assert len(records) == 12 and all(r["secret_found"] for r in records)
    assert not samples.leaked(streamed.stdout, WORDS)


def test_a_secret_in_a_template_value_never_reaches_the_reply(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["reply", "--json", "--var", "customer_name=" + " ".join(WORDS),
                                 "my transfer is pending"])
    assert result.exit_code == 0 and not samples.leaked(result.stdout, WORDS)


def test_with_conversations_gives_each_record_its_neighbours_in_a_window() -> None:
    records = [Record(i + 1, str(i), f"m{i}", None, "c" if i % 2 == 0 else "d") for i in range(6)]
    records.append(Record(7, "x", "alone"))
    out = list(with_conversations(iter(records), window=2))
    assert [r.id for r in out] == [r.id for r in records]
    assert out[2].before == ("m0",) and out[2].after == ("m4",)
    assert out[6].before == () and out[6].after == ()


def test_batch_redacts_every_part_and_guards_ids_and_never_quotes_a_bad_field(tmp_path: Path) -> None:
    rows = [
        {"id": "1", "conversation_id": "c1", "text": "my wallet is empty"},
        {"id": "2", "conversation_id": "c2", "text": "my USDT transfer is pending"},
        {"id": "3", "conversation_id": "c1", "text": "first half: " + " ".join(WORDS[:6])},
        {"id": "4", "conversation_id": "c2", "text": "since yesterday"},
        {"id": "5", "conversation_id": "c1", "text": " ".join(WORDS[6:])},
        {"id": " ".join(WORDS), "text": "an id that holds a phrase"},
        {"id": "7", "text": "hola", "lang": "../../secret-" + samples.hex_key(63)},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = run_batch(source, tmp_path / "out.jsonl", load_config())
    assert (report.read, report.written, report.rejected) == (7, 6, 1)
    out = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    rejects = (tmp_path / "out.jsonl.rejects.jsonl").read_text(encoding="utf-8")
    by_id = {row["id"]: row for row in map(json.loads, out.splitlines())}
    assert by_id["3"]["secret_found"] and by_id["5"]["secret_found"] and not by_id["2"]["secret_found"]
    assert "[recovery phrase removed]" in by_id
    assert not samples.leaked(out + rejects, WORDS)
    assert json.loads(rejects) == {"line": 7, "id": "7", "reason": "lang is not a locale code (such as zh, en, es-419)"}

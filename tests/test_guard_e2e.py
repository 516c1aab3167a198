"""End to end: no secret in any output of `reply`, `guard` and `batch`; the reply opens with the notice.

Every generated secret message (phrases in five languages and several formats, hex keys,
WIF, extended and Solana keys, keystores) goes through the real commands; each output
(stdout, stderr, JSON, the batch output and rejects files) is searched for the secret.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from supportkit.guard import redaction_marker, safety_notice
from supportkit.pipeline import greeting_of
from tests import secret_samples as samples

MESSAGES = samples.secret_messages()


@pytest.mark.parametrize(("lang", "message", "pieces"), MESSAGES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MESSAGES)])
def test_reply_json_holds_no_secret_and_reads_greeting_then_notice(runner: CliRunner, lang: str, message: str,
                                                              pieces: list[str]) -> None:
    result = runner.invoke(cli, ["reply", "--json", "--agent-lang", "en", "-"], input=message.encode())
    assert result.exit_code == 0, result.output
    assert not samples.leaked(result.stdout + result.stderr, pieces)
    data = json.loads(result.stdout)
    assert data["secret_found"] is True and data["urgent"] is True
    assert data["urgency_reasons"][0] == "secret_found"
    assert data["language"] == lang and data["locale"] == lang
    greeting = greeting_of(data["text"])
    assert greeting is not None and data["text"].startswith(f"{greeting}\n\n{safety_notice(lang)}\n\n")
    assert data["agent"]["text"].split("\n\n")[1] == safety_notice("en")
    # The echo of the message shows the markers in the customer's language.
    assert all(redaction_marker(f["kind"], lang) in data["message"] for f in data["findings"])


@pytest.mark.parametrize(("lang", "message", "pieces"), MESSAGES[::5])
def test_reply_text_output_holds_no_secret(runner: CliRunner, lang: str, message: str, pieces: list[str]) -> None:
    result = runner.invoke(cli, ["reply", message])
    assert result.exit_code == 0, result.output
    assert not samples.leaked(result.stdout + result.stderr, pieces)
    assert "WARNING: the customer pasted a recovery phrase or private key" in result.stderr
    body = result.stdout.split("\n\n", 1)[1] if result.stdout.startswith("Subject:") else result.stdout
    assert body.split("\n\n")[1] == safety_notice(lang)  # greeting, then the notice


@pytest.mark.parametrize("as_json", [True, False])
def test_guard_command_holds_no_secret(runner: CliRunner, as_json: bool) -> None:
    for _lang, message, pieces in MESSAGES:
        result = runner.invoke(cli, ["guard", *(["--json"] if as_json else []), message])
        assert result.exit_code == 0, result.output
        assert not samples.leaked(result.stdout + result.stderr, pieces), message[:40]
        assert "removed" in (result.stdout + result.stderr)


def test_guard_lines_holds_no_secret(runner: CliRunner) -> None:
    lines = "\n".join(m.replace("\n", " ") for _, m, _ in MESSAGES) + "\n"
    result = runner.invoke(cli, ["guard", "--lines"], input=lines.encode())
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(lines.splitlines()) and all(r["secret_found"] for r in records)
    for _lang, _message, pieces in MESSAGES:
        assert not samples.leaked(result.stdout, pieces)


def _batch_input(tmp_path: Path, fmt: str) -> Path:
    rows = [{"id": f"s{i}", "text": message} for i, (_, message, _) in enumerate(MESSAGES)]
    # Lines that are rejected still must not carry a secret into the rejects file.
    rows.append({"id": "s0", "text": MESSAGES[0][1]})  # duplicate id
    if fmt == "jsonl":
        path = tmp_path / "in.jsonl"
        lines = [json.dumps(r, ensure_ascii=False) for r in rows]
        lines.append('{"id": "broken", "text": "' + MESSAGES[1][1].replace('"', "'").replace("\n", " "))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        path = tmp_path / "in.csv"
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["id", "text"])
        writer.writerows([r["id"], r["text"]] for r in rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_batch_outputs_and_rejects_hold_no_secret(tmp_path: Path, fmt: str) -> None:
    source = _batch_input(tmp_path, fmt)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(source), "--out", str(out), "--json"])
    assert result.exit_code == 3, result.output  # partial: the broken records are rejected
    report = json.loads(result.stdout)
    assert report["written"] == len(MESSAGES) and report["rejected"] >= 1
    written = out.read_text(encoding="utf-8")
    rejects = (tmp_path / "out.jsonl.rejects.jsonl").read_text(encoding="utf-8")
    everything = written + rejects + result.output
    for _lang, _message, pieces in MESSAGES:
        assert not samples.leaked(everything, pieces)
    rows = [json.loads(line) for line in written.splitlines()]
    assert all(row["secret_found"] and row["urgent"] for row in rows)
    for row, (lang, _message, _pieces) in zip(rows, MESSAGES, strict=True):
        assert row["text"].split("\n\n")[1] == safety_notice(lang), row["id"]  # greeting, then the notice

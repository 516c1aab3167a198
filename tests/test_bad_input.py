"""Bad input across every command that reads it: clean errors (exit 1, one line, no traceback) or
a defined result, never a crash. Complements test_cli.py, test_library.py and test_rendering.py,
which cover the library-level cases; here each case goes through the command line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from tests import secret_samples as samples

MIN = Path(__file__).parent / "data" / "replies_min"
TEXT_COMMANDS = [["detect"], ["reply"], ["guard"], ["translate", "--to", "en"]]


@pytest.fixture
def replies(tmp_path: Path) -> Path:
    target = tmp_path / "replies"
    shutil.copytree(MIN, target)
    return target


def clean_error(result: object, starts: str) -> None:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, output  # type: ignore[attr-defined]
    assert output.startswith(starts) or f"\n{starts}" in output, output
    assert "Traceback" not in output


# --- empty, huge, undecodable -------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", " \n\t "])
def test_empty_and_whitespace_only_text(runner: CliRunner, text: str) -> None:
    detected = runner.invoke(cli, ["detect", "--json", text])
    assert detected.exit_code == 0 and json.loads(detected.stdout)["language"] == "und"
    clean_error(runner.invoke(cli, ["reply", text]), "Error: the message is empty.")
    clean_error(runner.invoke(cli, ["reply", "-"], input=text.encode()), "Error: the message is empty.")
    guarded = runner.invoke(cli, ["guard", "--json", text])
    assert guarded.exit_code == 0
    assert json.loads(guarded.stdout) == {"secret_found": False, "precaution": False, "urgent": False,
                                          "findings": [], "scam_signals": [], "redacted": text}


@pytest.mark.parametrize("command", TEXT_COMMANDS, ids=lambda c: c[0])
def test_ten_megabyte_stdin_is_refused_not_cut(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(cli, [*command, "-"], input=b"a" * (10 * 1024 * 1024 + 1))
    clean_error(result, "Error: input is larger than 10 MiB (stdin).")


@pytest.mark.parametrize("command", TEXT_COMMANDS, ids=lambda c: c[0])
def test_invalid_utf8_and_nul_bytes_on_stdin(runner: CliRunner, command: list[str]) -> None:
    clean_error(runner.invoke(cli, [*command, "-"], input=b"hola caf\xe9"),
                "Error: input is not valid UTF-8 (byte 8) (stdin).")
    clean_error(runner.invoke(cli, [*command, "-"], input=b"hola\x00mundo"), "Error: input holds NUL bytes")


def test_lines_mode_names_the_bad_line(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["guard", "--lines"], input=b"fine\nbad \xff\n")
    assert result.exit_code == 1 and "(stdin:2)" in result.output and "Traceback" not in result.output
    assert json.loads(result.stdout.splitlines()[0])["redacted"] == "fine"


def test_a_long_message_is_cut_with_a_note_and_its_secrets_never_pass(runner: CliRunner) -> None:
    words = samples.phrase("english", 12, 21)
    head = "my USDT transfer is pending, please check. " * 2500  # ~107,000 characters: over the cap
    message = f"{' '.join(words)} {head}private key {samples.hex_key(22)}"
    result = runner.invoke(cli, ["reply", "--json", "-"], input=message.encode())
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "message was longer than the processing limit and was cut" in data["notes"]
    assert data["secret_found"] and not samples.leaked(result.stdout, words)
    assert samples.hex_key(22)[:12] not in result.stdout
    guarded = runner.invoke(cli, ["guard", "--json", "-"], input=message.encode())
    assert [f["kind"] for f in json.loads(guarded.stdout)["findings"]] == ["recovery_phrase", "private_key"]


@pytest.mark.parametrize("command", [["guard"], ["reply"], ["translate", "--to", "en"]])
def test_a_message_over_the_hard_limit_is_refused_whole_and_never_echoed(runner: CliRunner, command: list[str]) -> None:
    words = samples.phrase("spanish", 24, 23)
    message = ("hola, ¿cómo estás? " * 60_000)[:1_000_000 - 100] + " " + " ".join(words)
    assert len(message) > 1_000_000
    result = runner.invoke(cli, [*command, "--json", "-"], input=message.encode())
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the message is too long (1,000," in result.stderr and "the limit is 1,000,000" in result.stderr
    assert not samples.leaked(result.output, words) and "hola" not in result.output


def test_a_message_just_under_the_hard_limit_is_guarded_whole(runner: CliRunner) -> None:
    words = samples.phrase("spanish", 24, 23)
    message = ("hola, ¿cómo estás? " * 60_000)[:1_000_000 - 300] + " " + " ".join(words)
    result = runner.invoke(cli, ["guard", "--json", "-"], input=message.encode())
    assert result.exit_code == 0 and json.loads(result.stdout)["secret_found"]
    assert not samples.leaked(result.stdout, words)


# --- invisible characters, template syntax ----------------------------------------------------


def test_bidi_override_and_zero_width_characters(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["reply", "--json", "my transfer \u202eis pending\u200b for hours \u2066ok\u2069"])
    data = json.loads(result.stdout)
    assert result.exit_code == 0
    assert data["message"] == "my transfer is pending for hours ok"
    assert "removed 4 invisible or control character(s)" in data["notes"]
    assert data["language"] == "en"
    # Zero-width characters inside a phrase do not hide it.
    words = samples.phrase("english", 12, 24)
    hidden = " ".join("\u200b".join(w) for w in words)
    for command in (["guard", "--json"], ["reply", "--json"]):
        output = runner.invoke(cli, [*command, f"seed \u202e{hidden}"]).stdout
        assert json.loads(output)["secret_found"] is True
        assert not samples.leaked(output.replace("\u200b", ""), words)


def test_template_syntax_in_customer_text_is_shown_literally(runner: CliRunner, replies: Path) -> None:
    payload = "{{ ''.__class__.__mro__ }} {% for x in range(10**9) %}x{% endfor %} {{ 7*7 }}"
    result = runner.invoke(cli, ["--replies", str(replies), "reply", "--json", f"my transfer is pending {payload}"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert payload in data["message"] and "<class" not in result.stdout and "49" not in data["text"]
    named = runner.invoke(cli, ["--replies", str(replies), "reply", "--json", "--var", f"customer_name={payload}",
                                "my transfer is pending"])
    assert named.exit_code == 0 and payload in json.loads(named.stdout)["text"]


# --- paths: template ids and locale codes -------------------------------------------------


@pytest.mark.parametrize("args", [
    ["tutorial", "../../etc/passwd"], ["templates", "show", "../tx_pending"], ["preview", "../x"],
    ["tutorial", "/etc/passwd"], ["templates", "show", "..\\..\\windows"],
])
def test_path_like_template_ids_are_unknown_templates(runner: CliRunner, replies: Path, args: list[str]) -> None:
    clean_error(runner.invoke(cli, ["--replies", str(replies), *args]), "Error: no template ")


@pytest.mark.parametrize("args", [
    ["reply", "--lang", "../x", "hello"], ["reply", "--agent-lang", "../../etc", "hello"],
    ["templates", "show", "tx_pending", "--lang", "../x"], ["tutorial", "switch_phone", "--lang", "..%2f.."],
    ["drafts", "--locale", "../x", "--dry-run"], ["templates", "search", "x", "--lang", "en/../../x"],
])
def test_path_like_locale_codes_are_refused(runner: CliRunner, replies: Path, args: list[str]) -> None:
    result = runner.invoke(cli, ["--replies", str(replies), *args])
    clean_error(result, "Error: unknown locale ")


def test_translate_refuses_a_path_like_language(runner: CliRunner) -> None:
    clean_error(runner.invoke(cli, ["translate", "--to", "../x", "hello"]), "Error: not a language code: '../x'")


# --- broken template folders through `reply` -------------------------------------------------


# A broken file disables its own template only: the reply is made from the rest, and stderr says
# once which file is left out and why (tests/test_writers_loud.py has the rest).


def test_malformed_yaml_names_file_and_line(runner: CliRunner, replies: Path) -> None:
    (replies / "broken.yaml").write_text("id: broken\nlocales:\n  en:\n    body: [unclosed\n", encoding="utf-8")
    result = runner.invoke(cli, ["--replies", str(replies), "reply", "hello"])
    assert result.exit_code == 0, result.output
    assert result.stderr.count(f"{replies / 'broken.yaml'}:5: -: invalid YAML") == 1


def test_duplicate_template_ids(runner: CliRunner, replies: Path) -> None:
    (replies / "copy.yaml").write_text("id: tx_pending\nintents: [tx_pending]\nlocales:\n  en:\n    subject: x\n"
                                       "    body: y\n", encoding="utf-8")
    result = runner.invoke(cli, ["--replies", str(replies), "reply", "hello"])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("duplicate template id 'tx_pending'") == 1


def test_yaml_alias_bomb_is_refused_quickly(runner: CliRunner, replies: Path) -> None:
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for level in "bcdefghi":
        rows.append(f"{level}: &{level} [" + ",".join([f"*{chr(ord(level) - 1)}"] * 9) + "]")
    (replies / "bomb.yaml").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["--replies", str(replies), "reply", "hello"])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("YAML anchors and aliases are not allowed in templates") == 1


def test_template_producing_huge_output(runner: CliRunner, replies: Path) -> None:
    (replies / "other.yaml").write_text(
        'id: other\nintents: [other]\nlocales:\n  en:\n    subject: Hi\n'
        '    body: "{% for i in range(100000) %}xxxxxxxxxxxxxxxxxxxx{% endfor %}"\n', encoding="utf-8")
    result = runner.invoke(cli, ["--replies", str(replies), "reply", "zzz qqq"])
    clean_error(result, "Error: rendered text is longer than 20000 characters")

"""The agent's commands as an agent uses them (issue 17): what `reply` puts on stdout (what is pasted),
`--agent-lang` with and without a model, `render` for any template, and the one `--lines` input path
of detect, guard and reply (streamed, one record or error per line, exit 1 when any failed).
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from supportkit.cli import cli
from tests import secret_samples as samples

PHRASE = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
PENDING = "my USDT transfer has been pending since yesterday"
RUSSIAN = "мой перевод завис уже 3 часа"


def invoke(runner: CliRunner, *args: str, input: Any = None) -> Any:
    result = runner.invoke(cli, list(args), input=input)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def as_json(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = invoke(runner, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


EMAIL_LIBRARY = {
    "other.yaml": """\
id: other
kind: reply
intents: [other]
channel: email
locales:
  en:
    subject: About your question
    body: Tell us a little more about what you need.
""",
    "tx_pending.yaml": """\
id: tx_pending
kind: reply
intents: [tx_pending]
channel: email
variables:
  customer_name: {description: Customer's name, example: Ana}
  ticket_id: {description: Ticket number, example: "48213", required: true}
  agent_name: {description: Agent's name, example: Leo, required: true}
locales:
  en:
    subject: Your transfer is pending
    body: |
      {% if customer_name %}Hi {{ customer_name }},{% else %}Hi there,{% endif %}

      Your ticket {{ ticket_id }} is with {{ agent_name }}.
""",
}


@pytest.fixture
def email_replies(tmp_path: Path) -> Path:
    """A library whose replies are e-mail templates, one with two required variables."""
    root = tmp_path / "replies"
    root.mkdir()
    for name, text in EMAIL_LIBRARY.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


# --- 1. reply: stdout is what is pasted -------------------------------------------------


def test_reply_stdout_is_only_the_reply_and_the_analysis_waits_for_explain(runner: CliRunner) -> None:
    data = as_json(runner, "reply", PENDING)
    plain = invoke(runner, "reply", PENDING)
    assert plain.exit_code == 0
    assert plain.stdout == data["text"] + "\n"  # no Subject line: tx_pending is a chat template
    assert data["channel"] == "chat" and data["subject"]
    assert plain.stderr == ""  # stderr is not a terminal here, and nothing needs a warning
    explained = invoke(runner, "reply", "--explain", PENDING)
    assert explained.stdout == plain.stdout
    assert explained.stderr.startswith("language: en (")
    assert "\nranked: tx_pending " in explained.stderr


def test_the_analysis_is_shown_by_default_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from supportkit.cli.agent import wants_explanation

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert wants_explanation(None) is False and wants_explanation(True) is True
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert wants_explanation(None) is True and wants_explanation(False) is False


def test_warnings_always_go_to_stderr_never_stdout(runner: CliRunner) -> None:
    message = f"wallet broken, here are my words {PHRASE}"
    data = as_json(runner, "reply", message)
    result = invoke(runner, "reply", message)
    assert result.stdout == data["text"] + "\n"
    assert result.stderr.startswith("WARNING: the customer pasted a recovery phrase or private key.")
    assert "language:" not in result.stderr and "abandon" not in result.output


def test_subject_only_for_an_email_template_and_only_when_asked(runner: CliRunner, email_replies: Path) -> None:
    base = ["--replies", str(email_replies), "reply", "--var", "ticket_id=7", "--var", "agent_name=Leo"]
    data = as_json(runner, *base, PENDING)
    assert data["channel"] == "email"
    plain = invoke(runner, *base, PENDING)
    assert plain.stdout == data["text"] + "\n"
    with_subject = invoke(runner, *base, "--with-subject", PENDING)
    assert with_subject.stdout == f"Subject: {data['subject']}\n\n{data['text']}\n"
    chat = invoke(runner, "reply", "--with-subject", PENDING)
    assert chat.stdout == as_json(runner, "reply", PENDING)["text"] + "\n"
    assert chat.stderr == "note: tx_pending is a chat template; it has no subject line to send.\n"


# --- 2. --agent-lang: the customer's message for the agent, on stderr ----------------------


def test_agent_lang_without_a_model_says_which_package_and_keeps_stdout_clean(runner: CliRunner) -> None:
    data = as_json(runner, "reply", "--agent-lang", "en", RUSSIAN)
    result = invoke(runner, "reply", "--agent-lang", "en", RUSSIAN)
    assert result.exit_code == 0
    assert result.stdout == data["text"] + "\n"  # the Russian reply only: nothing for the agent
    message = data["agent"]["message"]
    assert message["text"] is None and message["source_language"] == "ru" and message["target_language"] == "en"
    assert message["error"].startswith("no translation model for ru -> en")
    assert "supportkit models install" in message["error"]
    lines = result.stderr.splitlines()
    assert lines[0] == f"note: the customer's message is not translated: {message['error']}"
    assert lines[1] == "--- the reply, for you (en) ---"
    assert result.stderr.endswith(data["agent"]["text"] + "\n")


def test_agent_lang_translates_the_redacted_message(runner: CliRunner, archives: Callable[..., Path]) -> None:
    from supportkit.translation.packages import install_archive

    install_archive(archives("ru", "en"))  # the copy model: its output is its input
    message = f"{RUSSIAN}, вот мои слова {PHRASE}"
    data = as_json(runner, "reply", "--agent-lang", "en", message)
    translated = data["agent"]["message"]
    assert translated["error"] is None and translated["route"] == "ru->en"
    assert translated["text"].startswith(RUSSIAN) and "[recovery phrase removed]" in translated["text"]
    result = invoke(runner, "reply", "--agent-lang", "en", message)
    assert result.stdout == data["text"] + "\n"
    assert "abandon" not in result.output
    assert "--- the customer's message, for you (ru->en) ---\n" + translated["text"] + "\n" in result.stderr
    assert result.stderr.endswith("--- the reply, for you (en) ---\n" + data["agent"]["text"] + "\n")


# --- 3. render: any template, real values, guarded -------------------------------------------


def test_render_fills_an_agent_only_template_with_real_values(runner: CliRunner) -> None:
    result = invoke(runner, "render", "closing", "--lang", "es", "--var", "customer_name=Lucía",
                    "--var", "ticket_id=900")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith("Hola, Lucía:\n\nDamos por cerrada esta conversación (solicitud n.º 900).")
    data = as_json(runner, "render", "closing", "--lang", "es", "--var", "customer_name=Lucía",
                   "--var", "ticket_id=900")
    assert result.stdout == data["text"] + "\n"
    assert {k: data[k] for k in ("template", "kind", "locale", "channel", "secret_found", "removed")} == {
        "template": "closing", "kind": "reply", "locale": "es", "channel": "chat", "secret_found": False,
        "removed": {}}
    assert data["variables"] == {"customer_name": "Lucía", "agent_name": "", "ticket_id": "900"}


@pytest.mark.parametrize("template", ["escalation", "follow_up", "out_of_hours", "tx_pending"])
def test_render_takes_every_kind_of_reply(runner: CliRunner, template: str) -> None:
    result = invoke(runner, "render", template, "--lang", "fr", "--var", "customer_name=Léa")
    assert result.exit_code == 0, result.output
    assert "Léa" in result.stdout and "Ana" not in result.stdout and "Subject" not in result.stdout


def test_render_prints_a_subject_only_for_email_with_the_flag(runner: CliRunner) -> None:
    data = as_json(runner, "render", "tutorials/switch_phone", "--lang", "en")
    assert data["channel"] == "email" and data["kind"] == "tutorial"
    assert invoke(runner, "render", "tutorials/switch_phone", "--lang", "en").stdout == data["text"] + "\n"
    result = invoke(runner, "render", "tutorials/switch_phone", "--lang", "en", "--with-subject")
    assert result.stdout == f"Subject: {data['subject']}\n\n{data['text']}\n"


def test_render_refuses_missing_required_variables_naming_them_all(runner: CliRunner, email_replies: Path) -> None:
    result = invoke(runner, "--replies", str(email_replies), "render", "tx_pending", "--lang", "en",
                    "--var", "customer_name=Ana")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"Error: missing required variables: agent_name, ticket_id "
                             f"({email_replies / 'tx_pending.yaml'}). Give them: --var agent_name=... "
                             "--var ticket_id=...\n")
    done = invoke(runner, "--replies", str(email_replies), "render", "tx_pending", "--lang", "en",
                  "--var", "ticket_id=7", "--var", "agent_name=Leo", "--with-subject")
    assert done.exit_code == 0
    assert done.stdout == "Subject: Your transfer is pending\n\nHi there,\n\nYour ticket 7 is with Leo.\n"
    one = invoke(runner, "--replies", str(email_replies), "render", "tx_pending", "--lang", "en", "--var", "ticket_id=7")
    assert one.stderr.startswith("Error: missing required variable: agent_name (")


def test_reply_refuses_missing_required_variables_as_render_does(runner: CliRunner, email_replies: Path) -> None:
    base = ["--replies", str(email_replies), "reply"]
    render = invoke(runner, *base[:2], "render", "tx_pending", "--lang", "en")
    result = invoke(runner, *base, PENDING)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == render.stderr == (
        f"Error: missing required variables: agent_name, ticket_id ({email_replies / 'tx_pending.yaml'}). "
        "Give them: --var agent_name=... --var ticket_id=...\n")
    lines = invoke(runner, *base, "--lines", PENDING)  # one error record for that line, exit 1 at the end
    assert lines.exit_code == 1
    assert json.loads(lines.stdout)["error"].startswith("missing required variables: agent_name, ticket_id (")
    done = invoke(runner, *base, "--var", "ticket_id=7", "--var", "agent_name=Leo", PENDING)
    assert done.exit_code == 0 and done.stdout == "Hi there,\n\nYour ticket 7 is with Leo.\n"


def test_tutorial_prints_the_text_and_the_subject_only_when_asked(runner: CliRunner) -> None:
    data = as_json(runner, "tutorial", "switch_phone", "--lang", "en")
    plain = invoke(runner, "tutorial", "switch_phone", "--lang", "en")
    assert plain.exit_code == 0 and plain.stdout == data["text"] + "\n"
    assert data["subject"] and data["subject"] not in plain.stdout
    with_subject = invoke(runner, "tutorial", "switch_phone", "--lang", "en", "--with-subject")
    assert with_subject.stdout == f"Subject: {data['subject']}\n\n{data['text']}\n"


@pytest.mark.parametrize(("args", "error"), [
    (["no_such_template", "--lang", "en"], "Error: no template 'no_such_template'"),
    (["closing", "--lang", "xx"], "Error: template 'closing' has no 'xx' locale. It has: en, zh, es, ru, fr.\n"),
    (["closing", "--lang", "../etc"], "Error: unknown locale '../etc'"),
    (["closing", "--lang", "en", "--var", "nope=1"], "Error: template 'closing' has no variable 'nope'"),
])
def test_render_unknown_template_locale_or_variable_is_a_clean_error(runner: CliRunner, args: list[str],
                                                                      error: str) -> None:
    result = invoke(runner, "render", *args)
    assert result.exit_code == 1 and result.stdout == "" and result.stderr.startswith(error)
    assert len(result.stderr.splitlines()) == 1


def test_render_guards_every_value(runner: CliRunner) -> None:
    words = samples.phrase("english", 12, 3)
    key = samples.hex_key(5)
    args = ["render", "closing", "--lang", "en", "--var", f"customer_name={' '.join(words)}",
            "--var", f"ticket_id=private key {key}"]
    result = invoke(runner, *args)
    assert result.exit_code == 0
    assert not samples.leaked(result.output, words) and key[:12] not in result.output
    assert result.stdout.startswith("Hi [recovery phrase removed],")
    assert result.stderr.splitlines() == [
        "WARNING: the value of customer_name held a secret (recovery_phrase); it was removed.",
        "WARNING: the value of ticket_id held a secret (private_key); it was removed."]
    data = as_json(runner, *args)
    assert data["secret_found"] is True
    assert data["removed"] == {"customer_name": ["recovery_phrase"], "ticket_id": ["private_key"]}


def test_templates_show_marks_sample_values(runner: CliRunner) -> None:
    data = as_json(runner, "templates", "show", "closing", "--lang", "en")
    assert data["samples"] == {"agent_name": "Leo", "customer_name": "Ana", "ticket_id": "48213"}
    assert data["required"] == []
    text = invoke(runner, "templates", "show", "closing", "--lang", "en").stdout.splitlines()
    assert text[2] == ("filled with samples, not real values: agent_name='Leo', customer_name='Ana', "
                       "ticket_id='48213' (real ones: supportkit render closing --lang LL --var NAME=VALUE)")


def test_required_is_a_boolean_without_a_default(tmp_path: Path) -> None:
    from supportkit.library import load_template

    path = tmp_path / "xy.yaml"
    path.write_text("id: xy\nkind: reply\nvariables:\n  a: {required: yes please}\n  b: {required: true, default: B}\n"
                    "locales:\n  en: {subject: S, body: '{{ a }} {{ b }}'}\n", encoding="utf-8")
    template, problems = load_template(path)
    assert [p.message for p in problems] == ["variable 'a': required must be true or false",
                                             "variable 'b': a required variable has no default (remove one of them)"]


# --- 4. --lines: one input path for detect, guard and reply ---------------------------------------


class CountingInput(io.BytesIO):
    """stdin that counts the lines read so far (to prove a result comes out before the next line is read)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.lines_read = 0

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        line = super().readline(-1 if size is None else size)
        self.lines_read += bool(line)
        return line

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("command", ["detect", "guard", "reply"])
def test_lines_stream(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    import supportkit.cli.common as common
    from supportkit.guard import STREAM_WINDOW

    total = 120
    stream = CountingInput(b"".join(f"my transfer {n} is pending\n".encode() for n in range(1, total + 1)))
    monkeypatch.setattr(common, "stdin_bytes", lambda: stream)
    reads_at_output: list[int] = []
    monkeypatch.setattr(common, "emit_json_line", lambda record: reads_at_output.append(stream.lines_read))
    result = CliRunner().invoke(cli, [command, "--lines"])
    assert result.exit_code == 0, result.output
    assert len(reads_at_output) == total
    if command == "detect":  # each record is out before the next line is read
        assert reads_at_output == list(range(1, total + 1))
    else:  # the guard reads each line with the 24 after it (in blocks of 24): never the whole input first
        assert reads_at_output[0] == 2 * STREAM_WINDOW
        assert all(n <= reads <= n + 2 * STREAM_WINDOW for n, reads in enumerate(reads_at_output, 1))


BAD_LINES = b"hello there\n\xff\xfe bad\n\nlast line here\n"


@pytest.mark.parametrize("command", ["detect", "guard", "reply"])
def test_a_bad_line_gives_its_error_and_the_next_lines_go_on(runner: CliRunner, command: str) -> None:
    result = invoke(runner, command, "--lines", input=BAD_LINES)
    assert result.exit_code == 1 and result.stderr == ""
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[1] == {"line": 2, "error": "input is not valid UTF-8 (byte 0) (stdin:2). Convert it to UTF-8, "
                                              "e.g. with iconv -t UTF-8."}
    # Blank lines: detect says "und", guard gives an empty result, reply skips them (as --help says).
    blank = {"detect": [{"line": 3, "language": "und"}], "guard": [{"line": 3, "redacted": ""}], "reply": []}
    middle = [{k: r[k] for k in ("line", "language", "redacted") if k in r} for r in records[2:-1]]
    assert middle == blank[command]
    assert [records[0]["line"], records[-1]["line"]] == [1, 4]
    assert "error" not in records[0] and "error" not in records[-1]


def test_every_line_fine_exits_0(runner: CliRunner) -> None:
    result = invoke(runner, "reply", "--lines", input=b"hello\nmy transfer is pending\n")
    assert result.exit_code == 0
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [1, 2]


def test_an_over_long_line_is_an_error_line(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    import supportkit.text

    monkeypatch.setattr(supportkit.text, "MAX_INPUT_CHARS", 40)
    data = b"short one\n" + b"x" * 500 + b"\nmy transfer is pending\n"
    for command in ("detect", "guard", "reply"):
        result = invoke(runner, command, "--lines", input=data)
        records = [json.loads(line) for line in result.stdout.splitlines()]
        assert result.exit_code == 1
        assert records[1] == {"line": 2, "error": "line is longer than 40 characters"}
        assert [r["line"] for r in records] == [1, 2, 3]


def test_a_render_error_on_one_line_does_not_stop_the_others(runner: CliRunner,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import supportkit.pipeline
    from supportkit.errors import TemplateError

    real = supportkit.pipeline.process_message

    def failing(message: str, *args: Any, **kwargs: Any) -> Any:
        if "boom" in message:
            raise TemplateError("template failed while rendering", "replies/x.yaml: en")
        return real(message, *args, **kwargs)

    monkeypatch.setattr(supportkit.pipeline, "process_message", failing)
    result = invoke(runner, "reply", "--lines", input=b"hello\nboom\nmy transfer is pending\n")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert records[1] == {"line": 2, "error": "template failed while rendering (replies/x.yaml: en)."}
    assert records[2]["intent"] == "tx_pending"


def test_a_file_is_read_with_input_and_a_path_argument_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    messages = tmp_path / "messages.txt"
    messages.write_text("hello\nmy transfer is pending\n", encoding="utf-8")
    for command in ("detect", "guard", "reply"):
        refused = invoke(runner, command, "--lines", str(messages))
        assert refused.exit_code == 2 and refused.stdout == ""
        assert f"Error: {str(messages)!r} is a file; read it with --input {messages}" in refused.stderr
        read = invoke(runner, command, "--lines", "--input", str(messages))
        assert read.exit_code == 0 and [json.loads(r)["line"] for r in read.stdout.splitlines()] == [1, 2]
    from_stdin = invoke(runner, "detect", "--lines", "--input", "-", input=b"hola amigo\n")
    assert json.loads(from_stdin.stdout)["language"] == "es"
    # Without --lines the argument is the message, never a path: customer text is data.
    assert as_json(runner, "reply", str(messages))["message"] == str(messages)
    assert as_json(runner, "reply", "--input", str(messages))["message"].rstrip() == "hello\nmy transfer is pending"
    both = invoke(runner, "reply", "--input", str(messages), "hello")
    assert both.exit_code == 2 and "not both" in both.stderr


def test_translate_lines_guards_each_line_with_its_neighbours(runner: CliRunner,
                                                              archives: Callable[..., Path]) -> None:
    from supportkit.translation.packages import install_archive

    install_archive(archives("en", "es"))  # the copy model: its output is its input
    words = PHRASE.split()
    data = "\n".join(["my transfer is stuck", "", *words, "thanks"]).encode() + b"\n\xff\n"
    result = invoke(runner, "translate", "--to", "es", "--from", "en", "--lines", input=data)
    assert result.exit_code == 1 and "abandon" not in result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in records] == [1, 3, *range(4, 16), 16]  # the blank line 2 is skipped
    assert records[0]["text"] == "my transfer is stuck" and records[0]["path"] == "en->es"
    assert all(r["secret_found"] for r in records[1:13]) and not records[0]["secret_found"]
    assert records[-1]["error"].startswith("input is not valid UTF-8 (byte 0) (stdin:16).")


def test_agent_lang_in_the_customer_language_shows_no_translation(runner: CliRunner) -> None:
    data = as_json(runner, "reply", "--agent-lang", "en", PENDING)
    assert data["agent"]["message"] == {"source_language": "en", "target_language": "en", "text": PENDING,
                                        "route": "en", "complete": True, "error": None}
    result = invoke(runner, "reply", "--agent-lang", "en", PENDING)
    assert result.stderr == "--- the reply, for you (en) ---\n" + data["agent"]["text"] + "\n"


def test_a_locale_the_library_lacks_is_said_not_silent(runner: CliRunner) -> None:
    result = invoke(runner, "reply", "--lang", "xx", "hello")
    assert result.exit_code == 0
    assert "note: no xx version; showing en" in result.stderr
    assert "note:" not in result.stdout
    detected = invoke(runner, "reply", "olá, meu saque não chegou")
    assert "note: no" not in detected.stderr  # a language we do not write is fallback by design, not asked for

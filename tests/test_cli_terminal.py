"""The CLI at a terminal: color (NO_COLOR, TERM=dumb, --color/--no-color) and shell completion.

CliRunner's ``color=True`` stands for a terminal that shows color, ``color=False`` for a pipe.
Completion runs in-process through click's completion protocol (the ``_SUPPORTKIT_COMPLETE``
variable the shell scripts in docs/cli.md set), so no shell is needed.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from supportkit.cli import cli

KEY = "my key is 0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
PLAIN = "removed: private_key (characters 10-76, confidence high)\n"
RED = "\x1b[31m\x1b[1m" + PLAIN.rstrip("\n") + "\x1b[0m\n"


@pytest.mark.parametrize(("flags", "terminal", "env", "expected"), [
    ([], True, {}, RED),  # a terminal: color
    ([], False, {}, PLAIN),  # a pipe: none
    ([], True, {"NO_COLOR": "1"}, PLAIN),
    ([], True, {"NO_COLOR": "yes please"}, PLAIN),  # any non-empty value
    ([], True, {"NO_COLOR": ""}, RED),  # empty means unset (no-color.org)
    ([], True, {"TERM": "dumb"}, PLAIN),
    (["--no-color"], True, {}, PLAIN),
    (["--color"], False, {}, RED),  # forced even when piped
    (["--color"], True, {"NO_COLOR": "1", "TERM": "dumb"}, RED),  # the flag wins over the environment
    (["--no-color"], True, {"TERM": "xterm-256color"}, PLAIN),
])
def test_color_follows_the_flag_then_the_environment(flags: list[str], terminal: bool, env: dict[str, str],
                                                      expected: str, runner: CliRunner) -> None:
    result = runner.invoke(cli, [*flags, "guard", KEY], color=terminal, env={"TERM": "xterm", **env})
    assert result.exit_code == 0, result.output
    assert result.stderr == expected
    assert "\x1b" not in result.stdout


def test_color_flag_is_in_the_root_help(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert "--color / --no-color" in result.stdout


def complete(line: str, runner: CliRunner, shell: str = "bash") -> list[str]:
    """What the shell would offer after ``line`` (the last word is the one being completed)."""
    words = line.split(" ")
    env = {"_SUPPORTKIT_COMPLETE": f"{shell}_complete", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    if shell == "fish":  # fish's script passes the word being completed itself, not its position
        env["COMP_CWORD"] = words[-1]
    result = runner.invoke(cli, [], prog_name="supportkit", env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    if shell == "bash":  # "type,value" per line
        return [entry.split(",", 1)[1] for entry in lines if entry]
    if shell == "zsh":  # type, value, help: three lines per entry
        return lines[1::3]
    return [entry.split("\t", 1)[0].split(",", 1)[1] for entry in lines]  # fish: "type,value\thelp"


def test_completion_of_commands(runner: CliRunner) -> None:
    assert complete("supportkit mo", runner) == ["models"]
    assert complete("supportkit t", runner) == ["templates", "translate", "tutorial"]
    assert complete("supportkit models ", runner) == ["available", "install", "list", "remove"]
    assert complete("supportkit faq b", runner) == ["build"]


def test_completion_of_options(runner: CliRunner) -> None:
    assert complete("supportkit --no", runner) == ["--no-color"]
    assert complete("supportkit faq build --wa", runner) == ["--warn-stale"]
    assert complete("supportkit faq build --untranslated ", runner) == ["notice", "omit"]
    assert complete("supportkit models available --j", runner) == ["--json"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_works_for_each_documented_shell(shell: str, runner: CliRunner) -> None:
    assert complete("supportkit mo", runner, shell) == ["models"]
    script = runner.invoke(cli, [], prog_name="supportkit", env={"_SUPPORTKIT_COMPLETE": f"{shell}_source"})
    assert script.exit_code == 0 and f"{shell}_complete" in script.stdout


def test_completion_is_documented_for_each_shell() -> None:
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    for shell in ("bash", "zsh", "fish"):
        assert f"_SUPPORTKIT_COMPLETE={shell}_source supportkit" in doc

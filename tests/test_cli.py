"""The command line's contract: exit codes, error format, stdin, help for every command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from supportkit.cli import cli

MIN = str(Path(__file__).parent / "data" / "replies_min")


def test_version_and_help(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("supportkit, version ")
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0 and "detect" in result.output and "reply" in result.output


def test_every_command_has_help() -> None:
    import click

    def walk(group: click.Group, prefix: list[str]) -> list[list[str]]:
        found = []
        for name, command in group.commands.items():
            found.append([*prefix, name])
            if isinstance(command, click.Group):
                found.extend(walk(command, [*prefix, name]))
        return found

    runner = CliRunner()
    for path in walk(cli, []):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        command = cli
        for part in path:
            command = command.commands[part]  # type: ignore[attr-defined]
        assert command.help and command.help.strip(), f"{' '.join(path)} has no help text"


def test_usage_error_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["templates", "list", "--kind", "poem"])
    assert result.exit_code == 2
    assert "Invalid value for '--kind'" in result.output


def test_expected_failure_is_one_line_no_traceback(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--replies", MIN, "tutorial", "swtich_phone"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no template 'swtich_phone'")
    assert "Did you mean switch_phone?" in result.output
    assert "Traceback" not in result.output


def test_tutorial_renders_with_brand_and_fallback_note(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--replies", MIN, "tutorial", "switch_phone", "--lang", "fr-CA"])
    assert result.exit_code == 0, result.output
    assert "1. Check your recovery phrase backup." in result.stdout
    assert "Install TokenPocket from https://www.tokenpocket.pro." in result.stdout
    assert "note: no fr-CA version; showing en" in result.stderr


def test_tutorial_rejects_path_like_locale(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--replies", MIN, "tutorial", "switch_phone", "--lang", "../../etc"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown locale '../../etc'")


def test_templates_list_show_search_json(runner: CliRunner) -> None:
    import json

    rows = json.loads(runner.invoke(cli, ["--replies", MIN, "templates", "list", "--json"]).stdout)
    assert [r["ref"] for r in rows] == ["other", "tx_pending", "tutorials/switch_phone"]
    shown = json.loads(runner.invoke(cli, ["--replies", MIN, "templates", "show", "tx_pending", "--json"]).stdout)
    assert shown["locales"]["ru"]["text"].startswith("Здравствуйте, Ana!")
    assert shown["locales"]["ru"]["state"] == "ok"
    hits = json.loads(runner.invoke(cli, ["--replies", MIN, "templates", "search", "ПЕРЕВОД", "--json"]).stdout)
    assert [(h["ref"], h["locale"]) for h in hits] == [("tx_pending", "ru")]
    missing = runner.invoke(cli, ["--replies", MIN, "templates", "search", "zzzz"])
    assert missing.exit_code == 1 and "no template matches 'zzzz'" in missing.stderr


def test_stdin_invalid_utf8_and_nul_are_clean_errors(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["detect", "-"], input=b"caf\xe9 ok")
    assert result.exit_code == 1
    assert result.output == "Error: input is not valid UTF-8 (byte 3) (stdin). Convert it to UTF-8, e.g. with iconv -t UTF-8.\n"
    result = runner.invoke(cli, ["detect", "-"], input=b"a\x00b")
    assert result.exit_code == 1 and "NUL bytes" in result.output


def test_oversized_stdin_is_refused_not_cut(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["detect", "-"], input=b"a" * (10 * 1024 * 1024 + 1))
    assert result.exit_code == 1 and "larger than 10 MiB" in result.output


def test_python_dash_m_entry_point() -> None:
    done = subprocess.run([sys.executable, "-m", "supportkit", "--version"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0 and "supportkit, version" in done.stdout

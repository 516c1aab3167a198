"""An error never prints back a recovery phrase or key the user typed where an id, a locale, a
variable name or a search was expected (a new user's pass found six commands that did)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from supportkit.cli import cli

KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
PHRASE = "abandon ability able about above absent absorb abstract absurd abuse access accident"


@pytest.mark.parametrize("args", [
    ["tutorial", KEY],
    ["tutorial", PHRASE],
    ["render", "closing", "--lang", "en", "--var", f"{KEY}=1"],
    ["templates", "search", f"hi my phrase is {PHRASE} my usdt is gone"],
    ["templates", "show", PHRASE],
    ["reply", "--lang", PHRASE, "hello"],
    ["reply", "--agent-lang", KEY, "hello"],
    ["stamp", PHRASE],
])
def test_errors_never_echo_a_secret(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0 or "no template matches" in result.output
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in shown
    assert KEY[:16] not in shown
    assert " ".join(PHRASE.split()[:4]) not in shown


def test_an_ordinary_unknown_id_is_still_named() -> None:
    result = CliRunner().invoke(cli, ["tutorial", "nope"])
    assert result.exit_code != 0 and "'nope'" in result.output

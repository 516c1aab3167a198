"""What every command shares: the lazily loaded configuration, reading the message, printing JSON."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO, cast

import click

from supportkit.config import Config, load_config
from supportkit.errors import InputError
from supportkit.i18n import _

MAX_INPUT_BYTES = 10 * 1024 * 1024
"""Largest message read from an argument or stdin (10 MiB); longer input is refused, not cut silently."""


class Context:
    """What every command gets: the configuration, loaded when a command first needs it.

    Loading late lets ``supportkit config`` show a refused file instead of failing on it,
    and keeps commands that need no configuration (``detect``, ``guard``) out of its errors.
    """

    def __init__(self, flags: dict[str, tuple[str, Any]]) -> None:
        self.flags = flags
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(flags=self.flags)
            command = click.get_current_context(silent=True)
            if command is not None:
                command.call_on_close(note_broken_templates)
        return self._config


pass_context = click.make_pass_decorator(Context)


def note_broken_templates() -> None:
    """Say once on stderr which template files a command left out, and why (``library_for``)."""
    store = sys.modules.get("supportkit.library.store")  # not loaded: no library was read
    if store is None:
        return
    for problem in store.broken_notes():
        click.echo(_("{problem} (this template is disabled until the file is fixed)").format(problem=problem),
                   err=True)


def stdin_bytes() -> BinaryIO:
    """Standard input as bytes (decoded by ``decode_input``, so bad UTF-8 is a clean error)."""
    stream = sys.stdin
    return cast(BinaryIO, getattr(stream, "buffer", stream))


def read_message(text: str | None) -> str:
    """The message from the argument, or stdin when it is ``-`` or omitted and piped."""
    if text is not None and text != "-":
        return text
    stream = stdin_bytes()
    if text is None and stream.isatty():
        raise click.UsageError(_("Give the message as an argument, or pipe it on stdin (use - to read stdin)."))
    data = stream.read(MAX_INPUT_BYTES + 1)
    return decode_input(data, "stdin")


def decode_input(data: bytes, where: str) -> str:
    """Bytes from a file or stdin as text: UTF-8 (BOM allowed), no NUL bytes, within the size cap."""
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            _("input is larger than {limit} MiB").format(limit=MAX_INPUT_BYTES // (1024 * 1024)),
            where,
            _("Split it into messages and use --lines, or the batch command."),
        )
    if b"\x00" in data:
        raise InputError(_("input holds NUL bytes (binary data?)"), where, _("Pass text, not a binary file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            _("input is not valid UTF-8 (byte {offset})").format(offset=exc.start),
            where,
            _("Convert it to UTF-8, e.g. with iconv -t UTF-8."),
        ) from None


def read_lines(text: str | None) -> list[str]:
    """Messages one per line from stdin (or the argument), for ``--lines``."""
    return read_message(text).splitlines()


def emit_json(data: Any) -> None:
    """One JSON document on stdout, UTF-8, no ASCII escaping."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def emit_json_line(data: Any) -> None:
    """One JSON Lines record on stdout."""
    click.echo(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def stream_lines(text: str | None) -> Iterator[str]:
    """Lines of the argument, or of stdin read as a stream (no size cap; each line decoded on its own)."""
    if text is not None and text != "-":
        yield from text.splitlines()
        return
    stream = stdin_bytes()
    if text is None and stream.isatty():
        raise click.UsageError(_("Give the message as an argument, or pipe it on stdin (use - to read stdin)."))
    for number, raw in enumerate(stream, 1):
        yield decode_input(raw if number > 1 else raw.removeprefix(b"\xef\xbb\xbf"),
                           f"stdin:{number}").rstrip("\r\n")


def show_progress() -> bool:
    """Progress bars only for a person at a terminal: not when piped or in CI."""
    import os
    import sys

    return sys.stderr.isatty() and not os.environ.get("CI")


def color_setting(flag: bool | None, env: Mapping[str, str] | None = None) -> bool | None:
    """Whether to color the output, for ``click.Context.color``: the ``--color/--no-color`` flag when
    given; else off when ``NO_COLOR`` is set to anything (https://no-color.org) or ``TERM`` is ``dumb``;
    else None, which lets click color a terminal and strip the codes from a pipe or a file."""
    if flag is not None:
        return flag
    env = os.environ if env is None else env
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return None


"""What every command shares: localized commands and options, the lazily loaded configuration, reading
the message, printing JSON."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import click

from supportkit.config import Config, load_config
from supportkit.errors import (
    N_,
    InputError,
    Message,
    N_plural,
    SupportkitError,
    install_redactor,
    install_translator,
)
from supportkit.i18n import _, ngettext, route_click_gettext

if TYPE_CHECKING:
    from supportkit.guard import GuardResult

# --- commands and options that speak the user's language -----------------------------
#
# Help texts are msgids marked with N_() and translated each time help is shown (not at import:
# a process, or a test, may switch language after importing the commands). click's own strings
# ("Usage:", "Options", errors) go through supportkit.i18n.route_click_gettext, called by the
# top-level group when the CLI starts.


def redact_quoted(text: str) -> str:
    """``text`` (a value an error or a note quotes back) with any recovery phrase or key removed."""
    if len(text) < 12:  # shorter than any phrase or key: no guard to load
        return text
    from supportkit.guard import scan

    return scan(text).redacted


def _shown(message: str | None) -> str | None:
    return _(message) if message else message


class _Shown:
    """An attribute click reads (``help``, ``short_help``) that holds a msgid and gives its translation."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}_msgid"

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        return self if instance is None else _shown(getattr(instance, self.slot, None))

    def __set__(self, instance: object, value: str | None) -> None:
        setattr(instance, self.slot, value)


class Command(click.Command):
    """A command whose ``help`` and ``short_help`` are msgids, shown in the user's language."""

    help = _Shown()
    short_help = _Shown()

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        # click builds --help once per command, its help translated then; the same object (click
        # compares options by identity) becomes an Option whose help is translated when shown.
        option = super().get_help_option(ctx)
        if option is not None and not isinstance(option, Option):
            option.__class__ = Option
            option.help = "Show this message and exit."  # click's msgid, listed in i18n.click_strings
        return option


class Group(Command, click.Group):
    """A group of localized commands (its subcommands and subgroups are localized too)."""

    command_class = Command
    group_class = type  # subgroups of the same class

    def main(self, *args: Any, **kwargs: Any) -> Any:
        route_click_gettext()  # once the CLI starts: click's own strings in the user's language too
        install_translator(_, ngettext)  # and the errors of the layers below (supportkit.errors)
        install_redactor(redact_quoted)  # an error never prints back a phrase or key the user typed
        return super().main(*args, **kwargs)


class Option(click.Option):
    """An option whose ``help`` is a msgid, shown in the user's language."""

    help = _Shown()


class PathType(click.Path):
    """click.Path whose name in errors ("File 'x' does not exist.") is in the user's language.

    click names the type once, when the option is declared (at import); here it is named when shown.
    Give such options a ``metavar``: click would otherwise print the translated name as one.
    """

    @property
    def name(self) -> str:
        if self.file_okay and not self.dir_okay:
            return _("file")
        if self.dir_okay and not self.file_okay:
            return _("directory")
        return _("path")

    @name.setter
    def name(self, value: str) -> None:
        pass  # click's English name, computed once; the property above names it when shown


class IntRange(click.IntRange):
    """click.IntRange named in the user's language in "'x' is not a valid integer range." (needs a ``metavar``)."""

    @property
    def name(self) -> str:
        return _("integer range")

    @name.setter
    def name(self, value: str) -> None:
        pass  # click's English name; the property above names it when shown


def command(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], Command]:
    """``click.command`` making a localized ``Command`` (pass ``help=N_(...)``)."""
    return click.command(name, cls=Command, **attrs)


def group(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], Group]:
    """``click.group`` making a localized ``Group`` (pass ``help=N_(...)``)."""
    return click.group(name, cls=Group, **attrs)


def option(*param_decls: str, **attrs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``click.option`` making a localized ``Option`` (pass ``help=N_(...)``)."""
    return click.option(*param_decls, cls=Option, **attrs)


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


def read_message(text: str | None, source: BinaryIO | None = None) -> str:
    """The message from the argument, from ``--input FILE`` (``source``), or stdin when it is ``-`` or omitted
    and piped. The argument is always the message itself, never a path: customer text is data."""
    if text is not None and source is not None:
        raise click.UsageError(_("Give the message as an argument or with --input, not both."))
    if text is not None and text != "-":
        return text
    stream = source if source is not None else stdin_bytes()
    if source is None and text is None and stream.isatty():
        raise click.UsageError(_("Give the message as an argument, or pipe it on stdin (use - to read stdin)."))
    data = stream.read(MAX_INPUT_BYTES + 1)
    return decode_input(data, _stream_name(stream))


def _stream_name(stream: BinaryIO) -> str:
    """What an error names the input by: the file given with --input, else stdin."""
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) and not name.startswith("<") else "stdin"


def decode_input(data: bytes, where: str) -> str:
    """Bytes from a file or stdin as text: UTF-8 (BOM allowed), no NUL bytes, within the size cap."""
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(N_("input is larger than {limit} MiB"), where,
                         N_("Split it into messages and use --lines, or the batch command."),
                         limit=MAX_INPUT_BYTES // (1024 * 1024))
    if b"\x00" in data:
        raise InputError(N_("input holds NUL bytes (binary data?)"), where, N_("Pass text, not a binary file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(N_("input is not valid UTF-8 (byte {offset})"), where,
                         N_("Convert it to UTF-8, e.g. with iconv -t UTF-8."), offset=exc.start) from None


def emit_json(data: Any) -> None:
    """One JSON document on stdout, UTF-8, no ASCII escaping."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def emit_json_line(data: Any) -> None:
    """One JSON Lines record on stdout."""
    click.echo(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


# --- --lines: one message per input line ---------------------------------------------

@dataclass(frozen=True)
class InputLine:
    """One line of ``--lines`` input: its number (from 1) and text, or why it cannot be read."""

    number: int
    text: str
    error: str | None = None
    guarded: GuardResult | None = None
    """The guard's result for the line, read with its neighbours (``guarded_lines``)."""


def input_lines(text: str | None, source: BinaryIO | None = None) -> Iterator[InputLine]:
    """The lines of ``--lines`` input, read one at a time (nothing is read ahead).

    From ``--input FILE`` (``source``), else stdin, else the argument's own lines. A line that
    cannot be read (not UTF-8, NUL bytes, longer than the message limit) is an ``InputLine`` with
    its error, and the next line is read as usual. An argument that names an existing file is
    refused: under ``--lines`` it is almost surely a file meant to be read, which ``--input`` does.
    """
    if text is not None and source is not None:
        raise click.UsageError(_("Give the messages as an argument or with --input, not both."))
    if text is not None and text != "-":
        if _names_a_file(text):
            raise click.UsageError(_("{text!r} is a file; read it with --input {text} (the argument is the "
                                     "messages themselves).").format(text=text))
        for number, line in enumerate(text.splitlines(), 1):
            yield _checked_line(number, line)
        return
    stream = source if source is not None else stdin_bytes()
    if source is None and text is None and stream.isatty():
        raise click.UsageError(_("Give the messages with --input FILE, or pipe them on stdin (use - to read "
                                 "stdin)."))
    yield from _stream_lines(stream)


def _names_a_file(text: str) -> bool:
    """True when ``text`` is one short line that is the path of an existing file."""
    if "\n" in text or "\x00" in text or len(text) > 4096:
        return False
    try:
        return os.path.isfile(text)
    except (OSError, ValueError):
        return False


def _line_too_long(limit: int) -> str:
    """The error of an over-long ``--lines`` line, in English like every error in JSON output."""
    return str(Message.of(N_plural("line is longer than {limit} character", "line is longer than {limit} characters",
                                   limit), limit=f"{limit:,}"))


def _checked_line(number: int, line: str) -> InputLine:
    from supportkit.text import MAX_INPUT_CHARS

    if len(line) > MAX_INPUT_CHARS:
        return InputLine(number, "", _line_too_long(MAX_INPUT_CHARS))
    return InputLine(number, line)


def _stream_lines(stream: BinaryIO) -> Iterator[InputLine]:
    """Each line of a binary stream decoded on its own; an over-long line is skipped without holding it."""
    from supportkit.text import MAX_INPUT_CHARS

    where = _stream_name(stream)
    cap = 4 * MAX_INPUT_CHARS + 2  # the most UTF-8 bytes a line within the limit (and its CRLF) can take
    number = 0
    while True:
        raw = stream.readline(cap + 1)
        if not raw:
            return
        number += 1
        if len(raw) > cap and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # the rest of that line, a piece at a time
                raw = stream.readline(cap + 1)
            yield InputLine(number, "", _line_too_long(MAX_INPUT_CHARS))
            continue
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            line = decode_input(raw, f"{where}:{number}").rstrip("\r\n")
        except InputError as exc:
            yield InputLine(number, "", exc.message)  # JSON output: the English text
            continue
        yield _checked_line(number, line)


def run_lines(items: Iterable[InputLine], handle: Callable[[InputLine], dict[str, Any] | None]) -> None:
    """``--lines``: one JSON Lines record per input line, each written before the next line is read.

    ``handle`` gives a line's result (None: no record, e.g. a blank line ``reply`` skips); a line that
    cannot be read or handled gives ``{"line": N, "error": "..."}`` and the lines after it go on.
    Exits 1 after the last line when any line failed.
    """
    failed = False
    for item in items:
        record: dict[str, Any] | None
        if item.error is not None:
            record, failed = {"line": item.number, "error": item.error}, True
        else:
            try:
                result = handle(item)
            except SupportkitError as exc:
                record, failed = {"line": item.number, "error": exc.message}, True  # JSON: English
            else:
                record = None if result is None else {"line": item.number, **result}
        if record is not None:
            emit_json_line(record)
    if failed:
        raise SystemExit(1)


def guarded_lines(items: Iterable[InputLine]) -> Iterator[InputLine]:
    """Each input line with the guard's result (``guarded``), read with its neighbours (``guard.guard_lines``:
    a line comes out once the 24 lines after it were read, or at the end). A line that could not be
    read is guarded as an empty line and keeps its error."""
    import dataclasses
    from collections import deque

    from supportkit.guard import guard_lines

    fed: deque[InputLine] = deque()

    def texts() -> Iterator[str]:
        for item in items:
            fed.append(item)
            yield item.text

    for _text, result in guard_lines(texts()):
        yield dataclasses.replace(fed.popleft(), guarded=result)


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


"""The command line: parse options, call one library function, print.

Commands stay thin: the work lives in the library modules. Heavy imports happen
inside the command that needs them so ``import supportkit.cli`` stays light.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from supportkit import __version__
from supportkit.config import Config, load_config
from supportkit.errors import InputError
from supportkit.i18n import _

MAX_INPUT_BYTES = 10 * 1024 * 1024
"""Largest message read from an argument or stdin (10 MiB); longer input is refused, not cut silently."""


class Context:
    """What every command gets: the loaded configuration."""

    def __init__(self, config: Config) -> None:
        self.config = config


pass_context = click.make_pass_decorator(Context)


def read_message(text: str | None) -> str:
    """The message from the argument, or stdin when it is ``-`` or omitted and piped."""
    if text is not None and text != "-":
        return text
    stream = click.get_binary_stream("stdin")
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="supportkit")
@click.option("--replies", "replies_dir", type=click.Path(file_okay=False, path_type=None), default=None,
              help=_("Folder of reply and tutorial templates (default: configured, else bundled)."))
@click.option("--locales", "locales_dir", type=click.Path(file_okay=False), default=None,
              help=_("Folder of gettext catalogs (default: configured, else bundled)."))
@click.pass_context
def cli(ctx: click.Context, replies_dir: str | None, locales_dir: str | None) -> None:
    """supportkit: multilingual help-desk toolkit (zh en es ru fr)."""
    from pathlib import Path

    config = load_config().replace(
        replies_dir=Path(replies_dir) if replies_dir else None,
        locales_dir=Path(locales_dir) if locales_dir else None,
    )
    ctx.obj = Context(config)


# --- detection ----------------------------------------------------------------


@cli.command()
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
@click.option("--lines", is_flag=True, help=_("One message per input line; prints JSON Lines."))
def detect(text: str | None, as_json: bool, lines: bool) -> None:
    """Name the language of TEXT (or stdin)."""
    from supportkit.detection import detect as detect_language

    if lines:
        for line in read_lines(text):
            emit_json_line(detect_language(line).to_dict())
        return
    result = detect_language(read_message(text))
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(f"{result.language}\t{result.confidence:.2f}\t{result.script}")
    for alt in result.alternatives[1:4]:
        click.echo(f"  {alt.language}\t{alt.confidence:.2f}", err=False)


def main() -> None:
    """Entry point of the ``supportkit`` console script."""
    cli(prog_name="supportkit")

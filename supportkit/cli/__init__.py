"""The command line: parse options, call one library function, print.

The group and ``config`` are here; each user's commands have a module: ``agent`` (detect, guard,
reply, tutorial, render, templates, translate), ``writers`` (check, status, preview, drafts, stamp, catalogs),
``faq``, ``batch`` and ``models``; ``common`` holds what they share.

Commands stay thin: the work lives in the library modules. Heavy imports happen
inside the command that needs them so ``import supportkit.cli`` stays light.
"""

from __future__ import annotations

import json
from typing import Any

import click

from supportkit import __version__
from supportkit.cli.common import Context, Group, PathType, color_setting, emit_json, option, pass_context
from supportkit.i18n import N_, _


class LazyGroup(Group):
    """A group whose commands live in modules imported when a command is asked for (``COMMANDS``).

    ``supportkit detect`` imports the agent's commands only, never the writers' or the models'
    ones; ``--help`` lists them all (and so imports them all).
    """

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            import importlib

            module, _, attribute = self.lazy[cmd_name].rpartition(".")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


COMMANDS = {
    "detect": "supportkit.cli.agent.detect", "guard": "supportkit.cli.agent.guard",
    "reply": "supportkit.cli.agent.reply", "tutorial": "supportkit.cli.agent.tutorial",
    "render": "supportkit.cli.agent.render_command",
    "templates": "supportkit.cli.agent.templates", "translate": "supportkit.cli.agent.translate_command",
    "check": "supportkit.cli.writers.check", "status": "supportkit.cli.writers.status",
    "preview": "supportkit.cli.writers.preview", "drafts": "supportkit.cli.writers.drafts",
    "stamp": "supportkit.cli.writers.stamp", "faq": "supportkit.cli.faq.faq", "batch": "supportkit.cli.batch.batch",
    "models": "supportkit.cli.models.models", "catalogs": "supportkit.cli.writers.catalogs",
    "report": "supportkit.cli.report.report",
}
"""Each command of each user's module (``agent``, ``writers``, ``faq``, ``batch``, ``report``, ``models``), by name."""


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``, in the user's language (click's version_option fixes its message at import)."""
    if not value or ctx.resilient_parsing:
        return
    click.echo(_("%(prog)s, version %(version)s") % {"prog": "supportkit", "version": __version__}, color=ctx.color)
    ctx.exit()


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]},
             help=N_("supportkit: multilingual help-desk toolkit (zh en es ru fr)."))
@option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
        help=N_("Show the version and exit."))
@option("--replies", "replies_dir", type=PathType(file_okay=False, path_type=None), default=None, metavar="DIR",
        help=N_("Folder of reply and tutorial templates (default: configured, else bundled)."))
@option("--locales", "locales_dir", type=PathType(file_okay=False), default=None, metavar="DIR",
        help=N_("Folder of gettext catalogs (default: configured, else bundled)."))
@option("--color/--no-color", "color", default=None,
        help=N_("Color the output, even when piped (--color), or never (--no-color). Default: on a "
                "terminal, unless NO_COLOR is set or TERM is dumb."))
@click.pass_context
def cli(ctx: click.Context, replies_dir: str | None, locales_dir: str | None, color: bool | None) -> None:
    from pathlib import Path

    # The one place color is decided: every click.echo/secho below reads it from the context.
    ctx.color = color_setting(color)
    ctx.obj = Context({"replies_dir": ("--replies", Path(replies_dir) if replies_dir else None),
                       "locales_dir": ("--locales", Path(locales_dir) if locales_dir else None)})


# --- configuration ----------------------------------------------------------------


@cli.command("config", help=N_(
    "Show the configuration files found (read or refused, and why) and every setting with where it came from.\n\n"
    "Origins: default, a file's path, env SUPPORTKIT_NAME, or flag --name. --json prints "
    "{\"files\": [{\"path\", \"scope\": \"user\"|\"project\", \"status\": \"read\"|\"refused\", \"reason\"}], "
    "\"settings\": {NAME: {\"value\", \"origin\"}}, \"safe_directories\": [...]}, brand settings named "
    "brand.NAME. Exits 1 after the report when a file was refused."),
    short_help=N_("Show the configuration files and settings."))
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@pass_context
def config_command(ctx: Context, as_json: bool) -> None:
    from supportkit.config import read_config

    report = read_config(flags=ctx.flags)
    if as_json:
        emit_json(report.to_dict())
    else:
        click.echo(_("Files:") if report.files else _("Files: none found (defaults in force)"))
        # The same words as "status" and "scope" in --json, in the user's language.
        labels = {"read": _("read"), "refused": _("refused"), "user": _("user"), "project": _("project")}
        for found in report.files:
            status, scope = found.to_dict()["status"], found.scope
            line = f"  {labels.get(status, status):<8} {labels.get(scope, scope):<8} {found.path}"
            click.echo(line + (f"\n           {found.refused.format_message()}" if found.refused else ""))
        click.echo(_("Settings:"))
        for name, setting in report.settings().items():
            value = json.dumps(setting["value"], ensure_ascii=False)
            click.echo(f"  {name} = {value}  ({setting['origin']})")
    report.raise_refused()


def main() -> None:
    """Entry point of the ``supportkit`` console script."""
    cli(prog_name="supportkit")

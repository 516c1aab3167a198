"""The help-center site: faq build, faq serve."""

from __future__ import annotations

from pathlib import Path

import click

from supportkit.cli.common import (
    Context,
    emit_json,
    pass_context,
)
from supportkit.i18n import _

# --- faq site -------------------------------------------------------------------


@click.group()
def faq() -> None:
    """Build and preview the static, localized help-center site."""


@faq.command("build")
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, help=_("Folder to write the site into."))
@click.option("--base-url", metavar="URL", help=_("Public address of the site, for canonical and hreflang links."))
@click.option("--locales", "locales", metavar="LL,LL", help=_("Comma-separated locales (default: zh,en,es,ru,fr)."))
@click.option("--strict", is_flag=True, help=_("Fail when any article is missing, stale or a draft in any locale."))
@click.option("--warn-stale", is_flag=True,
              help=_("List stale articles as warnings on stderr and build all the same (exit 0)."))
@click.option("--untranslated", type=click.Choice(["notice", "omit"]), default="notice", show_default=True,
              help=_("Show untranslated articles in the original language with a notice, or leave them out."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the build report as JSON."))
@pass_context
def faq_build(ctx: Context, out: str, base_url: str | None, locales: str | None, strict: bool, warn_stale: bool,
              untranslated: str, as_json: bool) -> None:
    """Build the FAQ site from tutorials and replies that carry an FAQ question.

    By default stale translations are published silently; --warn-stale lists them on stderr
    (path:line: locale: message) and exits 0; --strict fails on them (and on missing or draft ones).
    --out is replaced as a whole, so it may not be, or hold, the current folder, the home folder,
    the filesystem root, the templates, the catalogs or the configuration file (exit 2).
    """

    from supportkit.faq import BuildOptions, build_site
    from supportkit.faq.options import SITE_LOCALES

    codes = tuple(c.strip() for c in locales.split(",") if c.strip()) if locales else SITE_LOCALES
    options = BuildOptions(out=Path(out), base_url=base_url, locales=codes, strict=strict, untranslated=untranslated,
                           warn_stale=warn_stale)
    report = build_site(ctx.config, options)
    for warning in report.warnings:
        click.echo(str(warning), err=True)
    if as_json:
        emit_json(report.to_dict())
        return
    click.echo(_("Built {pages} pages ({articles} articles x {locales} locales) in {seconds:.2f} s: {out}").format(
        pages=report.pages, articles=report.articles, locales=len(report.locales), seconds=report.seconds,
        out=report.out), err=True)
    if report.fallbacks:
        click.echo(_("{count} page(s) shown in the original language with a notice (untranslated).").format(
            count=len(report.fallbacks)), err=True)
    if report.kept:
        click.echo(_("kept {count} file(s) the build did not write: {files}").format(
            count=len(report.kept), files=", ".join(report.kept[:5])), err=True)


@faq.command("serve")
@click.option("--out", "out", type=click.Path(file_okay=False), help=_("Build into this folder (default: a temporary one)."))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help=_("Port on 127.0.0.1."))
@pass_context
def faq_serve(ctx: Context, out: str | None, port: int) -> None:
    """Build the site and preview it on http://127.0.0.1:PORT/ until Ctrl-C."""

    from supportkit.faq.serve import serve

    serve(ctx.config, Path(out) if out else None, port, announce=lambda url: click.echo(url, err=True))

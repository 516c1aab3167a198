"""The help-center site: faq build, faq serve."""

from __future__ import annotations

from pathlib import Path

import click

from supportkit.cli.common import (
    Context,
    IntRange,
    PathType,
    emit_json,
    group,
    option,
    pass_context,
)
from supportkit.i18n import N_, _, format_number, ngettext

# --- faq site -------------------------------------------------------------------


@group(help=N_("Build and preview the static, localized help-center site."))
def faq() -> None:
    pass


@faq.command("build", short_help=N_("Build the FAQ site from the templates."), help=N_(
        "Build the FAQ site from tutorials and replies that carry an FAQ question.\n\nBy default "
        "stale translations are published silently; --warn-stale lists them on stderr (path:line: "
        "locale: message) and exits 0; --strict fails on them (and on missing or draft ones). --out "
        "is replaced as a whole, so it may not be, or hold, the current folder, the home folder, "
        "the filesystem root, the templates, the catalogs or the configuration file (exit 2)."))
@option("--out", "out", type=PathType(file_okay=False), metavar="DIR", required=True, help=N_("Folder to write the site into."))
@option("--base-url", metavar="URL", help=N_("Public address of the site, for canonical and hreflang links."))
@option("--locales", "locales", metavar="LL,LL", help=N_("Comma-separated locales (default: zh,en,es,ru,fr)."))
@option("--strict", is_flag=True, help=N_("Fail when any article is missing, stale or a draft in any locale."))
@option("--warn-stale", is_flag=True,
        help=N_("List stale articles as warnings on stderr and build all the same (exit 0)."))
@option("--untranslated", type=click.Choice(["notice", "omit"]), default="notice", show_default=True,
        help=N_("Show untranslated articles in the original language with a notice, or leave them out."))
@option("--json", "as_json", is_flag=True, help=N_("Print the build report as JSON."))
@pass_context
def faq_build(ctx: Context, out: str, base_url: str | None, locales: str | None, strict: bool, warn_stale: bool,
              untranslated: str, as_json: bool) -> None:
    from supportkit.faq import BuildOptions, build_site
    from supportkit.faq.options import SITE_LOCALES

    codes = tuple(c.strip() for c in locales.split(",") if c.strip()) if locales else SITE_LOCALES
    options = BuildOptions(out=Path(out), base_url=base_url, locales=codes, strict=strict, untranslated=untranslated,
                           warn_stale=warn_stale)
    report = build_site(ctx.config, options)
    for warning in report.warnings:
        click.echo(str(warning), err=True)
    if report.search != "pagefind":
        click.echo(_("warning: Pagefind is not installed, so the site's search finds exact words only. "
                     "Install it: pip install 'supportkit[site]'"), err=True)
    if as_json:
        emit_json(report.to_dict())
        return
    click.echo(_("Built {pages} ({articles} x {locales}) in {seconds} s: {out}").format(
        pages=ngettext("{count} page", "{count} pages", report.pages).format(count=format_number(report.pages)),
        articles=ngettext("{count} article", "{count} articles", report.articles).format(
            count=format_number(report.articles)),
        locales=ngettext("{count} locale", "{count} locales", len(report.locales)).format(
            count=format_number(len(report.locales))),
        seconds=format_number(report.seconds, 2), out=report.out), err=True)
    if report.fallbacks:
        click.echo(ngettext("{count} page shown in the original language with a notice (untranslated).",
                            "{count} pages shown in the original language with a notice (untranslated).",
                            len(report.fallbacks)).format(count=format_number(len(report.fallbacks))), err=True)
    if report.kept:
        click.echo(ngettext("kept {count} file the build did not write: {files}",
                            "kept {count} files the build did not write: {files}", len(report.kept)).format(
            count=format_number(len(report.kept)), files=", ".join(report.kept[:5])), err=True)


@faq.command("serve", short_help=N_("Build the site and preview it on 127.0.0.1."), help=N_(
        "Build the site and preview it on http://127.0.0.1:PORT/ until Ctrl-C."))
@option("--out", "out", type=PathType(file_okay=False), metavar="DIR", help=N_("Build into this folder (default: a temporary one)."))
@option("--port", type=IntRange(0, 65535), metavar="PORT", default=8000, show_default=True, help=N_("Port on 127.0.0.1."))
@pass_context
def faq_serve(ctx: Context, out: str | None, port: int) -> None:
    from supportkit.faq.serve import serve

    serve(ctx.config, Path(out) if out else None, port, announce=lambda url: click.echo(url, err=True))

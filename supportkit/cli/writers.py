"""The writers' commands: check, status, preview, drafts, stamp, and the catalogs group."""

from __future__ import annotations

from pathlib import Path

import click

from supportkit.cli.common import (
    Context,
    PathType,
    command,
    emit_json,
    group,
    option,
    pass_context,
    redact_quoted,
)
from supportkit.config import Config
from supportkit.i18n import N_, _, format_number, ngettext

# --- writers --------------------------------------------------------------------


@command(short_help=N_("Lint templates and catalogs; exit 1 on errors."), help=N_("Lint templates and catalogs (default: the configured replies and locales folders); exit 1 on errors."))
@click.argument("paths", nargs=-1, type=PathType(path_type=None))
@option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help=N_("Output: text lines, a JSON list, or GitHub workflow annotations."))
@option("--locale", "locale", metavar="LL", help=N_("Only findings for this locale."))
@pass_context
def check(ctx: Context, paths: tuple[str, ...], fmt: str, locale: str | None) -> None:

    from supportkit.writers.checks import format_findings, run_checks

    report = run_checks(ctx.config, [Path(p) for p in paths], locale)
    output = format_findings(report.findings, fmt)
    if output:
        click.echo(output)
    if fmt != "json":
        errors, warnings = len(report.errors), len(report.warnings)
        summary = _("{errors} and {warnings} (templates checked: {templates}, catalogs: {catalogs})").format(
            errors=ngettext("{count} error", "{count} errors", errors).format(count=format_number(errors)),
            warnings=ngettext("{count} warning", "{count} warnings", warnings).format(count=format_number(warnings)),
            templates=format_number(report.templates), catalogs=format_number(report.catalogs))
        click.echo(summary, err=True)
    if report.errors:
        raise SystemExit(1)


@command(short_help=N_("Translation state and coverage of every template."), help=N_("Translation state of every template in every locale (ok, missing, stale, draft) and coverage."))
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@pass_context
def status(ctx: Context, as_json: bool) -> None:
    from supportkit.writers.status import status_table, translation_status

    report = translation_status(ctx.config)
    if as_json:
        emit_json(report.to_dict())
        return
    labels = {"ok": _("ok"), "missing": _("missing"), "stale": _("stale"), "draft": _("draft: review"),
              "broken": _("broken"), "coverage": _("coverage")}
    click.echo(status_table(report, labels))
    for problem in report.broken:
        click.echo(str(problem), err=True)


@command(short_help=N_("Render a template in all five locales with edge cases."), help=N_("Render template ID in all five locales with edge-case values (empty, long names, counts, tiny amounts)."))
@click.argument("template_id", metavar="ID")
@option("--html", "html_out", type=PathType(dir_okay=False), metavar="FILE", help=N_("Also write one HTML page for review."))
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@pass_context
def preview(ctx: Context, template_id: str, html_out: str | None, as_json: bool) -> None:

    from supportkit.files import write_text
    from supportkit.writers.preview import build_preview, preview_html, preview_text

    result = build_preview(ctx.config, template_id)
    if html_out:
        write_text(Path(html_out), preview_html(result, _("Preview")))
        click.echo(_("wrote {path}").format(path=html_out), err=True)
    if as_json:
        emit_json(result.to_dict())
    else:
        click.echo(preview_text(result), nl=False)


@command(short_help=N_("Machine-translate missing or stale translations as drafts."), help=N_("Machine-translate missing or stale translations into the template files as drafts for review; "
                      "approved sentences whose source did not change are kept."))
@option("--locale", "locale", metavar="LL", required=True, help=N_("Locale to draft (zh, es, ru or fr)."))
@option("--template", "template_ids", multiple=True, metavar="ID", help=N_("Only this template (repeatable)."))
@option("--dry-run", is_flag=True, help=N_("Translate and show what would change as a unified diff; write nothing."))
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@pass_context
def drafts(ctx: Context, locale: str, template_ids: tuple[str, ...], dry_run: bool, as_json: bool) -> None:
    from supportkit.writers.drafts import make_drafts

    report = make_drafts(ctx.config, locale, list(template_ids), dry_run=dry_run)
    if as_json:
        emit_json(report.to_dict())
    else:
        # The same words as the "action" of --json, in the user's language.
        actions = {"added": _("added"), "replaced": _("replaced"), "would add": _("would add"),
                   "would replace": _("would replace")}
        for item in report.items:
            if item.action == "failed":
                click.echo(_("{path}: {locale}: failed: {reason}").format(path=item.path, locale=item.locale,
                                                                          reason=item.error), err=True)
                continue
            line = f"{item.path}: {item.locale}: {actions.get(item.action, item.action)}"
            if item.kept:
                line += " " + ngettext("({kept} approved sentence kept, {drafted} drafted)",
                                       "({kept} approved sentences kept, {drafted} drafted)",
                                       item.kept).format(kept=item.kept, drafted=item.drafted)
            click.echo(line)
            if item.diff:
                click.echo(item.diff, nl=False)
            for finding in item.findings:
                click.echo(f"  {finding}", err=True)
        done = sum(1 for i in report.items if i.action not in ("failed",))
        if report.error is not None and not report.items:
            pass  # nothing was drafted: the error below says why
        elif dry_run:
            click.echo(ngettext("{count} draft would be written; nothing was changed.",
                                "{count} drafts would be written; nothing was changed.", done).format(count=done),
                       err=True)
        else:
            click.echo(ngettext("{count} draft written for review; it is not used in replies until approved.",
                                "{count} drafts written for review; none is used in replies until approved.",
                                done).format(count=format_number(done)), err=True)
    if report.error is not None:
        raise report.error
    if report.failed:
        from supportkit.errors import TemplateError

        raise TemplateError(ngettext("{count} template could not be drafted", "{count} templates could not be drafted",
                                     len(report.failed)).format(count=len(report.failed)), None,
                            _("The reasons are listed above."))


@command(short_help=N_("Mark translations of templates as up to date."), help=N_("Mark translations of template ID as up to date with the current source text."))
@click.argument("template_ids", nargs=-1, metavar="[ID]...")
@option("--locale", "locales", multiple=True, metavar="LL", help=N_("Only this locale (repeatable)."))
@option("--all", "all_templates", is_flag=True, help=N_("Every template (careful: marks all translations current)."))
@option("--snapshot-only", is_flag=True, help=N_("Only record the current source texts, change no template."))
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@pass_context
def stamp(ctx: Context, template_ids: tuple[str, ...], locales: tuple[str, ...], all_templates: bool,
          snapshot_only: bool, as_json: bool) -> None:
    from supportkit.library.edit import stamp_library

    if template_ids and all_templates:
        raise click.UsageError(_("Name templates or pass --all, not both."))
    if locales and snapshot_only:
        raise click.UsageError(_("--snapshot-only records source texts only; it takes no --locale."))
    if not template_ids and not (all_templates or snapshot_only):
        raise click.UsageError(_("Name the templates to stamp, or pass --all."))
    _check_stamp_arguments(ctx.config, template_ids, locales)
    done = stamp_library(ctx.config.replies_dir, list(template_ids), list(locales) or None, ctx.config.source_locale,
                         snapshot_only=snapshot_only)
    if as_json:
        emit_json(done)
        return
    for ref, stamped in done.items():
        if stamped:
            click.echo(f"{ref}: {' '.join(stamped)}")
    if snapshot_only:
        click.echo(ngettext("recorded the source text of {count} template",
                            "recorded the source text of {count} templates", len(done)).format(
            count=format_number(len(done))), err=True)


def _check_stamp_arguments(config: Config, template_ids: tuple[str, ...], locales: tuple[str, ...]) -> None:
    """Usage errors (exit 2) for a locale or template ``stamp`` cannot act on, before anything is written."""
    from supportkit.languages import SUPPORTED_LANGUAGES
    from supportkit.library import load_library

    library = load_library(config.replies_dir, config.source_locale, strict=False)
    present = {code for template in library for code in template.locales}
    known = [code for code in dict.fromkeys([*SUPPORTED_LANGUAGES, *sorted(present)]) if code != config.source_locale]
    for code in locales:
        if code == config.source_locale:
            raise click.BadParameter(
                _("{locale!r} is the source locale: translations are stamped, not the source. "
                  "Supported locales: {locales}.").format(locale=code, locales=", ".join(known)),
                param_hint="'--locale'")
        if code not in known:
            raise click.BadParameter(_("unknown locale {locale!r}. Supported locales: {locales}.").format(
                locale=code[:20], locales=", ".join(known)), param_hint="'--locale'")
    for ref in template_ids:
        if ref not in library.templates:
            import difflib

            close = difflib.get_close_matches(ref, list(library.templates), n=3)
            hint = (_("Did you mean {names}?").format(names=", ".join(close)) if close
                    else _("Run `supportkit templates list` to see them."))
            raise click.BadParameter(_("no template {ref!r}.").format(ref=redact_quoted(ref)[:48]) + " " + hint,
                                     param_hint="'[ID]...'")


# --- catalogs ---------------------------------------------------------------------


_ROOT_OPTION = option(
    "--root", type=PathType(file_okay=False, exists=True, path_type=Path), default=None, metavar="DIR",
    help=N_("Project whose code the strings are extracted from (default: this installation of supportkit)."))


def _project_root(root: Path | None) -> Path:
    from supportkit.i18n.catalogs import PACKAGE_ROOT

    return root if root is not None else PACKAGE_ROOT.parent


@group(short_help=N_("Maintain supportkit's own gettext catalogs."), help=N_("Maintain supportkit's own gettext catalogs (the --locales folder): extract, update, compile, check."))
def catalogs() -> None:
    pass


@catalogs.command("extract", short_help=N_("Extract the UI strings of the code into messages.pot."), help=N_("Extract the UI strings of the code into messages.pot (rewritten only if they changed)."))
@_ROOT_OPTION
@pass_context
def catalogs_extract(ctx: Context, root: Path | None) -> None:
    from supportkit.i18n.catalogs import DOMAIN, write_pot

    pot = Path(ctx.config.locales_dir) / f"{DOMAIN}.pot"
    count = write_pot(_project_root(root), pot)
    click.echo(ngettext("{path}: {count} string", "{path}: {count} strings", count).format(path=pot, count=count))


@catalogs.command("update", short_help=N_("Extract messages.pot and merge it into every catalog."), help=N_("Extract messages.pot and merge it into every catalog; a file changes only when "
                                   "its strings do."))
@_ROOT_OPTION
@pass_context
def catalogs_update(ctx: Context, root: Path | None) -> None:
    from supportkit.i18n.catalogs import DOMAIN, po_path_of, update_catalogs, write_pot

    locales_dir = Path(ctx.config.locales_dir)
    pot = locales_dir / f"{DOMAIN}.pot"
    count = write_pot(_project_root(root), pot)
    click.echo(ngettext("{path}: {count} string", "{path}: {count} strings", count).format(path=pot, count=count))
    for code, missing in update_catalogs(locales_dir).items():
        click.echo(ngettext("{path}: {count} untranslated string", "{path}: {count} untranslated strings",
                            missing).format(path=po_path_of(locales_dir, code), count=missing))


@catalogs.command("compile", short_help=N_("Compile every catalog into a .mo file."), help=N_("Compile every catalog into a .mo file (beside it, or under --out)."))
@option("--out", type=PathType(file_okay=False, path_type=Path), default=None, metavar="DIR",
              help=N_("Write the .mo files into this folder instead."))
@pass_context
def catalogs_compile(ctx: Context, out: Path | None) -> None:
    from supportkit.i18n.catalogs import compile_all

    for path in compile_all(Path(ctx.config.locales_dir), out):
        click.echo(str(path))


@catalogs.command("check", short_help=N_("Exit 1 when the catalogs are stale, incomplete or fuzzy."), help=N_("Exit 1 when messages.pot is behind the code or a catalog is not merged, "
                                  "incomplete or fuzzy, listing each problem."))
@_ROOT_OPTION
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
@pass_context
def catalogs_check(ctx: Context, root: Path | None, as_json: bool) -> None:
    from supportkit.writers.checks.catalogs import catalog_problems

    problems = catalog_problems(_project_root(root), Path(ctx.config.locales_dir))
    if as_json:
        emit_json([{"path": p.path, "line": p.line, "locale": p.locale, "message": p.message,
                    "severity": p.severity, "check": p.check or "catalog_stale"} for p in problems])
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(ngettext("{count} problem in the catalogs", "{count} problems in the catalogs",
                            len(problems)).format(count=len(problems)), err=True)
    if problems:
        raise SystemExit(1)

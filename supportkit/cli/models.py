"""Offline translation models: models list, available, install, remove."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from supportkit.cli.common import (
    PathType,
    emit_json,
    group,
    option,
    show_progress,
)
from supportkit.i18n import N_, _


@group(short_help=N_("List, install and remove offline translation models."), help=N_(
        "List, install and remove offline translation models (Argos Translate packages)."))
def models() -> None:
    pass


@models.command("list", short_help=N_("Installed translation packages, one per line."), help=N_(
        "Installed translation packages, one per line: from, to, version, size, folder."))
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
def models_list(as_json: bool) -> None:
    from supportkit.translation.packages import list_installed, packages_dir

    root = packages_dir()
    installed = list_installed(root)
    if as_json:
        emit_json({"packages_dir": str(root), "packages": [p.to_dict() for p in installed]})
        return
    click.echo(_("packages folder: {path}").format(path=root), err=True)
    if not installed:
        click.echo(_("no translation model installed; install one with: supportkit models install en zh"), err=True)
    for package in installed:
        row = package.to_dict()
        usable = "" if row["usable"] else "  " + _("(BPE tokenizer: not usable here)")
        # A tab-separated table read by scripts: the size stays "12.3 MB" in every language.
        click.echo(f"{row['from']} -> {row['to']}\t{row['version'] or '-'}\t{row['size'] / 1e6:.1f} MB\t"
                   f"{package.path.name}{usable}")


@models.command("available", short_help=N_("What the package index offers (like argospm search)."), help=N_(
        "What the package index offers, like argospm search; installed packages are marked.\n\nReads "
        "the index saved on this machine by the last --update or models install (else Argos' own "
        "copy), so it works offline. FROM lists the packages from that language; FROM TO what "
        "models install FROM TO would install: the direct package, or both hops through English. "
        "--json prints {\"index\", \"file\", \"saved_at\", \"packages\": [{\"code\", \"from\", \"to\", "
        "\"from_name\", \"to_name\", \"version\", \"file\", \"link\", \"size\", \"sha256\", \"installed\"}]}, "
        "installed being the installed version or null."))
@click.argument("from_code", required=False, metavar="[FROM")
@click.argument("to_code", required=False, metavar="[TO]]")
@option("--update", is_flag=True, help=N_("Download the package index first (online), then list it."))
@option("--index", "index", metavar="URL|FILE",
        help=N_("Package index to list: its address, or an index.json file (default: Argos')."))
@option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
def models_available(from_code: str | None, to_code: str | None, update: bool, index: str | None,
                     as_json: bool) -> None:
    from supportkit.translation import language_code
    from supportkit.translation.package_index import available_packages, package_file
    from supportkit.translation.packages import list_installed, version_key

    source = language_code(from_code, "FROM") if from_code else None
    target = language_code(to_code, "TO") if to_code else None
    saved, offered = available_packages(source, target, url=index, update=update)
    installed: dict[tuple[str, str], str] = {}
    for package in list_installed():
        current = installed.get(package.info.pair)
        if current is None or version_key(package.info.package_version) > version_key(current):
            installed[package.info.pair] = package.info.package_version
    rows: list[dict[str, Any]] = []
    marks: list[str] = []
    for info in offered:
        name, link = package_file(info)
        have = installed.get(info.pair)
        rows.append({"code": info.code, "from": info.from_code, "to": info.to_code, "from_name": info.from_name,
                     "to_name": info.to_name, "version": info.package_version, "file": name, "link": link,
                     "size": info.extra.get("size"), "sha256": info.extra.get("sha256"), "installed": have})
        if have is None:
            marks.append("")
        elif version_key(have) >= version_key(info.package_version):
            marks.append("\t" + _("installed"))
        else:
            marks.append("\t" + _("installed {version}, older").format(version=have))
    if as_json:
        emit_json({**saved.to_dict(), "packages": rows})
        return
    click.echo(_("package index: {address} ({path})").format(address=saved.address, path=saved.path), err=True)
    if not rows:
        click.echo(_("the index offers no package from {code}").format(code=source), err=True)
    for row, mark in zip(rows, marks, strict=True):
        click.echo(f"{row['from']} -> {row['to']}\t{row['version'] or '-'}\t{row['from_name']} -> {row['to_name']}"
                   f"\t{row['file']}{mark}")


@models.command("install", short_help=N_("Install a language pair, online or from files."), help=N_(
        "Install a language pair from the package index (online), or .argosmodel files "
        "(offline).\n\nFROM TO downloads the package for the pair, or both hops through English when "
        "there is no direct one (e.g. zh es installs zh->en and en->es)."))
@click.argument("sources", nargs=-1, required=True, metavar="FROM TO | FILE.argosmodel...")
@option("--index", "index", metavar="URL", help=N_("Package index to download from (default: Argos')."))
@option("--sha256", "sha256", metavar="HEX", help=N_("Expected SHA-256 of the package file (one file)."))
@option("--save", "save_dir", type=PathType(file_okay=False), metavar="DIR",
        help=N_("Also keep the downloaded .argosmodel files in DIR, to carry to an offline machine."))
def models_install(sources: tuple[str, ...], index: str | None, sha256: str | None, save_dir: str | None) -> None:
    from supportkit.translation import language_code
    from supportkit.translation.packages import install_archive

    files = [s for s in sources if s.endswith((".argosmodel", ".zip")) or Path(s).is_file()]
    if files:
        if len(files) != len(sources):
            raise click.UsageError(_("Give either two language codes or package files, not both."))
        if sha256 and len(files) != 1:
            raise click.UsageError(_("--sha256 checks one package file at a time."))
        if save_dir:
            raise click.UsageError(_("--save keeps downloads; these files are already here."))
        results = [install_archive(Path(f), sha256=sha256) for f in files]
    elif sha256:
        raise click.UsageError(_("--sha256 is for a package file; index downloads are checked against the index."))
    elif len(sources) == 2:
        from supportkit.translation.package_index import install_from_index

        pair = (language_code(sources[0], "FROM"), language_code(sources[1], "TO"))
        results = install_from_index(*pair, url=index, progress=_download_bar if show_progress() else None,
                                     save_dir=Path(save_dir) if save_dir else None)
    else:
        raise click.UsageError(_("Give the two languages of a pair (e.g. en zh) or .argosmodel files."))
    for result in results:
        package = result.package
        click.echo(_("installed {code} {version} ({source} -> {target}) in {path}").format(
            code=package.info.code, version=package.info.package_version, source=package.from_code,
            target=package.to_code, path=package.path))
        if result.replaced:
            click.echo(_("replaced {names}").format(names=", ".join(result.replaced)), err=True)
        if result.saved:
            click.echo(_("saved {path} (sha256 {digest})").format(path=result.saved, digest=result.sha256))


def _download_bar(info: Any) -> Any:
    """A progress callback drawing one bar on stderr for one package download (when its size is known)."""

    state: dict[str, Any] = {"bar": None, "done": 0}

    def update(done: int, total: int | None) -> None:
        if not total:
            return
        bar = state["bar"]
        if bar is None:
            bar = state["bar"] = click.progressbar(length=total, label=info.code, file=sys.stderr)
            bar.__enter__()
        bar.update(done - state["done"])
        state["done"] = done
        if done >= total:
            bar.__exit__(None, None, None)

    return update


@models.command("remove", short_help=N_("Remove an installed package, by pair or by name."), help=N_(
        "Remove an installed package: by pair (en zh) or by name (translate-en_zh)."))
@click.argument("names", nargs=-1, required=True, metavar="FROM TO | NAME")
def models_remove(names: tuple[str, ...]) -> None:
    from supportkit.translation import language_code
    from supportkit.translation.packages import remove_package

    if len(names) == 2 and all(len(n) <= 3 for n in names):
        removed = remove_package((language_code(names[0], "FROM"), language_code(names[1], "TO")))
    elif len(names) == 1:
        removed = remove_package(names[0])
    else:
        raise click.UsageError(_("Give the two languages of a pair (e.g. en zh) or one package name."))
    for package in removed:
        click.echo(_("removed {code} ({path})").format(code=package.info.code, path=package.path))

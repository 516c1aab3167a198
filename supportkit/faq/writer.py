"""Writing the site: a temporary folder swapped in whole, unchanged pages linked, foreign files kept."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from supportkit.errors import N_
from supportkit.faq.options import SITE_FORMAT, FaqBuildError, UnsafeOutputError
from supportkit.faq.pages import layout_digest, site_environment, ui_strings

MANIFEST = ".supportkit-site.json"




LINK_IN_FOLDERS = os.link in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")  # not on Windows


class SiteWriter:
    """Writes the new site into ``tmp``, reusing unchanged files.

    ``tmp`` is either empty or the spare: the output before last, which the last build
    swapped out (see ``swap_in``), with its manifest ``spare_hashes``. A file whose
    key is unchanged since then stays as it is; one unchanged since the last build is
    hard-linked from the live output ``previous``; anything else is produced. So a
    rebuild after a small change touches a few files instead of linking and later
    deleting thousands. Files of the spare are never written to (they may be links to
    the live site): they are unlinked and replaced. ``finish`` removes what the new
    site no longer has; call ``close`` in any case.
    """

    def __init__(self, tmp: Path, previous: Path | None, old_hashes: dict[str, str],
                 spare_hashes: dict[str, str] | None = None) -> None:
        self.layout = layout_digest()
        self.tmp = tmp
        self.previous = previous
        self.old_hashes = old_hashes
        self.spare_hashes = spare_hashes or {}
        self.hashes: dict[str, str] = {}
        self.written: set[str] = set()
        """Every file of the new site, pages or not."""
        self.rendered = 0
        self.reused = 0
        self._folders: dict[str, int] = {}  # folder under tmp -> descriptor (-1 where links take paths)
        self._old_folders: dict[str, int | None] = {}  # folder under previous -> descriptor (None: missing)
        self._spare_files, self._spare_folders = scan_tree(tmp) if spare_hashes is not None else (set(), set())

    def output(self, rel: str, key: str, produce: Callable[[], str]) -> None:
        """Write ``rel``, or keep or link an earlier build's file that had the same ``key``."""
        self.hashes[rel] = key
        self.written.add(rel)
        if rel in self._spare_files and self.spare_hashes.get(rel) == key:
            self._spare_files.discard(rel)
            self.reused += 1
        elif self.previous is not None and self.old_hashes.get(rel) == key and self._link(rel):
            self.reused += 1
        else:
            self.file(rel, produce())

    def page(self, rel: str, template_name: str, site: dict[str, Any], page: dict[str, Any],
             gettext: Callable[[str], str]) -> None:
        """Write one page, keyed by all of its inputs.

        The key names every input of the page (dict order is fixed by the code that builds
        it, so ``repr`` is stable), including the template's own UI strings in this locale.
        """
        key = hashlib.sha1(repr((self.layout, template_name, site, page, ui_strings(gettext))).encode()).hexdigest()
        self.keyed_page(rel, key, template_name, site, lambda: page, gettext)

    def keyed_page(self, rel: str, key: str, template_name: str, site: dict[str, Any],
                   model: Callable[[], dict[str, Any]], gettext: Callable[[str], str]) -> None:
        """Write one page whose inputs the caller digested into ``key``; ``model`` is built only to render."""
        self.output(rel, key, functools.partial(self._render, template_name, site, model, gettext))

    def _render(self, template_name: str, site: dict[str, Any], model: Callable[[], dict[str, Any]],
                gettext: Callable[[str], str]) -> str:
        self.rendered += 1
        return str(site_environment().get_template(template_name).render(site=site, page=model(), _=gettext))

    def file(self, rel: str, content: str) -> None:
        self.written.add(rel)
        self._place(rel)
        # "x": a new file, never one that exists (it could be the live site's, through a link).
        with open(os.path.join(self.tmp, rel), "x", encoding="utf-8", newline="") as handle:
            handle.write(content)

    def binary(self, rel: str, data: bytes) -> None:
        """Write a file of bytes (an image): always written, never linked from the previous build."""
        self.written.add(rel)
        self._place(rel)
        with open(os.path.join(self.tmp, rel), "xb") as handle:
            handle.write(data)

    def _place(self, rel: str) -> tuple[int, str]:
        """Make room for ``rel`` in the new site: its folder's descriptor and its name."""
        folder, _, name = rel.rpartition("/")
        fd = self._folder(folder)
        if rel in self._spare_files:
            self._spare_files.discard(rel)
            os.unlink(os.path.join(self.tmp, rel))
        elif rel in self._spare_folders:  # a folder where the new site has a file
            self._spare_folders.discard(rel)
            shutil.rmtree(os.path.join(self.tmp, rel))
        return fd, name

    def _link(self, rel: str) -> bool:
        """Link the live site's ``rel`` into the new site; False if it is gone."""
        new_fd, name = self._place(rel)
        try:
            if new_fd < 0:
                os.link(os.path.join(str(self.previous), rel), os.path.join(self.tmp, rel))
            else:
                old_fd = self._old_folder(rel.rpartition("/")[0])
                if old_fd is None:
                    return False
                os.link(name, name, src_dir_fd=old_fd, dst_dir_fd=new_fd)
        except FileNotFoundError:
            return False
        except OSError:  # no hard links here (another file system, FAT): copy instead
            try:
                shutil.copyfile(os.path.join(str(self.previous), rel), os.path.join(self.tmp, rel))
            except FileNotFoundError:
                return False
        return True

    def finish(self) -> None:
        """Remove what the spare held that the new site does not."""
        kept = {f"{folder}/" for folder in self._folders} | {rel.rpartition("/")[0] + "/" for rel in self.hashes}
        for folder in sorted(self._spare_folders, key=len):  # outermost first: rmtree takes what is inside
            path = os.path.join(self.tmp, folder)
            if not any(used.startswith(f"{folder}/") for used in kept) and os.path.lexists(path):
                shutil.rmtree(path)
        for rel in sorted(self._spare_files):
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # in a folder removed above
                os.unlink(os.path.join(self.tmp, rel))
        self._spare_files.clear()
        self._spare_folders.clear()

    def _folder(self, folder: str) -> int:
        fd = self._folders.get(folder)
        if fd is None:
            path = os.path.join(self.tmp, folder)
            if folder in self._spare_files:  # a file where the new site has a folder
                self._spare_files.discard(folder)
                os.unlink(path)
            os.makedirs(path, exist_ok=True)
            fd = self._folders[folder] = os.open(path, os.O_RDONLY | os.O_DIRECTORY) if LINK_IN_FOLDERS else -1
        return fd

    def _old_folder(self, folder: str) -> int | None:
        if folder not in self._old_folders:
            try:
                fd: int | None = os.open(os.path.join(str(self.previous), folder), os.O_RDONLY | os.O_DIRECTORY)
            except OSError:
                fd = None
            self._old_folders[folder] = fd
        return self._old_folders[folder]

    def close(self) -> None:
        for fd in [*self._folders.values(), *self._old_folders.values()]:
            if fd is not None and fd >= 0:
                os.close(fd)
        self._folders.clear()
        self._old_folders.clear()


def scan_tree(root: Path) -> tuple[set[str], set[str]]:
    """Relative paths of the files (anything not a folder) and of the folders under ``root``."""
    files: set[str] = set()
    folders: set[str] = set()
    pending = [""]
    while pending:
        folder = pending.pop()
        with os.scandir(os.path.join(root, folder)) as entries:
            for entry in entries:
                rel = f"{folder}/{entry.name}" if folder else entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.add(rel)
                    pending.append(rel)
                else:
                    files.add(rel)
    return files, folders


def check_output_location(out: Path, protected: list[tuple[str, Path]]) -> None:
    """Refuse ``out`` when it is, or holds, a folder of ``protected`` (``(what, folder)``, folders
    resolved): a build replaces its whole ``--out`` folder, so ``--out .`` or ``--out ..`` would move
    the shell's folder away and ``--out ~`` or the templates' folder would replace someone's files."""
    for what, folder in protected:
        if out == folder or folder.is_relative_to(out):
            raise UnsafeOutputError(
                N_("refusing to build into {out}: the build replaces that folder, which is or holds {what}"),
                None, N_("Choose a folder of its own for the site, e.g. --out site."), out=str(out), what=what)


def check_output_folder(out: Path) -> None:
    """Refuse to replace a folder that is not a previous build (it may hold someone's files).

    Where the folder is (home, the root, the shell's folder...) is ``check_output_location``'s."""
    if out.exists() and not out.is_dir():
        raise FaqBuildError(N_("output path is a file: {out}"), None, N_("Choose a folder for --out."), out=str(out))
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise FaqBuildError(N_("output folder is not empty and was not built by supportkit: {out}"), None,
                            N_("Choose an empty or new folder for --out."), out=str(out))


def read_manifest(folder: Path) -> dict[str, str]:
    """The page keys of the build in ``folder``; none when unreadable or from another layout."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") == SITE_FORMAT and manifest.get("layout") == layout_digest():
            pages = manifest.get("pages", {})
            if isinstance(pages, dict):
                return pages
    except (OSError, ValueError, AttributeError):
        pass
    return {}


def read_manifest_files(folder: Path) -> set[str]:
    """Every file the build in ``folder`` wrote (pages or not); empty for a build that did not list them."""
    try:
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {rel for rel in files if isinstance(rel, str)} if isinstance(files, list) else set()


def keep_foreign(out: Path, tmp: Path, ours: set[str]) -> list[str]:
    """Carry the files of ``out`` that no build wrote (a CNAME, a deploy's verification file) into ``tmp``.

    Links are carried as links (never followed), files as hard links (copies across file
    systems). A file where the new site has one of its own is the site's.
    """
    kept: list[str] = []
    for folder, folders, names in os.walk(out):
        here = Path(folder)
        entries = names + [name for name in folders if (here / name).is_symlink()]
        for name in sorted(entries):
            source = here / name
            rel = source.relative_to(out).as_posix()
            if rel in ours or rel == MANIFEST:
                continue
            target = tmp / rel
            if os.path.lexists(target):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                os.symlink(os.readlink(source), target)
            else:
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copy2(source, target)
            kept.append(rel)
    return sorted(kept)


def spare_path(out: Path) -> Path:
    """The output before last, kept next to ``out`` for the next build to update (``swap_in``)."""
    return out.with_name(f".{out.name}.spare")


def claim_spare(out: Path, tmp: Path, use: bool) -> bool:
    """Move the spare into the empty ``tmp`` to build in; without ``use`` (a clean build), drop it."""
    spare = spare_path(out)
    try:
        if not stat.S_ISDIR(os.lstat(spare).st_mode):  # a real folder of ours, not a link to elsewhere
            return False
        if use:
            os.replace(spare, tmp)  # atomic: of two builds only one gets it
            return True
    except OSError:
        return False
    shutil.rmtree(spare, ignore_errors=True)
    return False


def swap_in(tmp: Path, out: Path) -> None:
    """Replace ``out`` with ``tmp`` in two renames, so readers see the old or the new site.

    The old site becomes the spare, for the next build to update in place of a copy.
    """
    os.chmod(tmp, 0o755)
    old = None
    if out.exists():
        try:
            os.rename(out, spare_path(out))  # fails if another build left a spare meanwhile
        except OSError:
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

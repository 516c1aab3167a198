"""Argos Translate model packages: where they live, what a valid one is, installing and removing.

A package (``.argosmodel``) is a zip of one folder holding ``metadata.json``, a
CTranslate2 model in ``model/`` and a ``sentencepiece.model`` (older ones: ``bpe.model``).
Installed packages live where Argos Translate 1.11 keeps them, so packages installed
with ``argospm`` are found here and ours are usable by Argos:

1. ``ARGOS_PACKAGES_DIR``;
2. else ``ARGOS_PACKAGES_DIR`` in Argos' ``$XDG_CONFIG_HOME/argos-translate/settings.json``;
3. else ``$XDG_DATA_HOME/argos-translate/packages`` (``~/.local/share/argos-translate/packages``).

An archive is checked completely before anything is written (``validate_archive``:
one small rule per problem, every problem reported), extracted member by member into
a temporary folder beside the packages folder (never inside it: Argos reads every
folder there as a package), checked again, and moved into place with one rename.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from supportkit.errors import N_, ModelError, N_plural

MAX_MEMBERS = 10_000
MAX_UNPACKED_BYTES = 2 * 1024**3
"""A real Argos package unpacks to 100-400 MB; anything past 2 GiB is refused."""
MAX_RATIO = 200
"""Largest compression ratio allowed for a member over 1 MiB (zip bombs reach thousands)."""
MAX_ARCHIVE_RATIO = 20
"""Largest ratio of the unpacked size of all members to the archive's size. A model (float
weights) barely compresses: real packages unpack to 1.1-3x. Many members just under 1 MiB that
each pass ``MAX_RATIO`` are caught here (360 KB that unpack to 300 MB)."""
_PAIR_IN_NAME_RE = re.compile(r"(?:^|[-_.])([a-z]{2,3})_([a-z]{2,3})(?=$|[-_.])")
_LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z0-9]{1,8})?$")
_FOLDER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_TMP_PREFIX = ".supportkit-"


def packages_dir(env: Mapping[str, str] | None = None) -> Path:
    """The folder Argos Translate installs packages into (see the module docstring for the order)."""
    env = os.environ if env is None else env
    configured = env.get("ARGOS_PACKAGES_DIR")
    if configured:
        return Path(configured).expanduser()
    home = Path(env.get("HOME") or Path.home())
    config_home = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    from_settings = _argos_setting(config_home / "argos-translate" / "settings.json", "ARGOS_PACKAGES_DIR")
    if from_settings:
        return Path(from_settings).expanduser()
    data_home = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    return data_home / "argos-translate" / "packages"


def _argos_setting(path: Path, key: str) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def package_code(from_code: str, to_code: str) -> str:
    """Argos' name for a translation package: ``translate-en_zh``."""
    return f"translate-{from_code}_{to_code}"


def install_command(from_code: str, to_code: str) -> str:
    """The exact command that installs what translating ``from_code`` -> ``to_code`` needs."""
    return f"supportkit models install {from_code} {to_code}"


@dataclass(frozen=True)
class PackageInfo:
    """What ``metadata.json`` says about a package (installed, in an archive, or in an index)."""

    from_code: str
    to_code: str
    package_version: str = ""
    argos_version: str = ""
    from_name: str = ""
    to_name: str = ""
    type: str = "translate"
    code: str = ""
    target_prefix: str = ""
    links: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_metadata(cls, data: Mapping[str, Any]) -> PackageInfo:
        """Read Argos metadata; raises ValueError naming the first field that is wrong."""
        problems = metadata_problems(data)
        if problems:
            raise ValueError(problems[0])
        from_code, to_code = str(data["from_code"]), str(data["to_code"])
        links = data.get("links") or []
        return cls(
            from_code=from_code, to_code=to_code,
            package_version=printable(str(data.get("package_version", ""))),
            argos_version=printable(str(data.get("argos_version", ""))),
            from_name=printable(str(data.get("from_name", ""))), to_name=printable(str(data.get("to_name", ""))),
            type=str(data.get("type", "translate")),
            code=printable(str(data.get("code") or package_code(from_code, to_code))),
            target_prefix=str(data.get("target_prefix", "")),
            links=tuple(str(link) for link in links if isinstance(link, str)),
            extra={k: v for k, v in data.items() if k in ("sha256", "size")},
        )

    @property
    def pair(self) -> tuple[str, str]:
        return self.from_code, self.to_code


def printable(text: str, limit: int = 200) -> str:
    """``text`` without control, format or unassigned characters (ANSI escapes, bidi controls), cut
    to ``limit``: package metadata is printed to a terminal and must not drive it."""
    import unicodedata

    return "".join(c for c in text[: limit * 2] if not unicodedata.category(c).startswith("C"))[:limit]


def metadata_problems(data: Any) -> list[str]:
    """Every reason ``data`` is not usable Argos translation metadata (empty when it is)."""
    if not isinstance(data, Mapping):
        return ["metadata.json is not a JSON object"]
    problems = []
    for key in ("from_code", "to_code"):
        value = data.get(key)
        if not isinstance(value, str) or not _LANGUAGE_CODE_RE.match(value):
            problems.append(f"metadata.json: {key} must be a language code such as 'en', not {value!r}")
    kind = data.get("type", "translate")
    if kind != "translate":
        problems.append(f"metadata.json: type is {kind!r}; only 'translate' packages are used here")
    for key in ("package_version", "argos_version", "from_name", "to_name", "code", "target_prefix"):
        if key in data and not isinstance(data[key], str):
            problems.append(f"metadata.json: {key} must be a string")
    if "links" in data and not (isinstance(data["links"], list) and all(isinstance(x, str) for x in data["links"])):
        problems.append("metadata.json: links must be a list of strings")
    return problems


@dataclass(frozen=True)
class InstalledPackage:
    """A package folder in the packages folder."""

    path: Path
    info: PackageInfo

    @property
    def from_code(self) -> str:
        return self.info.from_code

    @property
    def to_code(self) -> str:
        return self.info.to_code

    @property
    def tokenizer(self) -> str:
        """``sentencepiece``, ``bpe`` (Argos can use it; this engine cannot), or ``none``."""
        if (self.path / "sentencepiece.model").is_file():
            return "sentencepiece"
        return "bpe" if (self.path / "bpe.model").is_file() else "none"

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.info.code, "from": self.from_code, "to": self.to_code,
                "from_name": self.info.from_name, "to_name": self.info.to_name,
                "version": self.info.package_version, "tokenizer": self.tokenizer,
                "usable": self.tokenizer == "sentencepiece", "size": self.size(), "path": str(self.path)}


def read_installed(path: Path) -> InstalledPackage | None:
    """The package in folder ``path``, or None when it is not a translation package."""
    try:
        data = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        return InstalledPackage(path, PackageInfo.from_metadata(data))
    except (OSError, ValueError):
        return None


def list_installed(root: Path | None = None) -> list[InstalledPackage]:
    """Every translation package installed in ``root`` (default: ``packages_dir()``), sorted by pair."""
    root = packages_dir() if root is None else root
    try:
        folders = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ModelError(N_("cannot read the packages folder: {reason}"), str(root), reason=exc.strerror) from None
    found = [pkg for pkg in (read_installed(folder) for folder in folders) if pkg is not None]
    return sorted(found, key=lambda p: (p.from_code, p.to_code, p.path.name))


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)) or (0,)


# --- validation -------------------------------------------------------------------

ArchiveRule = Callable[["ArchiveView"], Iterator[str]]
_RULES: list[ArchiveRule] = []


def archive_rule(func: ArchiveRule) -> ArchiveRule:
    """Register one validation rule; each yields the problems it finds."""
    _RULES.append(func)
    return func


@dataclass
class ArchiveView:
    """What the rules look at: the zip's members and its parsed metadata."""

    members: list[zipfile.ZipInfo]
    root: str | None
    metadata: Any
    archive_size: int

    def names(self) -> set[str]:
        return {m.filename for m in self.members}


def _member_parts(name: str) -> tuple[str, ...]:
    return PurePosixPath(name).parts


@archive_rule
def _safe_member_names(view: ArchiveView) -> Iterator[str]:
    for member in view.members:
        name = member.filename
        parts = _member_parts(name)
        if (name.startswith("/") or "\\" in name or "\x00" in name or re.match(r"^[A-Za-z]:", name)
                or ".." in parts or any(p in ("", ".") for p in name.rstrip("/").split("/"))):
            yield f"unsafe path in archive: {name!r} (absolute, parent or backslash path)"


@archive_rule
def _no_links(view: ArchiveView) -> Iterator[str]:
    for member in view.members:
        kind = stat.S_IFMT(member.external_attr >> 16)
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            yield f"archive member {member.filename!r} is a link or special file"


@archive_rule
def _one_top_folder(view: ArchiveView) -> Iterator[str]:
    tops = {_member_parts(m.filename)[0] for m in view.members if _member_parts(m.filename)}
    if len(tops) != 1 or not any(len(_member_parts(m.filename)) > 1 for m in view.members):
        yield f"a package holds exactly one top-level folder, this one has {len(tops)}: {', '.join(sorted(tops)[:5])}"
    elif view.root is not None and (not _FOLDER_RE.match(view.root) or view.root.startswith(_TMP_PREFIX)):
        yield f"package folder name {view.root!r} has characters other than letters, digits, '.', '_' and '-'"


@archive_rule
def _size_limits(view: ArchiveView) -> Iterator[str]:
    if len(view.members) > MAX_MEMBERS:
        yield f"archive has {len(view.members)} members (limit {MAX_MEMBERS})"
    total = sum(m.file_size for m in view.members)
    if total > MAX_UNPACKED_BYTES:
        yield f"archive unpacks to {total} bytes (limit {MAX_UNPACKED_BYTES})"
    for member in view.members:
        if member.file_size > 1024**2 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            yield f"archive member {member.filename!r} expands {member.file_size // max(member.compress_size, 1)}x"
    if total > 1024**2 and total > MAX_ARCHIVE_RATIO * max(view.archive_size, 1):
        yield f"archive unpacks to {total // max(view.archive_size, 1)}x its size (limit {MAX_ARCHIVE_RATIO}x)"
    if len(view.names()) != len(view.members):
        yield "archive has duplicate member names"


@archive_rule
def _no_overlapping_members(view: ArchiveView) -> Iterator[str]:
    """Members whose data overlap (one stored byte range read as several files: CVE-2024-0450,
    fixed in CPython 3.11.8 but not in every distribution's build) are refused here."""
    spans = sorted((m.header_offset, m.header_offset + 30 + len(_raw_name(m)) + m.compress_size, m.filename)
                   for m in view.members)
    for (_start, end, name), (next_start, _end, other) in zip(spans, spans[1:], strict=False):
        if next_start < end:  # the next member starts inside this one's header or data
            yield f"archive members {name!r} and {other!r} overlap"
            return


def _raw_name(member: zipfile.ZipInfo) -> bytes:
    """The member's name as stored in its local header (UTF-8 when flagged, else code page 437)."""
    encoding = "utf-8" if member.flag_bits & 0x800 else "cp437"
    return member.orig_filename.encode(encoding, errors="replace")


@archive_rule
def _folder_names_its_pair(view: ArchiveView) -> Iterator[str]:
    """A folder named for another pair (``translate-en_zh`` holding es -> fr) would replace that pair."""
    if view.root is None or not isinstance(view.metadata, Mapping) or metadata_problems(view.metadata):
        return
    pair = (str(view.metadata["from_code"]), str(view.metadata["to_code"]))
    named = [match.groups() for match in _PAIR_IN_NAME_RE.finditer(view.root)]
    if named and pair not in named:
        yield (f"package folder {view.root!r} names the pair {named[0][0]} -> {named[0][1]} but the package "
               f"translates {pair[0]} -> {pair[1]}")


@archive_rule
def _required_files(view: ArchiveView) -> Iterator[str]:
    if view.root is None:
        return
    names = view.names()
    if f"{view.root}/metadata.json" not in names:
        yield f"missing {view.root}/metadata.json"
    if f"{view.root}/model/model.bin" not in names:
        yield f"missing {view.root}/model/model.bin (the CTranslate2 model)"
    if not names & {f"{view.root}/sentencepiece.model", f"{view.root}/bpe.model"}:
        yield f"missing {view.root}/sentencepiece.model (the tokenizer)"


@archive_rule
def _valid_metadata(view: ArchiveView) -> Iterator[str]:
    if view.root is None or view.metadata is None:
        return
    if isinstance(view.metadata, str):
        yield view.metadata
        return
    yield from metadata_problems(view.metadata)


def validate_archive(path: Path) -> tuple[PackageInfo, str]:
    """``(metadata, top folder)`` of a valid package archive; a ModelError listing every problem otherwise."""
    view = _open_view(path)
    problems = [problem for rule in _RULES for problem in rule(view)]
    if problems:
        raise ModelError(
            N_plural("not a valid Argos model package: {reason} (and {count} more)",
                     "not a valid Argos model package: {reason} (and {count} more)", len(problems) - 8)
            if len(problems) > 8 else N_("not a valid Argos model package: {reason}"),
            str(path), N_("Download the package again, or use one made for Argos Translate."),
            reason="; ".join(problems[:8]))
    assert view.root is not None and isinstance(view.metadata, Mapping)
    return PackageInfo.from_metadata(view.metadata), view.root


def _open_view(path: Path) -> ArchiveView:
    try:
        size = path.stat().st_size
        if not zipfile.is_zipfile(path):
            raise ModelError(N_("not a valid Argos model package: not a zip archive"), str(path),
                             N_("An .argosmodel file is a zip archive; download it again."))
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            tops = {_member_parts(m.filename)[0] for m in members if _member_parts(m.filename)}
            root = next(iter(tops)) if len(tops) == 1 else None
            metadata: Any = None
            if root is not None and f"{root}/metadata.json" in archive.namelist():
                info = archive.getinfo(f"{root}/metadata.json")
                if info.file_size > 1024**2:
                    metadata = "metadata.json is larger than 1 MiB"
                else:
                    try:
                        metadata = json.loads(archive.read(info).decode("utf-8"))
                    except (ValueError, UnicodeDecodeError) as exc:
                        metadata = f"metadata.json is not valid JSON: {exc}"
    except FileNotFoundError:
        raise ModelError(N_("package file not found"), str(path), N_("Check the path.")) from None
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise ModelError(N_("cannot read package archive: {reason}"), str(path),
                         N_("Download the package again."), reason=str(exc)) from None
    return ArchiveView(members, root, metadata, size)


# --- install / remove -------------------------------------------------------------


@dataclass(frozen=True)
class InstallResult:
    """One package installed, and what it replaced."""

    package: InstalledPackage
    replaced: tuple[str, ...] = ()
    saved: Path | None = None
    """A copy of the downloaded archive, to carry to an offline machine (``--save``)."""
    sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {**self.package.to_dict(), "replaced": list(self.replaced),
                "saved": str(self.saved) if self.saved else None, "sha256": self.sha256}


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def install_archive(archive: Path, root: Path | None = None, sha256: str | None = None) -> InstallResult:
    """Validate ``archive`` and install it atomically into ``root`` (default ``packages_dir()``).

    With ``sha256``, the file must have that digest (as published beside a download).
    A package already installed for the same language pair (under any folder name) is
    replaced, after the new one is in place.
    """
    root = packages_dir() if root is None else root
    if sha256 is not None:
        try:
            actual = file_sha256(archive)
        except OSError as exc:
            raise ModelError(N_("cannot read the package: {reason}"), str(archive), reason=exc.strerror) from None
        if actual != sha256.strip().lower():
            raise ModelError(N_("SHA-256 of the package is {actual}, not the expected {expected}"),
                             str(archive), N_("The file is damaged or not the one published; nothing was installed."),
                             actual=actual, expected=sha256.strip().lower())
    info, top = validate_archive(archive)
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = _scratch(root, "install")
    except OSError as exc:
        raise ModelError(N_("cannot write to the packages folder: {reason}"), str(root),
                         N_("Set ARGOS_PACKAGES_DIR to a folder you can write to."), reason=exc.strerror) from None
    try:
        _extract(archive, staging)
        unpacked = read_installed(staging / top)
        if unpacked is None or unpacked.info.pair != info.pair:
            raise ModelError(N_("package changed while it was installed"), str(archive), N_("Try again."))
        target = root / top
        present = read_installed(target) if target.exists() else None
        if present is not None and present.info.pair != info.pair:
            raise ModelError(N_("the folder {folder!r} holds the {present_source} -> {present_target} "
                                "package; this one translates {source} -> {target}"), str(archive),
                             N_("Nothing was installed: a package must not replace another pair's."),
                             folder=top, present_source=present.info.from_code, present_target=present.info.to_code,
                             source=info.from_code, target=info.to_code)
        others = [p for p in list_installed(root) if p.info.pair == info.pair and p.path != target]
        _replace_folder(staging / top, target)
        for old in others:
            _remove_folder(old.path)
    except OSError as exc:
        raise ModelError(N_("cannot install the package: {reason}"), str(root), reason=str(exc.strerror or exc)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    installed = read_installed(target)
    assert installed is not None
    return InstallResult(installed, tuple(sorted(p.path.name for p in others)))


def _extract(archive: Path, dest: Path) -> None:
    """Write every member under ``dest`` (names already validated), counting bytes as they come."""
    budget = MAX_UNPACKED_BYTES
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.infolist():
                target = dest.joinpath(*_member_parts(member.filename))
                if not target.resolve().is_relative_to(dest.resolve()):
                    raise ModelError(N_("unsafe path in archive: {member!r}"), str(archive), member=member.filename)
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, open(target, "wb") as out:
                    while chunk := src.read(1024 * 1024):
                        budget -= len(chunk)
                        if budget < 0:
                            raise ModelError(N_("archive unpacks to more than its members declare"), str(archive))
                        out.write(chunk)
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ModelError(N_("corrupt package archive: {reason}"), str(archive), N_("Download the package again."),
                         reason=str(exc)) from None


def _scratch(root: Path, kind: str) -> Path:
    """A new empty folder on the same file system as ``root`` (so renames are atomic), outside it if possible.

    Beside the packages folder first: Argos reads every folder inside it as a package.
    Inside it (hidden, skipped by ``list_installed``) only when its parent is read-only.
    """
    try:
        return Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{kind}-", dir=root.parent))
    except OSError:
        return Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{kind}-", dir=root))


def _replace_folder(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``; an existing ``target`` is moved aside first and deleted after."""
    if not target.exists():
        os.replace(new, target)
        return
    aside = _scratch(target.parent, "old") / target.name
    os.replace(target, aside)
    try:
        os.replace(new, target)
    except OSError:
        os.replace(aside, target)  # put the old one back: never leave the pair without a package
        raise
    shutil.rmtree(aside.parent, ignore_errors=True)


def _remove_folder(path: Path) -> None:
    """Delete a package folder: moved out of the packages folder in one rename, then removed."""
    aside = _scratch(path.parent, "remove")
    os.replace(path, aside / path.name)
    shutil.rmtree(aside, ignore_errors=True)


def remove_package(name_or_pair: str | tuple[str, str], root: Path | None = None) -> list[InstalledPackage]:
    """Remove the package(s) named ``translate-en_zh`` / folder name, or for the pair ``(en, zh)``."""
    root = packages_dir() if root is None else root
    installed = list_installed(root)
    if isinstance(name_or_pair, tuple):
        matches = [p for p in installed if p.info.pair == name_or_pair]
        label = package_code(*name_or_pair)
    else:
        matches = [p for p in installed if name_or_pair in (p.info.code, p.path.name)]
        label = name_or_pair
    if not matches:
        raise ModelError(N_("no installed package {label}"), str(root), N_("See what is installed: supportkit models list"),
                         label=label)
    try:
        for package in matches:
            _remove_folder(package.path)
    except OSError as exc:
        raise ModelError(N_("cannot remove the package: {reason}"), str(root), reason=exc.strerror) from None
    return matches

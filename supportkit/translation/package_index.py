"""The Argos package index: find a language pair's package online, download it, check it, install it.

This is the only part of supportkit that opens a network connection, and only when
the user runs ``supportkit models install FROM TO``. The index is a JSON list of
Argos metadata objects with ``links`` (``index.json`` in the Argos package index
repository). Its address, in order: the ``index_url`` argument (``--index``),
``SUPPORTKIT_PACKAGE_INDEX``, Argos' own ``ARGOS_PACKAGE_INDEX`` (the repository
address, ``index.json`` appended as Argos does), else Argos' default.

Each index downloaded is saved (``supportkit.cache``, one per address), so that offline
``models available`` can list it and a missing model's error can name the exact package file and
its download link (``manual_install``). Without a saved copy, Argos' own (``argospm update``) is
read. Nothing but ``fetch_index`` and ``download`` opens a connection.

Downloads are checked three ways before install: the byte count against
``Content-Length`` and the index entry's ``size`` when it gives one, the SHA-256
against its ``sha256`` when it gives one (an index you host yourself should), and
the archive itself by ``packages.validate_archive`` (layout, metadata, paths, CRCs).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import Any

from supportkit.errors import N_, Message, ModelError
from supportkit.translation.packages import (
    MAX_UNPACKED_BYTES,
    InstallResult,
    PackageInfo,
    file_sha256,
    install_archive,
    metadata_problems,
    package_code,
    packages_dir,
    printable,
    validate_archive,
    version_key,
)

DEFAULT_INDEX_REPO = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"
"""Argos Translate's package index (``ARGOS_PACKAGE_INDEX`` default); ``index.json`` is inside it."""
MAX_INDEX_BYTES = 16 * 1024**2
MAX_DOWNLOAD_BYTES = MAX_UNPACKED_BYTES
TIMEOUT = 60.0
"""Seconds a connection may stay silent."""
INDEX_DEADLINE = 120.0
"""Seconds the whole index download may take (a server that trickles a byte a minute is cut off)."""
DOWNLOAD_DEADLINE = 3600.0
"""Seconds one package download may take in all (400 MB at 1 Mbit/s is under an hour)."""
PIVOT = "en"
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})

Progress = Callable[[int, int | None], None]
"""``progress(bytes_so_far, total_or_None)``, called as a download goes."""


def index_url(url: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The address of ``index.json`` to use (see the module docstring for the order)."""
    env = os.environ if env is None else env
    chosen = url or env.get("SUPPORTKIT_PACKAGE_INDEX") or env.get("ARGOS_PACKAGE_INDEX") or DEFAULT_INDEX_REPO
    if chosen.endswith(".json"):
        return chosen
    return chosen.rstrip("/") + "/index.json"


def _check_scheme(url: str, where: str) -> None:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ModelError(N_("unsupported address {url!r}"), where, N_("Use an http:// or https:// address."),
                         url=printable(url, 80))


def is_private(url: str) -> bool:
    """Whether ``url`` is https, or http to this machine (an index you serve yourself): not readable
    or changeable on the way."""
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK)


class _SameSchemeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the same scheme: an https download never continues over plain http."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        old, new = urllib.parse.urlsplit(req.full_url).scheme, urllib.parse.urlsplit(newurl).scheme
        if old != new:
            raise urllib.error.URLError(f"redirected from {old} to {new} ({printable(newurl, 80)}); refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _open(url: str) -> Any:
    """``urlopen`` with same-scheme redirects only."""
    opener = urllib.request.build_opener(_SameSchemeRedirects())
    return opener.open(url, timeout=TIMEOUT)


def _read_all(response: Any, limit: int, deadline: float, what: str, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """The response's body in chunks; over ``limit`` bytes or past ``deadline`` (monotonic) is an error."""
    received = 0
    read = getattr(response, "read1", response.read)  # what has arrived: the deadline is checked between reads
    while data := read(chunk):
        received += len(data)
        if received > limit:
            raise ModelError(N_("{download} is larger than the {limit} bytes allowed"), download=what, limit=limit)
        if time.monotonic() > deadline:
            raise ModelError(N_("{download} took too long (the limit is the whole transfer, not each read)"), None,
                             N_("Try again later or from another mirror."), download=what)
        yield data


def fetch_index(url: str | None = None, pair: tuple[str, str] | None = None) -> list[PackageInfo]:
    """Every translation package the index offers (entries that are not are skipped); the index is
    saved for offline use. Offline, the error says how to install ``pair`` from files instead."""
    address = index_url(url)
    _check_scheme(address, "package index")
    try:
        with _open(address) as response:
            data = b"".join(_read_all(response, MAX_INDEX_BYTES, time.monotonic() + INDEX_DEADLINE,
                                      "the package index", 64 * 1024))
    except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
        offline = (manual_install(*pair, url=url) if pair else
                   Message(N_("or install a downloaded file: supportkit models install ./FILE.argosmodel"), {}))
        raise ModelError(N_("cannot download the package index: {reason}"), address,
                         N_("Check the connection and the address (--index); {offline}"), reason=_reason(exc),
                         offline=offline) from None
    entries = _index_entries(data, address)
    _save_index(address, entries)
    trusted = is_private(address)
    return [_vouched(PackageInfo.from_metadata(e), trusted) for e in entries]


def _index_entries(data: bytes, where: str) -> list[dict[str, Any]]:
    """The usable entries of an ``index.json`` (translation packages with links); an error when it is not one."""
    try:
        entries = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(N_("the package index is not valid JSON: {reason}"), where, reason=str(exc)) from None
    if not isinstance(entries, list):
        raise ModelError(N_("the package index is not a JSON list"), where)
    return [e for e in entries if isinstance(e, dict) and not metadata_problems(e) and e.get("links")]


# --- the index saved on this machine ---------------------------------------------------------------

SAVED_INDEX_FORMAT = 1


@dataclass(frozen=True)
class SavedIndex:
    """An index read from this machine: what it offers, the address it came from, the file read."""

    packages: tuple[PackageInfo, ...]
    address: str
    path: Path
    saved_at: float | None = None
    """When supportkit downloaded it (``time.time()``); None for Argos' copy or a file given."""

    def to_dict(self) -> dict[str, Any]:
        saved = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.saved_at)) if self.saved_at else None
        return {"index": self.address, "file": str(self.path), "saved_at": saved}


def _saved_index_file(address: str) -> tuple[Path, str]:
    from supportkit.cache import cache_file, cache_key

    key = cache_key(SAVED_INDEX_FORMAT, address, code=(__file__,))
    return cache_file("package-index", key), key


def _save_index(address: str, entries: list[dict[str, Any]]) -> None:
    from supportkit.cache import write_data

    path, key = _saved_index_file(address)
    write_data(path, key, {"address": address, "saved_at": time.time(), "entries": entries}, keep=4)


def argos_index_files(env: Mapping[str, str] | None = None) -> list[Path]:
    """Where Argos Translate keeps the index ``argospm update`` downloads: ``$XDG_DATA_HOME/argos-translate``
    since 1.9, ``$XDG_CACHE_HOME/argos-translate`` (default ``~/.local/cache``) before."""
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    data_home = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    cache_home = Path(env.get("XDG_CACHE_HOME") or home / ".local" / "cache")
    return [data_home / "argos-translate" / "index.json", cache_home / "argos-translate" / "index.json"]


def read_index_file(path: Path, address: str | None = None) -> SavedIndex:
    """The index in an ``index.json`` file (copied to an offline machine, or Argos' own)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_INDEX_BYTES + 1)
    except OSError as exc:
        raise ModelError(N_("cannot read the package index: {reason}"), str(path), reason=exc.strerror) from None
    if len(data) > MAX_INDEX_BYTES:
        raise ModelError(N_("the package index is larger than the {limit} bytes allowed"), str(path),
                         limit=MAX_INDEX_BYTES)
    packages = tuple(PackageInfo.from_metadata(e) for e in _index_entries(data, str(path)))
    return SavedIndex(packages, address or str(path), path)


def read_saved_index(url: str | None = None, env: Mapping[str, str] | None = None) -> SavedIndex | None:
    """The index for ``url`` (``index_url``) as last downloaded here, else Argos' copy (when the address is
    Argos' own, not --index or SUPPORTKIT_PACKAGE_INDEX); None when this machine has neither. Never online."""
    from supportkit.cache import read_data

    env = os.environ if env is None else env
    address = index_url(url, env)
    path, key = _saved_index_file(address)
    stored = read_data(path, key)
    if isinstance(stored, dict) and isinstance(stored.get("entries"), list):
        saved_at = stored.get("saved_at")
        packages = tuple(_vouched(PackageInfo.from_metadata(e), is_private(address)) for e in stored["entries"]
                         if isinstance(e, dict) and not metadata_problems(e))
        return SavedIndex(packages, address, path, saved_at if isinstance(saved_at, float) else None)
    if url or env.get("SUPPORTKIT_PACKAGE_INDEX"):
        return None
    for candidate in argos_index_files(env):
        if candidate.is_file():
            try:
                return read_index_file(candidate, address)
            except ModelError:
                continue
    return None


def package_file(info: PackageInfo) -> tuple[str, str | None]:
    """``(file name, download link)`` of a package in an index: the name its first http(s) link
    gives it (``translate-en_es-1_0.argosmodel``), and that link."""
    for link in info.links:
        if urllib.parse.urlsplit(link).scheme in ("http", "https"):
            name = printable(urllib.parse.unquote(link.rstrip("/").rsplit("/", 1)[-1]), 120)
            return (name if name.endswith(".argosmodel") else f"{info.code}.argosmodel"), printable(link, 300)
    return f"{info.code}.argosmodel", None


def manual_install(from_code: str, to_code: str, installed: Collection[tuple[str, str]] = (),
                   url: str | None = None) -> Message:
    """How to install, without a connection here, what ``from_code`` -> ``to_code`` still needs: the exact
    files and links when an index saved on this machine lists them (both hops for a route via English),
    else the package names and where their links are. Reads only local files."""
    saved = read_saved_index(url)
    if saved is not None:
        try:
            plan = plan_install(from_code, to_code, list(saved.packages))
        except ModelError:
            return Message(N_("offline: the package index saved here ({address}) offers nothing for "
                              "{source} -> {target}, directly or via English"),
                           {"address": saved.address, "source": from_code, "target": to_code})
        needed = [info for info in plan if info.pair not in installed] or plan
        if needed:
            files = [f"{name} ({link})" if link else name for name, link in map(package_file, needed)]
            paths = " ".join(f"./{package_file(info)[0]}" for info in needed)
            if len(files) == 1:
                return Message(N_("offline: download {file} on a connected machine, then run: "
                                  "supportkit models install {paths}"), {"file": files[0], "paths": paths})
            # At most two: a route via English has two hops.
            return Message(N_("offline: download {first} and {second} on a connected machine, then run: "
                              "supportkit models install {paths}"),
                           {"first": files[0], "second": files[-1], "paths": paths})
    hops = [(from_code, to_code)] if PIVOT in (from_code, to_code) else [(from_code, PIVOT), (PIVOT, to_code)]
    codes = [package_code(*hop) for hop in hops if hop not in installed] or [package_code(*h) for h in hops]
    address = saved.address if saved else index_url(url)
    if len(codes) == 1:
        return Message(N_("offline: download the .argosmodel file of {package} (the links are in {address}) on a "
                          "connected machine, then run: supportkit models install ./FILE.argosmodel"),
                       {"package": codes[0], "address": address})
    return Message(N_("offline: download the .argosmodel files of {first} and {second} (the links are in {address}) "
                      "on a connected machine, then run: supportkit models install ./FILE.argosmodel ./FILE.argosmodel"),
                   {"first": codes[0], "second": codes[-1], "address": address})


def available_packages(from_code: str | None = None, to_code: str | None = None, url: str | None = None,
                       update: bool = False) -> tuple[SavedIndex, list[PackageInfo]]:
    """What the index offers, newest version per pair: everything, what translates from ``from_code``,
    or what ``from_code`` -> ``to_code`` needs (``plan_install``: the direct package or both hops).

    Read from this machine (``read_saved_index``), or from ``url`` when it names a local file;
    ``update`` downloads the index first (online). No index here is an error saying how to get one.
    """
    if url and urllib.parse.urlsplit(url).scheme not in ("http", "https") and not url.endswith("/"):
        saved: SavedIndex | None = read_index_file(Path(url))
    else:
        if update:
            fetch_index(url)
        saved = read_saved_index(url)
    if saved is None:
        raise ModelError(N_("no package index on this machine yet"), index_url(url),
                         N_("Download it (online): supportkit models available --update; on a machine without "
                            "a connection, copy an index.json there and run: supportkit models available --index "
                            "./index.json"))
    newest = _newest_per_pair(saved.packages)
    if from_code is not None and to_code is not None:
        return saved, plan_install(from_code, to_code, newest)
    return saved, [info for info in newest if from_code in (None, info.from_code)]


def _vouched(info: PackageInfo, index_is_private: bool) -> PackageInfo:
    """``info`` with its sha256 dropped when the index came over plain http: anyone on the way
    could have written it, so it vouches for nothing (``download`` then wants https links)."""
    if index_is_private or "sha256" not in info.extra:
        return info
    return dataclasses.replace(info, extra={k: v for k, v in info.extra.items() if k != "sha256"})


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def plan_install(from_code: str, to_code: str, available: list[PackageInfo]) -> list[PackageInfo]:
    """The packages that translate ``from_code`` -> ``to_code``: the direct one, else both hops via English."""
    by_pair = {info.pair: info for info in _newest_per_pair(available)}
    if (from_code, to_code) in by_pair:
        return [by_pair[(from_code, to_code)]]
    hops = [(from_code, PIVOT), (PIVOT, to_code)]
    if PIVOT not in (from_code, to_code) and all(h in by_pair for h in hops):
        return [by_pair[h] for h in hops]
    offered = sorted({f"{a}->{b}" for a, b in by_pair if PIVOT in (a, b) and {a, b} & {from_code, to_code}})
    raise ModelError(N_("the package index has no package for {source} -> {target}"), "package index",
                     N_("It offers: {offered}.") if offered else N_("It offers nothing for these languages."),
                     source=from_code, target=to_code, offered=", ".join(offered))


def _newest_per_pair(available: Collection[PackageInfo]) -> list[PackageInfo]:
    """The newest package of each pair, sorted by pair."""
    by_pair: dict[tuple[str, str], PackageInfo] = {}
    for info in available:
        best = by_pair.get(info.pair)
        if best is None or _newer(info, best):
            by_pair[info.pair] = info
    return [by_pair[pair] for pair in sorted(by_pair)]


def _newer(a: PackageInfo, b: PackageInfo) -> bool:
    return version_key(a.package_version) > version_key(b.package_version)


def download(info: PackageInfo, dest_dir: Path, progress: Progress | None = None) -> Path:
    """Fetch the package's archive into ``dest_dir`` from its first working link, checked for size and hash."""
    errors: list[str] = []
    for link in info.links:
        if urllib.parse.urlsplit(link).scheme not in ("http", "https"):
            continue  # ipfs:// and the like
        if not is_private(link) and not info.extra.get("sha256"):
            errors.append(f"{printable(link, 80)}: plain http and no sha256 from an https index; refused")
            continue
        try:
            return _download_one(link, info, dest_dir, progress)
        except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
            errors.append(f"{printable(link, 80)}: {_reason(exc)}")
    name, address = package_file(info)
    raise ModelError(N_("cannot download {package}: {reason}") if errors else
                     N_("cannot download {package}: no http(s) link in the index"), "package index",
                     N_("Check the connection, or download {name} ({address}) elsewhere and run: "
                        "supportkit models install ./{name}") if address else
                     N_("Check the connection, or download {name} elsewhere and run: supportkit models install ./{name}"),
                     package=info.code, reason="; ".join(errors), name=name, address=address)


def _download_one(link: str, info: PackageInfo, dest_dir: Path, progress: Progress | None) -> Path:
    expected_size = info.extra.get("size")
    expected_sha = str(info.extra.get("sha256", "")).lower() or None
    digest = hashlib.sha256()
    handle, name = tempfile.mkstemp(prefix=".supportkit-download-", suffix=".argosmodel", dir=dest_dir)
    path = Path(name)
    received = 0
    deadline = time.monotonic() + DOWNLOAD_DEADLINE
    try:
        with os.fdopen(handle, "wb") as out, _open(link) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else (expected_size if isinstance(expected_size, int) else None)
            if total is not None and total > MAX_DOWNLOAD_BYTES:
                raise ModelError(N_("{package} is {size} bytes, more than the {limit} allowed"), printable(link),
                                 package=info.code, size=total, limit=MAX_DOWNLOAD_BYTES)
            for chunk in _read_all(response, MAX_DOWNLOAD_BYTES, deadline, info.code):
                received += len(chunk)
                digest.update(chunk)
                out.write(chunk)
                if progress is not None:
                    progress(received, total)
        problems = []
        if length and length.isdigit() and int(length) != received:
            problems.append(f"received {received} of {length} bytes")
        if isinstance(expected_size, int) and expected_size != received:
            problems.append(f"size is {received} bytes, the index says {expected_size}")
        if expected_sha and digest.hexdigest() != expected_sha:
            problems.append(f"SHA-256 is {digest.hexdigest()}, the index says {expected_sha}")
        if problems:
            raise ModelError(N_("download of {package} failed its checks: {reason}"), printable(link),
                             N_("Nothing was installed. Try again; if it persists the index or the mirror is wrong."),
                             package=info.code, reason="; ".join(problems))
        return path
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def install_from_index(from_code: str, to_code: str, url: str | None = None, root: Path | None = None,
                       progress: Callable[[PackageInfo], Progress | None] | None = None,
                       save_dir: Path | None = None) -> list[InstallResult]:
    """Download and install what ``from_code`` -> ``to_code`` needs (pivoting through English if needed).

    With ``save_dir``, each downloaded archive is also kept there as ``<folder>.argosmodel``
    (with its SHA-256 in the result), ready to carry to an offline machine.
    """
    root = packages_dir() if root is None else root
    plan = plan_install(from_code, to_code, fetch_index(url, (from_code, to_code)))
    try:
        root.mkdir(parents=True, exist_ok=True)
        if save_dir is not None:
            save_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(N_("cannot create a folder: {reason}"), str(exc.filename or root), reason=exc.strerror) from None
    results = []
    for info in plan:
        scratch = root.parent if os.access(root.parent, os.W_OK) else root
        archive = download(info, scratch, progress(info) if progress else None)
        try:
            found, folder = validate_archive(archive)
            if found.pair != info.pair:
                raise ModelError(N_("the index lists {package} but the download holds {found}"),
                                 info.links[0] if info.links else "package index", N_("Nothing was installed."),
                                 package=info.code, found=found.code)
            result = install_archive(archive, root)
            if save_dir is not None:
                kept = save_dir / f"{folder}.argosmodel"
                try:
                    shutil.copyfile(archive, kept)
                except OSError as exc:
                    raise ModelError(N_("installed, but cannot save a copy: {reason}"), str(kept),
                                     reason=exc.strerror) from None
                result = dataclasses.replace(result, saved=kept, sha256=file_sha256(kept))
            results.append(result)
        finally:
            archive.unlink(missing_ok=True)
    return results



"""The Argos package index: find a language pair's package online, download it, check it, install it.

This is the only part of supportkit that opens a network connection, and only when
the user runs ``supportkit models install FROM TO``. The index is a JSON list of
Argos metadata objects with ``links`` (``index.json`` in the Argos package index
repository). Its address, in order: the ``index_url`` argument (``--index``),
``SUPPORTKIT_PACKAGE_INDEX``, Argos' own ``ARGOS_PACKAGE_INDEX`` (the repository
address, ``index.json`` appended as Argos does), else Argos' default.

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
from collections.abc import Callable, Iterator, Mapping
from http.client import HTTPException
from pathlib import Path
from typing import Any

from supportkit.errors import ModelError
from supportkit.translation.packages import (
    MAX_UNPACKED_BYTES,
    InstallResult,
    PackageInfo,
    file_sha256,
    install_archive,
    metadata_problems,
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
        raise ModelError(f"unsupported address {printable(url, 80)!r}", where, "Use an http:// or https:// address.")


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
            raise ModelError(f"{what} is larger than the {limit} bytes allowed")
        if time.monotonic() > deadline:
            raise ModelError(f"{what} took too long (the limit is the whole transfer, not each read)", None,
                             "Try again later or from another mirror.")
        yield data


def fetch_index(url: str | None = None) -> list[PackageInfo]:
    """Every translation package the index offers (entries that are not are skipped)."""
    address = index_url(url)
    _check_scheme(address, "package index")
    try:
        with _open(address) as response:
            data = b"".join(_read_all(response, MAX_INDEX_BYTES, time.monotonic() + INDEX_DEADLINE,
                                      "the package index", 64 * 1024))
    except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
        raise ModelError(f"cannot download the package index: {_reason(exc)}", address,
                         "Check the connection and the address (--index), or install a downloaded file: "
                         "supportkit models install ./translate-en_zh.argosmodel") from None
    try:
        entries = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"the package index is not valid JSON: {exc}", address) from None
    if not isinstance(entries, list):
        raise ModelError("the package index is not a JSON list", address)
    trusted = is_private(address)
    return [_vouched(PackageInfo.from_metadata(e), trusted) for e in entries
            if isinstance(e, dict) and not metadata_problems(e) and e.get("links")]


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
    by_pair: dict[tuple[str, str], PackageInfo] = {}
    for info in available:
        best = by_pair.get(info.pair)
        if best is None or _newer(info, best):
            by_pair[info.pair] = info
    if (from_code, to_code) in by_pair:
        return [by_pair[(from_code, to_code)]]
    hops = [(from_code, PIVOT), (PIVOT, to_code)]
    if PIVOT not in (from_code, to_code) and all(h in by_pair for h in hops):
        return [by_pair[h] for h in hops]
    offered = sorted({f"{a}->{b}" for a, b in by_pair if PIVOT in (a, b) and {a, b} & {from_code, to_code}})
    raise ModelError(f"the package index has no package for {from_code} -> {to_code}",
                     "package index", f"It offers: {', '.join(offered) or 'nothing for these languages'}.")


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
    raise ModelError(f"cannot download {info.code}: {'; '.join(errors) or 'no http(s) link in the index'}",
                     "package index", "Check the connection, or download the file elsewhere and run: "
                     f"supportkit models install ./{info.code}.argosmodel")


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
                raise ModelError(f"{info.code} is {total} bytes, more than the {MAX_DOWNLOAD_BYTES} allowed", printable(link))
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
            raise ModelError(f"download of {info.code} failed its checks: {'; '.join(problems)}", printable(link),
                             "Nothing was installed. Try again; if it persists the index or the mirror is wrong.")
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
    plan = plan_install(from_code, to_code, fetch_index(url))
    try:
        root.mkdir(parents=True, exist_ok=True)
        if save_dir is not None:
            save_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create a folder: {exc.strerror}", str(exc.filename or root)) from None
    results = []
    for info in plan:
        scratch = root.parent if os.access(root.parent, os.W_OK) else root
        archive = download(info, scratch, progress(info) if progress else None)
        try:
            found, folder = validate_archive(archive)
            if found.pair != info.pair:
                raise ModelError(f"the index lists {info.code} but the download holds {found.code}",
                                 info.links[0] if info.links else "package index", "Nothing was installed.")
            result = install_archive(archive, root)
            if save_dir is not None:
                kept = save_dir / f"{folder}.argosmodel"
                try:
                    shutil.copyfile(archive, kept)
                except OSError as exc:
                    raise ModelError(f"installed, but cannot save a copy: {exc.strerror}", str(kept)) from None
                result = dataclasses.replace(result, saved=kept, sha256=file_sha256(kept))
            results.append(result)
        finally:
            archive.unlink(missing_ok=True)
    return results



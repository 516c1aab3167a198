"""Test session setup: no network but loopback, a CLI runner, isolated config and caches."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class NetworkBlocked(RuntimeError):
    """Raised when a test tries to reach anything but loopback."""


def _guard(address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (host in _LOOPBACK or host.startswith("127.")):
        return
    if isinstance(address, (str, bytes)):  # AF_UNIX
        return
    raise NetworkBlocked(f"tests must not use the network (tried {address!r})")


def _blocked_connect(self: socket.socket, address: object) -> None:
    _guard(address)
    return _real_connect(self, address)  # type: ignore[arg-type]


def _blocked_connect_ex(self: socket.socket, address: object) -> int:
    _guard(address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def pytest_sessionstart(session: pytest.Session) -> None:
    socket.socket.connect = _blocked_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _blocked_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No user config, caches or model folders leak into a test."""
    home = tmp_path_factory.mktemp("home")
    for name in list(__import__("os").environ):
        if name.startswith("SUPPORTKIT_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(home / "argos-packages"))
    monkeypatch.setenv("SUPPORTKIT_LANG", "en")
    monkeypatch.chdir(home)


@pytest.fixture
def runner() -> Iterator[CliRunner]:
    yield CliRunner()


# --- translation packages built by the tests (shared by test_translation and test_models_cli) ---


@pytest.fixture(scope="session")
def sentencepiece_model() -> bytes:
    from tests import models

    return models.train_sentencepiece()


@pytest.fixture(scope="session")
def archives(tmp_path_factory: pytest.TempPathFactory, sentencepiece_model: bytes) -> Callable[..., Path]:
    """``build(from, to, kind, version)``: a tiny real .argosmodel (tests/models.py), built once per session."""
    from tests import models

    root = tmp_path_factory.mktemp("argosmodels")
    built: dict[tuple[str, str, str, str], Path] = {}

    def build(from_code: str, to_code: str, kind: str = "copy", version: str = "1.0") -> Path:
        key = (from_code, to_code, kind, version)
        if key not in built:
            built[key] = models.build_package(root / kind / version, from_code, to_code, kind,
                                              sentencepiece_model=sentencepiece_model, version=version)
        return built[key]

    return build


@pytest.fixture(scope="session")
def library() -> Any:
    """The bundled template library, loaded once for every test module that does not define its own
    ``library`` (the per-language matching tests)."""
    from supportkit.config import BUNDLED_REPLIES
    from supportkit.library import load_library

    return load_library(BUNDLED_REPLIES, strict=False)

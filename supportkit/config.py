"""Configuration: a typed schema read from files, then the environment, then flags.

Order (later wins): ``[tool.supportkit]`` in ``pyproject.toml`` or a
``supportkit.toml`` (searched from the working directory upward), then
``SUPPORTKIT_*`` environment variables, then command-line flags. A flag that
was not given never overrides the file.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from supportkit.errors import ConfigError, UnknownLocaleError
from supportkit.locales import parse_locale

PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    """``replies/`` or ``locales/``: beside the package in a checkout, inside it once installed."""
    checkout = PACKAGE_DIR.parent / name
    return checkout if checkout.is_dir() else PACKAGE_DIR / "data" / name


BUNDLED_REPLIES = _bundled("replies")
BUNDLED_LOCALES = _bundled("locales")


IN_APP_SUPPORT: Mapping[str, str] = MappingProxyType({
    "en": "Me > Help Center > Online Support",
    "zh": "我的 > 帮助中心 > 在线客服",
    "es": "Yo > Centro de ayuda > Soporte en línea",
    "ru": "Я > Центр помощи > Онлайн-поддержка",
    "fr": "Moi > Centre d\u2019aide > Assistance en ligne",
})
"""The in-app path to live support as each locale's app menu names it."""


LOCALIZED_BRAND_SETTINGS = ("in_app_support", "support_hours")
"""Brand settings that may be a table of strings per locale."""


@dataclass(frozen=True)
class Brand:
    """Product name, support channels and links; templates read them as ``brand.*``.

    ``in_app_support`` and ``support_hours`` may be tables of strings per locale
    (menus the app shows in the reader's language); :meth:`localized` picks the
    locale's string, else its language's, else ``en``.
    """

    product: str = "TokenPocket"
    support_email: str = "service@tokenpocket.pro"
    website: str = "https://www.tokenpocket.pro"
    help_center: str = "https://help.tokenpocket.pro"
    in_app_support: str | Mapping[str, str] = field(default_factory=lambda: dict(IN_APP_SUPPORT))
    twitter: str = "https://x.com/TokenPocket_TP"
    telegram: str = "https://t.me/TokenPocket_en"
    support_hours: str | Mapping[str, str] = "09:00-21:00 (UTC+8)"

    def localized(self, locale: str) -> Brand:
        """This brand with every per-locale table resolved to ``locale``'s string."""
        changes: dict[str, str] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, str):
                language = locale.replace("_", "-").split("-")[0]
                changes[item.name] = next((value[k] for k in (locale, language, "en") if k in value),
                                          next(iter(value.values()), ""))
        return dataclasses.replace(self, **changes) if changes else self


@dataclass(frozen=True)
class Config:
    """Everything a command may need to know that is not in its arguments."""

    replies_dir: Path = BUNDLED_REPLIES
    locales_dir: Path = BUNDLED_LOCALES
    source_locale: str = "en"
    default_locale: str = "en"
    allow_drafts: bool = False
    brand: Brand = field(default_factory=Brand)
    glossary: tuple[str, ...] = ("TokenPocket", "USDT", "TRC20", "ERC20", "BEP20", "TRON", "Ethereum")
    allowed_domains: tuple[str, ...] = ()
    disabled_checks: tuple[str, ...] = ()
    channel_limits: Mapping[str, int] = field(default_factory=lambda: {"chat": 1200, "email": 6000})
    source: str = "defaults"

    def replace(self, **changes: Any) -> Config:
        """A copy with ``changes`` applied, ignoring values that are None (unset flags)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


_ENV_PREFIX = "SUPPORTKIT_"
_PATH_KEYS = {"replies_dir", "locales_dir"}
_BOOL_KEYS = {"allow_drafts"}
_TUPLE_KEYS = {"glossary", "allowed_domains", "disabled_checks"}
_STR_KEYS = {"source_locale", "default_locale"}


def find_config_file(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The nearest ``supportkit.toml`` or ``pyproject.toml`` with a ``[tool.supportkit]`` table."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "supportkit.toml"
        if candidate.is_file():
            return candidate, _parse_toml(candidate, _read_bytes(candidate))
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            data = _read_bytes(candidate)
            if _mentions_supportkit(data):
                table = _parse_toml(candidate, data).get("tool", {}).get("supportkit")
                if isinstance(table, dict):
                    return candidate, table
    return None


def _mentions_supportkit(data: bytes) -> bool:
    """Whether a pyproject.toml can hold our table; most do not, and tomllib is milliseconds to load."""
    import re

    # [tool.supportkit], [tool."supportkit".x], tool.supportkit.x = ..., or supportkit = {...} under [tool].
    if re.search(rb"tool[\"']?\s*\.\s*[\"']?supportkit", data):
        return True
    return (re.search(rb"(?m)^\s*\[\s*[\"']?tool[\"']?\s*\]", data) is not None
            and re.search(rb"(?m)^\s*[\"']?supportkit[\"']?\s*[.=]", data) is not None)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path.name}: {exc.strerror}", str(path)) from None


def _parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"cannot parse {path.name}: not UTF-8 text", str(path), "Save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot parse {path.name}: {exc}", str(path), "Fix the TOML syntax.") from None


def _coerce(key: str, value: Any, where: str, base: Path) -> Any:
    if key in _PATH_KEYS:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{key} must be a path string", where)
        path = Path(value).expanduser()
        return path if path.is_absolute() else (base / path)
    if key in _BOOL_KEYS:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
            return value.lower() in {"1", "true", "yes", "on"}
        raise ConfigError(f"{key} must be true or false, not {value!r}", where)
    if key in _TUPLE_KEYS:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ConfigError(f"{key} must be a list of strings", where)
    if key in _STR_KEYS:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{key} must be a non-empty string", where)
        return value
    return value


def _brand_value(key: str, value: Any, where: str) -> str | Mapping[str, str]:
    """A brand setting: a string, or (for the words the app shows) a table of strings per locale."""
    if isinstance(value, dict):
        if key not in LOCALIZED_BRAND_SETTINGS:
            raise ConfigError(f"brand.{key} must be a string (tables per locale: "
                              f"{', '.join(LOCALIZED_BRAND_SETTINGS)})", where)
        if not value or not all(isinstance(v, str) and v for v in value.values()):
            raise ConfigError(f"brand.{key} must be a string or a table of non-empty strings per locale", where)
        for code in value:
            try:
                parse_locale(code)
            except UnknownLocaleError as exc:
                raise ConfigError(f"brand.{key}: {exc.message}", where) from None
        return dict(value)
    return str(value)


def _apply(config: Config, table: Mapping[str, Any], where: str, base: Path) -> Config:
    known = {f.name for f in dataclasses.fields(Config)} - {"source", "brand"}
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key == "brand":
            if not isinstance(value, dict):
                raise ConfigError("brand must be a table", where)
            brand_fields = {f.name for f in dataclasses.fields(Brand)}
            unknown = set(value) - brand_fields
            if unknown:
                raise ConfigError(f"unknown brand setting(s): {', '.join(sorted(unknown))}", where,
                                  f"Known: {', '.join(sorted(brand_fields))}.")
            brand_changes: dict[str, Any] = {k: _brand_value(k, v, where) for k, v in value.items()}
            changes["brand"] = dataclasses.replace(config.brand, **brand_changes)
        elif key == "channel_limits":
            if not isinstance(value, dict) or not all(isinstance(v, int) for v in value.values()):
                raise ConfigError("channel_limits must map channel names to integers", where)
            changes[key] = dict(value)
        elif key in known:
            changes[key] = _coerce(key, value, where, base)
        else:
            raise ConfigError(f"unknown setting {key!r}", where, f"Known settings: {', '.join(sorted(known | {'brand'}))}.")
    return dataclasses.replace(config, **changes)


def load_config(start: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Defaults, then the nearest config file, then ``SUPPORTKIT_*`` variables."""
    config = Config()
    found = find_config_file(start)
    if found:
        path, table = found
        config = _apply(config, table, str(path), path.parent)
        config = dataclasses.replace(config, source=str(path))
    env = os.environ if env is None else env
    env_table = {
        key[len(_ENV_PREFIX):].lower(): value
        for key, value in env.items()
        if key.startswith(_ENV_PREFIX) and key[len(_ENV_PREFIX):].lower() in _PATH_KEYS | _BOOL_KEYS | _TUPLE_KEYS | _STR_KEYS
    }
    if env_table:
        config = _apply(config, env_table, "environment", Path.cwd())
    return config

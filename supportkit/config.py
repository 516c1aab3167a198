"""Configuration: a typed schema read from files, then the environment, then flags.

Order (later wins): the user's own file (``$XDG_CONFIG_HOME/supportkit/config.toml``,
default ``~/.config/supportkit/config.toml``), then the project's: ``[tool.supportkit]`` in
``pyproject.toml`` or a ``supportkit.toml``, the nearest one from the working directory up
to the folder holding ``.git`` (without one, the working directory alone; never above, where
anyone with a folder on the way could plant one), then ``SUPPORTKIT_*`` environment
variables, then command-line flags. A flag that was not given never overrides the file.

A file is read only when it is trusted (``_trust``): not writable by group or others (nor
its folder), and owned by the user running supportkit unless its folder is listed in
``safe_directories`` (the user's own file, or ``SUPPORTKIT_SAFE_DIRECTORIES``), like git's
``safe.directory``. ``read_config`` reports every file found, read or refused, and where
every value in force came from (``supportkit config``); ``load_config`` refuses with the
first untrusted file's error.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from supportkit.errors import N_, ConfigError, N_plural, UnknownLocaleError
from supportkit.languages import language_of, parse_locale
from supportkit.safety import (
    BRAND_CONTACTS,
    BRAND_LINKS,
    PLATFORM_HOSTS,
    LinkPolicy,
    brand_domain,
    host_of,
    link_policy,
    on_domain,
)

PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    """``replies/``, ``locales/`` or ``articles/``: beside the package in a checkout, inside it once installed."""
    checkout = PACKAGE_DIR.parent / name
    return checkout if checkout.is_dir() else PACKAGE_DIR / "data" / name


BUNDLED_REPLIES = _bundled("replies")
BUNDLED_LOCALES = _bundled("locales")
BUNDLED_ARTICLES = _bundled("articles")


IN_APP_SUPPORT: Mapping[str, str] = MappingProxyType({
    "en": "Me > Help Center > Online Support",
    "zh": "我的 > 帮助中心 > 在线客服",
    "es": "Yo > Centro de ayuda > Soporte en línea",
    "ru": "Я > Центр помощи > Онлайн-поддержка",
    "fr": "Moi > Centre d\u2019aide > Assistance en ligne",
})
"""The in-app path to live support as each locale's app menu names it."""


SUPPORT_HOURS = MappingProxyType({
    "en": "09:00\u201321:00 UTC+8 (01:00\u201313:00 UTC)",
    "zh": "北京时间 9:00 至 21:00",
    "es": "de 9:00 a 21:00 (UTC+8), es decir, de 1:00 a 13:00 UTC",
    "ru": "с 9:00 до 21:00 по\u00a0UTC+8 (с 4:00 до 16:00 по\u00a0Москве)",
    "fr": "de 9\u00a0h à 21\u00a0h (UTC+8), soit de 2\u00a0h à 14\u00a0h à Paris (de 3\u00a0h à 15\u00a0h l\u2019été)",
})
"""Support hours as each locale writes them (9:00-21:00 UTC+8, a zone without daylight saving time;
Moscow has none either, Paris has, so the French line gives both). Written by native writers."""


LOCALIZED_BRAND_SETTINGS = ("in_app_support", "support_hours", "telegram")
"""Brand settings that may be a table of strings per locale."""
NO_FALLBACK_SETTINGS = frozenset({"telegram"})
"""Per-locale settings a locale without an entry does not borrow from another: a Chinese reader
is not sent to the English Telegram group (templates say ``{% if brand.telegram %}``)."""
TELEGRAM = {"en": "https://t.me/TokenPocket_en"}
"""The brand's Telegram channels per locale: the English one is the only one on record."""


@dataclass(frozen=True)
class Brand:
    """Product name, support channels and links; templates read them as ``brand.*``.

    ``in_app_support``, ``support_hours`` and ``telegram`` may be tables of strings per
    locale (menus the app shows in the reader's language, the channel in their language);
    :meth:`localized` picks the locale's string, else its language's, else ``en``, except
    for ``NO_FALLBACK_SETTINGS``, which are empty for a locale without an entry.

    The contacts (``BRAND_CONTACTS``) are set together or not at all; the links are https,
    and what a reply may link to follows from them (:meth:`link_policy`, ``supportkit.safety``).
    """

    product: str = "TokenPocket"
    support_email: str = "service@tokenpocket.pro"
    website: str = "https://www.tokenpocket.pro"
    help_center: str = "https://help.tokenpocket.pro"
    in_app_support: str | Mapping[str, str] = field(default_factory=lambda: dict(IN_APP_SUPPORT))
    twitter: str = "https://x.com/TokenPocket_TP"
    telegram: str | Mapping[str, str] = field(default_factory=lambda: dict(TELEGRAM))
    support_hours: str | Mapping[str, str] = field(default_factory=lambda: dict(SUPPORT_HOURS))
    allowed_domains: tuple[str, ...] = ()
    """Domains (with their subdomains) replies may link to besides the brand's and the block explorers."""

    def link_policy(self, extra_domains: tuple[str, ...] = ()) -> LinkPolicy:
        """What a reply of this brand may link to (``extra_domains``: the top-level ``allowed_domains``)."""
        return link_policy(self.website, self.links(), [self.support_email], (*self.allowed_domains, *extra_domains))

    def links(self, key: str | None = None) -> list[str]:
        """Every link of the brand (of setting ``key`` only, when given), each locale's of a table."""
        found: list[str] = []
        for name in (key,) if key else BRAND_LINKS:
            value = getattr(self, name)
            found.extend(value.values() if isinstance(value, Mapping) else [value])
        return found

    def localized(self, locale: str) -> Brand:
        """This brand with every per-locale table resolved to ``locale``'s string."""
        changes: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Mapping):
                language = language_of(locale)
                if item.name in NO_FALLBACK_SETTINGS:
                    changes[item.name] = next((value[k] for k in (locale, language) if k in value), "")
                else:
                    changes[item.name] = next((value[k] for k in (locale, language, "en") if k in value),
                                              next(iter(value.values()), ""))
        return dataclasses.replace(self, **changes) if changes else self


REPORT_COLUMNS = ("id", "text", "lang", "ticket_id", "created_at", "first_response_at", "solved_at", "csat",
                  "reopened", "channel")
"""The columns ``supportkit report`` reads (its names; ``[report.columns]`` maps an export's own)."""


@dataclass(frozen=True)
class ReportSettings:
    """``[report]``: the team's time zone and the export's column names (``supportkit report``)."""

    timezone: str = "UTC"
    columns: Mapping[str, str] = field(default_factory=dict)
    """Our column name (``REPORT_COLUMNS``) -> the export's."""


@dataclass(frozen=True)
class Config:
    """Everything a command may need to know that is not in its arguments."""

    replies_dir: Path = BUNDLED_REPLIES
    locales_dir: Path = BUNDLED_LOCALES
    articles_dir: Path | None = None
    """Help-center articles, ``<slug>/<locale>.md`` (docs/articles.md); unset: ``articles_root``."""
    source_locale: str = "en"
    default_locale: str = "en"
    allow_drafts: bool = False
    brand: Brand = field(default_factory=Brand)
    glossary: tuple[str, ...] = ("TokenPocket", "USDT", "TRC20", "ERC20", "BEP20", "TRON", "Ethereum")
    allowed_domains: tuple[str, ...] = ()
    disabled_checks: tuple[str, ...] = ()
    channel_limits: Mapping[str, int] = field(default_factory=lambda: {"chat": 1200, "email": 6000})
    report: ReportSettings = field(default_factory=ReportSettings)
    source: str = "defaults"

    def replace(self, **changes: Any) -> Config:
        """A copy with ``changes`` applied, ignoring values that are None (unset flags)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})



    @property
    def articles_root(self) -> Path | None:
        """The articles folder: ``articles_dir``, else the bundled articles with the bundled replies
        (they replace bundled pages), else none: a team's own replies come with its own articles."""
        if self.articles_dir is not None:
            return Path(self.articles_dir)
        return BUNDLED_ARTICLES if Path(self.replies_dir) == BUNDLED_REPLIES else None

    def link_policy(self) -> LinkPolicy:
        """What a rendered reply may link to: the brand's policy plus the top-level ``allowed_domains``."""
        return self.brand.link_policy(self.allowed_domains)

    @functools.cached_property
    def reply_policy(self) -> LinkPolicy:
        """``link_policy()``, worked out once per configuration (every reply checks its links)."""
        return self.link_policy()


_ENV_PREFIX = "SUPPORTKIT_"
_PATH_KEYS = {"replies_dir", "locales_dir", "articles_dir"}
_BOOL_KEYS = {"allow_drafts"}
_TUPLE_KEYS = {"glossary", "allowed_domains", "disabled_checks"}
_STR_KEYS = {"source_locale", "default_locale"}

SAFE_DIRECTORIES_ENV = "SUPPORTKIT_SAFE_DIRECTORIES"
"""Folders whose config files other users may own (``os.pathsep``-separated; ``*``: any)."""


def user_config_path() -> Path:
    """The user's own file: ``$XDG_CONFIG_HOME/supportkit/config.toml``, default ``~/.config/supportkit/config.toml``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "supportkit" / "config.toml"


def search_folders(start: Path | None = None) -> list[Path]:
    """Where the project's file is looked for: ``start`` up to the nearest folder holding ``.git``, else ``start`` alone."""
    here = (start or Path.cwd()).resolve()
    folders: list[Path] = []
    for folder in (here, *here.parents):
        folders.append(folder)
        if (folder / ".git").exists():
            return folders
    return [here]


@dataclass(frozen=True)
class ConfigFile:
    """A configuration file that was found: read, or refused with the error that says why."""

    path: Path
    scope: str
    """``user`` (the user's own file) or ``project``."""
    refused: ConfigError | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "scope": self.scope, "status": "refused" if self.refused else "read",
                "reason": self.refused.message if self.refused else None}


@dataclass(frozen=True)
class ConfigReport:
    """The configuration in force, the files found, and where every value came from."""

    config: Config
    files: tuple[ConfigFile, ...]
    origins: Mapping[str, str]
    """Setting (``brand.x`` for brand settings) -> a file path, ``env NAME`` or ``flag --x``; absent: default."""
    safe_directories: tuple[str, ...] = ()

    def settings(self) -> dict[str, dict[str, Any]]:
        """Every setting with its value (as JSON) and origin (``default`` when nothing set it)."""
        values: dict[str, Any] = {}
        for item in dataclasses.fields(Config):
            if item.name == "brand":
                for brand_item in dataclasses.fields(Brand):
                    values[f"brand.{brand_item.name}"] = getattr(self.config.brand, brand_item.name)
            elif item.name == "articles_dir":  # the folder in force (none with a team's own replies)
                values[item.name] = self.config.articles_root
            elif item.name == "report":
                for report_item in dataclasses.fields(ReportSettings):
                    values[f"report.{report_item.name}"] = getattr(self.config.report, report_item.name)
            elif item.name != "source":
                values[item.name] = getattr(self.config, item.name)
        return {key: {"value": _jsonable(value), "origin": self.origins.get(key, "default")}
                for key, value in values.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"files": [f.to_dict() for f in self.files], "settings": self.settings(),
                "safe_directories": list(self.safe_directories)}

    def raise_refused(self) -> None:
        """Raise the error of the first refused file, if any."""
        for found in self.files:
            if found.refused is not None:
                raise found.refused


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _is_safe(folder: Path, safe_directories: tuple[str, ...]) -> bool:
    if "*" in safe_directories:
        return True
    return any(folder == Path(entry).expanduser().resolve() for entry in safe_directories if entry)


def _trust(path: Path, safe_directories: tuple[str, ...]) -> ConfigError | None:
    """Why ``path`` must not be read (another user could have written it), or None."""
    if not hasattr(os, "geteuid"):  # Windows: no POSIX owners or modes to judge
        return None
    try:
        info, folder_info = path.stat(), path.parent.stat()
    except OSError as exc:
        return ConfigError(N_("cannot read {name}: {reason}"), str(path), name=path.name, reason=exc.strerror)
    folder = path.parent
    if info.st_uid != os.geteuid() and not _is_safe(folder, safe_directories):
        import json

        return ConfigError(
            N_("{name} is owned by another user (uid {uid}), so it is not read"), str(path),
            N_("If you trust it, add its folder to {user_config}: safe_directories = {entry} "
               "(or set {variable}={folder})."),
            name=path.name, uid=info.st_uid, user_config=str(user_config_path()), entry=json.dumps([str(folder)]),
            variable=SAFE_DIRECTORIES_ENV, folder=str(folder))
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return ConfigError(N_("{name} is writable by group or others, so it is not read"), str(path),
                           N_("Make it writable by you alone: chmod go-w {path}"), name=path.name, path=str(path))
    # A sticky folder (/tmp) lets others add files but not replace yours; one you do not own is refused above.
    if folder_info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not folder_info.st_mode & stat.S_ISVTX:
        return ConfigError(N_("the folder of {name} is writable by group or others, so it is not read"), str(path),
                           N_("Make it writable by you alone: chmod go-w {path}"), name=path.name, path=str(folder))
    return None


def _project_candidates(start: Path | None) -> list[tuple[Path, bytes | None]]:
    """The project's possible files, nearest first: every ``supportkit.toml``, and every ``pyproject.toml`` that
    mentions our table (its bytes, read once; most do not, and are never parsed)."""
    found: list[tuple[Path, bytes | None]] = []
    for folder in search_folders(start):
        candidate = folder / "supportkit.toml"
        if candidate.is_file():
            found.append((candidate, None))
            continue
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            data = _read_bytes(candidate)
            if _mentions_supportkit(data):
                found.append((candidate, data))
    return found


def _string_list(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(N_("{key} must be a list of strings"), where, key=key)
    return tuple(value)


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
        raise ConfigError(N_("cannot read {name}: {reason}"), str(path), name=path.name, reason=exc.strerror) from None


def _parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(N_("cannot parse {name}: not UTF-8 text"), str(path), N_("Save it as UTF-8."),
                          name=path.name) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(N_("cannot parse {name}: {reason}"), str(path), N_("Fix the TOML syntax."),
                          name=path.name, reason=str(exc)) from None


def _coerce(key: str, value: Any, where: str, base: Path) -> Any:
    if key in _PATH_KEYS:
        if not isinstance(value, str) or not value:
            raise ConfigError(N_("{key} must be a path string"), where, key=key)
        path = Path(value).expanduser()
        return path if path.is_absolute() else (base / path)
    if key in _BOOL_KEYS:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
            return value.lower() in {"1", "true", "yes", "on"}
        raise ConfigError(N_("{key} must be true or false, not {value!r}"), where, key=key, value=value)
    if key in _TUPLE_KEYS:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ConfigError(N_("{key} must be a list of strings"), where, key=key)
    if key in _STR_KEYS:
        if not isinstance(value, str) or not value:
            raise ConfigError(N_("{key} must be a non-empty string"), where, key=key)
        return value
    return value


def _brand_value(key: str, value: Any, where: str) -> str | Mapping[str, str] | tuple[str, ...]:
    """A brand setting: a string, or (for the words the app shows) a table of strings per locale."""
    if key == "allowed_domains":
        domains = tuple(d.strip().lower().lstrip(".") for d in _string_list(value, "brand.allowed_domains", where))
        for domain in domains:
            if not domain or host_of(domain) != domain or "/" in domain or "@" in domain:
                raise ConfigError(N_("brand.allowed_domains: {domain!r} is not a domain"), where,
                                  N_('List bare domains, e.g. allowed_domains = ["status.example.com"].'),
                                  domain=domain)
        return domains
    if isinstance(value, dict):
        if key not in LOCALIZED_BRAND_SETTINGS:
            raise ConfigError(N_("brand.{key} must be a string (tables per locale: {keys})"), where,
                              key=key, keys=", ".join(LOCALIZED_BRAND_SETTINGS))
        if not value or not all(isinstance(v, str) and v for v in value.values()):
            raise ConfigError(N_("brand.{key} must be a string or a table of non-empty strings per locale"), where,
                              key=key)
        for code in value:
            try:
                parse_locale(code)
            except UnknownLocaleError as exc:
                raise ConfigError(N_("brand.{key}: unknown locale {code!r}"), where, key=key, code=exc.code) from None
        return dict(value)
    return str(value)




def _check_brand(brand: Brand, keys: set[str], where: str) -> None:
    """A ``[brand]`` table's contacts all set or none (``BRAND_CONTACTS``); links https, on hosts the brand vouches for."""
    contacts = keys & set(BRAND_CONTACTS)
    if not contacts and brand.product != Brand.product:
        raise ConfigError(
            N_("[brand] names the product {product!r} but none of its contacts"), where,
            N_("Set {contacts} too: replies would send {product} customers to the "
               "default company's ({default}) support channels."),
            product=brand.product, contacts=", ".join(BRAND_CONTACTS), default=Brand.product)
    if contacts and contacts != set(BRAND_CONTACTS):
        missing = [k for k in BRAND_CONTACTS if k not in contacts]
        raise ConfigError(
            N_("[brand] sets {present} but not {missing}"), where,
            N_("Set all of {contacts}, or none: replies must not mix your contacts "
               "with the default company's."),
            present=", ".join(k for k in BRAND_CONTACTS if k in contacts), missing=", ".join(missing),
            contacts=", ".join(BRAND_CONTACTS))
    policy = brand.link_policy()
    domain = brand_domain(brand.website)
    for key in BRAND_LINKS:
        for value in brand.links(key):
            host = host_of(value)
            if not value.lower().startswith("https://") or not host:
                raise ConfigError(N_("brand.{key} must be an https:// link, not {value!r}"), where,
                                  N_("Customers are sent there: give the https address."), key=key, value=value)
            homes = (*policy.domains, *PLATFORM_HOSTS.get(key, ()))
            if not on_domain(host, homes):
                raise ConfigError(
                    N_("brand.{key} links to {host}, which is not the brand's domain ({domain}) or an allowed one"),
                    where, N_("Allowed: {allowed}. If {host} is yours, add it to [brand]: "
                              "allowed_domains = [\"{host}\"]."),
                    key=key, host=host, domain=domain, allowed=", ".join(homes))
    email_domain = brand.support_email.rpartition("@")[2].lower()
    if "@" not in brand.support_email or not email_domain:
        raise ConfigError(N_("brand.support_email must be an e-mail address, not {value!r}"), where,
                          value=brand.support_email)
    if not on_domain(email_domain, policy.domains):
        raise ConfigError(
            N_("brand.support_email is at {host}, which is not the brand's domain ({domain}) or an allowed one"),
            where, N_("If {host} is yours, add it to [brand]: allowed_domains = [\"{host}\"]."),
            host=email_domain, domain=domain)


def _line_of(where: str, key: str, table: str = "report") -> str:
    """``path:line`` of ``key`` in the ``[report]`` table (or its sub-table) of the file at ``where``."""
    import re

    try:
        lines = Path(where).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return where
    header = re.compile(r"^\s*\[\s*(tool\s*\.\s*supportkit\s*\.\s*)?" + re.escape(table).replace(r"\.", r"\s*\.\s*")
                        + r"\s*\]")
    inside = False
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith("["):
            inside = bool(header.match(line))
            if inside and key == "":
                return f"{where}:{number}"
            continue
        if inside and re.match(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=", line):
            return f"{where}:{number}"
    return where


def _report_settings(value: Any, where: str) -> ReportSettings:
    """``[report]``, checked: every problem names the file and line of its key."""
    from_file = where not in ("environment",)
    if not isinstance(value, dict):
        raise ConfigError(N_("report must be a table"), where)
    known = {f.name for f in dataclasses.fields(ReportSettings)}
    for key in value:
        if key not in known:
            raise ConfigError(N_("unknown report setting {key!r}"), _line_of(where, key) if from_file else where,
                              N_("Known: {known}."), key=key, known=", ".join(sorted(known)))
    timezone = value.get("timezone", "UTC")
    if not isinstance(timezone, str) or not _is_timezone(timezone):
        raise ConfigError(N_("report.timezone: {timezone!r} is not a time zone"), _line_of(where, "timezone"),
                          N_('Use an IANA name, such as timezone = "Europe/Madrid" (default "UTC").'), timezone=timezone)
    columns = value.get("columns", {})
    if not isinstance(columns, dict):
        raise ConfigError(N_("report.columns must be a table: our column name = the export's"),
                          _line_of(where, "columns"))
    for key, source in columns.items():
        if key not in REPORT_COLUMNS:
            raise ConfigError(N_("unknown report column {key!r}"), _line_of(where, key, "report.columns"),
                              N_("Known: {known}."), key=key, known=", ".join(REPORT_COLUMNS))
        if not isinstance(source, str) or not source.strip():
            raise ConfigError(N_("report.columns.{key} must be the name of a column of the export"),
                              _line_of(where, key, "report.columns"), key=key)
    return ReportSettings(timezone, {k: v.strip() for k, v in columns.items()})


def _is_timezone(name: str) -> bool:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _apply(config: Config, table: Mapping[str, Any], where: str, base: Path) -> Config:
    known = {f.name for f in dataclasses.fields(Config)} - {"source", "brand"}
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key == "brand":
            if not isinstance(value, dict):
                raise ConfigError(N_("brand must be a table"), where)
            brand_fields = {f.name for f in dataclasses.fields(Brand)}
            unknown = set(value) - brand_fields
            if unknown:
                raise ConfigError(N_plural("unknown brand setting: {names}", "unknown brand settings: {names}",
                                           len(unknown)), where,
                                  N_("Known: {known}."), names=", ".join(sorted(unknown)),
                                  known=", ".join(sorted(brand_fields)))
            brand_changes: dict[str, Any] = {k: _brand_value(k, v, where) for k, v in value.items()}
            changes["brand"] = dataclasses.replace(config.brand, **brand_changes)
            _check_brand(changes["brand"], set(value), where)
        elif key == "channel_limits":
            if not isinstance(value, dict) or not all(isinstance(v, int) for v in value.values()):
                raise ConfigError(N_("channel_limits must map channel names to integers"), where)
            changes[key] = dict(value)
        elif key == "report":
            changes[key] = _report_settings(value, where)
        elif key == "safe_directories":
            raise ConfigError(N_("safe_directories is read only from your own config file"), where,
                              N_("Move it to {user_config} (a project must not vouch for itself)."),
                              user_config=str(user_config_path()))
        elif key in known:
            changes[key] = _coerce(key, value, where, base)
        else:
            raise ConfigError(N_("unknown setting {key!r}"), where, N_("Known settings: {known}."),
                              key=key, known=", ".join(sorted(known | {"brand"})))
    return dataclasses.replace(config, **changes)


def _record(origins: dict[str, str], table: Mapping[str, Any], origin: str) -> None:
    for key, value in table.items():
        if key in ("brand", "report"):
            origins.update((f"{key}.{k}", origin) for k in value)
        else:
            origins[key] = origin


def read_config(start: Path | None = None, env: Mapping[str, str] | None = None,
                flags: Mapping[str, tuple[str, Any]] | None = None) -> ConfigReport:
    """Defaults, the user's file, the project's file, ``SUPPORTKIT_*`` variables, then ``flags``
    (setting -> (flag name, value or None when not given)); untrusted files are reported, not read."""
    env = os.environ if env is None else env
    config = Config()
    origins: dict[str, str] = {}
    files: list[ConfigFile] = []
    safe = tuple(part for part in env.get(SAFE_DIRECTORIES_ENV, "").split(os.pathsep) if part)
    user_path = user_config_path()
    if user_path.is_file():
        refusal = _trust(user_path, safe)
        files.append(ConfigFile(user_path, "user", refusal))
        if refusal is None:
            table = _parse_toml(user_path, _read_bytes(user_path))
            safe += _string_list(table.pop("safe_directories", []), "safe_directories", str(user_path))
            config = _apply(config, table, str(user_path), user_path.parent)
            config = dataclasses.replace(config, source=str(user_path))
            _record(origins, table, str(user_path))
    for path, data in _project_candidates(start):
        refusal = _trust(path, safe)
        if refusal is not None:  # the nearest file is the project's: refused, it is not skipped for one further up
            files.append(ConfigFile(path, "project", refusal))
            break
        table = _parse_toml(path, _read_bytes(path) if data is None else data)
        if data is not None:
            table = table.get("tool", {}).get("supportkit")
            if not isinstance(table, dict):
                continue
        files.append(ConfigFile(path, "project"))
        config = _apply(config, table, str(path), path.parent)
        config = dataclasses.replace(config, source=str(path))
        _record(origins, table, str(path))
        break
    names = {key[len(_ENV_PREFIX):].lower(): key for key in env if key.startswith(_ENV_PREFIX)}
    env_table = {setting: env[name] for setting, name in names.items()
                 if setting in _PATH_KEYS | _BOOL_KEYS | _TUPLE_KEYS | _STR_KEYS}
    if env_table:
        config = _apply(config, env_table, "environment", Path.cwd())
        origins.update((setting, f"env {names[setting]}") for setting in env_table)
    given = {setting: (flag, value) for setting, (flag, value) in (flags or {}).items() if value is not None}
    if given:
        config = config.replace(**{setting: value for setting, (_, value) in given.items()})
        origins.update((setting, f"flag {flag}") for setting, (flag, _) in given.items())
    return ConfigReport(config, tuple(files), origins, safe)


def load_config(start: Path | None = None, env: Mapping[str, str] | None = None,
                flags: Mapping[str, tuple[str, Any]] | None = None) -> Config:
    """The configuration in force (see :func:`read_config`); an untrusted file is a ConfigError."""
    report = read_config(start, env, flags)
    report.raise_refused()
    return report.config

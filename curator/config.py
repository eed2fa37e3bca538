"""Typed settings and the loading of feeds.yaml.

Precedence, lowest first: defaults < settings file (``curator.yaml``) < ``CURATOR_*`` environment
variables < explicit overrides (CLI flags). Every mistake names the file, the entry and the field.

Every setting has one rule (:data:`SETTING_RULES`), checked when settings are loaded or made, so a bad
value stops ``curator init`` and every other command at once with one message naming the file or
variable, the setting and what is allowed.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from email.utils import getaddresses
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .email_address import InvalidEmailAddress, envelope_address
from .errors import ConfigError, TaggingError
from .resources import bundled
from .types import AREA_IDS, Source


@dataclass(frozen=True)
class Settings:
    """Everything curator can be configured with. Paths may be relative to the working directory.

    Every field has one rule in :data:`SETTING_RULES` (what is allowed, in words and as a check); a
    Settings object that breaks one cannot be made (ConfigError), so a bad value is refused when
    the settings are loaded, before any command runs, never at the first fetch or send."""

    database_url: str = "sqlite:///curator.db"
    feeds_file: str = "feeds.yaml"
    models_dir: str = str(bundled("models"))
    """subject_areas.yaml and personas.yaml; default: the copies shipped with the package."""
    templates_dir: str = str(bundled("templates"))
    """email/ and web/ templates; default: the copies shipped with the package."""
    schedule_file: str = str(bundled("jobs", "schedule.yaml"))
    """Which job runs when (``curator worker``); default: the copy shipped with the package."""
    # fetching (RELIABILITY.md 3A/3B, defaults as in Miniflux)
    fetch_connect_timeout: float = 5.0
    fetch_read_timeout: float = 20.0
    fetch_total_timeout: float = 30.0
    fetch_max_bytes: int = 15 * 1024 * 1024
    fetch_max_redirects: int = 5
    fetch_allowed_networks: tuple[str, ...] = ()
    """CIDRs the fetcher may reach although they are private (e.g. 127.0.0.1/32 for the demo)."""
    collect_max_items: int = 500
    collect_workers: int = 4
    collect_per_host: int = 1
    """How many sources of one host are fetched at the same time (politeness)."""
    broken_after_errors: int = 3
    backoff_base_minutes: int = 15
    backoff_max_minutes: int = 24 * 60
    unconditional_fetch_days: int = 7
    # tagging
    encoder: str = "e5"
    second_encoder: str = "auto"
    """The tagger's second encoder (an ensemble with ``encoder``, docs/tagging.md): ``auto`` = USE
    when the ``use`` extra is installed and ``encoder`` is e5 (the pair measured), else none;
    ``none``; or an encoder spec such as ``use``."""
    # mail
    outbox_dir: str = "outbox"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls | tls | none
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "Curator <newsletter@curator.example>"
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""
    metrics_token: str = ""
    """Who may read ``/metrics`` and the details of ``/healthz``: empty, clients on loopback only;
    set, whoever sends ``Authorization: Bearer <metrics_token>`` (docs/operations.md)."""
    timezone: str = "Europe/Berlin"
    worker_nice: int = 10
    """How far ``curator worker`` lowers its own CPU priority (Unix nice, 0 to 19; 0 leaves it):
    on a machine it shares with ``curator serve``, tag and rank runs take the CPU the pages leave."""
    # the sender's identity in every email (brand block, imprint and postal address)
    cluster_name: str = "DigitalCluster"
    """The network's name: the email's brand block, its sign-off and the web archive."""
    brand_color: str = "#0b4f8a"
    brand_logo_url: str = ""
    """An https:// image shown in the email's brand block instead of the name in large type; empty: the name."""
    postal_address: str = ""
    """The sender's postal address, printed in every email (one line per line of text)."""
    imprint: str = ""
    """The imprint (Impressum) of every email: who is responsible, legal form, register, representatives.
    German commercial email must carry it; ``curator doctor`` warns in production when it or
    ``postal_address`` is empty."""

    def __post_init__(self) -> None:
        # Settings built in code (tests, tools, replace()) obey the same rules as loaded ones.
        _refuse(_settings_problems({f.name: getattr(self, f.name) for f in fields(self)}, {}))

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``; raises ConfigError (as :func:`load_settings`) for a value that
        breaks its rule."""
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------- validation

MIN_SECRET_KEY_LENGTH = 16
"""A shorter ``secret_key`` could be guessed; signing anything with it is refused."""


@dataclass(frozen=True)
class SettingRule:
    """What one setting may be: ``allowed`` says it in words (it is the error message), ``check``
    tells a value of the setting's type apart from a wrong one."""

    allowed: str
    check: Callable[[Any], bool]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _seconds(value: Any) -> bool:
    return _number(value) and 0 < value <= 3600


def _whole(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _text(value: Any) -> bool:
    """Any single line of text (empty too): no control characters, so nothing can end a header line."""
    return isinstance(value, str) and not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)


def _some_text(value: Any) -> bool:
    return _text(value) and bool(value.strip())


def _database_url(value: Any) -> bool:
    return _text(value) and re.match(r"^(sqlite|postgres(ql)?)(\+[a-z0-9_]+)?://", value) is not None


def _networks(value: Any) -> bool:
    if not isinstance(value, tuple) or not all(isinstance(entry, str) for entry in value):
        return False
    try:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # as the fetcher's address policy reads it
    except ValueError:
        return False
    return True


def _encoder(value: Any) -> bool:
    from .embeddings import make_encoder  # the one grammar of encoder specs; nothing is loaded

    if not _some_text(value):
        return False
    try:
        make_encoder(value)
    except TaggingError:
        return False
    return True


def _second_encoder(value: Any) -> bool:
    return value in ("auto", "none") or _encoder(value)


_HOST_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"


def _mail_host(value: Any) -> bool:
    if not _text(value):
        return False
    if value == "":
        return True
    try:
        ipaddress.ip_address(value.strip("[]"))
        return True
    except ValueError:
        return len(value) <= 253 and re.fullmatch(rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})*\.?", value) is not None


def _mailbox(value: Any) -> bool:
    """``address`` or ``Name <address>``, exactly one address, by the one rule for addresses."""
    if not _some_text(value):
        return False
    found = getaddresses([value])
    if len(found) != 1:
        return False
    try:
        envelope_address(found[0][1])
    except InvalidEmailAddress:
        return False
    return True


def _base_url(value: Any) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"https?://[\x21-\x7e]+", value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return False
    return bool(parts.hostname) and "@" not in parts.netloc and not parts.query and not parts.fragment


def _lines(value: Any) -> bool:
    """Text of several lines (printed in emails, never in a header): no control characters but line breaks."""
    return isinstance(value, str) and len(value) <= 2000 and _text(value.replace("\r\n", "").replace("\n", ""))


def _https_url_or_empty(value: Any) -> bool:
    return value == "" or (isinstance(value, str) and re.fullmatch(r"https://[\x21-\x7e]+", value) is not None
                           and '"' not in value and "<" not in value and ">" not in value)


def _secret_key(value: Any) -> bool:
    return isinstance(value, str) and (value == "" or len(value) >= MIN_SECRET_KEY_LENGTH)


def _timezone(value: Any) -> bool:
    if not _some_text(value):
        return False
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_SECONDS = "a number of seconds greater than 0 and at most 3600"
_PATH = "a file or directory path (not empty)"
SETTING_RULES: dict[str, SettingRule] = {
    "database_url": SettingRule("a database URL: sqlite:///path/to/curator.db or postgresql://user@host/database",
                          _database_url),
    "feeds_file": SettingRule(_PATH, _some_text),
    "models_dir": SettingRule(_PATH, _some_text),
    "templates_dir": SettingRule(_PATH, _some_text),
    "schedule_file": SettingRule(_PATH, _some_text),
    "fetch_connect_timeout": SettingRule(_SECONDS, _seconds),
    "fetch_read_timeout": SettingRule(_SECONDS, _seconds),
    "fetch_total_timeout": SettingRule(_SECONDS, _seconds),
    "fetch_max_bytes": SettingRule("a whole number of bytes from 1024 (1 KiB) to 1073741824 (1 GiB)",
                             _whole(1024, 1024**3)),
    "fetch_max_redirects": SettingRule("a whole number from 0 to 20", _whole(0, 20)),
    "fetch_allowed_networks": SettingRule("a list of IP networks in CIDR form, such as 127.0.0.1/32 or ::1/128 "
                                    "(comma-separated in an environment variable)", _networks),
    "collect_max_items": SettingRule("a whole number from 1 to 10000", _whole(1, 10_000)),
    "collect_workers": SettingRule("a whole number from 1 to 64", _whole(1, 64)),
    "collect_per_host": SettingRule("a whole number from 1 to 16", _whole(1, 16)),
    "broken_after_errors": SettingRule("a whole number from 1 to 1000", _whole(1, 1000)),
    "backoff_base_minutes": SettingRule("a whole number of minutes from 1 to 10080 (a week)", _whole(1, 7 * 24 * 60)),
    "backoff_max_minutes": SettingRule("a whole number of minutes from 1 to 43200 (30 days)", _whole(1, 30 * 24 * 60)),
    "unconditional_fetch_days": SettingRule("a whole number of days from 0 (every fetch) to 365", _whole(0, 365)),
    "encoder": SettingRule("e5, minilm, st:<model-name-or-path> or fake", _encoder),
    "second_encoder": SettingRule("auto (use when the use extra is installed and the encoder is e5), none, "
                                  "or an encoder: use, e5, minilm, st:<model-name-or-path>", _second_encoder),
    "outbox_dir": SettingRule(_PATH, _some_text),
    "smtp_host": SettingRule("empty (mail is written to outbox_dir) or the mail server's host name or IP address, "
                       "without scheme or port (e.g. smtp.example.com)", _mail_host),
    "smtp_port": SettingRule("a port number from 1 to 65535 (587 for starttls, 465 for tls)", _whole(1, 65535)),
    "smtp_security": SettingRule("starttls, tls or none", lambda value: value in ("starttls", "tls", "none")),
    "smtp_user": SettingRule("one line of text (empty: no login)", _text),
    "smtp_password": SettingRule("one line of text", _text),
    "mail_from": SettingRule("one sender, as address or 'Name <address>', e.g. 'Curator <newsletter@example.org>' "
                       "(an address curator can send from: see curator.email_address)", _mailbox),
    "base_url": SettingRule("the web address of curator: http:// or https://, a host, no query or fragment, "
                      "printable ASCII (write an international domain as xn--...), e.g. https://curator.example.org",
                      _base_url),
    "secret_key": SettingRule(f"empty (no sign-in, no signed links) or at least {MIN_SECRET_KEY_LENGTH} random "
                        "characters, e.g. from `openssl rand -hex 32`", _secret_key),
    "metrics_token": SettingRule(f"empty (/metrics for loopback clients only) or at least {MIN_SECRET_KEY_LENGTH} "
                                 "random letters, digits, '-', '_' or '.', e.g. from `openssl rand -hex 24`",
                                 lambda value: isinstance(value, str) and re.fullmatch(
                                     rf"(|[A-Za-z0-9._-]{{{MIN_SECRET_KEY_LENGTH},}})", value) is not None),
    "timezone": SettingRule("an IANA time zone name such as Europe/Berlin or UTC", _timezone),
    "worker_nice": SettingRule("a whole number from 0 (the worker's priority is left alone) to 19 (lowest)",
                               _whole(0, 19)),
    "cluster_name": SettingRule("the network's name, one line of text (not empty), e.g. DigitalCluster.Hamburg",
                                lambda value: _some_text(value) and len(value) <= 80),
    "brand_color": SettingRule("a colour as #rrggbb, e.g. #0b4f8a",
                               lambda value: isinstance(value, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", value) is not None),
    "brand_logo_url": SettingRule("empty (the name is shown) or an https:// address of an image, printable ASCII "
                                  "without quotes or angle brackets", _https_url_or_empty),
    "postal_address": SettingRule("text of up to 2000 characters, line breaks allowed, e.g. "
                                  "'Hamburg@work e.V.\\nWexstraße 7\\n20355 Hamburg'", _lines),
    "imprint": SettingRule("text of up to 2000 characters, line breaks allowed (who is responsible, register, "
                           "representatives)", _lines),
}
"""One rule per field of :class:`Settings`: every setting is checked here and nowhere else."""


def _settings_problems(values: Mapping[str, Any], origins: Mapping[str, str]) -> list[str]:
    """One line per value in ``values`` that breaks its rule (and per broken relation between two
    settings), each naming where the value came from (``origins``: file or variable; "setting"
    when unknown), the setting, the value and what is allowed."""

    def where(name: str) -> str:
        return origins.get(name, "settings")

    problems = [f"{where(name)}: setting '{name}' is {value!r}; allowed: {SETTING_RULES[name].allowed}"
                for name, value in values.items() if not SETTING_RULES[name].check(value)]
    base, most = values.get("backoff_base_minutes"), values.get("backoff_max_minutes")
    if not problems and isinstance(base, int) and isinstance(most, int) and most < base:
        problems.append(f"{where('backoff_max_minutes')}: setting 'backoff_max_minutes' is {most!r}; allowed: "
                        f"at least backoff_base_minutes ({base!r}, from {where('backoff_base_minutes')})")
    return problems


def _refuse(problems: Sequence[str]) -> None:
    if len(problems) == 1:
        raise ConfigError(problems[0])
    if problems:
        raise ConfigError(f"{len(problems)} settings are not valid:\n  " + "\n  ".join(problems))


def _coerce(value: Any, kind: str) -> Any:
    """A file or environment value as the setting's type (``kind`` is the field's annotation).

    Raises ValueError or TypeError when it cannot be one: a bool is no number, ``2.5`` is no whole
    number, a mapping is no text. YAML's empty value (None) is empty text."""
    if kind == "int":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(value)
        return int(value.strip() if isinstance(value, str) else value)
    if kind == "float":
        if isinstance(value, bool):
            raise ValueError(value)
        return float(value.strip() if isinstance(value, str) else value)
    if kind == "tuple[str, ...]":
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        if isinstance(value, list | tuple):
            return tuple(str(v).strip() for v in value)
        raise TypeError(value)
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        raise TypeError(value)
    return str(value)


def load_settings(
    file: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build Settings from defaults, an optional YAML file, CURATOR_* variables and overrides.

    ``file`` None means ``curator.yaml`` in the working directory if it exists.
    Every value is checked against the rules of :data:`SETTING_RULES` before anything uses it: raises
    ConfigError for unknown keys and for every value that breaks its rule, in ONE message with one
    line per problem naming the file or environment variable, the setting, the value and what is
    allowed.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    problems: list[str] = []
    types = {f.name: str(f.type) for f in fields(Settings)}

    def take(key: str, value: Any, origin: str) -> None:
        try:
            values[key] = _coerce(value, types[key])
        except (TypeError, ValueError):
            values.pop(key, None)
            problems.append(f"{origin}: setting '{key}' is {value!r}; allowed: {SETTING_RULES[key].allowed}")
            return
        origins[key] = origin

    path = Path(file) if file else Path("curator.yaml")
    if file or path.exists():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError as exc:
            raise ConfigError(f"{path}: settings file not found") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping of setting names to values")
        for key, value in data.items():
            if key not in types:
                raise ConfigError(f"{path}: unknown setting '{key}' (known: {', '.join(sorted(types))})")
            take(key, value, str(path))
    for key in types:
        env_key = "CURATOR_" + key.upper()
        if env_key in env:
            take(key, env[env_key], f"environment variable {env_key}")
    for key, value in overrides.items():
        if value is None:
            continue
        if key not in types:
            raise ConfigError(f"unknown setting '{key}'")
        take(key, value, f"option '{key}'")
    every = {f.name: f.default for f in fields(Settings)} | values
    _refuse(problems + _settings_problems(every, {name: "default" for name in types} | origins))
    return Settings(**values)


# --------------------------------------------------------------------------- feeds.yaml

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_VIS = re.compile(r"^(public|members|club:[a-z0-9][a-z0-9-]{0,63})$")
_SOURCE_KEYS = {"id", "title", "url", "lang", "areas", "visibility", "poll_minutes", "enabled", "kind"}
_KINDS = {"article", "event", "tender", "member_news"}


def parse_sources(data: Any, where: str) -> tuple[Source, ...]:
    """Validate the parsed YAML of a feeds file and return its sources.

    Raises ConfigError naming ``where`` (the file), the entry (index and id) and the field.
    """
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping with 'sources:' (and optionally 'defaults:')")
    unknown_top = set(data) - {"defaults", "sources"}
    if unknown_top:
        raise ConfigError(f"{where}: unknown top-level key(s) {sorted(unknown_top)}; use 'defaults' and 'sources'")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError(f"{where}: 'defaults' must be a mapping")
    bad_defaults = set(defaults) - {"poll_minutes", "visibility", "enabled", "lang", "kind"}
    if bad_defaults:
        raise ConfigError(f"{where}: 'defaults' has unknown field(s) {sorted(bad_defaults)}")
    raw_sources = data.get("sources") or []
    if not isinstance(raw_sources, list):
        raise ConfigError(f"{where}: 'sources' must be a list of entries")
    seen: set[str] = set()
    out: list[Source] = []
    for index, raw in enumerate(raw_sources, start=1):
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: source #{index} must be a mapping with id, title and url")
        ident = raw.get("id")
        label = f"{where}: source #{index}" + (f" ('{ident}')" if ident else "")
        unknown = set(raw) - _SOURCE_KEYS
        if unknown:
            raise ConfigError(f"{label}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_SOURCE_KEYS)}")
        entry = {**defaults, **raw}
        for required in ("id", "title", "url"):
            if not entry.get(required) or not isinstance(entry[required], str):
                raise ConfigError(f"{label}: field '{required}' is required and must be text")
        if not _SLUG.match(entry["id"]):
            raise ConfigError(f"{label}: field 'id' must be lowercase letters, digits and dashes")
        if entry["id"] in seen:
            raise ConfigError(f"{label}: field 'id' repeats an earlier source; ids must be unique")
        seen.add(entry["id"])
        url = entry["url"].strip()
        if not re.match(r"^https?://[^\s/]+", url):
            raise ConfigError(f"{label}: field 'url' must start with http:// or https:// (got {url!r})")
        lang = entry.get("lang")
        if lang is not None and (not isinstance(lang, str) or not re.match(r"^[a-z]{2}$", lang)):
            raise ConfigError(f"{label}: field 'lang' must be a two-letter code such as de or en")
        areas = entry.get("areas") or []
        if not isinstance(areas, list) or any(a not in AREA_IDS for a in areas):
            raise ConfigError(f"{label}: field 'areas' must be a list of {', '.join(AREA_IDS)}")
        visibility = str(entry.get("visibility", "public"))
        if not _VIS.match(visibility):
            raise ConfigError(f"{label}: field 'visibility' must be public, members or club:<club-id>")
        poll = entry.get("poll_minutes", 60)
        if isinstance(poll, bool) or not isinstance(poll, int) or not 5 <= poll <= 7 * 24 * 60:
            raise ConfigError(f"{label}: field 'poll_minutes' must be a whole number from 5 to 10080")
        enabled = entry.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"{label}: field 'enabled' must be true or false")
        kind = entry.get("kind", "article")
        if kind not in _KINDS:
            raise ConfigError(f"{label}: field 'kind' must be one of {sorted(_KINDS)}")
        out.append(
            Source(
                id=entry["id"], title=entry["title"].strip(), url=url, lang=lang, areas=tuple(areas),
                visibility=visibility, poll_minutes=poll, enabled=enabled, kind=kind,
            )
        )
    return tuple(out)


def load_feeds_file(path: str | os.PathLike[str]) -> tuple[Source, ...]:
    """Read and validate a feeds.yaml file. Raises ConfigError naming file, entry and field."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{p}: feeds file not found; create it or set CURATOR_FEEDS_FILE") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
    return parse_sources(data, str(p))

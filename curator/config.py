"""Typed settings and the loading of feeds.yaml.

Precedence, lowest first: defaults < settings file (``curator.yaml``) < ``CURATOR_*`` environment
variables < explicit overrides (CLI flags). Every mistake names the file, the entry and the field.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError
from .types import AREA_IDS, Source

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
"""The checkout root when running from source; models/ and templates/ live there."""


@dataclass(frozen=True)
class Settings:
    """Everything curator can be configured with. Paths may be relative to the working directory."""

    database_url: str = "sqlite:///curator.db"
    feeds_file: str = "feeds.yaml"
    models_dir: str = str(PROJECT_DIR / "models")
    templates_dir: str = str(PROJECT_DIR / "templates")
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
    timezone: str = "Europe/Berlin"

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _coerce(name: str, value: Any, target: Any, where: str) -> Any:
    """Turn a file/env value into the field's type; a mismatch names where it came from."""
    try:
        if target is bool or target == "bool":
            if isinstance(value, bool):
                return value
            if str(value).lower() in {"1", "true", "yes", "on"}:
                return True
            if str(value).lower() in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(value)
        if target in (int, "int"):
            return int(value)
        if target in (float, "float"):
            return float(value)
        if target in ("tuple[str, ...]",):
            if isinstance(value, str):
                return tuple(v.strip() for v in value.split(",") if v.strip())
            return tuple(str(v) for v in value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: setting '{name}' has an invalid value {value!r}") from exc


def load_settings(
    file: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build Settings from defaults, an optional YAML file, CURATOR_* variables and overrides.

    ``file`` None means ``curator.yaml`` in the working directory if it exists.
    Raises ConfigError for unknown keys or values of the wrong type.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Settings)}
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
            values[key] = _coerce(key, value, types[key], str(path))
    for key, typ in types.items():
        env_key = "CURATOR_" + key.upper()
        if env_key in env:
            values[key] = _coerce(key, env[env_key], typ, f"environment variable {env_key}")
    for key, value in overrides.items():
        if value is None:
            continue
        if key not in types:
            raise ConfigError(f"unknown setting '{key}'")
        values[key] = value
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

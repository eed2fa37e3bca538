"""Personas as data: ``models/personas.yaml`` loaded and validated into :class:`curator.types.Persona`.

A persona is turned into one text for the encoder (:func:`persona_text`) that contains both
languages, so its vector sits between German and English content of its areas.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from curator.errors import ConfigError
from curator.types import AREA_IDS, LANGUAGES, Persona

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def load_personas(path: str | Path) -> dict[str, Persona]:
    """Personas by id, in file order. Raises ConfigError naming the file, entry and field."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"{p}: personas file not found; create it (see models/personas.yaml)") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
    entries = data.get("personas") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{p}: expected a top-level 'personas:' list")
    out: dict[str, Persona] = {}
    for n, entry in enumerate(entries, start=1):
        persona = parse_persona(entry, f"{p}: persona #{n}")
        if persona.id in out:
            raise ConfigError(f"{p}: persona #{n}: id '{persona.id}' is used twice")
        out[persona.id] = persona
    return out


def _texts(value: Any, where: str, field: str, *, required: bool) -> dict[str, str]:
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(value.get(lang), str) and value[lang].strip()
                                                 for lang in LANGUAGES):
        raise ConfigError(f"{where}: '{field}' needs non-empty texts for both de and en")
    return {lang: " ".join(str(value[lang]).split()) for lang in LANGUAGES}


def _lists(value: Any, where: str, field: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: '{field}' must map de/en to lists of phrases")
    out: dict[str, tuple[str, ...]] = {}
    for lang, phrases in value.items():
        if lang not in LANGUAGES or not isinstance(phrases, Sequence) or isinstance(phrases, str):
            raise ConfigError(f"{where}: '{field}.{lang}' must be a list of phrases (languages: de, en)")
        out[str(lang)] = tuple(str(x).strip() for x in phrases if str(x).strip())
    return out


def parse_persona(entry: Any, where: str = "persona") -> Persona:
    """One persona from a mapping (YAML entry or an accepted suggestion's definition)."""
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a mapping with id, names, description ...")
    pid = entry.get("id")
    if not isinstance(pid, str) or not _ID.match(pid):
        raise ConfigError(f"{where}: 'id' must be lower-case letters, digits, '_' or '-' (got {pid!r})")
    where = f"{where} ('{pid}')"
    areas = entry.get("preferred_areas") or []
    if not isinstance(areas, list) or any(a not in AREA_IDS for a in areas):
        raise ConfigError(f"{where}: 'preferred_areas' must list area ids from {', '.join(AREA_IDS)}")
    return Persona(
        id=pid,
        names=_texts(entry.get("names"), where, "names", required=True),
        description=_texts(entry.get("description"), where, "description", required=True),
        goals=_lists(entry.get("goals"), where, "goals"),
        preferred_areas=tuple(areas),
        example_interests=_lists(entry.get("example_interests"), where, "example_interests"),
    )


def persona_to_mapping(persona: Persona) -> dict[str, Any]:
    """The inverse of :func:`parse_persona` (for storing accepted personas)."""
    return {
        "id": persona.id, "names": dict(persona.names), "description": dict(persona.description),
        "goals": {k: list(v) for k, v in persona.goals.items()},
        "preferred_areas": list(persona.preferred_areas),
        "example_interests": {k: list(v) for k, v in persona.example_interests.items()},
    }


def persona_text(persona: Persona) -> str:
    """The text a persona is embedded as: both languages' description, goals and interests."""
    parts: list[str] = []
    for lang in LANGUAGES:
        parts.append(persona.description.get(lang, ""))
        parts.extend(persona.goals.get(lang, ()))
        parts.extend(persona.example_interests.get(lang, ()))
    return "\n".join(p for p in parts if p)


def persona_name(persona: Persona | None, lang: str) -> str:
    if persona is None:
        return ""
    return persona.names.get(lang) or persona.names.get("en") or persona.id

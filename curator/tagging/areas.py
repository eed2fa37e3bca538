"""The subject-area model: ``models/subject_areas.yaml`` loaded into a frozen :class:`AreaModel`.

The YAML is data an editor maintains (names, descriptions, example phrases in German and
English, plus ``off_topic`` examples that must get no area). Loading validates it and
says exactly which file, area and field is wrong. ``AreaModel.version`` is a hash of the
parsed content, so any edit changes it and the next tagging run re-tags.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from curator.errors import ConfigError
from curator.resources import bundled
from curator.types import AREA_IDS, LANGUAGES

__all__ = ["Area", "AreaModel", "OFF_TOPIC", "default_areas_path", "load_areas", "parse_areas"]

OFF_TOPIC = "off_topic"
"""Pseudo-area id of the examples that must get no area (sport, crime, entertainment...)."""

MIN_EXAMPLES = 3
"""Fewest example phrases per language and area; fewer gives unstable prototypes."""


@dataclass(frozen=True)
class Area:
    """One subject area (or the off-topic pseudo-area), as written in the YAML.

    ``examples`` maps a language code ("de", "en") to its example phrases, in file order.
    """

    id: str
    names: Mapping[str, str]
    description: Mapping[str, str]
    examples: Mapping[str, tuple[str, ...]]

    def all_examples(self) -> list[tuple[str, str]]:
        """(language, phrase) pairs in a fixed order: languages sorted, file order within."""
        return [(lang, text) for lang in sorted(self.examples) for text in self.examples[lang]]


@dataclass(frozen=True)
class AreaModel:
    """The validated area model.

    ``areas`` are the five subject areas in canonical order (``curator.types.AREA_IDS``);
    ``off_topic`` holds the examples of content that gets no area. ``version`` is a short
    hash of the content (not of the file bytes: comments and formatting do not count).
    """

    areas: tuple[Area, ...]
    off_topic: Area
    version: str
    source: str

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.areas)

    def area(self, area_id: str) -> Area:
        for a in self.areas:
            if a.id == area_id:
                return a
        raise KeyError(area_id)


def default_areas_path() -> Path:
    """``models/subject_areas.yaml`` as shipped with the package (``settings.models_dir`` may name
    an editor's own copy)."""
    return bundled("models", "subject_areas.yaml")


def load_areas(path: str | Path | None = None) -> AreaModel:
    """Read and validate the area YAML (default: :func:`default_areas_path`).

    Raises :class:`ConfigError` naming the file (and area/field) when it cannot be read,
    is not YAML, or breaks a rule of :func:`parse_areas`.
    """
    file = Path(path) if path is not None else default_areas_path()
    try:
        raw_text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"{file}: cannot read the subject-area model ({exc.strerror or exc}). "
            "Check the path, or restore models/subject_areas.yaml from the repository."
        ) from exc
    try:
        data = yaml.safe_load(raw_text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}. Fix the indentation or quoting there.") from exc
    return parse_areas(data, source=str(file))


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: must be a non-empty text.")
    return " ".join(value.split())


def _bilingual(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: must have a German and an English entry (de: ..., en: ...).")
    out: dict[str, str] = {}
    for lang in LANGUAGES:
        if lang not in value:
            raise ConfigError(f"{where}: the '{lang}' entry is missing; write it in both languages (de, en).")
        out[lang] = _text(value[lang], f"{where}.{lang}")
    return out


def _examples(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: must list example phrases per language (de: [...], en: [...]).")
    out: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        items = value.get(lang)
        if not isinstance(items, list):
            raise ConfigError(f"{where}.{lang}: must be a list of example phrases in that language.")
        phrases = tuple(_text(item, f"{where}.{lang}[{i}]") for i, item in enumerate(items))
        if len(phrases) < MIN_EXAMPLES:
            raise ConfigError(
                f"{where}.{lang}: has {len(phrases)} example phrases; write at least {MIN_EXAMPLES} "
                "(15-30 give the best results)."
            )
        out[lang] = phrases
    return out


def parse_areas(data: Any, *, source: str = "<memory>") -> AreaModel:
    """Validate already-parsed YAML data into an :class:`AreaModel`.

    Rules: a top-level mapping with ``areas`` (exactly the five ids of
    ``curator.types.AREA_IDS``, each once, each with ``names``, ``description`` and
    ``examples`` in ``de`` and ``en``) and ``off_topic`` (``examples`` in both languages;
    ``description`` optional). Messages start with ``source`` and name the area and field.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a mapping with 'areas' and 'off_topic' at the top level.")
    raw_areas = data.get("areas")
    if not isinstance(raw_areas, list) or not raw_areas:
        raise ConfigError(f"{source}: 'areas' must be a non-empty list of subject areas.")
    parsed: dict[str, Area] = {}
    for index, raw in enumerate(raw_areas):
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{source}: areas[{index}] must be a mapping with id, names, description, examples.")
        area_id = raw.get("id")
        if area_id not in AREA_IDS:
            raise ConfigError(
                f"{source}: areas[{index}].id is {area_id!r}; it must be one of {', '.join(AREA_IDS)}."
            )
        if area_id in parsed:
            raise ConfigError(f"{source}: area '{area_id}' appears twice; keep one entry.")
        where = f"{source}: area '{area_id}'"
        parsed[area_id] = Area(
            id=area_id,
            names=_bilingual(raw.get("names"), f"{where} field names"),
            description=_bilingual(raw.get("description"), f"{where} field description"),
            examples=_examples(raw.get("examples"), f"{where} field examples"),
        )
    missing = [a for a in AREA_IDS if a not in parsed]
    if missing:
        raise ConfigError(f"{source}: area(s) {', '.join(missing)} missing; all five areas must be described.")
    raw_off = data.get("off_topic")
    if not isinstance(raw_off, Mapping):
        raise ConfigError(
            f"{source}: 'off_topic' is missing; list examples of sport, crime, entertainment and "
            "disasters there so such items get no area."
        )
    where = f"{source}: off_topic"
    off_description = (
        _bilingual(raw_off["description"], f"{where} field description")
        if "description" in raw_off
        else {lang: "" for lang in LANGUAGES}
    )
    off = Area(
        id=OFF_TOPIC,
        names={"de": "Kein Bereich", "en": "No area"},
        description=off_description,
        examples=_examples(raw_off.get("examples"), f"{where} field examples"),
    )
    areas = tuple(parsed[a] for a in AREA_IDS)
    canonical = json.dumps(
        {
            "areas": [
                {"id": a.id, "names": dict(a.names), "description": dict(a.description),
                 "examples": {k: list(v) for k, v in a.examples.items()}}
                for a in (*areas, off)
            ],
            "file_version": data.get("version"),
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    version = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
    return AreaModel(areas=areas, off_topic=off, version=version, source=source)

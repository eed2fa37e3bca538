"""The email templates' fixed texts (kept in :mod:`curator.i18n`) and the area names."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from curator.i18n import digest_labels


def labels(lang: str) -> dict[str, str]:
    """The email template labels in ``lang`` (``curator.i18n``), English for any other language."""
    return digest_labels(lang)


@lru_cache(maxsize=4)
def area_names(models_dir: str) -> dict[str, dict[str, str]]:
    """{area id: {lang: name}} from models/subject_areas.yaml; the ids themselves if it is missing."""
    path = Path(models_dir) / "subject_areas.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    out: dict[str, dict[str, str]] = {}
    for area in data.get("areas") or []:
        if isinstance(area, dict) and "id" in area:
            out[str(area["id"])] = {k: str(v) for k, v in (area.get("names") or {}).items()}
    return out

"""Fixed texts of the email templates in German and English, and the area names."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "editor_picks": "Editor's picks",
        "personal": "Picked for you",
        "posts": "From our members",
        "events": "Upcoming events",
        "read": "Read",
        "unsubscribe": "Unsubscribe",
        "preferences": "Email preferences",
        "view_online": "View in your browser",
        "greeting": "Hello {name},",
        "areas": "Areas",
        "why_footer": "You receive this digest as a member of the DigitalCluster network.",
        "default_subject": "Your weekly digest",
        "default_preheader": "Thought leadership on digital transformation, picked for you",
    },
    "de": {
        "editor_picks": "Empfehlungen der Redaktion",
        "personal": "Für Sie ausgewählt",
        "posts": "Aus dem Netzwerk",
        "events": "Kommende Veranstaltungen",
        "read": "Lesen",
        "unsubscribe": "Abmelden",
        "preferences": "E-Mail-Einstellungen",
        "view_online": "Im Browser ansehen",
        "greeting": "Hallo {name},",
        "areas": "Themen",
        "why_footer": "Sie erhalten diesen Überblick als Mitglied des DigitalCluster-Netzwerks.",
        "default_subject": "Ihr Wochenüberblick",
        "default_preheader": "Thought Leadership zur digitalen Transformation, für Sie ausgewählt",
    },
}


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])


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

"""Display names of the five subject areas (PRODUCT.md), for explanations and profile texts."""

from __future__ import annotations

AREA_NAMES: dict[str, dict[str, str]] = {
    "technology": {"en": "Technology 4.0", "de": "Technologie 4.0"},
    "company": {"en": "Company 4.0", "de": "Unternehmen 4.0"},
    "work": {"en": "Working environment 4.0", "de": "Arbeitswelt 4.0"},
    "society": {"en": "Society 4.0", "de": "Gesellschaft 4.0"},
    "government": {"en": "Government and regulation 4.0", "de": "Staat und Regulierung 4.0"},
}


def area_name(area: str, lang: str) -> str:
    names = AREA_NAMES.get(area, {})
    return names.get(lang) or names.get("en") or area

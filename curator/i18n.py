"""Interface strings that are not web pages, in German and English: the fixed labels of the email
digest and the phrases of a ranked item's explanation ("why you see this").

A low module with no imports from curator, so every layer (rendering, ranking, newsletter) reads
its words from here. Subject-area names are not strings of the interface: they come from
``models/subject_areas.yaml``. The web's page catalogue is ``curator.web.i18n``.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES: tuple[str, ...] = ("de", "en")
"""The interface languages; any other language falls back to English."""

DIGEST_LABELS: dict[str, dict[str, str]] = {
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
"""The fixed texts of the email templates, by language."""

EXPLANATIONS: dict[str, dict[str, str]] = {
    "because": {"en": "Because {a}", "de": "Weil {a}"},
    "because2": {"en": "Because {a} and {b}", "de": "Weil {a} und {b}"},
    "pinned": {"en": "Recommended by the editors", "de": "Von der Redaktion empfohlen"},
    "follow": {"en": "you follow {area}", "de": "Sie {area} folgen"},
    "read_area": {"en": "you often read about {area}", "de": "Sie oft Beiträge zu {area} lesen"},
    "rated": {"en": "you rated '{title}' highly", "de": "Sie '{title}' gut bewertet haben"},
    "liked": {"en": "you liked '{title}'", "de": "Ihnen '{title}' gefallen hat"},
    "interests": {"en": "it matches your interests", "de": "es zu Ihren Interessen passt"},
    "persona": {"en": "it suits the profile '{persona}'", "de": "es zum Profil '{persona}' passt"},
    "popularity": {"en": "members with similar interests liked it",
                   "de": "Mitglieder mit ähnlichen Interessen es geschätzt haben"},
    "freshness": {"en": "it is new", "de": "es neu ist"},
    "quality": {"en": "its source is well rated", "de": "seine Quelle gut bewertet wird"},
    "fallback": {"en": "it is among the most relevant new items", "de": "es zu den relevantesten neuen Beiträgen gehört"},
}
"""The phrases of an explanation, by key and language; ``{…}`` fields are filled by the caller."""


def digest_labels(lang: str) -> dict[str, str]:
    """The email template labels in ``lang``, English for any other language."""
    return DIGEST_LABELS.get(lang, DIGEST_LABELS["en"])


def explanation(key: str, lang: str, **fields: str) -> str:
    """The explanation phrase ``key`` in ``lang`` (English if it has none), with ``fields`` filled."""
    table = EXPLANATIONS[key]
    return (table.get(lang) or table["en"]).format(**fields)


def area_display_name(names: Mapping[str, Mapping[str, str]], area: str, lang: str) -> str:
    """The display name of ``area`` in ``lang`` from ``names`` (``{area: {lang: name}}``, as the
    area model of models/subject_areas.yaml gives them); English, then the id, as fallbacks."""
    found = names.get(area, {})
    return found.get(lang) or found.get("en") or area


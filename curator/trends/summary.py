"""A topic as a plain JSON record: what ``curator trends --json`` prints and the API's
``GET /api/v1/trends`` answers, so both say the same about a topic."""

from __future__ import annotations

from collections.abc import Mapping

from ..types import Item, Topic


def topic_summary(topic: Topic, lang: str, examples: Mapping[int, Item]) -> dict[str, object]:
    """``topic`` as JSON-ready values: ``label`` in ``lang`` (and both labels), distinctive
    ``words`` per language, main ``areas`` and all ``area_counts``, ``langs``, ``items`` now and
    ``previous``, ``change`` of its share, ``rising``/``falling``, ``p_value``, ``examples`` (id,
    title, language; only those found in ``examples``, most central first) and ``engagement``."""
    return {"label": topic.label(lang), "label_en": topic.label_en, "label_de": topic.label_de,
            "words": {k: list(v) for k, v in topic.words.items()}, "areas": list(topic.main_areas()),
            "area_counts": dict(topic.areas), "langs": dict(topic.langs), "items": topic.items,
            "previous": topic.previous, "change": topic.change, "rising": topic.rising, "falling": topic.falling,
            "p_value": round(topic.p_value, 6),
            "examples": [{"item_id": i, "title": examples[i].title, "lang": examples[i].lang}
                         for i in topic.examples if i in examples],
            "engagement": topic.engagement}

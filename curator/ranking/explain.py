"""Short human explanations ("why you see this") in the member's language.

An explanation names at most the two strongest positive reasons among the score components of
one ranked item. It may quote the title of an item the member liked; callers must pass only items
the member can see NOW (``curator.profiles.access.visible_to``), so that an explanation never
reveals a restricted item after a club membership ended.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from curator.i18n import area_display_name
from curator.i18n import explanation as _t


@dataclass(frozen=True)
class LikedItem:
    """An item the member gave positive feedback, for "you rated 'X' highly"."""

    title: str
    rated: bool
    similarity: float


def _short(title: str, n: int = 60) -> str:
    title = " ".join(title.split()).replace("'", "’")
    return title if len(title) <= n else title[: n - 1] + "…"


def explain(lang: str, components: Mapping[str, float], *, item_areas: Mapping[str, float],
            followed: Sequence[str], affinity: Mapping[str, float], persona_name: str | None,
            liked: LikedItem | None, has_interests: bool, pinned: bool = False,
            floor: bool = False, min_area_score: float = 0.5,
            area_names: Mapping[str, Mapping[str, str]], boosted: str | None = None) -> str:
    """One sentence for one ranked item. ``components`` are the weighted score contributions by
    name; ``item_areas`` the item's area scores; ``followed`` the member's declared areas;
    ``affinity`` the member's area affinities; ``liked`` the most similar visible liked item;
    ``area_names`` the display names by area and language (models/subject_areas.yaml);
    ``boosted`` the note of the editors' rule that boosted the item ("" for a rule without one,
    None: no rule boosted it)."""
    lang = lang if lang in ("de", "en") else "en"
    if pinned:
        return _t("pinned", lang)
    if boosted is not None:
        note = " ".join(boosted.split())
        return _t("boosted_note", lang, note=_short(note, 120)) if note else _t("boosted", lang)
    reasons: list[tuple[float, str]] = []
    interest: str | None = None
    top_areas = sorted((s, a) for a, s in item_areas.items() if s >= min_area_score)
    followed_here = [a for _, a in reversed(top_areas) if a in followed]
    if followed_here:
        reasons.append((components.get("area", 0.0) + (10.0 if floor else 0.0),
                        _t("follow", lang, area=area_display_name(area_names, followed_here[0], lang))))
    else:
        # affinity above 0.5 in an area the member does not follow comes from their feedback (a
        # persona's prior is 0.5 at most): an interest they showed us. When it is the item's
        # primary area, that interest claimed the item's place in the list (interest quotas in
        # the re-ranking), so it is named first, followed by the strongest other reason.
        liked_areas = [a for _, a in reversed(top_areas) if affinity.get(a, 0.0) > 0.5]
        primary = next((a for a, s in item_areas.items() if s >= 1.0), None)
        if liked_areas and liked_areas[0] == primary:
            interest = _t("interest", lang, area=area_display_name(area_names, primary, lang))
        elif liked_areas:
            reasons.append((components.get("area", 0.0), _t("read_area", lang, area=area_display_name(area_names, liked_areas[0], lang))))
    prof = components.get("profile", 0.0)
    if liked is not None and liked.similarity > 0.2:
        reasons.append((prof, _t("rated" if liked.rated else "liked", lang, title=_short(liked.title))))
    elif has_interests:
        reasons.append((prof, _t("interests", lang)))
    if persona_name:
        reasons.append((components.get("persona", 0.0), _t("persona", lang, persona=persona_name)))
    for key in ("popularity", "freshness", "quality"):
        reasons.append((components.get(key, 0.0), _t(key, lang)))
    positive = [r for r in sorted(reasons, key=lambda x: -x[0]) if r[0] > 0]
    if interest is not None:
        return _t("because2", lang, a=interest, b=positive[0][1]) if positive else _t("because", lang, a=interest)
    if not positive:
        return _t("because", lang, a=_t("fallback", lang))
    if len(positive) == 1 or positive[1][0] < 0.25 * positive[0][0]:
        return _t("because", lang, a=positive[0][1])
    return _t("because2", lang, a=positive[0][1], b=positive[1][1])

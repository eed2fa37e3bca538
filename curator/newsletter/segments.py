"""Segments: who a digest issue is for, written as text by editors and stored as a :class:`Segment`.

``everyone``, ``club:<id>``, ``persona:<id>``, ``area:<id>``, or a saved filter
``filter:<name>?languages=de&areas_any=work,company&clubs_any=..&personas=..`` whose given
conditions must all hold. Club membership is decided by the access rule
(:func:`curator.profiles.access.can_see`), never here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qs

from ..errors import InvalidInput
from ..i18n import area_display_name, segment_phrase
from ..profiles.access import can_see
from ..types import AREA_IDS, Member, Segment

FILTER_CONDITIONS: Final = frozenset({"languages", "areas_any", "clubs_any", "personas"})

_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def parse_segment(text: str | Segment) -> Segment:
    """The segment ``text`` names (a Segment is returned as it is; empty text means everyone).

    Raises InvalidInput for an unknown form, an unknown area or an unknown filter condition,
    saying what is allowed."""
    if isinstance(text, Segment):
        return text
    text = (text or "everyone").strip()
    if text == "everyone":
        return Segment("everyone", None, "everyone")
    kind, _, rest = text.partition(":")
    if kind in ("club", "persona", "area") and _ID.fullmatch(rest):
        if kind == "area" and rest not in AREA_IDS:
            raise InvalidInput(f"unknown area {rest!r} in segment {text!r}; areas are {', '.join(AREA_IDS)}")
        return Segment(kind, rest, text)  # type: ignore[arg-type]
    if kind == "filter" and rest:
        name, _, query = rest.partition("?")
        flt: dict[str, tuple[str, ...]] = {}
        for key, values in parse_qs(query).items():
            if key not in FILTER_CONDITIONS:
                raise InvalidInput(f"segment filter {text!r}: unknown condition {key!r} "
                                   f"(use {', '.join(sorted(FILTER_CONDITIONS))})")
            flt[key] = tuple(v for value in values for v in value.split(",") if v)
        return Segment("filter", None, name, flt)
    raise InvalidInput(f"segment {text!r} is not one of: everyone, club:<id>, persona:<id>, area:<id>, "
                       "filter:<name>?languages=..&areas_any=..")


def in_segment(member: Member, segment: Segment) -> bool:
    """Whether ``member`` belongs to ``segment``. A member is in a club's segment exactly when
    the access rule lets them see that club's items."""
    if segment.kind == "everyone":
        return True
    if segment.kind == "club":
        return can_see(member, f"club:{segment.value}")
    if segment.kind == "persona":
        return member.persona == segment.value
    if segment.kind == "area":
        return segment.value in member.declared_areas
    f = segment.filter
    return all((
        not f.get("languages") or member.language in f["languages"],
        not f.get("areas_any") or bool(set(f["areas_any"]) & set(member.declared_areas)),
        not f.get("clubs_any") or any(can_see(member, f"club:{c}") for c in f["clubs_any"]),
        not f.get("personas") or member.persona in f["personas"],
    ))


@dataclass(frozen=True)
class SegmentNames:
    """The display names :func:`segment_name` draws on, each ``{id: {lang: name}}``: clubs (from
    the database), personas (models/personas.yaml and accepted ones) and areas (the area model)."""

    clubs: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    personas: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    areas: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def segment_name(segment: Segment, lang: str, names: SegmentNames) -> str:
    """What people see for ``segment`` in ``lang`` ("IT Executive Club", "Alle Mitglieder",
    "Topic: Working environment 4.0"): the one naming used by the email, the editor console, the
    report and the CLI. A club, persona or area missing from ``names`` shows its id; a saved
    filter shows the name its editor gave it. Never a raw key such as ``club:it-executive``."""
    if segment.kind == "everyone":
        return segment_phrase("everyone", lang)
    if segment.kind == "filter":
        return segment_phrase("filter", lang, segment.name)
    table = {"club": names.clubs, "persona": names.personas, "area": names.areas}[segment.kind]
    value = segment.value or ""
    return segment_phrase(segment.kind, lang, area_display_name(table, value, lang))


__all__ = ["FILTER_CONDITIONS", "SegmentNames", "in_segment", "parse_segment", "segment_name"]

"""One member's digest: the sections of an issue they see, as a
:class:`~curator.rendering.DigestView` for the email templates.

Pure given its inputs: the issue, the items it draws from (:class:`IssueContent`, loaded once per
send run), the member's personal picks (from a :class:`~curator.newsletter.picks.MemberDirectory`)
and the member's links (signed by the feature layer). Who may see what comes from ONE function,
:func:`curator.profiles.access.visible_to`; composition applies it to every section, personal
picks included, and never decides visibility itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Final

from ..i18n import area_display_name, explanation
from ..profiles.access import visible_to
from ..rendering import Brand, DigestView, ItemView, SectionView
from ..rendering.labels import labels
from ..types import DigestIssue, Item, Member, ScoredItem
from .segments import SegmentNames, segment_name
from .texts import ISSUE_LANGUAGES, date_label, summary

PERSONAL_KINDS: Final = ("article", "member_news", "tender")
"""Item kinds a member's personal picks are drawn from; posts and events have sections of their own."""

KIND_SECTIONS: Final = (("posts", ("member_post",)), ("events", ("event",)))
"""Sections after the personal picks: (option and label key, item kinds), in this order."""


@dataclass(frozen=True)
class IssueContent:
    """The items an issue draws from: its pinned items in order, the removed ids, and the period's
    other items (digests only); with the title of each source for the "source" line."""

    pinned: tuple[Item, ...]
    removed: frozenset[int]
    candidates: tuple[Item, ...]
    source_titles: Mapping[str, str]


@dataclass(frozen=True)
class MemberLinks:
    """The links in one member's copy: ``item`` gives the URL they click for an item (a signed
    click-tracking URL only if they consented), the others their unsubscribe and preferences pages;
    ``open_pixel`` the signed tracking image, "" for a member without tracking consent; ``web``
    the member's "view in browser" link to the issue's web copy ("" in the web copy itself) and
    ``archive`` the list of all issues (in the web copy only)."""

    item: Callable[[Item], str]
    unsubscribe: str
    preferences: str
    open_pixel: str = ""
    web: str = ""
    archive: str = ""


def pinned_ids(issue: DigestIssue) -> list[int]:
    """Ids of the issue's pinned items, in the editor's order."""
    return [e.item_id for e in issue.entries if e.status == "pinned"]


def in_period(items: Sequence[Item], end: datetime | None) -> list[Item]:
    """The originals among ``items`` (copies of a story are left out) published by ``end``
    (None: no end)."""
    return [i for i in items if i.duplicate_of is None and (end is None or i.published <= end)]


def issue_content(issue: DigestIssue, pinned: Sequence[Item], period_items: Sequence[Item],
                  source_titles: Mapping[str, str]) -> IssueContent:
    """What ``issue`` draws from: the ``pinned`` items as loaded, and for a digest the
    ``period_items`` that the editor neither pinned nor removed (special newsletters and
    invitations carry their pinned items only)."""
    removed = frozenset(e.item_id for e in issue.entries if e.status == "removed")
    taken = set(pinned_ids(issue))
    candidates = (tuple(i for i in period_items if i.id not in removed and i.id not in taken)
                  if issue.kind == "digest" else ())
    return IssueContent(tuple(pinned), removed, candidates, dict(source_titles))


def member_language(member: Member) -> str:
    """The language of the member's copy: theirs if the issue has it, else English."""
    return member.language if member.language in ISSUE_LANGUAGES else "en"


def personal_pick_count(issue: DigestIssue) -> int:
    """How many personal picks each member's copy of ``issue`` gets (none outside digests)."""
    return int(issue.options.get("personal_picks", 5)) if issue.kind == "digest" else 0


def personal_candidates(issue: DigestIssue, member: Member, content: IssueContent) -> list[Item]:
    """The items the member's personal picks are chosen from: the period's articles that the
    member may see. Empty when the issue has no personal section."""
    if personal_pick_count(issue) <= 0:
        return []
    visible = visible_to(member)
    return [i for i in content.candidates if i.visibility in visible and i.kind in PERSONAL_KINDS]


def item_url(item: Item, base_url: str) -> str:
    """The item's own web address, or its page on this site when it has none (or not http/https)."""
    if item.url and re.match(r"^https?://", item.url, re.I):
        return item.url
    return f"{base_url.rstrip('/')}/items/{item.id}"


def pick_reason(item: Item, member: Member, lang: str, area_names: Mapping[str, Mapping[str, str]]) -> str:
    """"Why you see this" for a personal pick chosen without the ranking (which explains its own
    picks): the first of the member's declared areas the item is in, else the generic reason."""
    followed = [a for a in member.declared_areas if a in item.areas]
    if followed:
        return explanation("because", lang, a=explanation(
            "follow", lang, area=area_display_name(area_names, followed[0], lang)))
    return explanation("because", lang, a=explanation("fallback", lang))


def compose_view(issue: DigestIssue, member: Member, content: IssueContent, picks: Sequence[Item | ScoredItem],
                 *, links: MemberLinks, area_names: Mapping[str, Mapping[str, str]], tz: tzinfo,
                 segment_names: SegmentNames | None = None, brand: Brand | None = None,
                 lang: str | None = None) -> DigestView:
    """What ``member`` sees in ``issue``, in their language (or ``lang``, for the web copy), with
    only items they may see. Every personal pick says why the member sees it; the segment is
    named by :func:`~curator.newsletter.segments.segment_name` (``segment_names``; the area
    names alone when None); ``brand`` (default: :class:`~curator.rendering.Brand`) heads and
    signs the email.

    Sections, each left out when empty: the editor's picks (pinned, in order); for a digest the
    personal picks (``picks``, best first, without items already shown or not visible to the
    member, at most :func:`personal_pick_count`), then member posts and events of the period
    (at most ``options["posts"]`` / ``options["events"]`` each). No item appears twice.
    ``area_names`` maps an area id to its name per language; dates are shown in ``tz``."""
    lang = lang if lang in ISSUE_LANGUAGES else member_language(member)
    lab = labels(lang)
    brand = brand or Brand()
    visible = visible_to(member)

    def may_see(i: Item) -> bool:
        return i.visibility in visible

    def view(i: Item, why: str = "") -> ItemView:
        return ItemView(
            item_id=i.id, title=i.title, summary=summary(i), url=links.item(i),
            source=i.author or content.source_titles.get(i.source_id, i.source_id), why=why,
            areas=tuple(area_names.get(a, {}).get(lang, a) for a in i.areas),
            date=date_label(i.published.astimezone(tz), lang))

    sections = []
    editor_picks = [i for i in content.pinned if may_see(i)]
    if editor_picks:
        sections.append(SectionView("editor_picks", lab["editor_picks"], tuple(view(i) for i in editor_picks)))
    if issue.kind == "digest":
        shown = {i.id for i in editor_picks}
        personal: list[ItemView] = []
        wanted = personal_pick_count(issue)
        for pick in picks if wanted > 0 else ():
            item, why = ((pick.item, pick.explanation) if isinstance(pick, ScoredItem)
                         else (pick, pick_reason(pick, member, lang, area_names)))
            if item.id in shown or not may_see(item):  # defence in depth: the same rule again
                continue
            shown.add(item.id)
            personal.append(view(item, why))
            if len(personal) >= wanted:
                break
        if personal:
            sections.append(SectionView("personal", lab["personal"], tuple(personal)))
        visible_candidates = [i for i in content.candidates if may_see(i)]
        for key, kinds in KIND_SECTIONS:
            chosen = [i for i in visible_candidates if i.kind in kinds and i.id not in shown]
            chosen = chosen[: int(issue.options.get(key, 3))]
            if chosen:
                shown.update(i.id for i in chosen)
                sections.append(SectionView(key, lab[key], tuple(view(i) for i in chosen)))
    texts = issue.texts.get(lang) or issue.texts.get("en") or issue.texts.get("de") or {}
    return DigestView(
        lang=lang, subject=texts.get("subject") or lab["default_subject"],
        preheader=texts.get("preheader") or lab["default_preheader"], intro=texts.get("intro", ""),
        greeting=lab["greeting"].format(name=member.name.strip()),
        segment_name=segment_name(issue.segment, lang, segment_names or SegmentNames(areas=area_names)),
        sections=tuple(sections), unsubscribe_url=links.unsubscribe, preferences_url=links.preferences,
        web_url=links.web, footer=lab["why_footer"].format(cluster=brand.name), open_pixel_url=links.open_pixel,
        brand=brand, archive_url=links.archive)


__all__ = ["KIND_SECTIONS", "PERSONAL_KINDS", "IssueContent", "MemberLinks", "compose_view", "in_period",
           "issue_content", "item_url", "member_language", "pick_reason", "pinned_ids",
           "personal_candidates", "personal_pick_count"]

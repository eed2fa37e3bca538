"""What one member's digest shows, as plain values (the template's whole input).

Everything here is still unescaped text: the templates escape it (Jinja autoescape for HTML,
none needed for the plain-text part). URLs are checked to be http(s) before they get here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ItemView:
    item_id: int
    title: str
    summary: str
    url: str
    """The link the member clicks: the item's own URL, or a signed click-tracking URL for members
    who consented to tracking."""
    source: str
    areas: tuple[str, ...]
    """Area labels in the member's language."""
    date: str
    why: str = ""


@dataclass(frozen=True)
class SectionView:
    key: str  # editor_picks | personal | posts | events
    title: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class DigestView:
    lang: str
    subject: str
    preheader: str
    intro: str
    greeting: str
    segment_name: str
    sections: tuple[SectionView, ...]
    unsubscribe_url: str
    preferences_url: str
    web_url: str
    footer: str
    labels: dict[str, str] = field(default_factory=dict)
    open_pixel_url: str = ""
    """The signed 1x1 tracking image of a member with tracking consent; "" for everyone else."""

    @property
    def item_count(self) -> int:
        return sum(len(s.items) for s in self.sections)

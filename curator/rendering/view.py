"""What one member's digest shows, as plain values (the template's whole input).

Everything here is still unescaped text: the templates escape it (Jinja autoescape for HTML,
none needed for the plain-text part). URLs are checked to be http(s) before they get here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Brand:
    """Who sends the email, from the settings: the cluster's name, its colour (``#rrggbb``), an
    optional https logo, and the postal address and imprint that German commercial email must
    carry (one entry per line; empty when not configured, and ``curator doctor`` warns)."""

    name: str = "DigitalCluster"
    color: str = "#0b4f8a"
    logo_url: str = ""
    postal_address: tuple[str, ...] = ()
    imprint: tuple[str, ...] = ()

    @property
    def on_color(self) -> str:
        """A text colour readable on :attr:`color`: white on dark brand colours, near-black on
        light ones (WCAG relative luminance)."""
        r, g, b = (int(self.color[i:i + 2], 16) / 255 for i in (1, 3, 5))

        def lin(c: float) -> float:
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
        # contrast with white (1.05 / (L + 0.05)) against contrast with #1f2933 (L about 0.022)
        return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.072 else "#1f2933"


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
    """For a personal pick: a short "why you see this" in the member's language; "" otherwise."""


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
    """The member's "view in browser" link to this issue in the web archive; "" in the web copy itself."""
    footer: str
    labels: dict[str, str] = field(default_factory=dict)
    open_pixel_url: str = ""
    """The signed 1x1 tracking image of a member with tracking consent; "" for everyone else."""
    brand: Brand = field(default_factory=Brand)
    archive_url: str = ""
    """In the web copy: the link to the list of all issues; "" in the email."""

    @property
    def item_count(self) -> int:
        return sum(len(s.items) for s in self.sections)

"""Email rendering: MJML templates compiled once, filled per member with Jinja2, plus a plain-text twin.

Nothing here touches the database or the network; the digest content arrives as a
:class:`~curator.rendering.view.DigestView` built by the facade.
"""

from .templates import EmailRenderer, RenderedEmail
from .view import Brand, DigestView, ItemView, SectionView

__all__ = ["Brand", "DigestView", "EmailRenderer", "ItemView", "RenderedEmail", "SectionView"]

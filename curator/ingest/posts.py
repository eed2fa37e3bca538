"""Member posts: what makes a submission acceptable, and the item an approved post becomes.

Pure: no storage, no clock (``now`` is passed in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from curator.errors import InvalidInput
from curator.ingest.lang import detect_language
from curator.ingest.normalise import clean_text, web_link
from curator.ingest.plain_text import item_from_text
from curator.types import MemberPost, ParsedItem, Source

__all__ = ["MEMBER_POSTS_SOURCE", "PostDraft", "check_post", "post_item"]

MEMBER_POSTS_SOURCE = Source(id="member-posts", title="Member posts", url="https://curator.invalid/member-posts",
                             visibility="members", kind="member_post", enabled=False)
"""The internal source approved posts are published in (never fetched: ``enabled=False``)."""

MAX_TITLE_CHARS = 300
MIN_TEXT_CHARS = 20
MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class PostDraft:
    """A submission that passed :func:`check_post`: cleaned, stripped, blanks as None, language set."""

    title: str
    text: str
    link: str | None
    author_name: str
    author_email: str | None
    organisation: str | None
    lang: str | None
    visibility: str


def check_post(*, title: str, text: str, author_name: str, author_email: str | None = None,
               organisation: str | None = None, link: str | None = None, lang: str | None = None,
               visibility: str = "members") -> PostDraft:
    """Check a member's submission and return it cleaned.

    Rules: a title of 1-300 characters, a text of 20-20,000 characters (after cleaning and
    stripping), an author name, a link (optional; a web link as
    :func:`~curator.ingest.normalise.web_link` defines it, for feeds and imports too), ``lang``
    de, en or None (None: detected from title and text), visibility ``public``, ``members`` or
    ``club:<club-id>``. Raises InvalidInput listing every problem at once, so the member can fix
    them in one go.
    """
    title, text = clean_text(title or "").strip(), clean_text(text or "").strip()
    problems = []
    if not title:
        problems.append("the title is empty")
    elif len(title) > MAX_TITLE_CHARS:
        problems.append("the title is longer than 300 characters")
    if len(text) < MIN_TEXT_CHARS:
        problems.append("the text is shorter than 20 characters")
    elif len(text) > MAX_TEXT_CHARS:
        problems.append("the text is longer than 20,000 characters")
    if not (author_name or "").strip():
        problems.append("the author's name is missing")
    link = (link or "").strip() or None
    if link is not None:
        link = web_link(link)  # the rule every item link follows, feeds and imports alike
        if link is None:
            problems.append("the link must be a web address starting with http:// or https://")
    if lang is not None and lang not in ("de", "en"):
        problems.append("the language must be de or en")
    if not re.match(r"^(public|members|club:[a-z0-9-]+)$", visibility):
        problems.append("visibility must be public, members or club:<club-id>")
    if problems:
        raise InvalidInput("the post cannot be submitted: " + "; ".join(problems))
    return PostDraft(
        title=title, text=text, link=link, author_name=author_name.strip(),
        author_email=(author_email or "").strip() or None, organisation=(organisation or "").strip() or None,
        lang=lang or detect_language(f"{title}\n{text}"), visibility=visibility,
    )


def post_item(post: MemberPost, *, published: datetime) -> ParsedItem:
    """The item an approved post becomes in :data:`MEMBER_POSTS_SOURCE`: key ``post:<id>``, the
    author shown as "name · organisation", dated ``published`` (the moment of approval)."""
    return item_from_text(
        key=f"post:{post.id}", title=post.title, text=post.text, link=post.link,
        author=" · ".join(x for x in (post.author_name, post.organisation) if x), lang=post.lang,
        published=published,
    )

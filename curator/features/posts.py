"""Member posts: submission, the editors' decision, publication (``curator.posts`` on the root).

What a valid post is and the item an approved post becomes are decided in
:mod:`curator.ingest.posts`; this class stores the outcome.
"""

from __future__ import annotations

import builtins

from curator.clock import Clock
from curator.errors import InvalidInput
from curator.ingest.posts import MEMBER_POSTS_SOURCE, check_post, post_item
from curator.storage import Store
from curator.types import MemberPost

__all__ = ["Posts"]


class Posts:
    """A member's post waits as ``pending`` until an editor approves it (it becomes an item of the
    "member posts" source) or rejects it with a reason the member can read."""

    def __init__(self, storage: Store, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    def submit(self, *, title: str, text: str, author_name: str, author_email: str | None = None,
               organisation: str | None = None, link: str | None = None, lang: str | None = None,
               visibility: str = "members") -> MemberPost:
        """A member submits a post; it stays ``pending`` until an editor decides. Raises
        InvalidInput listing every problem (see :func:`curator.ingest.posts.check_post`)."""
        draft = check_post(title=title, text=text, author_name=author_name, author_email=author_email,
                           organisation=organisation, link=link, lang=lang, visibility=visibility)
        return self._storage.add_post(
            title=draft.title, text=draft.text, link=draft.link, author_name=draft.author_name,
            author_email=draft.author_email, organisation=draft.organisation, lang=draft.lang,
            visibility=draft.visibility, now=self._clock.now())

    def list(self, status: str | None = None, limit: int = 100) -> builtins.list[MemberPost]:
        """Posts in ``status`` (every status when None), newest submission first, at most ``limit``."""
        return self._storage.list_posts(status, limit)

    def approve(self, post_id: int, *, editor: str) -> MemberPost:
        """Publish a pending post as an item of the "member posts" source. Raises NotFound for an
        unknown id, WorkflowError when the post was already decided."""
        post = self._storage.get_post(post_id)
        now = self._clock.now()
        self._storage.ensure_internal_source(MEMBER_POSTS_SOURCE, now)
        return self._storage.decide_post(post_id, approve=True, editor=editor, reason=None, now=now,
                                         item_source=MEMBER_POSTS_SOURCE, item=post_item(post, published=now))

    def reject(self, post_id: int, *, editor: str, reason: str) -> MemberPost:
        """Reject a pending post. ``reason`` is shown to the member and must not be blank (else
        InvalidInput); WorkflowError when the post was already decided."""
        if not (reason or "").strip():
            raise InvalidInput("a rejection needs a reason the member can read")
        return self._storage.decide_post(post_id, approve=False, editor=editor, reason=reason.strip(),
                                         now=self._clock.now())

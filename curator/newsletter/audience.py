"""Who gets an issue: the recipient list when sending starts, and the re-check of each member
when their turn comes (a member may unsubscribe, leave a club or change address meanwhile)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta, tzinfo

from ..types import DigestIssue, Member, Segment
from .segments import in_segment


def mailbox_key(address: str | None) -> str:
    """The comparison key of a mailbox: ``Foo@X.org`` and ``foo@x.org `` are one mailbox."""
    return (address or "").strip().lower()


def recipients(members: Iterable[Member], segment: Segment, *, suppressed_mailboxes: Collection[str],
               suppressed_members: Collection[int]) -> list[Member]:
    """Members in ``segment`` whose mailbox and id are not suppressed, one per mailbox (the one
    with the lowest member id), in member id order. Members without an address are left out.
    ``suppressed_mailboxes`` holds :func:`mailbox_key` values."""
    seen: set[str] = set()
    out: list[Member] = []
    for m in sorted(members, key=lambda m: m.id):
        key = mailbox_key(m.email)
        if (not key or key in seen or key in suppressed_mailboxes or m.id in suppressed_members
                or not in_segment(m, segment)):
            continue
        seen.add(key)
        out.append(m)
    return out


def skip_reason(member: Member | None, frozen_email: str | None, segment: Segment, *,
                unsubscribed: bool) -> str | None:
    """Why the delivery frozen for ``frozen_email`` must not go to ``member`` now (None: send it).

    ``member`` is the member as they are at send time (None: deleted meanwhile); ``unsubscribed``
    whether newsletter mail to them is suppressed now. The first reason that applies wins:
    gone, unsubscribed, out of the segment, address changed."""
    if member is None:
        return "the member no longer exists"
    if unsubscribed:
        return "unsubscribed before their turn"
    if not in_segment(member, segment):
        return "no longer in the issue's segment"
    if mailbox_key(member.email) != mailbox_key(frozen_email):
        return "the member's address changed after the recipients were frozen"
    return None


def frequency_skip(member: Member, kind: str, last_digest_sent: datetime | None, now: datetime,
                   tz: tzinfo) -> str | None:
    """Why the member's digest frequency leaves them out of an issue of ``kind`` sent ``now``
    (None: it does not).

    Frequency is about the digest only: special newsletters and invitations go to everyone in
    their segment who has not unsubscribed. ``never``: no digest. ``monthly``: the first digest
    sent to them in each calendar month of the cluster's time zone ``tz``, i.e. none when
    ``last_digest_sent`` (their newest sent digest) falls in the month of ``now``; a month
    without a digest for their segment simply starts with the next one. ``weekly``: every issue."""
    if kind != "digest" or member.digest_frequency == "weekly":
        return None
    if member.digest_frequency == "never":
        return "the member chose to receive no digest"
    if last_digest_sent is not None:
        last, current = last_digest_sent.astimezone(tz), now.astimezone(tz)
        if (last.year, last.month) == (current.year, current.month):
            return "the member chose a monthly digest and already got this month's"
    return None


def week_start(now: datetime, tz: tzinfo) -> datetime:
    """Monday 00:00 of the calendar week ``now`` falls in, in the cluster's time zone ``tz``."""
    local = now.astimezone(tz)
    monday = (local - timedelta(days=local.weekday())).date()
    return datetime(monday.year, monday.month, monday.day, tzinfo=tz)


def _subject_key(issue: DigestIssue, lang: str) -> str:
    texts = issue.texts.get(lang) or issue.texts.get("en") or issue.texts.get("de") or {}
    return " ".join((texts.get("subject") or "").split()).casefold()


def repeated_subject(issue: DigestIssue, lang: str, sent_this_week: Iterable[DigestIssue]) -> str | None:
    """Why a member who reads ``lang`` must not get digest ``issue``: one of the digests sent to
    them this calendar week (``sent_this_week``; ``issue`` itself is ignored) had the same
    subject in their language, ignoring case and spacing. None: send it.

    A member may be in several segments (everyone, their clubs); each segment's digest names
    its segment in the default subject, so they get one email per segment and can tell them
    apart. An editor who gives two digests the same subject makes them one email: the first
    sent reaches the member, the other skips them (docs/design-notes.md, "One subject per member
    and week")."""
    if issue.kind != "digest":
        return None
    mine = _subject_key(issue, lang)
    for other in sent_this_week:
        if other.id != issue.id and other.kind == "digest" and _subject_key(other, lang) == mine:
            return f"already got a digest with this subject this week (issue {other.id})"
    return None


__all__ = ["frequency_skip", "mailbox_key", "recipients", "repeated_subject", "skip_reason", "week_start"]

"""Demo stage for members, clubs, feedback and personalised recommendations.

Called by ``curator.demo.run`` after items are collected (and tagged, if the tagger ran).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ..errors import CuratorError
from ..profiles.access import can_see
from ..resources import package_path
from ..types import ItemQuery

MEMBERS_FILE = package_path("curator.demo", "members.csv")
DEMO_EDITOR = "community@cluster.example"


def run_members_stage(cur: Any, echo: Callable[[str], None], figures: dict[str, Any]) -> None:
    """Import the demo members (granting the clubs the CRM lists, vouched for by the demo editor),
    create the three clubs, simulate a little feedback and print two members' feeds."""
    clubs = cur.members.ensure_clubs()
    echo(f"\nMembers and personalised feeds: clubs {', '.join(c.name for c in clubs)}")
    if not MEMBERS_FILE.exists():
        echo(f"   {MEMBERS_FILE.name} is not bundled yet; skipping members and recommendations")
        figures["members"] = 0
        return
    res = cur.members.import_file(MEMBERS_FILE.read_text(encoding="utf-8"), fmt="csv", grant_clubs_by=DEMO_EDITOR)
    echo(f"   {res.new} new, {res.updated} updated, {res.unchanged} unchanged members; "
         f"{res.clubs_granted} club memberships granted by {DEMO_EDITOR}")
    for _, message in res.errors[:5]:
        echo(f"   ! {message}")
    members = cur.members.list()
    figures["members"] = len(members)
    figures["club_memberships"] = len(cur.members.club_memberships())

    # a little behaviour: each member rates a few items of the areas they follow, hides one other
    items = cur.items.list(ItemQuery(limit=100_000))
    rng = random.Random(4)
    stored = 0
    for m in members:
        visible = [i for i in items if can_see(m, i.visibility)]
        liked = [i for i in visible if set(i.areas) & set(m.declared_areas)]
        other = [i for i in visible if i.areas and not set(i.areas) & set(m.declared_areas)]
        for item in rng.sample(liked, min(2, len(liked))):
            try:
                stored += cur.feedback.record(m.email, item.id, "rating", value=5)
                stored += cur.feedback.record(m.email, item.id, "click")
            except CuratorError as exc:
                echo(f"   ! feedback of {m.email}: {exc}")
        if other and rng.random() < 0.5:
            stored += cur.feedback.record(m.email, rng.choice(other).id, "hide")
    figures["feedback_events"] = stored
    echo(f"   {stored} feedback events recorded (views/clicks only for members with tracking consent)")

    # two members' feeds: one in a closed club, one not
    in_club = next((m for m in members if "it-executive" in m.clubs), members[0] if members else None)
    outside = next((m for m in members if not m.clubs and m is not in_club), None)
    shown = 0
    for m in (x for x in (in_club, outside) if x is not None):
        recs = cur.feeds.recommend(m, limit=5)
        clubs_txt = ", ".join(sorted(m.clubs)) or "no club"
        echo(f"\n   Feed of {m.name} ({m.persona or 'no persona'}, {m.language}, {clubs_txt}):")
        for n, r in enumerate(recs, start=1):
            restricted = f" [{r.item.visibility}]" if r.item.visibility.startswith("club:") else ""
            echo(f"   {n}. {r.item.title[:80]}{restricted}")
            echo(f"      {r.explanation}")
        shown += len(recs)
    figures["recommended"] = shown

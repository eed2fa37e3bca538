"""RELIABILITY W07/W08 for ranking: over random members, clubs and items, no restricted item (or
its title, as a canary) reaches anyone outside its club through any member-facing surface of the
members facade: recommendations, explanations, feedback."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import make_curator
from curator.errors import NotFound
from curator.profiles.access import visible_to

CLUBS = ["it-executive", "womens-club", "agile-hr"]
VIS = ["public", "members", *(f"club:{c}" for c in CLUBS)]
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

people = st.lists(st.tuples(st.sampled_from(["member", "registered"]), st.frozensets(st.sampled_from(CLUBS)),
                            st.sampled_from(["de", "en"]), st.booleans()), min_size=2, max_size=6)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=people, item_vis=st.lists(st.sampled_from(VIS), min_size=3, max_size=14),
       likes=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 13)), max_size=10),
       revoke=st.booleans())
def test_restricted_items_never_leak(people: list[tuple[str, frozenset[str], str, bool]], item_vis: list[str],
                                     likes: list[tuple[int, int]], revoke: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Settings(database_url=f"sqlite:///{Path(tmp) / 'x.db'}", feeds_file=str(Path(tmp) / "f.yaml"),
                       encoder="fake", outbox_dir=str(Path(tmp) / "out"))
        cur = make_curator(cfg, clock=FixedClock(T0))
        try:
            cur.members.ensure_clubs()
            rows = ["email,name,organisation,language,clubs,areas,interests,persona,tracking_consent,membership"]
            for n, (status, clubs, lang, consent) in enumerate(people):
                rows.append(f"p{n}@x.example,P{n},Org{n % 2},{lang},{';'.join(sorted(clubs))},work,"
                            f"digital work,hr-lead,{str(consent).lower()},{status}")
            res = cur.members.import_file("\n".join(rows), fmt="csv", grant_clubs_by="editor")
            assert res.new == len(people)
            published = (T0 - timedelta(hours=5)).isoformat()
            cur.items.import_jsonl([json.dumps({"id": k, "title": f"CANARY-{v}-{k} digital work", "lang": "en",
                                          "text": "digital work and skills " * 10, "published": published})
                              for k, v in enumerate(item_vis)])
            items = sorted(cur.items.list(), key=lambda i: i.id)
            for item, v in zip(items, item_vis, strict=True):
                cur.storage.set_item_visibility(item.id, v)
                cur.storage.set_item_areas(item.id, {"work": 0.9}, T0)
            # members like items they can see (and try ones they cannot)
            for who, which in likes:
                if who >= len(people) or which >= len(items):
                    continue
                email, item = f"p{who}@x.example", items[which]
                member = cur.members.get(email)
                if item_vis[which] in visible_to(member):
                    cur.feedback.record(email, item.id, "rating", value=5)
                else:
                    with pytest.raises(NotFound):
                        cur.feedback.record(email, item.id, "rating", value=5)
            if revoke:  # club memberships end after the feedback was given
                for g in cur.members.club_memberships():
                    cur.members.revoke_club(g.member_email, g.club_id, editor="editor")
            feeds = cur.feeds.recommend_many(None, limit=20)
            by_id = {m.id: m for m in cur.members.list()}
            for member_id, recs in feeds.items():
                member = by_id[member_id]
                email = member.email
                allowed = visible_to(member)
                for r in recs:
                    assert r.item.visibility in allowed
                    for v in set(VIS) - allowed:
                        assert f"CANARY-{v}-" not in r.explanation, (email, r.explanation)
                # everything visible and unseen is offered
                seen = {f.event.item_id for f in cur.storage.feedback([member.id])}
                expected = {i.id for i, v in zip(items, item_vis, strict=True) if v in allowed} - seen
                assert {r.item.id for r in recs} == set(sorted(expected)[:20]) or len(recs) == 20
        finally:
            cur.close()

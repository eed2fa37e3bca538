"""The editor's digest workbench through the web app (no JavaScript): candidates ranked for the
segment, search and filters, adding by one click, reordering that returns to the moved entry's
anchor, texts per language, a test send, recipients per language, the confirmation before
"Send now", pause, resume and cancel, times in the cluster's time zone, error pages with a way
back. Real storage (SQLite, PostgreSQL when configured); newsletter mail goes to the outbox."""

from __future__ import annotations

import email
import re
from email.policy import default as default_policy
from pathlib import Path

from flask.testing import FlaskClient

from curator.types import DigestIssue

from .conftest import ALICE, ANNA, BOB, EDITOR, WebWorld, csrf_of


def _draft(world: WebWorld, ed: FlaskClient, segment: str = "everyone") -> tuple[int, str]:
    tok = csrf_of(ed, "/editor/digests")
    r = ed.post("/editor/digests", data={"csrf_token": tok, "segment": segment})
    assert r.status_code == 302
    return int(r.headers["Location"].rstrip("/").split("/")[-1]), tok


def _pins(world: WebWorld, issue_id: int) -> list[int]:
    issue = world.cur.digests.get(issue_id)
    return [e.item_id for e in sorted(issue.entries, key=lambda e: e.position) if e.status == "pinned"]


def _page(ed: FlaskClient, issue_id: int, query: str = "") -> str:
    r = ed.get(f"/editor/digests/{issue_id}{query}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _candidate_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'id="cand-(\d+)"', html)]


def test_candidates_are_ranked_for_the_segment_and_added_by_one_click(world: WebWorld) -> None:
    cur = world.cur
    ed = world.client(EDITOR)
    issue_id, tok = _draft(world, ed)
    html = _page(ed, issue_id)
    assert 'inputmode="numeric"' not in html  # no typing of item ids any more
    listed = _candidate_ids(html)
    pinned = _pins(world, issue_id)
    assert listed and not set(listed) & set(pinned)
    # everyone's digest: no club item among the candidates
    assert world.items["club"] not in listed
    assert [c.item.id for c in cur.digests.candidates(issue_id, limit=30)] == listed

    # the members' stored feeds rank the candidates: what they rank high comes first
    cur.feeds.refresh(rebuild=True)
    ranked = cur.digests.candidates(issue_id, limit=30)
    assert ranked[0].sampled >= 1 and ranked[0].reach >= 1
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    html = _page(ed, issue_id)
    assert _candidate_ids(html) == [c.item.id for c in ranked]
    assert f"near the top for {ranked[0].reach} of {ranked[0].sampled} members" in html

    # area and language filters
    work = _candidate_ids(_page(ed, issue_id, "?area=work"))
    assert work and all("work" in i.areas for i in cur.items.get_many(work))
    german = _candidate_ids(_page(ed, issue_id, "?lang=de"))
    assert german and all(i.lang == "de" for i in cur.items.get_many(german))

    # the search box searches everything (editors curate club content too)
    found = _candidate_ids(_page(ed, issue_id, "?q=Club+secret"))
    assert world.items["club"] in found

    # one click adds a candidate at the end; the page returns to it, the search kept
    target = world.items["club"]
    r = ed.post(f"/editor/digests/{issue_id}/items", data={"csrf_token": tok, "op": "add", "item": str(target),
                                                            "q": "Club secret"})
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/editor/digests/{issue_id}?q=Club+secret#entry-{target}")
    assert _pins(world, issue_id) == [*pinned, target]
    html = _page(ed, issue_id, "?q=Club+secret")
    assert f'id="entry-{target}"' in html and target not in _candidate_ids(html)


def test_reordering_without_javascript_returns_to_the_moved_entry(world: WebWorld) -> None:
    ed = world.client(EDITOR)
    issue_id, tok = _draft(world, ed)
    a, b, c, d = (world.items[f"pub-{n}"] for n in range(4))
    ed.post(f"/editor/digests/{issue_id}/items", data={"csrf_token": tok, "op": "set", "item": f"{a},{b},{c},{d}"})

    def change(op: str, item: int, **extra: str) -> str:
        r = ed.post(f"/editor/digests/{issue_id}/items",
                    data={"csrf_token": tok, "op": op, "item": str(item), "area": "work", **extra})
        assert r.status_code == 302, r.get_data(as_text=True)
        return r.headers["Location"]

    location = change("up", c)
    assert location.endswith(f"/editor/digests/{issue_id}?area=work#entry-{c}")  # the filters stay too
    assert _pins(world, issue_id) == [a, c, b, d]
    assert change("down", a).endswith(f"#entry-{a}")
    assert _pins(world, issue_id) == [c, a, b, d]
    assert change("move", d, position="1").endswith(f"#entry-{d}")
    assert _pins(world, issue_id) == [d, c, a, b]
    change("move", d, position="99")  # beyond the end: the end
    assert _pins(world, issue_id) == [c, a, b, d]
    html = _page(ed, issue_id, "?area=work")
    # the anchor the redirect names exists on the page, and the entries are listed in order
    assert [int(x) for x in re.findall(r'<li id="entry-(\d+)" class="entry">', html)] == [c, a, b, d]
    # a bad position is refused and changes nothing; the error page leads back
    r = ed.post(f"/editor/digests/{issue_id}/items", data={"csrf_token": tok, "op": "move", "item": str(c),
                                                            "position": "0"},
                headers={"Referer": f"http://localhost/editor/digests/{issue_id}"})
    assert r.status_code == 400
    assert f'href="/editor/digests/{issue_id}"' in r.get_data(as_text=True)
    assert _pins(world, issue_id) == [c, a, b, d]
    # remove, then take it back in
    assert change("remove", a).endswith("#picks")
    assert _pins(world, issue_id) == [c, b, d]
    assert change("restore", a).endswith(f"#entry-{a}")
    assert _pins(world, issue_id) == [c, b, d, a]


def test_subject_preheader_and_intro_per_language(world: WebWorld) -> None:
    cur = world.cur
    ed = world.client(EDITOR)
    issue_id, tok = _draft(world, ed)
    before = cur.digests.get(issue_id).texts
    r = ed.post(f"/editor/digests/{issue_id}/texts", data={
        "csrf_token": tok, "text_lang": "de", "subject": "Digitale Woche", "preheader": "KI-Labor für den Mittelstand",
        "intro": "Diese Woche: ein KI-Labor.", "lang": "en"})
    # back to the German texts, with the candidate list still filtered as it was (English)
    assert r.status_code == 302 and r.headers["Location"] == f"/editor/digests/{issue_id}?lang=en#texts-de"
    texts = cur.digests.get(issue_id).texts
    assert texts["de"] == {"subject": "Digitale Woche", "preheader": "KI-Labor für den Mittelstand",
                           "intro": "Diese Woche: ein KI-Labor."}
    assert texts["en"] == before["en"]
    html = _page(ed, issue_id)
    assert 'id="pre-de" name="preheader" value="KI-Labor für den Mittelstand"' in html
    # the preheader reaches the German copy
    assert "KI-Labor für den Mittelstand" in cur.digests.render_for(issue_id, world.member_ids[ANNA]).html
    # an emptied preheader is stored empty (not ignored); an empty subject is refused
    ed.post(f"/editor/digests/{issue_id}/texts", data={"csrf_token": tok, "text_lang": "de", "subject": "Digitale Woche",
                                                        "preheader": "", "intro": ""})
    assert cur.digests.get(issue_id).texts["de"]["preheader"] == ""
    r = ed.post(f"/editor/digests/{issue_id}/texts", data={"csrf_token": tok, "text_lang": "en", "subject": " "})
    assert r.status_code == 400 and cur.digests.get(issue_id).texts["en"] == before["en"]


def test_test_send_goes_to_the_editor_and_counts_for_nothing(world: WebWorld) -> None:
    cur = world.cur
    ed = world.client(EDITOR)
    issue_id, tok = _draft(world, ed)
    outbox = Path(cur.settings.outbox_dir)
    r = ed.post(f"/editor/digests/{issue_id}/test", data={"csrf_token": tok, "lang": "de"})
    assert r.status_code == 302 and r.headers["Location"].endswith("#test-send")
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 1
    msg = email.message_from_bytes(files[0].read_bytes(), policy=default_policy)
    assert msg["To"].addresses[0].addr_spec == EDITOR
    subject = cur.digests.get(issue_id).texts["de"]["subject"]
    assert msg["Subject"] == f"[Test] {subject}"
    # not a delivery, not in the report, nothing shown to anybody
    assert cur.digests.delivery_counts(issue_id) == {}
    assert cur.digests.report(issue_id).total.sent == 0
    assert cur.digests.get(issue_id).state == "draft"
    assert all(not cur.digests.shown_to(m) for m in cur.members.list())
    assert "Test sent" in _page(ed, issue_id)


def test_recipients_per_language_and_send_now_needs_confirmation(world: WebWorld) -> None:
    cur = world.cur
    ed = world.client(EDITOR)
    issue_id, tok = _draft(world, ed)
    expected = {"de": 0, "en": 0}
    for m in cur.digests.recipients(issue_id):
        expected["de" if m.language == "de" else "en"] += 1
    assert expected["de"] >= 1 and expected["en"] >= 2
    html = _page(ed, issue_id)
    assert f'id="audience-de">{expected["de"]}<' in html and f'id="audience-en">{expected["en"]}<' in html
    assert 'id="send-digest"' not in html  # not approved: nothing to send yet
    ed.post(f"/editor/digests/{issue_id}/approve", data={"csrf_token": tok})
    html = _page(ed, issue_id)
    assert f'href="/editor/digests/{issue_id}/send"' in html

    confirm = ed.get(f"/editor/digests/{issue_id}/send").get_data(as_text=True)
    assert f'id="confirm-total">{sum(expected.values())}<' in confirm and 'name="confirm"' in confirm
    # without the box ticked (a form sent without the browser's check): nothing is sent
    r = ed.post(f"/editor/digests/{issue_id}/send", data={"csrf_token": tok})
    assert r.status_code == 400 and "Nothing was sent" in r.get_data(as_text=True)
    assert cur.digests.get(issue_id).state == "approved" and cur.digests.delivery_counts(issue_id) == {}
    # without CSRF: refused too
    assert ed.post(f"/editor/digests/{issue_id}/send", data={"confirm": "yes"}).status_code == 400
    assert cur.digests.delivery_counts(issue_id) == {}
    r = ed.post(f"/editor/digests/{issue_id}/send", data={"csrf_token": tok, "confirm": "yes"})
    assert r.status_code == 302 and r.headers["Location"].endswith("#workflow")
    assert cur.digests.get(issue_id).state in ("sent", "partially_sent")
    assert cur.digests.delivery_counts(issue_id).get("sent", 0) == sum(expected.values())


def test_pause_resume_and_cancel_on_the_web(world: WebWorld) -> None:
    cur = world.cur
    ed = world.client(EDITOR)
    issue_id, tok = _draft(world, ed)
    ed.post(f"/editor/digests/{issue_id}/approve", data={"csrf_token": tok})
    r = ed.post(f"/editor/digests/{issue_id}/schedule", data={"csrf_token": tok, "at": "2026-11-23T08:00"})
    assert r.status_code == 302 and cur.digests.get(issue_id).state == "scheduled"
    html = _page(ed, issue_id)
    assert 'id="cancel-digest"' in html and 'id="pause-digest"' not in html
    # cancel needs the confirmation box, checked on the server
    r = ed.post(f"/editor/digests/{issue_id}/cancel", data={"csrf_token": tok})
    assert r.status_code == 400 and cur.digests.get(issue_id).state == "scheduled"
    r = ed.post(f"/editor/digests/{issue_id}/cancel", data={"csrf_token": tok, "confirm": "yes"})
    assert r.status_code == 302 and cur.digests.get(issue_id).state == "cancelled"
    html = _page(ed, issue_id)
    assert 'id="cancel-digest"' not in html and 'id="send-digest"' not in html and 'id="approve-digest"' not in html
    assert 'id="no-actions"' in html and 'id="candidates"' not in html  # nothing to do, nothing to edit

    # a send that is under way: pause, then resume
    other, _ = _draft(world, ed, "club:it-executive")
    cur.digests.approve(other, editor=EDITOR)
    cur.digests.send(other, should_stop=lambda: True)  # starts sending, stops before the first batch
    assert cur.digests.get(other).state == "sending"
    html = _page(ed, other)
    assert 'id="pause-digest"' in html and 'id="cancel-digest"' not in html
    assert ed.post(f"/editor/digests/{other}/pause", data={"csrf_token": tok}).status_code == 302
    assert cur.digests.get(other).state == "paused"
    assert 'id="resume-digest"' in _page(ed, other)
    assert ed.post(f"/editor/digests/{other}/resume", data={"csrf_token": tok}).status_code == 302
    assert cur.digests.get(other).state == "sending"
    # an action the state does not allow: an error page that leads back
    r = ed.post(f"/editor/digests/{other}/cancel", data={"csrf_token": tok, "confirm": "yes"},
                headers={"Referer": f"http://localhost/editor/digests/{other}"})
    assert r.status_code == 409 and f'href="/editor/digests/{other}"' in r.get_data(as_text=True)
    assert cur.digests.get(other).state == "sending"


def test_times_are_shown_in_the_clusters_time_zone(world: WebWorld) -> None:
    cur = world.cur
    assert cur.settings.timezone == "Europe/Berlin"
    ed = world.client(EDITOR)
    issue_id, tok = _draft(world, ed)
    ed.post(f"/editor/digests/{issue_id}/approve", data={"csrf_token": tok})
    ed.post(f"/editor/digests/{issue_id}/schedule", data={"csrf_token": tok, "at": "2026-11-23T08:00"})
    issue: DigestIssue = cur.digests.get(issue_id)
    assert issue.scheduled_for is not None and issue.scheduled_for.utcoffset() is not None
    assert (issue.scheduled_for.hour, issue.scheduled_for.utcoffset().total_seconds()) in ((7, 0), (8, 3600))
    html = _page(ed, issue_id)
    assert re.search(r'id="scheduled-for">23 Nov 2026 08:00 CET<', html)
    assert 'value="2026-11-23T08:00"' in html  # the form shows the time it was given
    # summer time: CEST
    ed.post(f"/editor/digests/{issue_id}/schedule", data={"csrf_token": tok, "at": "2027-07-01T10:30"})
    assert re.search(r'id="scheduled-for">01 Jul 2027 10:30 CEST<', _page(ed, issue_id))


def test_workbench_is_for_editors_and_error_pages_are_no_dead_ends(world: WebWorld) -> None:
    ed = world.client(EDITOR)
    issue_id, _ = _draft(world, ed)
    bob = world.client(BOB)
    tok = csrf_of(bob, "/")
    for path in ("items", "test", "send", "pause", "resume", "cancel"):
        assert bob.post(f"/editor/digests/{issue_id}/{path}", data={"csrf_token": tok}).status_code == 403
    assert bob.get(f"/editor/digests/{issue_id}/send").status_code == 403
    missing = ed.get("/editor/digests/999999")
    assert missing.status_code == 404 and 'href="/editor/"' in missing.get_data(as_text=True)
    assert 'id="error-home" href="/"' in world.client(ALICE).get("/no/such/page").get_data(as_text=True)

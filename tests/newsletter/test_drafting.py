"""Drafts that are never empty: the worker drafts every configured segment, each over the time
since its last sent issue, and a thin draft warns the editor; a member in several segments gets
one email per subject and week and never the same item twice; the web feed marks what a digest
already brought."""

from __future__ import annotations

import re
from datetime import timedelta

from click.testing import CliRunner

from curator import jobs
from curator.cli import main
from curator.core import Curator
from curator.delivery import SmtpSender
from curator.web import create_app
from tests.delivery.sink import Received, SmtpSink

from .world import EDITOR, SECRET, World, _parsed

BASE = "https://curator.example"
PASSWORD = "a long test password 42"


def _smtp(sink: SmtpSink) -> SmtpSender:
    return SmtpSender("127.0.0.1", sink.port, security="none")


def _send(cur: Curator, issue_id: int, sink: SmtpSink) -> None:
    cur.digests.approve(issue_id, editor=EDITOR)
    report = cur.digests.send(issue_id, sender=_smtp(sink))
    assert report.failed == 0 and report.uncertain == 0, report


def _titles(mail: Received) -> set[str]:
    return set(re.findall(r"(?:Public article \d+|Members briefing on funding|Confidential CIO round table \S+)",
                          mail.text()))


def _more_news(cur: Curator, public: int, club: int) -> None:
    """More articles of the last days, public and for the IT Executive Club: the world's ten items
    fill one digest, and a member in two segments needs enough for two."""
    now = cur.clock.now()
    sources = {h.source.id: h.source for h in cur.storage.source_health()}
    for n in range(public + club):
        src = sources["news"] if n < public else sources["itexec-briefing"]
        title = f"Public article {n + 10} on platforms" if n < public else f"Confidential CIO round table {n}"
        res = cur.storage.upsert_items(src, [_parsed(f"more-{n}", title, f"Body of article {n}. " * 5,
                                                     f"https://more.example/{n}", now - timedelta(days=2, hours=n))],
                                       now)
        cur.storage.set_item_areas(res.new_ids[0], {"technology": 0.9}, now)


def _signed_in(cur: Curator, email: str, role: str):  # type: ignore[no-untyped-def]
    cur.accounts.create(email, role=role, password=PASSWORD)
    client = create_app(cur, testing=True).test_client()
    page = client.get("/auth/login", base_url=BASE).get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post("/auth/password", data={"email": email, "password": PASSWORD, "csrf_token": csrf},
                    base_url=BASE, headers={"Referer": f"{BASE}/auth/login"})
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def test_the_weekly_job_drafts_everyone_and_each_club_over_the_time_since_the_last_issue(
        cur: Curator, world: World, sink: SmtpSink) -> None:
    now = cur.clock.now()
    drafted = jobs.draft_weekly_digests(cur)["issues"]
    everyone, club = (cur.digests.get(i) for i in drafted)
    assert (everyone.segment.key, club.segment.key) == ("everyone", "club:it-exec")
    # a segment's first issue looks back a month
    assert everyone.period_start == now - timedelta(days=30) and everyone.period_end == now
    # subjects tell the two apart; the club's own article is the club digest's first pick
    assert everyone.texts["en"]["subject"] != club.texts["en"]["subject"]
    assert "IT Executive Club" in club.texts["en"]["subject"] and "IT Executive Club" in club.texts["de"]["subject"]
    assert club.entries[0].item_id == world.items["club-1"]
    _send(cur, everyone.id, sink)

    cur.clock.advance(days=10)  # type: ignore[attr-defined]
    nxt = cur.digests.get(jobs.draft_weekly_digests(cur)["issues"][0])
    assert nxt.id != everyone.id and nxt.period_start == everyone.period_end  # from where the last one ended
    # the club's digest was never sent: it still looks back a month
    assert cur.digests.get(jobs.draft_weekly_digests(cur)["issues"][1]).period_start == cur.clock.now() - timedelta(
        days=30)
    # nothing the last issue pinned is pinned again, though its items are still in the window
    assert not {e.item_id for e in nxt.entries} & {e.item_id for e in everyone.entries}

    cur.clock.advance(days=3)  # type: ignore[attr-defined]
    soon = cur.digests.draft("everyone", period="soon")
    assert soon.period_start == everyone.period_end  # nxt is not sent yet: from where `everyone` ended
    _send(cur, nxt.id, sink)
    sooner = cur.digests.draft("everyone", period="sooner")
    assert sooner.period_start == cur.clock.now() - timedelta(days=7)  # at least a week


def test_a_thin_draft_warns_the_editor_in_the_cli_and_the_console(cur: Curator, world: World) -> None:
    everyone = cur.digests.draft("everyone")
    club = cur.digests.draft("club:it-exec")
    # 6 public articles and 1 for members; 3 editor picks + 5 personal picks want 8
    (warning,) = cur.digests.warnings(everyone)
    assert (warning.key, warning.count, warning.minimum, warning.days) == ("few_articles", 7, 8, 30)
    assert cur.digests.warnings(club) == ()  # the club's own article makes 8

    env = {"CURATOR_SECRET_KEY": SECRET, "CURATOR_BASE_URL": BASE, "CURATOR_ENCODER": "fake"}
    out = CliRunner().invoke(main, ["--database", cur.settings.database_url, "digest", "show", str(everyone.id)],
                             env=env)
    assert out.exit_code == 0 and "WARNING:   Only 7 articles for this segment in the 30 days" in out.output, out.output
    out = CliRunner().invoke(main, ["--database", cur.settings.database_url, "digest", "show", str(club.id)], env=env)
    assert out.exit_code == 0 and "WARNING" not in out.output

    ed = _signed_in(cur, EDITOR, "editor")
    html = ed.get(f"/editor/digests/{everyone.id}", base_url=BASE).get_data(as_text=True)
    assert 'id="draft-warnings"' in html and "Only 7 articles for this segment" in html
    assert 'id="draft-warnings"' not in ed.get(f"/editor/digests/{club.id}", base_url=BASE).get_data(as_text=True)
    html = ed.get(f"/editor/digests/{everyone.id}?lang=de", base_url=BASE,
                  headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Nur 7 Artikel für dieses Segment" in html


def test_a_club_member_gets_one_email_per_subject_and_week_and_no_item_twice(cur: Curator, world: World,
                                                                            sink: SmtpSink) -> None:
    alice, bernd = world.members["alice@example.org"], world.members["bernd@example.org"]
    _more_news(cur, public=8, club=4)
    everyone_id, club_id = cur.digests.draft_weekly()[:2]
    _send(cur, everyone_id.id, sink)
    _send(cur, club_id.id, sink)
    first, second = sink.messages_to(alice.email)
    assert first.message["Subject"] != second.message["Subject"]
    assert not _titles(first) & _titles(second), (_titles(first), _titles(second))  # nothing twice
    assert any(t.startswith("Confidential CIO round table") for t in _titles(second))
    assert len(sink.messages_to(bernd.email)) == 1  # in no club: the club digest is not for him

    # an editor gives another club issue this week the subject of everyone's: it would be the same
    # email again, so the club member does not get it
    fresh = cur.posts.submit(title="Club note on cloud exits", text="Plan the exit first. " * 3,
                             author_name="Alice Adler", lang="en", visibility="club:it-exec")
    cur.posts.approve(fresh.id, editor=EDITOR)
    extra = cur.digests.draft("club:it-exec", period="extra")
    same = cur.digests.get(everyone_id.id).texts
    cur.digests.edit(extra.id, lang="en", subject=same["en"]["subject"])
    cur.digests.edit(extra.id, lang="de", subject=same["de"]["subject"])
    assert alice not in cur.digests.recipients(extra.id)
    cur.digests.approve(extra.id, editor=EDITOR)
    cur.digests.send(extra.id, sender=_smtp(sink))
    subjects = [m.message["Subject"] for m in sink.messages_to(alice.email)]
    assert len(subjects) == len(set(subjects)) == 2

    # next week the same subject is fine again (the subject rule is per calendar week)
    cur.clock.advance(days=7)  # type: ignore[attr-defined]
    assert alice in cur.digests.recipients(extra.id)


def test_the_feed_marks_items_the_members_digest_brought(cur: Curator, world: World, sink: SmtpSink) -> None:
    alice = world.members["alice@example.org"]
    member = _signed_in(cur, alice.email, "member")
    assert "in your digest" not in member.get("/", base_url=BASE).get_data(as_text=True)
    issue = cur.digests.draft("everyone")
    _send(cur, issue.id, sink)
    shown = cur.digests.shown_to(alice)
    assert shown
    html = member.get("/", base_url=BASE).get_data(as_text=True)
    marked = {int(m) for m in re.findall(r'id="item-(\d+)"(?:(?!</li>).)*?class="badge in-digest"', html, re.S)}
    assert marked and marked <= shown, (marked, shown)
    listed = {int(m) for m in re.findall(r'id="item-(\d+)"', html)}
    assert marked == listed & shown
    # in the member's language
    bernd = world.members["bernd@example.org"]
    assert cur.digests.shown_to(bernd)
    assert "in Ihrem Überblick" in _signed_in(cur, bernd.email, "member").get("/", base_url=BASE).get_data(as_text=True)

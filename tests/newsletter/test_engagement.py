"""Engagement as feedback (issue 12; RELIABILITY T01-T04): a digest goes to a real SMTP sink, a
tracked link is followed from the received email through the web app, and the click shows in
``curator digest report`` and in the member's next ranking."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

from click.testing import CliRunner

from curator.cli import main
from curator.core import Curator
from curator.delivery import SmtpSender
from curator.web import create_app
from tests.delivery.sink import Received, SmtpSink

from .world import EDITOR, SECRET, World

BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0"
BASE = "https://curator.example"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if tag == "img" and a.get("src"):
            self.images.append(a["src"] or "")


def _links(received: Received) -> _Links:
    parser = _Links()
    html = received.message.get_body(("html",))
    assert html is not None
    parser.feed(html.get_content())
    return parser


def _send(cur: Curator, sink: SmtpSink, period: str | None = None) -> int:
    issue = cur.digests.draft("everyone", period=period)
    cur.digests.approve(issue.id, editor=EDITOR)
    report = cur.digests.send(issue.id, sender=SmtpSender("127.0.0.1", sink.port, security="none"))
    assert report.failed == 0 and report.uncertain == 0, report
    return issue.id


def _get(client: Any, url: str, agent: str = BROWSER, method: str = "get") -> Any:
    return getattr(client, method)(url.replace(BASE, ""), headers={"User-Agent": agent})


def _ranking(cur: Curator, member_id: int) -> list[tuple[int, float]]:
    [member] = cur.storage.get_members_by_id([member_id])
    return [(s.item.id, round(s.score, 6)) for s in cur.feeds.recommend(member, 10)]


def test_a_click_in_the_email_reaches_the_report_and_the_next_ranking(cur: Curator, world: World,
                                                                      sink: SmtpSink) -> None:
    alice = world.members["alice@example.org"]
    issue_id = _send(cur, sink)
    [mail] = sink.messages_to(alice.email)
    links = _links(mail)
    tracked = [h for h in links.hrefs if h.startswith(f"{BASE}/t/c/")]
    assert tracked, links.hrefs
    client = create_app(cur, testing=True).test_client()

    # T02: a scanner's GET, a HEAD and a GET seconds after delivery are low-confidence only
    assert _get(client, tracked[0], "Microsoft Office Protection (Safe Links)").status_code == 302
    assert _get(client, tracked[0], method="head").status_code == 302
    assert _get(client, tracked[0]).status_code == 302  # same minute as delivery: a prefetch
    assert cur.feedback.of_member(alice) == []
    assert cur.digests.report(issue_id).total.clicked == 0

    # a person, ten minutes later, five times (T03: one unique click, one feedback event)
    cur.clock.advance(minutes=10)  # type: ignore[attr-defined]
    cur.feedback.refresh_profiles([alice])
    before_profile = cur.storage.get_profiles([alice.id]).get(alice.id)
    before_ranking = _ranking(cur, alice.id)  # at the same time as the one after the click
    for _ in range(5):
        resp = _get(client, tracked[0])
        assert resp.status_code == 302 and resp.headers["Location"].startswith("https://")
    clicks = [e for e in cur.feedback.of_member(alice) if e.kind == "click"]
    assert len(clicks) == 1
    clicked_item = clicks[0].item_id

    # the open pixel (only in her copy: she consented)
    [pixel] = [src for src in links.images if src.startswith(f"{BASE}/t/o/")]
    resp = _get(client, pixel)
    assert resp.status_code == 200 and resp.mimetype == "image/gif"

    report = cur.digests.report(issue_id)
    assert (report.total.recipients, report.total.sent, report.total.opened, report.total.clicked) == (
        len(world.members), len(world.members), 1, 1)
    assert report.top_items[0].item_id == clicked_item and report.top_items[0].clicks == 1
    assert report.low_confidence_clicks == 1 and report.tracked == 1
    assert {ln.label for ln in report.by_language} == {"en", "de"}

    env = {"CURATOR_SECRET_KEY": SECRET, "CURATOR_BASE_URL": BASE, "CURATOR_ENCODER": "fake"}
    out = CliRunner().invoke(main, ["--database", cur.settings.database_url, "digest", "report", str(issue_id),
                                    "--json"], env=env)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert (data["recipients"], data["sent"], data["opened"], data["clicked"], data["unsubscribed"]) == (
        len(world.members), len(world.members), 1, 1, 0)
    assert data["top_items"][0]["item"] == clicked_item and data["opened_is_lower_bound"] is True
    out = CliRunner().invoke(main, ["--database", cur.settings.database_url, "digest", "report", str(issue_id)],
                             env=env)
    assert out.exit_code == 0 and "opened (at least)" in out.output, out.output

    # the click fed her profile like a click in the web feed, and her ranking moved
    cur.feedback.refresh_profiles([alice])
    after_profile = cur.storage.get_profiles([alice.id])[alice.id]
    assert before_profile is None or after_profile != before_profile
    assert _ranking(cur, alice.id) != before_ranking


def test_without_consent_the_email_has_plain_links_and_nothing_is_stored(cur: Curator, world: World,
                                                                         sink: SmtpSink) -> None:
    bernd = world.members["bernd@example.org"]
    issue_id = _send(cur, sink)
    [mail] = sink.messages_to(bernd.email)
    links = _links(mail)
    assert not any("/t/c/" in h for h in links.hrefs) and not any("/t/o/" in s for s in links.images)
    # T04: consent withdrawn after the send: the old link still goes to the article, nothing is stored
    alice = world.members["alice@example.org"]
    [mail] = sink.messages_to(alice.email)
    alice_links = _links(mail)
    cur.members.set_tracking_consent(alice.email, False)
    cur.clock.advance(minutes=10)  # type: ignore[attr-defined]
    client = create_app(cur, testing=True).test_client()
    tracked = [h for h in alice_links.hrefs if "/t/c/" in h]
    assert _get(client, tracked[0]).status_code == 302
    assert _get(client, next(s for s in alice_links.images if "/t/o/" in s)).status_code == 200
    report = cur.digests.report(issue_id)
    assert (report.total.opened, report.total.clicked, report.low_confidence_clicks) == (0, 0, 0)
    assert cur.feedback.of_member(alice) == []


def test_tampered_tracking_tokens_record_nothing(cur: Curator, world: World, sink: SmtpSink) -> None:
    """T01: change the issue, member or link of a tracking URL and nothing is recorded."""
    issue_id = _send(cur, sink)
    alice = world.members["alice@example.org"]
    [mail] = sink.messages_to(alice.email)
    links = _links(mail)
    click = next(h for h in links.hrefs if "/t/c/" in h)
    pixel = next(s for s in links.images if "/t/o/" in s)
    cur.clock.advance(minutes=10)  # type: ignore[attr-defined]
    client = create_app(cur, testing=True).test_client()
    payload, sig = click.rsplit("/", 1)[1].split(".")
    forged = f"{BASE}/t/c/{payload[:-2]}AA.{sig}"
    assert _get(client, forged).status_code == 404
    assert _get(client, click[:-3] + "abc").status_code == 404
    assert _get(client, pixel.replace(".gif", "x.gif")).status_code == 200  # the same image, nothing counted
    report = cur.digests.report(issue_id)
    assert (report.total.opened, report.total.clicked, report.low_confidence_clicks,
            report.low_confidence_opens) == (0, 0, 0, 0)


def test_items_of_a_sent_digest_count_as_shown_and_are_not_picked_again(cur: Curator, world: World,
                                                                        sink: SmtpSink) -> None:
    alice = world.members["alice@example.org"]
    issue = cur.digests.draft("everyone")
    assert cur.digests.shown_to(alice) == set()
    first = {i.item_id for s in cur.digests.view(issue, alice).sections if s.key == "personal" for i in s.items}
    assert first
    _send(cur, sink)
    shown = cur.digests.shown_to(alice)
    assert first <= shown
    later = cur.digests.draft("everyone", period="next week")
    again = {i.item_id for s in cur.digests.view(later, alice).sections if s.key == "personal" for i in s.items}
    assert not (again & shown), (again, shown)


def test_the_editor_digest_page_shows_the_report_with_charts(cur: Curator, world: World, sink: SmtpSink) -> None:
    issue_id = _send(cur, sink)
    alice = world.members["alice@example.org"]
    [mail] = sink.messages_to(alice.email)
    cur.clock.advance(minutes=10)  # type: ignore[attr-defined]
    app = create_app(cur, testing=True)
    assert _get(app.test_client(), next(h for h in _links(mail).hrefs if "/t/c/" in h)).status_code == 302
    cur.accounts.create(EDITOR, role="editor", password="a long editor password 42")
    ed = app.test_client()
    # the session cookie is Secure (base_url is https): the client speaks https too
    page = ed.get("/auth/login", base_url=BASE).get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = ed.post("/auth/password", data={"email": EDITOR, "password": "a long editor password 42", "csrf_token": csrf},
                base_url=BASE, headers={"Referer": f"{BASE}/auth/login"})  # https: the CSRF check wants it
    assert r.status_code == 302, r.get_data(as_text=True)
    html = ed.get(f"/editor/digests/{issue_id}", base_url=BASE).get_data(as_text=True)
    assert 'id="digest-report"' in html and "lower bound" in html and "opened (at least)" in html
    for chart in ("funnel", "areas"):
        svg = ed.get(f"/editor/digests/{issue_id}/report-{chart}.svg", base_url=BASE)
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<rect" in svg.data
    assert ed.get(f"/editor/digests/{issue_id}/report-other.svg", base_url=BASE).status_code == 404
    assert app.test_client().get(f"/editor/digests/{issue_id}/report-funnel.svg").status_code in (302, 401, 403)

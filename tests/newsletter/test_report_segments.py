"""The issue report by language and by segment (the clubs its recipients are in), with labels in
German and English: `curator digest report` and the editor console."""

from __future__ import annotations

import json

from click.testing import CliRunner

from curator.cli import main
from curator.core import Curator
from curator.delivery import SmtpSender
from curator.web import create_app
from tests.delivery.sink import SmtpSink

from .test_engagement import BASE, BROWSER, _links
from .world import EDITOR, SECRET, World

PASSWORD = "a long editor password 42"


def _sent_and_clicked(cur: Curator, world: World, sink: SmtpSink) -> int:
    issue = cur.digests.draft("everyone")
    cur.digests.approve(issue.id, editor=EDITOR)
    cur.digests.send(issue.id, sender=SmtpSender("127.0.0.1", sink.port, security="none"))
    [mail] = sink.messages_to(world.members["alice@example.org"].email)
    cur.clock.advance(minutes=10)  # type: ignore[attr-defined]
    client = create_app(cur, testing=True).test_client()
    link = next(h for h in _links(mail).hrefs if "/t/c/" in h)
    assert client.get(link.replace(BASE, ""), headers={"User-Agent": BROWSER}).status_code == 302
    return issue.id


def test_the_report_by_segment_counts_each_clubs_recipients_and_those_in_no_club(cur: Curator, world: World,
                                                                                 sink: SmtpSink) -> None:
    issue_id = _sent_and_clicked(cur, world, sink)
    report = cur.digests.report(issue_id)
    lines = {ln.key: ln for ln in report.by_segment}
    assert set(lines) == {"club:it-exec", "none"}
    club, rest = lines["club:it-exec"], lines["none"]
    assert (club.label, club.recipients, club.sent, club.clicked) == ("IT Executive Club", 1, 1, 1)
    assert (rest.label, rest.recipients, rest.clicked) == ("in no club", len(world.members) - 1, 0)
    assert sum(ln.recipients for ln in report.by_segment) == report.total.recipients
    german = {ln.key: ln.label for ln in cur.digests.report(issue_id, "de").by_segment}
    assert german["none"] == "in keinem Club"
    assert [ln.key for ln in report.by_language] == ["de", "en"]

    env = {"CURATOR_SECRET_KEY": SECRET, "CURATOR_BASE_URL": BASE, "CURATOR_ENCODER": "fake"}
    db = ["--database", cur.settings.database_url, "digest", "report", str(issue_id)]
    data = json.loads(CliRunner().invoke(main, [*db, "--json"], env=env).output)
    assert [(s["key"], s["recipients"], s["clicked"]) for s in data["by_segment"]] == [
        ("club:it-exec", 1, 1), ("none", len(world.members) - 1, 0)]
    out = CliRunner().invoke(main, [*db, "--lang", "de"], env=env)
    assert out.exit_code == 0, out.output
    for label in ("Nach Sprache", "Nach Segment", "in keinem Club", "IT Executive Club", "geöffnet (mindestens)",
                  "Deutsch", "Englisch", "alle"):
        assert label in out.output, (label, out.output)
    out = CliRunner().invoke(main, db, env=env)
    assert "By segment" in out.output and "in no club" in out.output and "opened (at least)" in out.output


def test_the_console_report_is_in_the_editors_language(cur: Curator, world: World, sink: SmtpSink) -> None:
    issue_id = _sent_and_clicked(cur, world, sink)
    cur.accounts.create(EDITOR, role="editor", password=PASSWORD)
    ed = create_app(cur, testing=True).test_client()
    page = ed.get("/auth/login", base_url=BASE).get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert ed.post("/auth/password", data={"email": EDITOR, "password": PASSWORD, "csrf_token": csrf},
                   base_url=BASE, headers={"Referer": f"{BASE}/auth/login"}).status_code == 302
    en = ed.get(f"/editor/digests/{issue_id}", base_url=BASE, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="report-by-segment"' in en and "in no club" in en and "IT Executive Club" in en
    de = ed.get(f"/editor/digests/{issue_id}", base_url=BASE, headers={"Accept-Language": "de"}).get_data(as_text=True)
    for label in ("Bericht", "Nach Segment", "in keinem Club", "geöffnet (mindestens)", "Untergrenze", "Deutsch"):
        assert label in de, label

"""Issue 10, item 1, as an editor meets it: adding a feed in the console once wrote a feeds.yaml
holding only that feed, the next load of the file retired every other source, and their
"Enable" answered 404. Now the console writes the database only, the file changes only its own
sources, every source can be switched, health says what is true, and who may read a source is
a choice. Real storage (SQLite, and PostgreSQL when configured), a real feed server on loopback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer

from curator.types import ItemQuery
from tests.core.test_collect import ITEMS, rss
from tests.web.conftest import EDITOR, WebWorld, csrf_of


@pytest.fixture
def feeds(world: WebWorld, httpserver: HTTPServer) -> str:
    """Two sources of the feeds file, loaded, and three feeds on loopback."""
    for path in ("/alpha", "/beta", "/club"):
        httpserver.expect_request(path).respond_with_data(rss(ITEMS, title=path), content_type="application/rss+xml")
    text = (f"sources:\n  - {{id: alpha, title: Alpha, url: '{httpserver.url_for('/alpha')}'}}\n"
            f"  - {{id: beta, title: Beta, url: '{httpserver.url_for('/beta')}'}}\n")
    Path(world.cur.settings.feeds_file).write_text(text, encoding="utf-8")
    assert world.cur.init()["sources_added"] == 2
    return text


def row(client: FlaskClient, source_id: str) -> str:
    page = client.get("/editor/sources").get_data(as_text=True)
    found = re.search(rf'<tr id="source-{re.escape(source_id)}">(.*?)</tr>', page, re.S)
    assert found, f"no row for {source_id}"
    return found.group(1)


def test_adding_a_feed_in_the_console_leaves_every_other_source_enabled(
        world: WebWorld, feeds: str, httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "server"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # the server's working directory, where the old console wrote feeds.yaml
    cur, ed = world.cur, world.client(EDITOR)
    page = ed.get("/editor/sources").get_data(as_text=True)
    choices = re.search(r'<select id="s-vis" name="visibility">(.*?)</select>', page, re.S)
    assert choices and re.findall(r'value="([^"]+)"', choices.group(1)) == [
        "public", "members", *(f"club:{c.id}" for c in cur.members.clubs())]
    assert "club:womens-club" in choices.group(1)

    tok = csrf_of(ed, "/editor/sources")
    for refused in ("everyone", "club:no-such-club", "club:it-executive public"):
        r = ed.post("/editor/sources", data={"csrf_token": tok, "url": httpserver.url_for("/club"),
                                             "title": "Club briefing", "visibility": refused})
        assert r.status_code == 400 and "who may read the source must be one of" in r.get_data(as_text=True)
    r = ed.post("/editor/sources", data={"csrf_token": tok, "url": httpserver.url_for("/club"), "title": "Club briefing",
                                         "visibility": "club:it-executive", "lang": "en", "areas": ["company"]})
    assert r.status_code == 302
    assert Path(cur.settings.feeds_file).read_text(encoding="utf-8") == feeds and list(cwd.iterdir()) == []

    assert cur.init()["sources_retired"] == 0  # the file is loaded again, as every `curator collect` does
    results = {r.source_id: r for r in cur.sources.collect()}
    assert set(results) == {"alpha", "beta", "club-briefing"} and all(r.ok and r.new == 2 for r in results.values())
    assert {h.source.id for h in cur.sources.health() if h.source.enabled} == {"alpha", "beta", "club-briefing"}
    assert {i.visibility for i in cur.items.list(ItemQuery(source_id="club-briefing"))} == {"club:it-executive"}
    assert "IT Executive" in row(ed, "club-briefing") and "added in the console" in row(ed, "club-briefing")


def test_every_source_can_be_switched_off_and_on_and_health_says_so(world: WebWorld, feeds: str,
                                                                     httpserver: HTTPServer) -> None:
    cur, ed = world.cur, world.client(EDITOR)
    tok = csrf_of(ed, "/editor/sources")
    ed.post("/editor/sources", data={"csrf_token": tok, "url": httpserver.url_for("/club"), "title": "Club briefing",
                                     "visibility": "members"})
    list(cur.sources.collect())
    for sid in ("alpha", "club-briefing"):  # one of the file, one of the console
        assert "status-ok" in row(ed, sid)
        r = ed.post(f"/editor/sources/{sid}/enabled", data={"csrf_token": tok, "enabled": "0"})
        assert r.status_code == 302
        cur.sources.sync()  # an unchanged file keeps the editor's switch
        assert not next(h for h in cur.sources.health() if h.source.id == sid).source.enabled
        shown = row(ed, sid)
        assert "status-disabled" in shown and "switched off" in shown and "status-ok" not in shown
        r = ed.post(f"/editor/sources/{sid}/enabled", data={"csrf_token": tok, "enabled": "1"})
        assert r.status_code == 302 and "status-ok" in row(ed, sid)
    r = ed.post("/editor/sources/news/enabled", data={"csrf_token": tok, "enabled": "1"})
    assert r.status_code == 409 and "never collected" in r.get_data(as_text=True)
    assert "status-internal" in row(ed, "news") and "/editor/sources/news/enabled" not in row(ed, "news")
    assert ed.post("/editor/sources/nope/enabled", data={"csrf_token": tok, "enabled": "1"}).status_code == 404


def test_console_sources_are_changed_in_the_console_and_file_sources_in_the_file(
        world: WebWorld, feeds: str, httpserver: HTTPServer) -> None:
    cur, ed = world.cur, world.client(EDITOR)
    tok = csrf_of(ed, "/editor/sources")
    ed.post("/editor/sources", data={"csrf_token": tok, "url": httpserver.url_for("/club"), "title": "Club briefing",
                                     "visibility": "public"})
    list(cur.sources.collect())
    assert 'action="/editor/sources/club-briefing"' in row(ed, "club-briefing")
    assert 'action="/editor/sources/alpha"' not in row(ed, "alpha") and "feeds.yaml" in row(ed, "alpha")
    r = ed.post("/editor/sources/club-briefing", data={
        "csrf_token": tok, "url": httpserver.url_for("/club"), "title": "Club briefing",
        "visibility": "club:it-executive", "lang": "de", "areas": ["work"]})
    assert r.status_code == 302
    assert {i.visibility for i in cur.items.list(ItemQuery(source_id="club-briefing"))} == {"club:it-executive"}
    r = ed.post("/editor/sources/alpha", data={"csrf_token": tok, "url": httpserver.url_for("/alpha"),
                                               "title": "Renamed", "visibility": "public"})
    assert r.status_code == 400 and "a source of the feeds file; change it in that file" in r.get_data(as_text=True)
    assert Path(cur.settings.feeds_file).read_text(encoding="utf-8") == feeds

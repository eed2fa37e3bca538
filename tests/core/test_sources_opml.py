"""Sources in and out as OPML, through the facade and the CLI, on SQLite and PostgreSQL.

Imported feeds take the way of a source added in the console (URL rules with the SSRF guard,
the feeds file's rules, who may read it, duplicates); one refused feed never stops the others;
a dry run stores nothing; export then import into an empty database gives the same sources."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

from curator.cli import main
from curator.clock import FixedClock
from curator.core import Curator, make_curator
from curator.errors import InvalidInput
from curator.ingest.opml import MAX_OPML_BYTES, NAMESPACE
from tests.core.test_sources_truth import ENV, FEEDS, fresh_database, health, write_feeds

UPLOAD = f"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0" xmlns:c="{NAMESPACE}">
<head><title>Jana's reading list</title></head>
<body>
<outline text="Arbeitswelt 4.0">
  <outline type="rss" text="Personal heute" xmlUrl="https://personal.example/feed" language="de-DE"/>
  <outline type="rss" text="Heise, again" xmlUrl="HTTPS://HEISE.example/rss"/>
  <outline type="rss" text="Evil" xmlUrl="javascript:alert(document.cookie)"/>
  <outline type="rss" text="Intranet" xmlUrl="http://10.0.0.7/feed"/>
  <outline type="rss" text="Cloud metadata" xmlUrl="http://169.254.169.254/latest/meta-data/"/>
  <outline type="rss" text="Local" xmlUrl="http://localhost:8080/rss"/>
  <outline type="rss" text="No address"/>
</outline>
<outline text="Technology">
  <outline type="rss" text="Personal heute (twice)" xmlUrl="https://personal.example/feed"/>
  <outline type="rss" text="Secret club" xmlUrl="https://club.example/rss" c:visibility="club:no-such-club"/>
  <outline type="rss" text="Too often" xmlUrl="https://often.example/rss" c:poll="1"/>
  <outline type="rss" text="Chip news" xmlUrl="feed://chips.example/rss"/>
</outline>
</body>
</opml>
""".encode()


def test_each_feed_is_checked_like_a_console_source_and_one_refused_never_stops_the_others(
        curator: Curator) -> None:
    write_feeds(curator, FEEDS)
    curator.init()
    before = curator.sources.health()
    preview = curator.sources.import_opml(UPLOAD, where="jana.opml", dry_run=True)
    assert curator.sources.health() == before  # a dry run stores nothing

    results = curator.sources.import_opml(UPLOAD, where="jana.opml")
    assert results == preview
    outcome = [(r.line, r.outcome, r.source_id) for r in results]
    assert outcome == [
        (6, "added", "personal-heute"), (7, "exists", "heise"), (8, "rejected", None), (9, "rejected", None),
        (10, "rejected", None), (11, "rejected", None), (12, "rejected", None), (15, "exists", "personal-heute"),
        (16, "rejected", None), (17, "rejected", None), (18, "added", "chip-news")]
    reasons = {r.line: r.reason or "" for r in results}
    assert reasons[7] == "already the source 'heise'"
    assert reasons[8].startswith("address not allowed: scheme 'javascript:'")
    assert "address not allowed" in reasons[9] and "10.0.0.7" in reasons[9]
    assert "address not allowed" in reasons[10] and "169.254.169.254" in reasons[10]
    assert "localhost" in reasons[11]
    assert reasons[12] == "outline 'No address' has no xmlUrl, the feed's address (an empty folder, or not a feed)"
    assert reasons[15] == "the same address is on line 6"
    assert reasons[16].startswith("who may read the source must be one of")
    assert reasons[17] == ("jana.opml, line 17: source #1 ('too-often'): field 'poll_minutes' must be a whole "
                           "number from 5 to 10080")

    got = health(curator)
    assert set(got) == {"heise", "golem", "paused", "personal-heute", "chip-news"}
    personal, chips = got["personal-heute"].source, got["chip-news"].source
    assert (personal.url, personal.lang, personal.areas, personal.origin, personal.enabled, personal.visibility) == (
        "https://personal.example/feed", "de", ("work",), "console", True, "public")
    assert (chips.url, chips.areas) == ("https://chips.example/rss", ("technology",))  # feed:// is https
    assert curator.init()["sources_retired"] == 0  # the feeds file leaves imported sources alone

    again = curator.sources.import_opml(UPLOAD, where="jana.opml")
    assert [(r.line, r.outcome, r.source_id) for r in again if r.outcome != "rejected"] == [
        (6, "exists", "personal-heute"), (7, "exists", "heise"), (15, "exists", "personal-heute"),
        (18, "exists", "chip-news")]


def test_export_then_import_into_an_empty_database_gives_the_same_sources(
        curator: Curator, db_url: str, tmp_path: Path, clock: FixedClock) -> None:
    write_feeds(curator, FEEDS)
    curator.init()
    curator.members.ensure_clubs()
    curator.sources.add("https://club.example/rss", title='Club <briefing> & "more"',
                        visibility="club:it-executive", lang="de", areas=["company", "work"])
    off = curator.sources.add("https://off.example/rss", title="Off", visibility="members")
    curator.sources.set_enabled(off, False)
    curator.items.import_jsonl(['{"id": "x-1", "title": "Archived", "text": "An archived article text."}'])
    text = curator.sources.export_opml(lang="de")
    assert text.count("<outline type=\"rss\"") == 5 and "Unternehmen 4.0" in text and "import" not in text
    current = [replace(h.source, origin="console") for h in curator.sources.health() if h.status != "internal"]

    with fresh_database(db_url, tmp_path) as url:
        fresh = make_curator(curator.settings.replace(database_url=url, feeds_file=str(tmp_path / "none.yaml")),
                             clock=clock)
        try:
            fresh.members.ensure_clubs()
            results = fresh.sources.import_opml(text.encode(), where="sources.opml")
            assert {r.outcome for r in results} == {"added"}, results
            assert [h.source for h in fresh.sources.health()] == current
            assert fresh.sources.export_opml(lang="de") == text  # byte for byte
            assert {r.outcome for r in fresh.sources.import_opml(text.encode(), where="s.opml")} == {"exists"}
        finally:
            fresh.close()


def test_a_file_that_cannot_be_read_stores_nothing_and_no_more_than_the_limit_is_read(curator: Curator) -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>
<opml><body><outline text="&b;" xmlUrl="https://x.example/rss"/></body></opml>"""
    for data, message in [(bomb, "upload.opml, line 1: the file has a DOCTYPE declaration"),
                          (b"<html><body>Not found</body></html>", "upload.opml, line 1: the document is <html>")]:
        try:
            curator.sources.import_opml(data, where="upload.opml")
        except InvalidInput as exc:
            assert str(exc).startswith(message)
        else:
            raise AssertionError("no error")
    stream = io.BytesIO(b"<opml><body>" + b" " * (5 * MAX_OPML_BYTES))
    try:
        curator.sources.import_opml(stream, where="huge.opml")
    except InvalidInput as exc:
        assert "huge.opml: the file is larger than" in str(exc)
    assert stream.tell() == MAX_OPML_BYTES + 1
    assert curator.sources.health() == []


def test_cli_import_with_dry_run_and_export(tmp_path: Path, db_url: str) -> None:
    feeds, upload, out = tmp_path / "feeds.yaml", tmp_path / "jana.opml", tmp_path / "out.opml"
    feeds.write_text(FEEDS, encoding="utf-8")
    upload.write_bytes(UPLOAD)
    run = CliRunner().invoke
    base = ["--database", db_url, "--feeds", str(feeds)]
    assert run(main, [*base, "init"], env=ENV).exit_code == 0
    res = run(main, [*base, "sources", "import-opml", str(upload), "--dry-run"], env=ENV)
    assert res.exit_code == 0, res.output
    assert "2 would add, 2 already there, 7 refused (dry run: nothing stored)." in res.output
    assert "personal-heute" in res.output and "address not allowed: scheme 'javascript:'" in res.output
    res = run(main, [*base, "sources", "export-opml", "-o", str(out)], env=ENV)
    assert res.exit_code == 0 and out.read_text(encoding="utf-8").count('type="rss"') == 3, res.output
    res = run(main, [*base, "sources", "import-opml", str(upload)], env=ENV)
    assert res.exit_code == 0 and "2 added, 2 already there, 7 refused." in res.output, res.output
    res = run(main, [*base, "sources", "export-opml", "--lang", "de"], env=ENV)
    assert res.output.count('type="rss"') == 5 and 'text="Arbeitswelt 4.0"' in res.output
    upload.write_bytes(b"<rss/>")
    res = run(main, [*base, "sources", "import-opml", str(upload)], env=ENV)
    assert res.exit_code == 1 and "the document is <rss>, not <opml>" in res.output
    res = run(main, ["sources", "import-opml", "--help"])
    assert "curator sources import-opml feedly.opml --dry-run" in res.output

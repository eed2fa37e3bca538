"""Issue 10, item 1: one source of truth for sources.

The database holds the sources; each records its origin. Loading the feeds file adds, changes
and retires only its own (``file``) sources; the console and ``curator sources import`` make
``console`` sources, which no file retires; every file or console source can be switched on and
off; export and import round-trip them in the feeds-file format; health is never "ok" for a
source that is not collected. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from curator.cli import main
from curator.clock import FixedClock
from curator.core import Curator, make_curator
from curator.errors import ConfigError, NotFound, WorkflowError
from curator.storage import Storage
from curator.storage.engine import create_engine
from curator.types import ItemQuery, SourceHealth
from tests.conftest import PG_URL
from tests.core.test_collect import ITEMS, rss

FEEDS = """\
sources:
  - {id: heise, title: Heise, url: 'https://heise.example/rss', lang: de}
  - {id: golem, title: Golem, url: 'https://golem.example/rss', areas: [technology]}
  - {id: paused, title: Paused, url: 'https://paused.example/rss', enabled: false}
"""
ENV = {"CURATOR_FETCH_ALLOWED_NETWORKS": "127.0.0.1/32", "CURATOR_ENCODER": "fake"}


def write_feeds(cur: Curator, text: str) -> None:
    Path(cur.settings.feeds_file).write_text(text, encoding="utf-8")


def health(cur: Curator) -> dict[str, SourceHealth]:
    return {h.source.id: h for h in cur.sources.health()}


def enabled(cur: Curator) -> set[str]:
    return {sid for sid, h in health(cur).items() if h.source.enabled}


@contextmanager
def fresh_database(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same kind as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    assert PG_URL
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --------------------------------------------------------------------------- the file and the console

def test_the_feeds_file_never_retires_a_source_added_in_the_console(curator: Curator) -> None:
    write_feeds(curator, FEEDS)
    assert curator.init()["sources_added"] == 3
    bee = curator.sources.add("https://bee.example/rss", title="Bee news", visibility="members", lang="en")
    assert Path(curator.settings.feeds_file).read_text(encoding="utf-8") == FEEDS  # the console never writes it
    assert curator.sources.sync() == (0, 0, 0)
    assert enabled(curator) == {"heise", "golem", bee}
    assert health(curator)[bee].source.origin == "console" and health(curator)["heise"].source.origin == "file"

    write_feeds(curator, "sources:\n  - {id: heise, title: Heise, url: 'https://heise.example/rss', lang: de}\n")
    assert curator.sources.sync() == (0, 0, 2)  # golem and paused: the file's own
    assert enabled(curator) == {"heise", bee}
    assert health(curator)["golem"].status == "retired" and health(curator)[bee].status == "new"

    write_feeds(curator, "sources: []\n")  # only the file's own sources count as what it would retire
    with pytest.raises(ConfigError, match=r"would retire all 1 \(heise\)"):
        curator.sources.sync()
    assert curator.init(allow_empty_feeds=True)["sources_retired"] == 1
    assert enabled(curator) == {bee}


def test_every_source_can_be_switched_and_the_switch_survives_an_unchanged_file(curator: Curator) -> None:
    write_feeds(curator, FEEDS)
    curator.init()
    bee = curator.sources.add("https://bee.example/rss", title="Bee news")
    assert not curator.sources.set_enabled("heise", False).enabled
    assert not curator.sources.set_enabled(bee, False).enabled
    assert curator.sources.set_enabled("paused", True).enabled  # enabled: false in the file
    assert curator.sources.sync() == (0, 0, 0)
    assert enabled(curator) == {"golem", "paused"}
    assert {health(curator)[s].status for s in ("heise", bee)} == {"disabled"}

    # the file's word applies when the file changes it
    write_feeds(curator, FEEDS.replace("lang: de}", "lang: de, enabled: false}"))
    curator.sources.sync()
    assert "heise" not in enabled(curator)
    write_feeds(curator, FEEDS.replace("lang: de}", "lang: de, enabled: true}"))
    curator.sources.sync()
    assert "heise" in enabled(curator)

    # a source the file gave up: switching it on hands it to the console, the file leaves it alone
    write_feeds(curator, FEEDS.replace("  - {id: golem, title: Golem, url: 'https://golem.example/rss', "
                                       "areas: [technology]}\n", ""))
    curator.sources.sync()
    assert health(curator)["golem"].status == "retired"
    golem = curator.sources.set_enabled("golem", True)
    assert golem.enabled and golem.origin == "console"
    assert curator.sources.sync() == (0, 0, 0) and "golem" in enabled(curator)
    assert "golem" in {s.source.id for s in curator.storage.source_states()}  # collected again

    curator.items.import_jsonl(['{"id": "x-1", "title": "Archived", "text": "An archived article text."}'])
    with pytest.raises(WorkflowError, match="'import' holds imported items and is never collected"):
        curator.sources.set_enabled("import", True)
    with pytest.raises(NotFound, match="no source with id 'nope'"):
        curator.sources.set_enabled("nope", True)


def test_the_file_takes_over_its_exported_console_source_but_no_other_sources_id(curator: Curator) -> None:
    bee = curator.sources.add("https://bee.example/rss", title="Bee news")
    wasp = curator.sources.add("https://wasp.example/rss", title="Wasp")
    curator.posts.approve(curator.posts.submit(title="A member post", text="A member writes a long enough text.",
                                               author_name="Ana").id, editor="ed@cluster.example")
    feeds = Path(curator.settings.feeds_file)
    for clash in (f"{{id: {wasp}, title: W, url: 'https://other.example/rss'}}",
                  "{id: member-posts, title: M, url: 'https://m.example/rss'}"):
        write_feeds(curator, f"sources:\n  - {{id: new, title: New, url: 'https://new.example/'}}\n  - {clash}\n")
        with pytest.raises(ConfigError, match=f"^{re.escape(str(feeds))}: the feeds file uses the id.*other ids"):
            curator.sources.sync()
        assert "new" not in health(curator)  # nothing changed
    write_feeds(curator, curator.sources.export_yaml("console").split(f"  - id: {wasp}")[0])  # bee only
    assert curator.sources.sync() == (0, 1, 0)  # taken over by the file
    assert health(curator)[bee].source.origin == "file" and health(curator)[wasp].source.origin == "console"


# --------------------------------------------------------------------------- export and import

def test_export_then_import_into_a_fresh_database_gives_the_same_sources(
        curator: Curator, db_url: str, tmp_path: Path, clock: FixedClock) -> None:
    write_feeds(curator, FEEDS)
    curator.init()
    curator.members.ensure_clubs()
    club = curator.sources.add("https://club.example/rss", title="Club briefing", visibility="club:it-executive",
                               lang="de", areas=["company", "work"])
    off = curator.sources.add("https://off.example/rss", title="Off")
    curator.sources.set_enabled(off, False)
    curator.items.import_jsonl(['{"id": "x-1", "title": "Archived", "text": "An archived article text."}'])
    write_feeds(curator, FEEDS.replace("  - {id: paused, title: Paused, url: 'https://paused.example/rss', "
                                       "enabled: false}\n", ""))
    curator.sources.sync()  # paused retired: no longer a current source
    text = curator.sources.export_yaml()
    current = [replace(h.source, origin="console") for h in curator.sources.health()
               if h.status not in ("internal", "retired")]
    assert [s.id for s in current] == sorted(["golem", "heise", club, off])

    with fresh_database(db_url, tmp_path) as url:
        fresh = make_curator(curator.settings.replace(database_url=url, feeds_file=str(tmp_path / "none.yaml")),
                             clock=clock)
        try:
            assert {r.outcome for r in fresh.sources.import_yaml(text, where="sources.yaml")} == {"added"}
            assert [h.source for h in fresh.sources.health()] == current
            assert fresh.sources.export_yaml() == text  # byte for byte
            assert {r.outcome for r in fresh.sources.import_yaml(text, where="sources.yaml")} == {"unchanged"}
        finally:
            fresh.close()

    again = {r.source_id: (r.outcome, r.reason) for r in curator.sources.import_yaml(text, where="sources.yaml")}
    assert again["heise"] == ("skipped", "it is a source of the feeds file")
    assert again[club] == again[off] == ("unchanged", None)
    assert "heise" not in curator.sources.export_yaml("console") and club in curator.sources.export_yaml("console")


def test_import_checks_the_whole_file_by_the_file_and_fetcher_rules_first(curator: Curator) -> None:
    good = "  - {id: good, title: Good, url: 'https://good.example/rss'}\n"
    for bad, message in [
        ("  - {id: bad, title: Bad, url: 'javascript:alert(1)'}\n", r"source #2 \('bad'\): field 'url' must start"),
        ("  - {id: bad, title: Bad, url: 'https://b.example/', visibility: everyone}\n", "field 'visibility'"),
        ("  - {id: intranet, title: I, url: 'http://10.0.0.1/feed'}\n",
         r"source #2 \('intranet'\): field 'url': address not allowed.*nothing was imported"),
    ]:
        with pytest.raises(ConfigError, match=f"^upload.yaml: .*{message}"):
            curator.sources.import_yaml(f"sources:\n{good}{bad}", where="upload.yaml")
        assert curator.sources.health() == []
    curator.sources.add("https://taken.example/rss", title="Taken")
    results = curator.sources.import_yaml(f"sources:\n{good}  - {{id: dup, title: D, url: 'https://taken.example/rss'}}\n",
                                          where="upload.yaml")
    assert [(r.source_id, r.outcome, r.reason) for r in results] == [
        ("good", "added", None), ("dup", "skipped", "its URL is already the source 'taken'")]


# --------------------------------------------------------------------------- health

def test_health_is_ok_only_for_a_collected_source_whose_last_fetch_worked(
        curator: Curator, httpserver: HTTPServer, db_url: str) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(ITEMS), content_type="application/rss+xml")
    httpserver.expect_request("/down").respond_with_data("no", status=500)
    write_feeds(curator, f"sources:\n  - {{id: live, title: Live, url: '{httpserver.url_for('/feed')}'}}\n"
                         f"  - {{id: stopped, title: Stopped, url: '{httpserver.url_for('/feed')}?stopped'}}\n"
                         f"  - {{id: down, title: Down, url: '{httpserver.url_for('/down')}'}}\n")
    curator.init()
    list(curator.sources.collect())
    curator.sources.set_enabled("stopped", False)  # it was collected fine, then switched off
    curator.sources.add(httpserver.url_for("/feed") + "?new", title="Fresh")
    curator.items.import_jsonl(['{"id": "x-1", "title": "Archived", "text": "An archived article text."}'])
    statuses = {sid: h.status for sid, h in health(curator).items()}
    assert statuses == {"live": "ok", "stopped": "disabled", "down": "failing", "fresh": "new", "import": "internal"}
    assert health(curator)["stopped"].last_success is not None and health(curator)["stopped"].error_count == 0

    res = CliRunner().invoke(main, ["--database", db_url, "--feeds", curator.settings.feeds_file, "sources"], env=ENV)
    assert res.exit_code == 0, res.output
    shown = {line.split()[0]: line.split()[2] for line in res.output.splitlines()[2:]}
    assert shown == statuses


# --------------------------------------------------------------------------- the commands

def test_cli_export_import_and_init_with_an_empty_file(tmp_path: Path, db_url: str) -> None:
    feeds, backup = tmp_path / "feeds.yaml", tmp_path / "backup.yaml"
    feeds.write_text(FEEDS, encoding="utf-8")
    run = CliRunner().invoke
    base = ["--database", db_url, "--feeds", str(feeds)]
    assert run(main, [*base, "init"], env=ENV).exit_code == 0
    res = run(main, [*base, "sources", "export", "-o", str(backup)], env=ENV)
    assert res.exit_code == 0 and backup.read_text(encoding="utf-8").count("- id:") == 3, res.output
    with fresh_database(db_url, tmp_path) as url:
        res = run(main, ["--database", url, "--feeds", str(tmp_path / "none.yaml"), "init"], env=ENV)
        assert res.exit_code == 0, res.output
        res = run(main, ["--database", url, "--feeds", str(tmp_path / "none.yaml"), "sources", "import", str(backup)],
                  env=ENV)
        assert res.exit_code == 0 and "3 added, 0 updated, 0 unchanged, 0 skipped." in res.output, res.output
        res = run(main, ["--database", url, "sources", "export", "--origin", "console"], env=ENV)
        assert res.output.split("\n", 2)[2] == backup.read_text(encoding="utf-8").split("\n", 2)[2]

    feeds.write_text("sources: []\n", encoding="utf-8")
    res = run(main, [*base, "init"], env=ENV)
    assert res.exit_code == 1 and "--allow-empty-feeds" in res.output
    res = run(main, [*base, "init", "--allow-empty-feeds"], env=ENV)
    assert res.exit_code == 0 and "3 retired" in res.output, res.output


# --------------------------------------------------------------------------- the migration

def test_migration_0008_gives_every_existing_source_its_origin(db_url: str) -> None:
    """A database made by 0001-0007: listed sources become file sources, unlisted ones internal
    (member posts, imports) or retired file sources; their items stay (SQLite copies the table
    with foreign keys off)."""
    store = Storage(db_url)
    with store.engine.connect() as raw:
        conn = raw.execution_options(curator_write=True)
        command.upgrade(store._alembic_config(conn), "0007")
        conn.commit()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [("listed", "https://l.example/", "article", True, True), ("off", "https://o.example/", "article", True, False),
            ("gone", "https://g.example/", "article", False, True),
            ("import", "https://curator.invalid/import", "article", False, False),
            ("member-posts", "https://curator.invalid/member-posts", "member_post", False, False)]
    with store.engine.begin() as c:
        for sid, url, kind, in_config, on in rows:
            c.execute(sa.text("INSERT INTO sources (id, title, url, areas, visibility, poll_minutes, enabled, kind, "
                              "in_config, error_count, broken, created_at, updated_at) VALUES (:i, :i, :u, '[]', "
                              "'public', 60, :e, :k, :c, 0, false, :n, :n)"),
                      {"i": sid, "u": url, "e": on, "k": kind, "c": in_config, "n": now})
            c.execute(sa.text("INSERT INTO items (source_id, key, kind, title, summary, content_html, text, published, "
                              "first_seen, updated_at, content_hash, visibility) VALUES (:i, 'k', 'article', 't', '', "
                              "'', '', :n, :n, :n, 'h', 'public')"), {"i": sid, "n": now})
    store.migrate()
    got = {h.source.id: (h.source.origin, h.status, h.retired_at) for h in store.source_health()}
    assert got == {"listed": ("file", "new", None), "off": ("file", "disabled", None), "gone": ("file", "retired", now),
                   "import": ("internal", "internal", None), "member-posts": ("internal", "internal", None)}
    assert len(store.list_items(ItemQuery(limit=100))) == 5
    # the file's last word on "off" was enabled: false; an unchanged file leaves it so
    assert store.sync_sources([h.source for h in store.source_health() if h.source.id in ("listed", "off")],
                              now) == (0, 0, 0)
    assert {s.source.id for s in store.source_states(only_enabled=False)} == {"listed", "off"}
    store.close()

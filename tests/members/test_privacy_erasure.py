"""An editor erases a person on request, and ids are never reused (issue 10, item 3), on SQLite
and PostgreSQL. The full trace scan after "Erase my data" is tests/web/test_privacy_erasure.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from curator.core import Curator
from curator.errors import InvalidInput, NotFound
from curator.storage import Storage
from curator.storage.newsletter import hashed_email_key
from curator.storage.schema import metadata

CLARA, FRITZ = "cio@alpha.example", "founder@beta.example"


def holding(cur: Curator, needle: str) -> list[str]:
    """Tables with ``needle`` (any case) in any column of any row."""
    found = set()
    with cur.storage.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if any(needle.lower() in repr(tuple(row)).lower() for row in conn.execute(sa.select(table))):
                found.add(table.name)
    return sorted(found)


def test_an_editor_erases_a_person_on_request(cluster: Curator) -> None:
    cur = cluster
    with pytest.raises(InvalidInput, match="--editor"):
        cur.members.erase_by_email(CLARA, editor=" ")
    with pytest.raises(NotFound, match="nothing was erased"):
        cur.members.erase_by_email("nobody@nowhere.example", editor="Eva Editor")
    # Clara is a member AND edits: what she did as an editor keeps happening, without her address
    cur.accounts.create(CLARA, role="editor")
    cur.members.grant_club(FRITZ, "it-executive", editor=CLARA)
    item = cur.items.list()[0]
    cur.feedback.record(CLARA, item.id, "rating", value=4, note="clara-note-TT3")
    issue = cur.digests.draft("everyone", editor=CLARA.upper())
    cur.digests.approve(issue.id, editor=CLARA)
    assert "club_memberships" in holding(cur, CLARA) and "digest_issues" in holding(cur, CLARA)
    old_id = cur.members.get(CLARA).id

    cur.members.erase_by_email(" CIO@Alpha.example ", editor="Eva Editor")

    assert holding(cur, CLARA) == [] and holding(cur, "Clara CIO") == [] and holding(cur, "clara-note-TT3") == []
    assert cur.accounts.user_by_email(CLARA) is None
    with pytest.raises(NotFound):
        cur.members.get(CLARA)
    assert "it-executive" in cur.members.get(FRITZ).clubs  # her grant stays, by "(erased)"
    assert [m.granted_by for m in cur.members.club_memberships("it-executive") if m.member_email == FRITZ] == ["(erased)"]
    assert (cur.digests.get(issue.id).approved_by, cur.digests.get(issue.id).created_by) == ("(erased)", "(erased)")
    # the hashed suppression says who asked, names nobody, and catches the address if it comes back
    with cur.storage.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT email_key, member_id, reason, detail FROM suppressions")).all()
    assert [tuple(r) for r in rows] == [(hashed_email_key(CLARA), None, "erased",
                                         "erased at the request of editor Eva Editor")]
    with pytest.raises(NotFound):
        cur.members.erase_by_email(CLARA, editor="Eva Editor")  # nothing is left to erase
    cur.members.import_file(f"email,name,organisation,language\n{CLARA},Clara CIO,Alpha GmbH,en\n")
    assert cur.members.get(CLARA).id > old_id and cur.digests.is_unsubscribed(cur.members.get(CLARA))


def test_an_account_without_a_member_record_can_be_erased(cluster: Curator) -> None:
    cur = cluster
    editor = cur.accounts.create("eva@cluster.example", role="editor", password="long enough password")
    cur.accounts.create_api_token(editor.id, "eva's script")
    cur.members.erase_by_email("eva@cluster.example", editor="Admin")
    assert cur.accounts.user_by_email("eva@cluster.example") is None
    assert holding(cur, "eva@cluster.example") == [] and holding(cur, "eva's script") == []
    assert cur.accounts.create("eva@cluster.example", role="editor").id > editor.id  # a new account, a new id


def test_ids_are_never_reused(cluster: Curator) -> None:
    cur = cluster
    newest = max(cur.members.list(), key=lambda m: m.id)
    user = cur.accounts.create(newest.email)
    cur.members.erase_by_email(newest.email, editor="Eva Editor")
    cur.members.import_file("email,name,organisation,language\nnew@next.example,Nina Next,Next AG,en\n")
    assert cur.members.get("new@next.example").id == newest.id + 1
    assert cur.accounts.create("new@next.example").id == user.id + 1


def test_migration_0006_keeps_every_row_and_stops_id_reuse(db_url: str) -> None:
    """A database made by 0001-0005 with members, clubs, feedback, accounts and sessions: after
    0006 every row is still there (SQLite copies the tables with foreign keys off, so nothing
    cascades), foreign keys are on again, and a deleted highest id is not given out again."""
    store = Storage(db_url)
    with store.engine.connect() as raw:
        conn = raw.execution_options(curator_write=True)
        command.upgrade(store._alembic_config(conn), "0005")
        conn.commit()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows = {"members": 3, "club_memberships": 3, "feedback_events": 3, "web_users": 2, "web_sessions": 2,
            "member_profiles": 0, "web_rss_tokens": 3}
    with store.engine.begin() as c:
        c.execute(sa.text("INSERT INTO clubs VALUES ('c', 'C', 'C', '', '', :n)"), {"n": now})
        c.execute(sa.text("INSERT INTO sources (id, title, url, areas, visibility, poll_minutes, enabled, kind, "
                          "in_config, error_count, broken, created_at, updated_at) VALUES ('s', 'S', 'u', '[]', "
                          "'public', 60, true, 'article', true, 0, false, :n, :n)"), {"n": now})
        c.execute(sa.text("INSERT INTO items (source_id, key, kind, title, summary, content_html, text, published, "
                          "first_seen, updated_at, content_hash, visibility) VALUES ('s', 'k', 'article', 't', '', "
                          "'', '', :n, :n, :n, 'h', 'public')"), {"n": now})
        item = c.execute(sa.text("SELECT id FROM items")).scalar_one()
        for n in range(1, 4):
            mid = c.execute(sa.text(
                "INSERT INTO members (email, name, language, status, declared_areas, interests, tracking_consent, "
                "created_at, updated_at) VALUES (:e, 'N', 'de', 'member', '[]', '', false, :n, :n) RETURNING id"),
                {"e": f"m{n}@example.org", "n": now}).scalar_one()
            c.execute(sa.text("INSERT INTO club_memberships VALUES (:m, 'c', 'ed', :n)"), {"m": mid, "n": now})
            c.execute(sa.text("INSERT INTO feedback_events (member_id, item_id, kind, at) VALUES (:m, :i, 'save', :n)"),
                      {"m": mid, "i": item, "n": now})
            c.execute(sa.text("INSERT INTO web_rss_tokens VALUES (:m, 1, true, :n)"), {"m": mid, "n": now})
            if n < 3:
                uid = c.execute(sa.text(
                    "INSERT INTO web_users (email, role, member_id, digest_frequency, disabled, created_at, "
                    "updated_at) VALUES (:e, 'member', :m, 'weekly', false, :n, :n) RETURNING id"),
                    {"e": f"m{n}@example.org", "m": mid, "n": now}).scalar_one()
                c.execute(sa.text("INSERT INTO web_sessions VALUES (:h, :u, 'member', '{}', :n, :n)"),
                          {"h": f"h{n}", "u": uid, "n": now})
    store.migrate()
    with store.engine.begin() as c:
        assert {t: c.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in rows} == rows
        assert c.execute(sa.text("SELECT count(*) FROM members WHERE colleague_mail")).scalar_one() == 3
        if store.dialect == "sqlite":
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            ddl = c.execute(sa.text("SELECT sql FROM sqlite_master WHERE name IN ('members', 'web_users')")).scalars()
            assert all("AUTOINCREMENT" in sql for sql in ddl)
        top = c.execute(sa.text("SELECT max(id) FROM members")).scalar_one()
        c.execute(sa.text("DELETE FROM members WHERE id = :i"), {"i": top})
        assert c.execute(sa.text("SELECT count(*) FROM club_memberships")).scalar_one() == 2  # cascades work again
        new = c.execute(sa.text(
            "INSERT INTO members (email, name, language, status, declared_areas, interests, tracking_consent, "
            "created_at, updated_at) VALUES ('x@example.org', 'X', 'de', 'member', '[]', '', false, :n, :n) "
            "RETURNING id"), {"n": now}).scalar_one()
        assert new == top + 1
    store.close()

"""Member posts (submit, approve, reject) and the JSONL archive import."""

from __future__ import annotations

import io
import json

import pytest

from curator.core import Curator
from curator.errors import InvalidInput, WorkflowError
from curator.types import ItemQuery

TEXT = ("Wie der Mittelstand mit kleinen Schritten in die Automatisierung einsteigt: "
        "drei Erfahrungen aus unseren Projekten im Hamburger Hafen.")


def test_post_is_pending_until_approved_then_becomes_an_item(curator: Curator) -> None:
    post = curator.posts.submit(title="Automatisierung im Mittelstand", text=TEXT, author_name="Jana Frey",
                               organisation="Hafenlogistik Nord GmbH", author_email="jana@example.org")
    assert post.status == "pending" and post.lang == "de"
    assert curator.items.list(ItemQuery()) == []
    approved = curator.posts.approve(post.id, editor="editor@cluster.example")
    assert approved.status == "approved" and approved.decided_by == "editor@cluster.example"
    item = curator.items.get(approved.item_id)  # type: ignore[arg-type]
    assert item.source_id == "member-posts" and item.kind == "member_post" and item.visibility == "members"
    assert "Hafenlogistik Nord GmbH" in (item.author or "")
    with pytest.raises(WorkflowError, match="already approved"):
        curator.posts.reject(post.id, editor="other@cluster.example", reason="late")


def test_reject_needs_reason_and_keeps_it(curator: Curator) -> None:
    post = curator.posts.submit(title="Buy our product", text="Our product is the best, buy it now at a discount!",
                               author_name="Sales")
    with pytest.raises(InvalidInput, match="reason"):
        curator.posts.reject(post.id, editor="e@x.example", reason=" ")
    rejected = curator.posts.reject(post.id, editor="e@x.example", reason="Advertising")
    assert (rejected.status, rejected.reason, rejected.item_id) == ("rejected", "Advertising", None)
    assert [p.id for p in curator.posts.list("rejected")] == [post.id]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "", "text": TEXT, "author_name": "A"}, "title is empty"),
        ({"title": "T", "text": "short", "author_name": "A"}, "shorter than 20"),
        ({"title": "T", "text": TEXT, "author_name": " "}, "name is missing"),
        ({"title": "T", "text": TEXT, "author_name": "A", "link": "javascript:alert(1)"}, "web address"),
        ({"title": "T", "text": TEXT, "author_name": "A", "visibility": "everyone"}, "visibility"),
    ],
)
def test_malformed_posts_get_a_clear_error_and_store_nothing(curator: Curator, kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        curator.posts.submit(**kwargs)
    assert curator.posts.list() == []


def test_post_markup_is_stored_escaped_not_executable(curator: Curator) -> None:
    post = curator.posts.submit(title="Templates {{ 7*7 }}", author_name="A",
                               text="Hello </mj-text><script>alert(1)</script> {% raw %} world, long enough.")
    item = curator.items.get(curator.posts.approve(post.id, editor="e").item_id)  # type: ignore[arg-type]
    assert "<script" not in item.content_html and "&lt;/mj-text&gt;" in item.content_html


def test_import_jsonl_reports_bad_lines_and_never_duplicates(curator: Curator) -> None:
    lines = [
        json.dumps({"id": "1", "title": "AI Act enters into force", "text": "The EU regulation on AI applies.",
                    "lang": "en", "published": "2026-10-01T10:00:00+02:00", "source": "bbc"}),
        "{not json",
        json.dumps({"id": "2", "title": "", "text": "x"}),
        json.dumps({"id": "3", "title": "Fachkräftemangel", "text": "Unternehmen suchen IT-Fachkräfte.\x00",
                    "url": "https://x.example/a?utm_medium=rss"}),
        json.dumps(["not", "an", "object"]),
    ]
    res = curator.items.import_jsonl(io.StringIO("\n".join(lines)))
    assert (res.new, res.updated, res.unchanged) == (2, 0, 0)
    assert [n for n, _ in res.errors] == [2, 3, 5]
    assert "line 3" in res.errors[1][1] and "title" in res.errors[1][1]
    items = {i.title: i for i in curator.items.list(ItemQuery())}
    assert items["AI Act enters into force"].source_id == "import-bbc"
    assert items["AI Act enters into force"].published.isoformat() == "2026-10-01T08:00:00+00:00"
    assert items["Fachkräftemangel"].lang == "de" and "\x00" not in items["Fachkräftemangel"].text
    assert items["Fachkräftemangel"].canonical_url == "https://x.example/a"
    again = curator.items.import_jsonl(io.StringIO("\n".join(lines)))
    assert (again.new, again.unchanged) == (0, 2)
    assert len(curator.items.list(ItemQuery())) == 2

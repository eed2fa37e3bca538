"""Unit tests for curator.ingest.posts: checking a submission, the item of an approved post."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from curator.errors import InvalidInput
from curator.ingest.posts import MEMBER_POSTS_SOURCE, check_post, post_item
from curator.types import MemberPost

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TEXT = ("Wie der Mittelstand mit kleinen Schritten in die Automatisierung einsteigt: "
        "drei Erfahrungen aus unseren Projekten im Hamburger Hafen.")


def test_a_good_post_comes_back_cleaned_with_its_language() -> None:
    draft = check_post(title="  Automatisierung\u202e im Mittelstand ", text=f"{TEXT}\x00 ", author_name=" Jana ",
                       author_email=" ", organisation=" Hafenlogistik Nord ", link=" https://x.example/a ")
    assert draft.title == "Automatisierung im Mittelstand" and draft.text == TEXT
    assert (draft.author_name, draft.author_email, draft.organisation) == ("Jana", None, "Hafenlogistik Nord")
    assert (draft.link, draft.lang, draft.visibility) == ("https://x.example/a", "de", "members")
    assert check_post(title="T", text=TEXT, author_name="A", link="  ", lang="en").link is None
    assert check_post(title="T", text=TEXT, author_name="A", lang="en").lang == "en"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "", "text": TEXT, "author_name": "A"}, "title is empty"),
        ({"title": "x" * 301, "text": TEXT, "author_name": "A"}, "longer than 300"),
        ({"title": "T", "text": "short", "author_name": "A"}, "shorter than 20"),
        ({"title": "T", "text": "x" * 20_001, "author_name": "A"}, "longer than 20,000"),
        ({"title": "T", "text": TEXT, "author_name": " "}, "name is missing"),
        ({"title": "T", "text": TEXT, "author_name": "A", "link": "javascript:alert(1)"}, "web address"),
        ({"title": "T", "text": TEXT, "author_name": "A", "lang": "fr"}, "de or en"),
        ({"title": "T", "text": TEXT, "author_name": "A", "visibility": "everyone"}, "visibility"),
        ({"title": "T", "text": TEXT, "author_name": "A", "visibility": "club:it-exec"}, None),
    ],
)
def test_each_rule(kwargs: dict[str, str], message: str | None) -> None:
    if message is None:
        assert check_post(**kwargs).visibility == kwargs["visibility"]
        return
    with pytest.raises(InvalidInput, match=message):
        check_post(**kwargs)


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as err:
        check_post(title="", text="short", author_name="", visibility="all")
    assert str(err.value).count(";") == 3


def _post(**kw: object) -> MemberPost:
    values: dict[str, object] = dict(
        id=7, title="Templates {{ 7*7 }}", text="Hello </mj-text><script>alert(1)</script> world, long enough.",
        link=None, author_name="Jana Frey", author_email="jana@example.org", organisation="Hafenlogistik Nord",
        lang="en", visibility="members", status="pending", reason=None, submitted_at=NOW, decided_at=None,
        decided_by=None, item_id=None)
    values.update(kw)
    return MemberPost(**values)  # type: ignore[arg-type]


def test_post_item() -> None:
    item = post_item(_post(), published=NOW)
    assert (item.key, item.published, item.lang) == ("post:7", NOW, "en")
    assert item.author == "Jana Frey · Hafenlogistik Nord"
    assert "<script" not in item.content_html and "&lt;/mj-text&gt;" in item.content_html
    assert post_item(_post(organisation=None), published=NOW).author == "Jana Frey"
    assert post_item(_post(link="https://x.example/p?utm_source=a"), published=NOW).canonical_url == "https://x.example/p"


def test_member_posts_source_is_internal() -> None:
    assert (MEMBER_POSTS_SOURCE.id, MEMBER_POSTS_SOURCE.kind) == ("member-posts", "member_post")
    assert MEMBER_POSTS_SOURCE.visibility == "members" and not MEMBER_POSTS_SOURCE.enabled

"""Malformed input and every error the JSON API gives (issue 10 #7): the outsider's attacks
replayed one by one. Each error is JSON ``{"error", "status"}`` with a 4xx, bad input names the
field and what it allows, and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from curator.errors import StorageError

from .conftest import ALICE, BOB, EDITOR, RITA, WebWorld
from .test_access import fingerprint


def token(world: WebWorld, email: str) -> dict[str, str]:
    user = world.cur.accounts.user_by_email(email) or world.cur.accounts.create(email)
    _, secret = world.cur.accounts.create_api_token(user.id, "test")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def alice(world: WebWorld) -> tuple[FlaskClient, dict[str, str]]:
    return world.app.test_client(), token(world, ALICE)


def error_of(r: TestResponse, status: int, field: str | None = None) -> dict[str, Any]:
    """The JSON error body, after checking the status, the media type and the field named."""
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.mimetype == "application/json", r.get_data(as_text=True)[:300]
    body = r.get_json()
    assert isinstance(body, dict) and isinstance(body["error"], str) and body["status"] == status
    if field is not None:
        assert body["field"] == field and body["allowed"], body
    return body


def post_raw(client: FlaskClient, path: str, data: bytes | str, headers: dict[str, str],
             content_type: str = "application/json") -> TestResponse:
    return client.post(path, data=data, headers=headers, content_type=content_type)


# --------------------------------------------------------------------------- the two reported attacks

def test_unicode_digit_limit_is_a_400_naming_the_field(world: WebWorld, alice: Any) -> None:
    client, h = alice
    body = error_of(client.get("/api/v1/feed?limit=²", headers=h), 400, "limit")
    assert body["allowed"] == "an integer from 1 to 100"


def test_1e400_item_id_is_a_400_and_stores_nothing(world: WebWorld, alice: Any) -> None:
    client, h = alice
    before = fingerprint(world)
    for raw in ('{"item_id": 1e400, "kind": "rating", "value": 4}', '{"item_id": 1, "kind": "rating", "value": 1e400}'):
        error_of(post_raw(client, "/api/v1/feedback", raw, h), 400, "item_id" if "item_id\": 1e" in raw else "value")
    assert fingerprint(world) == before


# --------------------------------------------------------------------------- query parameters

BAD_LIMITS = ["²", "١٢", " 5", "5 ", "+5", "1_0", "0x10", "0", "101", "-1", "", "abc", "1.5", "NaN",
              "99999999999999999999999", "9" * 5000]
"""Values Python's int() reads (Unicode digits, spaces, underscores, a sign) or that are out of range."""


def test_limit_accepts_only_ascii_integers_in_range(world: WebWorld, alice: Any) -> None:
    client, h = alice
    for value in BAD_LIMITS:
        error_of(client.get("/api/v1/feed", query_string={"limit": value}, headers=h), 400, "limit")


BAD_PARAMETERS = [
    ("/api/v1/feed?area=sports", "area"), ("/api/v1/feed?lang=fr", "lang"), ("/api/v1/items?lang=EN", "lang"),
    ("/api/v1/items?q=" + "x" * 201, "q"), ("/api/v1/items?q=a%00b", "q"), ("/api/v1/items?q=a%1bb", "q"),
    ("/api/v1/feed?limit=5&limit=6", "limit"), ("/api/v1/feed?limt=5", "limt"), ("/api/v1/posts?status=approved", "status"),
    ("/api/v1/items/1?full=1", "full"), ("/api/v1/items/2147483648", "item_id"),
    ("/api/v1/items/99999999999999999999", "item_id"),
]


def test_bad_parameters_name_the_field(world: WebWorld, alice: Any) -> None:
    client, h = alice
    for path, field in BAD_PARAMETERS:
        error_of(client.get(path, headers=h), 400, field)


def test_good_parameters_still_work(world: WebWorld, alice: Any) -> None:
    client, h = alice
    assert client.get("/api/v1/feed?limit=1&area=technology&lang=en", headers=h).status_code == 200
    assert client.get("/api/v1/feed?limit=007", headers=h).status_code == 200  # leading zeros are still digits
    r = client.get("/api/v1/items?q=Public%20article&lang=en", headers=h)
    assert r.status_code == 200 and r.get_json()["items"]
    assert client.get(f"/api/v1/items/{world.items['pub-0']}", headers=h).get_json()["text"]


# --------------------------------------------------------------------------- bodies

BAD_FEEDBACK: list[tuple[str | bytes, str]] = [
    ('{"item_id": NaN, "kind": "save"}', "item_id"), ('{"item_id": Infinity, "kind": "save"}', "item_id"),
    ('{"item_id": -1e400, "kind": "save"}', "item_id"), ('{"item_id": true, "kind": "save"}', "item_id"),
    ('{"item_id": "1", "kind": "save"}', "item_id"), ('{"item_id": 1.5, "kind": "save"}', "item_id"),
    ('{"item_id": 0, "kind": "save"}', "item_id"), ('{"item_id": 2147483648, "kind": "save"}', "item_id"),
    ('{"item_id": 1' + "0" * 400 + ', "kind": "save"}', "item_id"), ('{"item_id": null, "kind": "save"}', "item_id"),
    ('{"kind": "save"}', "item_id"), ('{"item_id": 1}', "kind"), ('{"item_id": 1, "kind": "view"}', "kind"),
    ('{"item_id": 1, "kind": ["save"]}', "kind"), ('{"item_id": 1, "kind": {}}', "kind"),
    ('{"item_id": 1, "kind": "rating"}', "value"), ('{"item_id": 1, "kind": "rating", "value": null}', "value"),
    ('{"item_id": 1, "kind": "rating", "value": 0}', "value"), ('{"item_id": 1, "kind": "rating", "value": 6}', "value"),
    ('{"item_id": 1, "kind": "rating", "value": NaN}', "value"), ('{"item_id": 1, "kind": "rating", "value": "4"}', "value"),
    ('{"item_id": 1, "kind": "rating", "value": 1' + "0" * 400 + "}", "value"),
    ('{"item_id": 1, "kind": "save", "value": 3}', "value"), ('{"item_id": 1, "kind": "save", "admin": true}', "admin"),
    ('{"item_id": 1, "item_id": 2, "kind": "save"}', "body"), ("[]", "body"), ('"save"', "body"), ("null", "body"),
    ("", "body"), ("{", "body"), ("[" * 100_000 + "]" * 100_000, "body"), (b'{"item_id": 1, "kind": "\xff"}', "body"),
]
"""Non-finite and 64-bit-overflowing numbers, booleans and strings for numbers, unknown kinds, a
rating without its value, a value where none belongs, unknown and repeated fields, bodies that are
not objects, not JSON, nested past the parser, or not UTF-8."""


def test_bad_feedback_bodies_name_the_field(world: WebWorld, alice: Any) -> None:
    client, h = alice
    before = fingerprint(world)
    for raw, field in BAD_FEEDBACK:
        error_of(post_raw(client, "/api/v1/feedback", raw, h), 400, field)
    assert fingerprint(world) == before


def test_good_feedback_bodies_are_stored(world: WebWorld, alice: Any) -> None:
    client, h = alice
    pub = world.items["pub-0"]
    for body in ({"item_id": pub, "kind": "rating", "value": 4}, {"item_id": pub, "kind": "rating", "value": 2.5},
                 {"item_id": float(pub), "kind": "save"}, {"item_id": pub, "kind": "more"}):
        r = client.post("/api/v1/feedback", json=body, headers=h)
        assert r.status_code == 201 and r.get_json() == {"stored": True}, (body, r.get_data(as_text=True))


BAD_POSTS: list[tuple[dict[str, Any], str]] = [
    ({"title": "   ", "text": "a long enough text for a post"}, "title"),
    ({"title": "t\x00", "text": "a long enough text for a post"}, "title"),
    ({"title": "x" * 301, "text": "a long enough text for a post"}, "title"),
    ({"title": "t", "text": " " * 30 + "short" + " " * 30}, "text"),
    ({"title": "t", "text": "a long enough text\x00 for a post"}, "text"),
    ({"title": "t", "text": "a long enough text for a post\ud800"}, "text"),
    ({"title": "t", "text": "a long enough text for a post", "link": "javascript:alert(1)"}, "link"),
    ({"title": "t", "text": "a long enough text for a post", "link": "https://ex.example/\x00"}, "link"),
    ({"title": "t", "text": "a long enough text for a post", "link": " https://ex.example/"}, "link"),
    ({"title": "t", "text": "a long enough text for a post", "link": ""}, "link"),
    ({"title": "t", "text": "a long enough text for a post", "visibility": "everyone"}, "visibility"),
    ({"title": "t", "text": "a long enough text for a post", "author_email": "x@y.example"}, "author_email"),
    ({"title": 5, "text": "a long enough text for a post"}, "title"), ({"text": "a long enough text for a post"}, "title"),
]


def test_bad_posts_name_the_field(world: WebWorld, alice: Any) -> None:
    client, h = alice
    before = fingerprint(world)
    for body, field in BAD_POSTS:
        error_of(post_raw(client, "/api/v1/posts", json.dumps(body), h), 400, field)
    assert fingerprint(world) == before


def test_a_good_post_is_submitted(world: WebWorld, alice: Any) -> None:
    client, h = alice
    r = client.post("/api/v1/posts", json={"title": "Our event", "text": "A long enough text about our event.",
                                           "link": "https://adler.example/event", "visibility": "club:it-executive"},
                    headers=h)
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.get_json()["status"] == "pending" and r.get_json()["visibility"] == "club:it-executive"
    titles = [p["title"] for p in client.get("/api/v1/posts", headers=h).get_json()["posts"]]
    assert titles[0] == "Our event" and len(titles) == 2  # and the club post Alice had


# --------------------------------------------------------------------------- 401, 403, 404, 405, 413, 415

def test_no_token_is_a_401_before_any_validation(world: WebWorld) -> None:
    anon = world.app.test_client()
    for r in (anon.get("/api/v1/feed?limit=²"), anon.post("/api/v1/feedback", data="{", content_type="text/plain"),
              anon.get("/api/v1/items/1", headers={"Authorization": "Bearer nonsense"})):
        error_of(r, 401)
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="curator"'


def test_accounts_that_may_not_are_refused_with_403(world: WebWorld) -> None:
    client = world.app.test_client()
    pub = world.items["pub-0"]
    editor = token(world, EDITOR)  # an account without a member record
    error_of(client.post("/api/v1/feedback", json={"item_id": pub, "kind": "save"}, headers=editor), 403)
    error_of(client.post("/api/v1/posts", json={"title": "t", "text": "a long enough text for a post"},
                         headers=editor), 403)
    error_of(client.get("/api/v1/posts?status=pending", headers=token(world, ALICE)), 403)
    assert client.get("/api/v1/posts?status=pending", headers=editor).status_code == 200
    body = {"title": "t", "text": "a long enough text for a post"}
    error_of(client.post("/api/v1/posts", json=body, headers=token(world, RITA)), 403, "visibility")
    error_of(client.post("/api/v1/posts", json={**body, "visibility": "club:it-executive"}, headers=token(world, BOB)),
             403, "visibility")
    assert client.post("/api/v1/posts", json={**body, "visibility": "public"}, headers=token(world, RITA)).status_code == 201


def test_hidden_and_missing_items_are_the_same_json_404(world: WebWorld) -> None:
    client, h = world.app.test_client(), token(world, BOB)
    hidden = client.get(f"/api/v1/items/{world.items['club']}", headers=h)
    missing = client.get("/api/v1/items/999999", headers=h)
    assert error_of(hidden, 404) == error_of(missing, 404)
    assert (error_of(client.post("/api/v1/feedback", json={"item_id": world.items["club"], "kind": "save"}, headers=h), 404)
            == error_of(client.post("/api/v1/feedback", json={"item_id": 999999, "kind": "save"}, headers=h), 404))


def test_unknown_paths_are_json_404s(world: WebWorld, alice: Any) -> None:
    client, h = alice
    for path in ("/api/v1/nope", "/api/v1/items/abc", "/api/v1/items/-3", "/api/v1/feed/", "/api/v1/",
                 "/api/v1/items/1/2", "/api/v1/x%00y"):
        for headers in (h, {}):
            for method in ("GET", "POST", "DELETE"):
                error_of(client.open(path, method=method, headers=headers), 404)


def test_methods_a_path_does_not_take_are_json_405s_with_allow(world: WebWorld, alice: Any) -> None:
    client, h = alice
    for path, allow in (("/api/v1/feed", "GET, HEAD, OPTIONS"), ("/api/v1/feedback", "POST, OPTIONS"),
                        ("/api/v1/posts", "GET, HEAD, POST, OPTIONS"), ("/api/v1/items/1", "GET, HEAD, OPTIONS")):
        for method in ("PUT", "PATCH", "DELETE", "TRACE", "QUERY", "FOO", "GET" if "GET" not in allow else "POST"):
            if method in allow:
                continue
            r = client.open(path, method=method, headers=h)
            error_of(r, 405)
            assert set(r.headers["Allow"].split(", ")) == set(allow.split(", "))
        options = client.open(path, method="OPTIONS")
        assert options.status_code == 200 and set(options.headers["Allow"].split(", ")) == set(allow.split(", "))


def test_bodies_that_are_not_json_are_415(world: WebWorld, alice: Any) -> None:
    client, h = alice
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/jsonx", ""):
        r = client.post("/api/v1/feedback", data='{"item_id": 1, "kind": "save"}',
                        headers={**h, "Content-Type": content_type} if content_type else h)
        error_of(r, 415, "Content-Type")


def test_bodies_over_the_limit_are_413(world: WebWorld, alice: Any) -> None:
    client, h = alice
    raw = json.dumps({"title": "t", "text": "x" * (2 * 1024 * 1024)})
    error_of(post_raw(client, "/api/v1/posts", raw, h), 413)


def test_a_bug_is_a_json_500_and_a_database_failure_a_json_503(world: WebWorld, alice: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    client, h = alice

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(world.cur.feeds, "member_feed", boom)
    body = error_of(client.get("/api/v1/feed", headers=h), 500)
    assert "a bug" not in body["error"]

    def down(*args: Any, **kwargs: Any) -> Any:
        raise StorageError("database error: disk I/O error")

    monkeypatch.setattr(world.cur.feeds, "member_feed", down)
    error_of(client.get("/api/v1/feed", headers=h), 503)


def test_the_description_documents_every_error_an_operation_gives(world: WebWorld) -> None:
    spec = world.app.test_client().get("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            assert "400" in codes, (method, path)
            if op.get("security") != []:
                assert "401" in codes, (method, path)
            if "requestBody" in op:
                assert {"413", "415"} <= codes, (method, path)
                assert op["requestBody"]["required"] is True
    for name in ("Rating", "Action", "NewPost"):
        assert spec["components"]["schemas"][name]["additionalProperties"] is False

"""``GET /api/v1/search``: results within the one visibility rule, validated input, the
documented fields, escaped snippets."""

from __future__ import annotations

from .conftest import ALICE, BOB, CANARY, RITA, WebWorld
from .test_api_errors import error_of, token


def test_search_finds_what_the_caller_may_see_and_nothing_else(world: WebWorld) -> None:
    client = world.app.test_client()
    club_words = f"Club secret {CANARY}"
    alice = client.get("/api/v1/search", query_string={"q": club_words}, headers=token(world, ALICE))
    assert alice.status_code == 200, alice.get_data(as_text=True)
    assert world.items["club"] in [h["item_id"] for h in alice.get_json()["items"]]  # a club member
    for outsider in (BOB, RITA):  # a member outside the club, a registered non-member
        r = client.get("/api/v1/search", query_string={"q": club_words}, headers=token(world, outsider))
        assert r.status_code == 200
        assert CANARY not in r.get_data(as_text=True)
        assert world.items["club"] not in [h["item_id"] for h in r.get_json()["items"]]
    rita = client.get("/api/v1/search", query_string={"q": "members funding briefing"}, headers=token(world, RITA))
    assert world.items["members"] not in [h["item_id"] for h in rita.get_json()["items"]]
    bob = client.get("/api/v1/search", query_string={"q": "members funding briefing"}, headers=token(world, BOB))
    assert bob.get_json()["items"][0]["item_id"] == world.items["members"]


def test_search_results_carry_the_documented_fields_and_safe_snippets(world: WebWorld) -> None:
    r = world.app.test_client().get("/api/v1/search", query_string={"q": "hostile", "limit": 3},
                                    headers=token(world, ALICE))
    hits = r.get_json()["items"]
    assert 1 <= len(hits) <= 3
    first = hits[0]
    assert first["item_id"] == world.items["xss"]
    assert set(first) >= {"item_id", "title", "lang", "score", "url", "areas", "snippet"}
    assert "<mark>Hostile</mark>" in first["snippet"]
    assert "<script" not in first["snippet"] and "<img" not in first["snippet"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_search_filters_by_language_and_area(world: WebWorld) -> None:
    client, headers = world.app.test_client(), token(world, ALICE)
    german = client.get("/api/v1/search", query_string={"q": "public article", "lang": "de"}, headers=headers)
    assert german.get_json()["items"] and all(h["lang"] == "de" for h in german.get_json()["items"])
    work = client.get("/api/v1/search", query_string={"q": "public article", "area": "work"}, headers=headers)
    assert work.get_json()["items"] and all("work" in h["areas"] for h in work.get_json()["items"])


def test_search_input_is_checked_against_the_description(world: WebWorld) -> None:
    client, headers = world.app.test_client(), token(world, ALICE)
    error_of(client.get("/api/v1/search", headers=headers), 400, "q")
    error_of(client.get("/api/v1/search", query_string={"q": ""}, headers=headers), 400, "q")
    error_of(client.get("/api/v1/search", query_string={"q": "x", "limit": "51"}, headers=headers), 400, "limit")
    error_of(client.get("/api/v1/search", query_string={"q": "x", "lang": "fr"}, headers=headers), 400, "lang")
    error_of(client.get("/api/v1/search", query_string={"q": "x"}), 401)
    assert client.get("/api/v1/search", query_string={"q": "?!"}, headers=headers).get_json() == {"items": []}
    described = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in described["parameters"]} == {"q", "area", "lang", "limit"}

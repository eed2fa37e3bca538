"""Editor rules over the JSON API: editors preview, save, switch and delete rules; members are
refused; every answer conforms to the OpenAPI description; a saved block reaches the member's
next feed answer."""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from curator.web.api import OPENAPI

from .conftest import ALICE, EDITOR, WebWorld


def conforms(body: Any, schema_name: str) -> None:
    jsonschema_rs.Draft202012Validator({"$ref": f"#/components/schemas/{schema_name}",
                                        "components": OPENAPI["components"]}).validate(body)


def bearer(world: WebWorld, email: str) -> dict[str, str]:
    user = world.cur.accounts.user_by_email(email) or world.cur.accounts.create(email)
    return {"Authorization": f"Bearer {world.cur.accounts.create_api_token(user.id, 'rules test')[1]}"}


def test_editors_manage_rules_and_members_may_not(world: WebWorld) -> None:
    api = world.app.test_client()
    ed, alice = bearer(world, EDITOR), bearer(world, ALICE)
    new = {"action": "block", "match": "keyword", "pattern": "Public article 3|Public article 5",
           "note": "duplicates of a press release"}
    for method, path, body in [("get", "/api/v1/rules", None), ("post", "/api/v1/rules", new),
                               ("post", "/api/v1/rules/preview", new), ("delete", "/api/v1/rules/1", None),
                               ("patch", "/api/v1/rules/1", {"enabled": False})]:
        r = getattr(api, method)(path, json=body, headers=alice)
        assert r.status_code == 403 and r.get_json()["error"] == "only editors manage rules", (method, path)

    feed = {i["id"] for i in api.get("/api/v1/feed?limit=100", headers=alice).get_json()["items"]}
    target = {world.items["pub-3"], world.items["pub-5"]}
    assert target <= feed

    preview = api.post("/api/v1/rules/preview", json=new, headers=ed)
    assert preview.status_code == 200, preview.get_json()
    conforms(preview.get_json(), "RulePreview")
    p = preview.get_json()
    assert (p["matched"], p["segment"], p["members_in_segment"]) == (2, "everyone", 4)
    assert {e["item_id"] for e in p["examples"]} == target and p["by_language"] == {"de": 2}
    assert api.get("/api/v1/rules", headers=ed).get_json() == {"rules": []}

    saved = api.post("/api/v1/rules", json=new, headers=ed)
    assert saved.status_code == 201
    rule = saved.get_json()
    conforms(rule, "Rule")
    assert (rule["created_by"], rule["enabled"], rule["strength"], rule["segment"]) == (EDITOR, True, 0.0, "everyone")
    feed = {i["id"] for i in api.get("/api/v1/feed?limit=100", headers=alice).get_json()["items"]}
    assert not target & feed  # the member's next feed answer

    listed = api.get("/api/v1/rules", headers=ed).get_json()
    for r in listed["rules"]:
        conforms(r, "Rule")
    assert [r["id"] for r in listed["rules"]] == [rule["id"]]
    off = api.patch(f"/api/v1/rules/{rule['id']}", json={"enabled": False}, headers=ed)
    assert off.status_code == 200 and off.get_json()["enabled"] is False
    conforms(off.get_json(), "Rule")
    assert target <= {i["id"] for i in api.get("/api/v1/feed?limit=100", headers=alice).get_json()["items"]}
    assert api.delete(f"/api/v1/rules/{rule['id']}", headers=ed).get_json() == {"deleted": rule["id"]}
    gone = api.delete(f"/api/v1/rules/{rule['id']}", headers=ed)
    assert gone.status_code == 404 and gone.get_json()["status"] == 404

    boost = api.post("/api/v1/rules", json={"action": "boost", "match": "area", "pattern": "work", "strength": 2,
                                            "segment": "language:de", "note": "Fachkräftewoche"}, headers=ed)
    assert boost.status_code == 201 and boost.get_json()["strength"] == 2.0


def test_bad_rules_are_refused_with_the_field_or_the_reason(world: WebWorld) -> None:
    api, ed = world.app.test_client(), bearer(world, EDITOR)
    for body, status, says in [
        ({"action": "hide", "match": "keyword", "pattern": "x"}, 400, "action"),
        ({"action": "boost", "match": "keyword", "pattern": "x", "strength": 9}, 400, "strength"),
        ({"action": "block", "match": "area", "pattern": "sports"}, 400, "unknown area 'sports'"),
        ({"action": "block", "match": "source", "pattern": "nope"}, 400, "unknown source 'nope'"),
        ({"action": "block", "match": "keyword", "pattern": "x", "segment": "language:fr"}, 400, "language"),
        ({"action": "block", "match": "keyword", "pattern": "x", "extra": 1}, 400, "extra"),
    ]:
        r = api.post("/api/v1/rules", json=body, headers=ed)
        assert r.status_code == status and says in r.get_json()["error"], (body, r.get_json())
    assert api.get("/api/v1/rules", headers=ed).get_json() == {"rules": []}

"""Topic trends and the OPML export over the JSON API, for editors: the trends answer carries the
same topics as ``curator trends --json`` (read from the same database), and the OPML file is the
console's download, which curator reads back. Members are refused, anonymous callers asked for a
token; answers conform to the OpenAPI description. Real storage; the worker's computation runs
on the planted topics with the keyword encoder (tests/trends/planted.py)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from curator.cli import main

from ..trends.planted import RISING_NOW, computed_by_worker
from .conftest import ALICE, EDITOR, WebWorld
from .test_api_rules import bearer, conforms

READER = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>reader</title></head><body>
  <outline text="Gesellschaft 4.0"><outline type="rss" text="Bildung" xmlUrl="https://bildung.example/feed"/></outline>
  <outline type="rss" text="Data policy" xmlUrl="https://policy.example/rss"/>
</body></opml>
"""


def test_editors_read_topic_trends_as_the_cli_prints_them(world: WebWorld) -> None:
    api, ed = world.app.test_client(), bearer(world, EDITOR)
    assert api.get("/api/v1/trends").status_code == 401
    refused = api.get("/api/v1/trends", headers=bearer(world, ALICE))
    assert refused.status_code == 403 and refused.get_json()["error"] == "only editors read topic trends"

    before = api.get("/api/v1/trends?period=30d&lang=en", headers=ed)
    assert before.status_code == 200
    conforms(before.get_json(), "TopicTrends")
    assert before.get_json()["topics"] == [] and before.get_json()["computed_at"] is None
    assert world.cur.trends.latest(30) is None  # the request did not start a computation

    stored = computed_by_worker(world.cur)  # the worker's job, on the same database

    en = api.get("/api/v1/trends", headers=ed)  # 30d and en when left out
    body = en.get_json()
    conforms(body, "TopicTrends")
    assert (body["period_days"], body["items_current"], body["items_previous"]) == (
        30, stored.items_current, stored.items_previous)
    assert body["computed_at"] == stored.computed_at.isoformat()
    top = body["topics"][0]
    assert top["rising"] is True and top["items"] == RISING_NOW and top["label"] == stored.topics[0].label_en
    assert sum(t["rising"] for t in body["topics"]) == 1 and top["examples"]

    runner, db = CliRunner(), ["--database", world.cur.settings.database_url]
    for lang in ("en", "de"):
        cli = runner.invoke(main, [*db, "trends", "--period", "30d", "--json", "--lang", lang])
        assert cli.exit_code == 0, cli.output
        answer = api.get(f"/api/v1/trends?period=30d&lang={lang}", headers=ed).get_json()
        assert answer["topics"] == json.loads(cli.output)
    assert answer["topics"][0]["label"] == stored.topics[0].label_de != stored.topics[0].label_en

    weeks = api.get("/api/v1/trends?period=4w", headers=ed).get_json()  # 28 days: not computed
    assert (weeks["period_days"], weeks["topics"]) == (28, [])
    for bad in ("0d", "30m", "1e3", "30d\n", "-3", "30 d"):
        r = api.get("/api/v1/trends", query_string={"period": bad}, headers=ed)
        assert r.status_code == 400 and r.get_json()["field"] == "period", bad
    r = api.get("/api/v1/trends?lang=fr", headers=ed)
    assert r.status_code == 400 and r.get_json()["field"] == "lang"


def test_editors_export_the_sources_as_opml(world: WebWorld) -> None:
    cur, api, ed = world.cur, world.app.test_client(), bearer(world, EDITOR)
    added = cur.sources.import_opml(READER, where="reader.opml")
    assert [r.outcome for r in added] == ["added", "added"]
    assert api.get("/api/v1/sources.opml").status_code == 401
    refused = api.get("/api/v1/sources.opml", headers=bearer(world, ALICE))
    assert refused.status_code == 403 and refused.mimetype == "application/json"
    assert refused.get_json()["error"] == "only editors export the sources"

    en = api.get("/api/v1/sources.opml", headers=ed)
    assert en.status_code == 200 and en.mimetype == "text/x-opml"
    assert en.headers["Content-Disposition"] == 'attachment; filename="sources.opml"'
    text = en.get_data(as_text=True)
    assert "https://bildung.example/feed" in text and "https://policy.example/rss" in text
    assert 'text="Society 4.0"' in text and "Gesellschaft 4.0" not in text
    de = api.get("/api/v1/sources.opml?lang=de", headers=ed).get_data()
    assert b'text="Gesellschaft 4.0"' in de
    console = world.client(EDITOR).get("/editor/sources.opml", headers={"Accept-Language": "de"})
    assert console.get_data() == de  # the console's download, byte for byte
    back = cur.sources.import_opml(de, where="api.opml", dry_run=True)  # curator reads it back
    assert {r.url: r.outcome for r in back} == {"https://bildung.example/feed": "exists",
                                                "https://policy.example/rss": "exists"}
    bad = api.get("/api/v1/sources.opml?lang=fr", headers=ed)
    assert bad.status_code == 400 and bad.get_json()["field"] == "lang"



def test_the_description_promises_the_topic_fields_of_the_cli() -> None:
    from curator.web.api import OPENAPI

    topic = OPENAPI["components"]["schemas"]["Topic"]
    assert {"label", "areas", "items", "change", "rising"} <= set(topic["required"])
    assert "text/x-opml" in OPENAPI["paths"]["/api/v1/sources.opml"]["get"]["responses"]["200"]["content"]

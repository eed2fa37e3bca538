"""An editor moves sources in and out of the console as OPML: downloads every source, uploads a
feed reader's file, sees what would be added and what is refused (nothing stored yet), confirms,
and finds the new sources with the areas of their folders. Real storage, the real app."""

from __future__ import annotations

import io
import re

from tests.web.conftest import ALICE, EDITOR, WebWorld, csrf_of

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Feeds aus dem Feedreader</title></head>
  <body>
    <outline text="Gesellschaft 4.0" title="Gesellschaft 4.0">
      <outline type="rss" text="Bildung &amp; Teilhabe" xmlUrl="https://bildung.example/feed" language="de"/>
      <outline type="rss" text="Intranet" xmlUrl="http://192.168.1.20/rss"/>
      <outline type="rss" text="Script" xmlUrl="javascript:alert(1)"/>
    </outline>
    <outline type="rss" text="Data policy" xmlUrl="https://policy.example/rss"/>
  </body>
</opml>
"""


def upload(data: bytes, name: str = "reader.opml") -> dict[str, object]:
    return {"opml": (io.BytesIO(data), name)}


def test_an_editor_previews_then_imports_an_opml_file_and_downloads_the_sources(world: WebWorld) -> None:
    cur, ed = world.cur, world.client(EDITOR)
    before = {h.source.id for h in cur.sources.health()}
    page = ed.get("/editor/sources").get_data(as_text=True)
    assert 'href="/editor/sources.opml"' in page and 'enctype="multipart/form-data"' in page
    tok = csrf_of(ed, "/editor/sources")

    r = ed.post("/editor/opml/preview", data={**upload(READER_EXPORT)}, content_type="multipart/form-data")
    assert r.status_code == 400  # no CSRF token: refused like every other form
    r = ed.post("/editor/opml/preview", data={"csrf_token": tok, **upload(READER_EXPORT)},
                content_type="multipart/form-data")
    assert r.status_code == 200
    preview = r.get_data(as_text=True)
    assert {h.source.id for h in cur.sources.health()} == before  # nothing stored before the confirmation
    rows = re.findall(r'<tr class="opml-(\w+)"><td>(\d+)</td><td>(.*?)<br>', preview)
    assert [(o, int(line), title) for o, line, title in rows] == [
        ("added", 6, "Bildung &amp; Teilhabe"), ("rejected", 7, "Intranet"), ("rejected", 8, "Script"),
        ("added", 10, "Data policy")]
    assert "will be added" in preview and "address not allowed" in preview and "Society 4.0" in preview
    carried = re.search(r'name="opml" value="([^"]+)"', preview)
    assert carried

    r = ed.post("/editor/opml/import", data={"csrf_token": tok, "opml": carried.group(1), "name": "reader.opml"},
                content_type="multipart/form-data")
    assert r.status_code == 200
    done = r.get_data(as_text=True)
    assert "Import finished: 2 added, 0 already there, 2 refused." in done
    new = {h.source.id: h.source for h in cur.sources.health()}
    assert set(new) - before == {"bildung-teilhabe", "data-policy"}
    assert (new["bildung-teilhabe"].areas, new["bildung-teilhabe"].lang, new["bildung-teilhabe"].origin) == (
        ("society",), "de", "console")
    assert new["data-policy"].areas == () and new["data-policy"].enabled

    # the same confirmation again (a second click) adds nothing twice
    r = ed.post("/editor/opml/import", data={"csrf_token": tok, "opml": carried.group(1), "name": "reader.opml"},
                content_type="multipart/form-data")
    assert "Import finished: 0 added, 2 already there, 2 refused." in r.get_data(as_text=True)

    r = ed.get("/editor/sources.opml")
    assert r.status_code == 200 and r.mimetype == "text/x-opml"
    assert r.headers["Content-Disposition"] == 'attachment; filename="sources.opml"'
    exported = r.get_data()
    assert b'xmlUrl="https://bildung.example/feed"' in exported
    assert exported.count(b'type="rss"') == len([h for h in cur.sources.health()
                                                 if h.status not in ("internal", "retired")])
    # what was downloaded reads back: every feed is already there
    assert {r.outcome for r in cur.sources.import_opml(exported, where="sources.opml", dry_run=True)} == {"exists"}


def test_a_file_that_is_no_opml_is_refused_on_the_sources_page_in_the_editors_language(world: WebWorld) -> None:
    ed = world.client(EDITOR)
    tok = csrf_of(ed, "/editor/sources")
    r = ed.post("/editor/opml/preview", data={"csrf_token": tok, **upload(b"<!DOCTYPE opml [<!ENTITY x 'y'>]><opml/>",
                                                                          "evil.opml")},
                content_type="multipart/form-data")
    assert r.status_code == 400
    assert "evil.opml, line 1: the file has a DOCTYPE declaration" in r.get_data(as_text=True)
    r = ed.post("/editor/opml/preview", data={"csrf_token": tok}, content_type="multipart/form-data",
                headers={"Accept-Language": "de"})
    assert r.status_code == 400 and "Bitte zuerst eine OPML-Datei auswählen." in r.get_data(as_text=True)
    r = ed.post("/editor/opml/import", data={"csrf_token": tok, "opml": "not base64!"},
                content_type="multipart/form-data")
    assert r.status_code == 400


def test_members_cannot_import_or_download_sources(world: WebWorld) -> None:
    member = world.client(ALICE)
    assert member.get("/editor/sources.opml").status_code == 403
    tok = csrf_of(member, "/preferences")
    r = member.post("/editor/opml/preview", data={"csrf_token": tok, **upload(READER_EXPORT)},
                    content_type="multipart/form-data")
    assert r.status_code == 403
    assert not {"bildung-teilhabe", "data-policy"} & {h.source.id for h in world.cur.sources.health()}

"""Editor rules in the console: an editor tests a rule on the last 30 days, saves it from the
preview, switches it off and deletes it; the page is in German and English, every form carries
the CSRF token and members are refused."""

from __future__ import annotations

import re

from .conftest import ALICE, EDITOR, WebWorld, csrf_of


def test_an_editor_previews_saves_switches_and_deletes_a_rule(world: WebWorld) -> None:
    cur, ed = world.cur, world.client(EDITOR)
    page = ed.get("/editor/rules").get_data(as_text=True)
    assert 'href="/editor/rules"' in page and "Test on the last 30 days" in page and "Save rule" not in page
    tok = csrf_of(ed, "/editor/rules")
    form = {"csrf_token": tok, "action": "block", "match": "keyword", "pattern": "Public article 3|Public article 5",
            "segment": "everyone", "note": "press release twice", "step": "preview"}
    shown = ed.post("/editor/rules", data=form)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Would hide 2 of" in html and "for 4 of 4 members" in html
    assert "Public article 3 on society" in html and "Public article 5 on technology" in html
    assert 'value="Public article 3|Public article 5"' in html and "Save rule" in html
    assert cur.rules.list() == []  # a preview saves nothing

    saved = ed.post("/editor/rules", data={**form, "step": "save"})
    assert saved.status_code == 302
    (rule,) = cur.rules.list()
    assert (rule.action, rule.created_by, rule.note, rule.enabled) == ("block", EDITOR, "press release twice", True)
    listed = ed.get("/editor/rules").get_data(as_text=True)
    assert f'id="rule-{rule.id}"' in listed and "Rule saved." in listed
    assert world.items["pub-3"] not in {s.item.id for s in cur.feeds.member_feed(
        cur.accounts.user_by_email(ALICE) or cur.accounts.create(ALICE), limit=100)}

    assert ed.post(f"/editor/rules/{rule.id}/enabled", data={"csrf_token": tok, "enabled": "0"}).status_code == 302
    assert not cur.rules.get(rule.id).enabled
    row = re.search(rf'<tr id="rule-{rule.id}" class="off">(.*?)</tr>', ed.get("/editor/rules").get_data(as_text=True),
                    re.S)
    assert row and ">Enable<" in row.group(1)
    assert ed.post(f"/editor/rules/{rule.id}/delete", data={"csrf_token": tok}).status_code == 302
    assert cur.rules.list() == []
    assert ed.post(f"/editor/rules/{rule.id}/delete", data={"csrf_token": tok}).status_code == 404


def test_a_refused_rule_says_why_and_keeps_the_form(world: WebWorld) -> None:
    ed = world.client(EDITOR)
    tok = csrf_of(ed, "/editor/rules")
    r = ed.post("/editor/rules", data={"csrf_token": tok, "action": "boost", "match": "area", "pattern": "sports",
                                       "segment": "everyone", "strength": "2", "note": "", "step": "preview"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "unknown area &#39;sports&#39;" in html and 'value="sports"' in html
    r = ed.post("/editor/rules", data={"csrf_token": tok, "action": "boost", "match": "area", "pattern": "work",
                                       "strength": "lots", "step": "save"})
    assert r.status_code == 400 and "strength must be a number" in r.get_data(as_text=True)
    assert world.cur.rules.list() == []


def test_forms_need_the_csrf_token_and_the_editor_role(world: WebWorld) -> None:
    ed = world.client(EDITOR)
    r = ed.post("/editor/rules", data={"action": "block", "match": "keyword", "pattern": "x", "step": "save"})
    assert r.status_code == 400 and world.cur.rules.list() == []
    member = world.client(ALICE)
    assert member.get("/editor/rules").status_code == 403


def test_the_page_in_german(world: WebWorld) -> None:
    ed = world.client(EDITOR)
    html = ed.get("/editor/rules", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "An den letzten 30 Tagen testen" in html and "Regeln" in html

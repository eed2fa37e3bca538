"""The digest workbench's "Insert topics block" button (no JavaScript): it posts the texts form
of one language, with what the editor typed, to a route that appends the newest topic trends'
block in that language to that intro and returns to the texts' anchor. Real storage; the
worker's computation runs on the planted topics with the keyword encoder."""

from __future__ import annotations

from ..trends.planted import computed_by_worker
from .conftest import ALICE, EDITOR, WebWorld, csrf_of
from .test_editor_workbench import _draft, _page


def test_before_the_first_computation_the_typed_texts_are_saved_and_nothing_is_computed(world: WebWorld) -> None:
    ed = world.client(EDITOR)
    issue_id, tok = _draft(world, ed)
    r = ed.post(f"/editor/digests/{issue_id}/topics",
                data={"text_lang": "en", "csrf_token": tok, "subject": "News", "intro": "Dear members,"})
    assert r.status_code == 302 and r.headers["Location"].endswith("#texts-en")
    assert world.cur.digests.get(issue_id).texts["en"]["intro"] == "Dear members,"
    assert "No topic trends computed yet" in ed.get(r.headers["Location"]).get_data(as_text=True)
    assert world.cur.trends.latest() is None  # a page request never starts the computation


def test_the_topics_block_is_appended_to_the_intro_of_one_language(world: WebWorld) -> None:
    rising = computed_by_worker(world.cur).topics[0]  # the worker's job, on the same database
    assert rising.rising

    ed = world.client(EDITOR)
    issue_id, tok = _draft(world, ed)
    html = _page(ed, issue_id)
    action = f'formaction="/editor/digests/{issue_id}/topics"'
    assert html.count(action) == 2 and 'id="insert-topics-de"' in html and "Insert topics block" in html
    en_before = world.cur.digests.get(issue_id).texts.get("en", {}).get("intro", "")

    url = f"/editor/digests/{issue_id}/topics"
    typed = {"text_lang": "de", "subject": "Neues aus dem Cluster", "preheader": "", "intro": "Liebe Mitglieder,  \n"}
    assert ed.post(url, data=typed).status_code == 400  # no CSRF token: refused like every form
    alice = world.client(ALICE)
    assert alice.post(url, data={**typed, "csrf_token": csrf_of(alice, "/me/preferences")}).status_code == 403
    r = ed.post(url, data={**typed, "csrf_token": tok, "area": "work"})
    assert r.status_code == 302 and r.headers["Location"].endswith("#texts-de")
    assert r.headers["Location"].startswith(f"/editor/digests/{issue_id}?area=work")  # filters kept

    texts = world.cur.digests.get(issue_id).texts
    de = texts["de"]["intro"]
    assert de.startswith("Liebe Mitglieder,\n\nThemen der letzten 30 Tage\n")  # what was typed is kept
    assert f"- {rising.label_de}: " in de and "steigend" in de
    assert texts["de"]["subject"] == "Neues aus dem Cluster"
    assert texts.get("en", {}).get("intro", "") == en_before  # the other language is untouched
    back = ed.get(r.headers["Location"]).get_data(as_text=True)
    assert "Topics block added to the intro." in back and "Liebe Mitglieder," in back

    # without an intro field the stored intro is extended
    r = ed.post(url, data={"text_lang": "en", "csrf_token": tok})
    assert r.status_code == 302 and r.headers["Location"].endswith("#texts-en")
    en = world.cur.digests.get(issue_id).texts["en"]["intro"]
    assert en.startswith(en_before.rstrip()) and "Topics of the last 30 days" in en
    assert f"- {rising.label_en}: " in en and "rising" in en and "Themen" not in en
    assert ed.post(url, data={"lang": "fr", "csrf_token": tok}).status_code == 400

"""The editor's "teach the tagger" page: items whose correction would teach the most, one click to
confirm or change their areas through the ordinary correction path (CSRF, editors only, i18n)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from markupsafe import escape

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import make_curator
from curator.i18n import MESSAGES

from .conftest import ALICE, EDITOR, RecordingSender, WebWorld, build_world, csrf_of

pytestmark = pytest.mark.timeout(300)


def test_teach_page_lists_uncertain_items_and_confirms_in_one_click(world: WebWorld) -> None:
    cur = world.cur
    cur.tagging.tag()
    expected = cur.tagging.to_teach(limit=10, days=14)
    assert expected, "the tagged world should have something to teach"
    assert all(not i.duplicate_of and i.area_scores for i in expected)
    assert world.client(ALICE).get("/editor/teach").status_code == 403
    ed = world.client(EDITOR)
    page = ed.get("/editor/teach").get_data(as_text=True)
    assert MESSAGES["ed_teach"]["en"] in page
    # one encoder: its scores decided every area, nothing to explain
    assert str(escape(MESSAGES["teach_secondary_note"]["en"])) not in page and " *</label>" not in page
    positions = [page.index(str(escape(i.title))) for i in expected]
    assert positions == sorted(positions)  # shown in teaching order
    first = expected[0]
    tok = csrf_of(ed, "/editor/teach")
    # Without the CSRF token nothing is stored.
    assert ed.post(f"/editor/items/{first.id}/tags", data={"primary": "society", "back": "teach"}).status_code == 400
    r = ed.post(f"/editor/items/{first.id}/tags",
                data={"csrf_token": tok, "primary": "society", "areas": ["work", "society"], "back": "teach"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/editor/teach")
    assert cur.items.get(first.id).areas == ("society", "work")  # the main area first
    assert [c.areas for c in cur.storage.corrections() if c.item_id == first.id] == [("society", "work")]
    # A corrected item is not asked about again.
    assert first.id not in {i.id for i in cur.tagging.to_teach(limit=10, days=14)}
    second = cur.tagging.to_teach(limit=1, days=14)[0]
    ed.post(f"/editor/items/{second.id}/tags", data={"csrf_token": tok, "primary": "none", "areas": ["work"],
                                                     "back": "teach"})
    assert cur.items.get(second.id).areas == ()


def test_teach_page_in_german_and_when_nothing_is_left(world: WebWorld) -> None:
    cur = world.cur
    cur.tagging.tag()
    ed = world.client(EDITOR)
    page = ed.get("/editor/teach", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert MESSAGES["ed_teach"]["de"] in page and MESSAGES["teach_confirm"]["de"] in page
    tok = csrf_of(ed, "/editor/teach")
    for _ in range(100):  # confirm everything the page asks about, one click each
        left = cur.tagging.to_teach(limit=10, days=14)
        if not left:
            break
        for item in left:
            primary = item.areas[0] if item.areas else "none"
            ed.post(f"/editor/items/{item.id}/tags", data={"csrf_token": tok, "primary": primary,
                                                          "areas": list(item.areas), "back": "teach"})
            assert cur.items.get(item.id).areas == item.areas  # confirmed as the tagger had it
    page = ed.get("/editor/teach", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert str(escape(MESSAGES["teach_none"]["de"])) in page
    assert cur.tagging.to_teach(limit=0) == []


@pytest.fixture
def ensemble_world(web_settings: Settings, clock: FixedClock, web_mail: RecordingSender) -> Iterator[WebWorld]:
    """The web world with an ensemble tagger (a second fake encoder, as ``second_encoder`` sets it)."""
    c = make_curator(web_settings.replace(second_encoder="fake:48"), clock=clock, account_sender=web_mail)
    try:
        yield build_world(c, web_mail)
    finally:
        c.close()


def test_teach_page_says_why_an_ensembles_further_areas_are_ticked(ensemble_world: WebWorld) -> None:
    """An ensemble's scores are both encoders' joint reading, while its further areas are those its
    first encoder alone tags: a ticked area can carry a low score. The page marks every ticked
    further area and says why, in the editor's language."""
    cur = ensemble_world.cur
    cur.tagging.tag()
    assert cur.tagging.ensemble
    shown = cur.tagging.to_teach(limit=10, days=14)
    further = sum(len(i.areas[1:]) for i in shown)
    assert further, "the tagged world should show an item with a further area"
    ed = ensemble_world.client(EDITOR)
    for lang in ("en", "de"):
        page = ed.get("/editor/teach", headers={"Accept-Language": lang}).get_data(as_text=True)
        assert page.count(str(escape(MESSAGES["teach_secondary_note"][lang]))) == 1
        assert page.count(" *</label>") == further  # exactly the ticked further areas carry the mark
        for item in shown:
            card = page[page.index(str(escape(item.title))):]
            card = card[:card.index("</form>")]
            for area in item.areas[1:]:
                assert f'value="{area}" checked>' in card

"""Search in the member area in headless Chromium with the real encoder (multilingual-e5-small):
an English query finds a German article; a closed club's item never shows for someone outside
the club, whatever they type. Plain GET forms: the page works without JavaScript (it is switched
off here). Screenshots go where the other browser tests put theirs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import ALICE, BOB, CANARY
from .test_browser import Mailbox, browser, screenshots, shot, sign_in_by_link, site  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(300)]

ARTICLES = [
    ("de-fachkraefte", "de", "Unternehmen finden kaum noch Fachkräfte",
     "Laut einer Umfrage der Kammern bleiben viele Stellen für Ingenieure, IT-Spezialisten und Pflegekräfte "
     "monatelang unbesetzt. Die Betriebe rechnen mit weiteren Engpässen, wenn die Babyboomer in Rente gehen."),
    ("de-derby", "de", "HSV gewinnt das Derby gegen St. Pauli",
     "Vor ausverkauftem Haus setzte sich der HSV mit 2:1 durch. Die Fans feierten bis in die Nacht."),
    ("de-grundsteuer", "de", "Gemeinden erhöhen die Grundsteuer",
     "Viele Kommunen heben die Hebesätze an, um ihre Haushalte auszugleichen."),
    ("en-soup", "en", "Five easy pumpkin soup recipes for autumn",
     "Roast the pumpkin, add ginger and coconut milk, and blend until smooth."),
    ("en-chips", "en", "Chip maker opens a new factory in Ohio",
     "The plant will produce processors for cars and data centres from next year."),
]


@pytest.fixture
def site_settings() -> dict[str, Any]:
    return {"encoder": "e5"}


def test_english_query_finds_german_article_and_club_items_stay_closed(
        browser: Any, site: tuple[str, Any, Mailbox], screenshots: Path) -> None:  # noqa: F811
    base, world, box = site
    cur = world.cur
    cur.items.import_jsonl([json.dumps({"id": k, "lang": lang, "title": t, "text": x})
                            for k, lang, t, x in ARTICLES])
    cur.tagging.tag()  # vectors of every item, as the worker makes them
    german = next(i.id for i in cur.items.list() if i.key == "import:de-fachkraefte")

    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 900})
    page = ctx.new_page()
    sign_in_by_link(page, base, box, BOB)  # a member, but not in the IT Executive Club
    page.click("nav >> text=Search")
    page.fill("#search-q", "skills shortage")
    page.click("form.search-form button[type=submit]")
    page.wait_for_selector("h2.results")
    results = page.locator("ol.search-results li.item")
    ids = [int(re.sub(r"\D", "", results.nth(n).get_attribute("id") or "")) for n in range(results.count())]
    assert german in ids[:3], [results.nth(n).inner_text()[:80] for n in range(results.count())]
    assert page.locator(f"#item-{german}").get_attribute("lang") == "de"
    shot(page, "search-cross-language", screenshots)

    # the club's item: its own words find it for a club member, never for Bob
    page.fill("#search-q", f"Club secret {CANARY}")
    page.click("form.search-form button[type=submit]")
    page.wait_for_selector("h2.results")
    assert page.locator(f"#item-{world.items['club']}").count() == 0
    assert CANARY not in page.locator("ol.search-results").inner_text()
    ctx.close()

    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    sign_in_by_link(page, base, box, ALICE)  # in the club
    page.goto(f"{base}/search?q=Club+secret+{CANARY}")
    assert page.locator(f"#item-{world.items['club']}").count() == 1
    assert page.locator(f"#item-{world.items['club']} mark").count() >= 1
    ctx.close()

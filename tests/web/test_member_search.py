"""The member area's search page: ranked, highlighted, filtered, escaped, within the one
visibility rule, in German and English, without JavaScript (a plain GET form)."""

from __future__ import annotations

import re

from .conftest import ALICE, BOB, CANARY, XSS_TITLE, WebWorld


def results(html: str) -> str:
    """The result list of a search page ("" when the page has none)."""
    m = re.search(r'<ol class="items search-results">(.*?)</ol>', html, re.S)
    return m.group(1) if m else ""


def test_search_page_is_a_plain_form_and_shows_nothing_before_a_query(world: WebWorld) -> None:
    html = world.client().get("/search").get_data(as_text=True)
    assert re.search(r'<form method="get"[^>]*action="/search"', html)
    assert 'name="q"' in html and 'name="area"' in html and 'name="lang"' in html
    assert "search-results" not in html


def test_results_are_highlighted_and_escaped(world: WebWorld) -> None:
    html = world.client().get("/search", query_string={"q": "hostile"}).get_data(as_text=True)
    assert "<mark>Hostile</mark>" in html
    assert f'href="/items/{world.items["xss"]}"' in html
    assert XSS_TITLE not in html and "<script>alert" not in html and "onerror=\"alert" not in html


def test_a_closed_club_item_shows_only_for_club_members(world: WebWorld) -> None:
    query = {"q": f"Club secret {CANARY}"}
    member = results(world.client(ALICE).get("/search", query_string=query).get_data(as_text=True))
    assert f'href="/items/{world.items["club"]}"' in member and "<mark>Club</mark>" in member
    for client in (world.client(BOB), world.client()):  # a member outside the club, a visitor
        page = client.get("/search", query_string=query).get_data(as_text=True)
        assert f'href="/items/{world.items["club"]}"' not in page
        assert CANARY not in results(page)


def test_filters_and_german_interface(world: WebWorld) -> None:
    client = world.client()
    html = client.get("/search", query_string={"q": "public article", "lang": "de"}).get_data(as_text=True)
    found = results(html)
    assert 'lang="de"' in found and 'lang="en"' not in found
    assert "Ergebnisse für" in html  # a visitor's ?lang=de also picks the German interface
    work = results(client.get("/search", query_string={"q": "public article", "area": "work"}).get_data(as_text=True))
    ids = re.findall(r'<li class="item" id="item-(\d+)"', work)
    assert ids and {int(i) for i in ids} <= {world.items[f"pub-{n}"] for n in range(8) if n % 5 == 2}
    none = client.get("/search", query_string={"q": "?!"}).get_data(as_text=True)
    assert "Nothing found" in none or "Nichts gefunden" in none


def test_snippet_markup_is_mark_only() -> None:
    from curator.web.member import marked

    assert str(marked("a <mark>KI</mark> &lt;b&gt;")) == "a <mark>KI</mark> &lt;b&gt;"
    assert str(marked('<mark onclick="x">a</mark><script>')) == '&lt;mark onclick="x">a</mark>&lt;script>'

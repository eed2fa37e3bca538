"""Rendering: MJML compiled once, everything escaped, the plain-text twin carries the same items
(RELIABILITY P12, S20; issue 5 "Rendering")."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markupsafe import escape

from curator.core import Curator
from curator.delivery import OutboxSender
from curator.rendering import DigestView, EmailRenderer, ItemView, SectionView
from curator.types import ParsedItem, Source
from tests.conftest import rebuilt

from .world import EDITOR, World

EVIL_TITLE = '<script>alert("x")</script> {{ 7*7 }} {% raw %} & "quotes"'


class _Links(HTMLParser):
    """Collects the text of links inside item titles."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.titles: list[str] = []
        self._in_a = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if any(k == "class" and v and "item-title" in v.split() for k, v in attrs):
            self.depth = 1
        if tag == "a" and self.depth:
            self._in_a = True
            self.titles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_a = False
            self.depth = 0

    def handle_data(self, data: str) -> None:
        if self._in_a:
            self.titles[-1] += data


def html_titles(html: str) -> list[str]:
    p = _Links()
    p.feed(html)
    return [t.strip() for t in p.titles]


def text_titles(text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^\* (.+)$", text, re.M)]


def test_mjml_is_compiled_once_per_language_not_per_member(cur: Curator, world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    renderer = EmailRenderer(cur.settings.templates_dir)
    cur = rebuilt(cur, email_renderer=renderer)
    issue = cur.digests.draft("everyone")
    cur.digests.approve(issue.id, editor=EDITOR)
    cur.digests.send(issue.id, sender=OutboxSender(tmp_path))
    langs = {m.language for m in world.members.values()}
    assert renderer.compile_count == len(langs) == 2


def test_plain_text_twin_carries_the_same_items(cur: Curator, world: World) -> None:
    issue = cur.digests.draft("everyone")
    for member in world.members.values():
        r = cur.digests.render_for(issue, member)
        titles = html_titles(r.html)
        assert titles and titles == text_titles(r.text), member.email
        view = cur.digests.view(issue, member)
        for section in view.sections:
            assert section.title.upper() in r.text and str(escape(section.title)) in r.html
            for item in section.items:
                assert item.url in r.text  # the same (signed or plain) link in both parts
        assert view.unsubscribe_url in r.text and str(escape(view.unsubscribe_url)) in r.html


def test_content_is_escaped_and_cannot_become_template_code(cur: Curator, world: World) -> None:
    now = cur.clock.now()
    src = Source(id="evil", title='Evil <b>Source</b>', url="https://evil.example/feed")
    cur.storage.ensure_internal_source(src, now)
    res = cur.storage.upsert_items(src, [ParsedItem(
        key="e1", title=EVIL_TITLE, url="javascript:alert(1)", canonical_url=None, summary="<img src=x onerror=alert(1)>",
        content_html="", text="x", author=None, published=now, updated=None, lang="en", content_hash="e1")], now)
    cur.storage.set_item_areas(res.new_ids[0], {"technology": 0.9}, now)
    issue = cur.digests.draft("everyone", pins=[res.new_ids[0]])
    cur.digests.edit(issue.id, intro="{{ d.unsubscribe_url }} {% for x in [1] %}loop{% endfor %} <i>hi</i>")
    r = cur.digests.render_for(cur.digests.get(issue.id), world.members["bernd@example.org"])
    assert "<script>alert" not in r.html and "&lt;script&gt;" in r.html
    assert "<img src=x" not in r.html and "onerror=alert(1)>" not in r.html
    assert "{{ 7*7 }}" in r.html and ">49<" not in r.html  # data, never evaluated
    assert "{% for x in [1] %}loop" in r.html and "<i>hi</i>" not in r.html
    assert "javascript:" not in r.html  # only http(s) links; others point to the item page
    assert EVIL_TITLE in r.text


def test_fixed_texts_with_braces_are_neutralised_before_mjml(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Stage-1 values are XML-escaped and their braces become entities (P12)."""
    (tmp_path / "email").mkdir()
    (tmp_path / "email" / "t.mjml").write_text(
        "<mjml><mj-body><mj-section><mj-column><mj-text>[[ lang ]] {{ d.subject }}</mj-text>"
        "</mj-column></mj-section></mj-body></mjml>")
    (tmp_path / "email" / "t.txt").write_text("{{ d.subject }}\n")
    r = EmailRenderer(tmp_path)
    view = DigestView(lang="{{ 7*7 }}<x>", subject="S", preheader="", intro="", greeting="", segment_name="",
                      sections=(), unsubscribe_url="", preferences_url="", web_url="", footer="")
    out = r.render(view, "t")
    assert "&#123;&#123; 7*7 &#125;&#125;&lt;x&gt; S" in out.html and "49" not in out.html


def test_size_budget_warning() -> None:
    from curator.rendering.templates import HTML_SIZE_BUDGET, RenderedEmail

    assert RenderedEmail("s", "x" * (HTML_SIZE_BUDGET + 1), "").over_budget
    assert not RenderedEmail("s", "<p>small</p>", "").over_budget


def test_german_and_english_members_get_their_language(cur: Curator, world: World) -> None:
    issue = cur.digests.draft("everyone")
    de = cur.digests.render_for(issue, world.members["bernd@example.org"])
    en = cur.digests.render_for(issue, world.members["alice@example.org"])
    assert "Hallo Bernd" in de.text and "Abmelden" in de.text and 'lang="de"' in de.html
    assert "Hello Alice" in en.text and "Unsubscribe" in en.text


def test_view_items_are_plain_values() -> None:
    item = ItemView(1, "t", "s", "https://x", "src", ("A",), "2026-11-20")
    assert SectionView("personal", "P", (item,)).items[0].url == "https://x"

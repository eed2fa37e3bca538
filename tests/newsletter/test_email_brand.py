"""The digest email as members get it: the brand block, postal address and imprint from the
settings, the "view in browser" link, a "why you see this" under every personal pick, human
segment names (never ``club:<id>``), in German and English, in the HTML and the plain-text part."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from markupsafe import escape

from curator.core import Curator, make_curator
from curator.rendering import Brand

from .world import EDITOR, World

ADDRESS = "Hamburg@work e.V.\nWexstraße 7\n20355 Hamburg"
IMPRINT = "Vereinsregister Hamburg VR 12345\nVorstand: Erika <Muster> & Co"


def with_settings(cur: Curator, **changes: str) -> Curator:
    """Another Curator on the same database and clock, with some settings changed."""
    return make_curator(cur.settings.replace(**changes), clock=cur.clock, migrate=False)


@pytest.fixture
def branded(cur: Curator) -> Iterator[Curator]:
    c = with_settings(cur, cluster_name="DigitalCluster.Hamburg", brand_color="#00a19a", postal_address=ADDRESS,
                      imprint=IMPRINT, brand_logo_url="https://cdn.cluster.example/logo.png")
    yield c
    c.close()


def visible_text(html: str) -> str:
    """The text a reader sees (tags and the head removed), for "is it shown" checks."""
    body = re.sub(r"(?s)<head>.*?</head>", "", html)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_brand_block_postal_address_and_imprint_in_both_languages_and_parts(branded: Curator, world: World) -> None:
    issue = branded.digests.draft("everyone")
    for email, imprint_label in (("alice@example.org", "Imprint"), ("bernd@example.org", "Impressum")):
        r = branded.digests.render_for(issue, world.members[email])
        seen = visible_text(r.html)
        assert "DigitalCluster.Hamburg" in r.text.splitlines()[0]
        for line in [*ADDRESS.splitlines(), *IMPRINT.splitlines()]:
            assert line in seen and line in r.text, (email, line)
        assert str(escape("Vorstand: Erika <Muster> & Co")) in r.html  # settings are text, escaped like content
        assert imprint_label in seen and imprint_label in r.text
        assert "member of the DigitalCluster.Hamburg network" in seen or "Netzwerks DigitalCluster.Hamburg" in seen
        # the brand colour heads the email and colours the buttons; the logo replaces the name
        assert r.html.count("#00a19a") >= 3
        assert re.search(r'<img[^>]+alt="DigitalCluster.Hamburg"[^>]+src="https://cdn.cluster.example/logo.png"', r.html)


def test_without_a_logo_the_name_is_the_brand_and_light_colours_get_dark_text(cur: Curator, world: World) -> None:
    light = with_settings(cur, brand_color="#ffd600")
    r = light.digests.render_for(light.digests.draft("everyone"), world.members["alice@example.org"])
    assert "<img" not in r.html.split("Hello Alice")[0].replace('alt=""', "")  # only the open pixel, further down
    header = re.search(r'<td[^>]*class="brand-name"[^>]*>.*?</td>', r.html, re.S)
    assert header is not None and "DigitalCluster" in header.group(0)
    assert Brand(color="#ffd600").on_color == "#1f2933" and Brand(color="#0b4f8a").on_color == "#ffffff"
    assert "color:#1f2933" in header.group(0).replace(" ", "")


def test_the_view_in_browser_link_is_in_both_parts_and_names_the_issue_and_member(cur: Curator, world: World) -> None:
    issue = cur.digests.draft("everyone")
    for member in world.members.values():
        view = cur.digests.view(issue, member)
        r = cur.digests.render_for(issue, member)
        assert re.fullmatch(rf"https://curator\.example/digests/{issue.id}/(de|en)\?k=[\w.-]+", view.web_url)
        assert view.web_url.split("?k=")[0].endswith(f"/{view.lang}")
        assert str(escape(view.web_url)) in r.html and view.web_url in r.text
        assert cur.digests.web_link_target(issue.id, view.web_url.split("?k=")[1]) == member
        assert cur.digests.web_link_target(issue.id + 1, view.web_url.split("?k=")[1]) is None


def test_a_why_you_see_this_under_every_personal_pick_in_html_and_text(cur: Curator, world: World) -> None:
    issue = cur.digests.draft("everyone")
    checked = 0
    for member in world.members.values():
        view = cur.digests.view(issue, member)
        r = cur.digests.render_for(issue, member)
        label = "Warum Sie das sehen" if view.lang == "de" else "Why you see this"
        personal = [i for s in view.sections if s.key == "personal" for i in s.items]
        others = [i for s in view.sections if s.key != "personal" for i in s.items]
        assert all(i.why.startswith(("Because", "Weil")) for i in personal), member.email
        assert all(i.why == "" for i in others)
        assert visible_text(r.html).count(f"{label}:") == len(personal) == r.text.count(f"{label}:")
        for item in personal:
            assert f"{label}: {item.why}" in r.text and str(escape(item.why)) in r.html
        checked += len(personal)
    assert checked >= 4


@pytest.mark.parametrize("segment", ["everyone", "club:it-exec", "persona:cio", "area:technology",
                                     "filter:Englisch lesende?languages=en"])
def test_no_raw_segment_key_in_any_rendered_email(cur: Curator, world: World, segment: str) -> None:
    issue = cur.digests.draft(segment)
    cur.digests.approve(issue.id, editor=EDITOR)
    names = {"everyone": ("All members", "Alle Mitglieder"), "club:it-exec": ("IT Executive Club",) * 2,
             "persona:cio": ("Profile: IT executive (CIO)", "Profil: IT-Leitung (CIO)"),
             "area:technology": ("Topic: Technology 4.0", "Thema: Technologie 4.0"),
             "filter:Englisch lesende?languages=en": ("Selection: Englisch lesende", "Auswahl: Englisch lesende")}
    for member in world.members.values():
        r = cur.digests.render_for(issue, member)
        shown = visible_text(r.html) + "\n" + r.text + "\n" + r.subject
        key = issue.segment.key
        assert re.search(r"\b(everyone|club|persona|area|filter):", shown) is None, (member.email, segment)
        if key != "everyone":
            assert key not in shown
        expected = names[segment][member.language == "de"]
        assert expected in visible_text(r.html) and expected in r.text, (member.email, expected)
    assert cur.digests.segment_name(segment, "en") == names[segment][0]


def test_the_plain_text_part_carries_what_the_html_shows(branded: Curator, world: World) -> None:
    issue = branded.digests.draft("everyone")
    branded.digests.edit(issue.id, lang="en", intro="This week: AI in SMEs.")
    issue = branded.digests.get(issue.id)
    for member in world.members.values():
        view = branded.digests.view(issue, member)
        r = branded.digests.render_for(issue, member)
        seen = visible_text(r.html)
        expected = [view.brand.name, view.segment_name, view.greeting, view.footer, *view.brand.postal_address,
                    *view.brand.imprint, *(view.intro and [view.intro])]
        for section in view.sections:
            expected.append(section.title)
            for item in section.items:
                expected += [item.title, item.source, item.date, *item.areas, *([item.why] if item.why else [])]
        for text in expected:
            assert text in seen, (member.email, text)
            assert text in r.text or text.upper() in r.text, (member.email, text)
        for url in (view.web_url, view.preferences_url, view.unsubscribe_url,
                    *(i.url for s in view.sections for i in s.items)):
            assert url in r.text and str(escape(url)) in r.html


def test_the_intros_line_breaks_survive_in_the_html_part(cur: Curator, world: World) -> None:
    """A topics block is a list, one line per topic: the HTML email keeps its lines, escaped."""
    issue = cur.digests.draft("everyone")
    cur.digests.edit(issue.id, lang="en", intro="Dear members,\n\n- AI · SMEs: 12 items\n- <Cyber> attacks: 5 items")
    issue = cur.digests.get(issue.id)
    member = next(m for m in world.members.values() if m.language == "en")
    html = cur.digests.render_for(issue, member).html
    intro = re.search(r'<div style="white-space: ?pre-line;?">(.*?)</div>', html, re.S)
    assert intro, "the intro keeps its line breaks"
    assert intro.group(1).strip() == str(escape("Dear members,\n\n- AI · SMEs: 12 items\n- <Cyber> attacks: 5 items"))

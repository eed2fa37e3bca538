"""Tests for curator.ingest.parse: formats, errors, encodings, XML attacks, identity, limits, dates.

Covers RELIABILITY P01-P07, P10, P11 and D01-D04 at the parser level.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from curator.errors import ParseError
from curator.ingest.parse import SUMMARY_CHARS, parse_feed
from curator.ingest.sanitise import find_executable_markup
from curator.types import ParsedFeed

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
URL = "https://news.example.com/feed/"
REPO = Path(__file__).resolve().parents[2]


def parse(body: bytes | str, **kwargs: object) -> ParsedFeed:
    data = body.encode("utf-8") if isinstance(body, str) else body
    options: dict[str, object] = {"url": URL, "now": NOW}
    options.update(kwargs)
    return parse_feed(data, **options)  # type: ignore[arg-type]


def rss(items: str, channel: str = "<title>Chan</title><link>https://news.example.com/</link>") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{channel}{items}</channel></rss>'
    )


# --------------------------------------------------------------------------- formats

RSS2 = rss(
    """
    <item>
      <title>Neue Regeln für die Digitalwirtschaft &amp; den Mittelstand</title>
      <link>/artikel/1?utm_source=rss&amp;id=7</link>
      <guid isPermaLink="false">a-1</guid>
      <description>&lt;p&gt;Kurz: &lt;b&gt;neue&lt;/b&gt; Regeln&lt;/p&gt;</description>
      <content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[
        <p>Die Bundesregierung hat heute neue Regeln für die Digitalwirtschaft beschlossen.
        <a href="/mehr">Mehr</a><script>alert(1)</script></p>
        <img src="https://t.example/pixel.gif" width="1" height="1">]]></content:encoded>
      <author>redaktion@example.com (Erika Muster)</author>
      <pubDate>Fri, 20 Nov 2026 08:30:00 +0100</pubDate>
    </item>
    """
)


def test_rss2_entry_fields() -> None:
    feed = parse(RSS2)
    assert feed.title == "Chan"
    assert feed.link == "https://news.example.com/"
    assert feed.warnings == ()
    (item,) = feed.items
    assert item.key == "guid:a-1"
    assert item.title == "Neue Regeln für die Digitalwirtschaft & den Mittelstand"
    assert item.url == "https://news.example.com/artikel/1?utm_source=rss&id=7"
    assert item.canonical_url == "https://news.example.com/artikel/1?id=7"
    assert item.summary == "Kurz: neue Regeln"
    assert "Die Bundesregierung" in item.content_html  # the richest body wins
    assert 'href="https://news.example.com/mehr"' in item.content_html
    assert "script" not in item.content_html and "pixel.gif" not in item.content_html
    assert item.text.startswith("Die Bundesregierung hat heute")
    assert "<" not in item.text
    assert item.author and "Erika Muster" in item.author
    assert item.published == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    assert item.lang == "de"
    assert len(item.content_hash) == 64


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" xml:base="https://atom.example.org/blog/">
  <title type="html">My &lt;i&gt;Blog&lt;/i&gt;</title>
  <link rel="alternate" href="https://atom.example.org/"/>
  <entry>
    <id>tag:atom.example.org,2026:1</id>
    <title type="html">Hello &lt;b&gt;bold&lt;/b&gt; &amp;amp; world</title>
    <link rel="alternate" href="posts/1"/>
    <updated>2026-11-19T10:00:00Z</updated>
    <published>2026-11-18T10:00:00+02:00</published>
    <author><name>Ada</name></author>
    <summary type="text">A short summary of the post about digital business.</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>The full text of the post,
      with a <a href="../about">relative link</a> and enough words for detection.</p></div></content>
  </entry>
</feed>"""


def test_atom_entry_fields_and_xml_base() -> None:
    feed = parse(ATOM)
    assert feed.title == "My Blog"
    (item,) = feed.items
    assert item.key == "guid:tag:atom.example.org,2026:1"
    assert item.title == "Hello bold & world"
    assert item.url == "https://atom.example.org/blog/posts/1"
    assert item.author == "Ada"
    assert item.summary == "A short summary of the post about digital business."
    assert "https://atom.example.org/about" in item.content_html
    assert item.published == datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    assert item.updated == datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    assert item.lang == "en"


RSS1 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.org/"><title>RDF</title><link>https://rdf.example.org/</link></channel>
  <item rdf:about="https://rdf.example.org/1"><title>One</title><link>https://rdf.example.org/1</link>
    <dc:date>2026-11-01T00:00:00Z</dc:date></item>
</rdf:RDF>"""


def test_rss1() -> None:
    feed = parse(RSS1)
    assert [(i.title, i.url) for i in feed.items] == [("One", "https://rdf.example.org/1")]
    assert feed.items[0].published == datetime(2026, 11, 1, tzinfo=UTC)


RSS091 = """<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title>
<item><title>Item</title><link>http://old.example.com/1</link><description>Text</description></item>
</channel></rss>"""


def test_rss091() -> None:
    (item,) = parse(RSS091).items
    assert item.key == "url:old.example.com/1"
    assert item.published is None  # no date in the feed: storage uses first-seen


JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "JSON Example",
    "home_page_url": "https://json.example.org/",
    "language": "en-GB",
    "items": [
        {
            "id": "2",
            "url": "https://json.example.org/2",
            "title": "Second",
            "content_html": '<p>Hello <a href="/x" onclick="evil()">there</a></p><script>alert(1)</script>',
            "summary": "The summary",
            "date_published": "2026-11-20T10:00:00Z",
            "authors": [{"name": "Jo"}],
        },
        {"id": "1", "url": "https://json.example.org/1", "content_text": "Plain <b>not markup</b>\n\nPara 2"},
        "not an object",
    ],
}


def test_json_feed() -> None:
    feed = parse(json.dumps(JSON_FEED), content_type="application/feed+json")
    assert feed.title == "JSON Example"
    assert feed.link == "https://json.example.org/"
    assert [i.key for i in feed.items] == ["guid:2", "guid:1"]
    second, first = feed.items
    assert second.content_html == (
        '<p>Hello <a href="https://news.example.com/x" rel="noopener noreferrer nofollow">there</a></p>'
    )
    assert second.summary == "The summary"
    assert second.author == "Jo"
    assert second.published == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert first.content_html == "<p>Plain &lt;b&gt;not markup&lt;/b&gt;</p><p>Para 2</p>"
    assert first.text == "Plain <b>not markup</b>\n\nPara 2"
    assert any("entry 3" in w for w in feed.warnings)


def test_json_feed_detected_without_content_type() -> None:
    assert len(parse(json.dumps(JSON_FEED)).items) == 2


def test_format_is_decided_by_the_body_not_a_wrong_content_type() -> None:
    assert len(parse(RSS2, content_type="application/json").items) == 1
    assert len(parse(json.dumps(JSON_FEED), content_type="application/rss+xml").items) == 2


def test_atom_text_content_is_escaped() -> None:
    body = """<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><title>T</title>
    <content type="text">&lt;script&gt;alert(1)&lt;/script&gt; is shown as text</content></entry></feed>"""
    (item,) = parse(body).items
    assert item.content_html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; is shown as text</p>"
    assert find_executable_markup(item.content_html) == []


# --------------------------------------------------------------------------- errors (P01)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"", None, "empty body"),
        (b"  \n\t ", None, "empty body"),
        (
            b"<!DOCTYPE html><html><head><title>Shop</title></head><body>Hi</body></html>",
            "text/html",
            "not a feed: got an HTML page",
        ),
        (b"\xef\xbb\xbf\n<html lang='de'><body><p>x</p></body></html>", None, "not a feed: got an HTML page"),
        (b"this is not xml at all", "text/plain", "not a feed"),
        (b'{"hello": "world"}', "application/json", "not a JSON Feed"),
        (b'{"items": [1, 2', "application/json", "invalid JSON"),
        (b'["a", "list"]', None, "not a JSON Feed"),
        (b"[" * 100_000, "application/json", "invalid JSON"),
        (b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY a 'x'", None, "DOCTYPE declaration is never closed"),
        (b"<?xml version='1.0'?><foo><bar>not a feed</bar></foo>", None, "not a feed"),
    ],
)
def test_unusable_documents_raise_parse_error(body: bytes, content_type: str | None, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(body, content_type=content_type)
    assert message in str(caught.value)
    assert URL in str(caught.value)  # says where


def test_xml_error_names_the_line() -> None:
    with pytest.raises(ParseError, match=r"XML error at line \d+"):
        parse(b"<?xml version='1.0'?>\n<rss version='2.0'>\n<<<\n")


@pytest.mark.parametrize(
    "body",
    [
        rss("<item><title>One &nbsp; &bogus; <b>bold</title><link>https://x.example/1</link></item>"),
        "<?xml version='1.0'?><rss><channel><title>x</title><item><title>a</title>"
        "<link>https://x.example/1</link></item></rss",  # truncated
        rss("<item><title>a</title><link>https://x.example/1</link></item>").replace("</channel></rss>", ""),
    ],
)
def test_ill_formed_but_readable_feed_is_kept_with_a_warning(body: str) -> None:
    feed = parse(body)
    assert [i.url for i in feed.items] == ["https://x.example/1"]
    assert any("not well-formed" in w for w in feed.warnings)


def test_bytes_that_look_like_a_path_are_not_opened() -> None:
    """feedparser would open() bytes that name a file; we never hand it raw bytes."""
    with pytest.raises(ParseError):
        parse(b"/etc/passwd")
    with pytest.raises(ParseError):
        parse(str(REPO / "pyproject.toml").encode())


# --------------------------------------------------------------------------- encodings (P02, P03)


def test_windows_1252_declared_as_utf8_has_no_mojibake() -> None:
    body = rss("<item><title>Caf\xe9 \u201equoted\u201c \u2013 \u20ac5</title><guid>1</guid></item>")
    data = body.encode("windows-1252")
    feed = parse(data, content_type="application/rss+xml; charset=utf-8")
    assert feed.items[0].title == "Café „quoted“ – €5"
    assert feed.warnings  # CharacterEncodingOverride is survivable, but reported


def test_header_charset_differs_from_prolog() -> None:
    body = rss("<item><title>Grüße aus Köln</title><guid>1</guid></item>").replace("utf-8", "iso-8859-1")
    feed = parse(body.encode("iso-8859-1"), content_type="text/xml; charset=utf-8")
    assert feed.items[0].title == "Grüße aus Köln"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32(codec: str) -> None:
    body = rss("<item><title>Grüße ☃</title><guid>1</guid></item>").replace(
        "utf-8", codec.split("-")[0] + "-" + codec.split("-")[1]
    )
    data = body.encode(codec)
    if codec in ("utf-16-le", "utf-16-be"):
        data = (b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff") + data
    assert parse(data).items[0].title == "Grüße ☃"


def test_invalid_bytes_do_not_raise() -> None:
    body = rss("<item><title>ok</title><guid>1</guid></item>").encode().replace(b"ok", b"o\xff\xfek")
    feed = parse(body)
    assert feed.items[0].title.startswith("o")


def test_control_characters_nul_and_bidi_are_stripped() -> None:
    body = rss(
        "<item><title>A&#x1;B \u202eevil &#0;C</title><guid>1</guid><description>x\x00y</description></item>"
    )
    feed = parse(body)
    (item,) = feed.items
    for field in (item.title, item.summary, item.text, item.content_html):
        assert "\x00" not in field and "\x01" not in field and "\u202e" not in field
    assert item.title.startswith("A")


# --------------------------------------------------------------------------- XML attacks (P04-P06)


def test_xxe_file_is_not_read() -> None:
    for layout in ("\n", ""):
        body = (
            f'<?xml version="1.0"?>{layout}<!DOCTYPE rss [{layout}<!ENTITY x SYSTEM "file:///etc/passwd">{layout}]>'
            f"{layout}"
            + rss(
                "<item><title>a&x;b</title><guid>1</guid><description>&x;</description></item>",
                "<title>t&x;</title>",
            ).split("?>", 1)[1]
        )
        feed = parse(body)
        everything = repr(feed)
        assert "root:" not in everything and "/bin/" not in everything
        assert any("entities" in w for w in feed.warnings)


def test_external_dtd_and_entities_are_not_fetched(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x.dtd").respond_with_data(
        '<!ENTITY canary "CANARY">', content_type="application/xml-dtd"
    )
    httpserver.expect_request("/e").respond_with_data("CANARY", content_type="text/plain")
    dtd = httpserver.url_for("/x.dtd")
    ent = httpserver.url_for("/e")
    bodies = [
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd}">'
        + rss("<item><title>&canary;</title><guid>1</guid></item>").split("?>", 1)[1],
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY % p SYSTEM "{dtd}">\n%p;\n<!ENTITY e SYSTEM "{ent}">\n]>\n'
        + rss("<item><title>&e;&canary;</title><guid>1</guid></item>").split("?>", 1)[1],
        f'<?xml version="1.0"?><!DOCTYPE feed PUBLIC "-//x//y" "{dtd}"><feed xmlns="http://www.w3.org/2005/Atom">'
        "<entry><id>1</id><title>&canary;</title></entry></feed>",
    ]
    for body in bodies:
        feed = parse(body)
        assert "CANARY" not in repr(feed)
    assert httpserver.log == []  # the canary got 0 hits


_BOMB_SCRIPT = textwrap.dedent(
    """
    import resource, sys, time
    from datetime import datetime, timezone
    from curator.errors import ParseError
    from curator.ingest.parse import parse_feed
    from curator.ingest.lang import detect_language
    detect_language("warm the language model up before measuring memory")
    body = sys.stdin.buffer.read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        feed = parse_feed(body, url="https://x.example/", now=datetime(2026, 1, 1, tzinfo=timezone.utc))
        size = len(repr(feed))
    except ParseError:
        size = 0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print((after - before) // 1024, size)
    """
)


def _bomb_single_line() -> bytes:
    ents = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">' + ents + "]>"
        '<rss version="2.0"><channel><title>x</title><item><title>&lol9;</title><guid>1</guid></item></channel></rss>'
    ).encode()


def _bomb_multi_line() -> bytes:
    return _bomb_single_line().replace(b"><", b">\n<")


def _quadratic() -> bytes:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + "lol" * 33_000 + '">\n]>\n'
        '<rss version="2.0"><channel><title>x</title><item><guid>1</guid><title>'
        + "&a;" * 100_000
        + "</title></item></channel></rss>"
    ).encode()


def _quadratic_after_junk() -> bytes:
    """Junk before the prolog sends feedparser to its lenient parser, which has no expansion limit."""
    return b"junk\n" + _quadratic()


def _quadratic_utf16() -> bytes:
    return _quadratic().decode().replace('version="1.0"', 'version="1.0" encoding="utf-16"').encode("utf-16")


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "make_body", [_bomb_single_line, _bomb_multi_line, _quadratic, _quadratic_after_junk, _quadratic_utf16]
)
def test_entity_expansion_is_bounded(make_body: object) -> None:
    """P05/P06: run in a subprocess so that a failure cannot take the test session down."""
    body = make_body()  # type: ignore[operator]
    done = subprocess.run(
        [sys.executable, "-c", _BOMB_SCRIPT],
        input=body,
        capture_output=True,
        cwd=REPO,
        timeout=100,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    grown_mb, output_chars = map(int, done.stdout.split())
    assert grown_mb < 100
    assert output_chars < 1_000_000  # entities were not expanded


def test_doctype_text_in_cdata_or_comment_is_not_touched() -> None:
    body = (
        '<!-- says "<!DOCTYPE" here --><?xml-stylesheet href="x.xsl"?>'
        "<rss><channel><item><guid>1</guid><description><![CDATA[ <!DOCTYPE ]]></description>"
        "<title>&lt;!DOCTYPE html&gt;</title></item></channel></rss>"
    )
    (item,) = parse(body).items
    assert item.title == "<!DOCTYPE html>"
    assert find_executable_markup(item.content_html) == []  # the CDATA is HTML: a doctype there is dropped


def test_doctype_with_plain_entities_is_dropped_and_html_entities_still_work() -> None:
    body = (
        '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd" [<!ENTITY copy "(c)">]>'
        '<rss version="0.91"><channel><title>T &copy; &eacute;</title>'
        "<item><title>I</title><link>https://x.example/1</link></item></channel></rss>"
    )
    feed = parse(body)
    assert feed.title == "T © é"
    assert len(feed.items) == 1


def test_html_doctype_in_front_of_a_feed_is_still_a_feed() -> None:
    body = '<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x"><rss><channel><title>found</title></channel></rss>'
    assert parse(body).title == "found"


@pytest.mark.parametrize(
    "page",
    [
        b"<!doctype html><meta charset=utf-8><title>Shop</title><p>Hi",
        b"<!-- c --><head><title>Document Moved</title></head><body>x</body>",
        b"\n\n<HTML><BODY>old page</BODY></HTML>",
    ],
)
def test_html_pages_are_recognised(page: bytes) -> None:
    with pytest.raises(ParseError, match="not a feed: got an HTML page"):
        parse(page)


# --------------------------------------------------------------------------- identity (D01-D04)


def test_duplicate_guid_first_wins() -> None:
    feed = parse(
        rss(
            "<item><title>First</title><guid>same</guid></item>"
            "<item><title>Second</title><guid>same</guid></item>"
            "<item><title>Other</title><guid>other</guid></item>"
        )
    )
    assert [(i.key, i.title) for i in feed.items] == [("guid:same", "First"), ("guid:other", "Other")]
    assert any("first one wins" in w for w in feed.warnings)


def test_all_items_share_guid_falls_back_to_links() -> None:
    items = "".join(
        f"<item><title>T{n}</title><link>https://x.example/{n}</link><guid>https://x.example/</guid></item>"
        for n in range(5)
    )
    feed = parse(rss(items))
    assert [i.key for i in feed.items] == [f"url:x.example/{n}" for n in range(5)]
    assert any("share the GUID" in w for w in feed.warnings)


def test_all_items_share_guid_without_links_fall_back_to_hash() -> None:
    items = "".join(f"<item><title>T{n}</title><guid>x</guid></item>" for n in range(3))
    keys = [i.key for i in parse(rss(items)).items]
    assert len(set(keys)) == 3 and all(k.startswith("hash:") for k in keys)


def test_missing_guid_gives_stable_keys_across_refetches() -> None:
    body = rss(
        "<item><title>Linked</title><link>https://x.example/a</link></item>"
        "<item><title>Unlinked</title><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>"
        "<item><title>Undated and unlinked</title></item>"
    )
    runs = [[i.key for i in parse(body, now=NOW + timedelta(hours=h)).items] for h in range(5)]
    assert all(run == runs[0] for run in runs)
    assert runs[0][0] == "url:x.example/a"
    assert runs[0][1].startswith("hash:") and runs[0][2].startswith("hash:")


def test_guid_drift_keeps_the_key() -> None:
    first = parse(rss("<item><title>A</title><guid>http://x.example/p/1</guid></item>"))
    second = parse(rss("<item><title>A</title><guid>https://www.x.example/p/1</guid></item>"))
    assert first.items[0].key == second.items[0].key == "url:x.example/p/1"


# --------------------------------------------------------------------------- limits (P07)


def test_max_items_keeps_the_newest() -> None:
    items = "".join(
        f"<item><title>T{n}</title><guid>{n}</guid><pubDate>{(NOW - timedelta(days=n)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>"
        for n in (5, 1, 4, 0, 3, 2)
    )
    feed = parse(rss(items), max_items=3)
    assert [i.title for i in feed.items] == ["T1", "T0", "T2"]  # newest three, document order
    assert any("newest 3" in w for w in feed.warnings)


def test_100k_items_are_capped_and_read_quickly() -> None:
    """P07: only READ_FACTOR * max_items entries are read; the newest max_items of those are kept."""
    items = "".join(f"<item><title>Item {n}</title><guid>{n}</guid></item>" for n in range(100_000))
    feed = parse(rss(items, "<title>Big</title><link>https://big.example/</link>"), max_items=500)
    assert len(feed.items) == 500
    assert feed.link == "https://big.example/"  # the document stays well-formed after the cut
    assert feed.items[0].title == "Item 0"  # undated: document order, the feed's newest first
    assert any("100000 entries; only the first 2000 were read" in w for w in feed.warnings)
    assert not any("not well-formed" in w for w in feed.warnings)


def test_json_feed_items_are_capped() -> None:
    items = [{"id": str(n), "title": f"T{n}", "content_text": "x"} for n in range(3_000)]
    feed = parse(json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}), max_items=10)
    assert [i.title for i in feed.items] == [f"T{n}" for n in range(10)]


def test_huge_fields_are_truncated() -> None:
    big = "<p>" + "word " * 400_000 + "</p>"  # 2 MB
    body = rss(
        f"<item><title>{'T' * 50_000}</title><guid>1</guid><description><![CDATA[{big}]]></description></item>"
    )
    (item,) = parse(body, max_field_chars=10_000).items
    assert len(item.content_html) <= 10_000 and item.content_html.endswith("</p>")
    assert len(item.text) <= 10_000
    assert len(item.summary) <= SUMMARY_CHARS and item.summary.endswith("…")
    assert len(item.title) <= 1_000


# --------------------------------------------------------------------------- URLs and dates (P10, P11)


def test_relative_and_protocol_relative_urls_are_resolved() -> None:
    body = rss(
        "<item><title>R</title><link>//cdn.news.example.com/p</link><guid>1</guid><description><![CDATA["
        '<a href="/x">x</a> <img src="//img.example.com/i.png"> <base href="javascript:alert(1)"><a href="y">y</a>'
        "]]></description></item>"
        "<item><title>J</title><link>javascript:alert(1)</link><guid>2</guid></item>"
    )
    first, second = parse(body).items
    assert first.url == "https://cdn.news.example.com/p"
    assert 'href="https://news.example.com/x"' in first.content_html
    assert 'src="https://img.example.com/i.png"' in first.content_html
    assert "javascript" not in first.content_html
    assert second.url is None and second.canonical_url is None


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("", None),
        ("Invalid Date", None),
        ("Tue, 01 Jan 2041 00:00:00 GMT", NOW),
        ("Sat, 21 Nov 2026 13:00:00 GMT", datetime(2026, 11, 21, 13, 0, tzinfo=UTC)),
        # an unknown zone name is read as UTC (feedparser): hours off beats dropping the date
        ("Fri, 20 Nov 2026 10:00:00 XYZT", datetime(2026, 11, 20, 10, 0, tzinfo=UTC)),
        ("Fri, 20 Nov 2026 10:00:00 EST", datetime(2026, 11, 20, 15, 0, tzinfo=UTC)),
        ("2026-11-20T10:00:00+05:30", datetime(2026, 11, 20, 4, 30, tzinfo=UTC)),
    ],
)
def test_bad_dates(date: str, expected: datetime | None) -> None:
    (item,) = parse(rss(f"<item><title>D</title><guid>1</guid><pubDate>{date}</pubDate></item>")).items
    assert item.published == expected or (expected is None and item.published is None)
    if item.published is not None:
        assert item.published.tzinfo is not None and item.published <= NOW + timedelta(days=1)


def test_updated_date_stands_in_for_published_and_is_clamped() -> None:
    body = """<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>U</title>
    <updated>2099-01-01T00:00:00Z</updated></entry></feed>"""
    (item,) = parse(body).items
    assert item.published == item.updated == NOW


# --------------------------------------------------------------------------- language


def test_language_detection_uses_feed_language_as_hint() -> None:
    body = rss(
        "<item><title>KI-Gipfel</title><guid>1</guid></item>"
        "<item><title>Unternehmen investieren stärker in künstliche Intelligenz und Cloud</title><guid>2</guid></item>"
        "<item><title>Companies invest more in artificial intelligence and the cloud</title><guid>3</guid></item>",
        "<title>C</title><language>de-DE</language>",
    )
    assert [i.lang for i in parse(body).items] == ["de", "de", "en"]
    assert [i.lang for i in parse(body, lang_hint="en").items] == ["en", "de", "en"]


# --------------------------------------------------------------------------- robustness


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=0, max_value=len(RSS2.encode())),
    insert_at=st.integers(min_value=0, max_value=len(RSS2.encode())),
    junk=st.binary(max_size=20),
    wrapper=st.sampled_from([RSS2, ATOM, json.dumps(JSON_FEED)]),
)
def test_damaged_documents_end_as_feed_or_parse_error(
    cut: int, insert_at: int, junk: bytes, wrapper: str
) -> None:
    data = wrapper.encode()
    damaged = data[:insert_at] + junk + data[insert_at:cut] if cut > insert_at else data[:cut] + junk
    try:
        feed = parse(damaged)
    except ParseError:
        return
    for item in feed.items:
        assert find_executable_markup(item.content_html) == []
        assert "\x00" not in item.title + item.text + item.summary

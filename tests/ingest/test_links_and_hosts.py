"""One rule for item links, whichever way an item comes in (issue 10, item 10), and one conversion
of host names, UTS 46 / IDNA 2008 (item 12)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from curator.errors import AddressNotAllowed, InvalidInput
from curator.ingest.fetch import check_url
from curator.ingest.jsonl import parse_archive
from curator.ingest.normalise import ascii_host, canonical_url, url_identity, web_link
from curator.ingest.parse import parse_feed
from curator.ingest.plain_text import item_from_text
from curator.ingest.posts import check_post

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TEXT = "Unternehmen in Hamburg suchen dringend IT-Fachkräfte für die Digitalisierung."

NOT_WEB_LINKS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "java\nscript:alert(1)",
    " \tjavascript:alert(1)",
    "java script:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "mailto:someone@example.org",
    "ftp://files.example.org/a",
    "https://bank.example@evil.example/login",
    "https://bücher\u200d.example/",  # a joiner IDNA 2008 does not allow there
]


@pytest.mark.parametrize("link", [*NOT_WEB_LINKS, "http:///no-host", "https://exa<mple.com/"])
def test_web_link_refuses_everything_but_http_and_https(link: str) -> None:
    assert web_link(link) is None


@pytest.mark.parametrize(("link", "base", "expected"), [
    ("https://x.example/a?b=1#c", None, "https://x.example/a?b=1#c"),  # as published, not canonicalised
    ("  https://x.example/a\n", None, "https://x.example/a"),
    ("/artikel/1", "https://news.example/feed", "https://news.example/artikel/1"),
    ("//cdn.example/p", None, "https://cdn.example/p"),
    ("https://straße.de/a", None, "https://straße.de/a"),
    ("relative/only", None, None),
    ("", None, None),
    (None, None, None),
])
def test_web_link_keeps_web_addresses_as_published(link: str | None, base: str | None, expected: str | None) -> None:
    assert web_link(link, base) == expected


@pytest.mark.parametrize("link", NOT_WEB_LINKS)
def test_the_same_link_rule_holds_for_feeds_imports_and_posts(link: str) -> None:
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>C</title><link>https://c.example/</link>'
            f"<item><title>T</title><link>{_xml(link)}</link><guid>g1</guid><description>x</description></item>"
            "</channel></rss>")
    [entry] = parse_feed(feed.encode(), url="https://c.example/feed", now=NOW).items
    assert entry.url is None  # a feed entry keeps no such link

    archive = parse_archive([json.dumps({"id": "bbc-1", "title": "T", "text": "x", "url": link})],
                            source_id="import", now=NOW)
    assert archive.by_source == {}  # an archive line with such a link is refused ...
    [(number, message)] = archive.errors
    assert number == 1 and "field 'url' must be a web address" in message  # ... and says why

    with pytest.raises(InvalidInput, match="the link must be a web address"):
        check_post(title="T", text=TEXT, author_name="A", link=link)

    item = item_from_text(key="k", title="T", text="x", link=link)
    assert (item.url, item.canonical_url) == (None, None)  # and the shared builder never stores one


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_archive_and_post_links_that_are_web_addresses_are_kept() -> None:
    archive = parse_archive([json.dumps({"id": "1", "title": "T", "text": "x", "url": "https://x.example/a?utm_source=rss"}),
                             json.dumps({"id": "2", "title": "T", "text": "x", "url": ""})], source_id="import", now=NOW)
    assert archive.errors == ()
    first, second = archive.by_source["import"]
    assert (first.url, first.canonical_url) == ("https://x.example/a?utm_source=rss", "https://x.example/a")
    assert second.url is None
    assert check_post(title="T", text=TEXT, author_name="A", link="https://straße.de/p").link == "https://straße.de/p"


# --------------------------------------------------------------------------- host names

@pytest.mark.parametrize(("host", "expected"), [
    ("straße.de", "xn--strae-oqa.de"),  # IDNA 2003 would give strasse.de, another domain
    ("Straße.de.", "xn--strae-oqa.de"),
    ("bücher.example", "xn--bcher-kva.example"),
    ("ＢÜCHER.example", "xn--bcher-kva.example"),  # UTS 46 maps full-width letters, as browsers do
    ("faß.de", "xn--fa-hia.de"),
    ("Example.COM", "example.com"),
    ("xn--strae-oqa.de", "xn--strae-oqa.de"),
    ("127.0.0.1", "127.0.0.1"),
    ("::1", "::1"),
    ("", None),
    ("exa mple.com", None),
    ("exa<mple.com", None),
    ("bücher\u200d.example", None),
    ("\u0000evil.de", None),
])
def test_ascii_host_is_uts46_idna2008(host: str, expected: str | None) -> None:
    assert ascii_host(host) == expected


def test_urls_keep_the_eszett_domain_everywhere() -> None:
    assert canonical_url("https://Straße.de/a") == "https://xn--strae-oqa.de/a"
    assert url_identity("http://www.straße.de/a") == "xn--strae-oqa.de/a"
    assert url_identity("https://strasse.de/a") != url_identity("https://straße.de/a")
    assert check_url("https://straße.de/feed") == "https://xn--strae-oqa.de/feed"
    assert check_url("https://ＢÜCHER.example:8443/feed#x") == "https://xn--bcher-kva.example:8443/feed"


def test_check_url_checks_the_mapped_host() -> None:
    with pytest.raises(AddressNotAllowed, match="loopback"):
        check_url("https://ｌｏｃａｌｈｏｓｔ/feed")  # full-width "localhost" maps to localhost
    with pytest.raises(InvalidInput, match="invalid international host name"):
        check_url("https://a\u200db\u00e4.de/feed")  # a joiner IDNA 2008 does not allow here

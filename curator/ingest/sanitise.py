"""Allow-list HTML sanitising (nh3) and HTML-to-text conversion.

Feed HTML is hostile input (RELIABILITY P08-P10). :func:`sanitise_html` is the
one place that makes it safe for the member area and for email: only the tags
and attributes listed here survive, URLs must be http(s) (``mailto:`` for
links), relative URLs are resolved against the feed/entry URL, tracking
pixels are removed and every link gets ``rel="noopener noreferrer nofollow"``.
The result is stable: sanitising it again gives the same string.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import nh3

from curator.ingest.normalise import clean_text

__all__ = [
    "ALLOWED_TAGS",
    "ALLOWED_ATTRIBUTES",
    "sanitise_html",
    "html_to_text",
    "text_to_html",
    "find_executable_markup",
]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
    }
)

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite"},
    "ins": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "time": {"datetime"},
}

# Tags removed together with everything inside them (their text is code or UI, never prose).
_DROP_WITH_CONTENT: set[str] = {
    "script",
    "style",
    "template",
    "noscript",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "textarea",
    "select",
    "button",
    "frameset",
    "noembed",
    "noframes",
    "xmp",
    "title",
}

_URL_ATTRIBUTES = {"href", "src", "cite"}
_LINK_REL = "noopener noreferrer nofollow"
_PIXEL_MAX = 1  # images this small in either dimension are trackers (P09)

_IMG_RE = re.compile(r"<img\b[^>]*>")
_PRE_NEWLINE_RE = re.compile(r"<pre>\n+")
_DIM_RE = re.compile(r'\b(width|height)="([^"]*)"')


def _url_filter(base_url: str | None) -> Callable[[str, str, str], str | None]:
    """nh3 attribute filter: resolves and vets URL attributes, drops non-numeric sizes."""

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr not in _URL_ATTRIBUTES:
            if attr in ("width", "height") and not re.fullmatch(r"\s*\d{1,5}(px)?\s*", value):
                return None
            return value
        raw = re.sub(r"[\x00-\x20]", "", value)  # "java\tscript:" tricks
        if not raw:
            return None
        try:
            absolute = urljoin(base_url, raw) if base_url else raw
            scheme = urlsplit(absolute).scheme.lower()
        except ValueError:
            return None
        if absolute.startswith("//"):
            absolute, scheme = "https:" + absolute, "https"
        if scheme in ("http", "https"):
            return absolute
        if scheme == "mailto" and tag == "a" and attr == "href":
            return absolute
        return None  # javascript:, data:, vbscript:, still-relative URLs without a base...

    return attribute_filter


def _is_pixel(img_tag: str) -> bool:
    for _name, value in _DIM_RE.findall(img_tag):
        digits = re.sub(r"\D", "", value)
        if digits and int(digits) <= _PIXEL_MAX:
            return True
    return False


def _drop_pixels(html: str) -> str:
    return _IMG_RE.sub(lambda m: "" if _is_pixel(m.group(0)) else m.group(0), html)


def sanitise_html(html: str, base_url: str | None = None) -> str:
    """Allow-list sanitise an HTML fragment.

    Removes everything not in :data:`ALLOWED_TAGS`/:data:`ALLOWED_ATTRIBUTES`:
    no script/style/iframe/object/embed/form/meta/svg/math (these lose their
    content too), no event handlers, no ``style``/``class``/``srcset``, no
    comments. ``href``/``src``/``cite`` must be http(s) (or ``mailto:`` on
    links) after resolving relative URLs against ``base_url``; other values
    are dropped. Images of at most 1 pixel in width or height are removed.
    Links get ``rel="noopener noreferrer nofollow"``. NUL/control characters
    are stripped first. Idempotent: ``sanitise_html(sanitise_html(x)) ==
    sanitise_html(x)``.
    """
    if not html:
        return ""
    cleaned = nh3.clean(
        clean_text(html),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_url_filter(base_url),
        strip_comments=True,
        link_rel=_LINK_REL,
        url_schemes={"http", "https", "mailto"},
    )
    # HTML parsers drop a newline right after <pre>; dropping it here keeps the output a fixed point.
    cleaned = _PRE_NEWLINE_RE.sub("<pre>", cleaned)
    return _drop_pixels(cleaned).strip()


def text_to_html(text: str) -> str:
    """Plain text as safe HTML: escaped, blank-line separated blocks become paragraphs."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", clean_text(text)) if b.strip()]
    return "".join("<p>" + html_lib.escape(b).replace("\n", "<br>") + "</p>" for b in blocks)


_BLOCK_TAGS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
}
_TEXT_STRUCTURE_TAGS = _BLOCK_TAGS | {"br", "td", "th", "tbody", "thead", "tfoot"}
_SKIP_TAGS = {"script", "style", "template", "noscript", "head", "title", "svg", "math"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
            if tag == "li":
                self.parts.append("• ")
            elif tag == "pre":
                self.pre_depth += 1
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.pre_depth:
            self.parts.append(data.replace("\n", "\x00"))  # protected from whitespace collapsing
        else:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML fragment.

    Entities are decoded, script/style content is dropped, block elements
    become paragraphs separated by one blank line, ``<br>`` a line break,
    list items start with "• ". Runs of spaces collapse; lines are stripped.
    """
    if not html:
        return ""
    # html5ever (through nh3) first: it parses broken markup, CDATA and comments the way browsers do,
    # so that no markup fragment ever leaks into the text; only structure-bearing tags are kept.
    normalised = nh3.clean(
        clean_text(html),
        tags=set(_TEXT_STRUCTURE_TAGS),
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes={},
        strip_comments=True,
        link_rel=None,
    )
    parser = _TextExtractor()
    parser.feed(normalised)
    parser.close()
    raw = "".join(parser.parts)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.split("\n")]
    text = "\n".join(lines).replace("\x00", "\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    return clean_text(text).strip()


_EXECUTABLE_TAGS = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "button",
        "textarea",
        "select",
        "meta",
        "link",
        "base",
        "svg",
        "math",
        "template",
        "noscript",
    }
)
_UNSAFE_SCHEME_RE = re.compile(r"^\s*(javascript|vbscript|data|livescript)\s*:", re.IGNORECASE)


class _MarkupAuditor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _EXECUTABLE_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            elif name in (
                "style",
                "srcset",
                "formaction",
                "action",
                "xlink:href",
                "background",
                "dynsrc",
                "lowsrc",
            ):
                self.problems.append(f"attribute {name}= on <{tag}>")
            elif value and _UNSAFE_SCHEME_RE.match(re.sub(r"[\x00-\x20]", "", value)):
                self.problems.append(f"unsafe URL in {name}= on <{tag}>")

    handle_startendtag = handle_starttag


def find_executable_markup(html: str) -> list[str]:
    """Everything in an HTML fragment that could run code or restyle the page, as short descriptions.

    Empty for output of :func:`sanitise_html`. Looks at elements and attributes
    only: escaped text such as ``&lt;script&gt;`` or the words "javascript:" in
    prose are harmless and not reported. Used by tests and as a render-time
    self-check.
    """
    problems: list[str] = []
    if re.search(r"<\s*/?\s*(script|iframe|object|embed|style|form|meta)\b", html, re.IGNORECASE):
        problems.append("raw executable tag text")
    auditor = _MarkupAuditor()
    auditor.feed(html)
    auditor.close()
    return problems + auditor.problems

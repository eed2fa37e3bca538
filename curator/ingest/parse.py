"""Turn the bytes of a feed document into a :class:`~curator.types.ParsedFeed`.

RSS 0.9x/1.0/2.0 and Atom go through feedparser (the only module that imports
it); JSON Feed 1.0/1.1 is read here with :mod:`json`, because feedparser 6 does
not support it. Every entry is then normalised (:mod:`curator.ingest.normalise`),
sanitised (:mod:`curator.ingest.sanitise`) and given a language
(:mod:`curator.ingest.lang`).

Safety (RELIABILITY P04-P06): feedparser is only ever given an in-memory
stream, never a URL, path or raw ``bytes`` (it would try ``open()`` on bytes
that look like a file name, or fetch a URL without our timeouts). Before
parsing, every ``<!DOCTYPE ...>`` declaration in the prolog is removed,
internal subset included: entity declarations are therefore never expanded
(no billion laughs, no quadratic blow-up) and external entities or DTDs are
never resolved (no file or network access). References to such entities stay
as literal text. feedparser's own filter is not enough: it misses declarations
written on one line and lets a 100 KB entity be referenced 100,000 times.

feedparser's own HTML sanitizer and relative-URI rewriting are switched off
(they are slow pure-Python re-parses of every body); our allow-list sanitiser
always runs last, resolving relative URLs against the body's xml:base or the
feed URL. At most ``READ_FACTOR * max_items`` entries are handed to feedparser.

Policy for ill-formed documents (P01, as in lemon24/reader): when feedparser
reports a problem (``bozo``) but still read a feed (a title, a link or
entries), the result is returned with a warning; when nothing usable came
out, :class:`~curator.errors.ParseError` is raised. Problems in one entry
skip that entry with a warning; they never fail the feed.
"""

from __future__ import annotations

import calendar
import codecs
import io
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from curator.errors import ParseError
from curator.ingest.lang import detect_language, primary_tag
from curator.ingest.normalise import (
    canonical_url,
    clamp_date,
    clean_text,
    collapse_whitespace,
    content_hash,
    item_key,
    shorten_text,
    web_link,
)
from curator.ingest.sanitise import html_to_text, sanitise_html, text_to_html
from curator.types import ParsedFeed, ParsedItem

__all__ = ["parse_feed", "SUMMARY_CHARS", "MAX_TITLE_CHARS", "MAX_AUTHOR_CHARS"]

SUMMARY_CHARS = 500
"""Length limit of ``ParsedItem.summary`` (plain text, cut at a word with "…")."""

MAX_TITLE_CHARS = 1_000
"""Titles are cut here even when ``max_field_chars`` is larger: a title is a line, not an article."""

MAX_AUTHOR_CHARS = 300

READ_FACTOR = 4
"""At most ``READ_FACTOR * max_items`` entries are read from a document (in document order); the
newest ``max_items`` of those are kept. Bounds the work on a feed with 100,000 entries (P07)."""

_LANG_SAMPLE_CHARS = 3_000  # detection on the first few thousand characters is as good and much faster

_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


@dataclass(frozen=True)
class _Body:
    """One text construct of an entry: its value, whether it is HTML, and its xml:base (if any)."""

    value: str
    is_html: bool
    base: str | None = None


@dataclass
class _RawEntry:
    """One entry as read by either reader, before normalisation."""

    guid: str | None
    link: str | None
    title: str
    title_is_html: bool
    bodies: list[_Body] = field(default_factory=list)
    """Every content element, then the summary/description."""
    summary: _Body | None = None
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    lang: str | None = None
    link_from_guid: bool = False
    """The link is only the GUID again (RSS permalink GUID, Atom id): no independent identity."""


@dataclass
class _RawFeed:
    title: str | None
    link: str | None
    lang: str | None
    entries: list[_RawEntry]
    warnings: list[str]


# --------------------------------------------------------------------------- entry point


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    lang_hint: str | None = None,
    now: datetime,
    max_items: int = 500,
    max_field_chars: int = 200_000,
) -> ParsedFeed:
    """Parse a feed document given as bytes.

    ``url`` is where the document came from (the final URL after redirects):
    relative links are resolved against it and it appears in error messages.
    ``content_type`` is the HTTP ``Content-Type`` header, if any (it may carry
    a charset). ``lang_hint`` is the source's configured language; when None,
    the feed's own language is used as the hint for detection. ``now`` is the
    fetch time: future dates are clamped to it.

    Returns the feed with at most ``max_items`` entries: of the first
    ``READ_FACTOR * max_items`` entries in the document, the newest by date
    (undated entries rank after dated ones, in document order); each text field
    cut to ``max_field_chars`` (titles to :data:`MAX_TITLE_CHARS`, summaries
    to :data:`SUMMARY_CHARS`). Entries appear in document order. Entries whose
    identity repeats an earlier one are dropped (the first wins, D01); when
    every entry carries the same GUID, GUIDs are ignored for this document
    (D02). ``published``/``updated`` are UTC, None when the feed gave no
    usable date (``published`` falls back to the update date), and never
    later than ``now`` + 1 day.

    Raises :class:`ParseError` when the body is empty, is an HTML page, is
    not well-formed enough to yield anything, or is JSON but not a JSON Feed.
    """
    if not body or not body.strip():
        raise ParseError(
            f"The feed at {url} could not be read: empty body. Check that the URL points to a feed."
        )
    read_cap = max(1, max_items) * READ_FACTOR
    if _looks_like_json(body, content_type):
        raw = _read_json_feed(body, url, read_cap)
    else:
        raw = _read_xml_feed(body, url, content_type, read_cap)
    return _build_feed(
        raw, url=url, lang_hint=lang_hint, now=now, max_items=max_items, max_field_chars=max_field_chars
    )


# --------------------------------------------------------------------------- XML (feedparser)

_UTF32_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"))
_UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_XML_DECL_ENCODING_RE = re.compile(r"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")
_CHARSET_RE = re.compile(r";\s*charset\s*=\s*[^;]*", re.IGNORECASE)


def _wide_encoding(body: bytes) -> str | None:
    """The UTF-16/32 variant a document is written in, or None for ASCII-compatible bytes."""
    for bom, name in _UTF32_BOMS:
        if body.startswith(bom):
            return name
    for bom, name in _UTF16_BOMS:
        if body.startswith(bom):
            return name
    head = body[:4]
    if head == b"<\x00\x00\x00":
        return "utf-32-le"
    if head == b"\x00\x00\x00<":
        return "utf-32-be"
    if head[:2] == b"<\x00":
        return "utf-16-le"
    if head[:2] == b"\x00<":
        return "utf-16-be"
    return None


def _to_ascii_compatible(body: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """UTF-16/32 documents are re-encoded as UTF-8 (declaration and header charset adjusted),
    so that the DOCTYPE filter below, which works on ASCII-compatible bytes, sees them."""
    wide = _wide_encoding(body)
    if wide is None:
        return body, content_type
    text = body.decode(wide, errors="replace").lstrip("\ufeff")
    text = _XML_DECL_ENCODING_RE.sub(r"\1\2utf-8\2", text, count=1)
    if content_type:
        content_type = _CHARSET_RE.sub("", content_type)
    return text.encode("utf-8", errors="replace"), content_type


_DOCTYPE_TOKEN_RE = re.compile(rb"<!--|[\"'\[\]>]")
_PROLOG_TOKEN_RE = re.compile(rb"<!--|<\?|<!DOCTYPE|<\w", re.IGNORECASE)


def _strip_doctypes(body: bytes, url: str) -> tuple[bytes, bool]:
    """Remove every ``<!DOCTYPE ...>`` (with its internal subset) that comes before the first element.

    That is the only place where expat reads declarations, and the part feedparser's lenient parser
    takes entity declarations from. A ``<!DOCTYPE`` later on (e.g. as text inside CDATA) is left alone.
    Returns the new body and whether any removed declaration declared entities.
    Raises ParseError for a DOCTYPE that is never closed.
    """
    declared_entities = False
    pos = 0
    while True:
        token = _PROLOG_TOKEN_RE.search(body, pos)
        if token is None:
            return body, declared_entities
        kind = token.group(0)
        if kind in (b"<!--", b"<?"):  # a "<!DOCTYPE" inside a comment or PI is not a declaration
            close = body.find(b"-->" if kind == b"<!--" else b"?>", token.end())
            if close < 0:
                return body, declared_entities
            pos = close + (3 if kind == b"<!--" else 2)
            continue
        if not kind.upper().startswith(b"<!DOCTYPE"):  # the first element: the prolog is over
            return body, declared_entities
        end = _doctype_end(body, token.end())
        if end < 0:
            raise ParseError(
                f"The feed at {url} is not valid XML: its DOCTYPE declaration is never closed. "
                "Ask the publisher to fix the feed."
            )
        if b"<!ENTITY" in body[token.start() : end].upper():
            declared_entities = True
        body = body[: token.start()] + body[end:]
        pos = token.start()


def _doctype_end(body: bytes, pos: int) -> int:
    """Index just after the ``>`` that closes a DOCTYPE whose name starts at ``pos``; -1 if none."""
    depth = 0
    while True:
        token = _DOCTYPE_TOKEN_RE.search(body, pos)
        if token is None:
            return -1
        kind = token.group(0)
        if kind == b"<!--":
            close = body.find(b"-->", token.end())
            if close < 0:
                return -1
            pos = close + 3
        elif kind in (b'"', b"'"):
            close = body.find(kind, token.end())
            if close < 0:
                return -1
            pos = close + 1
        elif kind == b"[":
            depth += 1
            pos = token.end()
        elif kind == b"]":
            depth = max(0, depth - 1)
            pos = token.end()
        else:  # ">"
            if depth == 0:
                return token.end()
            pos = token.end()


_PROLOG_JUNK_RE = re.compile(rb"(?:\xef\xbb\xbf|\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_HTML_DOCTYPE_RE = re.compile(rb"<!doctype\s+html\b[^>]*>", re.IGNORECASE)
_FIRST_ELEMENT_RE = re.compile(rb"<([A-Za-z][\w:.-]*)")
_HTML_ROOTS = {b"html", b"head", b"body"}
_FEED_ROOTS = {b"rss", b"feed", b"rdf:rdf", b"rdf", b"channel"}


def _skip_prolog_junk(head: bytes, pos: int) -> int:
    match = _PROLOG_JUNK_RE.match(head, pos)
    return match.end() if match else pos


def _looks_like_html(body: bytes) -> bool:
    """True when the document's first element is an HTML page's (``<html>``, ``<head>``, ``<body>``),
    or when it declares ``<!DOCTYPE html>`` and its first element is not a feed's."""
    head = body[:8192]
    pos = _skip_prolog_junk(head, 0)
    html_doctype = _HTML_DOCTYPE_RE.match(head, pos)
    if html_doctype:
        pos = _skip_prolog_junk(head, html_doctype.end())
    element = _FIRST_ELEMENT_RE.match(head, pos)
    if element is None:
        return False
    name = element.group(1).lower()
    return name in _HTML_ROOTS or (html_doctype is not None and name not in _FEED_ROOTS)


def _struct_to_datetime(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _bozo_text(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown problem"
    name = type(exc).__name__
    get_line = getattr(exc, "getLineNumber", None)
    message = str(exc) or name
    if callable(get_line):
        try:
            return f"XML error at line {get_line()}: {getattr(exc, 'getMessage', lambda: message)()}"
        except Exception:  # noqa: BLE001 - a broken locator must not hide the real problem
            return f"XML error: {message}"
    return f"{name}: {message}"


_ENTRY_END_RE = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")


def _cap_entries(body: bytes, read_cap: int) -> tuple[bytes, int]:
    """Cut the entries after the ``read_cap``-th out of the document, keeping what follows the last one.

    Works on the closing tags of ``item``/``entry`` elements, so the document stays well-formed when
    entries are siblings (RSS, RDF, Atom). Returns the body and the number of entries it had.
    feedparser costs about a millisecond per entry; this keeps a 100,000-entry feed to seconds.
    """
    nth_end = last_end = count = 0
    for match in _ENTRY_END_RE.finditer(body):
        count += 1
        if count == read_cap:
            nth_end = match.end()
        last_end = match.end()
    if count <= read_cap:
        return body, count
    return body[:nth_end] + body[last_end:], count


def _read_xml_feed(body: bytes, url: str, content_type: str | None, read_cap: int) -> _RawFeed:
    body, content_type = _to_ascii_compatible(body, content_type)
    if _looks_like_html(body):
        raise ParseError(
            f"The URL {url} is not a feed: got an HTML page. "
            "Use the address of the site's RSS or Atom feed instead of the web page."
        )
    warnings: list[str] = []
    body, had_entities = _strip_doctypes(body, url)
    if had_entities:
        warnings.append("the feed declares its own XML entities; they were not expanded (safety)")
    body, entry_count = _cap_entries(body, read_cap)
    if entry_count > read_cap:
        warnings.append(f"the feed has {entry_count} entries; only the first {read_cap} were read")
    # No content-location: feedparser would then "resolve" permalink GUIDs against the feed URL and
    # item keys would change whenever the feed moves. Links are resolved against ``url`` here instead;
    # xml:base inside the document is still honoured by feedparser.
    headers = {"content-type": content_type or "application/xml"}
    # An in-memory stream: feedparser must never get a URL or file name (it would do its own I/O).
    # feedparser's own sanitizer and relative-URI rewriting are off: both re-parse every HTML body with
    # a slow pure-Python parser (a 10 MB description took a minute). Our sanitiser always runs on the
    # result and resolves relative URLs against the xml:base feedparser reports for each body.
    try:
        result = feedparser.parse(
            io.BytesIO(body), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as exc:  # noqa: BLE001 - a parser bug must end as a readable error, not a crash
        raise ParseError(
            f"The feed at {url} could not be read: the feed parser failed ({type(exc).__name__}: {exc}). "
            "Ask the publisher to check the feed in a validator."
        ) from exc
    feed = result.get("feed", {})
    entries = result.get("entries", [])
    read_something = bool(entries or feed.get("title") or feed.get("link"))
    if result.get("bozo"):
        problem = _bozo_text(result.get("bozo_exception"))
        if not read_something:
            if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                raise ParseError(
                    f"The URL {url} is not a feed: the content is not XML or JSON. "
                    "Check that the URL points to a feed."
                )
            raise ParseError(
                f"The feed at {url} could not be read: {problem}. Ask the publisher to fix the feed."
            )
        warnings.append(f"the feed is not well-formed ({problem}); it was read leniently")
    elif not (read_something or result.get("version")):
        raise ParseError(
            f"The URL {url} is not a feed: no RSS, Atom or JSON Feed content was found. "
            "Check that the URL points to a feed."
        )
    raw_entries: list[_RawEntry] = []
    for index, entry in enumerate(entries):
        try:
            raw_entries.append(_raw_from_feedparser(entry))
        except Exception as exc:  # noqa: BLE001 - one odd entry must not fail the feed
            warnings.append(f"entry {index + 1} was skipped: {type(exc).__name__}: {exc}")
    return _RawFeed(
        title=_detail_text(feed.get("title_detail"), feed.get("title")),
        link=feed.get("link") or None,
        lang=feed.get("language") or None,
        entries=raw_entries,
        warnings=warnings,
    )


def _is_html_type(content_type: str | None) -> bool:
    return bool(content_type) and any(t in str(content_type).lower() for t in _HTML_TYPES)


def _detail_text(detail: Any, value: Any) -> str | None:
    if not value:
        return None
    text = html_to_text(str(value)) if _is_html_type(detail.get("type") if detail else None) else str(value)
    return collapse_whitespace(text) or None


def _raw_from_feedparser(entry: Any) -> _RawEntry:
    title_detail = entry.get("title_detail") or {}
    bodies: list[_Body] = []
    for content in entry.get("content") or []:
        value = content.get("value")
        if value:
            bodies.append(_Body(str(value), _is_html_type(content.get("type")), content.get("base") or None))
    summary: _Body | None = None
    if entry.get("summary"):
        summary_value = str(entry["summary"])
        summary_detail = entry.get("summary_detail")
        if summary_detail:
            summary = _Body(
                summary_value, _is_html_type(summary_detail.get("type")), summary_detail.get("base") or None
            )
        else:
            # feedparser copies the content into "summary" without a detail: take the content's type.
            summary = next((b for b in bodies if b.value == summary_value), _Body(summary_value, True))
        bodies.append(summary)
    link = entry.get("link")  # feedparser: rel="alternate", or a permalink GUID/Atom id
    link_from_guid = bool(entry.get("guidislink")) or (bool(link) and link == entry.get("id"))
    author = entry.get("author")
    if not author and entry.get("authors"):
        author = (entry["authors"][0] or {}).get("name")
    return _RawEntry(
        guid=str(entry["id"]) if entry.get("id") else None,
        link=str(link) if link else None,
        link_from_guid=link_from_guid,
        title=str(entry.get("title") or ""),
        title_is_html=_is_html_type(title_detail.get("type")),
        bodies=bodies,
        summary=summary,
        author=str(author) if author else None,
        published=_struct_to_datetime(entry.get("published_parsed"))
        or _struct_to_datetime(entry.get("created_parsed")),
        updated=_struct_to_datetime(entry.get("updated_parsed")),
        lang=(title_detail.get("language") or None),
    )


# --------------------------------------------------------------------------- JSON Feed


def _looks_like_json(body: bytes, content_type: str | None) -> bool:
    """JSON by its first character; the Content-Type only decides when the body does not (servers
    often send feeds with the wrong type)."""
    stripped = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")):
        return True
    if stripped.startswith(b"<") or _wide_encoding(body) is not None:
        return False
    return bool(content_type) and "json" in str(content_type).lower()


def _json_date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _json_str(value: Any) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value).strip()
        return text or None
    return None


def _json_author(obj: dict[str, Any]) -> str | None:
    authors = obj.get("authors")
    candidates = authors if isinstance(authors, list) else []
    if isinstance(obj.get("author"), dict):
        candidates = [obj["author"], *candidates]
    for author in candidates:
        if isinstance(author, dict) and _json_str(author.get("name")):
            return _json_str(author.get("name"))
    return None


def _read_json_feed(body: bytes, url: str, read_cap: int) -> _RawFeed:
    try:
        data = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise ParseError(
            f"The feed at {url} could not be read: invalid JSON ({exc}). Ask the publisher to fix the feed."
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ParseError(
            f"The URL {url} is not a feed: it returned JSON that is not a JSON Feed (no 'items' list). "
            "Check that the URL points to a feed."
        )
    warnings: list[str] = []
    version = _json_str(data.get("version")) or ""
    if "jsonfeed.org" not in version:
        warnings.append("the JSON Feed does not declare a jsonfeed.org version")
    entries: list[_RawEntry] = []
    if len(data["items"]) > read_cap:
        warnings.append(f"the feed has {len(data['items'])} entries; only the first {read_cap} were read")
    for index, item in enumerate(data["items"][:read_cap]):
        if not isinstance(item, dict):
            warnings.append(f"entry {index + 1} was skipped: not a JSON object")
            continue
        bodies: list[_Body] = []
        if _json_str(item.get("content_html")):
            bodies.append(_Body(str(item["content_html"]), True))
        if _json_str(item.get("content_text")):
            bodies.append(_Body(str(item["content_text"]), False))
        summary = _Body(str(item["summary"]), False) if _json_str(item.get("summary")) else None
        if summary:
            bodies.append(summary)
        entries.append(
            _RawEntry(
                guid=_json_str(item.get("id")),
                link=_json_str(item.get("url")) or _json_str(item.get("external_url")),
                title=_json_str(item.get("title")) or "",
                title_is_html=False,
                bodies=bodies,
                summary=summary,
                author=_json_author(item) or _json_author(data),
                published=_json_date(item.get("date_published")),
                updated=_json_date(item.get("date_modified")),
                lang=_json_str(item.get("language")),
            )
        )
    return _RawFeed(
        title=collapse_whitespace(_json_str(data.get("title")) or "") or None,
        link=_json_str(data.get("home_page_url")),
        lang=_json_str(data.get("language")),
        entries=entries,
        warnings=warnings,
    )


# --------------------------------------------------------------------------- normalisation


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit]




def _truncate_html(html: str, limit: int, base: str | None) -> str:
    """Sanitised HTML no longer than ``limit``; cut between tags and re-sanitised (which closes tags)."""
    budget = limit
    for _ in range(5):
        if len(html) <= limit:
            return html
        cut = html[:budget]
        if cut.rfind("<") > cut.rfind(">"):
            cut = cut[: cut.rfind("<")]
        if cut.rfind("&") > cut.rfind(";"):
            cut = cut[: cut.rfind("&")]
        html = sanitise_html(cut, base)
        budget -= max(len(html) - limit, 16)
        if budget <= 0:
            break
    return html if len(html) <= limit else ""


def _entry_html(raw: _RawEntry, base: str, max_field_chars: int) -> str:
    """The richest body (longest raw value) as sanitised HTML."""
    if not raw.bodies:
        return ""
    richest = max(raw.bodies, key=lambda body: len(body.value))
    if richest.base:
        base = web_link(richest.base, base) or base  # xml:base, itself relative to the feed URL
    value = _truncate(richest.value, max_field_chars)
    html = value if richest.is_html else text_to_html(value)
    return _truncate_html(sanitise_html(html, base), max_field_chars, base)


def _plain(value: str, is_html: bool) -> str:
    return html_to_text(value) if is_html else clean_text(value).strip()


def _newest_first_indices(entries: list[_RawEntry], max_items: int) -> set[int]:
    def rank(index: int) -> tuple[int, float, int]:
        date = entries[index].published or entries[index].updated
        return (0, -date.timestamp(), index) if date else (1, 0.0, index)

    return set(sorted(range(len(entries)), key=rank)[:max_items])


def _build_feed(
    raw: _RawFeed, *, url: str, lang_hint: str | None, now: datetime, max_items: int, max_field_chars: int
) -> ParsedFeed:
    warnings = list(raw.warnings)
    entries = raw.entries
    guids = [entry.guid for entry in entries]
    ignore_guids = False
    if len(entries) > 1 and all(guids) and len(set(guids)) == 1:
        ignore_guids = True
        warnings.append(
            f"all {len(entries)} entries share the GUID {guids[0]!r}; entries are identified by link or "
            "title and date instead (the publisher's GUIDs are unreliable)"
        )
    hint = primary_tag(lang_hint) or primary_tag(raw.lang)

    keyed: list[tuple[str, _RawEntry]] = []
    seen: set[str] = set()
    duplicates = Counter[str]()
    for entry in entries:
        key = item_key(
            None if ignore_guids else entry.guid,
            None if ignore_guids and entry.link_from_guid else web_link(entry.link, url),
            entry.title,
            entry.published or entry.updated,
            text=entry.bodies[0].value if entry.bodies else None,
        )
        if key in seen:
            duplicates[key] += 1
            continue
        seen.add(key)
        keyed.append((key, entry))
    if duplicates:
        example = next(iter(duplicates))
        repeated = sum(duplicates.values())
        warnings.append(
            f"{repeated} entr{'y' if repeated == 1 else 'ies'} repeated the identity of an earlier entry "
            f"and {'was' if repeated == 1 else 'were'} ignored, the first one wins (e.g. {example!r})"
        )

    if len(keyed) > max_items:
        keep = _newest_first_indices([entry for _, entry in keyed], max_items)
        warnings.append(f"the feed has {len(keyed)} entries; only the newest {max_items} were kept")
        keyed = [pair for index, pair in enumerate(keyed) if index in keep]

    items: list[ParsedItem] = []
    for position, (key, entry) in enumerate(keyed):
        try:
            items.append(
                _build_item(key, entry, url=url, hint=hint, now=now, max_field_chars=max_field_chars)
            )
        except Exception as exc:  # noqa: BLE001 - one odd entry must not fail the feed
            warnings.append(
                f"entry {position + 1} ({entry.title[:60]!r}) was skipped: {type(exc).__name__}: {exc}"
            )
    return ParsedFeed(
        title=_truncate(raw.title, MAX_TITLE_CHARS) if raw.title else None,
        link=canonical_url(raw.link, url) if raw.link else None,
        items=tuple(items),
        warnings=tuple(warnings),
    )


def _build_item(
    key: str, entry: _RawEntry, *, url: str, hint: str | None, now: datetime, max_field_chars: int
) -> ParsedItem:
    # feedparser already decoded entities in plain-text titles; HTML titles lose their markup here.
    title_text = html_to_text(entry.title) if entry.title_is_html else entry.title
    title = _truncate(collapse_whitespace(title_text), min(MAX_TITLE_CHARS, max_field_chars))
    link = canonical_url(entry.link, url)
    resolved = web_link(entry.link, url)
    # P10: relative URLs in the body resolve against the feed URL (feedparser already applied xml:base).
    content_html = _entry_html(entry, url, max_field_chars)
    text = _truncate(html_to_text(content_html), max_field_chars)
    if entry.summary:
        summary_text = collapse_whitespace(
            _plain(_truncate(entry.summary.value, max_field_chars), entry.summary.is_html)
        )
    else:
        summary_text = ""
    summary = shorten_text(summary_text or collapse_whitespace(text[: SUMMARY_CHARS * 4]), SUMMARY_CHARS)
    author = collapse_whitespace(html_to_text(entry.author)) if entry.author else ""
    # Many feeds (RSS 1.0 dc:date, Atom without <published>) only give the update time.
    raw_published = entry.published or entry.updated
    published = clamp_date(raw_published, now, now) if raw_published else None
    updated = clamp_date(entry.updated, now, now) if entry.updated else None
    lang_sample = (title + "\n" + text[:_LANG_SAMPLE_CHARS]).strip()
    lang = detect_language(lang_sample, primary_tag(entry.lang) or hint)
    return ParsedItem(
        key=key,
        title=title,
        url=resolved,
        canonical_url=link,
        summary=summary,
        content_html=content_html,
        text=text,
        author=_truncate(author, MAX_AUTHOR_CHARS) or None,
        published=published,
        updated=updated,
        lang=lang,
        content_hash=content_hash(title, text),
    )



"""OPML subscription lists as a way in and out of the sources: read (OPML 1.0 and 2.0) and write.

OPML is what feed readers export and import (Feedly, Inoreader, Thunderbird, NetNewsWire...):
``<opml><head>..</head><body>`` with nested ``<outline>`` elements. An outline with an
``xmlUrl`` is a feed; one with children is a folder. Folders matter here in one way: a folder
whose title names a subject area ("Technology 4.0", "Arbeitswelt 4.0", "Company", "society")
gives that area to the feeds inside it (the innermost such folder wins).

Reading is defensive, as the file comes from anyone (:func:`parse_opml`):

- at most :data:`MAX_OPML_BYTES`; at most :data:`MAX_OUTLINES` outlines, nested at most
  :data:`MAX_DEPTH` deep;
- no DOCTYPE at all, so no entity declarations (no "billion laughs", no external entities);
  expat (Python's own) does the parsing, since it reports the line of every outline;
- a whole-file problem (not XML, not OPML, too big) raises InvalidInput naming the file and
  line; a problem of one outline (no ``xmlUrl``) is reported on that outline
  (:attr:`OpmlFeed.problem`) and the others are read on.

Writing (:func:`dump_opml`) puts each source in the folder of its first area and keeps what
plain OPML cannot say (id, all areas, who may read it, poll interval, on/off, kind) in
attributes of curator's own namespace :data:`NAMESPACE`, which other readers ignore; reading
them back makes export and import a round trip.

All functions are pure; the URL and feeds-file rules are the caller's.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from curator.errors import InvalidInput
from curator.types import AREA_IDS, Source

__all__ = ["MAX_DEPTH", "MAX_OPML_BYTES", "MAX_OUTLINES", "NAMESPACE", "OpmlFeed", "area_folder_names",
           "dump_opml", "parse_opml"]

MAX_OPML_BYTES = 1024 * 1024
"""Largest OPML file read: about 4,000 feeds, far more than any reading list."""
MAX_OUTLINES = 10_000
MAX_DEPTH = 32
NAMESPACE = "urn:x-cluster-curator:opml:1"
"""curator's attributes on an outline (``curator:id`` ...); any prefix bound to this name works."""

_SEP = "\x1f"  # expat's separator between namespace and local name (never in a name)
_EXT = ("id", "areas", "visibility", "poll", "enabled", "kind")


@dataclass(frozen=True)
class OpmlFeed:
    """One feed outline of an OPML file, as written there.

    ``xml_url`` is the feed address as given ("" when missing), unchecked; ``title`` is the
    outline's ``title`` or ``text`` (the file's wording, trimmed; "" when both are blank).
    ``folders`` are the titles of the enclosing folders, outermost first; ``areas`` come from
    curator's ``areas`` attribute if present, else from the innermost folder naming an area.
    ``lang`` is the primary subtag of ``language`` ("de-DE" gives "de"), None if absent or not
    a language code. ``entry`` holds curator's own attributes in the feeds file's field names
    (id, visibility, poll_minutes, enabled, kind), converted where they read as such and left
    as text otherwise, so that the feeds file's rules name what is wrong. ``problem`` says why
    the outline cannot become a source (None: it can be tried)."""

    line: int
    title: str
    xml_url: str
    html_url: str | None = None
    lang: str | None = None
    folders: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    entry: Mapping[str, Any] = field(default_factory=dict)
    problem: str | None = None


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).casefold()


def area_folder_names(area_names: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Folder titles that name an area, normalised (case and spaces folded) to the area id:
    the id, each display name of ``area_names`` (``{area: {lang: name}}``, from
    models/subject_areas.yaml) and each name without its " 4.0"."""
    out: dict[str, str] = {}
    for area in AREA_IDS:
        out[_norm(area)] = area
        for name in area_names.get(area, {}).values():
            out[_norm(name)] = area
            bare = re.sub(r"\s*4\.0$", "", name.strip())
            if bare:
                out.setdefault(_norm(bare), area)
    return out


def parse_opml(data: bytes, *, where: str, area_folders: Mapping[str, str]) -> list[OpmlFeed]:
    """The feed outlines of the OPML document ``data``, in document order.

    ``where`` names the file in messages; ``area_folders`` maps normalised folder titles to
    area ids (:func:`area_folder_names`). Raises InvalidInput naming ``where`` (and the line)
    when the file is larger than MAX_OPML_BYTES, is not well-formed XML, has a DOCTYPE, is not
    ``<opml>`` with a ``<body>``, or has more than MAX_OUTLINES outlines or deeper nesting than
    MAX_DEPTH. Outlines that are no feed are reported in :attr:`OpmlFeed.problem`."""
    if len(data) > MAX_OPML_BYTES:
        raise InvalidInput(f"{where}: the file is larger than {MAX_OPML_BYTES:,} bytes, the most an OPML file "
                           "may have here (split it into several files)")
    reader = _Reader(where, area_folders)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=_SEP)
    reader.parser = parser
    parser.StartDoctypeDeclHandler = reader.doctype
    parser.EntityDeclHandler = reader.entity
    parser.ExternalEntityRefHandler = reader.external
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise InvalidInput(f"{where}, line {exc.lineno}: not well-formed XML "
                           f"({xml.parsers.expat.ErrorString(exc.code)}); is it really an OPML file?") from exc
    if not reader.seen_body:
        raise InvalidInput(f"{where}: the OPML file has no <body>, so no outlines")
    return reader.feeds


class _Open:
    """An outline being read: a folder until it ends without children (then, lacking an
    ``xmlUrl``, it is reported)."""

    __slots__ = ("area", "children", "html_url", "line", "title")

    def __init__(self, title: str, area: str | None, line: int, html_url: str | None) -> None:
        self.title, self.area, self.line, self.html_url, self.children = title, area, line, html_url, 0


class _Reader:
    """expat handlers: the open outlines and the feeds found so far."""

    def __init__(self, where: str, area_folders: Mapping[str, str]) -> None:
        self.where = where
        self.area_folders = area_folders
        self.parser: Any = None
        self.feeds: list[OpmlFeed] = []
        self.path: list[str] = []  # element local names, root first
        self.open: list[_Open | None] = []  # per open outline; None for a feed (no folder)
        self.outlines = 0
        self.seen_body = False

    def _fail(self, message: str) -> None:
        raise InvalidInput(f"{self.where}, line {self.parser.CurrentLineNumber}: {message}")

    def doctype(self, *_: Any) -> None:
        self._fail("the file has a DOCTYPE declaration; OPML needs none, and it is refused because it can "
                   "declare entities (remove the <!DOCTYPE ...> line)")

    def entity(self, *_: Any) -> None:
        self._fail("the file declares entities; they are refused (remove the declarations)")

    def external(self, *_: Any) -> int:
        self._fail("the file refers to an external entity; it is refused")
        return 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(_SEP, 1)[-1]
        if not self.path and local != "opml":
            self._fail(f"the document is <{local}>, not <opml>: is it really an OPML file?")
        if len(self.path) > MAX_DEPTH:
            self._fail(f"outlines are nested more than {MAX_DEPTH} deep")
        self.path.append(local)
        if local == "body" and self.path[:-1] == ["opml"]:
            self.seen_body = True
        if local != "outline" or self.path[:2] != ["opml", "body"]:
            return
        self.outlines += 1
        if self.outlines > MAX_OUTLINES:
            self._fail(f"the file has more than {MAX_OUTLINES:,} outlines; split it into several files")
        if self.open and self.open[-1] is not None:
            self.open[-1].children += 1
        self._outline(attrs)

    def end(self, name: str) -> None:
        local = self.path.pop()
        if local != "outline" or self.path[:2] != ["opml", "body"]:
            return
        done = self.open.pop()
        if done is not None and not done.children:
            name = f"outline '{done.title or '(untitled)'}'"
            self.feeds.append(OpmlFeed(
                line=done.line, title=done.title, xml_url="", html_url=done.html_url, folders=self._folders(),
                problem=f"{name} has a web page (htmlUrl) but no xmlUrl, the feed's address" if done.html_url
                else f"{name} has no xmlUrl, the feed's address (an empty folder, or not a feed)"))

    def _folders(self) -> tuple[str, ...]:
        return tuple(o.title for o in self.open if o is not None)

    def _outline(self, attrs: dict[str, str]) -> None:
        plain = {k: v for k, v in attrs.items() if _SEP not in k}
        ours = {k.rsplit(_SEP, 1)[1]: v for k, v in attrs.items() if k.startswith(NAMESPACE + _SEP)}
        title = (plain.get("title") or "").strip() or (plain.get("text") or "").strip()
        line = int(self.parser.CurrentLineNumber)
        xml_url = (plain.get("xmlUrl") or plain.get("xmlurl") or "").strip()
        html_url = (plain.get("htmlUrl") or plain.get("htmlurl") or "").strip() or None
        if not xml_url:  # a folder if children follow; reported at its end if none do
            self.open.append(_Open(title, self.area_folders.get(_norm(title)), line, html_url))
            return
        areas = tuple(ours["areas"].split()) if "areas" in ours else next(
            ((o.area,) for o in reversed(self.open) if o is not None and o.area), ())
        entry: dict[str, Any] = {}
        if "id" in ours:
            entry["id"] = ours["id"].strip()
        if "visibility" in ours:
            entry["visibility"] = ours["visibility"].strip()
        if "poll" in ours:
            poll = ours["poll"].strip()
            entry["poll_minutes"] = int(poll) if poll.isdigit() else poll
        if "enabled" in ours:
            flag = ours["enabled"].strip().lower()
            entry["enabled"] = {"true": True, "false": False}.get(flag, flag)
        if "kind" in ours:
            entry["kind"] = ours["kind"].strip()
        self.feeds.append(OpmlFeed(line=line, title=title, xml_url=xml_url, html_url=html_url,
                                   lang=_primary_language(plain.get("language")), folders=self._folders(),
                                   areas=areas, entry=entry))
        self.open.append(None)


def _primary_language(tag: str | None) -> str | None:
    """"de-DE" -> "de"; None for anything that is not a two-letter language (then it is detected)."""
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return primary if re.fullmatch(r"[a-z]{2}", primary) else None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _attr(value: str) -> str:
    return quoteattr(_CONTROL.sub("", value), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def dump_opml(sources: Sequence[Source], *, title: str, area_names: Mapping[str, Mapping[str, str]],
              lang: str, created: datetime) -> str:
    """``sources`` as an OPML 2.0 document: a folder per area (named in ``lang``), holding the
    sources whose first area it is, in the order given; sources without an area at the top
    level after the folders. Every source carries curator's attributes (:data:`NAMESPACE`)."""
    def name(area: str) -> str:
        names = area_names.get(area, {})
        return names.get(lang) or names.get("en") or area

    def outline(s: Source, indent: str) -> str:
        attrs = [("type", "rss"), ("text", s.title), ("title", s.title), ("xmlUrl", s.url)]
        if s.lang:
            attrs.append(("language", s.lang))
        attrs += [("curator:id", s.id), ("curator:areas", " ".join(s.areas)), ("curator:visibility", s.visibility),
                  ("curator:poll", str(s.poll_minutes)), ("curator:enabled", "true" if s.enabled else "false"),
                  ("curator:kind", s.kind)]
        return f"{indent}<outline " + " ".join(f"{k}={_attr(v)}" for k, v in attrs) + "/>\n"

    lines = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             f'<opml version="2.0" xmlns:curator={_attr(NAMESPACE)}>\n',
             "  <head>\n", f"    <title>{escape(_CONTROL.sub('', title))}</title>\n",
             f"    <dateCreated>{format_datetime(created, usegmt=created.utcoffset() is not None)}</dateCreated>\n",
             "  </head>\n", "  <body>\n"]
    for area in AREA_IDS:
        members = [s for s in sources if s.areas and s.areas[0] == area]
        if members:
            lines.append(f"    <outline text={_attr(name(area))} title={_attr(name(area))}>\n")
            lines += [outline(s, "      ") for s in members]
            lines.append("    </outline>\n")
    lines += [outline(s, "    ") for s in sources if not s.areas or s.areas[0] not in AREA_IDS]
    lines += ["  </body>\n", "</opml>\n"]
    return "".join(lines)

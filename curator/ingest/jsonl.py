"""JSON Lines input: the reading loop shared by every import, and the article archive format.

:func:`read_jsonl` is the loop (numbering, blank lines, "one JSON object per line", a readable
error per bad line); each import supplies only the function that turns one object into its
value. :func:`parse_archive` is that for the article archive (``curator import``).

Pure: no I/O beyond iterating the given lines, no clock (``now`` is passed in).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from curator.clock import parse_iso_time
from curator.errors import InvalidInput
from curator.ingest.normalise import slugify, web_link
from curator.ingest.plain_text import item_from_text
from curator.types import ParsedItem

__all__ = ["ARCHIVE_KEY_PREFIX", "JsonlRead", "ArchiveImport", "read_jsonl", "parse_archive", "archive_source_id"]

T = TypeVar("T")

ARCHIVE_KEY_PREFIX = "import:"
"""An archived article's item key is this and the id the archive gave it (``import:bbc-business-232``)."""


@dataclass(frozen=True)
class JsonlRead(Generic[T]):
    """What :func:`read_jsonl` made of the lines.

    ``values``: (line number, value) for every good line, in input order. ``errors``: (line
    number, message) for every bad line; the message starts with ``line <n>:``. ``skipped``:
    good lines the parse function chose to drop (it returned None).
    """

    values: tuple[tuple[int, T], ...]
    errors: tuple[tuple[int, str], ...]
    skipped: int = 0


def read_jsonl(lines: Iterable[str], parse: Callable[[dict[str, Any]], T | None], *,
               line_errors: tuple[type[Exception], ...] = (ValueError, InvalidInput)) -> JsonlRead[T]:
    """Parse one JSON object per line with ``parse``; one bad line never stops the others.

    Lines are numbered from 1; blank lines are skipped but counted. A line that is not JSON or not
    an object, or for which ``parse`` raises one of ``line_errors`` (``json.JSONDecodeError`` is a
    ValueError), is reported with its number and the exception's message. Other exceptions
    propagate: they are not the line's fault.
    """
    values: list[tuple[int, T]] = []
    errors: list[tuple[int, str]] = []
    skipped = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise InvalidInput("expected a JSON object")
            value = parse(obj)
        except line_errors as exc:
            errors.append((number, f"line {number}: {exc}"))
            continue
        if value is None:
            skipped += 1
        else:
            values.append((number, value))
    return JsonlRead(tuple(values), tuple(errors), skipped)


@dataclass(frozen=True)
class ArchiveImport:
    """An article archive, parsed: the items per source id (in order of first appearance) and the
    bad lines as (line number, message)."""

    by_source: Mapping[str, tuple[ParsedItem, ...]]
    errors: tuple[tuple[int, str], ...]


def archive_source_id(source_id: str, sub_source: object) -> str:
    """The source an archive line goes to: ``source_id``, or ``<source_id>-<slug of its
    "source" field>`` when the line names one (``import`` + ``"BBC"`` -> ``import-bbc``)."""
    if isinstance(sub_source, str) and sub_source.strip():
        return slugify(f"{source_id}-{sub_source}", max_length=64, fallback="import")
    return source_id


def parse_archive(lines: Iterable[str], *, source_id: str, now: datetime) -> ArchiveImport:
    """Parse an article archive: one JSON object per line with ``id``, ``title``, ``text`` (text
    or number, not blank) and optionally ``url`` (a web link: the rule of
    :func:`~curator.ingest.normalise.web_link` that feed entries follow; a line with a
    ``javascript:``, ``data:`` or other non-web link is reported, not imported), ``lang``, ``published`` (ISO 8601, never
    later than ``now``) and ``source`` (a sub-source, see :func:`archive_source_id`).

    Each item's key is ``import:<id>`` (:data:`ARCHIVE_KEY_PREFIX`), so importing the same archive again gives the same keys.
    Bad lines are reported by number (see :func:`read_jsonl`) and left out.
    """

    def parse(obj: dict[str, Any]) -> tuple[str, ParsedItem]:
        for field in ("id", "title", "text"):
            if not isinstance(obj.get(field), str | int) or str(obj.get(field)).strip() == "":
                raise InvalidInput(f"field '{field}' is missing or empty")
        published = parse_iso_time(obj.get("published"), now)
        url = obj.get("url")
        if url is not None and not isinstance(url, str):
            raise InvalidInput("field 'url' must be text")
        if url is not None and url.strip() and web_link(url) is None:
            raise InvalidInput(f"field 'url' must be a web address starting with http:// or https:// "
                               f"(got {url[:80]!r}); fix or remove it")
        lang = obj.get("lang")
        if lang is not None and not isinstance(lang, str):
            raise InvalidInput("field 'lang' must be text such as de or en")
        item = item_from_text(key=f"{ARCHIVE_KEY_PREFIX}{obj['id']}", title=str(obj["title"]), text=str(obj["text"]),
                              link=url, lang=lang, published=published)
        return archive_source_id(source_id, obj.get("source")), item

    read = read_jsonl(lines, parse)
    by_source: dict[str, list[ParsedItem]] = {}
    for _, (sid, item) in read.values:
        by_source.setdefault(sid, []).append(item)
    return ArchiveImport({sid: tuple(items) for sid, items in by_source.items()}, read.errors)

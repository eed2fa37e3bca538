"""Editing feeds.yaml, the desired list of sources, from the editors' console.

The file belongs to the editors: it is changed as a YAML document (their entries, order and
defaults kept), validated with the same rules as on loading
(:func:`curator.config.parse_sources`) before it replaces the old file, and replaced atomically,
so a bad edit never leaves a broken or half-written file behind.

:func:`with_new_source` and :func:`with_source_enabled` are pure (a document in, a new document
out); :func:`read_feeds_document` and :func:`write_feeds_document` do the file I/O.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from curator.config import parse_sources
from curator.errors import ConfigError, InvalidInput, NotFound
from curator.ingest.normalise import slugify
from curator.types import AREA_IDS

__all__ = ["read_feeds_document", "write_feeds_document", "with_new_source", "with_source_enabled"]

FeedsDocument = dict[str, Any]
"""The YAML mapping of a feeds file: ``sources:`` (a list of mappings) and maybe ``defaults:``."""

_VISIBILITY = re.compile(r"public|members|club:[a-z0-9][a-z0-9-]{0,63}")


def read_feeds_document(path: Path) -> FeedsDocument:
    """The feeds file as a YAML mapping with a ``sources`` list; a missing or empty file gives
    ``{"sources": []}``. Raises ConfigError naming the file when it is not YAML or not a mapping."""
    if not path.exists():
        return {"sources": []}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return {"sources": []}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with 'sources:' (and optionally 'defaults:')")
    data["sources"] = data.get("sources") or []
    return data


def write_feeds_document(path: Path, document: FeedsDocument) -> None:
    """Validate ``document`` as a feeds file, then replace ``path`` with it atomically.

    Raises ConfigError (naming ``path``, the entry and the field) and leaves the file as it was
    when the document is not a valid feeds file.
    """
    parse_sources(document, str(path))
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tmp.replace(path)


def with_new_source(document: FeedsDocument, *, url: str, title: str, visibility: str = "public",
                    lang: str | None = None, areas: Sequence[str] = ()) -> tuple[FeedsDocument, str]:
    """``document`` with a new source appended, and the new source's id.

    ``url`` must already be checked (the fetcher's rules). The id is the slug of the title,
    with ``-2``, ``-3`` ... appended when taken. ``lang`` other than de/en is left out; ``areas``
    outside the subject areas are dropped. Raises InvalidInput for a blank title, a bad
    visibility or a URL that is already a source.
    """
    title = (title or "").strip()
    if not title:
        raise InvalidInput("the source needs a title")
    if not _VISIBILITY.fullmatch(visibility or ""):
        raise InvalidInput("visibility must be public, members or club:<club-id>")
    entries = [s for s in document.get("sources") or [] if isinstance(s, dict)]
    if any(s.get("url") == url for s in entries):
        raise InvalidInput(f"{url} is already a source")
    existing = {s.get("id") for s in entries}
    base = slugify(title, max_length=50, fallback="source")
    sid, n = base, 2
    while sid in existing:
        sid, n = f"{base}-{n}", n + 1
    entry: dict[str, Any] = {"id": sid, "title": title, "url": url, "visibility": visibility}
    if lang in ("de", "en"):
        entry["lang"] = lang
    if areas:
        entry["areas"] = [a for a in areas if a in AREA_IDS]
    new = copy.deepcopy(document)
    new["sources"] = [*(new.get("sources") or []), entry]
    return new, sid


def with_source_enabled(document: FeedsDocument, source_id: str, enabled: bool, *, where: str) -> FeedsDocument:
    """``document`` with source ``source_id`` switched on or off (``enabled: true|false``).

    Raises NotFound, naming ``where`` (the file), when the document has no such source: sources
    that are not in the feeds file (imports, member posts) cannot be switched.
    """
    new = copy.deepcopy(document)
    for entry in new.get("sources") or []:
        if isinstance(entry, dict) and entry.get("id") == source_id:
            entry["enabled"] = bool(enabled)
            return new
    raise NotFound(f"no source '{source_id}' in {where}; only sources of feeds.yaml can be switched")

"""The feeds-file format as a way in and out of the database: export, import, console entries.

The database holds the sources; the feeds file is one way to define them (``origin: file``).
Every other way in goes through the file's own rules, :func:`curator.config.parse_sources`, so
a source is valid in the console exactly when it would be valid in feeds.yaml:

- :func:`console_source` turns what an editor typed into a source (or refuses it);
- :func:`parse_feeds_text` reads a file to import (``curator sources import``);
- an OPML file's feeds (:mod:`curator.ingest.opml`) become sources through :func:`console_source`;
- :func:`dump_sources` writes sources as a feeds file (``curator sources export``), checked
  by the same rules before it is returned, so what is exported imports again unchanged.

All functions are pure; URL rules of the fetcher are the caller's (:func:`curator.ingest.fetch.check_url`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

import yaml

from curator.config import parse_sources
from curator.errors import ConfigError, InvalidInput
from curator.ingest.normalise import slugify
from curator.types import Source

__all__ = ["console_source", "dump_sources", "free_source_id", "parse_feeds_text"]


def free_source_id(title: str, taken: Collection[str]) -> str:
    """The slug of ``title`` (``source`` when nothing is left of it), with ``-2``, ``-3`` ...
    appended while it is in ``taken``."""
    base = slugify(title, max_length=50, fallback="source")
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}-{n}", n + 1
    return sid


def console_source(source_id: str, *, url: str, title: str, visibility: str, lang: str | None,
                   areas: Sequence[str], enabled: bool | str = True, poll_minutes: int | str = 60,
                   kind: str = "article", where: str = "the new source") -> Source:
    """An editor's entry (or an imported one, named ``where``) as a ``console`` source,
    checked by the feeds file's rules.

    ``url`` must already be checked by the fetcher's rules. A blank ``lang`` means "detect".
    ``enabled`` and ``poll_minutes`` may be text as read from a file: the rules then say what
    is wrong with it. Raises InvalidInput saying which field is wrong (blank title, a visibility
    other than public, members or club:<id>, an unknown language or area, a poll interval,
    switch or kind the format does not allow)."""
    if not (title or "").strip():
        raise InvalidInput("the source needs a title")
    entry: dict[str, Any] = {"id": source_id, "title": title.strip(), "url": url, "visibility": visibility,
                             "areas": list(areas), "enabled": enabled, "poll_minutes": poll_minutes, "kind": kind}
    if lang:
        entry["lang"] = lang
    try:
        (source,) = parse_sources({"sources": [entry]}, where)
    except ConfigError as exc:
        raise InvalidInput(str(exc)) from exc
    return replace(source, origin="console")


def parse_feeds_text(text: str, where: str) -> tuple[Source, ...]:
    """The sources of a feeds file's text. Raises ConfigError naming ``where`` (the file), the
    entry and the field, as loading feeds.yaml does."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {exc}") from exc
    return parse_sources(data, where)


def dump_sources(sources: Sequence[Source], *, header: str = "") -> str:
    """``sources`` as the text of a feeds file, every field that matters written out (the
    defaults of the format are not relied on), each line of ``header`` as a comment on top.

    Raises ConfigError if a source breaks the format's rules (then it could not be imported)."""
    document = {"sources": [_entry(s) for s in sources]}
    parse_sources(document, "the exported sources")
    comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return comment + str(yaml.dump(document, Dumper=_IndentedDumper, allow_unicode=True, sort_keys=False, width=120))


class _IndentedDumper(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML has no type hints here
    """Indents list entries under their key (``sources:`` then ``  - id: ...``), as feeds.yaml is
    written by hand, so an exported entry can be pasted into it as it is."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _entry(source: Source) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": source.id, "title": source.title, "url": source.url}
    if source.lang:
        entry["lang"] = source.lang
    if source.areas:
        entry["areas"] = list(source.areas)
    entry.update(visibility=source.visibility, poll_minutes=source.poll_minutes, enabled=source.enabled)
    if source.kind != "article":
        entry["kind"] = source.kind
    return entry

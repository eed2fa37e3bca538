"""The sources to collect and their collection (``curator.sources`` on the root).

The database is the source of truth for sources at run time. Each source records its origin
(:data:`curator.types.SourceOrigin`): loading the feeds file (``sync``) adds, changes and retires
``file`` sources only; the console (``add``, ``update``) and ``import_yaml`` make ``console``
sources, which no file retires; nothing here writes the feeds file. ``export_yaml`` writes the
sources in the file's format, ``export_opml`` and ``import_opml`` as feed readers exchange them
(:mod:`curator.ingest.opml`), and every way in is checked by the file's rules
(:mod:`curator.ingest.feeds_file`) and, for URLs typed or imported, the fetcher's.

This class also loads each source's runtime state, lets :mod:`curator.ingest.pipeline` decide
what to request and what a fetch outcome means, and stores the result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import suppress
from dataclasses import replace
from datetime import timedelta
from typing import BinaryIO

from curator.clock import Clock
from curator.config import Settings, load_feeds_file
from curator.errors import (
    ConfigError,
    CuratorError,
    FetchError,
    InvalidInput,
    NotFound,
    ParseError,
    WorkflowError,
)
from curator.i18n import translate
from curator.ingest import opml, pipeline
from curator.ingest.feeds_file import console_source, dump_sources, free_source_id, parse_feeds_text
from curator.ingest.fetch import Fetcher, check_url
from curator.storage import SourceState, Store
from curator.types import (
    CollectResult,
    OpmlImportResult,
    Source,
    SourceHealth,
    SourceImportResult,
    SourceOrigin,
)

__all__ = ["Sources"]

log = logging.getLogger("curator")


class Sources:
    """Sources: load the feeds file, let editors add and switch sources, export and import them,
    show their health, collect them.

    ``fetcher`` is the one HTTP client of the process (its policy is also the rule for URLs an
    editor adds); the root closes it. ``area_names`` (``{area: {lang: name}}``, from the area
    model) name the folders of OPML files."""

    def __init__(self, settings: Settings, storage: Store, clock: Clock, fetcher: Fetcher, *,
                 area_names: Mapping[str, Mapping[str, str]]) -> None:
        self._settings = settings
        self._storage = storage
        self._clock = clock
        self._fetcher = fetcher
        self._area_names = area_names

    # ------------------------------------------------------------------ definitions

    def sync(self, sources: Sequence[Source] | None = None, *, allow_empty: bool = False) -> tuple[int, int, int]:
        """Make the sources of the feeds file (or ``sources``, read as that file) match it:
        add, change and retire ``file`` sources; console and internal sources are never
        touched. Returns (added, changed, retired).

        An empty list retires nothing unless ``allow_empty`` (``curator init --allow-empty-feeds``):
        a blank or truncated feeds file once silently retired every source. Raises ConfigError,
        naming the file and the sources it would retire, when it would; with no sources to
        retire an empty list is harmless and passes. Raises ConfigError naming the file, and
        changes nothing, when it uses the id of an internal source or of a console source with
        another URL (the same id and URL: the file takes the console source over)."""
        where = "the list of sources given"
        if sources is None:
            sources = load_feeds_file(self._settings.feeds_file)
            where = str(self._settings.feeds_file)
        if not sources and not allow_empty:
            listed = [s.source.id for s in self._storage.source_states(only_enabled=False)
                      if s.source.origin == "file"]
            if listed:
                shown = ", ".join(listed[:5]) + (f" and {len(listed) - 5} more" if len(listed) > 5 else "")
                raise ConfigError(
                    f"{where}: lists no sources, so loading it would retire all {len(listed)} ({shown}); "
                    "add the sources to it, or retire them all on purpose with `curator init --allow-empty-feeds`")
        try:
            return self._storage.sync_sources(sources, self._clock.now())
        except WorkflowError as exc:
            raise ConfigError(f"{where}: {exc}") from exc

    def add(self, url: str, *, title: str, visibility: str = "public", lang: str | None = None,
            areas: Sequence[str] = ()) -> str:
        """Add a ``console`` source, enabled, and return its id (the slug of the title, made
        unique). The URL is checked with the fetcher's rules (no private addresses, http/https
        only), the rest with the feeds file's; ``visibility`` is public, members or
        ``club:<id>`` of an existing club.

        Raises AddressNotAllowed or InvalidInput for a refused URL, a blank title, a visibility
        that is not one of the choices, an unknown language or area, or a URL that is already a
        source. The feeds file is not read or written."""
        url = check_url(url, self._fetcher.policy)  # the same rules the collector applies
        self._check_visibility(visibility)
        taken = {h.source.id for h in self._storage.source_health()}
        source = console_source(free_source_id(title or "", taken), url=url, title=title, visibility=visibility,
                                lang=lang, areas=areas)
        self._storage.add_source(source, self._clock.now())
        return source.id

    def update(self, source_id: str, *, url: str, title: str, visibility: str, lang: str | None = None,
               areas: Sequence[str] = ()) -> bool:
        """Change a ``console`` source (checked as in ``add``); its switch, poll interval and
        kind stay. A new URL starts its fetch state afresh; a new visibility applies to its
        stored items at once. Returns whether anything changed.

        Raises NotFound for an unknown id, WorkflowError for a source of the feeds file (change
        it there) or an internal one, and what ``add`` raises for a refused entry."""
        current = self._get(source_id)
        url = check_url(url, self._fetcher.policy)
        self._check_visibility(visibility)
        source = console_source(source_id, url=url, title=title, visibility=visibility, lang=lang, areas=areas)
        source = replace(source, poll_minutes=current.poll_minutes, kind=current.kind)
        return self._storage.update_source(source, self._clock.now())

    def set_enabled(self, source_id: str, enabled: bool) -> Source:
        """Switch a source on or off, whatever its origin, and return it; on, it is collected at
        the next run. The feeds file's ``enabled`` changes a file source again only when the
        file changes it. Switching on a retired file source (no longer in the file) makes it a
        console source. Raises NotFound for an unknown id, WorkflowError for an internal source
        (member posts, imports: never collected)."""
        return self._storage.set_source_enabled(source_id, enabled, self._clock.now())

    def export_yaml(self, origin: SourceOrigin | None = None) -> str:
        """The current sources (of ``origin`` only, if given) as a feeds file, by id: every
        source that is collected or switched off, not the internal and retired ones.
        ``import_yaml`` reads it back unchanged; used as feeds.yaml it makes them file sources."""
        sources = self._current(origin)
        header = (f"Sources exported by `curator sources export` at {self._clock.now():%Y-%m-%d %H:%M} UTC"
                  f"{f' (origin: {origin})' if origin else ''}.\n"
                  "Read back with `curator sources import FILE`; as feeds.yaml they become sources of that file.")
        return dump_sources(sources, header=header)

    def import_yaml(self, text: str, *, where: str) -> list[SourceImportResult]:
        """Add or update the sources of a feeds file's ``text`` as ``console`` sources, and say
        per source what happened (added, updated, unchanged, or skipped with the reason: its id
        belongs to the feeds file or to an internal source, or its URL to another source).

        The whole file is checked first, with the feeds file's rules and the fetcher's URL
        rules; ConfigError naming ``where``, the entry and the field, and nothing stored, when
        any entry is refused."""
        checked = []
        for index, src in enumerate(parse_feeds_text(text, where), start=1):
            try:
                url = check_url(src.url, self._fetcher.policy)
            except (InvalidInput, FetchError) as exc:
                raise ConfigError(f"{where}: source #{index} ('{src.id}'): field 'url': {exc}; "
                                  "nothing was imported") from exc
            checked.append(replace(src, url=url, origin="console"))
        return self._storage.import_sources(checked, self._clock.now())

    def export_opml(self, *, lang: str = "en") -> str:
        """The current sources (as ``export_yaml``: not the internal and retired ones) as an
        OPML 2.0 file for feed readers: a folder per area named in ``lang``, each source in the
        folder of its first area; curator's own attributes keep the rest, so ``import_opml``
        of it into an empty database gives the same sources (as console sources)."""
        return opml.dump_opml(self._current(None), title=translate("opml_title", lang), area_names=self._area_names,
                              lang=lang, created=self._clock.now())

    def import_opml(self, data: bytes | BinaryIO, *, where: str, dry_run: bool = False) -> list[OpmlImportResult]:
        """Add the feeds of the OPML file ``data`` (its bytes, or a binary file, of which no
        more is read than the size limit allows; named ``where`` in messages) as
        ``console`` sources, and say per feed outline, in file order, what happened: added,
        exists (its URL is already a source, or came earlier in the file) or rejected with the
        reason. ``dry_run``: the same answer, nothing stored.

        Each feed goes the way of ``add``: the fetcher's URL rules, the feeds file's rules, who
        may read it (public unless curator's own attribute says otherwise; a club must exist).
        Its id is the slug of its title (or of curator's id attribute), made unique; its areas
        come from a folder named like an area (:mod:`curator.ingest.opml`). One refused feed
        never stops the others. Raises InvalidInput, storing nothing, when the file as a whole
        is unreadable (not OPML, too large, a DOCTYPE)."""
        if not isinstance(data, bytes):
            data = data.read(opml.MAX_OPML_BYTES + 1)  # one byte more: parse_opml then says it is too large
        feeds = opml.parse_opml(data, where=where, area_folders=opml.area_folder_names(self._area_names))
        health = self._storage.source_health()
        taken = {h.source.id for h in health}
        owners: dict[str, str] = {}
        for h in health:  # as written, and as the URL rules write it (feeds.yaml's URLs are not rewritten)
            owners.setdefault(h.source.url, h.source.id)
            with suppress(InvalidInput, FetchError):
                owners.setdefault(check_url(h.source.url, self._fetcher.policy), h.source.id)
        earlier: dict[str, int] = {}  # URL -> line, of this file
        results: list[OpmlImportResult] = []
        accepted: list[tuple[int, Source]] = []
        for feed in feeds:
            shown = OpmlImportResult(feed.line, feed.title, feed.xml_url, "rejected", areas=feed.areas)
            if feed.problem:
                results.append(replace(shown, reason=feed.problem))
                continue
            try:
                url = check_url(feed.xml_url, self._fetcher.policy)
                shown = replace(shown, url=url)
                if url in earlier:
                    results.append(replace(shown, outcome="exists", source_id=owners.get(url),
                                           reason=f"the same address is on line {earlier[url]}"))
                    continue
                if url in owners:
                    results.append(replace(shown, outcome="exists", source_id=owners[url],
                                           reason=f"already the source '{owners[url]}'"))
                    continue
                entry = feed.entry
                visibility = str(entry.get("visibility", "public"))
                self._check_visibility(visibility)
                source_id = free_source_id(str(entry.get("id") or feed.title or url), taken)
                source = console_source(source_id, url=url, title=feed.title or url, visibility=visibility,
                                        lang=feed.lang, areas=feed.areas, enabled=entry.get("enabled", True),
                                        poll_minutes=entry.get("poll_minutes", 60), kind=entry.get("kind", "article"),
                                        where=f"{where}, line {feed.line}")
            except (InvalidInput, FetchError) as exc:
                results.append(replace(shown, reason=str(exc)))
                continue
            taken.add(source.id)
            owners[url] = source.id
            earlier[url] = feed.line
            results.append(replace(shown, outcome="added", source_id=source.id))
            accepted.append((len(results) - 1, source))
        if not dry_run:
            for index, source in accepted:
                try:  # one at a time, as the console adds: an import never changes a source that is there
                    self._storage.add_source(source, self._clock.now())
                except InvalidInput as exc:  # id or URL taken meanwhile by another editor
                    results[index] = replace(results[index], outcome="rejected", source_id=None, reason=str(exc))
        return results

    def _current(self, origin: SourceOrigin | None) -> list[Source]:
        """The sources that are collected or switched off (of ``origin`` only, if given), by id."""
        return [h.source for h in self._storage.source_health()
                if h.status not in ("internal", "retired") and origin in (None, h.source.origin)]

    def _get(self, source_id: str) -> Source:
        for h in self._storage.source_health():
            if h.source.id == source_id:
                return h.source
        raise NotFound(f"no source with id '{source_id}'; `curator sources` lists them")

    def _check_visibility(self, visibility: str) -> None:
        """Who may read a console source is a choice: public, members or an existing club."""
        choices = {"public", "members", *(f"club:{c.id}" for c in self._storage.list_clubs())}
        if visibility not in choices:
            raise InvalidInput(f"who may read the source must be one of {', '.join(sorted(choices))} "
                               f"(got {visibility!r})")

    # ------------------------------------------------------------------ runtime state

    def health(self) -> list[SourceHealth]:
        """Every source, internal and retired ones too, with its health (``status``), last
        success, last error and item count, by id."""
        return self._storage.source_health()

    def collect(self, source_ids: Sequence[str] | None = None, *, force: bool = False,
                on_start: Callable[[int], None] | None = None) -> Iterator[CollectResult]:
        """Collect due sources (or the named ones), yielding one result per source as it finishes.

        One bad source never stops the others: its error is recorded on the source and reported in
        its result. Sources on the same host are fetched one after another (politeness); different
        hosts in parallel. ``force`` ignores back-off and poll intervals. ``on_start`` is told how
        many sources will be collected before the first one starts (for progress bars). Raises
        NotFound (before collecting anything) for an unknown id in ``source_ids``.
        """
        now = self._clock.now()
        states = self._storage.source_states(only_enabled=source_ids is None)
        if source_ids is not None:
            wanted = set(source_ids)
            unknown = wanted - {s.source.id for s in states}
            if unknown:
                raise NotFound(f"unknown source id(s): {', '.join(sorted(unknown))}; see `curator sources`")
            states = [s for s in states if s.source.id in wanted]
        due = [s for s in states if force or source_ids is not None or pipeline.is_due(
            now=now, last_attempt=s.last_attempt, next_attempt=s.next_attempt, poll_minutes=s.source.poll_minutes)]
        groups = pipeline.group_by_host(due, lambda s: s.source.url, self._settings.collect_per_host)
        workers = max(1, min(self._settings.collect_workers, len(groups) or 1))
        if on_start:
            on_start(len(due))

        def run_group(group: list[SourceState]) -> list[CollectResult]:
            return [self.collect_one(st) for st in group]

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect") as pool:
            futures = [pool.submit(run_group, g) for g in groups]
            for fut in as_completed(futures):
                yield from fut.result()

    def collect_one(self, st: SourceState) -> CollectResult:
        """Fetch, parse and store one source. Never raises for problems of the source itself."""
        src, s = st.source, self._settings
        now = self._clock.now()
        request = pipeline.plan_request(etag=st.etag, last_modified=st.last_modified,
                                        last_unconditional=st.last_unconditional, now=now,
                                        unconditional_every=timedelta(days=s.unconditional_fetch_days))
        try:
            fetched = self._fetcher.fetch(st.fetch_url, etag=request.etag, last_modified=request.last_modified)
            got = pipeline.collect_one(fetched, stored_etag=st.etag, stored_last_modified=st.last_modified,
                                       lang_hint=src.lang, now=now, max_items=s.collect_max_items)
            if got.not_modified:
                self._storage.record_not_modified(src.id, etag=got.etag, last_modified=got.last_modified, now=now)
                return CollectResult(src.id, not_modified=True)
            counts = self._storage.record_fetch_success(
                src.id, got.items, etag=got.etag, last_modified=got.last_modified, feed_title=got.feed_title,
                unconditional=request.unconditional, now=now, warning=got.warning, moved_to=got.moved_to)
            return CollectResult(src.id, new=counts.new, updated=counts.updated, unchanged=counts.unchanged,
                                 warnings=got.warnings)
        except (FetchError, ParseError) as exc:
            failure = pipeline.failure_of(exc, now=now, error_count=st.error_count + 1,
                                          base_minutes=s.backoff_base_minutes, max_minutes=s.backoff_max_minutes)
            self._storage.record_fetch_failure(src.id, failure.message, now=now, next_attempt=failure.next_attempt,
                                               broken_after=s.broken_after_errors, disable=failure.disable)
            return CollectResult(src.id, error=failure.message)
        except NotFound as exc:
            return CollectResult(src.id, error=str(exc))
        except CuratorError as exc:  # storage trouble: report, keep going with other sources
            log.exception("collecting %s failed", src.id)
            return CollectResult(src.id, error=f"could not store items: {exc}")

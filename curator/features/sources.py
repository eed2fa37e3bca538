"""The sources to collect and their collection (``curator.sources`` on the root).

feeds.yaml is the desired state; the database holds each source's runtime state (validators,
errors, back-off). This class loads that state, lets :mod:`curator.ingest.pipeline` decide what
to request and what a fetch outcome means, and stores the result. Editing feeds.yaml goes through
:mod:`curator.ingest.feeds_file`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import timedelta
from pathlib import Path

from curator.clock import Clock
from curator.config import Settings, load_feeds_file
from curator.errors import CuratorError, FetchError, NotFound, ParseError
from curator.ingest import pipeline
from curator.ingest.feeds_file import (
    read_feeds_document,
    with_new_source,
    with_source_enabled,
    write_feeds_document,
)
from curator.ingest.fetch import Fetcher, check_url
from curator.storage import SourceState, Storage
from curator.types import CollectResult, Source, SourceHealth

__all__ = ["Sources"]

log = logging.getLogger("curator")


class Sources:
    """Sources: keep them in line with feeds.yaml, show their health, collect them.

    ``fetcher`` is the one HTTP client of the process (its policy is also the rule for URLs an
    editor adds); the root closes it."""

    def __init__(self, settings: Settings, storage: Storage, clock: Clock, fetcher: Fetcher) -> None:
        self._settings = settings
        self._storage = storage
        self._clock = clock
        self._fetcher = fetcher

    # ------------------------------------------------------------------ desired state

    def sync(self, sources: Sequence[Source] | None = None) -> tuple[int, int, int]:
        """Make the stored sources match feeds.yaml (or ``sources``). Returns (added, changed, retired)."""
        if sources is None:
            sources = load_feeds_file(self._settings.feeds_file)
        return self._storage.sync_sources(sources, self._clock.now())

    def add(self, url: str, *, title: str, visibility: str = "public", lang: str | None = None,
            areas: Sequence[str] = ()) -> str:
        """Add a feed to feeds.yaml (the desired state) and load it. The URL is checked with the
        fetcher's rules (no private addresses, http/https only). Returns the new source id.

        Raises AddressNotAllowed or InvalidInput for a refused URL, a blank title, a bad
        visibility or a URL that is already a source; ConfigError when feeds.yaml is broken (it is
        then left as it was)."""
        url = check_url(url, self._fetcher.policy)  # the same rules the collector applies
        path = Path(self._settings.feeds_file)
        document, source_id = with_new_source(read_feeds_document(path), url=url, title=title,
                                              visibility=visibility, lang=lang, areas=areas)
        write_feeds_document(path, document)
        self.sync()
        return source_id

    def set_enabled(self, source_id: str, enabled: bool) -> None:
        """Enable or disable a source in feeds.yaml and apply it. Raises NotFound for a source
        that is not in feeds.yaml."""
        path = Path(self._settings.feeds_file)
        document = with_source_enabled(read_feeds_document(path), source_id, enabled, where=str(path))
        write_feeds_document(path, document)
        self.sync()

    # ------------------------------------------------------------------ runtime state

    def health(self) -> list[SourceHealth]:
        """All sources with their health: last success, last error, item count."""
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

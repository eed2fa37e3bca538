"""``make_curator()`` wires everything; ``Curator`` is the one facade that the CLI, the web app,
the scheduled jobs and the tests use. Each public method is one user-visible operation."""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .clock import Clock, SystemClock, parse_iso_time
from .config import Settings, load_feeds_file, load_settings
from .core_members import MembersFacade
from .core_newsletter import NewsletterFacade
from .core_tagging import TaggingFacade
from .core_web import WebFacade
from .errors import (
    CuratorError,
    FetchError,
    HTTPStatusError,
    InvalidInput,
    NotFound,
    ParseError,
)
from .ingest.backoff import next_attempt_after_failure
from .storage import ItemQuery, SourceState, Storage
from .types import CollectResult, ImportResult, Item, MemberPost, ParsedItem, Source, SourceHealth

if TYPE_CHECKING:
    import numpy as np

    from .embeddings import Encoder
    from .ingest.fetch import Fetcher

log = logging.getLogger("curator")

MEMBER_POSTS_SOURCE = Source(id="member-posts", title="Member posts", url="https://curator.invalid/member-posts",
                             visibility="members", kind="member_post", enabled=False)


def make_curator(settings: Settings | None = None, *, clock: Clock | None = None,
                 fetcher: Fetcher | None = None, encoder: Encoder | None = None,
                 migrate: bool = True) -> Curator:
    """Build a Curator from settings (default: load_settings()). ``migrate`` brings the database
    schema up to date first, which is safe to do on every start."""
    settings = settings or load_settings()
    storage = Storage(settings.database_url)
    if migrate:
        storage.migrate()
    return Curator(settings, storage, clock or SystemClock(), fetcher, encoder)


class Curator(TaggingFacade, MembersFacade, NewsletterFacade, WebFacade):
    """The facade. Thread-safe for concurrent readers; writers serialise in the database.

    Its methods are grouped by capability in mixins (core_tagging, core_members, core_newsletter,
    core_web) so that one
    object serves CLI, web, jobs and tests."""

    def __init__(self, settings: Settings, storage: Storage, clock: Clock, fetcher: Fetcher | None = None,
                 encoder: Encoder | None = None):
        self.settings = settings
        self.storage = storage
        self.clock = clock
        self._fetcher = fetcher
        self._encoder = encoder

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
        self.storage.close()

    def __enter__(self) -> Curator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ setup

    def init(self) -> dict[str, Any]:
        """Create or migrate the database and load feeds.yaml. Returns what was done."""
        before, after = self.storage.migrate()
        result: dict[str, Any] = {"schema_from": before, "schema_to": after, "database": self.settings.database_url}
        if Path(self.settings.feeds_file).exists():
            added, changed, retired = self.sync_sources()
            result.update(sources_added=added, sources_changed=changed, sources_retired=retired)
        return result

    def sync_sources(self, sources: Sequence[Source] | None = None) -> tuple[int, int, int]:
        """Make the stored sources match feeds.yaml (or ``sources``). Returns (added, changed, retired)."""
        if sources is None:
            sources = load_feeds_file(self.settings.feeds_file)
        return self.storage.sync_sources(sources, self.clock.now())

    # ------------------------------------------------------------------ collecting

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            from .ingest.fetch import Fetcher, FetchPolicy

            s = self.settings
            self._fetcher = Fetcher(FetchPolicy(
                connect_timeout=s.fetch_connect_timeout, read_timeout=s.fetch_read_timeout,
                total_timeout=s.fetch_total_timeout, max_bytes=s.fetch_max_bytes,
                max_redirects=s.fetch_max_redirects, allowed_networks=tuple(s.fetch_allowed_networks),
            ))
        return self._fetcher

    def sources(self) -> list[SourceHealth]:
        """All sources with their health: last success, last error, item count."""
        return self.storage.source_health()

    def collect(self, source_ids: Sequence[str] | None = None, *, force: bool = False,
                on_start: Callable[[int], None] | None = None) -> Iterator[CollectResult]:
        """Collect due sources (or the named ones), yielding one result per source as it finishes.

        One bad source never stops the others: its error is recorded on the source and reported in
        its result. Sources on the same host are fetched one after another (politeness); different
        hosts in parallel. ``force`` ignores back-off and poll intervals. ``on_start`` is told how
        many sources will be collected before the first one starts (for progress bars).
        """
        now = self.clock.now()
        states = self.storage.source_states(only_enabled=source_ids is None)
        if source_ids is not None:
            wanted = set(source_ids)
            unknown = wanted - {s.source.id for s in states}
            if unknown:
                raise NotFound(f"unknown source id(s): {', '.join(sorted(unknown))}; see `curator sources`")
            states = [s for s in states if s.source.id in wanted]
        due = [s for s in states if force or source_ids is not None or self._is_due(s, now)]
        by_host: dict[tuple[str, int], list[SourceState]] = defaultdict(list)
        per_host = max(1, self.settings.collect_per_host)
        for n, s in enumerate(due):
            by_host[(urlsplit(s.source.url).hostname or "", n % per_host)].append(s)
        workers = max(1, min(self.settings.collect_workers, len(by_host) or 1))
        if on_start:
            on_start(len(due))

        def run_host(group: list[SourceState]) -> list[CollectResult]:
            results = []
            for st in group:
                results.append(self.collect_source(st))
            return results

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect") as pool:
            futures = [pool.submit(run_host, g) for g in by_host.values()]
            for fut in as_completed(futures):
                yield from fut.result()

    def _is_due(self, st: SourceState, now: datetime) -> bool:
        if st.next_attempt is not None:  # backing off after errors
            return st.next_attempt <= now
        if st.last_attempt is None:
            return True
        return now - st.last_attempt >= timedelta(minutes=st.source.poll_minutes)

    def collect_source(self, st: SourceState) -> CollectResult:
        """Fetch, parse and store one source. Never raises for problems of the source itself."""
        from .ingest.parse import parse_feed

        src = st.source
        now = self.clock.now()
        unconditional = (st.last_unconditional is None or
                         now - st.last_unconditional >= timedelta(days=self.settings.unconditional_fetch_days))
        try:
            result = self.fetcher.fetch(
                st.fetch_url,
                etag=None if unconditional else st.etag,
                last_modified=None if unconditional else st.last_modified,
            )
            if result.not_modified:
                self.storage.record_not_modified(src.id, etag=result.etag or st.etag,
                                                 last_modified=result.last_modified or st.last_modified, now=now)
                return CollectResult(src.id, not_modified=True)
            assert result.body is not None
            feed = parse_feed(result.body, url=result.final_url, content_type=result.content_type,
                              lang_hint=src.lang, now=now, max_items=self.settings.collect_max_items)
            keep_validators = not result.expires_zero
            counts = self.storage.record_fetch_success(
                src.id, feed.items,
                etag=result.etag if keep_validators else None,
                last_modified=result.last_modified if keep_validators else None,
                feed_title=feed.title, unconditional=unconditional, now=now,
                warning="; ".join(feed.warnings)[:2000] or None, moved_to=result.permanent_url,
            )
            return CollectResult(src.id, new=counts.new, updated=counts.updated, unchanged=counts.unchanged,
                                 warnings=feed.warnings)
        except (FetchError, ParseError) as exc:
            retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
            disable = isinstance(exc, HTTPStatusError) and exc.status == 410
            message = str(exc) + (" (the source has been disabled: the server says it is gone)" if disable else "")
            nxt = next_attempt_after_failure(
                now, st.error_count + 1, base_minutes=self.settings.backoff_base_minutes,
                max_minutes=self.settings.backoff_max_minutes, retry_after_seconds=retry_after)
            self.storage.record_fetch_failure(src.id, message, now=now, next_attempt=nxt,
                                              broken_after=self.settings.broken_after_errors, disable=disable)
            return CollectResult(src.id, error=message)
        except NotFound as exc:
            return CollectResult(src.id, error=str(exc))
        except CuratorError as exc:  # storage trouble: report, keep going with other sources
            log.exception("collecting %s failed", src.id)
            return CollectResult(src.id, error=f"could not store items: {exc}")

    # ------------------------------------------------------------------ embeddings

    @property
    def encoder(self) -> Encoder:
        """The configured text encoder (settings.encoder), loaded on first use."""
        if self._encoder is None:
            from .embeddings import make_encoder

            self._encoder = make_encoder(self.settings.encoder)
        return self._encoder

    def embed_items(self, items: Sequence[Item], *, progress: bool = False) -> np.ndarray:
        """One L2-normalised document vector per item, in input order: the same vectors the
        tagger and the duplicate finder use, so each item is encoded once. Vectors are cached
        in the database by model and text hash; only new or changed items are encoded."""
        from .core_tagging import _tag_input

        return self.document_embedder().embed([_tag_input(i) for i in items], progress=progress)

    # ------------------------------------------------------------------ items

    def items(self, query: ItemQuery | None = None) -> list[Item]:
        return self.storage.list_items(query or ItemQuery())

    def item(self, item_id: int) -> Item:
        return self.storage.get_item(item_id)

    def import_items(self, lines: Iterable[str], *, source_id: str = "import", source_title: str | None = None,
                     visibility: str = "public") -> ImportResult:
        """Import an article archive: one JSON object per line with ``id``, ``title``, ``text`` and
        optionally ``url``, ``lang``, ``published``, ``source``. Bad lines are reported by number and
        skipped; good lines are stored. Re-importing updates changed items, never duplicates."""
        from .ingest.lang import detect_language
        from .ingest.normalise import canonical_url, clean_text, content_hash, shorten_text
        from .ingest.sanitise import sanitise_html

        now = self.clock.now()
        errors: list[tuple[int, str]] = []
        by_source: dict[str, list[ParsedItem]] = defaultdict(list)
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise InvalidInput("expected a JSON object")
                for field in ("id", "title", "text"):
                    if not isinstance(obj.get(field), str | int) or str(obj.get(field)).strip() == "":
                        raise InvalidInput(f"field '{field}' is missing or empty")
                published = parse_iso_time(obj.get("published"), now)
                title = clean_text(str(obj["title"]))[:1000]
                text = clean_text(str(obj["text"]))[:200_000]
                url = obj.get("url")
                if url is not None and not isinstance(url, str):
                    raise InvalidInput("field 'url' must be text")
                lang = obj.get("lang") or detect_language(f"{title}\n{text}")
                sub = obj.get("source")
                sid = _slug(f"{source_id}-{sub}") if isinstance(sub, str) and sub.strip() else source_id
                paragraphs = "".join(f"<p>{_escape(p)}</p>" for p in text.split("\n\n") if p.strip())
                by_source[sid].append(ParsedItem(
                    key=f"import:{obj['id']}", title=title, url=url, canonical_url=canonical_url(url),
                    summary=shorten_text(text, 500), content_html=sanitise_html(paragraphs), text=text, author=None,
                    published=published, updated=None, lang=lang, content_hash=content_hash(title, text)))
            except (ValueError, InvalidInput) as exc:
                errors.append((number, f"line {number}: {exc}"))
        new = updated = unchanged = 0
        for sid, parsed in by_source.items():
            src = Source(id=sid, title=source_title or sid, url=f"https://curator.invalid/{sid}",
                         visibility=visibility, enabled=False)
            self.storage.ensure_internal_source(src, now)
            counts = self.storage.upsert_items(src, parsed, now)
            new, updated, unchanged = new + counts.new, updated + counts.updated, unchanged + counts.unchanged
        return ImportResult(new, updated, unchanged, tuple(errors))

    # ------------------------------------------------------------------ member posts

    def submit_post(self, *, title: str, text: str, author_name: str, author_email: str | None = None,
                    organisation: str | None = None, link: str | None = None, lang: str | None = None,
                    visibility: str = "members") -> MemberPost:
        """A member submits a post; it stays ``pending`` until an editor decides."""
        from .ingest.lang import detect_language
        from .ingest.normalise import clean_text

        title, text = clean_text(title or "").strip(), clean_text(text or "").strip()
        problems = []
        if not title:
            problems.append("the title is empty")
        elif len(title) > 300:
            problems.append("the title is longer than 300 characters")
        if len(text) < 20:
            problems.append("the text is shorter than 20 characters")
        elif len(text) > 20_000:
            problems.append("the text is longer than 20,000 characters")
        if not (author_name or "").strip():
            problems.append("the author's name is missing")
        if link is not None and link.strip():
            if not re.match(r"^https?://[^\s/]+\S*$", link.strip()):
                problems.append("the link must be a web address starting with http:// or https://")
        else:
            link = None
        if lang is not None and lang not in ("de", "en"):
            problems.append("the language must be de or en")
        if not re.match(r"^(public|members|club:[a-z0-9-]+)$", visibility):
            problems.append("visibility must be public, members or club:<club-id>")
        if problems:
            raise InvalidInput("the post cannot be submitted: " + "; ".join(problems))
        return self.storage.add_post(
            title=title, text=text, link=link.strip() if link else None, author_name=author_name.strip(),
            author_email=(author_email or "").strip() or None, organisation=(organisation or "").strip() or None,
            lang=lang or detect_language(f"{title}\n{text}"), visibility=visibility, now=self.clock.now())

    def posts(self, status: str | None = None, limit: int = 100) -> list[MemberPost]:
        return self.storage.list_posts(status, limit)

    def approve_post(self, post_id: int, *, editor: str) -> MemberPost:
        """Publish a pending post as an item of the "member posts" source."""
        from .ingest.normalise import canonical_url, content_hash, shorten_text
        from .ingest.sanitise import sanitise_html

        post = self.storage.get_post(post_id)
        now = self.clock.now()
        self.storage.ensure_internal_source(MEMBER_POSTS_SOURCE, now)
        paragraphs = "".join(f"<p>{_escape(p)}</p>" for p in post.text.split("\n\n") if p.strip())
        item = ParsedItem(
            key=f"post:{post.id}", title=post.title, url=post.link, canonical_url=canonical_url(post.link),
            summary=shorten_text(post.text, 500), content_html=sanitise_html(paragraphs), text=post.text,
            author=" · ".join(x for x in (post.author_name, post.organisation) if x),
            published=now, updated=None, lang=post.lang, content_hash=content_hash(post.title, post.text))
        return self.storage.decide_post(post_id, approve=True, editor=editor, reason=None, now=now,
                                        item_source=MEMBER_POSTS_SOURCE, item=item)

    def reject_post(self, post_id: int, *, editor: str, reason: str) -> MemberPost:
        if not (reason or "").strip():
            raise InvalidInput("a rejection needs a reason the member can read")
        return self.storage.decide_post(post_id, approve=False, editor=editor, reason=reason.strip(),
                                        now=self.clock.now())


def _escape(text: str) -> str:
    from html import escape

    return escape(text, quote=True).replace("\n", "<br>")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64] or "import"

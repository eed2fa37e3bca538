"""``make_curator()`` builds every collaborator once and wires them; ``Curator`` is the small root
that the CLI, the web app, the scheduled jobs and the tests use.

The root holds the settings, the clock and one namespace per capability::

    cur.sources    feeds file and collecting          cur.members    people, clubs, preferences
    cur.items      stored items, archive import       cur.personas   personas and suggestions
    cur.posts      member posts and moderation        cur.feedback   ratings, clicks, profiles
    cur.tagging    subject areas, duplicates          cur.feeds      ranked feeds, pins, browsing
    cur.digests    newsletters: draft to delivery     cur.accounts   web accounts, sign-in, tokens
    cur.stats      trends, health, metrics, doctor    cur.jobs       scheduled job runs, leases
    cur.rules      editor rules: block or boost      cur.trends     topic trends, the topics block

Each namespace is a class in ``curator/features/`` that loads, calls a domain package and stores.
Nothing is assigned after construction and nothing wires itself lazily: tests inject through the
same factory (``make_curator(settings, clock=..., sender=...)``).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .accounts.mail import AccountMail
from .clock import Clock, SystemClock
from .config import Settings, load_settings
from .delivery import TokenSigner
from .delivery.loop import DeliveryPolicy, new_owner
from .embeddings import make_encoder
from .features.accounts import Accounts
from .features.digests import Digests, MemberDirectory, RankedDirectory, default_sender
from .features.feed_cache import FeedCache
from .features.feedback import Feedback
from .features.feeds import Feeds
from .features.items import Items
from .features.jobs import Jobs
from .features.members import Members
from .features.personas import Personas
from .features.posts import Posts
from .features.profile_refresh import ProfileRefresher
from .features.ranking_inputs import RankingInputs
from .features.rules import RuleBook, Rules
from .features.sources import Sources
from .features.stats import Stats
from .features.tagging import Tagging
from .features.trends import Trends
from .ingest.fetch import Fetcher, FetchPolicy
from .ingest.jsonl import read_jsonl
from .ranking.stages import RankingWeights
from .rendering import EmailRenderer
from .storage import DbEmbeddingCache, Storage
from .tagging import DEFAULT_ENCODER, TagInput, TagResult, load_areas, make_tagger, second_encoder_choice
from .tagging.classify import tag_input_from_json

if TYPE_CHECKING:
    from .delivery import Sender
    from .embeddings import Encoder


def make_curator(settings: Settings | None = None, *, clock: Clock | None = None, fetcher: Fetcher | None = None,
                 encoder: Encoder | None = None, sender: Sender | None = None,
                 account_sender: Sender | None = None, member_directory: MemberDirectory | None = None,
                 delivery_policy: DeliveryPolicy | None = None, ranking_weights: RankingWeights | None = None,
                 email_renderer: EmailRenderer | None = None,
                 migrate: bool = True) -> Curator:
    """Build a Curator from settings (default: ``load_settings()``).

    Every argument after ``settings`` replaces one collaborator (tests, tools, benchmarks):
    ``sender`` delivers newsletters (default: SMTP when ``smtp_host`` is set, else the outbox
    folder), ``account_sender`` delivers transactional mail (default: a separate sender of the
    same kind), ``member_directory`` replaces where digests find members and personal picks,
    ``email_renderer`` the compiled email templates.
    ``migrate`` brings the database schema up to date first, which is safe on every start."""
    settings = settings or load_settings()
    clock = clock or SystemClock()
    storage = Storage(settings.database_url)
    if migrate:
        storage.migrate()
    encoder = encoder or make_encoder(settings.encoder)  # weights load on the first encode
    fetcher = fetcher or Fetcher(FetchPolicy(
        connect_timeout=settings.fetch_connect_timeout, read_timeout=settings.fetch_read_timeout,
        total_timeout=settings.fetch_total_timeout, max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects, allowed_networks=tuple(settings.fetch_allowed_networks)))
    weights = ranking_weights or RankingWeights()
    embedding_cache = DbEmbeddingCache(storage)
    mail = AccountMail(account_sender or default_sender(settings), mail_from=settings.mail_from, clock=clock)

    areas = load_areas(Path(settings.models_dir) / "subject_areas.yaml")
    sources = Sources(settings, storage, clock, fetcher, area_names={a.id: dict(a.names) for a in areas.areas})
    posts = Posts(storage, clock)
    second_spec, tagger_note = second_encoder_choice(settings.second_encoder, encoder)
    tagging = Tagging(storage, clock, encoder, areas, embedding_cache,
                      second_encoder=make_encoder(second_spec) if second_spec else None, tagger_note=tagger_note)
    items = Items(storage, clock, encoder, tagging)
    profiles = ProfileRefresher(storage=storage, clock=clock, encoder=encoder, tagging=tagging,
                                embedding_cache=embedding_cache)
    ranking_inputs = RankingInputs(storage=storage, clock=clock, encoder=encoder, tagging=tagging,
                                   embedding_cache=embedding_cache, weights=weights)
    personas = Personas(settings=settings, storage=storage, clock=clock, profiles=profiles,
                        ranking_inputs=ranking_inputs, weights=weights)
    rule_book = RuleBook(storage=storage)
    feed_cache = FeedCache(storage=storage, clock=clock, encoder=encoder, profiles=profiles, personas=personas,
                           ranking_inputs=ranking_inputs, weights=weights, rules=rule_book)
    members = Members(storage=storage, clock=clock, personas=personas, feed_cache=feed_cache)
    feedback = Feedback(settings=settings, storage=storage, clock=clock, members=members, profiles=profiles,
                        feed_cache=feed_cache, mail=mail)
    feeds = Feeds(storage=storage, clock=clock, members=members, personas=personas, feedback=feedback,
                  profiles=profiles, ranking_inputs=ranking_inputs, tagging=tagging, weights=weights,
                  feed_cache=feed_cache, rules=rule_book)
    digests = Digests(settings, storage, clock, renderer=email_renderer or EmailRenderer(settings.templates_dir),
                      token_signer=TokenSigner(settings.secret_key),
                      sender_factory=(lambda: sender) if sender is not None else (lambda: default_sender(settings)),
                      member_directory=member_directory or RankedDirectory(members, feeds, storage),
                      delivery_policy=delivery_policy or DeliveryPolicy(), feedback=feedback, personas=personas,
                      rules=rule_book)
    accounts = Accounts(settings=settings, storage=storage, clock=clock, mail=mail, members=members,
                        feedback=feedback, posts=posts, digests=digests)
    return Curator(settings=settings, clock=clock, storage=storage, fetcher=fetcher, sources=sources, items=items,
                   posts=posts, tagging=tagging, members=members, personas=personas, feedback=feedback, feeds=feeds,
                   digests=digests, accounts=accounts, stats=Stats(settings=settings, storage=storage,
                                                                    clock=clock),
                   jobs=Jobs(storage=storage, clock=clock, owner=new_owner()),
                   rules=Rules(storage=storage, clock=clock, feed_cache=feed_cache),
                   trends=Trends(storage=storage, clock=clock, encoder=encoder, tagging=tagging))


@dataclass(frozen=True)
class Classification:
    """What :func:`classify_lines` made of its lines: (input, tags) for every good line in input
    order, and (line number, message) for every bad line, the message starting ``line <n>:``."""

    tagged: tuple[tuple[TagInput, TagResult], ...]
    errors: tuple[tuple[int, str], ...]


def classify_lines(lines: Iterable[str], *, encoder: str | None = None, areas_file: str | Path | None = None,
                   progress: bool = False) -> Classification:
    """Tag items given as JSON lines (``curator classify``) without a database or settings.

    Each line is ``{"id", "title", "text", "lang"?}``; a bad line is reported and skipped, never
    stopping the others. ``encoder`` is an encoder spec (default: the best measured one),
    ``areas_file`` the area model (default ``models/subject_areas.yaml``). The encoder is loaded
    only if some line is good. Raises TaggingError for an unknown encoder, ConfigError for a bad
    area file."""
    read = read_jsonl(lines, tag_input_from_json)
    docs = [doc for _, doc in read.values]
    if not docs:
        return Classification((), read.errors)
    tagger = make_tagger(encoder or DEFAULT_ENCODER, areas_path=areas_file)
    vectors, langs = tagger.embed(docs, progress=progress), [d.lang for d in docs]
    # an ensemble's second encoder centres its documents by the languages of the lines themselves
    # (a language needs 20 lines; fewer stay uncentred)
    tagger = tagger.with_second_centres(vectors, langs)
    return Classification(tuple(zip(docs, tagger.tag_vectors(vectors, langs), strict=True)), read.errors)


class Curator:
    """The root: settings, clock and the capability namespaces (see the module docstring).

    ``storage`` is public for tests and tools that arrange data directly; the CLI, the web app and
    the scheduler never use it (they call the namespaces)."""

    def __init__(self, *, settings: Settings, clock: Clock, storage: Storage, fetcher: Fetcher, sources: Sources,
                 items: Items, posts: Posts, tagging: Tagging, members: Members, personas: Personas,
                 feedback: Feedback, feeds: Feeds, digests: Digests, accounts: Accounts, stats: Stats,
                 jobs: Jobs, rules: Rules, trends: Trends) -> None:
        self.settings = settings
        self.clock = clock
        self.storage = storage
        self._fetcher = fetcher
        self.sources = sources
        self.items = items
        self.posts = posts
        self.tagging = tagging
        self.members = members
        self.personas = personas
        self.feedback = feedback
        self.feeds = feeds
        self.digests = digests
        self.accounts = accounts
        self.stats = stats
        self.jobs = jobs
        self.rules = rules
        self.trends = trends

    def init(self, *, allow_empty_feeds: bool = False) -> dict[str, Any]:
        """Create or migrate the database and load the sources file (``allow_empty_feeds``: see
        ``sources.sync``). Returns what was done."""
        before, after = self.storage.migrate()
        result: dict[str, Any] = {"schema_from": before, "schema_to": after, "database": self.settings.database_url}
        if Path(self.settings.feeds_file).exists():
            added, changed, retired = self.sources.sync(allow_empty=allow_empty_feeds)
            result.update(sources_added=added, sources_changed=changed, sources_retired=retired)
        return result

    def reading(self) -> AbstractContextManager[None]:
        """A block whose reads share one database transaction until a write (see
        ``Store.reading``): the web app runs each request in one, so a page's reads cost one
        connection checkout and one snapshot instead of one each."""
        return self.storage.reading()

    def close(self) -> None:
        self._fetcher.close()
        self.storage.close()

    def __enter__(self) -> Curator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

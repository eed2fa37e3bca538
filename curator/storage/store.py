"""The one storage object: every query curator runs, grouped by domain in the modules of this
package and combined here. Rows never leave the package; callers get the frozen dataclasses of
``curator.types``."""

from __future__ import annotations

from .accounts import AccountQueries
from .engagement import EngagementQueries
from .feeds import FeedQueries
from .jobs import JobQueries
from .members import MemberQueries
from .newsletter import NewsletterQueries
from .posts import PostQueries
from .rules import RuleQueries
from .search import SearchQueries
from .sources import SourceQueries
from .stats import StatsQueries
from .trends import TrendQueries


class Storage(SourceQueries, PostQueries, MemberQueries, NewsletterQueries, JobQueries, AccountQueries,
              StatsQueries, FeedQueries, EngagementQueries, SearchQueries, RuleQueries,
              TrendQueries):
    """SQLite or PostgreSQL behind one object (see :class:`curator.storage.database.Database` for
    transactions and migrations)."""

"""Facade methods for digests: drafting, review workflow, rendering, delivery, scheduling (issue 5).

Mixed into ``curator.core.Curator``; uses ``self.storage``, ``self.settings``, ``self.clock``.
"""

from __future__ import annotations


class NewsletterFacade:
    pass

"""Facade methods for members, clubs, personas, feedback, profiles and ranking (issue 4).

Mixed into ``curator.core.Curator``; uses ``self.storage``, ``self.settings``, ``self.clock``.
"""

from __future__ import annotations


class MembersFacade:
    pass

"""Facade methods for the web member area and editor console: accounts, roles, sessions,
sign-in links, API tokens (issue 6). Mixed into ``curator.core.Curator``."""

from __future__ import annotations


class WebFacade:
    pass

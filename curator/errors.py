"""Exceptions raised by curator.

Every error a user can cause carries a message that says what was wrong, where
(file, entry, field, URL) and what to do about it. Foreign exceptions are
translated at the seam with ``raise ... from``.

::

    CuratorError
     ├── ConfigError            settings, feeds.yaml, models/*.yaml
     ├── StorageError           database trouble (translated from SQLAlchemy)
     │    ├── StorageBusy       the database stayed locked past the busy timeout
     │    └── MigrationError    schema could not be brought up to date
     ├── NotFound               an id/email/url that does not exist (or is not visible)
     ├── InvalidInput           a malformed post, import line, CLI argument ...
     ├── AccessDenied           a role or club rule forbids the action
 ├── RateLimited            too many actions of one kind for now (e.g. colleague mail per day)
     ├── IngestError            one source could not be collected
     │    ├── FetchError        network: timeout, too large, refused address, HTTP status
     │    │    ├── AddressNotAllowed  private/loopback/link-local target refused
     │    │    └── HTTPStatusError    non-2xx/304 answer
     │    └── ParseError        body was not a usable feed
     ├── TaggingError           encoders and the area model
     ├── DeliveryError          email sending
     └── WorkflowError          an action not allowed in the current state
"""

from __future__ import annotations


class CuratorError(Exception):
    """Root of every error curator raises on purpose."""


class ConfigError(CuratorError):
    """A settings or model file is wrong. The message names file, entry and field."""


class StorageError(CuratorError):
    """The database failed. Nothing half-written is left behind."""


class StorageBusy(StorageError):
    """The database stayed locked longer than the busy timeout; try again."""


class MigrationError(StorageError):
    """The schema could not be migrated to the current version."""


class NotFound(CuratorError):
    """The thing asked for does not exist, or is not visible to the caller."""


class InvalidInput(CuratorError):
    """Input from a user or a file was malformed; the message says where."""


class AccessDenied(CuratorError):
    """The caller's role or club membership does not allow this."""


class RateLimited(CuratorError):
    """The caller has used up what one may do in a period; nothing was done. ``limit`` is the
    number allowed per period, so a surface can word the answer in the person's language."""

    def __init__(self, message: str, limit: int):
        super().__init__(message)
        self.limit = limit


class IngestError(CuratorError):
    """One source could not be collected. Other sources are unaffected."""


class FetchError(IngestError):
    """The feed could not be downloaded (timeout, size limit, refused address...)."""


class AddressNotAllowed(FetchError):
    """The URL points to a private, loopback or link-local address, or a bad scheme."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, message: str, status: int, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class ParseError(IngestError):
    """The body was not a feed curator can read."""


class TaggingError(CuratorError):
    """The subject-area model or an encoder could not be used."""


class DeliveryError(CuratorError):
    """An email could not be delivered."""


class WorkflowError(CuratorError):
    """The action is not allowed in the object's current state."""

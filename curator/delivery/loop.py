"""The idempotent delivery loop for one issue (RELIABILITY 3E, 5).

For each claimed delivery: prepare (re-check eligibility and render) -> record ``sending`` ->
hand over -> record the outcome. The ``sending`` record is committed before the hand-over and
``sent`` only after the server's 250, so a crash leaves at most the in-flight message unknown,
and that one becomes ``uncertain`` instead of being sent again.

Not reaching the mail server at all (refused, DNS, connect timeout, 421 greeting, TLS, login) is
the server's fault, never a recipient's: the delivery being tried goes back to ``pending`` without
an attempt counted, and the whole send of the issue waits (:meth:`DeliveryPolicy.server_wait`)
before the next try. Only replies about one recipient (4xx/5xx to RCPT or DATA) count against it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from ..clock import Clock
from ..errors import CuratorError
from ..types import Delivery
from .faults import fault_point
from .senders import Outcome, Sender

log = logging.getLogger("curator.delivery")


@dataclass(frozen=True)
class Prepared:
    """A message ready to go to one envelope recipient."""

    envelope_from: str
    recipient: str
    data: bytes


@dataclass(frozen=True)
class Skip:
    """The member is no longer eligible (unsubscribed, left the segment or club, erased)."""

    reason: str


class Ledger(Protocol):
    """The delivery records (implemented by ``curator.storage.Storage``)."""

    def claim_batch(self, issue_id: int, *, owner: str, now: datetime, claim_for: timedelta,
                    limit: int) -> list[Delivery]: ...
    def mark_sending(self, delivery_id: int, *, owner: str, now: datetime, until: datetime) -> bool: ...
    def mark_sent(self, delivery_id: int, *, owner: str, now: datetime) -> bool: ...
    def mark_failed(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool: ...
    def mark_uncertain(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool: ...
    def mark_skipped(self, delivery_id: int, *, owner: str, now: datetime, reason: str) -> bool: ...
    def mark_deferred(self, delivery_id: int, *, owner: str, now: datetime, error: str,
                      next_attempt_at: datetime) -> bool: ...
    def mark_unreached(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool: ...
    def postpone_pending(self, issue_id: int, *, now: datetime, until: datetime) -> int: ...
    def last_accepted(self, issue_id: int) -> datetime | None: ...
    def release_claims(self, issue_id: int, owner: str, now: datetime) -> None: ...
    def sweep_stale(self, issue_id: int, now: datetime) -> int: ...


@dataclass(frozen=True)
class DeliveryPolicy:
    batch_size: int = 50
    claim_for: timedelta = timedelta(minutes=10)
    """How long claimed rows stay reserved for one sender. A row still ``sending`` after this is
    taken as abandoned by a dead sender and flagged ``uncertain``."""
    retries_in_run: int = 2
    """Extra attempts for a temporary failure (4xx) within one run, with pauses in between."""
    retry_pause_seconds: float = 2.0
    """First pause; it triples per retry."""
    defer_for: timedelta = timedelta(minutes=15)
    """After the in-run retries, a temporary failure waits this long (times the attempt count)."""
    max_attempts: int = 5
    """Runs after which a temporary failure is given up as ``failed``."""
    server_wait_min: timedelta = timedelta(minutes=1)
    server_wait_max: timedelta = timedelta(minutes=60)
    """Bounds of the wait of a whole send after the mail server could not be reached."""

    def server_wait(self, unreachable_for: timedelta) -> timedelta:
        """How long a send waits after finding the mail server unreachable: as long as the server
        has gone without accepting a message of the issue, within ``server_wait_min`` and
        ``server_wait_max``. With a send job every few minutes the waits double (1, 5, 10, 20,
        40, 60, 60 ... minutes) without a counter to store: exponential back-off per issue."""
        return min(max(unreachable_for, self.server_wait_min), self.server_wait_max)


@dataclass
class LoopResult:
    sent: int = 0
    failed: int = 0
    uncertain: int = 0
    skipped: int = 0
    deferred: int = 0
    swept: int = 0
    stopped: str = ""
    errors: list[str] = field(default_factory=list)
    reached_server: bool = False
    """A message of this run got an answer from the mail server (whatever it was)."""
    server_down: str = ""
    """Why the mail server could not be reached; "" if it could (or was never tried)."""
    retry_at: datetime | None = None
    """With ``server_down``: when the pending deliveries of the issue are tried again."""


def new_owner() -> str:
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def deliver_issue(issue_id: int, *, ledger: Ledger, prepare: Callable[[Delivery], Prepared | Skip],
                  sender: Sender, clock: Clock, policy: DeliveryPolicy = DeliveryPolicy(),
                  owner: str | None = None, should_stop: Callable[[], bool] = lambda: False,
                  still_active: Callable[[], bool] = lambda: True,
                  sleep: Callable[[float], None] = time.sleep) -> LoopResult:
    """Deliver every due pending record of ``issue_id``; safe to run again and concurrently.

    ``prepare`` may raise CuratorError (e.g. a template error): that member is ``failed`` and the
    others continue (S16). Stops early when the mail server is unreachable (every record stays
    ``pending`` without an attempt counted and is not due before ``result.retry_at``, S08), when
    ``should_stop()`` turns true (SIGTERM, S15), or when ``still_active()``, asked before each
    batch, says the issue was paused (S10).
    """
    owner = owner or new_owner()
    result = LoopResult()
    result.swept = ledger.sweep_stale(issue_id, clock.now())
    try:
        while not should_stop():
            if not still_active():
                result.stopped = "the issue was paused"
                break
            batch = ledger.claim_batch(issue_id, owner=owner, now=clock.now(), claim_for=policy.claim_for,
                                       limit=policy.batch_size)
            if not batch:
                break
            fault_point("after_claim")
            for delivery in batch:
                if should_stop():
                    result.stopped = "asked to stop"
                    break
                if not _deliver_one(delivery, ledger=ledger, prepare=prepare, sender=sender, clock=clock,
                                    policy=policy, owner=owner, result=result, sleep=sleep):
                    break
            if result.stopped:
                break
            fault_point("between_batches")
    finally:
        ledger.release_claims(issue_id, owner, clock.now())
    if result.server_down:
        now = clock.now()
        since = ledger.last_accepted(issue_id) or now
        result.retry_at = now + policy.server_wait(now - since)
        ledger.postpone_pending(issue_id, now=now, until=result.retry_at)
    return result


def _deliver_one(delivery: Delivery, *, ledger: Ledger, prepare: Callable[[Delivery], Prepared | Skip],
                 sender: Sender, clock: Clock, policy: DeliveryPolicy, owner: str, result: LoopResult,
                 sleep: Callable[[float], None]) -> bool:
    """One message. Returns False when the run should stop (the mail server is unreachable)."""
    try:
        prepared = prepare(delivery)
    except Exception as exc:  # one member's bad data never stops the others (S16)
        if not isinstance(exc, CuratorError):
            log.exception("preparing the message for member %s failed", delivery.member_id)
        ledger.mark_failed(delivery.id, owner=owner, now=clock.now(), error=f"could not be prepared: {exc}")
        result.failed += 1
        result.errors.append(f"member {delivery.member_id}: {exc}")
        return True
    if isinstance(prepared, Skip):
        ledger.mark_skipped(delivery.id, owner=owner, now=clock.now(), reason=prepared.reason)
        result.skipped += 1
        return True
    now = clock.now()
    if not ledger.mark_sending(delivery.id, owner=owner, now=now, until=now + policy.claim_for):
        return True  # another sender took over this row after our claim ran out
    outcome = Outcome("transient", "not tried")
    pause = policy.retry_pause_seconds
    for attempt in range(policy.retries_in_run + 1):
        try:
            outcome = sender.send(prepared.envelope_from, prepared.recipient, prepared.data, delivery.message_id)
        except Exception as exc:  # a transport bug: we cannot know what reached the server
            ledger.mark_uncertain(delivery.id, owner=owner, now=clock.now(),
                                  error=f"the sender failed unexpectedly: {exc.__class__.__name__}: {exc}")
            result.uncertain += 1
            raise
        if outcome.kind != "transient" or outcome.server_down or attempt == policy.retries_in_run:
            break
        sleep(pause)
        pause *= 3
    if outcome.server_down:  # nothing reached a server: not this recipient's attempt
        ledger.mark_unreached(delivery.id, owner=owner, now=clock.now(), error=outcome.detail)
        result.server_down = outcome.detail
        result.stopped = f"the mail server is unreachable: {outcome.detail}"
        return False
    result.reached_server = True
    if outcome.kind == "sent":
        fault_point("after_250_before_commit")
        ledger.mark_sent(delivery.id, owner=owner, now=clock.now())
        result.sent += 1
        fault_point("after_commit")
    elif outcome.kind == "permanent":
        ledger.mark_failed(delivery.id, owner=owner, now=clock.now(), error=outcome.detail)
        result.failed += 1
    elif outcome.kind == "uncertain":
        ledger.mark_uncertain(delivery.id, owner=owner, now=clock.now(), error=outcome.detail)
        result.uncertain += 1
    else:
        attempts = delivery.attempts + 1
        now = clock.now()
        if attempts >= policy.max_attempts:
            ledger.mark_failed(delivery.id, owner=owner, now=now,
                               error=f"gave up after {attempts} runs with temporary failures: {outcome.detail}")
            result.failed += 1
        else:
            ledger.mark_deferred(delivery.id, owner=owner, now=now, error=outcome.detail,
                                 next_attempt_at=now + policy.defer_for * attempts)
            result.deferred += 1
    return True

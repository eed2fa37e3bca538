"""The idempotent delivery loop for one issue (RELIABILITY 3E, 5).

For each claimed delivery: prepare (re-check eligibility and render) -> record ``sending`` ->
hand over -> record the outcome. The ``sending`` record is committed before the hand-over and
``sent`` only after the server's 250, so a crash leaves at most the in-flight message unknown,
and that one becomes ``uncertain`` instead of being sent again.
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
    others continue (S16). Stops early when the mail server is unreachable (the records stay
    ``pending`` for the next run, S08), when ``should_stop()`` turns true (SIGTERM, S15), or
    when ``still_active()``, asked before each batch, says the issue was paused (S10).
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
    return result


def _deliver_one(delivery: Delivery, *, ledger: Ledger, prepare: Callable[[Delivery], Prepared | Skip],
                 sender: Sender, clock: Clock, policy: DeliveryPolicy, owner: str, result: LoopResult,
                 sleep: Callable[[float], None]) -> bool:
    """One message. Returns False when the run should stop (server unreachable)."""
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
        if outcome.server_down:
            result.stopped = f"the mail server is unreachable: {outcome.detail}"
            return False
    return True

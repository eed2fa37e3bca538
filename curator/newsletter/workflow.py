"""The workflow of a digest issue: ONE table of which state each action may leave and where it goes.

::

    draft -> in_review -> approved -> scheduled -> sending -> sent | partially_sent
      (any state before sending) -> cancelled;  sending <-> paused (editor, between batches)
    an edit of an approved or scheduled issue -> in_review (approval is per revision)
    a resend of one delivery of a finished issue -> sending (until that delivery is done)

The feature layer (:class:`curator.features.digests.Digests`) names the action; storage applies
it atomically (``Storage.transition``, ``edit_issue``, ``start_sending``, ``resend``) after
checking the state it found against this table, so the rule cannot drift between the two.
Finishing a send (``sending -> sent | partially_sent``) depends on the delivery outcomes, not on
an action: see :func:`finished_state`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Final, Literal

from ..errors import WorkflowError
from ..types import DigestIssue, IssueState

Action = Literal["edit", "submit", "approve", "schedule", "cancel", "start_sending", "pause", "resume", "reopen"]

TRANSITIONS: Final[Mapping[Action, Mapping[IssueState, IssueState]]] = MappingProxyType({
    # Editing keeps a draft or an issue in review where it is; an approved or scheduled issue
    # returns to review, because its approval covered the previous revision only.
    "edit": {"draft": "draft", "in_review": "in_review", "approved": "in_review", "scheduled": "in_review"},
    "submit": {"draft": "in_review"},
    # A draft may be approved directly: approving passes through review in the same step.
    "approve": {"draft": "approved", "in_review": "approved"},
    # Scheduling a scheduled issue again moves its send time.
    "schedule": {"approved": "scheduled", "scheduled": "scheduled"},
    "cancel": {"draft": "cancelled", "in_review": "cancelled", "approved": "cancelled", "scheduled": "cancelled"},
    "start_sending": {"approved": "sending", "scheduled": "sending"},
    "pause": {"sending": "paused"},
    "resume": {"paused": "sending"},
    # An editor resends one uncertain or failed delivery of a finished issue.
    "reopen": {"sent": "sending", "partially_sent": "sending"},
})
"""action -> {state the issue may be in: state it moves to}. The order of each row is the order
in which error messages list the allowed states."""

DEFAULT_SEND_MAX_LATENESS: Final = timedelta(hours=2)
"""A scheduled issue found more than this late is held for an editor instead of sent."""


def allowed_from(action: Action) -> tuple[IssueState, ...]:
    """The states ``action`` may start from, in the table's order."""
    return tuple(TRANSITIONS[action])


def next_state(action: Action, state: IssueState) -> IssueState | None:
    """Where ``action`` takes an issue in ``state``; None if the action is not allowed there."""
    return TRANSITIONS[action].get(state)


def human(state: str) -> str:
    """A state as words in messages: ``in_review`` -> ``in review``."""
    return state.replace("_", " ")


def require(action: Action, issue_id: int, state: IssueState) -> IssueState:
    """The state ``action`` moves issue ``issue_id`` to from ``state``.

    Raises WorkflowError naming the current state and the states the action needs."""
    target = next_state(action, state)
    if target is None:
        wanted = " or ".join(human(s) for s in allowed_from(action))
        raise WorkflowError(f"digest issue {issue_id} is {human(state)}; this needs it to be {wanted}")
    return target


def finished_state(*, any_failed_or_uncertain: bool) -> IssueState:
    """How a send ends once no delivery is pending or in flight: ``sent`` if everyone got it (or
    was skipped), ``partially_sent`` if some deliveries failed or are uncertain."""
    return "partially_sent" if any_failed_or_uncertain else "sent"


def is_due(issue: DigestIssue, now: datetime) -> bool:
    """Whether the worker's send job should pick ``issue`` up at ``now``: an interrupted send
    always; a scheduled issue once its time has come, unless it is held for an editor."""
    if issue.state == "sending":
        return True
    if issue.state != "scheduled" or issue.scheduled_for is None or issue.scheduled_for > now:
        return False
    return not issue.hold_reason


def server_wait_reason(reason: str, *, tried_at: datetime, retry_at: datetime, pending: int) -> str:
    """What an editor reads while a send waits for the mail server (the issue stays ``sending``):
    the server's error at the try at ``tried_at``, that the ``pending`` recipients are not charged
    for it, and when the next try is."""
    return (f"waiting for the mail server, unreachable at {tried_at:%Y-%m-%d %H:%M} UTC: {reason}. "
            f"{pending} recipient(s) stay pending (an outage counts against nobody); next try at "
            f"{retry_at:%Y-%m-%d %H:%M} UTC")


def late_hold_reason(issue: DigestIssue, now: datetime, max_lateness: timedelta) -> str | None:
    """Why a scheduled ``issue`` must wait for an editor (it is more than ``max_lateness`` late:
    news of last Monday should not surprise members on Thursday), or None if it may go out."""
    if issue.state != "scheduled" or issue.scheduled_for is None or now - issue.scheduled_for <= max_lateness:
        return None
    return (f"scheduled for {issue.scheduled_for:%Y-%m-%d %H:%M} UTC, now more than {max_lateness} late: an "
            f"editor must confirm (`curator digest send {issue.id} --confirm-late`)")


__all__ = ["DEFAULT_SEND_MAX_LATENESS", "TRANSITIONS", "Action", "allowed_from", "finished_state", "human",
           "is_due", "late_hold_reason", "next_state", "require", "server_wait_reason"]

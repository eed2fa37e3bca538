"""The workflow table of a digest issue and the due/late rules (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest

from curator.errors import WorkflowError
from curator.newsletter import workflow
from curator.types import DigestIssue, IssueState, Segment

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def issue(state: IssueState = "draft", **kw: object) -> DigestIssue:
    base = DigestIssue(id=7, kind="digest", segment=Segment(), period="2026-W48", period_start=None, period_end=None,
                       texts={}, options={}, state=state, revision=1, approved_revision=None, approved_by=None,
                       approved_at=None, scheduled_for=None, hold_reason=None, created_by="ed", created_at=NOW,
                       updated_at=NOW)
    return replace(base, **kw)  # type: ignore[arg-type]


def test_every_state_in_the_table_is_an_issue_state() -> None:
    states = set(get_args(IssueState))
    for action, row in workflow.TRANSITIONS.items():
        assert set(row) <= states and set(row.values()) <= states, action


def test_the_editorial_path() -> None:
    path = [("submit", "draft", "in_review"), ("approve", "in_review", "approved"),
            ("schedule", "approved", "scheduled"), ("start_sending", "scheduled", "sending"),
            ("pause", "sending", "paused"), ("resume", "paused", "sending"), ("reopen", "partially_sent", "sending")]
    for action, before, after in path:
        assert workflow.require(action, 1, before) == after  # type: ignore[arg-type]


def test_edits_send_an_approval_back_to_review_and_leave_drafts_alone() -> None:
    assert workflow.next_state("edit", "draft") == "draft"
    assert workflow.next_state("edit", "in_review") == "in_review"
    assert workflow.next_state("edit", "approved") == "in_review"
    assert workflow.next_state("edit", "scheduled") == "in_review"
    states: tuple[IssueState, ...] = ("sending", "paused", "sent", "partially_sent", "cancelled")
    for state in states:
        assert workflow.next_state("edit", state) is None


def test_nothing_leaves_a_final_state_except_a_resend() -> None:
    for action, row in workflow.TRANSITIONS.items():
        assert "cancelled" not in row, action
        if action != "reopen":
            assert "sent" not in row and "partially_sent" not in row, action


def test_cancel_only_before_sending() -> None:
    assert workflow.allowed_from("cancel") == ("draft", "in_review", "approved", "scheduled")


def test_refusal_names_the_state_and_what_is_needed() -> None:
    with pytest.raises(WorkflowError, match=r"digest issue 3 is in review; this needs it to be approved or scheduled"):
        workflow.require("schedule", 3, "in_review")
    with pytest.raises(WorkflowError, match=r"is partially sent; this needs it to be draft or in review"):
        workflow.require("approve", 3, "partially_sent")


def test_finished_state() -> None:
    assert workflow.finished_state(any_failed_or_uncertain=False) == "sent"
    assert workflow.finished_state(any_failed_or_uncertain=True) == "partially_sent"


def test_due_issues() -> None:
    assert workflow.is_due(issue("sending"), NOW)
    assert workflow.is_due(issue("scheduled", scheduled_for=NOW), NOW)
    assert not workflow.is_due(issue("scheduled", scheduled_for=NOW + timedelta(seconds=1)), NOW)
    assert not workflow.is_due(issue("scheduled", scheduled_for=None), NOW)
    assert not workflow.is_due(issue("scheduled", scheduled_for=NOW, hold_reason="late"), NOW)
    assert not workflow.is_due(issue("approved"), NOW)


def test_late_scheduled_issues_are_held() -> None:
    limit = timedelta(hours=2)
    on_time = issue("scheduled", scheduled_for=NOW - limit)
    assert workflow.late_hold_reason(on_time, NOW, limit) is None
    late = issue("scheduled", scheduled_for=NOW - limit - timedelta(minutes=1))
    reason = workflow.late_hold_reason(late, NOW, limit)
    assert reason is not None and "2026-11-23 06:59 UTC" in reason and "curator digest send 7 --confirm-late" in reason
    assert workflow.late_hold_reason(replace(late, state="approved"), NOW, limit) is None

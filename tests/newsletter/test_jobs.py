"""Job functions get the worker's Curator (built from a settings file, as ``curator worker``
does) and the plain values of schedule.yaml, and call one facade method each."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from curator import jobs
from curator.config import load_settings
from curator.core import Curator, make_curator
from curator.scheduler import DEFAULT_SCHEDULE, load_schedule, run_job_slot
from tests.delivery.sink import SmtpSink

from .world import EDITOR, SECRET, World


def test_jobs_draft_and_send_due_issues_from_a_settings_file(cur: Curator, world: World, sink: SmtpSink,
                                                              tmp_path: Path) -> None:
    config = tmp_path / "curator.yaml"
    config.write_text(yaml.safe_dump({
        "database_url": cur.settings.database_url, "secret_key": SECRET, "encoder": "fake",
        "base_url": "https://curator.example", "mail_from": "Digest <digest@cluster.example>",
        "smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_security": "none"}))
    # the worker's Curator, on the world's clock so that "this week" holds its items
    with make_curator(load_settings(str(config)), clock=cur.clock, migrate=False) as worker:
        drafted = jobs.draft_weekly_digests(worker, segments=["everyone", "club:it-exec"])
        assert len(drafted["issues"]) == 2
        issue_id = drafted["issues"][0]
        cur.digests.approve(issue_id, editor=EDITOR)
        cur.digests.schedule(issue_id, cur.clock.now())  # due now
        out = jobs.send_due_issues(worker)
        (report,) = out["reports"]
        assert report["issue_id"] == issue_id and report["sent"] == len(world.members)
        assert jobs.send_due_issues(worker) == {"reports": []}
        assert len(sink.received) == len(world.members)


def test_every_scheduled_job_runs_through_the_worker_and_records_a_json_summary(cur: Curator, world: World) -> None:
    """Each job of the shipped schedule.yaml, run as the worker runs it: one run per job, done,
    with the job's summary as JSON (``tag`` calls the tagging capability, no probing)."""
    schedule = load_schedule(DEFAULT_SCHEDULE)
    for spec in schedule.jobs:
        if spec.id == "send_due_issues":
            continue  # sending needs a mail server: the test above
        out = run_job_slot(spec, cur.clock.now(), cur=cur, timezone=schedule.timezone)
        assert out.ran and out.reason == "", (spec.id, out.reason)
    runs = {r.job: r for r in cur.jobs.runs()}
    assert set(runs) == {s.id for s in schedule.jobs} - {"send_due_issues"}
    assert all(r.state == "done" for r in runs.values())
    summaries = {job: json.loads(r.detail or "") for job, r in runs.items()}
    assert summaries["tag"]["tagged"] > 0 and set(summaries["tag"]) >= {"version", "duplicates", "by_area"}
    assert summaries["tag"]["tagger"].startswith("tagger: fake:bow-64 alone")  # the run records which tagger ran
    # the shipped schedule drafts everyone's digest and one per club
    drafted = summaries["draft_weekly_digests"]["issues"]
    assert sorted(drafted) == sorted(i.id for i in cur.digests.list())
    assert [cur.digests.get(i).segment.key for i in drafted] == ["everyone", "club:it-exec"]
    assert set(summaries["collect"]) == {"sources", "new", "errors"}
    assert isinstance(summaries["refresh_profiles"]["profiles"], int)

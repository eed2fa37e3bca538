"""Contract of the scheduled-jobs topic of ``Store``, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from curator.storage import Storage
from tests.conftest import T0
from tests.storage.conftest import on_connections

TTL = timedelta(minutes=10)


def test_a_slot_runs_once(store: Storage) -> None:
    assert store.start_job_run("digest", "2026-11-23T06:00", owner="w1", now=T0, ttl=TTL) is None
    assert store.lease_holder("job:digest", T0) == "w1"
    assert store.start_job_run("digest", "2026-11-23T06:00", owner="w2", now=T0, ttl=TTL) == "lease held by w1"
    store.finish_job_run("digest", "2026-11-23T06:00", owner="w1", now=T0 + timedelta(minutes=1), ok=True,
                         detail='{"drafted": 2}')
    assert store.lease_holder("job:digest", T0) is None  # released
    assert store.start_job_run("digest", "2026-11-23T06:00", owner="w2", now=T0, ttl=TTL) == "this slot already ran"
    assert store.lease_holder("job:digest", T0) is None
    assert store.start_job_run("digest", "2026-11-30T06:00", owner="w2", now=T0, ttl=TTL) is None


def test_a_failed_or_abandoned_run_is_taken_over(store: Storage) -> None:
    store.start_job_run("send", "s1", owner="w1", now=T0, ttl=TTL)
    store.finish_job_run("send", "s1", owner="w1", now=T0, ok=False, detail="x" * 3000)
    (failed,) = store.job_runs("send")
    assert (failed["state"], len(failed["detail"])) == ("failed", 2000)
    assert store.start_job_run("send", "s1", owner="w2", now=T0, ttl=TTL) is None  # retried
    assert store.start_job_run("send", "s1", owner="w3", now=T0 + TTL - timedelta(seconds=1), ttl=TTL) is not None
    assert store.lease_holder("job:send", T0 + TTL + timedelta(seconds=1)) is None  # w2 died: its lease expired
    assert store.start_job_run("send", "s1", owner="w3", now=T0 + TTL + timedelta(seconds=1), ttl=TTL) is None
    (run,) = store.job_runs("send")
    assert (run["owner"], run["state"]) == ("w3", "running")
    store.finish_job_run("send", "s1", owner="w2", now=T0, ok=True)  # the late w2 changes nothing
    assert store.job_runs("send")[0]["state"] == "running"


def test_runs_are_listed_oldest_first(store: Storage) -> None:
    store.start_job_run("b", "s", owner="w", now=T0 + timedelta(minutes=1), ttl=TTL)
    store.start_job_run("a", "s", owner="w", now=T0, ttl=TTL)
    assert [r["job"] for r in store.job_runs()] == ["a", "b"]
    assert [r["job"] for r in store.job_runs("b")] == ["b"]


def test_of_concurrent_workers_one_runs_the_slot(store: Storage, store_url: str) -> None:
    answers = on_connections(store_url, 6, lambda s, i: s.start_job_run("digest", "s", owner=f"w{i}", now=T0, ttl=TTL))
    assert answers.count(None) == 1
    assert len(store.job_runs("digest")) == 1

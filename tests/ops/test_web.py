"""``/healthz``, ``/metrics``, request ids and the access log of the web app, on SQLite and
PostgreSQL (the Flask test client: its client address is 127.0.0.1 unless a test says otherwise)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from curator import logs
from curator.core import Curator, make_curator
from curator.web import create_app
from tests.conftest import T0

REMOTE = {"REMOTE_ADDR": "203.0.113.7"}
TOKEN = "metrics-token-0123456789abcdef"


@pytest.fixture
def app(curator: Curator) -> Flask:
    return create_app(curator, testing=True)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the process's log handler (JSON) writes while the test runs."""
    out = io.StringIO()
    handler = logs.make_handler("json", stream=out)
    root, access = logging.getLogger(), logging.getLogger(logs.ACCESS_LOGGER)
    level = access.level
    root.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        access.setLevel(level)


def _records(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _worker_ran(curator: Curator) -> None:
    for job in ("often", "weekly"):
        curator.storage.start_job_run(job, "s", owner="w", now=T0 - timedelta(minutes=1), ttl=timedelta(minutes=5))
        curator.storage.finish_job_run(job, "s", owner="w", now=T0, ok=True)


def test_healthz_is_503_until_the_workers_run_and_shows_details_to_loopback_only(curator: Curator, app: Flask) -> None:
    client = app.test_client()
    resp = client.get("/healthz")
    assert resp.status_code == 503 and resp.json is not None and resp.json["status"] == "fail"
    assert {c["name"]: c["status"] for c in resp.json["checks"]}["worker"] == "fail"
    _worker_ran(curator)
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json is not None
    assert resp.json["status"] == "ok"
    often = resp.json["jobs"][0]
    assert often["job"] == "often" and often["overdue"] is False and often["last_run"]["state"] == "done"
    assert "owner" not in often["last_run"] and "detail" not in often["last_run"], "nothing about the machines"
    assert client.head("/healthz").status_code == 200
    assert client.get("/healthz", environ_base=REMOTE).json == {"status": "ok"}


def test_healthz_fails_when_the_database_cannot_be_reached(curator: Curator) -> None:
    down = curator.settings.replace(database_url="postgresql://nobody@127.0.0.1:9/none")  # nothing listens on port 9
    with make_curator(down, clock=curator.clock, migrate=False) as gone:
        resp = create_app(gone, testing=True).test_client().get("/healthz")
    assert resp.status_code == 503 and resp.json is not None
    assert [(c["name"], c["status"]) for c in resp.json["checks"]] == [("database", "fail")]


def test_metrics_are_for_loopback_or_the_token(curator: Curator, app: Flask) -> None:
    client = app.test_client()
    assert client.get("/metrics").status_code == 200
    remote = client.get("/metrics", environ_base=REMOTE)
    assert remote.status_code == 403 and "metrics_token" in remote.get_data(as_text=True)

    with make_curator(curator.settings.replace(metrics_token=TOKEN), clock=curator.clock, migrate=False) as other:
        guarded = create_app(other, testing=True).test_client()
        assert guarded.get("/metrics").status_code == 403, "with a token, loopback needs it too"
        assert guarded.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        ok = guarded.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, environ_base=REMOTE)
        assert ok.status_code == 200
        details = guarded.get("/healthz", environ_base=REMOTE, headers={"Authorization": f"Bearer {TOKEN}"})
        assert details.json is not None and details.json["checks"]


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_report_the_database_figures_and_request_latency_by_route(curator: Curator, app: Flask) -> None:
    from curator.types import Source

    curator.storage.sync_sources([Source(id="flaky", title="Flaky", url="https://flaky.example/feed")], T0)
    curator.storage.record_fetch_failure("flaky", "HTTP 503", now=T0, next_attempt=None, broken_after=3)
    _worker_ran(curator)
    client = app.test_client()
    client.get("/u/" + "t" * 40)  # a token route: its label is the rule, never the token
    client.get("/healthz")
    samples = _samples(client.get("/metrics").get_data(as_text=True))
    assert samples[("curator_database_up", ())] == 1
    assert samples[("curator_source_fetch_errors", (("source", "flaky"),))] == 1
    assert samples[("curator_deliveries", (("state", "sent"),))] == 0
    assert samples[("curator_job_runs_total", (("job", "often"), ("state", "done")))] == 1
    assert samples[("curator_job_overdue", (("job", "weekly"),))] == 0
    assert samples[("curator_job_last_duration_seconds", (("job", "often"),))] == 60
    assert samples[("curator_http_request_duration_seconds_count", (("method", "GET"), ("route", "/u/<token>")))] == 1
    assert samples[("curator_http_requests_total", (("method", "GET"), ("route", "/healthz"), ("status", "200")))] == 1
    assert not any("t" * 20 in value for _, labels in samples for _, value in labels)


def test_every_response_carries_a_request_id_a_sane_one_from_the_client(app: Flask) -> None:
    client = app.test_client()
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-42-abcdef"}).headers["X-Request-ID"] == \
        "proxy-42-abcdef"
    for insane in ("short", "x" * 200, "evil; Set-Cookie: a=b", "<script>alert(1)</script>", "ünïcode-id-123"):
        assert re.fullmatch(r"[0-9a-f]{32}", client.get("/healthz", headers={"X-Request-ID": insane})
                            .headers["X-Request-ID"]), insane


def test_a_404_carries_the_request_id_in_its_header_only(app: Flask) -> None:
    """Its body must read the same for what does not exist and for what one may not see."""
    page = app.test_client().get("/no/such/page", headers={"X-Request-ID": "trace-0123456789"})
    assert page.status_code == 404 and page.headers["X-Request-ID"] == "trace-0123456789"
    assert "trace-0123456789" not in page.get_data(as_text=True)


def test_an_unexpected_error_is_logged_with_the_request_id_shown_on_its_page(
        curator: Curator, log_lines: io.StringIO) -> None:
    app = create_app(curator)  # not testing: the error is handled as in production

    def boom() -> str:
        raise RuntimeError("kaputt")

    app.add_url_rule("/boom", view_func=boom)
    page = app.test_client().get("/boom", headers={"X-Request-ID": "trace-boom-0001"})
    assert page.status_code == 500
    assert "trace-boom-0001" in page.get_data(as_text=True) and "kaputt" not in page.get_data(as_text=True)
    records = [r for r in _records(log_lines) if r.get("request_id") == "trace-boom-0001"]
    error = next(r for r in records if r["level"] == "ERROR")
    assert "RuntimeError: kaputt" in str(error["exception"])
    assert any(r["logger"] == logs.ACCESS_LOGGER and r["status"] == 500 for r in records)


@pytest.mark.parametrize("path", ["/u/SECRET-TOKEN-abcdefghij", "/t/c/SECRET-TOKEN-abcdefghij",
                                  "/preferences/SECRET-TOKEN-abcdefghij", "/auth/link/SECRET-TOKEN-abcdefghij",
                                  "/rss/SECRET-TOKEN-abcdefghij"])
def test_the_access_log_has_one_line_per_request_and_never_a_token(app: Flask, log_lines: io.StringIO,
                                                                   path: str) -> None:
    app.test_client().get(f"{path}?email=ann@acme.example&next=/x", headers={"X-Request-ID": "trace-access-1"})
    (line,) = [r for r in _records(log_lines) if r["logger"] == logs.ACCESS_LOGGER]
    assert line["request_id"] == "trace-access-1" and line["method"] == "GET" and line["status"] in (302, 404)
    assert str(line["path"]).endswith("/[redacted]") and line["route"].endswith("/<token>")  # type: ignore[union-attr]
    assert isinstance(line["duration_ms"], float)
    assert "SECRET-TOKEN" not in log_lines.getvalue() and "ann@acme.example" not in log_lines.getvalue()

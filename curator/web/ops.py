"""Operating the web app: ``/healthz`` and ``/metrics``, and what every request gets for it.

Every request gets an id (a sane ``X-Request-ID`` from the proxy or client, else a new one): it is
on every log line written while the request is served (:mod:`curator.logs`), in the
``X-Request-ID`` response header and on the page of an unexpected error (500), so a person's "it
broke" can be found in the log. Each request writes one access line (logger ``curator.access``: method, path with tokens
redacted and without the query, status, milliseconds, route) and is timed in the
``curator_http_request_duration_seconds`` histogram, by route (the URL rule, never the URL: no
token ever becomes a label).

- ``GET /healthz``: 200 ``{"status": "ok"}`` when the database answers, its schema is current,
  and no scheduled job is overdue; 503 ``{"status": "fail"}`` otherwise (``curator.stats.health``).
  Anyone gets the status; the checks and jobs come only to those who may read ``/metrics``.
- ``GET /metrics``: Prometheus text format. The figures kept in the database (fetch errors per
  source, items waiting to be tagged, feeds waiting to be ranked, deliveries by state, job runs)
  come from ONE facade call per scrape (``curator.stats.operations``), so every process reports
  the same numbers. Request latency is counted per process; with ``PROMETHEUS_MULTIPROC_DIR`` set
  (several gunicorn processes: docs/operations.md) the processes' counts are added up.
- Who may read ``/metrics`` and the details of ``/healthz``: with ``metrics_token`` set, whoever
  sends ``Authorization: Bearer <token>``; without it, clients on loopback only (the client as
  ``--proxy-hops`` lets the app see it). Neither shows a secret or a person's data.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, render_template, request
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from .. import logs
from ..errors import CuratorError
from ..i18n import translate
from ..types import Check, JobStatus

if TYPE_CHECKING:
    from ..core import Curator

bp = Blueprint("ops", __name__)
access_log = logging.getLogger(logs.ACCESS_LOGGER)
log = logging.getLogger("curator.web")

disable_created_metrics()  # type: ignore[no-untyped-call]  # the *_created series only repeat when a process started

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
"""prometheus-client's multiprocess mode: each process writes its counts to files in this folder
and a scrape of any process adds them up. Must be set before the process starts, emptied when the
server (re)starts."""


def install(app: Flask, curator: Curator) -> None:
    """Register the blueprint (its routes and per-request hooks) on ``app``, with the request
    metrics of this app. Call before the app's own ``before_request`` hooks, so that the request id
    is set before anything logs."""
    logs.configure_unless_configured()
    app.extensions["curator_metrics"] = _RequestMetrics(curator)
    app.register_blueprint(bp)


# --------------------------------------------------------------------------- every request

@bp.before_app_request
def start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = logs.new_request_id(request.headers.get("X-Request-ID"))
    g.request_id_token = logs.request_id.set(g.request_id)


@bp.after_app_request
def finish_request(resp: Response) -> Response:
    """Registered before the app's own hooks, so it runs last: the response is final here."""
    started = g.pop("request_started", None)
    if started is None:  # a hook before ours failed; nothing to time
        return resp
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    resp.headers["X-Request-ID"] = g.request_id
    _metrics().observe(request.method, route, resp.status_code, seconds)
    path = logs.redact(request.path)
    access_log.info("%s %s %s %.1fms", request.method, path, resp.status_code, seconds * 1000,
                    extra={"method": request.method, "path": path, "route": route, "status": resp.status_code,
                           "duration_ms": round(seconds * 1000, 1)})
    return resp


@bp.teardown_app_request
def end_request(_exc: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        logs.request_id.reset(token)


@bp.app_errorhandler(500)
def server_error(_exc: Any) -> tuple[str, int]:
    """An unexpected error: Flask has logged it with its traceback (with this request's id); the
    person sees the id to quote. Other error pages leave it to the header: a 404 must read the
    same for what does not exist and for what one may not see, byte for byte."""
    lang = g.get("lang", "en")
    return render_template("error.html", title=translate("error", lang), text=translate("server_error_text", lang),
                           request_id=g.get("request_id")), 500


# --------------------------------------------------------------------------- endpoints

@bp.route("/healthz", methods=["GET", "HEAD"])
def healthz() -> Response:
    health = _cur().stats.health()
    body: dict[str, Any] = {"status": "ok" if health.ok else "fail"}
    if _may_read_details():
        body["checks"] = [_check_json(c) for c in health.checks]
        body["jobs"] = [_job_json(j) for j in health.jobs]
    resp = jsonify(body)
    resp.status_code = 200 if health.ok else 503
    return resp


@bp.get("/metrics")
def metrics() -> Response:
    if not _may_read_details():
        return Response("forbidden: /metrics needs the metrics_token (Authorization: Bearer) or a loopback client\n",
                        403, mimetype="text/plain")
    registry = _metrics().registry_for_scrape()
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return Response(encoder(registry), 200, content_type=content_type)


def _may_read_details() -> bool:
    token = _cur().settings.metrics_token
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _check_json(check: Check) -> dict[str, str]:
    out = {"name": check.name, "status": check.status, "detail": check.detail}
    if check.fix:
        out["fix"] = check.fix
    return out


def _job_json(job: JobStatus) -> dict[str, Any]:
    last = job.record.last
    return {"job": job.job, "schedule": job.schedule, "overdue": job.overdue,
            "due_at": job.due_at.isoformat() if job.due_at else None,
            "last_run": None if last is None else {
                "slot": last.slot, "state": last.state, "started_at": last.started_at.isoformat(),
                "finished_at": last.finished_at.isoformat() if last.finished_at else None},
            "last_success_at": job.record.last_success_at.isoformat() if job.record.last_success_at else None,
            "runs": job.record.runs}


def _cur() -> Curator:
    return current_app.extensions["curator"]  # type: ignore[no-any-return]


def _metrics() -> _RequestMetrics:
    return current_app.extensions["curator_metrics"]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- metrics

class _RequestMetrics:
    """Request latency and counts of this app, and the registry a scrape reads: in multiprocess
    mode a new one per scrape that adds up every process's files; otherwise this app's own."""

    def __init__(self, curator: Curator) -> None:
        self._multiprocess_dir = os.environ.get(MULTIPROCESS_VARIABLE) or None
        # in multiprocess mode the values live in files, not in a registry
        own = None if self._multiprocess_dir else CollectorRegistry()
        self._registry = own
        self.latency = Histogram("curator_http_request_duration_seconds", "Time to answer a request, by route",
                                 ["method", "route"], registry=own)
        self.requests = Counter("curator_http_requests", "Requests answered, by route and status",
                                ["method", "route", "status"], registry=own)
        self._operations = _OperationsCollector(curator)
        if own is not None:
            own.register(self._operations)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.latency.labels(method, route).observe(seconds)
        self.requests.labels(method, route, str(status)).inc()

    def registry_for_scrape(self) -> CollectorRegistry:
        if self._registry is not None:
            return self._registry
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self._multiprocess_dir)  # type: ignore[no-untyped-call]
        registry.register(self._operations)
        return registry


class _OperationsCollector:
    """The figures of ``curator.stats.operations()`` as metric families, read at each scrape.
    When the database cannot be reached, ``curator_database_up`` is 0 and the others are left out."""

    def __init__(self, curator: Curator) -> None:
        self._cur = curator

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("curator_database_up", "1 when the database answered this scrape")
        try:
            snap = self._cur.stats.operations()
        except CuratorError as exc:
            log.warning("metrics: the database did not answer: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        c = snap.counts
        errors = GaugeMetricFamily("curator_source_fetch_errors", "Consecutive failed fetches of a collected source",
                                   labels=["source"])
        for source, n in c.source_errors.items():
            errors.add_metric([source], n)
        yield errors
        yield GaugeMetricFamily("curator_sources_broken", "Collected sources shown as broken", value=c.sources_broken)
        yield GaugeMetricFamily("curator_items_to_tag", "Items never tagged or changed since", value=c.items_to_tag)
        yield GaugeMetricFamily("curator_feeds_to_rank", "Members whose stored feed waits to be ranked",
                                value=c.feeds_to_rank)
        if c.feed_pool_built_at is not None:
            yield GaugeMetricFamily("curator_feed_pool_age_seconds", "Age of the stored candidate pool",
                                    value=(snap.taken_at - c.feed_pool_built_at).total_seconds())
        deliveries = GaugeMetricFamily("curator_deliveries", "Newsletter deliveries by state", labels=["state"])
        for state, n in c.deliveries.items():
            deliveries.add_metric([state], n)
        yield deliveries
        yield from _job_families(snap.jobs)


def _job_families(jobs: tuple[JobStatus, ...]) -> Iterator[Metric]:
    runs = CounterMetricFamily("curator_job_runs", "Finished runs of a scheduled job, by state",
                               labels=["job", "state"])
    overdue = GaugeMetricFamily("curator_job_overdue", "1 when a scheduled job missed its latest slot", labels=["job"])
    duration = GaugeMetricFamily("curator_job_last_duration_seconds", "Duration of the job's latest finished run",
                                 labels=["job"])
    success = GaugeMetricFamily("curator_job_last_success_timestamp_seconds",
                                "When the job's latest successful run finished (Unix time)", labels=["job"])
    for j in jobs:
        for state in ("done", "failed"):
            runs.add_metric([j.job, state], j.record.runs.get(state, 0))
        overdue.add_metric([j.job], int(j.overdue))
        last = j.record.last
        if last is not None and last.finished_at is not None:
            duration.add_metric([j.job], (last.finished_at - last.started_at).total_seconds())
        if j.record.last_success_at is not None:
            success.add_metric([j.job], j.record.last_success_at.timestamp())
    yield from (runs, overdue, duration, success)

"""Statistics and operations: trends for editors, and for whoever runs curator the figures of
``/metrics`` (:meth:`Stats.operations`), the checks of ``/healthz`` (:meth:`Stats.health`) and of
``curator doctor`` (:meth:`Stats.doctor`).

Every figure is computed from the database when it is asked for, never kept in a process, so any
web process (or a worker) reports the same numbers. A job is judged against the schedule of the
``schedule_file`` setting (:mod:`curator.schedule`): the one the workers run, unless they were
started with another ``--schedule``.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..config import load_feeds_file
from ..delivery import SmtpSender
from ..errors import ConfigError, StorageError
from ..schedule import JobSpec, describe_cron, previous_fire_time, read_schedule
from ..types import Check, CheckStatus, Health, JobRunCounts, JobStatus, OperationsSnapshot

if TYPE_CHECKING:
    from ..clock import Clock
    from ..config import Settings
    from ..storage import Store

STRONG_SECRET_LENGTH = 32
"""``secret_key`` signs sessions and every link in an email: ``curator doctor`` asks for at least
this many characters (``openssl rand -hex 32`` gives 64)."""
STRONG_SECRET_VARIETY = 10
"""...and at least this many different characters (a repeated word or a short pattern has fewer)."""
MAIL_PROBE_TIMEOUT = 10.0
"""Seconds ``curator doctor`` waits for the mail server."""

_WORKER_FIX = "start `curator worker` (docs/deployment.md: systemd unit curator-worker)"


class Stats:
    """``curator.stats``: counts over stored items and feedback, and the operations figures and
    checks; read-only (``doctor`` connects to the mail server but sends nothing)."""

    def __init__(self, *, settings: Settings, storage: Store, clock: Clock) -> None:
        self._settings = settings
        self._storage = storage
        self._clock = clock

    def trends(self, weeks: int = 12) -> dict[str, Any]:
        """Items per area per week (``"items"``: (week start, area, count)), and engagement
        (``"engagement"``: (week start, area, persona or "-", feedback events other than hide and
        less)) for the last ``weeks`` weeks, oldest week first."""
        since = self._clock.now() - timedelta(weeks=weeks)
        return {"items": self._storage.trend_counts(since), "engagement": self._storage.engagement_counts(since)}

    # ------------------------------------------------------------------ operations

    def operations(self) -> OperationsSnapshot:
        """The figures of ``/metrics``, counted now: fetch errors per source, items waiting to be
        tagged, feeds waiting to be ranked, deliveries per state and the status of each scheduled
        job (none when the schedule file cannot be read: :meth:`health` says why). StorageError
        when the database cannot be reached."""
        now = self._clock.now()
        counts = self._storage.operations_counts()
        try:
            jobs = self._job_statuses(now)
        except ConfigError:
            jobs = ()
        return OperationsSnapshot(taken_at=now, counts=counts, jobs=jobs)

    def health(self) -> Health:
        """The checks of ``/healthz``, each ``ok``, ``warn`` or ``fail``: the database answers,
        its schema is at the newest revision, the schedule file reads, some job has run, and per
        job: not overdue (``fail``) and its latest run did not fail (``warn``). ``ok`` when no
        check failed. Raises nothing: an unreachable database is a failed check."""
        checks = self._schema_checks()
        jobs: tuple[JobStatus, ...] = ()
        if all(c.status != "fail" for c in checks):
            try:
                jobs = self._job_statuses(self._clock.now())
            except ConfigError as exc:
                checks.append(Check("schedule", "fail", str(exc), f"correct {self._settings.schedule_file} "
                                                                  "(`curator worker --list` checks it)"))
            except StorageError as exc:
                checks.append(Check("database", "fail", str(exc), "check that the database server is running"))
            else:
                checks.extend(_job_checks(jobs))
        return Health(ok=all(c.status != "fail" for c in checks), checks=tuple(checks), jobs=jobs)

    def doctor(self) -> list[Check]:
        """What ``curator doctor`` checks, in order, each saying what to fix: the database is
        reachable and migrated, the mail server answers (connect, EHLO, STARTTLS or TLS and login
        as configured; nothing is sent), the feeds file and the schedule read, the secret key is
        strong, ``base_url`` uses https unless it is a loopback address, and the emails carry a
        postal address and imprint. In production (a ``base_url`` that is not loopback) a missing
        mail server or secret key fails and a missing imprint or address warns; locally they are
        warnings or fine. The settings themselves were checked when they were loaded."""
        checks = self._schema_checks()
        checks.append(self._mail_check())
        checks.append(self._feeds_check())
        checks.append(self._schedule_check())
        checks.append(self._secret_check())
        checks.append(self._base_url_check())
        checks.append(self._imprint_check())
        return checks

    # ------------------------------------------------------------------ the checks

    def _schema_checks(self) -> list[Check]:
        try:
            current, head = self._storage.schema_revisions()
        except StorageError as exc:
            return [Check("database", "fail", str(exc),
                          "check that the database server runs and that database_url (CURATOR_DATABASE_URL) "
                          "names it, with a user that may connect")]
        checks = [Check("database", "ok", f"reachable ({_dialect(self._settings.database_url)})")]
        if current == head:
            checks.append(Check("migrations", "ok", f"schema at the newest revision {head}"))
        else:
            checks.append(Check("migrations", "fail", f"schema at revision {current or 'none'}, this version needs {head}",
                                "run `curator init` (or restart `curator serve`, which migrates on start)"))
        return checks

    def _job_statuses(self, now: datetime) -> tuple[JobStatus, ...]:
        """Each job of the schedule against its record. A job that never ran is judged only from
        the first run of any job on: before it no worker ran, and that is one check of its own."""
        schedule = read_schedule(self._settings.schedule_file)
        records = {r.job: r for r in self._storage.job_run_counts()}
        since = min((r.first_started_at for r in records.values() if r.first_started_at), default=None)
        out = []
        for spec in schedule.jobs:
            record = records.get(spec.id) or JobRunCounts(spec.id, {}, None, None, None)
            due = previous_fire_time(spec, schedule.timezone, now - timedelta(seconds=spec.misfire_grace_seconds))
            if due is not None and (since is None or due < since):
                due = None
            out.append(JobStatus(job=spec.id, schedule=describe_cron(spec), record=record, due_at=due,
                                 overdue=due is not None and not _started_since(record, spec, due, now)))
        return tuple(out)

    def _mail_check(self) -> Check:
        s = self._settings
        if not s.smtp_host:
            if _is_loopback(s.base_url):
                return Check("mail", "ok", f"no smtp_host: mail is written to {s.outbox_dir}/ as .eml files")
            return Check("mail", "warn", f"no smtp_host: mail is written to {s.outbox_dir}/ and nobody receives it",
                         "set smtp_host, smtp_port and smtp_security (CURATOR_SMTP_*) to your mail server")
        where = f"{s.smtp_host}:{s.smtp_port} ({s.smtp_security}{', login as ' + s.smtp_user if s.smtp_user else ''})"
        sender = SmtpSender(s.smtp_host, s.smtp_port, security=s.smtp_security, user=s.smtp_user,
                            password=s.smtp_password, timeout=MAIL_PROBE_TIMEOUT)
        try:
            greeting = sender.probe()
        except Exception as exc:  # any failure to talk to the server is this check's answer
            return Check("mail", "fail", f"cannot use the mail server {where}: {exc.__class__.__name__}: {exc}",
                         _mail_fix(exc, s.smtp_security))
        return Check("mail", "ok", f"mail server {where} answers: {greeting}")

    def _feeds_check(self) -> Check:
        path = self._settings.feeds_file
        if not Path(path).exists():
            return Check("feeds", "warn", f"no feeds file at {path}: only sources added in the editor console are "
                                          "collected", "create it (see feeds.yaml in the repository) or set feeds_file")
        try:
            sources = load_feeds_file(path)
        except ConfigError as exc:
            return Check("feeds", "fail", str(exc), f"correct {path}; `curator init` loads it")
        return Check("feeds", "ok", f"{path}: {len(sources)} sources ({sum(s.enabled for s in sources)} enabled)")

    def _schedule_check(self) -> Check:
        path = self._settings.schedule_file
        try:
            schedule = read_schedule(path)
        except ConfigError as exc:
            return Check("schedule", "fail", str(exc), f"correct {path} (`curator worker --list` checks it too)")
        return Check("schedule", "ok", f"{len(schedule.jobs)} jobs in {schedule.timezone} ({path})")

    def _secret_check(self) -> Check:
        key = self._settings.secret_key
        if not key:
            status: CheckStatus = "warn" if _is_loopback(self._settings.base_url) else "fail"
            return Check("secret_key", status, "no secret_key: sign-in, sessions and the links in emails are refused",
                         "set CURATOR_SECRET_KEY=$(openssl rand -hex 32), the same for every process")
        if len(key) < STRONG_SECRET_LENGTH or len(set(key)) < STRONG_SECRET_VARIETY:
            return Check("secret_key", "fail",
                         f"secret_key is weak: {len(key)} characters, {len(set(key))} different ones (wanted: at "
                         f"least {STRONG_SECRET_LENGTH} and {STRONG_SECRET_VARIETY})",
                         "set CURATOR_SECRET_KEY=$(openssl rand -hex 32); changing it signs everyone out and "
                         "voids the links in emails already sent")
        return Check("secret_key", "ok", f"{len(key)} characters")

    def _imprint_check(self) -> Check:
        """German commercial email must name its sender: a postal address and an imprint in every
        digest. Missing in production: a warning (mail still goes out); locally: fine."""
        s = self._settings
        missing = [name for name in ("postal_address", "imprint") if not getattr(s, name).strip()]
        if not missing:
            return Check("imprint", "ok", f"emails carry the postal address and imprint of {s.cluster_name}")
        what = " and ".join(missing)
        if _is_loopback(s.base_url):
            return Check("imprint", "ok", f"{what} not set (fine for trying curator out; needed before mailing members)")
        return Check("imprint", "warn", f"{what} not set: the digest goes out without the sender's postal address or "
                                        "imprint that German commercial email must carry",
                     "set postal_address and imprint in the settings file (or CURATOR_POSTAL_ADDRESS, "
                     "CURATOR_IMPRINT); see docs/operations.md")

    def _base_url_check(self) -> Check:
        url = self._settings.base_url
        if urlsplit(url).scheme == "https":
            return Check("base_url", "ok", url)
        if _is_loopback(url):
            return Check("base_url", "ok", f"{url} (loopback: http is fine for trying curator out)")
        return Check("base_url", "fail", f"{url} is not https: session cookies and the links in emails would travel "
                                         "in clear text", "serve curator behind a TLS proxy (docs/deployment.md) and "
                                                          "set base_url to its https:// address")


def _job_checks(jobs: tuple[JobStatus, ...]) -> list[Check]:
    checks = []
    if jobs and all(j.record.last is None for j in jobs):
        checks.append(Check("worker", "fail", "no scheduled job has run on this database yet", _WORKER_FIX))
    for j in jobs:
        last = j.record.last
        ran = f"last run {last.started_at:%Y-%m-%d %H:%M:%S}Z {last.state}" if last else "never ran"
        if j.overdue:
            checks.append(Check(f"job {j.job}", "fail", f"overdue: due {j.due_at:%Y-%m-%d %H:%M:%S}Z ({j.schedule}), "
                                                        f"{ran}", _WORKER_FIX))
        elif last is not None and last.state == "failed":
            checks.append(Check(f"job {j.job}", "warn", f"{ran} ({j.schedule})",
                                "see the worker's log; `curator worker --list`, and run the job's command by hand"))
        else:
            checks.append(Check(f"job {j.job}", "ok", f"{ran} ({j.schedule})"))
    return checks


def _started_since(record: JobRunCounts, spec: JobSpec, due: datetime, now: datetime) -> bool:
    """Whether a run of the job started at or after ``due``, or one is running under a live lease
    (a long run holds back the next slot; a dead worker's run stops counting when its lease ends)."""
    last = record.last
    if last is None:
        return False
    if last.state == "running":
        return last.started_at + timedelta(seconds=spec.lease_seconds) > now or last.started_at >= due
    return last.started_at >= due


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _dialect(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgres") else "SQLite"


def _mail_fix(exc: Exception, security: str) -> str:
    name = exc.__class__.__name__
    if "Authentication" in name:
        return "check smtp_user and smtp_password (CURATOR_SMTP_USER, CURATOR_SMTP_PASSWORD)"
    if "NotSupported" in name:
        return "the server offers no STARTTLS: set smtp_security to tls (port 465) if it speaks TLS at once"
    if "SSL" in name or "Certificate" in name:
        return (f"the TLS handshake failed ({security}): check smtp_port (587 for starttls, 465 for tls) and the "
                "server's certificate")
    return "check smtp_host and smtp_port (CURATOR_SMTP_HOST, CURATOR_SMTP_PORT) and that this machine may reach them"

"""Logging for every curator process: ONE setup (:func:`configure`), plain text by default and one
JSON object per line on request (``--log-format json`` or ``CURATOR_LOG_FORMAT=json``).

- Every line written while a web request is served carries that request's id (:data:`request_id`,
  set by the web app from a sane ``X-Request-ID`` header or generated), so the lines of one request
  can be found together, across the proxy's log too.
- Secret tokens in paths are never written: the links of newsletters (``/u/``, ``/preferences/``,
  the tracking links ``/t/c/`` and ``/t/o/``), sign-in links (``/auth/link/``) and private RSS
  feeds (``/rss/``) carry a token that is as good as a password, so :func:`redact` replaces it in
  every line, whoever logged it (the access log, a WSGI server, a library).
- The surfaces (CLI, web, worker) call :func:`configure` once per process; everything else only
  uses ``logging.getLogger("curator.<area>")``.

Imports nothing of curator: any module may use it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

LOG_FORMATS = ("text", "json")
FORMAT_VARIABLE = "CURATOR_LOG_FORMAT"
"""The environment variable that chooses the format when no option does."""
ACCESS_LOGGER = "curator.access"
"""One INFO line per web request: method, path (tokens redacted, no query), status, duration."""

request_id: ContextVar[str | None] = ContextVar("curator_request_id", default=None)
"""The id of the web request this thread or task is serving; None outside a request."""

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
_TOKEN_PATH = r"/(?:u|t/[a-z]|preferences|auth/link|rss)/"
_PATH_TOKEN = re.compile(rf"(^|[\s\"'=(\[])({_TOKEN_PATH})[^/\s?#\"'<>]+")
"""A token right after one of the prefixes where a path starts (a request line, a log field)."""
_URL_TOKEN = re.compile(rf"({_TOKEN_PATH})[A-Za-z0-9_\-.~=%]{{16,}}")
"""A token-like segment after one of the prefixes anywhere, e.g. inside a full link."""
REDACTED = "[redacted]"

_STANDARD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def new_request_id(header: str | None = None) -> str:
    """``header`` (a client's or proxy's ``X-Request-ID``) if it is sane: 8 to 128 letters, digits
    and ``. _ : -``, starting with a letter or digit; otherwise a new random id (32 hex digits)."""
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def redact(text: str) -> str:
    """``text`` with the token of every token-bearing path replaced by ``[redacted]``: the path
    keeps its prefix (``/u/[redacted]``), so a line still says which route was asked for."""
    text = _PATH_TOKEN.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _URL_TOKEN.sub(lambda m: f"{m.group(1)}{REDACTED}", text)


class _RequestContext(logging.Filter):
    """Puts the current :data:`request_id` on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """``LEVEL logger: message`` and, in a request, `` request_id=<id>``; tokens redacted.

    ``brief``: a logged exception shows as its one-line message (a CLI user reads what went wrong;
    ``curator -v`` shows the traceback)."""

    def __init__(self, *, brief: bool = False) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self._brief = brief

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = getattr(record, "request_id", None)
        if rid:
            head, sep, rest = line.partition("\n")
            line = f"{head} request_id={rid}{sep}{rest}"
        return redact(line)

    def formatException(self, ei: Any) -> str:
        if self._brief:
            return f"  {ei[1]} (curator -v shows the traceback)"
        return super().formatException(ei)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
    ``pid``, ``request_id`` in a request, the ``extra`` fields of the call (the access log's
    ``method``, ``path``, ``route``, ``status``, ``duration_ms``) and ``exception`` (the traceback)
    when one was logged. Tokens are redacted in every text value."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(), "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_FIELDS and value is not None and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps({k: redact(v) if isinstance(v, str) else v for k, v in out.items()},
                          default=str, ensure_ascii=False)


def make_handler(log_format: str = "text", *, verbose: bool = False, stream: TextIO | None = None) -> logging.Handler:
    """A handler writing ``log_format`` (text or json) to ``stream`` (default: stderr) with the
    request id on every record. ValueError for another format."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format {log_format!r}; allowed: {', '.join(LOG_FORMATS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(_RequestContext())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter(brief=not verbose))
    return handler


def chosen_format(option: str | None = None) -> str:
    """The log format: ``option`` if given, else ``CURATOR_LOG_FORMAT``, else text. ValueError
    naming the variable for a value that is neither text nor json."""
    value = option or os.environ.get(FORMAT_VARIABLE) or "text"
    if value not in LOG_FORMATS:
        raise ValueError(f"{FORMAT_VARIABLE}={value!r}; allowed: {', '.join(LOG_FORMATS)}")
    return value


def configure(log_format: str | None = None, *, verbose: bool = False) -> None:
    """Set up this process's logging (once; a later call changes nothing, as logging.basicConfig):
    WARNING and above (DEBUG with ``verbose``) from every logger, and the access log at INFO, to
    stderr in the :func:`chosen_format`."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        handlers=[make_handler(chosen_format(log_format), verbose=verbose)])
    logging.getLogger(ACCESS_LOGGER).setLevel(logging.INFO)


def configure_unless_configured() -> None:
    """:func:`configure` from ``CURATOR_LOG_FORMAT`` when nothing has set up logging in this process
    yet: a WSGI server that imports ``curator.wsgi`` directly (not through ``curator serve``) still
    gets the access log and the request ids."""
    if not logging.getLogger().handlers:
        configure()

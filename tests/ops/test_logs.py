"""The one logging setup (curator.logs): text or JSON, the request id on every line of a request,
tokens redacted from whatever logs them."""

from __future__ import annotations

import io
import json
import logging

import pytest

from curator import logs

TOKEN = "Zm9vYmFyLXNlY3JldC10b2tlbi0xMjM0NTY3ODkw"


@pytest.mark.parametrize(("line", "expected"), [
    (f"GET /u/{TOKEN} 200 3.0ms", "GET /u/[redacted] 200 3.0ms"),
    (f'"POST /u/{TOKEN} HTTP/1.1" 200', '"POST /u/[redacted] HTTP/1.1" 200'),
    (f"/t/c/{TOKEN}", "/t/c/[redacted]"),
    (f"GET /t/o/{TOKEN}.gif 200", "GET /t/o/[redacted] 200"),
    (f"path=/preferences/{TOKEN}?x=1", "path=/preferences/[redacted]?x=1"),
    (f"Exception on /auth/link/{TOKEN} [POST]", "Exception on /auth/link/[redacted] [POST]"),
    (f"GET /rss/{TOKEN}", "GET /rss/[redacted]"),
    (f"see https://curator.example.org/u/{TOKEN}/x", "see https://curator.example.org/u/[redacted]/x"),
    ("fetched https://news.example/rss/feed.xml", "fetched https://news.example/rss/feed.xml"),
    ("GET /me/preferences 200", "GET /me/preferences 200"),
    ("GET /items/12 200", "GET /items/12 200"),
])
def test_tokens_in_paths_are_redacted_and_nothing_else(line: str, expected: str) -> None:
    assert logs.redact(line) == expected


def _logger(fmt: str) -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    logger = logging.getLogger(f"curator.test-logs.{fmt}")
    logger.handlers[:] = [logs.make_handler(fmt, stream=out)]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, out


def test_json_lines_carry_the_request_id_the_extra_fields_and_the_traceback() -> None:
    logger, out = _logger("json")
    logger.warning("outside")
    token = logs.request_id.set("trace-0123456789")
    try:
        logger.info("GET %s", f"/u/{TOKEN}", extra={"status": 200, "path": f"/u/{TOKEN}"})
        try:
            raise ValueError("bad")
        except ValueError:
            logger.exception("failed")
    finally:
        logs.request_id.reset(token)
    outside, access, failed = (json.loads(line) for line in out.getvalue().splitlines())
    assert "request_id" not in outside and outside["level"] == "WARNING" and outside["message"] == "outside"
    assert access["request_id"] == "trace-0123456789" and access["status"] == 200
    assert access["message"] == "GET /u/[redacted]" and access["path"] == "/u/[redacted]"
    assert failed["request_id"] == "trace-0123456789" and "ValueError: bad" in failed["exception"]
    assert {"time", "level", "logger", "message", "pid"} <= set(outside)


def test_text_lines_are_as_before_with_the_request_id_appended() -> None:
    logger, out = _logger("text")
    token = logs.request_id.set("trace-0123456789")
    try:
        logger.warning("slow page /preferences/%s", TOKEN)
    finally:
        logs.request_id.reset(token)
    logger.warning("plain")
    assert out.getvalue().splitlines() == [
        "WARNING curator.test-logs.text: slow page /preferences/[redacted] request_id=trace-0123456789",
        "WARNING curator.test-logs.text: plain"]


def test_the_format_comes_from_the_option_else_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(logs.FORMAT_VARIABLE, raising=False)
    assert logs.chosen_format() == "text"
    monkeypatch.setenv(logs.FORMAT_VARIABLE, "json")
    assert logs.chosen_format() == "json" and logs.chosen_format("text") == "text"
    monkeypatch.setenv(logs.FORMAT_VARIABLE, "xml")
    with pytest.raises(ValueError, match="CURATOR_LOG_FORMAT='xml'; allowed: text, json"):
        logs.chosen_format()
    with pytest.raises(ValueError, match="allowed: text, json"):
        logs.make_handler("yaml")


@pytest.mark.parametrize(("header", "kept"), [("abcdef12", True), ("req.1:2-3_4", True), ("a" * 128, True),
                                               ("short", False), ("a" * 129, False), ("-leading-dash", False),
                                               ("spa ce-12345", False), (None, False)])
def test_a_request_id_is_taken_only_when_sane(header: str | None, kept: bool) -> None:
    rid = logs.new_request_id(header)
    assert (rid == header) is kept
    assert kept or len(rid) == 32

"""Fixtures for the fetcher and SSRF tests: loopback servers, a canary, short-timeout policies."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from curator.ingest.fetch import Fetcher, FetchPolicy

from .hostile_servers import RawServer, canary

LOOPBACK_ONLY = ("127.0.0.1/32",)
"""The test-only allow-list: the origin servers live on 127.0.0.1, canaries elsewhere."""


@pytest.fixture
def local_policy() -> FetchPolicy:
    """Short timeouts and 127.0.0.1 allowed; everything else as in production."""
    return FetchPolicy(
        connect_timeout=1.0,
        read_timeout=1.0,
        total_timeout=3.0,
        allowed_networks=LOOPBACK_ONLY,
    )


@pytest.fixture
def strict_policy() -> FetchPolicy:
    """Production address rules (nothing private allowed), short timeouts."""
    return FetchPolicy(connect_timeout=1.0, read_timeout=1.0, total_timeout=3.0)


@pytest.fixture
def local_fetcher(local_policy: FetchPolicy) -> Iterator[Fetcher]:
    with Fetcher(local_policy) as fetcher:
        yield fetcher


@pytest.fixture(scope="session")
def _session_feed_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def feed_server(_session_feed_server: HTTPServer) -> Iterator[HTTPServer]:
    """pytest-httpserver on 127.0.0.1 (not ``localhost``, which the guard refuses)."""
    yield _session_feed_server
    _session_feed_server.clear()


@pytest.fixture
def make_raw_server() -> Iterator[Callable[..., RawServer]]:
    """Factory for ``RawServer``s that are all closed after the test."""
    servers: list[RawServer] = []

    def make(*args: Any, **kwargs: Any) -> RawServer:
        server = RawServer(*args, **kwargs)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def canary_server(make_raw_server: Callable[..., RawServer]) -> RawServer:
    """A canary on 127.0.0.1 that counts accept()s and answers with a secret banner."""
    return make_raw_server(canary, host="127.0.0.1")


@pytest.fixture
def connect_spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Records every outgoing ``socket.create_connection`` (what httpcore uses to connect)."""
    calls: list[tuple[Any, ...]] = []
    real = socket.create_connection

    def spy(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        calls.append(tuple(address))
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", spy)
    return calls

"""SMTP with STARTTLS and with implicit TLS, and a login, against aiosmtpd with trustme
certificates (RELIABILITY 4.2: TLS covered in a separate test)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from curator.delivery import SmtpSender
from tests.delivery.sink import _free_port

MESSAGE = b"From: a@cluster.example\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nhello\r\n"


class _Keep:
    def __init__(self) -> None:
        self.got: list[tuple[str, bool, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        tls = server.transport.get_extra_info("ssl_object") is not None
        self.got.append((envelope.rcpt_tos[0], tls, session.auth_data))
        return "250 OK"


def _auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == b"curator" and data.password == b"s3cret"
    return AuthResult(success=ok, handled=False, auth_data=data.login if ok else None)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def contexts(ca: trustme.CA) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


@pytest.fixture
def starttls_server(contexts: tuple[ssl.SSLContext, ssl.SSLContext]) -> Iterator[tuple[int, _Keep]]:
    handler, port = _Keep(), _free_port()
    c = Controller(handler, hostname="127.0.0.1", port=port, tls_context=contexts[0], require_starttls=True,
                   auth_required=True, auth_require_tls=True, authenticator=_auth)
    c.start()
    yield port, handler
    c.stop()


def test_starttls_with_login(starttls_server: tuple[int, _Keep], contexts: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    port, handler = starttls_server
    s = SmtpSender("127.0.0.1", port, security="starttls", user="curator", password="s3cret", ssl_context=contexts[1])
    assert s.send("a@cluster.example", "b@example.org", MESSAGE, "<m1@x>").kind == "sent"
    assert s.send("a@cluster.example", "c@example.org", MESSAGE, "<m2@x>").kind == "sent"
    s.close()
    assert [(r, tls) for r, tls, _ in handler.got] == [("b@example.org", True), ("c@example.org", True)]
    assert s.connections_opened == 1


def test_wrong_password_is_reported_not_sent(starttls_server: tuple[int, _Keep],
                                             contexts: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    port, handler = starttls_server
    s = SmtpSender("127.0.0.1", port, security="starttls", user="curator", password="wrong", ssl_context=contexts[1])
    out = s.send("a@cluster.example", "b@example.org", MESSAGE, "<m1@x>")
    assert out.kind == "transient" and out.server_down and "smtp_password" in out.detail
    assert handler.got == []


def test_untrusted_certificate_is_refused(starttls_server: tuple[int, _Keep]) -> None:
    port, handler = starttls_server
    s = SmtpSender("127.0.0.1", port, security="starttls", user="curator", password="s3cret")  # system CAs only
    out = s.send("a@cluster.example", "b@example.org", MESSAGE, "<m1@x>")
    assert out.kind == "transient" and out.server_down and handler.got == []


def test_server_without_starttls_is_refused_not_downgraded() -> None:
    handler, port = _Keep(), _free_port()
    c = Controller(handler, hostname="127.0.0.1", port=port)
    c.start()
    try:
        out = SmtpSender("127.0.0.1", port, security="starttls").send("a@cluster.example", "b@example.org", MESSAGE, "<m@x>")
    finally:
        c.stop()
    assert out.kind == "transient" and "does not offer STARTTLS" in out.detail and handler.got == []


def test_implicit_tls(contexts: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    handler, port = _Keep(), _free_port()
    c = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=contexts[0])
    try:
        c.start()
    except Exception as exc:  # aiosmtpd's readiness probe may not speak TLS in some versions
        pytest.skip(f"aiosmtpd cannot start an implicit-TLS test server here: {exc}")
    try:
        s = SmtpSender("127.0.0.1", port, security="tls", ssl_context=contexts[1])
        assert s.send("a@cluster.example", "b@example.org", MESSAGE, "<m1@x>").kind == "sent"
        s.close()
    finally:
        c.stop()
    assert handler.got[0][1] is True

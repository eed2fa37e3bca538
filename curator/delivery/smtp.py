"""SMTP sender: one connection reused for many messages, a rate limit, and replies classified so
that the delivery loop knows what is safe to retry (RELIABILITY 3E).

The DATA phase is done by hand (not ``smtplib.SMTP.sendmail``) because the line between
"not delivered, retry" and "maybe delivered, do not retry" lies inside it: any failure before
the final ``.`` is sent is safe to retry; a lost connection after it is ``uncertain`` (RFC 1047).
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
import time
from collections.abc import Callable

from .senders import Outcome

_DOT = re.compile(rb"(?m)^\.")


class SmtpSender:
    """Send through an SMTP server.

    ``security``: ``starttls`` (upgrade after EHLO; refused if the server does not offer it),
    ``tls`` (implicit TLS, port 465) or ``none`` (loopback test servers only).
    ``rate_per_second`` spaces messages out; ``max_per_connection`` reconnects after so many.
    ``sleep`` and ``monotonic`` are injectable for tests.
    """

    def __init__(self, host: str, port: int, *, security: str = "starttls", user: str = "", password: str = "",
                 timeout: float = 30.0, ssl_context: ssl.SSLContext | None = None,
                 rate_per_second: float | None = None, max_per_connection: int = 100,
                 local_hostname: str | None = None,
                 sleep: Callable[[float], None] = time.sleep, monotonic: Callable[[], float] = time.monotonic) -> None:
        if security not in ("starttls", "tls", "none"):
            raise ValueError(f"smtp_security must be starttls, tls or none, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.timeout = user, password, timeout
        self._ssl_context = ssl_context
        self.min_interval = 1.0 / rate_per_second if rate_per_second else 0.0
        self.max_per_connection = max_per_connection
        self.local_hostname = local_hostname
        self._sleep, self._monotonic = sleep, monotonic
        self._conn: smtplib.SMTP | None = None
        self._on_conn = 0
        self._dirty = False  # a transaction failed half-way: RSET before the next MAIL (S14)
        self._last_send = 0.0
        self.connections_opened = 0

    # ----------------------------------------------------------------- connection

    @property
    def ssl_context(self) -> ssl.SSLContext:
        """The given context, or the system's default (made on first use: loading the system's
        certificates takes tens of milliseconds, and a send run that waits for the mail server
        or uses ``none`` never needs it)."""
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                 context=self.ssl_context, local_hostname=self.local_hostname)
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout, local_hostname=self.local_hostname)
        try:
            conn.ehlo()
            if self.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise smtplib.SMTPNotSupportedError(
                        f"the mail server {self.host}:{self.port} does not offer STARTTLS; set smtp_security "
                        "to tls (port 465) or fix the server")
                conn.starttls(context=self.ssl_context)
                conn.ehlo()
            if self.user:
                conn.login(self.user, self.password)
        except BaseException:
            _close_quietly(conn)
            raise
        self.connections_opened += 1
        self._on_conn = 0
        self._dirty = False
        return conn

    def probe(self) -> str:
        """Connect as a send would (EHLO, STARTTLS or TLS as configured, login when ``user`` is
        set), then QUIT without sending anything. Returns the server's EHLO greeting line; raises
        the SMTP, socket or TLS error that a send would meet (e.g. ``SMTPNotSupportedError`` when
        STARTTLS is required and not offered). Used by ``curator doctor``."""
        conn = self._connect()
        try:
            lines = (conn.ehlo_resp or b"").decode("utf-8", "replace").splitlines()
            return lines[0][:200] if lines else ""
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                conn.quit()
            _close_quietly(conn)

    def _drop(self) -> None:
        if self._conn is not None:
            _close_quietly(self._conn)
        self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._conn.quit()
        self._drop()

    # ----------------------------------------------------------------- sending

    def _pace(self) -> None:
        if self.min_interval:
            wait = self._last_send + self.min_interval - self._monotonic()
            if wait > 0:
                self._sleep(wait)
        self._last_send = self._monotonic()

    def send(self, envelope_from: str, recipient: str, data: bytes, message_id: str) -> Outcome:
        """Hand over one message for exactly one recipient. Reconnects once if the server had
        closed the idle connection before the transaction started."""
        self._pace()
        for attempt in (1, 2):
            try:
                if self._conn is None or self._on_conn >= self.max_per_connection:
                    self._drop()
                    self._conn = self._connect()
            except smtplib.SMTPConnectError as exc:  # e.g. 421 greeting
                return Outcome("transient", f"the mail server refused the connection: {exc.smtp_code} "
                                            f"{_text(exc.smtp_error)}", server_down=True)
            except smtplib.SMTPAuthenticationError as exc:
                return Outcome("transient", f"the mail server rejected the login (check smtp_user/smtp_password): "
                                            f"{exc.smtp_code} {_text(exc.smtp_error)}", server_down=True)
            except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
                return Outcome("transient", f"cannot reach the mail server {self.host}:{self.port}: {exc}",
                               server_down=True)
            try:
                return self._transaction(self._conn, envelope_from, recipient, data)
            except _Reconnect as exc:
                self._drop()
                if attempt == 2:
                    return Outcome("transient", f"the mail server closed the connection: {exc}")
        raise AssertionError("unreachable")  # pragma: no cover

    def _transaction(self, conn: smtplib.SMTP, envelope_from: str, recipient: str, data: bytes) -> Outcome:
        try:
            if self._dirty:
                conn.rset()
                self._dirty = False
            code, reply = conn.mail(envelope_from)
            if code != 250:
                return self._refused("MAIL FROM", code, reply)
            code, reply = conn.rcpt(recipient)
            if code not in (250, 251):
                return self._refused(f"RCPT TO <{recipient}>", code, reply)
            code, reply = conn.docmd("data")
            if code != 354:
                return self._refused("DATA", code, reply)
        except smtplib.SMTPServerDisconnected as exc:
            raise _Reconnect(str(exc)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            return Outcome("transient", f"connection problem before the message was sent: {exc}")
        # From here on the server may accept the message at any moment.
        payload = _DOT.sub(b"..", data)
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        try:
            conn.send(payload + b".\r\n")
            code, reply = conn.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            return Outcome("uncertain", f"the connection broke after the message was sent and before the server "
                                        f"confirmed it ({exc.__class__.__name__}: {exc})")
        self._on_conn += 1
        if code == 250:
            return Outcome("sent", f"{code} {_text(reply)}")
        return self._refused("end of DATA", code, reply)

    def _refused(self, step: str, code: int, reply: bytes | str) -> Outcome:
        self._dirty = True
        detail = f"{step}: {code} {_text(reply)}"
        if code == 421:  # the server is closing the connection
            self._drop()
        if 400 <= code < 500 or code == -1:
            return Outcome("transient", detail)
        return Outcome("permanent", detail)


class _Reconnect(Exception):
    pass


def _text(reply: bytes | str) -> str:
    return (reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)).replace("\n", " ")[:500]


def _close_quietly(conn: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError, smtplib.SMTPException, socket.error):
        conn.close()

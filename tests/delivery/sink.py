"""An SMTP sink on 127.0.0.1 (aiosmtpd) that records what arrives and misbehaves on request
(RELIABILITY 4.2). Used by the newsletter and delivery tests and the benchmark."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]

    def text(self) -> str:
        """Both bodies, decoded, for searching."""
        msg = self.message
        parts = []
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        return "\n".join(parts)


@dataclass
class Faults:
    fail_rcpt: dict[str, str] = field(default_factory=dict)
    """address -> reply for RCPT (e.g. "550 5.1.1 no such user")."""
    transient_data: dict[str, int] = field(default_factory=dict)
    """address -> how many DATA attempts get "451 4.3.0 try later" before one is accepted."""
    drop_after_data: set[str] = field(default_factory=set)
    """addresses whose message is received completely, then the connection is cut with no reply."""
    close_every: int = 0
    """close the connection after every n accepted messages."""


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        reply = self.sink.faults.fail_rcpt.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        sink = self.sink
        rcpts = [r.lower() for r in envelope.rcpt_tos]
        with sink.lock:
            sink.data_attempts[tuple(rcpts)] += 1
            for r in rcpts:
                left = sink.faults.transient_data.get(r, 0)
                if left > 0:
                    sink.faults.transient_data[r] = left - 1
                    return "451 4.3.0 try again later"
            sink.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
            sink.accepted_on_connection[id(server)] += 1
            n_on_conn = sink.accepted_on_connection[id(server)]
        if any(r in sink.faults.drop_after_data for r in rcpts):
            server.transport.abort()  # the whole message arrived; the client never hears back
            return "250 OK"
        if sink.faults.close_every and n_on_conn % sink.faults.close_every == 0:
            # reply, then close at once (flushing the reply first), as a provider that drops the
            # connection after n messages does; never in the middle of the next transaction
            await server.push("250 OK")
            server.transport.close()
        return "250 OK"


class SmtpSink:
    """Start with ``with SmtpSink() as sink:``; ``sink.port`` is where it listens (a free port,
    or ``port``: e.g. the one a sender was pointed at while nothing listened there)."""

    def __init__(self, faults: Faults | None = None, port: int | None = None) -> None:
        self.faults = faults or Faults()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.data_attempts: Counter[tuple[str, ...]] = Counter()
        self.accepted_on_connection: Counter[int] = Counter()
        self.port = port or _free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    def messages_to(self, address: str) -> list[Received]:
        return [m for m in self.received if address.lower() in (r.lower() for r in m.rcpt_tos)]

    def count_by_recipient(self) -> Counter[str]:
        return Counter(r.lower() for m in self.received for r in m.rcpt_tos)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

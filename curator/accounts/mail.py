"""Account mail: one plain-text transactional message (sign-in link, an item a colleague sent).

Not a newsletter: no list headers, and a newsletter unsubscribe does not stop it (RELIABILITY U10).
Header values go through :func:`curator.delivery.message.header_text`, addresses through
``check_address``, so no subject or name can add a header or a recipient.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from ..clock import Clock
from ..delivery.message import check_address, header_text, split_from
from ..delivery.senders import Sender
from ..errors import CuratorError

log = logging.getLogger("curator.accounts")

SUBJECT_LIMIT = 200


@dataclass(frozen=True)
class AccountMessage:
    """One message ready for the transport: envelope addresses, bytes (CRLF) and Message-ID."""

    envelope_from: str
    recipient: str
    data: bytes
    message_id: str


def build_account_mail(*, mail_from: str, to_email: str, subject: str, text: str, date: datetime,
                       on_behalf_of: str | None = None, reply_to: str | None = None) -> AccountMessage:
    """The message from ``mail_from`` (the setting, ``Name <addr>``) to ``to_email`` with headers
    From, To, Subject, Date, Message-ID (random, at the sender's domain) and
    ``Auto-Submitted: auto-generated``, and ``text`` as its plain-text body.

    ``on_behalf_of`` (a person's name, for mail a member has the cluster send) makes the From
    display name "<name> via <name of mail_from>" while the address stays ``mail_from``'s: the
    cluster's domain sends it, so it passes SPF/DKIM/DMARC where the member's own address would
    not. ``reply_to`` adds a Reply-To header, so an answer goes to that person.
    Raises HeaderError (a DeliveryError) if ``mail_from``, ``to_email`` or ``reply_to`` is not a
    plain address."""
    from_name, from_addr = split_from(mail_from)
    to_addr = check_address(to_email, "recipient address")
    if on_behalf_of is not None:
        from_name = header_text(f"{header_text(on_behalf_of, 100)} via {from_name or from_addr.rsplit('@', 1)[1]}", 200)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(display_name=from_name, addr_spec=from_addr)
    msg["To"] = Address(addr_spec=to_addr)
    if reply_to is not None:
        msg["Reply-To"] = Address(addr_spec=check_address(reply_to, "reply-to address"))
    msg["Subject"] = header_text(subject, SUBJECT_LIMIT)
    msg["Date"] = format_datetime(date)
    message_id = make_msgid(domain=from_addr.rsplit("@", 1)[1])
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    return AccountMessage(from_addr, to_addr, msg.as_bytes(policy=SMTP), message_id)


class AccountMail:
    """Sends account mail through one transport, from ``mail_from``, dated by ``clock``.

    The transport is closed after every message and sends are serialised: account mail is rare,
    may come from several web threads at once, and an SMTP connection is neither thread-safe nor
    worth holding open between sign-ins. (Closing an outbox or a recording transport is a no-op;
    an SMTP transport reconnects on its next send.)
    """

    def __init__(self, transport: Sender, *, mail_from: str, clock: Clock) -> None:
        self._transport = transport
        self._mail_from = mail_from
        self._clock = clock
        self._lock = threading.Lock()

    def send(self, to_email: str, subject: str, text: str, *, on_behalf_of: str | None = None,
             reply_to: str | None = None) -> bool:
        """Send one message (``on_behalf_of`` and ``reply_to`` as in :func:`build_account_mail`);
        True if the transport accepted it. A transport failure or refusal is logged and gives
        False (the caller's answer to the person stays the same). Raises HeaderError if the
        sender setting, ``to_email`` or ``reply_to`` is not a plain address."""
        message = build_account_mail(mail_from=self._mail_from, to_email=to_email, subject=subject, text=text,
                                     date=self._clock.now(), on_behalf_of=on_behalf_of, reply_to=reply_to)
        with self._lock:
            try:
                outcome = self._transport.send(message.envelope_from, message.recipient, message.data,
                                               message.message_id)
            except CuratorError as exc:
                log.error("account mail to %s failed: %s", message.recipient, exc)
                return False
            finally:
                self._transport.close()
        if outcome.kind != "sent":
            log.error("account mail to %s not sent: %s %s", message.recipient, outcome.kind, outcome.detail)
        return outcome.kind == "sent"

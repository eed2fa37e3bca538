"""Email delivery: message building with safe headers, SMTP and outbox senders, signed tokens,
and the idempotent per-(issue, member) delivery loop.

Never imports ``curator.storage``: the loop works against the :class:`~curator.delivery.loop.Ledger`
protocol that the storage layer implements.
"""

from .faults import fault_point
from .message import HeaderError, build_message, message_id_for
from .outbox import OutboxSender
from .senders import Outcome, Sender
from .smtp import SmtpSender
from .tokens import TokenSigner

__all__ = ["HeaderError", "OutboxSender", "Outcome", "Sender", "SmtpSender", "TokenSigner", "build_message",
           "fault_point", "message_id_for"]

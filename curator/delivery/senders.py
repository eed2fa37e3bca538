"""The sender interface the delivery loop uses, and the outcome of one hand-over."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

OutcomeKind = Literal["sent", "transient", "permanent", "uncertain"]


@dataclass(frozen=True)
class Outcome:
    """What happened to one message.

    - ``sent``: the server answered 250 after the data: the message is its responsibility now;
    - ``transient``: a 4xx or a connection problem BEFORE the data was complete: not delivered,
      safe to try again later; ``server_down`` says the server could not be reached at all;
    - ``permanent``: a 5xx: this recipient will not get it (bounce reason in ``detail``);
    - ``uncertain``: the connection broke after the data was sent and before the reply
      (RFC 1047): it may or may not have arrived. Never retried automatically.
    """

    kind: OutcomeKind
    detail: str = ""
    server_down: bool = False


class Sender(Protocol):
    def send(self, envelope_from: str, recipient: str, data: bytes, message_id: str) -> Outcome:
        """Hand one message for exactly one envelope recipient to the transport."""
        ...

    def close(self) -> None: ...

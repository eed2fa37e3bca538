"""A sender that writes each message as an .eml file (demo, previews, dry runs)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .senders import Outcome


class OutboxSender:
    """Writes ``<dir>/<name>.eml`` atomically (temporary file + rename): a message file either
    exists completely or not at all, so the outcome is never uncertain. Writing the same
    Message-ID again replaces the file instead of adding a second one."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.dir = Path(directory)

    def path_for(self, message_id: str) -> Path:
        stem = hashlib.sha256(message_id.encode()).hexdigest()[:20]
        return self.dir / f"{stem}.eml"

    def send(self, envelope_from: str, recipient: str, data: bytes, message_id: str) -> Outcome:
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            final = self.path_for(message_id)
            tmp = final.with_suffix(".tmp")
            with open(tmp, "wb") as fh:
                fh.write(f"X-Envelope-From: {envelope_from}\r\nX-Envelope-To: {recipient}\r\n".encode())
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except OSError as exc:
            return Outcome("transient", f"could not write to the outbox folder {self.dir}: {exc}", server_down=True)
        return Outcome("sent", str(final))

    def close(self) -> None:
        pass

"""Signed, purpose-bound tokens for links in emails (itsdangerous).

Tokens carry no timestamp: the same (purpose, payload) always gives the same token, so a
message rebuilt for a retry has byte-identical links and headers (S18), and unsubscribe links
keep working in old emails (they must, by RFC 8058 and Gmail's rules).

Each purpose has its own salt, so a click token never works as an unsubscribe token (RELIABILITY
U06). :meth:`TokenSigner.load` returns None for every kind of bad token (forged, truncated, other
purpose, old key), so callers answer all of them the same way and leak no oracle.
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from ..errors import ConfigError

PURPOSES = ("unsubscribe", "preferences", "click", "view", "open")


class TokenSigner:
    """Signs and reads link tokens with ``secret_key``. A missing or short key is reported (as a
    ConfigError) when a token is first needed, so commands that sign nothing run without one."""

    def __init__(self, secret_key: str) -> None:
        self._key = secret_key
        self._serializers = {p: URLSafeSerializer(secret_key or "-", salt=f"curator-{p}") for p in PURPOSES}

    def check_key(self) -> None:
        """Raise ConfigError unless the secret key is usable."""
        if not self._key or len(self._key) < 16:
            raise ConfigError("setting 'secret_key' must be set to a random text of at least 16 characters "
                              "(it signs unsubscribe and tracking links); e.g. CURATOR_SECRET_KEY=$(openssl rand -hex 32)")

    def dumps(self, purpose: str, payload: dict[str, Any]) -> str:
        self.check_key()
        return str(self._serializers[purpose].dumps(payload))

    def loads(self, purpose: str, token: str) -> dict[str, Any] | None:
        """The payload, or None if the token is not a valid ``purpose`` token."""
        self.check_key()
        serializer = self._serializers.get(purpose)
        if serializer is None or not token or len(token) > 2000:
            return None
        try:
            value = serializer.loads(token)
        except BadData:
            return None
        return value if isinstance(value, dict) else None

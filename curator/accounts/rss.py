"""Private feed tokens: a signed (member id, version) pair. Renewing stores a new version, so
every older token stops working; revoking marks the stored version inactive."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from itsdangerous import BadData, URLSafeSerializer

RSS_SALT = "curator-web-rss"
"""Separates these signatures from every other use of the secret key."""

MAX_RSS_TOKEN_LENGTH = 500


@dataclass(frozen=True)
class RssClaim:
    """What a validly signed private-feed token says: whose feed, and which version of the token."""

    member_id: int
    version: int

    def matches(self, current_version: int | None) -> bool:
        """Whether the token is the member's current one (None: no active token). Compared in
        constant time."""
        return current_version is not None and hmac.compare_digest(str(current_version), str(self.version))


def sign_rss_token(secret: str, member_id: int, version: int) -> str:
    """The URL-safe token for ``member_id``'s feed at ``version``, signed with ``secret``."""
    return str(URLSafeSerializer(secret, salt=RSS_SALT).dumps({"m": member_id, "v": version}))


def read_rss_token(secret: str, token: str) -> RssClaim | None:
    """The claim of a token signed with ``secret``, or None for an empty, overlong, forged or
    malformed one. Whether the version is still current is for the caller (:meth:`RssClaim.matches`)."""
    if not token or len(token) > MAX_RSS_TOKEN_LENGTH:
        return None
    try:
        data = URLSafeSerializer(secret, salt=RSS_SALT).loads(token)
    except BadData:
        return None
    if not isinstance(data, dict):
        return None
    member_id, version = data.get("m"), data.get("v")
    if not isinstance(member_id, int) or not isinstance(version, int):
        return None
    return RssClaim(member_id, version)

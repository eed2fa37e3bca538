"""Accounts as pure functions: passwords, secret tokens, private-feed tokens, the email check and
account mail (sign-in links, items a colleague sent). Testable without a database.

Never imports ``curator.storage``: the feature layer (``curator.features.accounts``) loads and
stores; this package only computes. It builds on ``curator.delivery`` for header-safe text and
the mail transport protocol.

Secrets: sign-in tokens, session ids and API tokens are random values of 32 bytes; the database
holds only their SHA-256 (:func:`hash_secret`). Passwords are hashed with argon2id.
"""

from .emails import check_email
from .limits import (
    LINKS_PER_EMAIL,
    SIGNIN_LINK_MINUTES,
    SIGNIN_PURPOSE,
    THROTTLE_PER_ACCOUNT,
    THROTTLE_PER_CLIENT,
    THROTTLE_WINDOW,
)
from .mail import AccountMail, AccountMessage, build_account_mail
from .passwords import MIN_PASSWORD_LENGTH, check_new_password, hash_password, verify_password
from .rss import MAX_RSS_TOKEN_LENGTH, RSS_SALT, RssClaim, read_rss_token, sign_rss_token
from .texts import colleague_mail, signin_mail
from .tokens import (
    MAX_TOKEN_LENGTH,
    check_secret_key,
    hash_secret,
    new_api_token,
    new_session_id,
    new_signin_token,
    plausible_token,
)

__all__ = [
    "LINKS_PER_EMAIL",
    "MAX_RSS_TOKEN_LENGTH",
    "MAX_TOKEN_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "RSS_SALT",
    "SIGNIN_LINK_MINUTES",
    "SIGNIN_PURPOSE",
    "THROTTLE_PER_ACCOUNT",
    "THROTTLE_PER_CLIENT",
    "THROTTLE_WINDOW",
    "AccountMail",
    "AccountMessage",
    "RssClaim",
    "build_account_mail",
    "check_email",
    "colleague_mail",
    "check_new_password",
    "check_secret_key",
    "hash_password",
    "hash_secret",
    "new_api_token",
    "new_session_id",
    "new_signin_token",
    "plausible_token",
    "read_rss_token",
    "sign_rss_token",
    "signin_mail",
    "verify_password",
]

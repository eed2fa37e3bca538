"""Building one email: multipart/alternative (plain text + HTML) with list headers, a stable
Message-ID, and headers that no content can inject into (RELIABILITY U01, U08, S18).

Every header value that may come from content (names, subjects, club names) goes through
:func:`header_text`, which turns every line break and control character into a space before the
``email`` package folds and encodes it; addresses must be a plain ``local@domain``
(:mod:`curator.email_address`), written with an ASCII domain.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import re
import unicodedata
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

from ..email_address import InvalidEmailAddress, envelope_address
from ..errors import DeliveryError


class HeaderError(DeliveryError):
    """An address cannot be used in an email header (the message says which and why)."""


def header_text(value: str, limit: int = 250) -> str:
    """One line of header-safe text: control characters (CR, LF, NUL, U+2028...) become spaces,
    runs of whitespace collapse, the result is cut to ``limit`` characters, and encoded-word
    openers ``=?`` are broken up (``= ?``) so the email package cannot decode them into line breaks."""
    out = []
    for ch in value or "":
        cat = unicodedata.category(ch)
        out.append(" " if cat in ("Cc", "Cf", "Zl", "Zp") or ch in "\r\n\t\x0b\x0c\x85" else ch)
    text = re.sub(r"\s+", " ", "".join(out)).strip()[:limit]
    # Python's email package DECODES RFC 2047 encoded words in values it is given, so text such
    # as "=?UTF-8?Q?=0A?=Bcc: x" would become a real line break and header (cpython#121650).
    # Breaking the "=?" opener leaves no encoded word to decode.
    return text.replace("=?", "= ?")


def check_address(address: str, what: str = "address") -> str:
    """``address`` in the form to send to (:func:`curator.email_address.envelope_address`: a plain
    ``local@domain`` mailbox, an internationalised domain as its A-label), for the envelope and the
    headers alike. Raises HeaderError, naming ``what`` and the reason, when the address breaks the
    one rule for addresses (the same check as on import, so an imported address can be sent to)."""
    try:
        return envelope_address(address)
    except InvalidEmailAddress as exc:
        raise HeaderError(f"the {what} is not a plain email address (local@domain): {exc}; "
                          "correct it in the member's record") from exc


_URL = re.compile(r"^https?://[\x21-\x7e]{1,1900}$")


def check_url(url: str) -> str:
    """``url`` if it is a plain http(s) URL that can stand raw in a header (printable ASCII, no
    spaces, no angle brackets), else HeaderError."""
    if not _URL.match(url or "") or "<" in url or ">" in url:
        raise HeaderError(f"the link {url[:80]!r} cannot be used in a List-Unsubscribe header; check the "
                          "base_url setting (printable ASCII, http or https)")
    return url


def split_from(mail_from: str) -> tuple[str, str]:
    """(display name, address) of the ``mail_from`` setting, checked."""
    name, addr = parseaddr(mail_from)
    return header_text(name, 100), check_address(addr, "sender address (setting mail_from)")


def message_id_for(issue_id: int, member_id: int, *, secret: str, domain: str) -> str:
    """A unique Message-ID that is the same for every attempt of one (issue, member), so a
    deliberate resend can be recognised as the same message (S18). It reveals no member data."""
    tag = hmac.new(secret.encode(), f"{issue_id}:{member_id}".encode(), hashlib.sha256).hexdigest()[:16]
    return f"<digest.{issue_id}.{tag}@{domain}>"


def build_message(*, mail_from: str, to_name: str, to_email: str, subject: str, text: str, html: str,
                  message_id: str, date: datetime, list_id: str, unsubscribe_url: str,
                  unsubscribe_mailto: str | None = None, lang: str | None = None) -> bytes:
    """The message as bytes with CRLF line ends, ready for SMTP DATA. One To address only."""
    from_name, from_addr = split_from(mail_from)
    to_addr = check_address(to_email, "recipient address")
    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(display_name=from_name, addr_spec=from_addr)
    msg["To"] = Address(display_name=header_text(to_name, 100), addr_spec=to_addr)
    msg["Subject"] = header_text(subject, 250)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg["List-Id"] = header_text(list_id, 200)
    # The list headers are written raw (below): the email package would turn a long URL without
    # spaces into RFC 2047 encoded words, which mail clients do not read as a URL (RFC 2369).
    unsub = f"<{check_url(unsubscribe_url)}>"
    if unsubscribe_mailto:
        unsub += f", <mailto:{check_address(unsubscribe_mailto, 'unsubscribe address')}>"
    msg["Auto-Submitted"] = "auto-generated"
    if lang in ("de", "en"):
        msg["Content-Language"] = lang
    msg["MIME-Version"] = "1.0"
    # Deterministic, and "=_" never occurs in quoted-printable bodies ("=" is encoded as "=3D").
    boundary = "=_curator_" + hashlib.sha256(message_id.encode()).hexdigest()[:24]
    msg["Content-Type"] = f'multipart/alternative; boundary="{boundary}"'
    head = b"".join(SMTP.fold_binary(name, value) for name, value in msg.items())  # folded by the email package
    head += f"List-Unsubscribe: {unsub}\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n".encode("ascii")
    # The body is assembled here: the email package's generator writes a 40 KB digest line by
    # line and cost more than rendering it.
    b = boundary.encode()
    return b"".join([
        head, b"\r\n",
        b"--", b, b"\r\n", _qp_part(text, "plain"),
        b"--", b, b"\r\n", _qp_part(html, "html"),
        b"--", b, b"--\r\n",
    ])


def _qp_part(body: str, subtype: str) -> bytes:
    """A quoted-printable UTF-8 text part with its headers, CRLF line ends, encoded with binascii."""
    raw = body.replace("\r\n", "\n").encode("utf-8")
    encoded = binascii.b2a_qp(raw, quotetabs=False, istext=True, header=False).replace(b"\n", b"\r\n")
    if not encoded.endswith(b"\r\n"):
        encoded += b"\r\n"
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode() + encoded

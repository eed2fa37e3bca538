"""The one rule for email addresses: which ones curator accepts, the form it keeps, the form it sends to.

Every way an address comes in (a member import, an account or a sign-in, a colleague, the
``mail_from`` setting) and every way one goes out (the envelope and the To/From headers of a digest,
an account mail, a colleague mail) goes through this module, so an address that was accepted can
always be sent to.

Rules (email-validator, syntax only, no DNS look-ups):

* a plain ``local@domain`` mailbox of at most 254 characters: no display name, no quoted local part,
  no IP-literal domain; the domain needs a dot and must not be a special-use name (``.test``,
  ``.invalid``, ``.local``, ``.localhost``, ``.onion``, ``.arpa``), since mail to those never arrives;
* an internationalised domain is welcome: it is checked and mapped with UTS 46 / IDNA 2008 (the
  ``idna`` package, as httpx does), so ``jana@bücher.de`` and ``jana@xn--bcher-kva.de`` are one
  address, and ``straße.de`` stays ``straße.de`` (``xn--strae-oqa.de``), never ``strasse.de``;
* a local part (before the ``@``) with non-ASCII characters is refused with a message saying why:
  delivering to it needs SMTPUTF8 on every hop, and curator's SMTP client does not negotiate it.
  Accepting such an address would store a member who can never be sent to.

Forms::

    normalise_email()   the stored form: local part lower-cased (members and accounts are matched
                        case-insensitively), domain in Unicode (NFC, lower-case), as people write it
    envelope_address()  the sending form: the domain as its ASCII A-label, for MAIL FROM, RCPT TO
                        and the From/To headers (the local part is left as given)

Both raise :class:`InvalidEmailAddress` (an :class:`~curator.errors.InvalidInput`) whose message
contains "is not an email address" and the reason.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, ValidatedEmail, validate_email

from curator.errors import InvalidInput

__all__ = ["InvalidEmailAddress", "envelope_address", "normalise_email"]


class InvalidEmailAddress(InvalidInput):
    """An email address broke the rules of this module; the message says which one."""


def _validated(text: str) -> ValidatedEmail:
    address = (text or "").strip()
    shown = repr(address[:80])
    local = address.rpartition("@")[0]
    if local and not local.isascii():
        raise InvalidEmailAddress(
            f"{shown} is not an email address curator can send to: the part before the @ has non-ASCII "
            "characters, which needs SMTPUTF8 on every mail server on the way; ask for an address whose "
            "part before the @ is plain ASCII")
    try:
        return validate_email(address, check_deliverability=False, allow_smtputf8=False,
                              allow_quoted_local=False, allow_domain_literal=False, allow_display_name=False)
    except EmailNotValidError as exc:
        raise InvalidEmailAddress(f"{shown} is not an email address: {exc}") from exc


def normalise_email(text: str) -> str:
    """The form in which curator stores and compares ``text``: trimmed, local part lower-cased,
    domain in Unicode (``Jana@XN--BCHER-KVA.de`` -> ``jana@bücher.de``).

    Raises InvalidEmailAddress when ``text`` breaks the rules of the module docstring."""
    checked = _validated(text)
    return f"{checked.local_part.lower()}@{checked.domain}"


def envelope_address(text: str) -> str:
    """The form to send to: ``text`` with its domain as an ASCII A-label (``jana@bücher.de`` ->
    ``jana@xn--bcher-kva.de``), safe for the SMTP envelope and for headers without SMTPUTF8.

    Raises InvalidEmailAddress when ``text`` breaks the rules of the module docstring."""
    checked = _validated(text)
    return f"{checked.local_part}@{checked.ascii_domain}"

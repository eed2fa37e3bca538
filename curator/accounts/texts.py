"""The words of account mail, in German and English."""

from __future__ import annotations

from .limits import SIGNIN_LINK_MINUTES


def signin_mail(lang: str, url: str, minutes: int = SIGNIN_LINK_MINUTES) -> tuple[str, str]:
    """(subject, plain-text body) of the sign-in link mail in ``lang`` ("de" or "en"; any other
    value gives English)."""
    if lang == "de":
        return ("Ihr Anmeldelink",
                f"Guten Tag,\n\nmit diesem Link melden Sie sich im Mitgliederbereich an "
                f"(gültig {minutes} Minuten, einmal):\n\n{url}\n\nWenn Sie ihn nicht angefordert "
                "haben, ignorieren Sie diese E-Mail.\n")
    return ("Your sign-in link",
            f"Hello,\n\nopen this link to sign in to the member area "
            f"(valid for {minutes} minutes, once):\n\n{url}\n\nIf you did not ask for it, "
            "ignore this email; nobody can sign in without the link.\n")

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


def colleague_mail(lang: str, *, sender_name: str, sender_organisation: str | None, item_title: str, item_url: str,
                   note: str, preferences_url: str) -> tuple[str, str]:
    """(subject, plain-text body) of the mail telling a member that a colleague sent them an item,
    in ``lang`` ("de" or "en"; any other value gives English). The body names the sender (the
    From and Reply-To headers carry them too, see :func:`~curator.accounts.mail.build_account_mail`)
    and says where to turn colleague mail off."""
    who = f"{sender_name} ({sender_organisation})" if sender_organisation else sender_name
    quoted = [("Notiz: " if lang == "de" else "Note: ") + note, ""] if note else []
    if lang == "de":
        return (f"{sender_name} empfiehlt: {item_title}",
                "\n".join([f"{who} schickt Ihnen einen Artikel.", "", item_title, item_url, "", *quoted,
                           "Mit „Antworten“ schreiben Sie direkt an die Absenderin oder den Absender.",
                           f"Keine Empfehlungen von Kolleginnen und Kollegen mehr: {preferences_url}", ""]))
    return (f"{sender_name} recommends: {item_title}",
            "\n".join([f"{who} sent you an article.", "", item_title, item_url, "", *quoted,
                       "Reply to this email to answer them directly.",
                       f"To stop receiving items from colleagues: {preferences_url}", ""]))

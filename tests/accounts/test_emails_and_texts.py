"""The email check and the words of the sign-in mail."""

from __future__ import annotations

import pytest

from curator.accounts import SIGNIN_LINK_MINUTES, check_email, signin_mail
from curator.errors import InvalidInput


@pytest.mark.parametrize(("raw", "clean"), [("  Alice@Example.ORG ", "alice@example.org"),
                                            ("a.b+c@sub.example.de", "a.b+c@sub.example.de")])
def test_emails_are_trimmed_and_lower_cased(raw: str, clean: str) -> None:
    assert check_email(raw) == clean


@pytest.mark.parametrize("bad", ["", "alice", "alice@", "@example.org", "alice@example", "a b@example.org",
                                 "a@b@example.org", "x" * 310 + "@example.org"])
def test_malformed_emails_are_invalid_input(bad: str) -> None:
    with pytest.raises(InvalidInput, match="not an email address"):
        check_email(bad)


def test_signin_mail_in_english_and_german() -> None:
    url = "https://curator.example/auth/link/tok"
    subject, body = signin_mail("en", url)
    assert subject == "Your sign-in link" and url in body and f"valid for {SIGNIN_LINK_MINUTES} minutes" in body
    subject, body = signin_mail("de", url)
    assert subject == "Ihr Anmeldelink" and url in body and f"gültig {SIGNIN_LINK_MINUTES} Minuten" in body


@pytest.mark.parametrize("lang", ["fr", "", "EN"])
def test_other_languages_get_english(lang: str) -> None:
    assert signin_mail(lang, "https://x.example/l")[0] == "Your sign-in link"

"""``curator doctor``: each check says what it found and what to fix; exit 1 when one fails. The
mail check talks to real SMTP servers on loopback (aiosmtpd: STARTTLS with a login, and one that
offers no STARTTLS) and sends nothing."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner, Result

from curator.cli import main
from curator.core import Curator
from tests.delivery.sink import SmtpSink, _free_port

STRONG = "3f9c1e0b7a5d4c2e8f6a1b3c5d7e9f0a2b4c6d8e"


class _Counting:
    def __init__(self) -> None:
        self.messages = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        return "250 OK"


def _auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == b"curator" and data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def starttls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, _Counting]]:
    """A mail server that requires STARTTLS and a login, with a certificate this process trusts
    (SSL_CERT_FILE: what the system's default context loads)."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    handler, port = _Counting(), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_context,
                            require_starttls=True, auth_required=True, auth_require_tls=True, authenticator=_auth)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def _doctor(curator: Curator, tmp_path: Path, *args: str, **env: str) -> Result:
    feeds = tmp_path / "feeds.yaml"
    if not feeds.exists():
        feeds.write_text("sources:\n  - {id: news, title: News, url: 'https://news.example/feed'}\n")
    base = {"CURATOR_DATABASE_URL": curator.settings.database_url, "CURATOR_FEEDS_FILE": str(feeds),
            "CURATOR_SCHEDULE_FILE": curator.settings.schedule_file, "CURATOR_ENCODER": "fake",
            "CURATOR_OUTBOX_DIR": str(tmp_path / "outbox"), "CURATOR_BASE_URL": "https://curator.example.org",
            "CURATOR_SECRET_KEY": STRONG}
    return CliRunner().invoke(main, ["doctor", *args], env={**base, **env}, catch_exceptions=False)


def _checks(result: Result) -> dict[str, dict[str, str]]:
    return {c["name"]: c for c in json.loads(result.output)["checks"]}


def test_a_sound_installation_passes_and_no_mail_is_sent(curator: Curator, tmp_path: Path,
                                                         starttls_server: tuple[int, _Counting]) -> None:
    port, server = starttls_server
    result = _doctor(curator, tmp_path, CURATOR_SMTP_HOST="127.0.0.1", CURATOR_SMTP_PORT=str(port),
                     CURATOR_SMTP_USER="curator", CURATOR_SMTP_PASSWORD="s3cret",
                     CURATOR_POSTAL_ADDRESS="Hamburg@work e.V.\nWexstraße 7\n20355 Hamburg",
                     CURATOR_IMPRINT="Vereinsregister Hamburg VR 12345")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[1] for line in lines[:9]] == ["settings", "database", "migrations", "mail", "feeds",
                                                      "schedule", "secret_key", "base_url", "imprint"]
    assert all(line.startswith("ok") for line in lines[:9]), result.output
    assert f"mail server 127.0.0.1:{port} (starttls, login as curator) answers" in result.output
    assert "1 sources (1 enabled)" in result.output and "s3cret" not in result.output and STRONG not in result.output
    assert lines[-1] == "0 failed, 0 warning(s), 9 ok"
    assert server.messages == 0


def test_each_problem_says_what_to_fix_and_fails_the_run(curator: Curator, tmp_path: Path) -> None:
    (tmp_path / "feeds.yaml").write_text("sources:\n  - {id: News!, title: N, url: 'https://n.example/f'}\n")
    fresh = tmp_path / "fresh.db"  # never migrated
    result = _doctor(curator, tmp_path, "--json", CURATOR_DATABASE_URL=f"sqlite:///{fresh}",
                     CURATOR_SMTP_HOST="127.0.0.1", CURATOR_SMTP_PORT=str(_free_port()),
                     CURATOR_BASE_URL="http://curator.example.org", CURATOR_SECRET_KEY="abababababababababababab")
    assert result.exit_code == 1
    checks = _checks(result)
    assert json.loads(result.output)["ok"] is False
    assert {name: c["status"] for name, c in checks.items()} == {
        "settings": "ok", "database": "ok", "migrations": "fail", "mail": "fail", "feeds": "fail", "schedule": "ok",
        "secret_key": "fail", "base_url": "fail", "imprint": "warn"}
    assert "schema at revision none" in checks["migrations"]["detail"] and "curator init" in checks["migrations"]["fix"]
    assert "Connection refused" in checks["mail"]["detail"] and "CURATOR_SMTP_HOST" in checks["mail"]["fix"]
    assert "field 'id'" in checks["feeds"]["detail"]
    assert "24 characters, 2 different" in checks["secret_key"]["detail"]
    assert "openssl rand -hex 32" in checks["secret_key"]["fix"] and "abab" not in result.output
    assert "not https" in checks["base_url"]["detail"] and "TLS proxy" in checks["base_url"]["fix"]


def test_a_server_without_starttls_is_refused_as_a_send_would_be(curator: Curator, tmp_path: Path) -> None:
    with SmtpSink() as sink:
        refused = _doctor(curator, tmp_path, "--json", CURATOR_SMTP_HOST="127.0.0.1", CURATOR_SMTP_PORT=str(sink.port))
        plain = _doctor(curator, tmp_path, "--json", CURATOR_SMTP_HOST="127.0.0.1", CURATOR_SMTP_PORT=str(sink.port),
                        CURATOR_SMTP_SECURITY="none")
    mail = _checks(refused)["mail"]
    assert refused.exit_code == 1 and mail["status"] == "fail"
    assert "does not offer STARTTLS" in mail["detail"] and "smtp_security to tls" in mail["fix"]
    assert plain.exit_code == 0 and _checks(plain)["mail"]["status"] == "ok"
    assert sink.received == []


def test_a_wrong_login_is_named(curator: Curator, tmp_path: Path, starttls_server: tuple[int, _Counting]) -> None:
    port, _ = starttls_server
    result = _doctor(curator, tmp_path, "--json", CURATOR_SMTP_HOST="127.0.0.1", CURATOR_SMTP_PORT=str(port),
                     CURATOR_SMTP_USER="curator", CURATOR_SMTP_PASSWORD="wrong-password")
    mail = _checks(result)["mail"]
    assert result.exit_code == 1 and "SMTPAuthenticationError" in mail["detail"]
    assert "smtp_user and smtp_password" in mail["fix"] and "wrong-password" not in result.output


def test_locally_a_missing_mail_server_and_secret_are_warnings(curator: Curator, tmp_path: Path) -> None:
    result = _doctor(curator, tmp_path, "--json", CURATOR_BASE_URL="http://127.0.0.1:8000", CURATOR_SECRET_KEY="")
    checks = _checks(result)
    assert result.exit_code == 0, result.output
    assert (checks["mail"]["status"], checks["secret_key"]["status"], checks["base_url"]["status"]) == \
        ("ok", "warn", "ok")
    production = _checks(_doctor(curator, tmp_path, "--json", CURATOR_SECRET_KEY=""))
    assert (production["mail"]["status"], production["secret_key"]["status"]) == ("warn", "fail")


def test_a_missing_imprint_or_postal_address_warns_in_production_only(curator: Curator, tmp_path: Path) -> None:
    production = _checks(_doctor(curator, tmp_path, "--json", CURATOR_IMPRINT="Vereinsregister Hamburg VR 1"))
    assert production["imprint"]["status"] == "warn"
    assert "postal_address not set" in production["imprint"]["detail"]
    assert "CURATOR_POSTAL_ADDRESS" in production["imprint"]["fix"]
    neither = _checks(_doctor(curator, tmp_path, "--json"))["imprint"]
    assert neither["status"] == "warn" and "postal_address and imprint not set" in neither["detail"]
    local = _checks(_doctor(curator, tmp_path, "--json", CURATOR_BASE_URL="http://127.0.0.1:8000"))
    assert local["imprint"]["status"] == "ok" and "needed before mailing members" in local["imprint"]["detail"]


def test_bad_settings_stop_the_doctor_with_the_setting_named(curator: Curator, tmp_path: Path) -> None:
    result = _doctor(curator, tmp_path, CURATOR_SMTP_PORT="submission")
    assert result.exit_code == 1
    assert result.output.startswith("FAIL  settings  environment variable CURATOR_SMTP_PORT: setting 'smtp_port'")
    assert "nothing else was checked" in result.output

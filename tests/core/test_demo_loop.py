"""The demo shows the loop: started the way the demo prints, `curator serve` answers the links in
the demo's emails (signed with the key the demo keeps in its settings file, pointing at the port
it was told), a click is recorded for the member, and the printed accounts sign in."""

from __future__ import annotations

import email
import http.cookiejar
import json
import re
import shlex
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from email import policy
from pathlib import Path

import pytest

from curator.demo.run import run_demo

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _wait_until_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):  # readiness, not a time limit: gives up only if the server never comes up
        if proc.poll() is not None:
            raise AssertionError(f"curator serve exited: {proc.stdout.read().decode() if proc.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("curator serve never listened")


def _report(config: str, exe: str, issue: int) -> dict:  # type: ignore[type-arg]
    out = subprocess.run([exe, "--config", config, "digest", "report", str(issue), "--json"], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, str]:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("demo-loop")
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CURATOR_ENCODER", "fake")  # the real model runs in test_demo.py
        mp.delenv("CURATOR_SECRET_KEY", raising=False)
        figures = run_demo(str(out), echo=lines.append, port=_free_port())
    return out, figures, "\n".join(lines)


def test_the_demo_digest_has_articles_personal_picks_and_member_posts(demo_run) -> None:  # type: ignore[no-untyped-def]
    _, figures, output = demo_run
    sections = figures["digest_sections"]
    assert sections.get("editor_picks", 0) >= 1 and sections.get("personal", 0) >= 1 and sections.get("posts", 0) >= 1
    assert figures["digest_failed"] == 0 and figures["digest_sent"] > 41  # everyone's digest and the clubs'
    assert "serve --port" in output and "password" in output


def test_serve_started_as_printed_answers_the_demo_emails_links(demo_run) -> None:  # type: ignore[no-untyped-def]
    out, figures, output = demo_run
    serve = figures["serve_command"]
    assert serve in output
    port = int(serve.rsplit("--port ", 1)[1])
    exe = shlex.split(serve)[0]
    # the member's email, as written to the outbox: a tracked link (she consented)
    reader = figures["digest_reader"]
    mails = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in (out / "outbox").glob("*.eml")]
    mine = [m for m in mails if reader in m["To"] and "<everyone.digest." in m["List-Id"]]
    assert len(mine) == 1
    html = mine[0].get_body(("html",)).get_content()
    links = re.findall(r'href="(http://127\.0\.0\.1:\d+/t/c/[^"]+)"', html)
    assert links and all(link.startswith(f"http://127.0.0.1:{port}/") for link in links)
    before = _report(figures["config"], exe, figures["digest_issue"])

    proc = subprocess.Popen([*shlex.split(serve), "--workers", "1"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(port, proc)
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(urllib.request.Request(links[0].replace("&amp;", "&"), headers={"User-Agent": BROWSER}))
        assert redirect.value.code == 302
        target = redirect.value.headers["Location"]
        assert target.startswith("http") and "/t/c/" not in target
        after = _report(figures["config"], exe, figures["digest_issue"])
        assert (before["clicked"], after["clicked"]) == (0, 1)
        assert after["top_items"][0]["url"] == target or after["top_items"][0]["url"] in target

        # the printed accounts sign in with the printed passwords
        for role, email_addr, password in re.findall(r"^\s+(editor|member)\s+(\S+)\s+password (\S+)", output, re.M):
            jar = http.cookiejar.CookieJar()
            client = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
            page = client.open(f"http://127.0.0.1:{port}/auth/login").read().decode()
            csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            data = urllib.parse.urlencode({"email": email_addr, "password": password, "csrf_token": csrf}).encode()
            with pytest.raises(urllib.error.HTTPError) as signed_in:
                client.open(urllib.request.Request(f"http://127.0.0.1:{port}/auth/password", data=data))
            assert signed_in.value.code == 302, (role, signed_in.value.read())
            home = "/editor/" if role == "editor" else "/"
            assert client.open(f"http://127.0.0.1:{port}{home}").status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=60)

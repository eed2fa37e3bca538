"""The main journeys in headless Chromium against a real server on 127.0.0.1 with a real SMTP
server (aiosmtpd) on loopback: sign in by emailed link, read the feed, rate, send to a colleague,
submit a post; an editor approves the post and the digest, and the digest arrives. Hostile item
HTML cannot run script in the page. Screenshots of the test pages go to the test's temporary
folder, or to $CURATOR_SCREENSHOT_DIR when set (never into docs/: `scripts/screenshots.py`
makes the documentation's screenshots from the demo).

Needs Debian's chromium at /usr/bin/chromium; skipped with a message otherwise.
"""

from __future__ import annotations

import email
import os
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import make_curator
from curator.web import create_app

from .conftest import ALICE, ANNA, CANARY, EDITOR, PASSWORD, SECRET, RecordingSender, build_world

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


class Mailbox:
    """A real SMTP server on loopback that keeps every message."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.lock = threading.Lock()
        box = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                msg = email.message_from_bytes(envelope.content, policy=default_policy)
                with box.lock:
                    box.messages.append((list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for rcpt, m in self.messages if address in rcpt]

    @staticmethod
    def body(msg: email.message.EmailMessage, subtype: str = "plain") -> str:
        part = msg.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else ""  # type: ignore[union-attr]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip("headless Chromium is missing: install it with `apt-get install -y chromium`")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where this test's screenshots go: $CURATOR_SCREENSHOT_DIR if set, else a temporary folder."""
    folder = Path(os.environ["CURATOR_SCREENSHOT_DIR"]) if os.environ.get("CURATOR_SCREENSHOT_DIR") \
        else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def site_settings() -> dict[str, Any]:
    """Settings of the site beyond the defaults below; a test module may override this fixture."""
    return {}


@pytest.fixture
def site(tmp_path: Path, site_settings: dict[str, Any]) -> Iterator[tuple[str, Any, Mailbox]]:
    from werkzeug.serving import make_server

    from tests.conftest import T0

    box = Mailbox()
    box.controller.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'web.db'}", feeds_file=str(tmp_path / "feeds.yaml"),
                        outbox_dir=str(tmp_path / "outbox"), secret_key=SECRET, base_url=base,
                        smtp_host="127.0.0.1", smtp_port=box.port, smtp_security="none",
                        mail_from="DigitalCluster <news@cluster.example>", **{"encoder": "fake", **site_settings})
    cur = make_curator(settings, clock=FixedClock(T0))
    world = build_world(cur, RecordingSender())  # account mail goes through the real SMTP server
    server = make_server("127.0.0.1", port, create_app(cur), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, world, box
    finally:
        server.shutdown()
        thread.join(10)
        box.controller.stop()
        cur.close()


def shot(page: Any, name: str, folder: Path) -> None:
    page.screenshot(path=str(folder / f"web-{name}.png"), full_page=True)


def sign_in_by_link(page: Any, base: str, box: Mailbox, address: str, *, screenshots: Path | None = None) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#link-email", address)
    if screenshots is not None:
        shot(page, "login", screenshots)
    page.click("text=Email me a sign-in link")
    page.wait_for_selector("#link-sent")
    mails = box.to(address)
    for _ in range(100):  # the link is sent after the answer (same response time for every address)
        if mails:
            break
        page.wait_for_timeout(100)
        mails = box.to(address)
    assert mails, f"no sign-in mail reached the SMTP server for {address}"
    link = re.search(r"(http://127\.0\.0\.1:\d+/auth/link/\S+)", Mailbox.body(mails[-1])).group(1)  # type: ignore[union-attr]
    page.goto(link)
    page.click("#confirm-signin")
    page.wait_for_url(f"{base}/")


def sign_in_by_password(page: Any, base: str, address: str) -> None:
    page.goto(f"{base}/auth/login")
    page.click("details summary")
    page.fill("#pw-email", address)
    page.fill("#pw", PASSWORD)
    page.click("details button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_member_and_editor_journeys(browser: Any, site: tuple[str, Any, Mailbox], screenshots: Path) -> None:
    base, world, box = site
    dialogs: list[str] = []
    errors: list[str] = []

    # --- member on a phone
    member_ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = member_ctx.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in_by_link(page, base, box, ALICE, screenshots=screenshots)
    assert page.locator(".why").count() > 0, "the feed shows a 'why you see this' line per item"
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 391).map(e => e.tagName + '.' + e.className).slice(0, 8)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"sideways scrolling on a phone: {wide}"
    shot(page, "feed-phone", screenshots)

    # rate the first item (plain form, no JavaScript involved)
    first = page.locator("li.item").first
    first.locator("select[name=value]").select_option("5")
    first.locator("button[value=rating]").click()
    assert "Thank you" in page.locator(".flash").inner_text()
    assert any(e.kind == "rating" and e.value == 5.0 for e in world.cur.feedback.of_user(world.cur.accounts.user_by_email(ALICE)))

    # send a public item to a colleague, found by name (same organisation suggested first)
    item_id = world.items["pub-0"]
    page.goto(f"{base}/items/{item_id}/send")
    page.fill("#q", "an")
    page.click("#search-button")
    first_option = page.locator("#colleagues label").first
    assert "Anna Amsel" in first_option.inner_text()
    assert "@" not in page.locator("main").inner_text()  # names only, never an address
    first_option.locator("input").check()
    page.fill("#note", "Worth a look for our HR plans")
    page.click("#send-button")
    assert page.locator(".flash").count() == 1
    note = box.to(ANNA)
    assert note and "Worth a look for our HR plans" in Mailbox.body(note[-1])

    # submit a post
    page.goto(f"{base}/posts/new")
    page.fill("#post-title", "Adler IT opens an AI lab for SMEs")
    page.fill("#post-text", "We opened a lab where small companies try out AI on their own data, for free.")
    page.select_option("#post-vis", "members")
    shot(page, "post-new", screenshots)
    page.click("#post-submit")
    assert "waits for an editor" in page.locator(".flash").inner_text()

    # hostile feed HTML: nothing runs
    page.goto(f"{base}/items/{world.items['xss']}")
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"

    # --- editor on a desktop
    ed_ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    ed = ed_ctx.new_page()
    ed.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ed.on("pageerror", lambda e: errors.append(str(e)))
    sign_in_by_password(ed, base, EDITOR)
    ed.goto(f"{base}/editor/posts")
    assert ed.evaluate("typeof window.__pwned") == "undefined"  # the hostile pending post is inert too
    shot(ed, "editor-posts", screenshots)
    post = next(p for p in world.cur.posts.list("pending") if p.title.startswith("Adler IT opens"))
    ed.click(f"#post-{post.id} button.approve")
    assert "Approved" in ed.locator(".flash").inner_text()
    approved = next(p for p in world.cur.posts.list(None) if p.id == post.id)
    assert approved.status == "approved"

    # the digest: draft, pin the new post, write an intro, preview, approve, send
    ed.goto(f"{base}/editor/digests")
    ed.select_option("#segment", "everyone")
    ed.click("text=Draft a digest")
    # found by the search box, added by one click; the club item: only club members may get it
    for query, add in (("Adler IT opens", approved.item_id), ("Club secret", world.items["club"])):
        ed.fill("#cand-q", query)
        ed.click("#cand-search")
        ed.click(f"#cand-{add} button.add")
        assert ed.locator(f"#entry-{add}").count() == 1
    ed.fill("#intro-en", "This week: an AI lab for SMEs from one of our members.")
    ed.click("#save-texts-en")
    shot(ed, "editor-digest", screenshots)
    ed.select_option("#pv-member", ALICE)
    ed.click("#preview button[type=submit]")
    ed.wait_for_load_state("load")
    shot(ed, "editor-preview", screenshots)
    ed.go_back()
    ed.click("#approve-digest")
    assert ed.locator("#issue-state").inner_text() == "approved"
    ed.click("#send-digest")  # "Send now" opens the confirmation step
    ed.check("#confirm-send")
    ed.click("#send-confirmed")
    ed.wait_for_load_state("load")
    digest = [m for m in box.to(ALICE) if m["List-Unsubscribe"]]
    assert digest, "the approved digest reached the SMTP server"
    html = Mailbox.body(digest[-1], "html")
    assert "Adler IT opens an AI lab for SMEs" in html and "AI lab for SMEs from one of our members" in html
    assert CANARY in html  # Alice is in the club
    for rcpt, msg in box.messages:
        if msg["List-Unsubscribe"] and ALICE not in rcpt:
            assert CANARY not in Mailbox.body(msg, "html") and CANARY not in Mailbox.body(msg, "plain"), rcpt
    ed.goto(f"{base}/editor/trends")
    shot(ed, "editor-trends", screenshots)
    ed.goto(f"{base}/editor/")
    shot(ed, "editor-dashboard", screenshots)
    page.goto(f"{base}/")
    shot(page, "feed-after", screenshots)
    assert dialogs == [] and errors == []
    member_ctx.close()
    ed_ctx.close()

"""The digest email in headless Chromium, its links clicked against the running app: the email
as received from a real SMTP server (aiosmtpd), at phone (375 px) and desktop width; "view in
browser", the archive, the preference and unsubscribe pages and an article link. Screenshots go
to the test's temporary folder, or to $CURATOR_SCREENSHOT_DIR when set.

Needs Debian's chromium at /usr/bin/chromium; skipped with a message otherwise."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from curator.delivery import SmtpSender

from .conftest import ALICE, BOB, CANARY, EDITOR
from .test_browser import Mailbox, browser, screenshots, shot, sign_in_by_link, site  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

ADDRESS = "Hamburg@work e.V.\nWexstraße 7\n20355 Hamburg"


@pytest.fixture
def site_settings() -> dict[str, Any]:
    return {"cluster_name": "DigitalCluster.Hamburg", "brand_color": "#0b4f8a", "postal_address": ADDRESS,
            "imprint": "Vereinsregister Hamburg VR 12345\nVorstand: Erika Muster"}


def send(world: Any, box: Mailbox, segment: str, pins: list[int]) -> int:
    digests = world.cur.digests
    issue = digests.draft(segment, editor=EDITOR, pins=pins)
    digests.approve(issue.id, editor=EDITOR)
    report = digests.send(issue.id, sender=SmtpSender("127.0.0.1", box.port, security="none"))
    assert report.sent >= 1, report
    return int(issue.id)


def open_email(chromium: Any, html: str, folder: Path, name: str, width: int, base: str) -> Any:
    """The email as a file in a page of ``width`` pixels; its links may reach the app at ``base``
    and a stand-in for the article sites, nothing else."""
    path = folder / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    page = chromium.new_page(viewport={"width": width, "height": 900})
    # the route registered last is asked first
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", base))
               else route.abort())
    page.route("https://news.example/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body=f"<h1>article {route.request.url}</h1>"))
    page.goto(path.as_uri())
    return page


def test_the_email_reads_well_and_its_links_work_against_the_app(browser: Any, site: Any, screenshots: Path,  # noqa: F811
                                                                 tmp_path: Path) -> None:
    base, world, box = site
    everyone = send(world, box, "everyone", [world.items["pub-0"], world.items["club"], world.items["pub-1"]])
    club = send(world, box, "club:it-executive", [world.items["club"]])
    bob_mail = box.to(BOB)[-1]
    bob_html = Mailbox.body(bob_mail, "html")
    assert CANARY not in bob_html

    for width in (375, 1024):
        page = open_email(browser, bob_html, tmp_path, "bob", width, base)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "sideways scrolling"
        for locator in (page.locator("text=DigitalCluster.Hamburg").first, page.locator("text=20355 Hamburg"),
                        page.locator("text=Impressum").or_(page.locator("text=Imprint")).first):
            box_ = locator.bounding_box()
            assert box_ is not None and box_["x"] >= 0 and box_["x"] + box_["width"] <= width + 1
        assert page.locator("text=Digest · All members").is_visible()
        assert page.locator("text=Why you see this:").count() >= 1
        shot(page, f"email-{width}px", screenshots)
        page.close()

    # "view in browser" from the email: Bob's copy, no sign-in needed
    page = open_email(browser, bob_html, tmp_path, "bob", 375, base)
    titles = page.locator(".item-title a").all_inner_texts()
    page.locator("a", has_text="View in your browser").first.click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/digests/{everyone}/en\?k="))
    assert page.locator(".item-title a").all_inner_texts() == titles
    assert CANARY not in page.content() and page.locator("text=View in your browser").count() == 0
    shot(page, "email-web-copy-375px", screenshots)
    # an article link in the web copy goes to the article
    page.locator(".item-title a").first.click()
    page.wait_for_url(re.compile(r"https://news\.example/"))
    # "all issues" asks a visitor to sign in
    page.go_back()
    page.locator("a", has_text="All issues").first.click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/auth/login"))
    page.close()

    # the preference and unsubscribe links of the email open their pages (and change nothing)
    page = open_email(browser, bob_html, tmp_path, "bob", 800, base)
    page.locator("a", has_text="Email preferences").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/preferences/"))
    assert page.locator("h1").inner_text() == "Email preferences" and "subscribed" in page.content()
    page.go_back()
    page.locator("a", has_text="Unsubscribe").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/u/"))
    assert page.locator("button", has_text="Unsubscribe").is_visible()
    assert not world.cur.digests.is_unsubscribed(world.cur.members.get(BOB))
    page.close()

    # signed in, Bob's archive lists the issue for everyone and not the club's
    ctx = browser.new_context(viewport={"width": 375, "height": 800})
    page = ctx.new_page()
    sign_in_by_link(page, base, box, BOB)
    page.goto(f"{base}/digests/archive")
    assert page.locator(f"a[href='/digests/{everyone}/en']").count() == 1
    assert page.locator(f"a[href='/digests/{club}/en']").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "archive-375px", screenshots)
    page.locator(f"a[href='/digests/{everyone}/en']").click()
    assert page.locator(".item-title a").all_inner_texts() == titles
    assert page.goto(f"{base}/digests/{club}/en").status == 404
    ctx.close()

    # Alice's club email opens with the club's item, through her link
    alice_html = next(Mailbox.body(m, "html") for m in box.to(ALICE) if f"/digests/{club}/" in Mailbox.body(m, "html"))
    page = open_email(browser, alice_html, tmp_path, "alice", 1024, base)
    assert page.locator("text=Digest · IT Executive Club").is_visible()
    page.locator("a", has_text="View in your browser").first.click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/digests/{club}/en\?k="))
    assert CANARY in page.content()
    page.close()

"""The editor's digest workbench in headless Chromium with JavaScript switched off, against a real
server on 127.0.0.1 and a real SMTP server (aiosmtpd) on loopback: open the draft, search a
candidate and add it, reorder (the page comes back at the moved entry), edit the German
preheader, send a test to oneself, approve, confirm and send. Screenshots go to the test's
temporary folder, or to $CURATOR_SCREENSHOT_DIR when set.

Needs Debian's chromium at /usr/bin/chromium; skipped with a message otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import ANNA, EDITOR
from .test_browser import (  # noqa: F401 - browser, screenshots, site, site_settings are fixtures
    Mailbox,
    browser,
    screenshots,
    shot,
    sign_in_by_password,
    site,
    site_settings,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def _wait_for_mail(page: Any, box: Mailbox, address: str, count: int) -> list[Any]:
    for _ in range(100):
        if len(box.to(address)) >= count:
            break
        page.wait_for_timeout(100)
    return box.to(address)


def test_editor_builds_tests_and_sends_a_digest_without_javascript(
        browser: Any, site: tuple[str, Any, Mailbox], screenshots: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    base, world, box = site
    cur = world.cur
    issue = cur.digests.draft("everyone", editor=EDITOR)
    ctx = browser.new_context(viewport={"width": 1200, "height": 800}, java_script_enabled=False)
    ed = ctx.new_page()
    sign_in_by_password(ed, base, EDITOR)

    # the draft, with candidates ranked for the segment
    ed.goto(f"{base}/editor/digests/{issue.id}")
    assert ed.locator("li.candidate").count() > 0
    shot(ed, "workbench-draft", screenshots)

    # search a candidate and add it with one click
    target = world.items["pub-5"]
    title = cur.items.get(target).title
    ed.fill("#cand-q", title)
    ed.click("#cand-search")
    assert "#candidates" in ed.url and "q=" in ed.url
    shot(ed, "workbench-search", screenshots)
    ed.click(f"#cand-{target} button.add")
    assert ed.url.endswith(f"#entry-{target}")
    entries = ed.locator("ol.entries > li")
    assert entries.last.get_attribute("id") == f"entry-{target}"
    expect(ed.locator(f"#entry-{target}")).to_be_in_viewport()

    # reorder: up one place, then to the top; the page comes back at the moved entry each time
    count = entries.count()
    assert count >= 2
    ed.locator(f"#entry-{target} button[value=up]").click()
    assert ed.url.endswith(f"#entry-{target}")
    assert ed.locator("ol.entries > li").nth(count - 2).get_attribute("id") == f"entry-{target}"
    expect(ed.locator(f"#entry-{target}")).to_be_in_viewport()
    ed.fill(f"#pos-{target}", "1")
    ed.locator(f"#entry-{target} button[value=move]").click()
    assert ed.url.endswith(f"#entry-{target}")
    assert ed.locator("ol.entries > li").first.get_attribute("id") == f"entry-{target}"
    expect(ed.locator(f"#entry-{target}")).to_be_in_viewport()
    shot(ed, "workbench-reordered", screenshots)
    pins = [e.item_id for e in sorted(cur.digests.get(issue.id).entries, key=lambda e: e.position)
            if e.status == "pinned"]
    assert pins[0] == target

    # the German preheader
    ed.fill("#pre-de", "Neu: das KI-Labor für den Mittelstand")
    ed.click("#save-texts-de")
    assert ed.url.endswith("#texts-de")
    assert cur.digests.get(issue.id).texts["de"]["preheader"] == "Neu: das KI-Labor für den Mittelstand"

    # a test send to the editor's own address through the real SMTP server
    ed.select_option("#test-lang", "de")
    ed.click("#send-test")
    assert ed.url.endswith("#test-send")
    tests = _wait_for_mail(ed, box, EDITOR, 1)
    assert tests, "the test copy reached the SMTP server"
    assert tests[-1]["Subject"].startswith("[Test] ")
    assert "Neu: das KI-Labor für den Mittelstand" in Mailbox.body(tests[-1], "html")
    assert title in Mailbox.body(tests[-1], "html")
    assert cur.digests.delivery_counts(issue.id) == {}

    # approve, then "Send now" needs the confirmation step
    ed.click("#approve-digest")
    assert ed.locator("#issue-state").inner_text() == "approved"
    de, en = int(ed.locator("#audience-de").inner_text()), int(ed.locator("#audience-en").inner_text())
    assert de >= 1 and en >= 1
    shot(ed, "workbench-approved", screenshots)
    ed.click("#send-digest")
    assert ed.locator("#confirm-total").inner_text() == str(de + en)
    shot(ed, "workbench-confirm", screenshots)
    ed.check("#confirm-send")
    ed.click("#send-confirmed")
    ed.wait_for_load_state("load")
    assert ed.locator("#issue-state").inner_text() in ("sent", "partially_sent")
    digest = [m for m in _wait_for_mail(ed, box, ANNA, 1) if m["List-Unsubscribe"]]
    assert digest, "the digest reached a German member"
    assert not digest[-1]["Subject"].startswith("[Test]")
    assert "Neu: das KI-Labor für den Mittelstand" in Mailbox.body(digest[-1], "html")
    assert cur.digests.report(issue.id).total.sent == de + en  # the test copy is not counted
    assert ed.locator("#no-actions").count() == 1 and ed.locator("#candidates").count() == 0
    shot(ed, "workbench-sent", screenshots)
    ctx.close()

    # on a phone the workbench fits the screen (a new draft, for the candidates and forms)
    other = cur.digests.draft("club:it-executive", editor=EDITOR)
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    ph = phone.new_page()
    sign_in_by_password(ph, base, EDITOR)
    ph.goto(f"{base}/editor/digests/{other.id}")
    wide = ph.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > 391).map(e => e.tagName + '#' + e.id).slice(0, 8)""")
    assert ph.evaluate("document.documentElement.scrollWidth") <= 390, f"sideways scrolling on a phone: {wide}"
    shot(ph, "workbench-phone", screenshots)
    phone.close()

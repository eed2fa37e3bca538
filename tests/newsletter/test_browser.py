"""The rendered digest in headless Chromium at phone (375 px) and desktop (800 px) widths.

Screenshots go to the test's temporary folder, or to $CURATOR_SCREENSHOT_DIR when set (the
documentation's come from the demo: `scripts/screenshots.py`). Needs Debian's chromium at
/usr/bin/chromium (`apt-get install -y chromium`); the test is skipped with a message otherwise.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from curator.core import Curator

from .world import World

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip("headless Chromium is missing: install it with `apt-get install -y chromium`")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("width", [375, 800])
def test_digest_renders_readably_at_phone_and_desktop_width(browser, cur: Curator, world: World,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path, width: int) -> None:
    member = world.members["alice@example.org"]
    issue = cur.digests.draft("everyone")
    cur.digests.edit(issue.id, lang="en", intro="This week: AI in SMEs, new work, and the funding calls you asked about.")
    rendered = cur.digests.render_for(cur.digests.get(issue.id), member)
    page_file = tmp_path / "digest.html"
    page_file.write_text(rendered.html, encoding="utf-8")
    expected = [i.title for s in cur.digests.view(cur.digests.get(issue.id), member).sections for i in s.items]

    page = browser.new_page(viewport={"width": width, "height": 900})
    blocked: list[str] = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
               else (blocked.append(route.request.url), route.abort()))
    page.goto(page_file.as_uri())
    # nothing is wider than the screen: no sideways scrolling on a phone
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page is {scroll_width}px wide in a {width}px viewport"
    titles = page.locator(".item-title a")
    assert titles.all_inner_texts() == expected
    for n in range(titles.count()):
        box = titles.nth(n).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1
        size = float(titles.nth(n).evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert size >= 16
    buttons = page.locator("a", has_text="Read")
    assert buttons.count() == len(expected) and buttons.first.is_visible()
    assert page.locator("a", has_text="Unsubscribe").is_visible()
    # the email loads nothing from the network but the signed open pixel of a member with
    # tracking consent (issue 12); without consent there is none (tests/newsletter/test_engagement.py)
    pixel = cur.digests.view(cur.digests.get(issue.id), member).open_pixel_url
    assert member.tracking_consent and pixel.startswith("https://curator.example/t/o/")
    assert blocked == [pixel]
    screenshots = Path(os.environ.get("CURATOR_SCREENSHOT_DIR") or tmp_path / "screenshots")
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / f"digest-{width}px.png"), full_page=True)
    page.close()

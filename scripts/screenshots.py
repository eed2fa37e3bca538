"""Regenerate the documentation screenshots (docs/screenshots/web-*.png, digest-*.png) from the demo.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--demo-dir DIR]

Runs ``curator demo`` into a temporary folder (bundled content, the configured encoder, about
two to three minutes with e5), serves the web app from that database on 127.0.0.1 in a thread,
signs in as a demo member of the IT Executive Club and as an editor (password accounts created
through the facade, nothing is mailed), and photographs the key pages with headless Chromium
(Debian's /usr/bin/chromium, driven by Playwright; `playwright install` is never needed).

Contract: on success the ``web-*.png`` and ``digest-*.png`` files in ``--out`` are exactly the
ones listed in SHOTS (older files with those prefixes are removed first); any page that answers
an HTTP error, raises a script error or shows an error text stops the run with exit status 1 and
leaves the old screenshots in place. ``--demo-dir`` reuses an existing demo folder instead of
running the demo (quicker when iterating on this script; it adds two accounts and a draft
digest to that database).
"""

from __future__ import annotations

import argparse
import logging
import secrets
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a file from a checkout, without installing

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
MEMBER = "t.wiebe@hafenlogistik-nord.example.com"  # Thorsten Wiebe: German, IT Executive Club, CIO
EDITOR = "editor@cluster.example"
MAX_HEIGHT = 2400  # full-page shots are clipped so the docs stay readable
PHONE = (390, 844)  # viewport width, height in CSS pixels
DESKTOP = (1280, 900)
# text that must never appear on a photographed page (error pages, test data)
BAD_TEXT = ("Internal Server Error", "Traceback", "CANARY", "Not Found")
SHOTS = ("web-login", "web-feed-phone", "web-feed-desktop", "web-item", "web-preferences",
         "web-editor-dashboard", "web-editor-digest", "web-editor-preview", "web-editor-posts",
         "web-editor-sources", "web-editor-trends", "digest-375px", "digest-800px")


class ScreenshotError(Exception):
    """A page could not be photographed as it should look (what, where, what to do)."""


def run_demo_into(directory: Path) -> None:
    """``curator demo`` into ``directory``; its progress goes to stderr."""
    from curator.demo.run import run_demo

    run_demo(str(directory), echo=lambda line: print(line, file=sys.stderr))


@contextmanager
def serve_demo(demo_dir: Path, work: Path) -> Iterator[Site]:
    """Serve the demo database on a free 127.0.0.1 port while the block runs.

    Before serving: a password account for MEMBER and EDITOR, and a draft digest for the IT
    Executive Club (so the review page shows an issue an editor can still change)."""
    from werkzeug.serving import make_server

    from curator.config import load_settings
    from curator.core import make_curator
    from curator.web import create_app

    with socket.socket() as probe:  # a free port, so base_url is right before the app is built
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    settings = load_settings(
        database_url=f"sqlite:///{demo_dir / 'curator.db'}", feeds_file=str(work / "no-feeds.yaml"),
        outbox_dir=str(work / "outbox"), secret_key=secrets.token_hex(32), base_url=base,
    )
    password = secrets.token_urlsafe(16)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would bury the progress
    cur = make_curator(settings)
    server = make_server("127.0.0.1", port, create_app(cur), threaded=True)
    try:
        cur.create_web_user(MEMBER, role="member", password=password)
        cur.create_web_user(EDITOR, role="editor", password=password)
        draft = cur.draft_digest("club:it-executive", editor=EDITOR)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Site(base, password, draft.id)
        finally:
            server.shutdown()
            thread.join(10)
    finally:
        server.server_close()
        cur.close()


@dataclass(frozen=True)
class Site:
    """The running demo site: its address, the password of both accounts, the draft digest."""

    base: str
    password: str
    draft_id: int


class Camera:
    """Takes the screenshots and fails loudly on anything that looks like an error."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.errors: list[str] = []
        self.taken: list[str] = []

    def watch(self, page: Any) -> Any:
        page.on("pageerror", lambda e: self.errors.append(f"script error on {page.url}: {e}"))
        page.on("dialog", lambda d: self._dialog(page, d))
        return page

    def _dialog(self, page: Any, dialog: Any) -> None:
        self.errors.append(f"dialog on {page.url}: {dialog.message}")  # the pages ship no script at all
        dialog.dismiss()

    def goto(self, page: Any, url: str) -> None:
        response = page.goto(url)
        page.wait_for_load_state("load")
        if response is None or response.status >= 400:
            status = "no answer" if response is None else f"HTTP {response.status}"
            raise ScreenshotError(f"{url} answered {status}; check the server log above")

    def shot(self, page: Any, name: str) -> None:
        text = page.locator("body").inner_text()
        for bad in BAD_TEXT:
            if bad in text:
                raise ScreenshotError(f"{page.url} shows {bad!r}; fix the page before photographing it")
        if self.errors:
            raise ScreenshotError("; ".join(self.errors))
        width = page.viewport_size["width"]
        height = min(int(page.evaluate("document.documentElement.scrollHeight")), MAX_HEIGHT)
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
        self.taken.append(name)
        print(f"   {path.name}: {page.url} ({width}x{height})", file=sys.stderr)


def sign_in(cam: Camera, page: Any, base: str, email: str, password: str) -> None:
    """The password form of the login page (behind the "or with a password" summary)."""
    cam.goto(page, f"{base}/auth/login")
    page.click("details summary")
    page.fill("#pw-email", email)
    page.fill("#pw", password)
    page.click("details button[type=submit]")
    page.wait_for_url(f"{base}/")


def photograph(site: Site, outbox: Path, out: Path) -> list[str]:
    """Every screenshot of SHOTS into ``out`` (a fresh folder); returns the names taken."""
    from playwright.sync_api import ViewportSize, sync_playwright

    def viewport(size: tuple[int, int]) -> ViewportSize:
        return {"width": size[0], "height": size[1]}

    cam = Camera(out)
    base, password, draft_id = site.base, site.password, site.draft_id
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            # --- the member (German), on a phone and on a desktop
            phone = cam.watch(browser.new_context(viewport=viewport(PHONE)).new_page())
            cam.goto(phone, f"{base}/auth/login")
            cam.shot(phone, "web-login")
            sign_in(cam, phone, base, MEMBER, password)
            if phone.locator("li.item").count() == 0:
                raise ScreenshotError(f"the feed of {MEMBER} is empty; did the demo's tagging stage run?")
            cam.shot(phone, "web-feed-phone")
            desk_ctx = browser.new_context(viewport=viewport(DESKTOP))
            desk_ctx.add_cookies(phone.context.cookies())  # the same signed-in member
            desk = cam.watch(desk_ctx.new_page())
            cam.goto(desk, f"{base}/")
            cam.shot(desk, "web-feed-desktop")
            href = desk.locator("li.item a[href^='/items/']").first.get_attribute("href")
            cam.goto(desk, f"{base}{href}")
            cam.shot(desk, "web-item")
            cam.goto(desk, f"{base}/me/preferences")
            cam.shot(desk, "web-preferences")

            # --- the editor (English console), on a desktop
            ed = cam.watch(browser.new_context(viewport=viewport(DESKTOP)).new_page())
            sign_in(cam, ed, base, EDITOR, password)
            cam.goto(ed, f"{base}/editor/")
            cam.shot(ed, "web-editor-dashboard")
            cam.goto(ed, f"{base}/editor/digests/{draft_id}")
            cam.shot(ed, "web-editor-digest")
            cam.goto(ed, f"{base}/editor/digests/{draft_id}/preview?member={MEMBER}")
            ed.frame_locator("iframe.preview").locator("body").wait_for()
            cam.shot(ed, "web-editor-preview")
            cam.goto(ed, f"{base}/editor/posts")
            cam.shot(ed, "web-editor-posts")
            cam.goto(ed, f"{base}/editor/sources")
            cam.shot(ed, "web-editor-sources")
            cam.goto(ed, f"{base}/editor/trends")
            cam.shot(ed, "web-editor-trends")

            # --- the digest email the demo wrote, as a mail client shows it (nothing from the network)
            preview = outbox / "preview.html"
            if not preview.exists():
                raise ScreenshotError(f"{preview} is missing; the demo's newsletter stage did not run")
            for width in (375, 800):
                mail = cam.watch(browser.new_page(viewport=viewport((width, 900))))
                mail.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                           else route.abort())
                cam.goto(mail, preview.as_uri())
                cam.shot(mail, f"digest-{width}px")
                mail.close()
        finally:
            browser.close()
    return cam.taken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots",
                        help="folder for the PNG files (default: docs/screenshots)")
    parser.add_argument("--demo-dir", type=Path, help="reuse this demo folder instead of running the demo")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`", file=sys.stderr)
        return 1
    out: Path = args.out.resolve()
    with tempfile.TemporaryDirectory(prefix="curator-screenshots-") as tmp:
        work = Path(tmp)
        demo_dir = args.demo_dir.resolve() if args.demo_dir else work / "demo"
        if args.demo_dir is None:
            print(f"Running the demo into {demo_dir} ...", file=sys.stderr)
            run_demo_into(demo_dir)
        staging = work / "shots"  # photograph everything first, so a failure leaves the docs as they were
        staging.mkdir()
        print("\nScreenshots:", file=sys.stderr)
        try:
            with serve_demo(demo_dir, work) as site:
                taken = photograph(site, demo_dir / "outbox", staging)
        except ScreenshotError as exc:
            print(f"screenshots: {exc}", file=sys.stderr)
            return 1
        out.mkdir(parents=True, exist_ok=True)
        for old in [*out.glob("web-*.png"), *out.glob("digest-*.png")]:
            old.unlink()
        for name in taken:
            shutil.copyfile(staging / f"{name}.png", out / f"{name}.png")
    print(f"\n{len(taken)} screenshots written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

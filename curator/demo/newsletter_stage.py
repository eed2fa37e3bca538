"""Demo stage for newsletters: draft this week's digest for everyone, approve it as the demo
editor, and "send" it to .eml files in the outbox folder (no mail server needed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

DEMO_EDITOR = "editor@cluster.example"


def run_newsletter_stage(cur: Any, echo: Callable[[str], None], figures: dict[str, Any]) -> None:
    """Draft -> approve -> send to ``settings.outbox_dir``; records figures under ``digest_*``."""
    from ..delivery import OutboxSender

    members = cur.members.list()
    if not members:
        echo("\nNewsletter: no members imported, so no digest to send (skipped).")
        return
    issue = cur.digests.draft("everyone", editor="curator")
    issue = cur.digests.approve(issue.id, editor=DEMO_EDITOR)
    outbox = Path(cur.settings.outbox_dir).resolve()
    report = cur.digests.send(issue.id, sender=OutboxSender(outbox))
    files = sorted(outbox.glob("*.eml"))
    first = next((m for m in members if m.status == "member"), members[0])
    preview = outbox / "preview.html"
    preview.write_text(cur.digests.render_for(cur.digests.get(issue.id), first).html, encoding="utf-8")
    echo(f"\nNewsletter: digest issue {issue.id} ({issue.period}) approved by {DEMO_EDITOR}; "
         f"{report.sent} sent, {report.skipped} skipped (nothing they may read), {report.failed} failed "
         f"-> {report.state.replace('_', ' ')}")
    echo(f"   {len(files)} emails written as .eml files to {outbox}")
    echo(f"   open {preview} in a browser to see {first.name}'s digest")
    figures.update(digest_issue=issue.id, digest_sent=report.sent, digest_skipped=report.skipped,
                   digest_failed=report.failed, digest_outbox=str(outbox), digest_eml_files=len(files))

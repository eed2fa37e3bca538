"""Demo stage for newsletters: draft this week's digests as the worker does (everyone and each
club), approve them as the demo editor, and "send" them to .eml files in the outbox folder (no
mail server needed); then make the accounts to look at the result in the web app."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..i18n import translate

DEMO_EDITOR = "editor@cluster.example"


def run_newsletter_stage(cur: Any, echo: Callable[[str], None], figures: dict[str, Any]) -> None:
    """Draft -> approve -> send to ``settings.outbox_dir``; records figures under ``digest_*``
    (``digest_issue`` is everyone's issue, ``digest_sections`` what the previewed member's copy
    holds per section)."""
    from ..delivery import OutboxSender

    members = cur.members.list()
    if not members:
        echo("\nNewsletter: no members imported, so no digest to send (skipped).")
        return
    outbox = Path(cur.settings.outbox_dir).resolve()
    issues = cur.digests.draft_weekly(editor="curator")  # everyone first, then each club
    echo(f"\nNewsletter: {len(issues)} digests drafted as the worker does on Mondays, approved by {DEMO_EDITOR} "
         "and sent:")
    everyone = issues[0]
    reader = next((m for m in members if m.status == "member" and m.tracking_consent), members[0])
    # the reader's copy as the send will make it (before the club digests count as shown)
    preview = outbox / "preview.html"
    outbox.mkdir(parents=True, exist_ok=True)
    preview.write_text(cur.digests.render_for(everyone, reader).html, encoding="utf-8")
    sections = {s.key: len(s.items) for s in cur.digests.view(everyone, reader).sections}
    totals: Counter[str] = Counter()
    for issue in issues:
        for w in cur.digests.warnings(issue):
            echo("   ! " + translate(f"draft_{w.key}", "en").format(count=w.count, minimum=w.minimum, days=w.days))
        issue = cur.digests.approve(issue.id, editor=DEMO_EDITOR)
        report = cur.digests.send(issue.id, sender=OutboxSender(outbox))
        totals.update(sent=report.sent, skipped=report.skipped, failed=report.failed)
        echo(f"   #{issue.id} {cur.digests.segment_name(issue.segment):22} \"{issue.texts['en']['subject']}\": "
             f"{report.sent} sent, {report.skipped} skipped, {report.failed} failed "
             f"-> {report.state.replace('_', ' ')}")
    files = sorted(outbox.glob("*.eml"))
    echo(f"   {len(files)} emails written as .eml files to {outbox}")
    echo(f"   open {preview} in a browser to see {reader.name}'s digest: "
         + ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in sections.items()))
    figures.update(digest_issue=everyone.id, digest_issues=[i.id for i in issues], digest_sent=totals["sent"],
                   digest_skipped=totals["skipped"], digest_failed=totals["failed"], digest_outbox=str(outbox),
                   digest_eml_files=len(files), digest_reader=reader.email, digest_sections=sections)


def demo_accounts(cur: Any, out: Path, figures: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Web accounts to look around with: the demo editor, and the member whose digest the demo
    previews (``figures["digest_reader"]``), each with a new random password, written to
    ``out/sign-in.txt`` (owner-readable only). {role: (email, password)}."""
    accounts = {"editor": DEMO_EDITOR}
    if figures.get("digest_reader"):
        accounts["member"] = figures["digest_reader"]
    out_accounts = {}
    for role, email in accounts.items():
        password = secrets.token_urlsafe(12)
        cur.accounts.create(email, role=role, password=password)
        out_accounts[role] = (email, password)
    path = out / "sign-in.txt"
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text("".join(f"{role}: {email} {password}\n" for role, (email, password) in out_accounts.items()),
                    encoding="utf-8")
    return out_accounts

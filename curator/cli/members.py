"""Members and what they read (``curator.members``, ``.personas``, ``.feedback``, ``.feeds``):
``curator import-members``, ``clubs``, ``personas``, ``import-feedback``, ``recommend`` and
``curator eval ranking``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import CliState, echo_json, pass_state, shorten, table, when


@click.command("import-members")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), help="Default: from the file extension.")
@click.option("--grant-clubs-as", "editor", metavar="EDITOR",
              help="Grant the clubs listed in the export, recorded as granted by EDITOR. Without it the "
                   "clubs column is reported, not applied: club membership is an editor's decision.")
@pass_state
def import_members(state: CliState, file: str, fmt: str | None, editor: str | None) -> None:
    """Import or update members from a CRM export (CSV or JSON).

    Columns: email,name,organisation,language,clubs,areas,interests,persona,tracking_consent
    (clubs and areas separated by ';'), optionally membership (member|registered).
    Members are matched by email: re-importing updates them and keeps their feedback.

    \b
    Example:
      curator import-members crm-export.csv --grant-clubs-as editor@cluster.example
    """
    path = Path(file)
    fmt = fmt or ("json" if path.suffix.lower() in (".json", ".jsonl") else "csv")
    res = state.curator().members.import_file(path.read_text(encoding="utf-8"), fmt=fmt, grant_clubs_by=editor)
    click.echo(f"Members: {res.new} new, {res.updated} updated, {res.unchanged} unchanged; "
               f"club memberships granted: {res.clubs_granted}"
               + (f", not granted (no --grant-clubs-as): {res.clubs_not_granted}" if res.clubs_not_granted else ""))
    for _, message in res.errors:
        click.echo(f"  {message}", err=True)
    if res.errors:
        sys.exit(2)


@click.command("import-feedback")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_state
def import_feedback(state: CliState, file: str) -> None:
    """Load feedback history: one JSON object per line,
    {"member": EMAIL, "item": ID-or-key, "kind": KIND, "value"?: 1-5, "at": ISO-time}.

    Kinds: view, click, rating, save, hide, more, less, send, attend. Views and clicks of members
    without tracking consent are dropped. Safe to run twice: nothing is stored twice.

    \b
    Example:
      curator import-feedback history.jsonl
    """
    with open(file, encoding="utf-8") as fh:
        res = state.curator().feedback.import_jsonl(fh)
    click.echo(f"Feedback: {res.stored} stored, {res.duplicates} already stored, "
               f"{res.skipped_no_consent} dropped (no tracking consent)")
    for _, message in res.errors:
        click.echo(f"  {message}", err=True)
    if res.errors:
        sys.exit(2)


@click.group("clubs")
def clubs() -> None:
    """Clubs and their members: membership is granted by an editor, never inferred."""


@clubs.command("list")
@click.option("--members", "show_members", is_flag=True, help="List the members of each club.")
@pass_state
def clubs_list(state: CliState, show_members: bool) -> None:
    """List clubs (and with --members, who was granted by whom).

    \b
    Example:
      curator clubs list --members
    """
    cur = state.curator()
    grants = cur.members.club_memberships() if show_members else []
    for club in cur.members.clubs():
        click.echo(f"{club.id}: {club.name} — {club.admission}")
        for g in grants:
            if g.club_id == club.id:
                click.echo(f"    {g.member_email}  granted by {g.granted_by} on {when(g.granted_at)}")


@clubs.command("create")
@pass_state
def clubs_create(state: CliState) -> None:
    """Create the clubs of the cluster (IT Executive Club, Women's Club, Agile HR Club) if missing.

    \b
    Example:
      curator clubs create
    """
    for club in state.curator().members.ensure_clubs():
        click.echo(f"{club.id}: {club.name}")


@clubs.command("grant")
@click.argument("email")
@click.argument("club_id")
@click.option("--editor", required=True, help="Who grants the membership (recorded).")
@pass_state
def clubs_grant(state: CliState, email: str, club_id: str, editor: str) -> None:
    """Admit a member to a club.

    \b
    Example:
      curator clubs grant c.albrecht@alsterwerk.example.com it-executive --editor community@cluster.example
    """
    g = state.curator().members.grant_club(email, club_id, editor=editor)
    click.echo(f"{g.member_email} is a member of {g.club_id} (granted by {g.granted_by})")


@clubs.command("revoke")
@click.argument("email")
@click.argument("club_id")
@click.option("--editor", required=True, help="Who revokes the membership.")
@pass_state
def clubs_revoke(state: CliState, email: str, club_id: str, editor: str) -> None:
    """Remove a member from a club; its items disappear from their feed at once.

    \b
    Example:
      curator clubs revoke c.albrecht@alsterwerk.example.com it-executive --editor community@cluster.example
    """
    removed = state.curator().members.revoke_club(email, club_id, editor=editor)
    click.echo(f"{email} removed from {club_id}" if removed else f"{email} was not a member of {club_id}")


@click.group("members")
def members() -> None:
    """Members of the cluster: erase a person on request (import them with `curator import-members`)."""


@members.command("erase")
@click.argument("email")
@click.option("--editor", required=True, help="Who erases the person on their request (recorded, anonymously).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def members_erase(state: CliState, email: str, editor: str, yes: bool) -> None:
    """Erase a person on their request (GDPR Art. 17): member record, account, feedback, profile,
    clubs and every address; published posts stay without their name; newsletters stay stopped.

    \b
    Example:
      curator members erase jana@example.org --editor community@cluster.example
    """
    if not yes:
        click.confirm(f"Erase {email} and everything stored about them? This cannot be undone", abort=True)
    state.curator().members.erase_by_email(email, editor=editor)
    click.echo(f"{email} erased: no table holds their address, name or free text any more")


@click.command("recommend")
@click.option("--member", "email", required=True, help="The member's email.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_state
def recommend(state: CliState, email: str, limit: int, as_json: bool) -> None:
    """The member's personalised feed: ranked items with scores and explanations.

    \b
    Example:
      curator recommend --member m.hansen@hafenlogistik-nord.example.com --limit 5
    """
    cur = state.curator()
    recs = cur.feeds.recommend(cur.members.get(email), limit)
    if as_json:
        echo_json([{"item_id": r.item.id, "title": r.item.title, "url": r.item.url, "score": round(r.score, 4),
                    "areas": list(r.item.areas), "explanation": r.explanation, "pinned": r.pinned,
                    "components": {k: round(v, 4) for k, v in r.components.items()}} for r in recs])
        return
    if not recs:
        click.echo("No items to recommend (none visible and unseen in the last month).")
        return
    for n, r in enumerate(recs, start=1):
        click.echo(f"{n:>2}. [{r.score:6.2f}] {shorten(r.item.title, 90)}  (#{r.item.id}; "
                   f"{', '.join(r.item.areas) or 'no area'})")
        click.echo(f"      {r.explanation}")


@click.group("personas")
def personas() -> None:
    """Personas: list them, let curator suggest refinements from behaviour, accept suggestions."""


@personas.command("list")
@pass_state
def personas_list(state: CliState) -> None:
    """List the personas in use (models/personas.yaml plus accepted suggestions).

    \b
    Example:
      curator personas list
    """
    rows = [[p.id, p.names.get("en", ""), ", ".join(p.preferred_areas)] for p in state.curator().personas.all().values()]
    table(rows, ["id", "name", "preferred areas"])


@personas.command("suggest")
@pass_state
def personas_suggest(state: CliState) -> None:
    """Cluster member profiles and propose persona refinements or new personas for an editor.
    Nothing changes until an editor accepts a suggestion.

    \b
    Example:
      curator personas suggest
    """
    suggestions = state.curator().personas.suggest()
    if not suggestions:
        click.echo("No suggestions: too few members with feedback to see patterns.")
        return
    for s in suggestions:
        what = f"refine '{s.persona}'" if s.kind == "refine" else "new persona"
        click.echo(f"#{s.id} {what}: {s.name} ({s.size} members; areas {', '.join(s.preferred_areas) or '-'})")
        for title in s.example_titles[:3]:
            click.echo(f"      e.g. {shorten(title, 90)}")
    click.echo("Accept one with: curator personas accept ID --editor NAME")


@personas.command("accept")
@click.argument("suggestion_id", type=int)
@click.option("--editor", required=True, help="Who accepts the suggestion (recorded).")
@click.option("--as", "persona_id", help="Persona id for a new persona (default: the suggested id).")
@pass_state
def personas_accept(state: CliState, suggestion_id: int, editor: str, persona_id: str | None) -> None:
    """Accept a persona suggestion (a refinement replaces the persona; a new one is added).

    \b
    Example:
      curator personas accept 3 --editor community@cluster.example --as logistics-it
    """
    p = state.curator().personas.accept(suggestion_id, editor=editor, persona_id=persona_id)
    click.echo(f"Persona '{p.id}' ({p.names.get('en')}) accepted.")


@click.command("ranking")
@click.option("--encoder", default="e5", show_default=True, help="Encoder for the articles (e5, minilm, fake).")
@click.option("--members", "n_members", default=300, show_default=True, type=click.IntRange(20, 100_000),
              help="Simulated members.")
@click.option("--revealed", "n_revealed", default=100, show_default=True, type=click.IntRange(1, 100_000),
              help="Simulated members with an undeclared second interest shown by four ratings.")
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False),
              help="Folder with pool.jsonl and tagging-dev.jsonl (default: ../shared/eval).")
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="Where article vectors are cached between runs (default: a folder in the temp dir).")
@click.option("--no-cache", is_flag=True, help="Encode everything again.")
@click.option("--second-encoder", default="auto", show_default=True,
              help="The tagger's second encoder, as the setting second_encoder: auto (the e5 + USE ensemble when "
                   "the use extra is installed, else e5 alone), none, or an encoder (use).")
def eval_ranking(encoder: str, n_members: int, n_revealed: int, seed: int, as_json: bool, data_dir: str | None,
                 cache_dir: str | None, no_cache: bool, second_encoder: str) -> None:
    """Offline evaluation of the ranker on real articles with simulated members, against the
    baselines most recent, most popular, area match only and random (docs/ranking.md): nDCG@10
    and intent-aware nDCG@10, members whose ratings reveal an undeclared interest (share of their
    top 10 from it), and what simulated clicks in email digests add.

    \b
    Example:
      curator eval ranking --members 300 --seed 11 --json
    """
    from ..evaluation.ranking import default_cache_dir, default_data_dir, format_report, run_evaluation

    cache = None if no_cache else (Path(cache_dir) if cache_dir else default_cache_dir())
    report = run_evaluation(Path(data_dir) if data_dir else default_data_dir(), encoder=encoder,
                            n_members=n_members, n_revealed=n_revealed, seed=seed, progress=not as_json,
                            cache_dir=cache, second_encoder=second_encoder)
    if as_json:
        echo_json(report)
    else:
        click.echo(format_report(report))


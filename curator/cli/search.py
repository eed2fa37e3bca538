"""Search (``curator.items.search``): ``curator search QUERY``."""

from __future__ import annotations

import click

from ..types import AREA_IDS
from .common import CliState, echo_json, pass_state, shorten, table


@click.command("search")
@click.argument("query")
@click.option("--area", type=click.Choice(AREA_IDS), help="Only items of this subject area.")
@click.option("--lang", type=click.Choice(["de", "en"]), help="Only items in this language.")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (item_id, title, lang, score, snippet...).")
@pass_state
def search(state: CliState, query: str, area: str | None, lang: str | None, limit: int, as_json: bool) -> None:
    """Search every stored item in German and English: full text fused with semantic search, so
    an English query also finds German articles and the other way round.

    \b
    Example:
      curator search "skills shortage" --lang de --json
    """
    hits = state.curator().items.search(query, everything=True, area=area, lang=lang, limit=limit)
    if as_json:
        echo_json([{"item_id": h.item.id, "title": h.item.title, "lang": h.item.lang, "score": round(h.score, 6),
                    "url": h.item.url, "areas": list(h.item.areas), "snippet": h.snippet} for h in hits])
        return
    table([[str(h.item.id), f"{h.score:.4f}", h.item.lang or "?", ",".join(h.item.areas) or "-",
            shorten(h.item.title, 70)] for h in hits], ["id", "score", "lang", "areas", "title"])

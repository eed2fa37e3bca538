"""Topic trends through the facade: the job computes and stores, the CLI and the console read;
engagement per segment; club items stay out. Real SQLite (and PostgreSQL when configured), a
keyword encoder for the planted topics (the real model: test_model.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import click
import pytest
from click.testing import CliRunner

from curator import jobs
from curator.cli import main
from curator.core import Curator
from curator.types import FeedbackEvent, ItemQuery

from ..conftest import rebuilt
from .planted import FLAT, RISING_BEFORE, RISING_NOW, TopicEncoder, planted_lines


@pytest.fixture
def cur(curator: Curator) -> Iterator[Curator]:
    c = rebuilt(curator, encoder=TopicEncoder())
    c.items.import_jsonl(planted_lines(c.clock.now()))
    yield c
    c.close()


def test_the_job_stores_topics_and_the_planted_rise_is_the_only_trend(cur: Curator) -> None:
    assert cur.trends.latest(30) is None
    summary = jobs.compute_topic_trends(cur, periods=[30])
    assert summary == {"runs": [{"period_days": 30, "topics": 5, "rising": 1, "falling": 0}]}
    stored = cur.trends.latest(30)
    assert stored is not None and stored.id is not None
    rising = [t for t in stored.topics if t.rising]
    assert len(rising) == 1 and stored.topics[0] == rising[0]  # rising topics come first
    top = rising[0]
    assert (top.items, top.previous) == (RISING_NOW, RISING_BEFORE)
    assert {"quantum", "qubits"} & set(top.label_en.lower().split(" · "))
    assert {"quantencomputer", "qubits"} & set(top.label_de.lower().split(" · "))
    assert top.langs == {"de": RISING_NOW // 2 + RISING_BEFORE // 2, "en": RISING_NOW - RISING_NOW // 2 + RISING_BEFORE
                         - RISING_BEFORE // 2}
    flat = [t for t in stored.topics if not t.rising]
    assert len(flat) == 4 and all((t.items, t.previous) == (FLAT, FLAT) and not t.falling for t in flat)
    assert stored.items_current == RISING_NOW + 4 * FLAT and stored.items_previous == RISING_BEFORE + 4 * FLAT
    # the examples are items of the current period, in the topic
    examples = cur.trends.examples(stored)
    assert all(examples[i].published >= stored.current_from and "quant" in examples[i].title.lower()
               for i in top.examples)


def test_engagement_per_segment_from_feedback_and_email_clicks(cur: Curator) -> None:
    from curator.storage import schema as t

    now = cur.clock.now()
    quantum = [i for i in cur.items.list(ItemQuery(limit=500)) if "quant" in i.title.lower()
               and i.published >= now - timedelta(days=30)]
    with cur.storage.write() as conn:
        conn.execute(t.organisations.insert().values(id=1, name="Research GmbH", is_member=True, kind="research",
                                                     created_at=now, updated_at=now))
        for mid, lang, persona in ((1, "de", "cio"), (2, "en", None)):
            conn.execute(t.members.insert().values(id=mid, email=f"m{mid}@x.example", name=f"M{mid}",
                                                   organisation_id=1 if mid == 1 else None, language=lang,
                                                   persona=persona, created_at=now, updated_at=now))
        conn.execute(t.clubs.insert().values(id="it-exec", name="IT Executive Club", name_de="IT Executive Club",
                                             created_at=now))
        conn.execute(t.club_memberships.insert().values(member_id=1, club_id="it-exec", granted_by="ed@x.example",
                                                        granted_at=now))
        conn.execute(t.digest_issues.insert().values(id=1, **_issue_columns(now)))
        conn.execute(t.email_clicks.insert().values(issue_id=1, member_id=2, item_id=quantum[0].id, confidence="high",
                                                    hits=3, first_at=now - timedelta(days=1), last_at=now))
        conn.execute(t.email_clicks.insert().values(issue_id=1, member_id=2, item_id=quantum[1].id, confidence="low",
                                                    reason="scanner-agent", hits=1, first_at=now, last_at=now))
    cur.storage.add_feedback([(FeedbackEvent(member_id=1, item_id=quantum[0].id, kind=kind,  # type: ignore[arg-type]
                                             at=now - timedelta(days=2), value=value), None)
                              for kind, value in (("view", None), ("rating", 5.0), ("hide", None))])
    top = [t for t in cur.trends.compute(30).topics if t.rising][0]
    assert top.engagement["club"] == {"it-exec": {"read": 1, "rate": 1}}
    assert top.engagement["persona"] == {"cio": {"read": 1, "rate": 1}}
    assert top.engagement["organisation"] == {"research": {"read": 1, "rate": 1}}
    assert top.engagement["language"] == {"de": {"read": 1, "rate": 1}, "en": {"click": 1}}  # the scanner's click: no
    assert all(not any(t.engagement[k] for k in t.engagement) for t in cur.trends.latest(30).topics if not t.rising)


def test_club_items_stay_out(curator: Curator) -> None:
    c = rebuilt(curator, encoder=TopicEncoder())
    try:
        c.items.import_jsonl(planted_lines(c.clock.now()), source_id="itec", visibility="club:it-exec")
        report = c.trends.compute(30)
        assert report.topics == () and report.items_current == 0 and report.items_previous == 0
    finally:
        c.close()


def test_cli_reads_the_stored_computation_as_json_table_and_block(cur: Curator) -> None:
    """The worker's computation (made here through the facade, at the test clock's time) is what
    the command prints; it does not compute again."""
    stored = cur.trends.compute(30)
    runner = CliRunner()
    db = ["--database", cur.settings.database_url]
    out = runner.invoke(main, [*db, "trends", "--period", "30d", "--json"])
    assert out.exit_code == 0, out.output
    topics = json.loads(out.output)
    assert len(topics) == 5 and topics[0]["rising"] is True and sum(t["rising"] for t in topics) == 1
    assert {"label", "areas", "items", "change", "rising"} <= set(topics[0])
    assert topics[0]["items"] == RISING_NOW and topics[0]["change"] > 1
    assert [t["label"] for t in topics] == [t.label_en for t in stored.topics]
    assert cur.trends.latest(30).id == stored.id  # read, not computed again
    de = json.loads(runner.invoke(main, [*db, "trends", "--json", "--lang", "de"]).output)
    assert de[0]["label"] == de[0]["label_de"] != de[0]["label_en"]
    table = runner.invoke(main, [*db, "trends"])
    assert table.exit_code == 0 and "rising" in table.output and "30 days" in table.output
    text = runner.invoke(main, [*db, "trends", "--lang", "de", "--block", "text"])
    assert text.output.startswith("Themen der letzten 30 Tage") and "steigend" in text.output
    html = runner.invoke(main, [*db, "trends", "--block", "html"]).output
    assert html.startswith("<h3>Topics of the last 30 days</h3>") and "rising" in html and "https://news.example/" in html
    bad = runner.invoke(main, [*db, "trends", "--period", "soon"])
    assert bad.exit_code == 2 and "30d or 4w" in bad.output


def test_periods_in_days_or_weeks() -> None:
    from curator.cli.trends import period_days

    assert (period_days("30d"), period_days("4w"), period_days(" 7 ")) == (30, 28, 7)
    for bad in ("0d", "d", "1m", "-3"):
        with pytest.raises(click.BadParameter):
            period_days(bad)


def test_topics_block_is_escaped_and_shows_only_shared_items(cur: Curator) -> None:
    cur.trends.compute(30)
    block = cur.trends.topics_block("en")
    assert block.lang == "en" and block.html.count("<li><strong>") == 5
    assert "<script" not in block.html
    first = block.text.splitlines()[2]
    assert first.startswith("- ") and f"{RISING_NOW} items (rising, +" in first


def _issue_columns(now: object) -> dict[str, object]:
    """The required columns of a digest issue row (the click rows need one to point at)."""
    return {"segment": {"kind": "everyone"}, "segment_key": "everyone", "state": "sent", "texts": {},
            "options": {}, "created_by": "ed@x.example", "created_at": now, "updated_at": now}

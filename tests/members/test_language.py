"""The reading language a member shows us, in the stored feeds: a member who rates German
articles highly and hides English ones gets the German articles ranked higher in their next
stored feed (after the one-member re-rank that follows feedback, and after the worker's
refresh), whatever their account language; a member who reads both languages gets no language
effect at all. On SQLite and PostgreSQL (through the ``curator`` fixture)."""

from __future__ import annotations

from datetime import timedelta

from curator.core import Curator
from curator.types import Item, ScoredItem, WebUser
from tests.members.conftest import TOPICS, import_tagged

CIO, HR = "cio@alpha.example", "hr@alpha.example"
GERMAN = {
    "technology": ["Sicherheitslücke im Rechenzentrum entdeckt", "Neuer KI-Chip für Cloud-Server",
                   "Softwareupdate schließt Sicherheitslücke", "Roboter automatisieren die Fabrik"],
    "company": ["Start-up sammelt Wagniskapital ein", "Fusion zweier Softwarefirmen",
                "Unternehmensstrategie für digitale Märkte", "Investoren unterstützen Fintech"],
    "work": ["Weiterbildung für Fachkräfte im Betrieb", "Mobiles Arbeiten und neue Regeln",
             "Fachkräftemangel trifft Arbeitgeber", "Trainingsprogramm für Führungskräfte"],
    "society": ["Schulen erhalten digitale Lernmittel", "Gesundheits-Apps für Patienten",
                "Medienkompetenz gegen Desinformation", "Smart-City-Projekte für Bürger"],
    "government": ["Datenschutzregeln werden verschärft", "E-Government-Portal gestartet",
                   "Fördergeld für Breitbandausbau", "Neues Gesetz zur künstlichen Intelligenz"],
}


def german_items(cur: Curator) -> None:
    """German counterparts of the cluster's English items (same areas, as many), tagged, so the
    pool offers both languages alike."""
    assert [len(t) for t in GERMAN.values()] == [len(t) for t in TOPICS.values()]
    import_tagged(cur, GERMAN, lang="de", mark="-de", age=timedelta(days=1))


def feed(cur: Curator, user: WebUser) -> list[ScoredItem]:
    return [s for s in cur.feeds.member_feed(user, limit=40) if s.components]


def public(cur: Curator, lang: str) -> list[Item]:
    return sorted((i for i in cur.items.list() if i.lang == lang and i.visibility == "public"), key=lambda i: i.id)


def german_in_top(items: list[ScoredItem], n: int = 10) -> int:
    return sum(s.item.lang == "de" for s in items[:n])


def test_a_member_who_reads_german_and_hides_english_gets_german_ranked_higher(cluster: Curator) -> None:
    cur = cluster
    german_items(cur)
    user = cur.accounts.create(CIO, role="member")  # an English account: the behaviour decides
    cur.feeds.refresh()
    before = feed(cur, user)
    assert before and all(s.components["language"] == 0 for s in before)
    german, english = public(cur, "de"), public(cur, "en")
    for item in german[::4]:  # one German article of each area, rated highly
        cur.feedback.give(user, item.id, "rating", value=5)
    for item in english[1::5]:  # and English ones hidden
        cur.feedback.give(user, item.id, "hide")
    after = feed(cur, user)  # the stored feed, re-ranked for this member after their feedback
    assert german_in_top(after) > german_in_top(before), ([s.item.title for s in before],
                                                         [s.item.title for s in after])
    assert german_in_top(after) >= 8, [s.item.title for s in after]
    assert all(s.components["language"] > 0 for s in after if s.item.lang == "de")
    assert all(s.components["language"] < 0 for s in after if s.item.lang == "en")
    assert all(s.explanation for s in after)  # explanations are written as before
    # the worker's refresh ranks the same way
    cur.feeds.refresh(rebuild=True)
    again = feed(cur, user)
    assert german_in_top(again) >= 8 and all(s.components["language"] > 0 for s in again if s.item.lang == "de")


def test_a_member_who_reads_both_languages_is_unaffected(cluster: Curator) -> None:
    cur = cluster
    german_items(cur)
    user = cur.accounts.create(HR, role="member")  # a German account
    cur.feeds.refresh()
    german, english = public(cur, "de"), public(cur, "en")
    for item in [*german[::5], *english[::5]]:  # as many of each language, rated highly
        cur.feedback.give(user, item.id, "rating", value=5)
    after = feed(cur, user)
    assert {s.item.lang for s in after} == {"de", "en"}
    assert all(s.components["language"] == 0 for s in after), [(s.item.lang, s.components) for s in after]
    cur.feeds.refresh(rebuild=True)
    assert all(s.components["language"] == 0 for s in feed(cur, user))

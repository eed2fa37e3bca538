"""Segments and the audience of an issue: parsing, membership, recipients, send-time re-check
(no database)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from curator.errors import InvalidInput
from curator.newsletter.audience import mailbox_key, recipients, skip_reason
from curator.newsletter.segments import SegmentNames, in_segment, parse_segment, segment_name
from curator.types import Member, Segment

ALICE = Member(id=1, email="alice@example.org", name="Alice", organisation=None, language="en", status="member",
               persona="cio", declared_areas=("technology",), clubs=frozenset({"it-exec"}))
BERND = Member(id=2, email="bernd@example.org", name="Bernd", organisation=None, language="de", status="member",
               declared_areas=("company", "work"))
CARLA = Member(id=3, email="carla@example.org", name="Carla", organisation=None, language="en", status="registered",
               clubs=frozenset({"it-exec"}))


def test_parse_the_simple_forms() -> None:
    assert parse_segment("") == parse_segment("everyone") == Segment("everyone", None, "everyone")
    assert parse_segment(" club:it-exec ") == Segment("club", "it-exec", "club:it-exec")
    assert parse_segment("area:work").key == "area:work"
    seg = Segment("persona", "cio", "persona:cio")
    assert parse_segment(seg) is seg


def test_parse_a_filter() -> None:
    seg = parse_segment("filter:german-work?languages=de&areas_any=work,company")
    assert seg.kind == "filter" and seg.name == "german-work" and seg.key == "filter:german-work"
    assert seg.filter == {"languages": ("de",), "areas_any": ("work", "company")}


@pytest.mark.parametrize("bad", ["nobody", "club:", "club:Bad Id", "area:cooking", "filter:x?colour=red", "filter:"])
def test_bad_segments_say_what_is_allowed(bad: str) -> None:
    with pytest.raises(InvalidInput):
        parse_segment(bad)


def test_membership() -> None:
    assert in_segment(CARLA, parse_segment("everyone"))
    assert in_segment(ALICE, parse_segment("club:it-exec"))
    assert not in_segment(CARLA, parse_segment("club:it-exec"))  # the access rule: clubs are for members
    assert in_segment(ALICE, parse_segment("persona:cio")) and not in_segment(BERND, parse_segment("persona:cio"))
    assert in_segment(BERND, parse_segment("area:work")) and not in_segment(ALICE, parse_segment("area:work"))
    german_work = parse_segment("filter:gw?languages=de&areas_any=work,society")
    assert in_segment(BERND, german_work) and not in_segment(ALICE, german_work)
    club_filter = parse_segment("filter:cf?clubs_any=it-exec,other&personas=cio")
    assert in_segment(ALICE, club_filter) and not in_segment(CARLA, club_filter)


NAMES = SegmentNames(clubs={"it-exec": {"en": "IT Executive Club", "de": "IT-Executive Club"}},
                     personas={"cio": {"en": "IT executive (CIO)", "de": "IT-Leitung (CIO)"}},
                     areas={"work": {"en": "Working environment 4.0", "de": "Arbeitswelt 4.0"}})


def test_segment_names_are_human_in_both_languages_never_raw_keys() -> None:
    cases = {
        "everyone": ("All members", "Alle Mitglieder"),
        "club:it-exec": ("IT Executive Club", "IT-Executive Club"),
        "persona:cio": ("Profile: IT executive (CIO)", "Profil: IT-Leitung (CIO)"),
        "area:work": ("Topic: Working environment 4.0", "Thema: Arbeitswelt 4.0"),
        "filter:German readers?languages=de": ("Selection: German readers", "Auswahl: German readers"),
    }
    for text, (en, de) in cases.items():
        seg = parse_segment(text)
        assert (segment_name(seg, "en", NAMES), segment_name(seg, "de", NAMES)) == (en, de)
        assert seg.key not in segment_name(seg, "en", NAMES) or seg.kind == "everyone"
    # another language falls back to English; an unknown club shows its id, never "club:<id>"
    assert segment_name(parse_segment("club:it-exec"), "fr", NAMES) == "IT Executive Club"
    assert segment_name(parse_segment("club:womens"), "en", NAMES) == "womens"


def test_recipients_one_per_mailbox_in_segment_and_not_suppressed() -> None:
    twin_a = replace(BERND, id=900, email="Foo@X.org")
    twin_b = replace(BERND, id=901, email=" foo@x.org")
    nobody = replace(BERND, id=902, email="")
    dora = replace(BERND, id=4, email="dora@example.org")
    members = [twin_b, ALICE, nobody, dora, twin_a, BERND, CARLA]
    got = recipients(members, parse_segment("everyone"), suppressed_mailboxes={"carla@example.org"},
                     suppressed_members={4})
    assert [m.id for m in got] == [1, 2, 900]
    assert [m.id for m in recipients(members, parse_segment("club:it-exec"), suppressed_mailboxes=set(),
                                     suppressed_members=set())] == [1]


def test_send_time_recheck() -> None:
    everyone = parse_segment("everyone")
    assert skip_reason(None, "x@y.z", everyone, unsubscribed=False) == "the member no longer exists"
    assert skip_reason(ALICE, ALICE.email, everyone, unsubscribed=True) == "unsubscribed before their turn"
    assert skip_reason(BERND, BERND.email, parse_segment("club:it-exec"), unsubscribed=False) == \
        "no longer in the issue's segment"
    assert "address changed" in (skip_reason(ALICE, "old@example.org", everyone, unsubscribed=False) or "")
    assert skip_reason(ALICE, " ALICE@example.org", everyone, unsubscribed=False) is None
    assert mailbox_key(None) == "" and mailbox_key(" A@B.c ") == "a@b.c"

"""Reading a CRM export of members (CSV or JSON) into validated :class:`MemberRecord` objects.

Columns / keys: ``email, name, organisation, language, clubs, areas, interests, persona,
tracking_consent`` and optionally ``membership`` (``member`` or ``registered``; default: ``member``
when an organisation is given, else ``registered``) and ``digest_frequency`` (``weekly``,
``monthly`` or ``never``; empty or absent: the member's stored choice stays, ``weekly`` for a new
member). ``clubs`` and ``areas`` are ``;``-separated
in CSV and lists or ``;``-separated text in JSON. Emails follow :mod:`curator.email_address` (the
rule used at send time too, so an imported member can always be mailed). Every bad row is reported with its number and
what to fix; good rows are returned.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from curator.email_address import InvalidEmailAddress, normalise_email
from curator.types import AREA_IDS, DIGEST_FREQUENCIES, LANGUAGES, MemberRecord

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TRUE = {"true", "yes", "1", "ja", "y", "x"}
_FALSE = {"false", "no", "0", "nein", "n", ""}
REQUIRED = ("email", "name")


def parse_members(text: str, fmt: str, personas: Collection[str]
                  ) -> tuple[list[tuple[int, MemberRecord]], list[tuple[int, str]]]:
    """(row number, record) pairs and (row number, message) errors. ``fmt`` is ``csv`` or ``json`` (array, an object
    with a ``members`` array, or one object per line). Row numbers count data rows from 1 (CSV: the
    header is row 0). A later row with the same email is reported and ignored."""
    if fmt == "csv":
        rows = _csv_rows(text)
    elif fmt == "json":
        rows = _json_rows(text)
    else:
        raise ValueError(f"unknown member file format {fmt!r}: use csv or json")
    records: list[tuple[int, MemberRecord]] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        if isinstance(row, str):
            errors.append((number, f"row {number}: {row}"))
            continue
        try:
            rec = parse_member(row, personas)
        except ValueError as exc:
            errors.append((number, f"row {number}: {exc}"))
            continue
        if rec.email in seen:
            errors.append((number, f"row {number}: email {rec.email} already appears in row {seen[rec.email]}; "
                                   "this row is ignored"))
            continue
        seen[rec.email] = number
        records.append((number, rec))
    return records, errors


def _csv_rows(text: str) -> list[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        return [(0, f"the header lacks column(s) {', '.join(missing)}; expected email,name,organisation,"
                    "language,clubs,areas,interests,persona,tracking_consent")]
    return [(n, row) for n, row in enumerate(reader, start=1)]


def _json_rows(text: str) -> list[tuple[int, Any]]:
    stripped = text.strip()
    try:
        data = json.loads(stripped) if stripped else []
    except json.JSONDecodeError:
        out: list[tuple[int, Any]] = []
        for n, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    out.append((n, json.loads(line)))
                except json.JSONDecodeError as exc:
                    out.append((n, f"not valid JSON ({exc.msg})"))
        return out
    if isinstance(data, Mapping):
        data = data.get("members", [data] if "email" in data else None)
    if not isinstance(data, list):
        return [(0, "expected a JSON array of members, an object with a 'members' array, or JSON lines")]
    return [(n, obj if isinstance(obj, Mapping) else "expected a JSON object") for n, obj in enumerate(data, start=1)]


def _text(row: Mapping[str, Any], key: str) -> str:
    v = row.get(key)
    return "" if v is None else str(v).strip()


def _list(row: Mapping[str, Any], key: str) -> tuple[str, ...]:
    v = row.get(key)
    if v is None:
        return ()
    items = [str(x) for x in v] if isinstance(v, list) else str(v).split(";")
    return tuple(dict.fromkeys(x.strip().lower() for x in items if x.strip()))


def parse_member(row: Mapping[str, Any], personas: Collection[str]) -> MemberRecord:
    """One record from one row; raises ValueError saying which field is wrong and how."""
    try:
        email = normalise_email(_text(row, "email"))
    except InvalidEmailAddress as exc:  # the rule curator also applies at send time
        raise ValueError(f"'email': {exc}") from exc
    name = _text(row, "name")
    if not name:
        raise ValueError("'name' is empty")
    language = _text(row, "language").lower() or "de"
    if language not in LANGUAGES:
        raise ValueError(f"'language' must be de or en (got {language!r})")
    areas = _list(row, "areas")
    bad = [a for a in areas if a not in AREA_IDS]
    if bad:
        raise ValueError(f"unknown area(s) {', '.join(bad)} in 'areas'; use {', '.join(AREA_IDS)}")
    clubs = _list(row, "clubs")
    bad = [c for c in clubs if not _SLUG.match(c)]
    if bad:
        raise ValueError(f"club id(s) {', '.join(bad)} in 'clubs' are not valid ids (lower-case, digits, '-')")
    persona = _text(row, "persona").lower() or None
    if persona is not None and persona not in personas:
        raise ValueError(f"unknown persona {persona!r}; known: {', '.join(sorted(personas)) or 'none'} "
                         "(models/personas.yaml)")
    consent_raw = row.get("tracking_consent")
    if isinstance(consent_raw, bool):
        consent = consent_raw
    else:
        c = "" if consent_raw is None else str(consent_raw).strip().lower()
        if c in _TRUE:
            consent = True
        elif c in _FALSE:
            consent = False
        else:
            raise ValueError(f"'tracking_consent' must be true or false (got {consent_raw!r})")
    organisation = _text(row, "organisation") or None
    membership = _text(row, "membership").lower() or ("member" if organisation else "registered")
    if membership not in ("member", "registered"):
        raise ValueError(f"'membership' must be member or registered (got {membership!r})")
    frequency = _text(row, "digest_frequency").lower() or None
    if frequency is not None and frequency not in DIGEST_FREQUENCIES:
        raise ValueError(f"'digest_frequency' must be one of {', '.join(DIGEST_FREQUENCIES)} (got {frequency!r})")
    return MemberRecord(email=email, name=name, organisation=organisation, language=language, clubs=clubs,
                        declared_areas=areas, interests=_text(row, "interests"), persona=persona,
                        tracking_consent=consent, membership=membership, digest_frequency=frequency)


def admissible_clubs(number: int, rec: MemberRecord, known_clubs: Collection[str], *, granting: bool
                     ) -> tuple[MemberRecord, list[tuple[int, str]], int]:
    """The record of row ``number`` with only the clubs it may be granted, (row number, message)
    warnings, and how many clubs were refused because the person is not a member.

    When an editor vouches for the export (``granting``), clubs that do not exist are dropped
    with a warning (the member is still imported). A registered user (not a member) never joins
    a club: their clubs are dropped with a warning whether or not an editor vouches."""
    warnings: list[tuple[int, str]] = []
    unknown = [c for c in rec.clubs if c not in known_clubs]
    if granting and unknown:
        warnings.append((number, f"row {number}: {rec.email}: unknown club(s) {', '.join(unknown)}; create them "
                                 "first (`curator clubs create`) — the member was imported without them"))
        rec = replace(rec, clubs=tuple(c for c in rec.clubs if c in known_clubs))
    refused = 0
    if rec.membership != "member" and rec.clubs:
        warnings.append((number, f"row {number}: {rec.email}: registered users (not members) cannot join clubs; "
                                 "clubs ignored"))
        refused = len(rec.clubs)
        rec = replace(rec, clubs=())
    return rec, warnings, refused

"""Plain typed values for the ranking tests: items, members, feedback events, stored profiles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from curator.types import FeedbackEvent, Item, Member, MemberProfile

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
D = 8
MODEL = "fake:8"


def item(i: int, *, visibility: str = "public", source: str = "s1", areas: tuple[str, ...] = (),
         age_days: float = 0.0, duplicate_of: int | None = None, title: str | None = None) -> Item:
    at = NOW - timedelta(days=age_days)
    return Item(id=i, source_id=source, key=f"k{i}", kind="article", title=title or f"Item {i}", url=None,
                canonical_url=None, summary="", content_html="", text="", author=None, published=at, first_seen=at,
                updated_at=at, lang="en", content_hash=f"h{i}", visibility=visibility,  # type: ignore[arg-type]
                areas=areas, duplicate_of=duplicate_of)


def member(i: int, *, status: str = "member", clubs: frozenset[str] = frozenset(), persona: str | None = None,
           areas: tuple[str, ...] = (), consent: bool = True, language: str = "en") -> Member:
    return Member(id=i, email=f"m{i}@x.example", name=f"M{i}", organisation="X", language=language,
                  status=status, persona=persona, declared_areas=areas, tracking_consent=consent,  # type: ignore[arg-type]
                  clubs=clubs)


def event(eid: int, member_id: int, item_id: int, kind: str, *, value: float | None = None,
          age_days: float = 0.0) -> FeedbackEvent:
    return FeedbackEvent(member_id=member_id, item_id=item_id, kind=kind,  # type: ignore[arg-type]
                         at=NOW - timedelta(days=age_days), value=value, id=eid)


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.normal(size=(n, D)).astype(np.float32)
    out: np.ndarray = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def vec_bytes(v: np.ndarray) -> bytes:
    return np.asarray(v, dtype="<f4").tobytes()


def profile(member_id: int, *, positive: np.ndarray, weight: float, as_of: datetime = NOW,
            model_id: str = MODEL, area: dict[str, float] | None = None) -> MemberProfile:
    return MemberProfile(member_id=member_id, model_id=model_id, as_of=as_of, declared=vec_bytes(np.ones(D) / D),
                         positive=vec_bytes(positive), negative=vec_bytes(np.zeros(D)), positive_weight=weight,
                         negative_weight=0.0, area_affinity=area or {}, events_through=1, declared_hash="x")

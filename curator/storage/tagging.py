"""Queries for subject-area tags, editor corrections and duplicate groups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import Connection

from ..errors import InvalidInput, NotFound
from ..types import AREA_IDS, Item
from . import schema as t
from .items import ItemQueries


@dataclass(frozen=True)
class TagRow:
    item_id: int
    content_hash: str
    areas: tuple[str, ...]
    scores: dict[str, float]


@dataclass(frozen=True)
class Correction:
    item_id: int
    areas: tuple[str, ...]
    editor: str
    at: datetime


class TaggingQueries(ItemQueries):
    """Tags, editor corrections and duplicates."""

    def items_to_tag(self, version: str, *, retag_all: bool = False, limit: int | None = None) -> list[Item]:
        """Items without tags, tagged by another version, or changed since they were tagged."""
        q = self._items_select().add_columns(t.item_tags.c.version.label("tag_version"),
                                           t.item_tags.c.content_hash.label("tag_hash"))
        if not retag_all:
            q = q.where(or_(t.item_tags.c.item_id.is_(None), t.item_tags.c.version != version,
                            t.item_tags.c.content_hash != t.items.c.content_hash))
        q = q.order_by(t.items.c.id)
        if limit:
            q = q.limit(limit)
        with self.read() as conn:
            return self._rows_to_items(conn.execute(q).all())

    def save_tags(self, rows: Sequence[TagRow], version: str, now: datetime) -> None:
        """Store tagger output. Items an editor corrected keep the editor's areas (scores update)."""
        if not rows:
            return
        with self.write() as conn:
            corrected = {r.item_id for r in conn.execute(
                select(t.item_tags.c.item_id).where(t.item_tags.c.corrected,
                                                    t.item_tags.c.item_id.in_([r.item_id for r in rows])))}
            for r in rows:
                values = dict(version=version, content_hash=r.content_hash, scores=r.scores, tagged_at=now)
                if r.item_id in corrected:
                    conn.execute(update(t.item_tags).where(t.item_tags.c.item_id == r.item_id).values(**values))
                    continue
                stmt = self._insert(t.item_tags).values(
                    item_id=r.item_id, areas=list(r.areas), corrected=False, **values)
                conn.execute(stmt.on_conflict_do_update(
                    index_elements=["item_id"], set_=dict(areas=list(r.areas), **values)))
                self._set_areas(conn, r.item_id, r.areas)

    @staticmethod
    def _set_areas(conn: Connection, item_id: int, areas: Sequence[str]) -> None:
        """Keep the item_areas index table (used for filtering by area) in step with item_tags."""
        conn.execute(t.item_areas.delete().where(t.item_areas.c.item_id == item_id))
        if areas:
            conn.execute(t.item_areas.insert(), [{"item_id": item_id, "area": a} for a in dict.fromkeys(areas)])

    def add_correction(self, item_id: int, areas: Sequence[str], editor: str, now: datetime) -> None:
        """An editor sets an item's areas: recorded in the corrections history and made the
        item's tags, which later tagger runs keep. NotFound if there is no such item."""
        with self.write() as conn:
            if conn.execute(select(t.items.c.id).where(t.items.c.id == item_id)).first() is None:
                raise NotFound(f"no item with id {item_id}")
            conn.execute(t.tag_corrections.insert().values(item_id=item_id, areas=list(areas), editor=editor, at=now))
            row = conn.execute(select(t.item_tags).where(t.item_tags.c.item_id == item_id)).first()
            if row is None:
                h = conn.execute(select(t.items.c.content_hash).where(t.items.c.id == item_id)).scalar_one()
                conn.execute(t.item_tags.insert().values(
                    item_id=item_id, version="editor", content_hash=h, areas=list(areas), scores={},
                    tagged_at=now, corrected=True))
            else:
                conn.execute(update(t.item_tags).where(t.item_tags.c.item_id == item_id).values(
                    areas=list(areas), corrected=True))
            self._set_areas(conn, item_id, areas)

    def corrections(self) -> list[Correction]:
        """The latest correction of each corrected item, items in the order they were first corrected."""
        with self.read() as conn:
            rows = conn.execute(select(t.tag_corrections).order_by(t.tag_corrections.c.at, t.tag_corrections.c.id)).all()
        latest: dict[int, Correction] = {}
        for r in rows:
            latest[r.item_id] = Correction(r.item_id, tuple(r.areas), r.editor, r.at)
        return list(latest.values())

    def set_duplicates(self, groups: Sequence[Sequence[int]]) -> int:
        """Mark every item of a group but the first (the earliest) as a duplicate of it. Items in no
        group are cleared. Returns how many items are marked."""
        wanted = {int(i): int(head) for head, *rest in groups for i in rest}
        with self.write() as conn:
            # only the marks that change are written: a tag run that finds the same stories
            # again writes nothing, and holds the write lock for no longer than it must
            current = dict(conn.execute(select(t.items.c.id, t.items.c.duplicate_of)
                                        .where(t.items.c.duplicate_of.is_not(None))).all())
            cleared = [i for i in current if i not in wanted]
            for start in range(0, len(cleared), 500):
                conn.execute(update(t.items).where(t.items.c.id.in_(cleared[start:start + 500]))
                             .values(duplicate_of=None))
            moved: dict[int, list[int]] = {}
            for i, head in wanted.items():
                if current.get(i) != head:
                    moved.setdefault(head, []).append(i)
            for head, ids in moved.items():
                conn.execute(update(t.items).where(t.items.c.id.in_(ids)).values(duplicate_of=head))
        return len(wanted)

    def area_counts(self) -> tuple[dict[str, int], int]:
        """({area: items carrying it}, items carrying no area), counted in the database."""
        with self.read() as conn:
            counts: dict[str, int] = {str(a): int(n) for a, n in conn.execute(
                select(t.item_areas.c.area, func.count()).group_by(t.item_areas.c.area))}
            untagged = conn.execute(select(func.count()).select_from(t.items).where(
                ~t.items.c.id.in_(select(t.item_areas.c.item_id)))).scalar_one()
        return counts, int(untagged)

    def duplicates_of(self, item_id: int) -> list[Item]:
        """The items marked as duplicates of ``item_id`` (empty for an unknown id)."""
        with self.read() as conn:
            rows = conn.execute(self._items_select().where(t.items.c.duplicate_of == item_id)).all()
        return self._rows_to_items(rows)

    def set_item_areas(self, item_id: int, scores: Mapping[str, float], now: datetime,
                       version: str = "manual") -> None:
        """Write an item's tags directly (tests, tools): areas are those scoring >= 0.5.
        InvalidInput for an unknown area id, NotFound for an unknown item."""
        bad = set(scores) - set(AREA_IDS)
        if bad:
            raise InvalidInput(f"unknown area id(s): {', '.join(sorted(bad))}")
        areas = tuple(a for a, s in sorted(scores.items(), key=lambda x: -x[1]) if s >= 0.5)
        item = self.get_item(item_id)
        self.save_tags(
            [TagRow(item_id, item.content_hash, areas, {k: float(v) for k, v in scores.items()})], version, now)

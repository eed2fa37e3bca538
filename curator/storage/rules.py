"""Queries for editor rules (``schema/rules.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from ..errors import NotFound
from ..types import EditorRule
from . import schema as t
from .database import Database


class RuleQueries(Database):
    """Editor rules: stored, listed, switched on and off, deleted."""

    @staticmethod
    def _rule(row: Any) -> EditorRule:
        return EditorRule(id=row.id, action=row.action, match=row.match_kind, pattern=row.pattern,
                          segment=row.segment, strength=float(row.strength), note=row.note,
                          created_by=row.created_by, created_at=row.created_at, updated_at=row.updated_at,
                          enabled=bool(row.enabled))

    def add_rule(self, rule: EditorRule, now: datetime) -> EditorRule:
        """Store ``rule`` (its id is ignored) as created now; returns it with its new id."""
        with self.write() as conn:
            rule_id = conn.execute(t.editor_rules.insert().values(
                action=rule.action, match_kind=rule.match, pattern=rule.pattern, segment=rule.segment,
                strength=rule.strength, note=rule.note, created_by=rule.created_by, created_at=now,
                updated_at=now, enabled=rule.enabled).returning(t.editor_rules.c.id)).scalar_one()
            row = conn.execute(select(t.editor_rules).where(t.editor_rules.c.id == rule_id)).one()
        return self._rule(row)

    def get_rule(self, rule_id: int) -> EditorRule:
        """The rule with this id; NotFound if there is none."""
        with self.read() as conn:
            row = conn.execute(select(t.editor_rules).where(t.editor_rules.c.id == rule_id)).first()
        if row is None:
            raise NotFound(f"no editor rule with id {rule_id}")
        return self._rule(row)

    def list_rules(self, *, enabled_only: bool = False) -> list[EditorRule]:
        """Every rule (or only the enabled ones), oldest first."""
        q = select(t.editor_rules)
        if enabled_only:
            q = q.where(t.editor_rules.c.enabled.is_(True))
        with self.read() as conn:
            return [self._rule(r) for r in conn.execute(q.order_by(t.editor_rules.c.id))]

    def set_rule_enabled(self, rule_id: int, enabled: bool, now: datetime) -> EditorRule:
        """Switch a rule on or off; returns it as stored. NotFound for an unknown rule."""
        with self.write() as conn:
            res = conn.execute(update(t.editor_rules).where(t.editor_rules.c.id == rule_id)
                               .values(enabled=enabled, updated_at=now))
            if not res.rowcount:
                raise NotFound(f"no editor rule with id {rule_id}")
            row = conn.execute(select(t.editor_rules).where(t.editor_rules.c.id == rule_id)).one()
        return self._rule(row)

    def delete_rule(self, rule_id: int) -> bool:
        """Delete a rule; False if there was none."""
        with self.write() as conn:
            return bool(conn.execute(delete(t.editor_rules).where(t.editor_rules.c.id == rule_id)).rowcount)

"""Facade methods for members, clubs, personas, feedback, profiles and ranking (issue 4).

Mixed into ``curator.core.Curator``; uses ``self.storage``, ``self.settings``, ``self.clock``,
``self.encoder`` and ``self.embed_items``.

Access: every method that returns or uses items for a member filters them with
``curator.profiles.access.visible_to(member)`` first; ranking scores only visible candidates.
Consent: view/click events of members without tracking consent are never stored; withdrawing
consent deletes the stored ones (and the profile, which is rebuilt from explicit actions).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AccessDenied, ConfigError, InvalidInput, NotFound
from .ranking.stages import item_area_vector, subset_batch
from .types import (
    AREA_IDS,
    Club,
    ClubMembership,
    FeedbackEvent,
    FeedbackImportResult,
    Item,
    Member,
    MemberImportResult,
    MemberProfile,
    Persona,
    PersonaSuggestion,
    ScoredItem,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from .clock import Clock
    from .config import Settings
    from .embeddings import Encoder
    from .ranking.stages import CandidatePool, MemberBatch, RankingWeights
    from .storage import Storage
    from .storage.members import MemberStore, StoredFeedback

RECENT_DAYS = 30
"""Candidates are items published in the last month (older ones only if there are too few)."""
MIN_CANDIDATES = 200
FRESHNESS_HALF_LIFE_DAYS = 7.0
MAX_CANDIDATES = 5000

DEFAULT_CLUBS: tuple[Club, ...] = (
    Club("it-executive", "IT Executive Club", "IT Executive Club", "CIOs and IT managers.",
         "By invitation only; discretion is a must."),
    Club("womens-club", "Women's Club", "Women's Club", "Female leadership.", "For women only."),
    Club("agile-hr", "Agile HR Club", "Agile HR Club", "HR managers.",
         "HR managers; recruiters and HR consultants are excluded."),
)
"""The three clubs of PRODUCT.md."""


@dataclass(frozen=True)
class _Loaded:
    """Everything one ranking run needs, loaded once."""

    pool: CandidatePool
    items: dict[int, Item]
    batch: MemberBatch
    members: list[Member]
    row_of: dict[int, int]
    positives: dict[int, list[tuple[int, float, bool]]]
    persona_list: list[Persona]


class MembersFacade:
    """Members, clubs, personas, feedback, profiles and recommendations."""

    if TYPE_CHECKING:
        settings: Settings
        storage: Storage
        clock: Clock

        @property
        def encoder(self) -> Encoder: ...

        def embed_items(self, items: Sequence[Item], *, progress: bool = False) -> NDArray[np.float32]: ...

    # ------------------------------------------------------------------ plumbing

    @property
    def member_store(self) -> MemberStore:
        store = self.__dict__.get("_member_store")
        if store is None:
            from .storage.members import MemberStore

            store = self.__dict__["_member_store"] = MemberStore(self.storage)
        return store

    @property
    def ranking_weights(self) -> RankingWeights:
        from .ranking.stages import RankingWeights

        return self.__dict__.get("_ranking_weights") or RankingWeights()

    # ------------------------------------------------------------------ personas

    def personas(self) -> dict[str, Persona]:
        """Personas of models/personas.yaml, overridden or extended by accepted suggestions."""
        from .profiles.personas import load_personas, parse_persona

        path = Path(self.settings.models_dir) / "personas.yaml"
        out = load_personas(path) if path.exists() else {}
        for pid, definition in self.member_store.accepted_personas().items():
            out[pid] = parse_persona({**definition, "id": pid}, f"accepted persona '{pid}'")
        return out

    def suggest_personas(self) -> list[PersonaSuggestion]:
        """Cluster the profiles of members with behaviour and store suggestions (refinements of
        existing personas or new ones) for an editor. Replaces earlier open suggestions."""
        import numpy as np

        from .profiles.suggest import suggest_personas
        from .ranking.stages import centre, profile_vectors

        self.refresh_profiles()
        loaded = self._load(None)
        batch = loaded.batch
        has = batch.positive_weight >= 1.0
        if not has.any():
            self.member_store.add_persona_suggestions([], self.clock.now())
            return []
        profiles = profile_vectors(batch, loaded.pool.mean, self.ranking_weights)[has]
        rows = np.flatnonzero(has)
        personas = {p.id: p for p in loaded.persona_list}
        # example titles only from public items: a persona's text may be shown to anyone
        public = np.array([v == "public" for v in loaded.pool.visibility], dtype=bool)
        suggestions = suggest_personas(
            profiles, [loaded.members[r].persona for r in rows], batch.area_affinity[rows], personas,
            centre(batch.persona_vectors, loaded.pool.mean) if batch.persona_vectors.shape[0] else
            np.zeros((0, profiles.shape[1]), dtype=np.float32),
            loaded.pool.vectors[public], [loaded.items[int(i)].title for i in loaded.pool.item_ids[public]])
        self.member_store.add_persona_suggestions(suggestions, self.clock.now())
        return self.member_store.persona_suggestions("open")

    def persona_suggestions(self, status: str | None = "open") -> list[PersonaSuggestion]:
        return self.member_store.persona_suggestions(status)

    def accept_persona_suggestion(self, suggestion_id: int, *, editor: str, persona_id: str | None = None) -> Persona:
        """An editor accepts a suggestion: a refinement replaces its persona's definition, a new
        persona is added (as ``persona_id`` or its suggested id). models/personas.yaml is not
        rewritten; accepted personas live in the database and take precedence."""
        from .profiles.personas import parse_persona

        if not (editor or "").strip():
            raise InvalidInput("accepting a persona suggestion needs the editor's name")
        suggestion, definition = self.member_store.suggestion_definition(suggestion_id)
        pid = persona_id or definition.get("id") or f"suggested-{suggestion_id}"
        definition = {k: v for k, v in definition.items() if k != "example_titles"}
        try:
            persona = parse_persona({**definition, "id": pid}, f"persona suggestion {suggestion_id}")
        except ConfigError as exc:
            raise InvalidInput(str(exc)) from exc
        self.member_store.accept_persona(suggestion.id, pid, {**definition, "id": pid}, editor.strip(),
                                         self.clock.now())
        return persona

    # ------------------------------------------------------------------ members

    def import_members(self, text: str, *, fmt: str = "csv", grant_clubs_by: str | None = None) -> MemberImportResult:
        """Import or update members from a CRM export (CSV or JSON, see
        ``curator.profiles.members_import``). Members are matched by email, so re-importing keeps
        their ids, feedback and profiles. The export's clubs become memberships only when
        ``grant_clubs_by`` names the editor who vouches for them; otherwise they are counted as
        not granted. Bad rows are reported and skipped; one bad row never stops the others."""
        from .profiles.members_import import parse_members

        records, errors = parse_members(text, fmt, self.personas())
        now = self.clock.now()
        known_clubs = {c.id for c in self.member_store.list_clubs()}
        counts: dict[str, int] = defaultdict(int)
        granted = not_granted = 0
        row_errors = list(errors)
        for n, rec in records:
            unknown = [c for c in rec.clubs if c not in known_clubs]
            if grant_clubs_by and unknown:
                row_errors.append((n, f"row {n}: {rec.email}: unknown club(s) {', '.join(unknown)}; create them first "
                                      "(`curator clubs create`) — the member was imported without them"))
                rec = _replace(rec, clubs=tuple(c for c in rec.clubs if c in known_clubs))
            if rec.membership != "member" and rec.clubs:
                row_errors.append((n, f"row {n}: {rec.email}: registered users (not members) cannot join clubs; "
                                      "clubs ignored"))
                not_granted += len(rec.clubs)
                rec = _replace(rec, clubs=())
            try:
                res = self.member_store.upsert_member(rec, now, grant_clubs_by=grant_clubs_by)
            except Exception as exc:  # noqa: BLE001 - reported per row; the others go on
                from .errors import CuratorError

                if not isinstance(exc, CuratorError):
                    raise
                row_errors.append((n, f"row {n}: {rec.email}: {exc}"))
                continue
            counts[res.outcome] += 1
            granted += len(res.clubs_granted)
            if not grant_clubs_by:
                not_granted += len(rec.clubs)
        row_errors.sort(key=lambda e: e[0])
        return MemberImportResult(counts["new"], counts["updated"], counts["unchanged"], tuple(row_errors),
                                  granted, not_granted)

    def members(self) -> list[Member]:
        return self.member_store.list_members()

    def member(self, email: str) -> Member:
        return self.member_store.get_member(email)

    def visible_to_member(self, email: str | None) -> frozenset[str]:
        """The visibilities ``email`` may see (anonymous: None). Every surface uses this."""
        from .profiles.access import visible_to

        return visible_to(self.member(email) if email else None)

    def set_tracking_consent(self, email: str, consent: bool) -> Member:
        return self.member_store.set_tracking_consent(email, consent, self.clock.now())

    # ------------------------------------------------------------------ clubs

    def ensure_clubs(self, clubs: Sequence[Club] = DEFAULT_CLUBS) -> list[Club]:
        """Create clubs that do not exist yet (default: the three clubs of PRODUCT.md)."""
        now = self.clock.now()
        for club in clubs:
            self.member_store.ensure_club(club, now)
        return self.member_store.list_clubs()

    def clubs(self) -> list[Club]:
        return self.member_store.list_clubs()

    def club_memberships(self, club_id: str | None = None) -> list[ClubMembership]:
        return self.member_store.club_memberships(club_id)

    def grant_club(self, email: str, club_id: str, *, editor: str) -> ClubMembership:
        """An editor admits a member to a club (the only way anyone joins a club)."""
        if not (editor or "").strip():
            raise InvalidInput("granting a club membership needs the editor's name (--editor)")
        return self.member_store.grant_club(email, club_id, editor.strip(), self.clock.now())

    def revoke_club(self, email: str, club_id: str, *, editor: str) -> bool:
        """Remove a member from a club; their feed, digests and explanations lose the club's items
        at once (access is computed on every request, never cached per member)."""
        if not (editor or "").strip():
            raise InvalidInput("revoking a club membership needs the editor's name (--editor)")
        return self.member_store.revoke_club(email, club_id)

    # ------------------------------------------------------------------ feedback

    def record_feedback(self, email: str, item_id: int, kind: str, *, value: float | None = None,
                        note: str | None = None, to_email: str | None = None, at: datetime | None = None,
                        dedupe_key: str | None = None) -> bool:
        """Store one feedback event. Returns False (and stores nothing) for a view/click of a
        member without tracking consent. Raises NotFound if the item does not exist or the member
        may not see it (the same message, so existence is not revealed), InvalidInput for a bad
        kind/value, AccessDenied when sending to someone who may not see the item."""
        member = self.member(email)
        event = self._feedback_event(member, item_id, kind, value, note, to_email, at)
        if event is None:
            return False
        stored, _ = self.member_store.add_feedback([(event, dedupe_key)])
        return stored > 0

    def _feedback_event(self, member: Member, item_id: int, kind: str, value: float | None, note: str | None,
                        to_email: str | None, at: datetime | None) -> FeedbackEvent | None:
        from .profiles.access import can_see
        from .profiles.feedback import FEEDBACK_KINDS, counts_for

        if kind not in FEEDBACK_KINDS:
            raise InvalidInput(f"unknown feedback kind '{kind}'; use one of {', '.join(FEEDBACK_KINDS)}")
        if kind == "rating":
            if value is None or not 1 <= float(value) <= 5:
                raise InvalidInput("a rating needs a value from 1 to 5")
        elif value is not None and kind != "send":
            value = None
        try:
            item = self.storage.get_item(int(item_id))
        except NotFound:
            item = None
        if item is None or not can_see(member, item.visibility):
            raise NotFound(f"no item with id {item_id}")
        to_id = None
        if kind == "send":
            if not to_email:
                raise InvalidInput("sending an item needs the recipient's email")
            recipient = self.member(to_email)
            if not can_see(recipient, item.visibility):
                raise AccessDenied("this item cannot be sent to that member")
            to_id = recipient.id
        if not counts_for(kind, member.tracking_consent):
            return None
        return FeedbackEvent(member_id=member.id, item_id=item.id, kind=kind,  # type: ignore[arg-type]
                             at=at or self.clock.now(), value=None if value is None else float(value),
                             note=(note or "").strip()[:2000] or None, to_member_id=to_id)

    def import_feedback(self, lines: Iterable[str]) -> FeedbackImportResult:
        """Load feedback history: one JSON object per line, ``{"member", "item", "kind",
        "value"?, "at", "to"?, "note"?}``; ``item`` is an item id or an item key/URL. Re-importing
        the same lines stores nothing twice. Views/clicks of members without tracking consent are
        dropped and counted. Bad lines are reported by number; the others are stored."""
        from .clock import parse_iso_time as _parse_time

        now = self.clock.now()
        errors: list[tuple[int, str]] = []
        events: list[tuple[FeedbackEvent, str | None]] = []
        skipped = 0
        members: dict[str, Member] = {}
        item_refs: dict[str, int | None] = {}
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise InvalidInput("expected a JSON object")
                email = str(obj.get("member") or "").strip().lower()
                if not email:
                    raise InvalidInput("field 'member' (an email) is missing")
                if email not in members:
                    members[email] = self.member(email)
                ref = obj.get("item")
                if ref is None or str(ref).strip() == "":
                    raise InvalidInput("field 'item' is missing")
                key = str(ref)
                if key not in item_refs:
                    item_refs[key] = self._resolve_item(ref)
                item_id = item_refs[key]
                if item_id is None:
                    raise NotFound(f"no item '{ref}'")
                at = _parse_time(obj.get("at"), now, "at") if obj.get("at") else now
                value = obj.get("value")
                ev = self._feedback_event(members[email], item_id, str(obj.get("kind") or ""),
                                          None if value is None else float(value), obj.get("note"),
                                          obj.get("to"), at)
                if ev is None:
                    skipped += 1
                    continue
                dedupe = hashlib.sha256(json.dumps([email, item_id, ev.kind, ev.value, ev.at.isoformat(),
                                                    obj.get("to")], sort_keys=True).encode()).hexdigest()
                events.append((ev, dedupe))
            except (ValueError, TypeError) as exc:
                errors.append((number, f"line {number}: {exc}"))
            except (InvalidInput, NotFound, AccessDenied) as exc:
                errors.append((number, f"line {number}: {exc}"))
        stored, dupes = self.member_store.add_feedback(events)
        return FeedbackImportResult(stored, skipped, dupes, tuple(errors))

    def _resolve_item(self, ref: Any) -> int | None:
        if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
            return int(ref)
        return self.member_store.find_item(str(ref).strip())

    # ------------------------------------------------------------------ profiles

    def refresh_profiles(self, emails: Sequence[str] | None = None) -> int:
        """Bring stored profiles up to date, incrementally: only feedback events newer than a
        profile's last folded event are added (with exact time decay); the declared-interest
        vector is re-encoded only when the member's text changed; a change of encoder rebuilds.
        Returns how many profiles were written."""
        import numpy as np

        from .embeddings import encode_cached, text_hash
        from .profiles.areas import AREA_NAMES
        from .profiles.feedback import counts_for, event_weight
        from .profiles.profile import ProfileState, WeightedEvent, declared_text
        from .storage.embeddings import DbEmbeddingCache

        members = [self.member(e) for e in emails] if emails is not None else self.members()
        if not members:
            return 0
        now = self.clock.now()
        enc = self.encoder
        stored = self.member_store.get_profiles([m.id for m in members])
        texts = {m.id: declared_text(m.interests, m.declared_areas, AREA_NAMES) for m in members}
        hashes = {m.id: hashlib.sha256(texts[m.id].encode()).hexdigest() for m in members}
        states: dict[int, tuple[ProfileState, bytes | None]] = {}
        for m in members:
            p = stored.get(m.id)
            if p is None or p.model_id != enc.model_id:
                states[m.id] = (ProfileState.empty(enc.dim, now), None)
            else:
                st = ProfileState(p.as_of, np.frombuffer(p.positive, "<f4").copy(),
                                  np.frombuffer(p.negative, "<f4").copy(), p.positive_weight, p.negative_weight,
                                  np.array([p.area_affinity.get(a, 0.0) for a in AREA_IDS], dtype=np.float32),
                                  p.events_through)
                states[m.id] = (st, p.declared if p.declared_hash == hashes[m.id] else None)
        # declared vectors that are missing or stale, encoded in one go (cached by text)
        todo = [m for m in members if states[m.id][1] is None]
        declared_vecs: dict[int, bytes] = {}
        if todo:
            nonempty = [m for m in todo if texts[m.id]]
            vecs = encode_cached(enc, [texts[m.id] for m in nonempty],
                                 [text_hash(texts[m.id], "query") for m in nonempty], DbEmbeddingCache(self.storage),
                                 kind="query") if nonempty else np.zeros((0, enc.dim), dtype=np.float32)
            for m, v in zip(nonempty, vecs, strict=True):
                declared_vecs[m.id] = np.asarray(v, dtype="<f4").tobytes()
            for m in todo:
                declared_vecs.setdefault(m.id, np.zeros(enc.dim, dtype="<f4").tobytes())
        after = min(states[m.id][0].events_through for m in members)
        feedback = self.member_store.feedback([m.id for m in members], after_id=after)
        by_member: dict[int, list[StoredFeedback]] = defaultdict(list)
        for f in feedback:
            by_member[f.event.member_id].append(f)
        item_ids = sorted({f.event.item_id for f in feedback})
        items = self.storage.get_items(item_ids) if item_ids else []
        vec_of = dict(zip([i.id for i in items], self.embed_items(items), strict=True)) if items else {}
        area_of = {i.id: item_area_vector(i) for i in items}
        out: list[MemberProfile] = []
        for m in members:
            state, declared = states[m.id]
            evs = [WeightedEvent(f.event.id, f.event.at, event_weight(f.event.kind, f.event.value),
                                 vec_of[f.event.item_id], area_of[f.event.item_id])
                   for f in by_member.get(m.id, ())
                   if f.event.id > state.events_through and counts_for(f.event.kind, m.tracking_consent)
                   and f.event.item_id in vec_of]
            new_state = fold_events_to(state, evs, now)
            if (declared is not None and not evs and stored.get(m.id) is not None
                    and new_state.events_through == state.events_through):
                continue  # nothing new: keep the stored row (decay is applied when reading)
            out.append(MemberProfile(
                member_id=m.id, model_id=enc.model_id, as_of=new_state.as_of,
                declared=declared if declared is not None else declared_vecs[m.id],
                positive=np.asarray(new_state.positive, "<f4").tobytes(),
                negative=np.asarray(new_state.negative, "<f4").tobytes(),
                positive_weight=float(new_state.positive_weight), negative_weight=float(new_state.negative_weight),
                area_affinity={a: float(new_state.area_feedback[k]) for k, a in enumerate(AREA_IDS)},
                events_through=new_state.events_through, declared_hash=hashes[m.id]))
        self.member_store.save_profiles(out)
        return len(out)

    # ------------------------------------------------------------------ ranking

    def pin_item(self, item_id: int, *, editor: str, until: datetime | None = None) -> None:
        """An editor pins an item to the top of every feed that may show it."""
        if not (editor or "").strip():
            raise InvalidInput("pinning needs the editor's name")
        self.member_store.pin_item(item_id, "all", editor.strip(), self.clock.now(), until)

    def unpin_item(self, item_id: int) -> bool:
        return self.member_store.unpin_item(item_id, "all")

    def recommend(self, email: str, limit: int = 10) -> list[ScoredItem]:
        """The member's ranked feed: at most ``limit`` items they may see, best first, each with
        its score, the named stage scores and a short explanation in their language."""
        return self.recommend_many([email], limit)[email.strip().lower()]

    def recommend_many(self, emails: Sequence[str] | None = None, limit: int = 10) -> dict[str, list[ScoredItem]]:
        """Ranked feeds for many members in one batched run (digests). ``None``: every member."""
        from .ranking.stages import rank

        if limit < 1:
            raise InvalidInput("the limit must be at least 1")
        wanted = None if emails is None else [self.member(e) for e in emails]
        self.refresh_profiles(None if wanted is None else [m.email for m in wanted])
        loaded = self._load(wanted)
        rows = [loaded.row_of[m.id] for m in (wanted if wanted is not None else loaded.members)]
        sub = subset_batch(loaded.batch, rows)
        result = rank(loaded.pool, sub, self.ranking_weights, k=limit)
        return self._scored(loaded, rows, result)

    def _scored(self, loaded: _Loaded, rows: list[int], result: Any) -> dict[str, list[ScoredItem]]:
        import numpy as np

        from .profiles.access import can_see
        from .profiles.personas import persona_name
        from .ranking.explain import LikedItem, explain
        from .ranking.stages import COMPONENTS

        personas = {p.id: p for p in loaded.persona_list}
        liked_ids = sorted({i for r in rows for i, _, _ in loaded.positives.get(loaded.members[r].id, [])})
        liked_items = {i.id: i for i in self.storage.get_items(liked_ids)} if liked_ids else {}
        liked_vecs = dict(zip(liked_items, self.embed_items(list(liked_items.values())), strict=True)) if liked_items else {}
        out: dict[str, list[ScoredItem]] = {}
        for j, r in enumerate(rows):
            member = loaded.members[r]
            lang = member.language if member.language in ("de", "en") else "en"
            # only items the member may see NOW may be quoted in an explanation
            likes = [(i, w, rated) for i, w, rated in loaded.positives.get(member.id, [])
                     if i in liked_items and can_see(member, liked_items[i].visibility)]
            affinity = {a: float(loaded.batch.area_affinity[r, k]) for k, a in enumerate(AREA_IDS)}
            ranked: list[ScoredItem] = []
            for slot, item_id in enumerate(result.items[j].tolist()):
                if item_id < 0:
                    break
                item = loaded.items[item_id]
                if not can_see(member, item.visibility):  # defence in depth; stage 1 already filtered
                    continue
                comps = {c: float(result.components[j, slot, n]) for n, c in enumerate(COMPONENTS)}
                liked = None
                if likes:
                    v = loaded.pool.vectors[loaded.pool.index_of[item_id]]
                    best = max(likes, key=lambda x: float(np.dot(_centred(liked_vecs[x[0]], loaded.pool.mean), v)))
                    sim = float(np.dot(_centred(liked_vecs[best[0]], loaded.pool.mean), v))
                    liked = LikedItem(liked_items[best[0]].title, best[2], sim)
                text = explain(lang, comps, item_areas=dict(zip(AREA_IDS, item_area_vector(item).tolist(), strict=True)),
                               followed=member.declared_areas, affinity=affinity,
                               persona_name=persona_name(personas.get(member.persona or ""), lang) or None,
                               liked=liked, has_interests=bool(member.interests.strip()),
                               pinned=bool(result.pinned[j, slot]), floor=bool(result.floor[j, slot]))
                ranked.append(ScoredItem(item, float(result.scores[j, slot]), comps, text,
                                         bool(result.pinned[j, slot])))
            out[member.email] = ranked
        return out

    def _load(self, wanted: Sequence[Member] | None) -> _Loaded:
        """Load candidates, their vectors and audience, every member's profile, personas."""
        import numpy as np

        from .embeddings import encode_cached, text_hash
        from .profiles.access import visible_to
        from .profiles.feedback import counts_for, decay_between, event_weight
        from .profiles.personas import persona_text
        from .profiles.profile import area_affinity
        from .ranking.stages import (
            MemberBatch,
            audience_matrix,
            make_pool,
            profile_vectors,
            with_audience,
        )
        from .storage import ItemQuery
        from .storage.embeddings import DbEmbeddingCache

        now = self.clock.now()
        enc = self.encoder
        items = self.storage.list_items(ItemQuery(limit=MAX_CANDIDATES, since=now - timedelta(days=RECENT_DAYS)))
        if len(items) < MIN_CANDIDATES:
            items = self.storage.list_items(ItemQuery(limit=max(MIN_CANDIDATES, 1000)))
        vecs = self.embed_items(items) if items else np.zeros((0, enc.dim), dtype=np.float32)
        quality_counts = self.member_store.source_feedback_counts()
        pins = self.member_store.active_pins(now)
        pool = make_pool(
            [i.id for i in items], vecs,
            np.stack([item_area_vector(i) for i in items]) if items else np.zeros((0, len(AREA_IDS))),
            np.array([0.5 ** (max(0.0, (now - i.published).total_seconds()) / 86400.0 / FRESHNESS_HALF_LIFE_DAYS)
                      for i in items], dtype=np.float32),
            np.array([(quality_counts.get(i.source_id, (0, 0))[0] + 1.0)
                      / (sum(quality_counts.get(i.source_id, (0, 0))) + 2.0) for i in items], dtype=np.float32),
            visibility=[i.visibility for i in items], duplicate_of=[i.duplicate_of for i in items],
            pinned=["all" in pins.get(i.id, ()) for i in items])
        persona_map = self.personas()
        persona_list = list(persona_map.values())
        pvecs = (encode_cached(enc, [persona_text(p) for p in persona_list],
                               [text_hash(persona_text(p), "query") for p in persona_list],
                               DbEmbeddingCache(self.storage), kind="query")
                 if persona_list else np.zeros((0, enc.dim), dtype=np.float32))
        members = self.members()
        row_of = {m.id: r for r, m in enumerate(members)}
        profiles = self.member_store.get_profiles(None)
        n, d = len(members), enc.dim
        declared = np.zeros((n, d), dtype=np.float32)
        positive = np.zeros((n, d), dtype=np.float32)
        negative = np.zeros((n, d), dtype=np.float32)
        pw = np.zeros(n)
        nw = np.zeros(n)
        aff = np.zeros((n, len(AREA_IDS)), dtype=np.float32)
        followed = np.zeros((n, len(AREA_IDS)), dtype=bool)
        pidx = np.full(n, -1, dtype=np.int64)
        pid_row = {p.id: k for k, p in enumerate(persona_list)}
        from .profiles.feedback import decay

        for r, m in enumerate(members):
            p = profiles.get(m.id)
            area_fb = None
            if p is not None and p.model_id == enc.model_id:
                fac = decay((now - p.as_of).total_seconds())
                declared[r] = np.frombuffer(p.declared, "<f4")
                positive[r] = np.frombuffer(p.positive, "<f4") * fac
                negative[r] = np.frombuffer(p.negative, "<f4") * fac
                pw[r], nw[r] = p.positive_weight * fac, p.negative_weight * fac
                area_fb = np.array([p.area_affinity.get(a, 0.0) for a in AREA_IDS], dtype=np.float32) * fac
            persona = persona_map.get(m.persona or "")
            if persona is not None:
                pidx[r] = pid_row[persona.id]
            aff[r] = area_affinity(m.declared_areas, persona.preferred_areas if persona else (), area_fb,
                                   float(pw[r] + nw[r]))
            followed[r] = [a in m.declared_areas for a in AREA_IDS]
        # what each member did: excluded items (hidden / already seen) and liked items
        consent = {m.id: m.tracking_consent for m in members}
        excluded: dict[int, set[int]] = defaultdict(set)
        positives: dict[int, list[tuple[int, float, bool]]] = defaultdict(list)
        likes: list[tuple[int, int, float]] = []
        # everyone's feedback on the candidates (exclusions, audience), and the ranked members'
        # whole history (liked items to quote in explanations); nothing else is loaded
        in_pool = self.member_store.feedback(item_ids=[int(i) for i in pool.item_ids])
        ranked_ids = [m.id for m in (wanted if wanted is not None else members)]
        history = self.member_store.feedback(ranked_ids) if wanted is not None else self.member_store.feedback(None)
        seen_events: set[int] = set()
        for f in [*in_pool, *history]:
            ev = f.event
            if ev.id in seen_events or ev.member_id not in row_of or not counts_for(ev.kind, consent[ev.member_id]):
                continue
            seen_events.add(ev.id)
            excluded[ev.member_id].add(ev.item_id)
            w = event_weight(ev.kind, ev.value) * decay_between(ev.at, now)
            if w > 0:
                positives[ev.member_id].append((ev.item_id, w, ev.kind == "rating"))
                if ev.item_id in pool.index_of:
                    likes.append((row_of[ev.member_id], ev.item_id, w))
        for mid, lst in positives.items():  # strongest first, a handful is enough to explain
            positives[mid] = sorted(lst, key=lambda x: -x[1])[:20]
        batch = MemberBatch(
            declared=declared, positive=positive, negative=negative, positive_weight=pw, negative_weight=nw,
            persona_index=pidx, persona_vectors=np.asarray(pvecs, dtype=np.float32), area_affinity=aff,
            followed=followed, visible=tuple(visible_to(m) for m in members),
            excluded=tuple(np.array(sorted(excluded.get(m.id, ())), dtype=np.int64) for m in members))
        if likes and len(pool):
            centred_profiles = profile_vectors(batch, pool.mean, self.ranking_weights)
            pool = with_audience(pool, audience_matrix(pool, centred_profiles, likes))
        return _Loaded(pool, {i.id: i for i in items}, batch, members, row_of, dict(positives), persona_list)


def fold_events_to(state: Any, events: Sequence[Any], now: datetime) -> Any:
    from .profiles.profile import fold_events

    if not events and state.events_through > 0:
        return state
    return fold_events(state, events, now)


def _centred(v: NDArray[np.float32], mean: NDArray[np.float32]) -> NDArray[np.float32]:
    import numpy as np

    x = np.asarray(v, dtype=np.float32) - mean
    n = float(np.linalg.norm(x))
    return x / n if n else x


def _replace(rec: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(rec, **changes)

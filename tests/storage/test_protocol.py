"""``Storage`` implements ``Store`` exactly: the Protocol lists every public method, each with the
same signature, a contract and the facade methods that use it; the feature layer depends on the
Protocol only."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from curator.storage import Storage, Store

FEATURES = Path(__file__).resolve().parents[2] / "curator" / "features"

PLUMBING = {"read", "write"}
"""Database's connection plumbing: hands out SQLAlchemy connections, for storage's query modules
only, so deliberately not in the Protocol."""


def _public_methods(cls: type) -> set[str]:
    return {name for name in dir(cls)
            if not name.startswith("_") and callable(inspect.getattr_static(cls, name))}


def test_every_public_storage_method_is_in_the_protocol_and_nothing_else() -> None:
    implemented = _public_methods(Storage) - PLUMBING
    declared = _public_methods(Store)
    assert sorted(implemented - declared) == [], "public Storage methods missing from Store"
    assert sorted(declared - implemented) == [], "Store methods Storage does not implement"


def test_signatures_agree() -> None:
    differ = {}
    for name in _public_methods(Store):
        declared = inspect.signature(getattr(Store, name), eval_str=True)
        implemented = inspect.signature(getattr(Storage, name), eval_str=True)
        if declared != implemented:
            differ[name] = (str(declared), str(implemented))
    assert differ == {}


def test_each_method_states_its_contract_and_callers() -> None:
    lacking = [name for name in sorted(_public_methods(Store))
               if "Used by:" not in (inspect.getdoc(getattr(Store, name)) or "")]
    assert lacking == []


def test_the_feature_layer_depends_on_the_protocol_only() -> None:
    concrete = [f"{path.name}:{n}" for path in sorted(FEATURES.glob("*.py"))
                for n, line in enumerate(path.read_text().splitlines(), 1)
                if re.search(r"\bStorage\b", line)]
    assert concrete == [], "features must annotate Store; make_curator passes the concrete Storage"

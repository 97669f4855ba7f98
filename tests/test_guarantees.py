"""One registry of guarantees: the meta-schema, the strategies, the checks and the bundled
specs name the same ids."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from kustomer_contract.generate.strategies import FOCUS_STEPS, SWEEPS
from kustomer_contract.spec import guarantees
from kustomer_contract.spec.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent


def _meta_enum(node: object) -> list[str] | None:
    """The enum under ``guarantees.items.properties.id`` of the meta-schema."""
    found = None
    if isinstance(node, dict):
        if "guarantees" in node and isinstance(node["guarantees"], dict):
            found = node["guarantees"].get("items", {}).get("properties", {}).get("id", {})
            if "enum" in found:
                return found["enum"]
        for value in node.values():
            found = _meta_enum(value) or found
    return found if isinstance(found, list) else None


def test_the_meta_schema_enum_is_the_registry() -> None:
    meta = yaml.safe_load((ROOT / "specs" / "meta-schema.yaml").read_text())
    assert sorted(_meta_enum(meta) or []) == sorted(guarantees.IDS)


def test_the_strategies_focus_on_registered_guarantees() -> None:
    assert set(FOCUS_STEPS) == set(guarantees.IDS) and set(SWEEPS) <= set(guarantees.IDS)


def test_the_engine_judges_every_registered_id_and_no_other() -> None:
    """Every guarantee id the engine's code names is registered; every registered one is
    judged somewhere (engine/checks.py, or the runner and search for the ones about calls)."""
    ids = set(guarantees.IDS)
    judged: set[str] = set()
    for module in ("engine/checks.py", "engine/runner.py", "engine/search.py"):
        text = (ROOT / "kustomer_contract" / module).read_text()
        literal = set(re.findall(r'"([a-z]+(?:-[a-z]+)+)"', text))
        judged |= literal & ids
        reported = set(re.findall(r'Violation\(\s*"([a-z-]+)"', text))
        assert reported <= ids, (module, reported - ids)
    assert judged == ids, ids - judged


def test_bundled_specs_name_registered_guarantees() -> None:
    for version in ("v1", "v2"):
        assert set(load_spec(version).guarantees) <= set(guarantees.IDS), version


def test_every_x_generate_kind_a_spec_may_name_has_a_generator_and_no_other() -> None:
    """spec lint accepts the kinds spec/vocabulary.py names; generate/values.py implements
    them: the two lists are one."""
    from kustomer_contract.generate.values import GENERATORS
    from kustomer_contract.spec.vocabulary import GENERATE_KINDS

    assert set(GENERATORS) == GENERATE_KINDS

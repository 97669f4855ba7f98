"""``explain ID``: what a guarantee, a caller obligation or a validation error code means.

The text is data (``specs/explain.yaml``): for each id its meaning, why it exists, the
document it comes from, and a right and a wrong example in JavaScript. Ids are stable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from .documents import read_yaml as _read_yaml
from .loader import specs_dir
from .types import SpecError

__all__ = ["Entry", "KINDS", "entries", "explain", "format_entry", "known_ids"]

# section of explain.yaml -> what an id of it is
KINDS = {
    "guarantees": "guarantee (what an implementation keeps)",
    "obligations": "caller obligation (what a caller must do)",
    "errors": "validation error code (the schema keyword a problem reports)",
}
_FIELDS = ("meaning", "why", "source", "right", "wrong")


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str  # a key of KINDS
    meaning: str
    why: str
    source: str
    right: str
    wrong: str


@cache
def entries() -> dict[str, Entry]:
    """Every explainable id, from specs/explain.yaml."""
    path = specs_dir() / "explain.yaml"
    located = _read_yaml(path)
    out: dict[str, Entry] = {}
    doc = located.value if isinstance(located.value, Mapping) else {}
    for section in KINDS:
        for key, value in (doc.get(section) or {}).items():
            pointer = f"/{section}/{key}"
            line = located.lines.get(pointer, 0)
            if not isinstance(value, Mapping) or any(
                not isinstance(value.get(f), str) for f in _FIELDS
            ):
                raise SpecError(path, line, pointer, f"needs the text fields {', '.join(_FIELDS)}")
            if key in out:
                raise SpecError(path, line, pointer, "this id is explained twice")
            out[key] = Entry(key, section, *(value[f].strip() for f in _FIELDS))
    return out


def known_ids() -> dict[str, list[str]]:
    by_kind: dict[str, list[str]] = {k: [] for k in KINDS}
    for e in entries().values():
        by_kind[e.kind].append(e.id)
    return by_kind


def explain(id_: str) -> Entry | None:
    return entries().get(id_.strip())


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.splitlines())


def format_entry(e: Entry) -> str:
    return "\n".join(
        [
            f"{e.id}: {KINDS[e.kind]}",
            "",
            e.meaning,
            "",
            f"Why: {e.why}",
            f"Source: {e.source}",
            "",
            "Right:",
            _indent(e.right),
            "",
            "Wrong:",
            _indent(e.wrong),
        ]
    )


def format_known() -> str:
    lines = []
    for kind, ids in known_ids().items():
        lines.append(f"{KINDS[kind]}:")
        lines.append("  " + ", ".join(ids))
    return "\n".join(lines)

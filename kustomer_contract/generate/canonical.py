"""A schema in canonical form (local $ref inlined, type always a list), before any strategy is built."""

from __future__ import annotations

from typing import Any

from .._core.pointer import tokens, unescape

JSON_TYPES = ("null", "boolean", "number", "string", "array", "object")
MAX_ITEMS = 3
MAX_EXTRA_KEYS = 3


# --- canonical form ------------------------------------------------------------------------


RECURSION_UNROLL = 2  # how many times one recursive $ref is unrolled when generating
MAX_DEPTH = 50
UNREACHABLE = "x-unreachable"  # marks a place generation stops: no value is drawn there


# id of a spec's schema -> (that schema, its canonical form): one form per schema, so that
# the strategies built from it (memoised by the schema they read) are built once too.
_CANONICAL: dict[int, tuple[Any, dict]] = {}
_KEPT = 256  # schemas whose form is kept; past it the memo starts afresh


def canonical(schema: Any) -> dict:
    """Inline local refs and spell ``type`` as a list; generation only reads this form.

    A recursive ``$ref`` (a legal tree of ``$defs``) is unrolled ``RECURSION_UNROLL`` times;
    below that the place becomes unreachable (``{"type": []}``): optional there means absent,
    required there means the branch cannot be generated, which the probe then reports.
    The same schema object gives the same form object, which nobody may change.
    """
    known = _CANONICAL.get(id(schema))
    if known is None or known[0] is not schema:
        if len(_CANONICAL) >= _KEPT:
            _CANONICAL.clear()
        known = _CANONICAL[id(schema)] = (schema, _canonical(schema, schema, 0, ()))
    return known[1]


def _canonical(schema: Any, root: Any, depth: int, _refs: tuple[str, ...]) -> dict:
    if schema is True or schema == {}:
        return {}
    if schema is False:
        return {"not": {}, "type": []}
    if depth > MAX_DEPTH:
        return {"type": [], UNREACHABLE: "the schema nests too deep"}
    out: dict[str, Any] = {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        if _refs.count(ref) >= RECURSION_UNROLL:
            return {"type": [], UNREACHABLE: ref}
        target = root
        for token in ref[1:].split("/")[1:]:
            target = target[unescape(token)]
        out.update(_canonical(target, root, depth + 1, _refs + (ref,)))
    for key, value in schema.items():
        if key in ("$ref", "$defs", "$schema"):
            continue
        if key == "type":
            out["type"] = [value] if isinstance(value, str) else list(value)
        elif key in ("properties", "patternProperties"):
            out[key] = {k: _canonical(v, root, depth + 1, _refs) for k, v in value.items()}
        elif key in ("items", "propertyNames") or (
            key == "additionalProperties" and isinstance(value, dict)
        ):
            out[key] = _canonical(value, root, depth + 1, _refs)
        elif key == "not" and (value is True or value == {}):
            out[key], out["type"] = value, []  # admits nothing: generate nothing
        else:
            out[key] = value
    if "type" not in out and "enum" not in out and "const" not in out:
        out["type"] = list(JSON_TYPES)
    return out


# --- narrowed forms ------------------------------------------------------------------------


def requiring(schema: dict, pointer: str, shape: str = "list") -> dict | None:
    """A copy of canonical ``schema`` whose instances hold a non-empty value at ``pointer``:
    each object on the way requires the next key, and the value there takes one item at
    least (``shape`` "list") or one entry (``shape`` "map"). None where the pointer does not
    go through named properties. Generating from it draws such values outright, where
    filtering the whole schema's values would throw most away."""
    out = dict(schema)
    node = out
    for token in tokens(pointer):
        child = node.get("properties", {}).get(token)
        if not isinstance(child, dict) or "object" not in node.get("type", ()):
            return None
        node["type"] = ["object"]
        node["required"] = sorted({*node.get("required", ()), token})
        node["properties"] = {**node["properties"], token: dict(child)}
        node = node["properties"][token]
    want, least = ("array", "minItems") if shape == "list" else ("object", "minProperties")
    if want not in node.get("type", ()):
        return None
    node["type"] = [want]
    node[least] = max(1, node.get(least, 0))
    return out

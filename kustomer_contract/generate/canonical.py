"""A schema in canonical form (local $ref inlined, type always a list), before any strategy is built."""

from __future__ import annotations

from typing import Any

from .._core.pointer import unescape

JSON_TYPES = ("null", "boolean", "number", "string", "array", "object")
MAX_ITEMS = 3
MAX_EXTRA_KEYS = 3


# --- canonical form ------------------------------------------------------------------------


RECURSION_UNROLL = 2  # how many times one recursive $ref is unrolled when generating
MAX_DEPTH = 50
UNREACHABLE = "x-unreachable"  # marks a place generation stops: no value is drawn there


def canonical(schema: Any, root: Any = None, depth: int = 0, _refs: tuple[str, ...] = ()) -> dict:
    """Inline local refs and spell ``type`` as a list; generation only reads this form.

    A recursive ``$ref`` (a legal tree of ``$defs``) is unrolled ``RECURSION_UNROLL`` times;
    below that the place becomes unreachable (``{"type": []}``): optional there means absent,
    required there means the branch cannot be generated, which the probe then reports.
    """
    root = schema if root is None else root
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
        out.update(canonical(target, root, depth + 1, _refs + (ref,)))
    for key, value in schema.items():
        if key in ("$ref", "$defs", "$schema"):
            continue
        if key == "type":
            out["type"] = [value] if isinstance(value, str) else list(value)
        elif key in ("properties", "patternProperties"):
            out[key] = {k: canonical(v, root, depth + 1, _refs) for k, v in value.items()}
        elif key in ("items", "propertyNames") or (
            key == "additionalProperties" and isinstance(value, dict)
        ):
            out[key] = canonical(value, root, depth + 1, _refs)
        elif key == "not" and (value is True or value == {}):
            out[key], out["type"] = value, []  # admits nothing: generate nothing
        else:
            out[key] = value
    if "type" not in out and "enum" not in out and "const" not in out:
        out["type"] = list(JSON_TYPES)
    return out



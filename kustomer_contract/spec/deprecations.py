"""Deprecation warnings: the parts of a payload the spec marks ``deprecated: true``.

``deprecated`` is a JSON Schema 2020-12 annotation: a payload that uses a deprecated key is
still valid, so these are warnings, never errors. The walk is generic: it follows the
payload through ``properties``, ``patternProperties``, ``additionalProperties``, ``items``,
``prefixItems``, local ``$ref`` and the applicators (``allOf`` always, ``anyOf`` / ``oneOf``
/ ``then`` / ``else`` where the payload matches), and reports every value whose schema says
``deprecated: true``. The message comes from the schema's ``x-hints: {deprecated: ...}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._core.pointer import escape as _escape
from .._core.pointer import last as last_token
from .._core.pointer import resolve as at_pointer
from .._core.text import json_repr
from .schemas import Problem, ecma_regex
from .types import Spec

__all__ = ["deprecations", "deprecations_in"]


def deprecations(
    spec: Spec, payload: Any, part: str = "options", method: str | None = None
) -> list[Problem]:
    """Warnings (keyword ``deprecated``) for a method's ``options`` or ``response`` payload."""
    m = spec.methods[method or spec.target.name]
    schema = m.options_schema if part == "options" else m.response_schema
    return deprecations_in(schema, payload)


def deprecations_in(schema: Any, payload: Any) -> list[Problem]:
    """Warnings for ``payload`` against any JSON Schema (``schema`` is its own root)."""
    found = {p for p in _walk(schema, schema, payload, "", 0)}
    return sorted(found)


def _message(pointer: str, schema: Mapping) -> str:
    hints = schema.get("x-hints")
    hint = hints.get("deprecated") if isinstance(hints, Mapping) else None
    name = last_token(pointer)
    what = json_repr(name) if name else "this payload"
    return f"{what} is deprecated" + (f": {hint}" if isinstance(hint, str) else "")


def _resolve(root: Any, ref: str) -> Any:
    return at_pointer(root, ref[1:])[1]


def _matches(root: Any, schema: Any, instance: Any) -> bool:
    from jsonschema import Draft202012Validator

    if not isinstance(schema, (Mapping, bool)):
        return False
    if isinstance(schema, Mapping) and "$defs" not in schema and isinstance(root, Mapping):
        schema = {**schema, "$defs": root.get("$defs", {})}
    try:
        return Draft202012Validator(schema).is_valid(instance)
    except Exception:  # an unresolvable subschema: do not guess
        return False


def _walk(root: Any, schema: Any, instance: Any, pointer: str, depth: int) -> Iterator[Problem]:
    if not isinstance(schema, Mapping) or depth > 64:
        return
    if schema.get("deprecated") is True:
        yield Problem(pointer, "deprecated", _message(pointer, schema))
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        yield from _walk(root, _resolve(root, ref), instance, pointer, depth + 1)
    for sub in schema.get("allOf", ()):
        yield from _walk(root, sub, instance, pointer, depth + 1)
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key, ()):
            if _matches(root, sub, instance):
                yield from _walk(root, sub, instance, pointer, depth + 1)
    if "if" in schema:
        branch = "then" if _matches(root, schema["if"], instance) else "else"
        yield from _walk(root, schema.get(branch), instance, pointer, depth + 1)
    if isinstance(instance, Mapping):
        props = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        for key, value in instance.items():
            child = f"{pointer}/{_escape(str(key))}"
            matched = False
            if isinstance(props, Mapping) and key in props:
                matched = True
                yield from _walk(root, props[key], value, child, depth + 1)
            if isinstance(patterns, Mapping):
                for pattern, sub in patterns.items():
                    try:
                        hit = ecma_regex(pattern).search(str(key))
                    except Exception:  # noqa: BLE001 - a bad pattern is lint's business
                        hit = None
                    if hit:
                        matched = True
                        yield from _walk(root, sub, value, child, depth + 1)
            if not matched:
                yield from _walk(root, schema.get("additionalProperties"), value, child, depth + 1)
    elif isinstance(instance, list):
        prefix = schema.get("prefixItems", [])
        for i, value in enumerate(instance):
            sub = prefix[i] if isinstance(prefix, list) and i < len(prefix) else schema.get("items")
            yield from _walk(root, sub, value, f"{pointer}/{i}", depth + 1)

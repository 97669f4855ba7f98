"""The checks the loader runs on a spec's schemas: they compile, their local ``$ref`` point
somewhere, their patterns compile, and each admits at least one value."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeGuard

from .._core.pointer import escape as _escape
from .._core.pointer import resolve as at_pointer
from .._core.pointer import unescape
from .types import SpecError
from .vocabulary import GENERATE_KINDS


def _local_refs(schema: Any, root: Any, pointer: str):
    """Local $refs that point to nothing, or are not JSON pointers (anchors are unsupported)."""
    if isinstance(schema, list):
        for i, v in enumerate(schema):
            yield from _local_refs(v, root, f"{pointer}/{i}")
    elif isinstance(schema, Mapping):
        for key, value in schema.items():
            child = f"{pointer}/{_escape(key)}"
            if key in ("enum", "const", "examples", "default") or key.startswith("x-"):
                continue
            if key == "$ref" and isinstance(value, str) and value.startswith("#"):
                if value != "#" and not value.startswith("#/"):
                    yield child, f"{value!r}: only JSON-pointer $refs (#/...) are supported"
                elif not at_pointer(root, value[1:])[0]:
                    yield child, f"{value!r}: $ref to nothing (no such place in this schema)"
            else:
                yield from _local_refs(value, root, child)


def check_schemas(doc: Mapping[str, Any], fail) -> None:

    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    for name, m in doc["methods"].items():
        for part in ("options", "response"):
            if part not in m:
                continue
            base = f"/methods/{_escape(name)}/{part}"
            for ptr, pattern in patterns_in(m[part], base):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    fail(ptr, f"regex {pattern!r} does not compile: {exc}")
            try:
                Draft202012Validator.check_schema(m[part])
            except SchemaError as exc:
                ptr = base + "".join(f"/{_escape(str(p))}" for p in exc.absolute_path)
                fail(ptr, f"not a valid JSON Schema: {exc.message}")
            for ptr, why in _local_refs(m[part], m[part], base):
                fail(ptr, why)
            for ptr, why in _contradictions(m[part], base):
                fail(ptr, f"no value can be valid here: {why}")
            empty = _Emptiness(m[part], base).of(m[part], base)
            if empty is not None:
                ptr, why = empty
                what = "options" if part == "options" else "response"
                fail(ptr, f"the spec admits no valid {what} for {name} at all: {why}")


def patterns_in(schema: Any, ptr: str) -> Iterator[tuple[str, str]]:
    """Every ``pattern`` and ``patternProperties`` key of a schema, with its pointer; values
    (``examples``, ``enum``, ``const``, ``default``, ``x-`` keys) are data, not schemas."""
    if isinstance(schema, list):
        for i, v in enumerate(schema):
            yield from patterns_in(v, f"{ptr}/{i}")
        return
    if not isinstance(schema, Mapping):
        return
    for key, value in schema.items():
        child = f"{ptr}/{_escape(key)}"
        if key in ("examples", "enum", "const", "default") or key.startswith("x-"):
            continue
        if key == "pattern" and isinstance(value, str):
            yield child, value
        elif key == "patternProperties" and isinstance(value, Mapping):
            for pattern, sub in value.items():
                yield f"{child}/{_escape(pattern)}", pattern
                yield from patterns_in(sub, f"{child}/{_escape(pattern)}")
        else:
            yield from patterns_in(value, child)


# --- schemas that admit nothing ----------------------------------------------------------

_BOUNDS = (
    ("minLength", "maxLength", "string"),
    ("minItems", "maxItems", "array"),
    ("minProperties", "maxProperties", "object"),
    ("minimum", "maximum", "number"),
)
_TYPES = {"null", "boolean", "integer", "number", "string", "array", "object"}
_ANNOTATIONS = {"title", "description", "$comment", "examples", "default", "deprecated"}


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_type(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("number", "integer"):
        return _number(value) and (kind == "number" or float(value).is_integer())
    kinds = {"string": str, "array": list, "object": dict}
    return isinstance(value, kinds[kind])


def _blocked_types(node: Mapping[str, Any]) -> dict[str, str]:
    """The JSON types this schema object's own bounds rule out, each with why."""
    out: dict[str, str] = {}
    for lo, hi, kind in _BOUNDS:
        a, b = node.get(lo), node.get(hi)
        if _number(a) and _number(b) and a > b:
            out[kind] = f"{lo} {a} is above {hi} {b}"
    numbers = [(k, node.get(k)) for k in ("minimum", "exclusiveMinimum")]
    tops = [(k, node.get(k)) for k in ("maximum", "exclusiveMaximum")]
    for lk, lv in numbers:
        for hk, hv in tops:
            strict = lk.startswith("exclusive") or hk.startswith("exclusive")
            if _number(lv) and _number(hv) and (lv > hv or (strict and lv >= hv)):
                out["number"] = f"{lk} {lv} and {hk} {hv} leave no number"
    if "number" in out:
        out["integer"] = out["number"]
    return out


def _contradictions(schema: Any, pointer: str):
    """Schema objects whose own keywords rule out every value: bounds the wrong way round,
    an empty type list, an enum or const none of whose values has the schema's type."""
    if isinstance(schema, list):
        for i, item in enumerate(schema):
            yield from _contradictions(item, f"{pointer}/{i}")
        return
    if not isinstance(schema, Mapping):
        return
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    blocked = _blocked_types(schema)
    if blocked:  # bounds the wrong way round are never what the author meant
        yield pointer, next(iter(blocked.values()))
    if isinstance(kinds, list) and not kinds:
        yield f"{pointer}/type", "type lists no type"
    elif isinstance(kinds, list) and all(k in _TYPES for k in kinds):
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            # one pass over the enum, however long it is
            if not any(_is_type(v, k) for v in schema["enum"] for k in kinds):
                yield f"{pointer}/enum", f"no value of the enum is of type {' or '.join(kinds)}"
        elif "const" in schema and not any(_is_type(schema["const"], k) for k in kinds):
            yield f"{pointer}/const", f"the const is not of type {' or '.join(kinds)}"
    if schema.get("enum") == []:
        yield f"{pointer}/enum", "the enum lists no value"
    for key, value in schema.items():
        if key in ("enum", "const", "examples", "default") or key.startswith("x-"):
            continue
        child = f"{pointer}/{_escape(key)}"
        if key in ("properties", "patternProperties", "$defs", "dependentSchemas") and isinstance(
            value, Mapping
        ):
            for name, sub in value.items():
                yield from _contradictions(sub, f"{child}/{_escape(name)}")
        elif isinstance(value, (Mapping, list)):
            yield from _contradictions(value, child)


def _universal(schema: Any) -> bool:
    """True for a schema that accepts everything: true, {}, or annotations only."""
    if schema is True:
        return True
    return isinstance(schema, Mapping) and all(
        k in _ANNOTATIONS or k.startswith("x-") for k in schema
    )


class _Emptiness:
    """Whether a schema admits no value at all, found where it is cheap to see: false,
    ``not: {}``, a required property that admits nothing, bounds that rule out every type,
    allOf with an empty part, anyOf / oneOf whose every branch is empty. Returns the pointer
    of the cause and why, or None (which means "maybe satisfiable", not "satisfiable")."""

    def __init__(self, root: Any, base: str) -> None:
        self.root, self.base = root, base
        self.active: set[str] = set()

    def of(self, node: Any, ptr: str) -> tuple[str, str] | None:
        if node is False:
            return ptr, "the schema is false"
        if not isinstance(node, Mapping):
            return None
        if _universal(node.get("not", None)) and "not" in node:
            return f"{ptr}/not", "'not' of a schema that accepts everything rules out every value"
        if "enum" in node and node["enum"] == []:
            return f"{ptr}/enum", "the enum lists no value"
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#") and ref not in self.active:
            found, target = at_pointer(self.root, ref[1:])
            if found:
                self.active.add(ref)
                try:
                    hit = self.of(target, self.base + ref[1:])
                finally:
                    self.active.discard(ref)
                if hit:
                    return hit
        for i, sub in enumerate(node.get("allOf") or []):
            hit = self.of(sub, f"{ptr}/allOf/{i}")
            if hit:
                return hit
        for key in ("anyOf", "oneOf"):
            branches = node.get(key)
            if isinstance(branches, list) and branches:
                hits = [self.of(b, f"{ptr}/{key}/{i}") for i, b in enumerate(branches)]
                if all(hits):
                    assert hits[0] is not None  # all(hits)
                    return f"{ptr}/{key}", f"every branch of {key} admits nothing ({hits[0][1]})"
        kinds = node.get("type", sorted(_TYPES))
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not isinstance(kinds, list):
            return None
        if not kinds:
            return f"{ptr}/type", "type lists no type"
        why: dict[str, tuple[str, str]] = {k: (ptr, v) for k, v in _blocked_types(node).items()}
        if "object" in kinds and "object" not in why:
            hit = self._object(node, ptr)
            if hit:
                why["object"] = hit
        if "array" in kinds and "array" not in why:
            min_items = node.get("minItems", 0)
            if _number(min_items) and min_items >= 1 and "items" in node:
                hit = self.of(node["items"], f"{ptr}/items")
                if hit:
                    why["array"] = hit
        if all(k in why or (k == "integer" and "number" in why) for k in kinds):
            return why.get(kinds[0]) or why["number"]
        return None

    def _object(self, node: Mapping[str, Any], ptr: str) -> tuple[str, str] | None:

        props = node.get("properties")
        props = props if isinstance(props, Mapping) else {}
        patterns = node.get("patternProperties")
        patterns = patterns if isinstance(patterns, Mapping) else {}
        for key in node.get("required") or []:
            if not isinstance(key, str):
                continue
            if key in props:
                hit = self.of(props[key], f"{ptr}/properties/{_escape(key)}")
                if hit:
                    return hit
                continue
            matched = False
            for pattern, sub in patterns.items():
                try:
                    if re.search(pattern, key):
                        matched = True
                        hit = self.of(sub, f"{ptr}/patternProperties/{_escape(pattern)}")
                        if hit:
                            return hit
                except re.error:
                    matched = True
            if not matched and "additionalProperties" in node:
                extra = node["additionalProperties"]
                hit = self.of(extra, f"{ptr}/additionalProperties")
                if hit:
                    return (
                        f"{ptr}/required",
                        f"{key!r} is required but no property may be called so",
                    )
        return None


def sense_problems(doc: Mapping, at) -> list[SpecError]:
    """Problems of sense in an assembled spec document (the loader raises the first)."""
    return _sense(doc, at)


def _sense(doc: Mapping, at) -> list[SpecError]:
    out: list[SpecError] = []
    methods = doc.get("methods")
    methods = methods if isinstance(methods, Mapping) else {}
    for i, rule in enumerate(doc.get("rules") or []):
        if not isinstance(rule, Mapping):
            continue
        for key in ("method", "after"):
            if key in rule and rule[key] not in methods:
                known = ", ".join(methods) or "none"
                out.append(
                    at(
                        f"/rules/{i}/{key}",
                        f"names {rule[key]!r}, which no method defines ({known})",
                    )
                )
    seen: dict[str, int] = {}
    for i, g in enumerate(doc.get("guarantees") or []):
        gid = g.get("id") if isinstance(g, Mapping) else None
        if isinstance(gid, str):
            if gid in seen:
                out.append(
                    at(
                        f"/guarantees/{i}/id",
                        f"guarantee id {gid!r} is used twice (first at /guarantees/{seen[gid]})",
                    )
                )
            seen.setdefault(gid, i)
    target = doc.get("target")
    if isinstance(target, str) and methods and target not in methods:
        out.append(at("/target", f"{target!r} is not one of the methods ({', '.join(methods)})"))
    for name, m in methods.items():
        if not isinstance(m, Mapping):
            continue
        base = f"/methods/{_escape(name)}"
        for part in ("options", "response"):
            if part in m:
                out += _schema_sense(m[part], m[part], f"{base}/{part}", at)
        for i, r in enumerate(m.get("reflects") or []):
            if not isinstance(r, Mapping):
                continue
            for key, part in (("input", "options"), ("output", "response")):
                ptr = r.get(key)
                if isinstance(ptr, str) and not _has_pointer(m.get(part), ptr):
                    out.append(
                        at(
                            f"{base}/reflects/{i}/{key}",
                            f"{ptr!r} is not a place the {part} schema of {name} describes",
                        )
                    )
        if isinstance(m.get("klass"), str) and not _has_pointer(m.get("options"), m["klass"]):
            out.append(
                at(
                    f"{base}/klass",
                    f"{m['klass']!r} is not a place the options schema of {name} describes",
                )
            )
    return out


def _schema_sense(root: Any, schema: Any, ptr: str, at) -> Iterator[SpecError]:
    from .schemas import ecma_regex

    if isinstance(schema, list):
        for i, v in enumerate(schema):
            yield from _schema_sense(root, v, f"{ptr}/{i}", at)
        return
    if not isinstance(schema, Mapping):
        return
    for key, value in schema.items():
        child = f"{ptr}/{_escape(key)}"
        if key in ("examples", "enum", "const", "default") or (
            key.startswith("x-") and key != "x-generate"
        ):
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith("#"):
            if not _resolves(root, value):
                yield at(child, f"{value!r}: $ref to nothing (no such place in this schema)")
        elif key == "pattern" and isinstance(value, str):
            problem = _regex_problem(ecma_regex, value)
            if problem:
                yield at(child, f"regex {value!r} does not compile: {problem}")
        elif key == "x-generate":
            kind = value.get("kind") if isinstance(value, Mapping) else value
            kinds = GENERATE_KINDS
            if kind not in kinds:
                yield at(
                    child,
                    f"unknown x-generate kind {kind!r}: known kinds are {', '.join(sorted(kinds))}",
                )
        elif key == "patternProperties" and isinstance(value, Mapping):
            for pattern, sub in value.items():
                pptr = f"{child}/{_escape(pattern)}"
                problem = _regex_problem(ecma_regex, pattern)
                if problem:
                    yield at(pptr, f"regex {pattern!r} does not compile: {problem}")
                yield from _schema_sense(root, sub, pptr, at)
        else:
            yield from _schema_sense(root, value, child, at)


def _regex_problem(compile_, pattern: str) -> str | None:
    try:
        compile_(pattern)
    except re.error as exc:
        return str(exc)
    return None


def _resolves(root: Any, ref: str) -> bool:
    return _deref_path(root, ref) is not _MISSING


_MISSING = object()


def _deref_path(root: Any, ref: str) -> Any:
    found, value = at_pointer(root, ref[1:])
    return value if found else _MISSING


def _has_pointer(schema: Any, pointer: str) -> bool:
    """Whether a payload place (e.g. /attributes/x) is one the schema names."""
    from .schemas import ecma_regex

    node = schema
    for token in pointer.split("/")[1:]:
        token = unescape(token)
        for _ in range(32):  # follow local $refs
            if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
                target = _deref_path(schema, node["$ref"])
                if target is _MISSING:
                    return False
                node = target
            else:
                break
        if not isinstance(node, Mapping):
            return False
        props = node.get("properties")
        props = props if isinstance(props, Mapping) else {}
        if token in props:
            node = props[token]
            continue
        pats = node.get("patternProperties")
        pats = pats if isinstance(pats, Mapping) else {}
        hit = None
        for pattern, sub in pats.items():
            try:
                if ecma_regex(pattern).search(token):
                    hit = sub
                    break
            except re.error:
                continue
        if hit is not None:
            node = hit
            continue
        if isinstance(node.get("additionalProperties"), Mapping):
            node = node["additionalProperties"]
            continue
        return False
    return True

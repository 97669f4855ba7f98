"""Values a canonical schema accepts, drawn as hypothesis strategies."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from hypothesis import strategies as st

from .._core.pointer import escape as _escape
from ..spec.schemas import ecma_regex
from ..spec.types import Klass
from . import values
from .canonical import MAX_EXTRA_KEYS, MAX_ITEMS, UNREACHABLE

# --- valid values --------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What generation needs beyond the schema: the Klass and where its names go."""

    klass: Klass | None = None
    klass_pointer: str | None = None
    # The sweep's wish: one site per near miss of a format, instead of one site drawing any.
    every_near_miss: bool = False


_T = TypeVar("_T")
# (builder, id of the schema, its other arguments) -> (the schema, what was built). A strategy
# is built once per schema and place: hypothesis validates and compiles (a regex, say) each
# new strategy object on its first draw, so building the same one again costs that again.
_BUILT: dict[tuple[Any, ...], tuple[dict, Any]] = {}
_KEPT = 20_000  # strategies kept; past it the memo starts afresh (a long session stays small)


def _once_per_schema(build: Callable[..., _T]) -> Callable[..., _T]:
    @functools.wraps(build)
    def built(schema: dict, *args: Any) -> _T:
        key = (build, id(schema), *args)
        known = _BUILT.get(key)
        if known is None or known[0] is not schema:  # an id reused by another schema
            if len(_BUILT) >= _KEPT:
                _BUILT.clear()
            known = _BUILT[key] = (schema, build(schema, *args))
        return known[1]

    return built


@_once_per_schema
def from_schema(
    schema: dict[str, Any], ctx: Context = Context(), pointer: str = ""
) -> st.SearchStrategy:
    """Valid instances of a canonical schema (the subset of keywords specs use)."""
    if UNREACHABLE in schema:
        return st.nothing()
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return _enum_values(schema["enum"])
    return st.one_of([_of_type(t, schema, ctx, pointer) for t in schema["type"]])


_ENUMS: dict[int, tuple[list, st.SearchStrategy]] = {}


def _enum_values(enum: list) -> st.SearchStrategy:
    """One sampled_from per enum list: a long enum is copied once, not once per use."""
    known = _ENUMS.get(id(enum))
    if known is None or known[0] is not enum:
        known = _ENUMS[id(enum)] = (enum, st.sampled_from(enum))
    return known[1]


def _of_type(kind: str, schema: dict, ctx: Context, pointer: str) -> st.SearchStrategy:
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(-(2**53) + 1, 2**53 - 1)
    if kind == "number":
        return st.one_of(
            st.integers(-(10**9), 10**9),
            st.floats(-1e15, 1e15, allow_nan=False, allow_infinity=False),
            st.sampled_from([0, -1, 0.5, 2**53 - 1, 1e-7]),
        )
    if kind == "string":
        return string_strategy(schema)
    if kind == "array":
        lo = schema.get("minItems", 0)
        hi = schema.get("maxItems", max(MAX_ITEMS, lo))
        if lo > hi:  # the loader refuses this; never let hypothesis raise on it
            return st.nothing()
        items = from_schema(schema.get("items", {}), ctx, pointer + "/-")
        return st.lists(items, min_size=lo, max_size=hi)
    if kind == "object":
        return object_strategy(schema, ctx, pointer)
    raise ValueError(f"type {kind!r} is not a JSON Schema type")


def string_strategy(schema: dict) -> st.SearchStrategy[str]:
    lo, hi = schema.get("minLength", 0), schema.get("maxLength")
    if hi is not None and lo > hi:  # the loader refuses this; never let hypothesis raise on it
        return st.nothing()
    base = values.generator_for(schema)
    if base is None and "pattern" in schema:
        alphabet = values.SAFE_TEXT
        base = st.from_regex(
            ecma_regex(schema["pattern"]).python, fullmatch=True, alphabet=alphabet
        )
    if base is None:
        return values.plain_text(lo, hi)
    return base.filter(lambda s: _string_ok(s, schema))


def _string_ok(text: str, schema: dict) -> bool:
    if len(text) < schema.get("minLength", 0) or len(text) > schema.get("maxLength", math.inf):
        return False
    return "pattern" not in schema or bool(ecma_regex(schema["pattern"]).search(text))


_NAME_CHARS = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@_once_per_schema
def key_strategy(schema: dict, ctx: Context, pointer: str) -> st.SearchStrategy[str] | None:
    """Names for the open part of an object: Klass names, examples, or the name pattern."""
    names = schema.get("propertyNames", {})
    patterns = list(schema.get("patternProperties", {}))
    if not patterns and not isinstance(schema.get("additionalProperties"), dict):
        return None
    if ctx.klass is not None and pointer == ctx.klass_pointer:
        known = sorted(n for n in ctx.klass.attributes if _key_allowed(n, schema))
        return st.sampled_from(known) if known else None
    options = []
    if names.get("examples"):
        options.append(st.sampled_from(names["examples"]))
    if "pattern" in names:
        options.append(
            st.from_regex(ecma_regex(names["pattern"]).python, fullmatch=True, alphabet=_NAME_CHARS)
        )
    for pattern in patterns:  # unanchored (e.g. "Str$"): the generated prefix makes the name
        options.append(st.from_regex(ecma_regex(pattern).python, alphabet=_NAME_CHARS))
    return st.one_of(options).filter(lambda k: _key_allowed(k, schema))


@_once_per_schema
def keys_matching(schema: dict, pattern: str) -> st.SearchStrategy[str]:
    """Names for the open part of an object that ``pattern`` (a patternProperties key) takes,
    drawn from that pattern itself (not drawn from any name, then filtered: a rare hit)."""
    regex = ecma_regex(pattern)
    named = [n for n in schema.get("propertyNames", {}).get("examples", ()) if regex.search(n)]
    drawn = st.from_regex(regex.python, alphabet=_NAME_CHARS)
    options = [st.sampled_from(named), drawn] if named else [drawn]
    return st.one_of(options).filter(lambda k: _key_allowed(k, schema) and bool(regex.search(k)))


def _key_allowed(key: str, schema: dict) -> bool:
    names = schema.get("propertyNames", {})
    if "pattern" in names and not ecma_regex(names["pattern"]).search(key):
        return False
    if key in schema.get("properties", {}):
        return False
    return bool(schema_for_key(key, schema)) or isinstance(schema.get("additionalProperties"), dict)


def schema_for_key(key: str, schema: dict) -> dict | None:
    for pattern, sub in schema.get("patternProperties", {}).items():
        if ecma_regex(pattern).search(key):
            return sub
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


@_once_per_schema
def object_strategy(schema: dict, ctx: Context, pointer: str) -> st.SearchStrategy[dict]:
    props = schema.get("properties", {})
    required = set(schema.get("required", ()))
    fixed = st.fixed_dictionaries(
        {
            k: from_schema(v, ctx, f"{pointer}/{_escape(k)}")
            for k, v in props.items()
            if k in required
        },
        optional={
            k: from_schema(v, ctx, f"{pointer}/{_escape(k)}")
            for k, v in props.items()
            if k not in required
        },
    )
    keys = key_strategy(schema, ctx, pointer)
    if keys is None:
        return fixed
    # minProperties beyond the required ones is met by the open part (a narrowed schema's map).
    least = min(max(0, schema.get("minProperties", 0) - len(required)), MAX_EXTRA_KEYS)
    names = st.lists(keys, min_size=least, max_size=MAX_EXTRA_KEYS, unique=True)
    values_of = _open_values(schema, ctx, pointer)

    @st.composite
    def with_open_part(draw) -> dict:
        out = draw(fixed)
        for key in draw(names):
            out[key] = draw(values_of(key))
        return out

    return with_open_part()


_ANY_VALUE: dict = {}  # a key no sub-schema names takes any value


def _open_values(schema: dict, ctx: Context, pointer: str) -> Callable[[str], st.SearchStrategy]:
    """key -> the strategy of its value in the open part of an object, built once per
    sub-schema (not per key and draw: hypothesis validates every new strategy it draws from).
    Where a Klass pointer lies below, the key's own pointer may matter: built per key then."""
    if ctx.klass_pointer is not None and ctx.klass_pointer.startswith(pointer + "/"):
        return lambda key: from_schema(
            schema_for_key(key, schema) or _ANY_VALUE, ctx, f"{pointer}/{_escape(key)}"
        )
    built: dict[int, st.SearchStrategy] = {}  # by id of the sub-schema, which schema holds

    def values_of(key: str) -> st.SearchStrategy:
        sub = schema_for_key(key, schema) or _ANY_VALUE
        if id(sub) not in built:
            built[id(sub)] = from_schema(sub, ctx, f"{pointer}/*")
        return built[id(sub)]

    return values_of

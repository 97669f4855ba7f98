"""Values a schema refuses, each labelled with the one rule it breaks (pointer, keyword)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from hypothesis import strategies as st

from .._core.pointer import escape as _escape
from ..spec.schemas import PayloadValidator, ecma_regex
from . import values
from .canonical import JSON_TYPES, MAX_ITEMS, UNREACHABLE
from .valid import (
    Context,
    from_schema,
    key_strategy,
    keys_matching,
    object_strategy,
    schema_for_key,
    string_strategy,
)


@dataclass(frozen=True)
class Invalid:
    """A payload that breaks exactly one rule, and which: where, what keyword, the message."""

    value: Any
    pointer: str
    keyword: str
    message: str = ""

    def label(self) -> dict[str, str]:
        return {"pointer": self.pointer, "keyword": self.keyword, "message": self.message}


# --- labelled invalid values ---------------------------------------------------------------

_OTHER_TYPE_VALUES = {
    "null": st.none(),
    "boolean": st.booleans(),
    "number": st.one_of(st.integers(-5, 5000), st.sampled_from([1.5, -0.25])),
    "string": st.one_of(
        st.sampled_from(["", "0", "true", "null", "undefined"]),
        st.text(values.SAFE_TEXT, max_size=8),
    ),
    "array": st.sampled_from([[], ["x"]]),
    "object": st.sampled_from([{}, {"value": "x"}]),
}


def _wrong_type(schema: dict) -> st.SearchStrategy | None:
    allowed = set(schema["type"])
    if "number" in allowed:
        allowed.add("integer")
    others = [s for t, s in _OTHER_TYPE_VALUES.items() if t not in allowed]
    if "integer" in allowed and "number" not in allowed:
        others.append(st.just(0.5))
    return st.one_of(others) if others else None


def _local_violations(schema: dict, ctx: Context, pointer: str) -> list[st.SearchStrategy]:
    """Strategies of (value, relative pointer, keyword) that break this schema's own keywords."""
    found: list[st.SearchStrategy] = []
    at = lambda keyword: lambda v: (v, "", keyword)  # noqa: E731
    if "enum" in schema:
        enum = schema["enum"]
        text = [str(e) for e in enum if isinstance(e, str)]
        misses = (
            [s.capitalize() for s in text]
            + [s.upper() for s in text]
            + [f" {s}" for s in text]
            + ["", "other"]
        )
        members = {e for e in enum if isinstance(e, str)}  # a set: long enums stay linear
        found.append(st.sampled_from([m for m in misses if m not in members]).map(at("enum")))
        return found
    if "type" in schema and set(schema["type"]) != set(JSON_TYPES):
        wrong = _wrong_type(schema)
        if wrong is not None:
            found.append(wrong.map(at("type")))
    if "string" in schema.get("type", ()):
        valid = string_strategy(schema)
        if "pattern" in schema:
            regex = ecma_regex(schema["pattern"])
            near_misses = valid.flatmap(values.string_near_misses) | st.text(
                values.SAFE_TEXT, max_size=12
            )
            found.append(near_misses.filter(lambda s: not regex.search(s)).map(at("pattern")))
            for outside in values.just_outside(schema):  # one past each limit a generator knows
                past = outside.filter(lambda s: not regex.search(s)).map(at("pattern"))
                found.extend([past] * 3)  # off-by-one limits are the likeliest bug: drawn often
        if "maxLength" in schema:
            longer = dict(
                schema, minLength=schema["maxLength"] + 1, maxLength=schema["maxLength"] + 12
            )
            found.append(string_strategy(longer).map(at("maxLength")))
        if schema.get("minLength", 0) > 0:
            found.append(
                st.text(values.SAFE_TEXT, max_size=schema["minLength"] - 1).map(at("minLength"))
            )
        misses = values.FORMAT_NEAR_MISSES.get(schema.get("format", ""), [])
        if misses and ctx.every_near_miss:  # a loose check lets only a few through: try each
            found.extend(st.just(m).map(at("format")) for m in misses)
        elif misses:
            found.append(st.sampled_from(misses).map(at("format")))
    if "object" in schema.get("type", ()):
        found.extend(_object_violations(schema, ctx, pointer))
    if "array" in schema.get("type", ()):
        items = from_schema(schema.get("items", {}), ctx, pointer + "/-")
        if "maxItems" in schema:
            n = schema["maxItems"] + 1
            found.append(st.lists(items, min_size=n, max_size=n).map(at("maxItems")))
        if schema.get("minItems", 0) > 0:
            found.append(st.lists(items, max_size=schema["minItems"] - 1).map(at("minItems")))
    return found


def _object_violations(schema: dict, ctx: Context, pointer: str) -> list[st.SearchStrategy]:
    found: list[st.SearchStrategy] = []
    base = object_strategy(schema, ctx, pointer)
    props = schema.get("properties", {})
    for key in schema.get("required", ()):
        found.append(
            # mypy cannot type a lambda with a default argument (python/mypy#15459).
            base.map(lambda o, k=key: ({x: v for x, v in o.items() if x != k}, "", "required"))  # type: ignore[misc]
        )
    names = schema.get("propertyNames", {})
    seeds = (
        list(props)
        + list(names.get("examples", ()))
        + (
            sorted(ctx.klass.attributes)
            if ctx.klass is not None and pointer == ctx.klass_pointer
            else []
        )
    )
    wrong_keys = sorted(
        {m for k in seeds for m in values.key_near_misses(k)} | {"some_custom_attribute", "extra"}
    )
    if ctx.klass is not None and pointer == ctx.klass_pointer:
        pass  # a bad name is then also off the Klass: rejects-unknown-custom's case, not ours
    elif "pattern" in names:
        regex = ecma_regex(names["pattern"])
        bad = [k for k in wrong_keys if not regex.search(k) and k not in props]
        if bad:
            found.append(_with_key(base, st.sampled_from(bad), "propertyNames"))
    elif schema.get("additionalProperties") is False:
        bad = [k for k in wrong_keys if k not in props and not schema_for_key(k, schema)]
        found.append(_with_key(base, st.sampled_from(bad), "additionalProperties"))
    return found


def _with_key(base: st.SearchStrategy, keys: st.SearchStrategy, keyword: str) -> st.SearchStrategy:
    @st.composite
    def build(draw):
        obj, key = dict(draw(base)), draw(keys)
        obj[key] = draw(st.sampled_from(["value", 1, None, True]))
        return obj, f"/{_escape(key)}", keyword

    return build()


def violations_of(schema: dict, ctx: Context, pointer: str) -> list[st.SearchStrategy]:
    """Every way to break ``schema`` once, here or anywhere below it."""
    if UNREACHABLE in schema:  # below the unrolled depth of a recursive $ref
        return []
    found = _local_violations(schema, ctx, pointer)
    if "object" in schema.get("type", ()):
        props = schema.get("properties", {})
        for key, sub in props.items():
            for child in violations_of(sub, ctx, f"{pointer}/{_escape(key)}"):
                found.append(_nested_in_object(schema, ctx, pointer, key, child))
        keys = key_strategy(schema, ctx, pointer)
        klass_here = ctx.klass is not None and pointer == ctx.klass_pointer
        for pattern, sub in schema.get("patternProperties", {}).items():
            if keys is None:
                break
            regex = ecma_regex(pattern)
            if klass_here:  # only the Klass's names of this kind; none: no such site
                assert ctx.klass is not None  # klass_here
                named = sorted(n for n in ctx.klass.attributes if regex.search(n))
                if not named:
                    continue
                pattern_keys = st.sampled_from(named)
            else:
                pattern_keys = keys_matching(schema, pattern)
            for child in violations_of(sub, ctx, f"{pointer}/*"):
                found.append(_nested_in_object(schema, ctx, pointer, pattern_keys, child))
    if "array" in schema.get("type", ()) and "items" in schema:
        for child in violations_of(schema["items"], ctx, pointer + "/-"):
            found.append(_nested_in_array(schema, ctx, pointer, child))
    return found


def _nested_in_object(schema, ctx, pointer, key, child) -> st.SearchStrategy:
    base = object_strategy(schema, ctx, pointer)
    keys = key if isinstance(key, st.SearchStrategy) else st.just(key)

    @st.composite
    def build(draw):
        obj, name = dict(draw(base)), draw(keys)
        value, rel, keyword = draw(child)
        obj[name] = value
        return obj, f"/{_escape(name)}{rel}", keyword

    return build()


def _nested_in_array(schema, ctx, pointer, child) -> st.SearchStrategy:
    items = from_schema(schema["items"], ctx, pointer + "/-")
    hi = schema.get("maxItems", MAX_ITEMS)

    @st.composite
    def build(draw):
        lst = draw(
            st.lists(items, min_size=max(0, schema.get("minItems", 1) - 1), max_size=max(0, hi - 1))
        )
        index = draw(st.integers(0, len(lst)))
        value, rel, keyword = draw(child)
        lst.insert(index, value)
        return lst, f"/{index}{rel}", keyword

    return build()


def labelled(raw: st.SearchStrategy, validator: PayloadValidator) -> st.SearchStrategy[Invalid]:
    """Keep only cases whose sole problem is the one claimed; the message is the validator's."""

    def check(case) -> Invalid | None:
        value, pointer, keyword = case
        problems = validator.problems(value)
        if len(problems) == 1 and (problems[0].pointer, problems[0].keyword) == (pointer, keyword):
            return Invalid(value, pointer, keyword, problems[0].message)
        return None

    # The filter leaves no None.
    return cast("st.SearchStrategy[Invalid]", raw.map(check).filter(lambda x: x is not None))

"""Hypothesis strategies derived from a spec: valid payloads, labelled invalid ones, responses.

As in hypothesis-jsonschema, a schema is first canonicalised (local ``$ref`` inlined, ``type``
always a list) and only then turned into strategies. Unlike it, every generated case is
re-checked against the real validator, also while shrinking: a labelled invalid case whose
shrunk form became valid (or broke a second rule) is filtered out instead of reported.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, cast

from hypothesis import strategies as st

from .._core.pointer import escape as _escape
from .._core.pointer import unescape
from ..spec.guarantees import REGISTRY
from ..spec.schemas import PayloadValidator, ecma_regex, validator_for
from ..spec.types import Klass, Method, Spec, SpecError
from . import values
from .cases import Case, Step

JSON_TYPES = ("null", "boolean", "number", "string", "array", "object")
MAX_ITEMS = 3
MAX_EXTRA_KEYS = 3


@dataclass(frozen=True)
class Invalid:
    """A payload that breaks exactly one rule, and which: where, what keyword, the message."""

    value: Any
    pointer: str
    keyword: str
    message: str = ""

    def label(self) -> dict[str, str]:
        return {"pointer": self.pointer, "keyword": self.keyword, "message": self.message}


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


# --- valid values --------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What generation needs beyond the schema: the Klass and where its names go."""

    klass: Klass | None = None
    klass_pointer: str | None = None
    # The sweep's wish: one site per near miss of a format, instead of one site drawing any.
    every_near_miss: bool = False


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
        return _strings(schema)
    if kind == "array":
        lo = schema.get("minItems", 0)
        hi = schema.get("maxItems", max(MAX_ITEMS, lo))
        if lo > hi:  # the loader refuses this; never let hypothesis raise on it
            return st.nothing()
        items = from_schema(schema.get("items", {}), ctx, pointer + "/-")
        return st.lists(items, min_size=lo, max_size=hi)
    if kind == "object":
        return _objects(schema, ctx, pointer)
    raise ValueError(f"type {kind!r} is not a JSON Schema type")


def _strings(schema: dict) -> st.SearchStrategy[str]:
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


def _key_strategy(schema: dict, ctx: Context, pointer: str) -> st.SearchStrategy[str] | None:
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


def _key_allowed(key: str, schema: dict) -> bool:
    names = schema.get("propertyNames", {})
    if "pattern" in names and not ecma_regex(names["pattern"]).search(key):
        return False
    if key in schema.get("properties", {}):
        return False
    return bool(_schema_for_key(key, schema)) or isinstance(
        schema.get("additionalProperties"), dict
    )


def _schema_for_key(key: str, schema: dict) -> dict | None:
    for pattern, sub in schema.get("patternProperties", {}).items():
        if ecma_regex(pattern).search(key):
            return sub
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def _objects(schema: dict, ctx: Context, pointer: str) -> st.SearchStrategy[dict]:
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
    keys = _key_strategy(schema, ctx, pointer)
    if keys is None:
        return fixed

    @st.composite
    def with_open_part(draw) -> dict:
        out = draw(fixed)
        for key in draw(st.lists(keys, max_size=MAX_EXTRA_KEYS, unique=True)):
            sub = _schema_for_key(key, schema) or {}
            out[key] = draw(from_schema(sub, ctx, f"{pointer}/{_escape(key)}"))
        return out

    return with_open_part()


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
        valid = _strings(schema)
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
            found.append(_strings(longer).map(at("maxLength")))
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
    base = _objects(schema, ctx, pointer)
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
        bad = [k for k in wrong_keys if k not in props and not _schema_for_key(k, schema)]
        found.append(_with_key(base, st.sampled_from(bad), "additionalProperties"))
    return found


def _with_key(base: st.SearchStrategy, keys: st.SearchStrategy, keyword: str) -> st.SearchStrategy:
    @st.composite
    def build(draw):
        obj, key = dict(draw(base)), draw(keys)
        obj[key] = draw(st.sampled_from(["value", 1, None, True]))
        return obj, f"/{_escape(key)}", keyword

    return build()


def _violations(schema: dict, ctx: Context, pointer: str) -> list[st.SearchStrategy]:
    """Every way to break ``schema`` once, here or anywhere below it."""
    if UNREACHABLE in schema:  # below the unrolled depth of a recursive $ref
        return []
    found = _local_violations(schema, ctx, pointer)
    if "object" in schema.get("type", ()):
        props = schema.get("properties", {})
        for key, sub in props.items():
            for child in _violations(sub, ctx, f"{pointer}/{_escape(key)}"):
                found.append(_nested_in_object(schema, ctx, pointer, key, child))
        keys = _key_strategy(schema, ctx, pointer)
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
                pattern_keys = keys.filter(regex.search)
            for child in _violations(sub, ctx, f"{pointer}/*"):
                found.append(_nested_in_object(schema, ctx, pointer, pattern_keys, child))
    if "array" in schema.get("type", ()) and "items" in schema:
        for child in _violations(schema["items"], ctx, pointer + "/-"):
            found.append(_nested_in_array(schema, ctx, pointer, child))
    return found


def _nested_in_object(schema, ctx, pointer, key, child) -> st.SearchStrategy:
    base = _objects(schema, ctx, pointer)
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


def _labelled(raw: st.SearchStrategy, validator: PayloadValidator) -> st.SearchStrategy[Invalid]:
    """Keep only cases whose sole problem is the one claimed; the message is the validator's."""

    def check(case) -> Invalid | None:
        value, pointer, keyword = case
        problems = validator.problems(value)
        if len(problems) == 1 and (problems[0].pointer, problems[0].keyword) == (pointer, keyword):
            return Invalid(value, pointer, keyword, problems[0].message)
        return None

    # The filter leaves no None.
    return cast("st.SearchStrategy[Invalid]", raw.map(check).filter(lambda x: x is not None))


# --- public strategies ---------------------------------------------------------------------


def _ctx(spec: Spec, klass: Klass | None, method: str | None = None) -> Context:
    m = spec.methods[method or spec.target.name]
    return Context(klass.named(m.klass_name) if klass is not None else None, m.klass)


@cache
def valid_options(
    spec: Spec, klass: Klass | None = None, method: str | None = None
) -> st.SearchStrategy:
    """Options a conformant implementation must accept (re-checked against the validator)."""
    m = spec.methods[method or spec.target.name]
    validator = validator_for(spec, "options", m.name, klass)
    raw = from_schema(canonical(m.options_schema), _ctx(spec, klass, m.name))
    require_valid(spec, m.name, "options", raw, validator)
    return raw.filter(validator.is_valid)


class _Found(Exception):
    pass


PROBE_TRIES = 30  # candidates drawn before a spec is said to admit no valid value


def require_valid(
    spec: Spec, method: str, part: str, raw: st.SearchStrategy, validator: PayloadValidator
) -> None:
    """Raise a SpecError (naming the method and the schema pointer) unless ``raw`` yields at
    least one value the validator accepts: a run must never pass on cases never generated.

    The first candidate is usually valid, so this costs one draw; a spec that admits nothing
    costs ``PROBE_TRIES`` draws.
    """
    known = _UNGENERABLE.get((spec, method, part))
    if known is not None:  # the probe of a broken spec is slow: say it once per process
        raise known
    try:
        _probe(spec, method, part, raw, validator)
    except SpecError as exc:
        _UNGENERABLE[(spec, method, part)] = exc
        raise


_UNGENERABLE: dict[tuple, SpecError] = {}


def _probe(
    spec: Spec, method: str, part: str, raw: st.SearchStrategy, validator: PayloadValidator
) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import InvalidArgument, Unsatisfiable

    rejected: list[Any] = []

    @settings(
        database=None,
        max_examples=PROBE_TRIES,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @hypothesis_seed(0)
    @given(raw)
    def probe(value: Any) -> None:
        if validator.is_valid(value):
            raise _Found  # stops at the first valid value: usually the first one drawn
        rejected.append(value)

    base = f"/methods/{_escape(method)}/{part}"
    try:
        probe()
    except _Found:
        return
    except Unsatisfiable:
        pass
    except InvalidArgument as exc:
        raise spec.error(base, f"cannot generate {part} for {method}: {exc}") from None
    if not rejected:
        schema = spec.methods[method].options_schema if part == "options" else None
        schema = schema if schema is not None else spec.methods[method].response_schema
        where, why = _culprit(canonical(schema), base)
        raise spec.error(where, f"no {part} for {method} could be generated at all: {why}")
    where, keyword, message = _commonest_problem(validator, base, rejected)
    raise spec.error(
        where,
        f"the spec admits no valid {part} for {method} that could be generated: "
        f"{len(rejected)} candidates all broke it, most often at {keyword} ({message})",
    )


def _culprit(schema: dict, pointer: str) -> tuple[str, str]:
    """Where generation runs dry: follow required properties (and non-empty arrays) down to
    the first one whose own values cannot be generated."""
    if UNREACHABLE in schema:
        return pointer, f"a recursive $ref ({schema[UNREACHABLE]}) that every value must follow"
    if not schema.get("type") and "enum" not in schema and "const" not in schema:
        return pointer, "it admits no type of value"
    if schema.get("type") == ["object"]:
        props = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key in props and first_example(from_schema(props[key])) is None:
                return _culprit(props[key], f"{pointer}/properties/{_escape(key)}")
    if schema.get("type") == ["array"] and schema.get("minItems", 0) > 0:
        items = schema.get("items", {})
        if first_example(from_schema(items)) is None:
            return _culprit(items, f"{pointer}/items")
    return pointer, "no value the generator builds here meets all its constraints"


def _commonest_problem(
    validator: PayloadValidator, base: str, values_: list[Any]
) -> tuple[str, str, str]:
    """The schema pointer, keyword and message seen most often among the values' errors."""
    from collections import Counter

    seen: Counter = Counter()
    text: dict[tuple[str, str], str] = {}
    for value in values_:
        for error in validator._validator.iter_errors(value):
            key = (
                base + _schema_pointer(validator.schema, list(error.absolute_schema_path)),
                str(error.validator),
            )
            seen[key] += 1
            text.setdefault(key, error.message)
    if not seen:  # only the Klass check refused them
        return base, "klass", "no custom attribute name fits the Klass"
    (where, keyword), _ = seen.most_common(1)[0]
    return where, keyword, text[(where, keyword)]


def _schema_pointer(schema: Any, path: list) -> str:
    """An error's schema path as a pointer into the schema document, through local $refs."""
    pointer, node = "", schema
    for token in path[:-1]:  # the last step is the keyword itself, kept out of the pointer
        if token == "$ref" and isinstance(node, dict) and str(node.get("$ref", "")).startswith("#"):
            pointer = node["$ref"][1:]
            node = _resolve(schema, pointer)
            continue
        pointer += f"/{_escape(str(token))}"
        try:
            node = node[token]
        except (KeyError, IndexError, TypeError):
            node = None
    return pointer


def _resolve(schema: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        try:
            schema = schema[unescape(token)]
        except (KeyError, IndexError, TypeError):
            return None
    return schema


@cache
def invalid_options(
    spec: Spec, klass: Klass | None = None, method: str | None = None
) -> st.SearchStrategy[Invalid]:
    """Options that break exactly one constraint, labelled with its JSON pointer and keyword."""
    m = spec.methods[method or spec.target.name]
    validator = validator_for(spec, "options", m.name, klass)
    raw = st.one_of(_violations(canonical(m.options_schema), _ctx(spec, klass, m.name), ""))
    return _labelled(raw, validator)


@cache
def unknown_custom_options(
    spec: Spec, klass: Klass | None = None, method: str | None = None
) -> st.SearchStrategy[Invalid]:
    """Otherwise valid options naming an attribute the Klass lacks.

    With no Klass file, the names no Klass can hold are the unknown ones: those that break
    the naming rule (the seed's ``some_custom_attribute``).
    """
    m = spec.methods[method or spec.target.name]
    if m.klass is None:
        return st.nothing()
    own = klass.named(m.klass_name) if klass is not None else None  # the method's Klass
    validator = validator_for(spec, "options", m.name, klass)
    schema = canonical(m.options_schema)
    ctx = _ctx(spec, klass, m.name)
    sub, parents = schema, []
    for token in m.klass.split("/")[1:]:
        parents.append((sub, token))
        sub = sub.get("properties", {}).get(token, {})
    if own is not None:
        known = _key_strategy(sub, Context(), m.klass)
        names = (known if known is not None else st.nothing()).filter(
            lambda k: k not in own.attributes
        )
        keyword = "klass"
    else:
        names = st.sampled_from(
            sorted(
                {
                    n
                    for k in sub.get("propertyNames", {}).get("examples", ["someValueStr"])
                    for n in values.key_near_misses(k)
                }
                | {"some_custom_attribute"}
            )
        )
        keyword = "propertyNames"

    base = valid_options(spec, klass, m.name)
    by_pattern = {p: from_schema(v, ctx) for p, v in sub.get("patternProperties", {}).items()}
    fallback = from_schema({"type": ["string", "number", "boolean", "null"]}, ctx)

    @st.composite
    def build(draw):
        options = copy.deepcopy(draw(base))
        node = options
        assert m.klass is not None  # checked above
        for token in m.klass.split("/")[1:]:
            node = node.setdefault(token, {})
        name = draw(names)
        pattern = next((p for p in by_pattern if ecma_regex(p).search(name)), None)
        node[name] = draw(by_pattern[pattern] if pattern else fallback)
        return options, f"{m.klass}/{_escape(name)}", keyword

    return _labelled(build(), validator)


@cache
def responses(spec: Spec, method: str | None = None) -> st.SearchStrategy:
    """Callback responses that conform to the spec."""
    m = spec.methods[method or spec.target.name]
    validator = validator_for(spec, "response", m.name)
    raw = from_schema(canonical(m.response_schema))
    require_valid(spec, m.name, "response", raw, validator)
    return raw.filter(validator.is_valid)


@cache
def identities(spec: Spec, count: int = 3) -> st.SearchStrategy[list[Any]]:
    """Options for the identify method (login), distinct by the spec's identity pointer."""
    m = spec.by_role("identify")
    if m is None:
        return st.just([])
    pointer = m.identity or ""

    def key(options: Any) -> str:
        node = options
        for token in pointer.split("/")[1:]:
            node = node[token]
        return repr(node)

    return st.lists(
        from_schema(canonical(m.options_schema)), min_size=count, max_size=count, unique_by=key
    )


# --- call sequences ------------------------------------------------------------------------

# Which steps a guarantee needs to be exercised at all (from the registry).
FOCUS_STEPS: dict[str, tuple[str, ...]] = {g.id: g.focus for g in REGISTRY}
GAPS_MS = (0, 0, 0, 1, 5)  # shrinks towards 0: timing is part of the minimal example


def _describe_makers(
    spec: Spec, klass: Klass | None, m: Method, gap: st.SearchStrategy[int]
) -> dict[str, st.SearchStrategy[Step]]:
    """The describe steps of one method; the key "focus" is a describe that describes something."""
    valid = valid_options(spec, klass, m.name)
    # Steps that exist to show an effect describe something (an empty payload shows nothing).
    describing = valid.filter(m.writes_any)
    name = None if m is spec.target else m.name

    def step(
        action: str, options: st.SearchStrategy, timed: bool = True
    ) -> st.SearchStrategy[Step]:
        return st.builds(
            Step,
            st.just(action),
            options,
            gap_ms=gap if timed else st.just(0),
            method=st.just(name),
        )

    def labelled(action: str, cases: st.SearchStrategy[Invalid]) -> st.SearchStrategy[Step]:
        return cases.map(lambda inv: Step(action, inv.value, label=inv.label(), method=name))

    makers = {
        "describe": step("describe", valid),
        "focus": step("describe", describing),
        "describe-invalid": labelled("describe-invalid", invalid_options(spec, klass, m.name)),
        "describe-no-callback": step("describe-no-callback", describing),
        "describe-before-start": step("describe-before-start", describing, timed=False),
        "overlap": step("overlap", st.lists(describing, min_size=2, max_size=3)),
    }
    if m.klass is not None:
        makers["describe-unknown"] = labelled(
            "describe-unknown", unknown_custom_options(spec, klass, m.name)
        )
    return makers


def _subject_values(m: Method) -> st.SearchStrategy[Any]:
    """Values for the options field that names a method's record (e.g. a conversation id)."""
    schema = canonical(m.options_schema)
    for token in (m.subject or "").split("/")[1:]:
        schema = schema.get("properties", {}).get(token, {})
    return from_schema(schema)


def _with_subject(step: Step, m: Method, value: Any) -> Step:
    """The step with its options naming ``value`` (left alone where that part is broken)."""
    tokens = (m.subject or "").split("/")[1:]
    if step.label and step.label.get("pointer", "").startswith(m.subject or ""):
        return step

    def rename(options: Any) -> Any:
        if not isinstance(options, dict):
            return options
        out = copy.deepcopy(options)
        node: Any = out  # whatever the options hold at each token
        for token in tokens[:-1]:
            node = node.get(token)
            if not isinstance(node, dict):
                return options
        if tokens[-1] not in node:  # never add it: that could mend a broken case
            return options
        node[tokens[-1]] = value
        return out

    options = (
        [rename(o) for o in step.options] if step.action == "overlap" else rename(step.options)
    )
    return Step(step.action, options, step.token, step.label, step.gap_ms, step.method)


@cache
def sequences(
    spec: Spec,
    klass: Klass | None = None,
    focus: str | None = None,
    max_steps: int = 5,
    methods: tuple[str, ...] | None = None,
) -> st.SearchStrategy[Case]:
    """Whole call sequences (login tokens and steps), with the steps ``focus`` needs.

    ``methods`` limits the describe methods used (those an implementation has); the spec's
    target is always among them and is drawn most often.
    """
    gap = st.sampled_from(GAPS_MS)
    chosen = [m for m in spec.describes if methods is None or m.name in methods or m is spec.target]
    per_method = [_describe_makers(spec, klass, m, gap) for m in chosen]
    makers: dict[str, st.SearchStrategy[Step]] = {}
    for action in per_method[0]:
        options = [mk[action] for mk in per_method if action in mk]
        if action not in ("describe-invalid", "describe-unknown"):
            # The target is drawn most; broken payloads go to every method alike, since each
            # method has its own constraints to break.
            options = [options[0]] * 2 + options
        makers[action] = st.one_of(options)
    has_identity = spec.by_role("identify") is not None
    token_count = 3 if has_identity else 0
    if has_identity:
        makers["login"] = st.builds(
            Step, st.just("login"), token=st.integers(0, token_count - 1), gap_ms=gap
        )
        if spec.by_role("forget") is not None:
            makers["logout"] = st.builds(Step, st.just("logout"), gap_ms=gap)
        # The caller's mistake of describing before login's callback: implementations must
        # still call back once (where the update lands is unspecified).
        makers["describe-during-login"] = st.builds(
            Step,
            st.just("describe-during-login"),
            valid_options(spec, klass),
            token=st.integers(0, token_count - 1),
            gap_ms=gap,
        )
    # Plain describes dominate, as in real use; every other kind still shows up often.
    weights = {"describe": 4, "login": 2}
    body_steps = st.one_of(
        [
            m
            for name, m in makers.items()
            if name not in ("describe-before-start", "focus")
            for _ in range(weights.get(name, 1))
        ]
    )
    tokens_strategy = identities(spec, token_count) if has_identity else st.just([])
    focus_choices = st.sampled_from([per_method[0]] * 2 + per_method)  # the target most often
    subjects = {m.name: _subject_values(m) for m in chosen if m.subject}

    @st.composite
    def build(draw) -> Case:
        tokens = tuple(draw(tokens_strategy))
        before = draw(st.lists(makers["describe-before-start"], max_size=1))
        body = draw(st.lists(body_steps, max_size=max_steps))
        wanted = [s for s in FOCUS_STEPS.get(focus or "", ()) if s in makers]
        if "describe-before-start" in wanted:
            wanted.remove("describe-before-start")
            before = before or [draw(makers["describe-before-start"])]
        if wanted:
            at = draw(st.integers(0, len(body)))
            # The focus steps of a case all go to one method, so they meet the same records.
            own = draw(focus_choices)
            body[at:at] = [
                draw(own.get("focus" if name == "describe" else name, makers[name]))
                for name in wanted
            ]
        steps = before + body
        for name, values_ in subjects.items():  # a few records, so calls meet the same one
            pool = draw(st.lists(values_, min_size=2, max_size=2, unique_by=repr))
            m = spec.methods[name]
            steps = [
                _with_subject(s, m, pool[draw(st.integers(0, 1))]) if s.method == name else s
                for s in steps
            ]
        return Case(tokens, tuple(steps))

    return build()


# --- deterministic sweeps ------------------------------------------------------------------


def first_example(strategy: st.SearchStrategy, seed: int = 0) -> Any:
    """The first value hypothesis generates for ``strategy`` (its simplest; the same each run),
    or None when its filters reject everything (a site a Klass cannot reach).

    Unlike ``hypothesis.find`` this does not shrink, which costs seconds per strategy; the
    first generated example already is the simplest the strategy allows.
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import Unsatisfiable

    found: list[Any] = []

    @settings(
        database=None,
        max_examples=1,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(strategy)
    def grab(value: Any) -> None:
        found.append(value)

    try:
        grab()
    except Unsatisfiable:
        return None
    return found[0]


@cache
def invalid_sweep(
    spec: Spec, klass: Klass | None = None, methods: tuple[str, ...] | None = None
) -> tuple[Case, ...]:
    """One case per way to break the options, each breaking it once: no site left to chance.

    Random draws over a few dozen sites miss some on some seeds; the sweep runs before them.
    A ``format`` site is swept once per near miss of that format (month 13, 30 February, a
    URI with a space...), since a loose check refuses most of them and accepts a few. Every
    case is re-checked by the validator (``_labelled``), so a near miss it takes is skipped.
    """
    cases, seen = [], set()
    for m in spec.describes:
        if methods is not None and m.name not in methods and m is not spec.target:
            continue
        validator = validator_for(spec, "options", m.name, klass)
        ctx = replace(_ctx(spec, klass, m.name), every_near_miss=True)
        sites = _violations(canonical(m.options_schema), ctx, "")
        for site in {id(s): s for s in sites}.values():  # limits drawn often appear repeatedly
            invalid = first_example(_labelled(site, validator))
            key = (m.name, repr(invalid.value) if invalid is not None else None)
            if invalid is None or key in seen:
                continue
            seen.add(key)
            name = None if m is spec.target else m.name
            step = Step("describe-invalid", invalid.value, label=invalid.label(), method=name)
            cases.append(Case((), (step,)))
    return tuple(cases)


# Cases a focus runs before its random ones, so that a default run covers every site.
SWEEPS = {"rejects-invalid": invalid_sweep}


def generation_problems(spec: Spec) -> list[SpecError]:
    """What only generation finds: options or responses no generated value satisfies."""
    out = []
    for m in spec.methods.values():
        for _part, schema, make in (
            ("options", m.options_schema, lambda m=m: valid_options(spec, None, m.name)),
            ("response", m.response_schema, lambda m=m: responses(spec, m.name)),
        ):
            if schema is None:
                continue
            try:
                make()
            except SpecError as exc:
                out.append(exc)
    return out

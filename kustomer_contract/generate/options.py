"""A spec's payloads as strategies: valid, labelled invalid and unknown-custom options, responses, login tokens."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from hypothesis import strategies as st

from .._core.pointer import escape as _escape
from .._core.pointer import unescape
from ..spec.schemas import PayloadValidator, ecma_regex, validator_for
from ..spec.types import Klass, Spec, SpecError
from . import values
from .canonical import UNREACHABLE, canonical, requiring
from .invalid import Invalid, labelled, violations_of
from .reproducible import independent_of_loaded_modules
from .valid import Context, from_schema, key_strategy

# --- public strategies ---------------------------------------------------------------------


def context_for(spec: Spec, klass: Klass | None, method: str | None = None) -> Context:
    m = spec.methods[method or spec.target.name]
    return Context(klass.named(m.klass_name) if klass is not None else None, m.klass)


@cache
def valid_options(
    spec: Spec, klass: Klass | None = None, method: str | None = None
) -> st.SearchStrategy:
    """Options a conformant implementation must accept (re-checked against the validator)."""
    m = spec.methods[method or spec.target.name]
    validator = validator_for(spec, "options", m.name, klass)
    raw = from_schema(canonical(m.options_schema), context_for(spec, klass, m.name))
    require_valid(spec, m.name, "options", raw, validator)
    return raw.filter(validator.is_valid)


@cache
def describing_options(
    spec: Spec, klass: Klass | None = None, method: str | None = None
) -> st.SearchStrategy:
    """Valid options that write something a ``reflects`` rule must show (a non-empty list, a
    map entry): each drawn from the schema narrowed so one rule's field is there and not
    empty, not drawn from all options and filtered down (a fifth were empty: with three
    rejections in a row hypothesis threw the whole case away). A rule whose narrowed schema
    yields nothing valid (a Klass with no name of that kind) is left out; with none left,
    the filter it is."""
    m = spec.methods[method or spec.target.name]
    validator = validator_for(spec, "options", m.name, klass)
    ctx = context_for(spec, klass, m.name)
    schema = canonical(m.options_schema)
    drawn = []
    for rule in m.reflects:
        narrowed = requiring(schema, rule.input, rule.shape)
        if narrowed is None:
            continue
        raw = from_schema(narrowed, ctx).filter(validator.is_valid)
        if first_example(raw) is not None:
            drawn.append(raw)
    if not drawn:
        return valid_options(spec, klass, m.name).filter(m.writes_any)
    return st.one_of(drawn).filter(m.writes_any)


class _Found(Exception):
    pass


def outside_any_test(function: Any, *args: Any) -> Any:
    """``function(*args)``, on a thread of its own when called inside a hypothesis test (a
    user's ``@given(st.data())`` building our strategies there): the probes run searches of
    their own, which hypothesis refuses to nest (its test context is per thread)."""
    from hypothesis.control import currently_in_test_context

    if not currently_in_test_context():
        return function(*args)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kustomer-probe") as pool:
        return pool.submit(function, *args).result()  # raises what it raised


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
        outside_any_test(_probe, spec, method, part, raw, validator)
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
        with independent_of_loaded_modules():
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
    raw = st.one_of(
        violations_of(canonical(m.options_schema), context_for(spec, klass, m.name), "")
    )
    return labelled(raw, validator)


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
    ctx = context_for(spec, klass, m.name)
    sub, parents = schema, []
    for token in m.klass.split("/")[1:]:
        parents.append((sub, token))
        sub = sub.get("properties", {}).get(token, {})
    if own is not None:
        known = key_strategy(sub, Context(), m.klass)
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

    return labelled(build(), validator)


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


def first_example(strategy: st.SearchStrategy, seed: int = 0) -> Any:
    """The first value hypothesis generates for ``strategy`` (its simplest; the same each run),
    or None when its filters reject everything (a site a Klass cannot reach).

    Unlike ``hypothesis.find`` this does not shrink, which costs seconds per strategy; the
    first generated example already is the simplest the strategy allows.
    """
    return outside_any_test(_first_example, strategy, seed)


def _first_example(strategy: st.SearchStrategy, seed: int) -> Any:
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
        with independent_of_loaded_modules():
            grab()
    except Unsatisfiable:
        return None
    return found[0]

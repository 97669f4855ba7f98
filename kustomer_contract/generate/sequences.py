"""Whole call sequences (cases) focused on one guarantee, and the explicit examples swept before them."""

from __future__ import annotations

import copy
from dataclasses import replace
from functools import cache
from typing import Any

from hypothesis import strategies as st

from ..spec.guarantees import REGISTRY
from ..spec.schemas import validator_for
from ..spec.types import Klass, Method, Spec, SpecError
from .canonical import canonical
from .cases import Case, Step
from .invalid import Invalid, labelled, violations_of
from .options import (
    context_for,
    describing_options,
    first_example,
    identities,
    invalid_options,
    responses,
    unknown_custom_options,
    valid_options,
)
from .valid import from_schema

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
    describing = describing_options(spec, klass, m.name)
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


@cache
def invalid_sweep(
    spec: Spec, klass: Klass | None = None, methods: tuple[str, ...] | None = None
) -> tuple[Case, ...]:
    """One case per way to break the options, each breaking it once: no site left to chance.

    Random draws over a few dozen sites miss some on some seeds; the sweep runs before them.
    A ``format`` site is swept once per near miss of that format (month 13, 30 February, a
    URI with a space...), since a loose check refuses most of them and accepts a few. Every
    case is re-checked by the validator (``labelled``), so a near miss it takes is skipped.
    """
    cases, seen = [], set()
    for m in spec.describes:
        if methods is not None and m.name not in methods and m is not spec.target:
            continue
        validator = validator_for(spec, "options", m.name, klass)
        ctx = replace(context_for(spec, klass, m.name), every_near_miss=True)
        sites = violations_of(canonical(m.options_schema), ctx, "")
        for site in {id(s): s for s in sites}.values():  # limits drawn often appear repeatedly
            invalid = first_example(labelled(site, validator))
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

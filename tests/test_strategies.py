"""Strategies: valid cases are valid, invalid ones break exactly what their label says, edges are reached."""

import json
import re
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kustomer_contract.generate import strategies as S
from kustomer_contract.generate.invalid import labelled
from kustomer_contract.spec.schemas import validator_for

FAST = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
SUFFIXES = ("Str", "Txt", "Num", "Bool", "At", "Url")


def _collect(strategy, n=600):
    seen = []

    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(x):
        seen.append(x)

    run()
    return seen


def test_valid_options_are_valid_and_json(v1):
    validator = validator_for(v1)

    @FAST
    @given(S.valid_options(v1))
    def check(options):
        assert validator.problems(options) == []
        json.dumps(options, allow_nan=False)  # representable as JSON: no NaN, no infinity

    check()


def test_invalid_options_break_exactly_their_label(v1):
    validator = validator_for(v1)

    @FAST
    @given(S.invalid_options(v1))
    def check(case):
        problems = validator.problems(case.value)
        assert [(p.pointer, p.keyword, p.message) for p in problems] == [
            (case.pointer, case.keyword, case.message)
        ]
        json.dumps(case.value, allow_nan=False)

    check()


def _site(pointer: str) -> str:
    parts = ["*" if p.isdigit() else p for p in pointer.split("/")]
    if len(parts) > 2 and parts[1] == "customAttributes":
        suffix = next((s for s in SUFFIXES if parts[2].endswith(s)), None)
        parts[2] = f"*{suffix}" if suffix else "?"
    return "/".join(parts)


def test_invalid_options_cover_every_constraint(v1):
    seen = {(_site(c.pointer), c.keyword) for c in _collect(S.invalid_options(v1), 1500)}
    expected = {
        ("", "type"),
        ("/?", "additionalProperties"),
        ("/attributes", "type"),
        ("/attributes/?", "additionalProperties"),
        ("/attributes/emails", "type"),
        ("/attributes/emails/*", "type"),
        ("/attributes/emails/*", "pattern"),
        ("/attributes/emails/*", "maxLength"),
        ("/attributes/phones", "type"),
        ("/attributes/phones/*", "type"),
        ("/attributes/phones/*", "pattern"),
        ("/attributes/socials", "type"),
        ("/attributes/socials/*", "type"),
        ("/attributes/socials/*", "required"),
        ("/attributes/socials/*/?", "additionalProperties"),
        ("/attributes/socials/*/type", "enum"),
        ("/attributes/socials/*/username", "type"),
        ("/attributes/socials/*/username", "minLength"),
        ("/customAttributes", "type"),
        ("/customAttributes/?", "propertyNames"),
        ("/customAttributes/*Str", "type"),
        ("/customAttributes/*Str", "maxLength"),
        ("/customAttributes/*Txt", "type"),
        ("/customAttributes/*Txt", "maxLength"),
        ("/customAttributes/*Num", "type"),
        ("/customAttributes/*Bool", "type"),
        ("/customAttributes/*At", "type"),
        ("/customAttributes/*At", "format"),
        ("/customAttributes/*Url", "type"),
        ("/customAttributes/*Url", "format"),
    }
    # Names of unknown keys vary; fold them into "?".
    folded = {
        (re.sub(r"/(?!\*|\?)[^/]*$", "/?", s) if k in ("additionalProperties",) else s, k)
        for s, k in seen
    }
    assert expected - folded == set()


def test_values_probe_the_edges(v1):
    options = _collect(S.valid_options(v1), 800)
    emails = [e for o in options for e in o.get("attributes", {}).get("emails", [])]
    phones = [p for o in options for p in o.get("attributes", {}).get("phones", [])]
    socials = [s["type"] for o in options for s in o.get("attributes", {}).get("socials", [])]
    custom = [(k, v) for o in options for k, v in o.get("customAttributes", {}).items()]
    assert any(len(e) == 254 for e in emails)
    assert any(e != e.lower() for e in emails) and any(not e.isascii() for e in emails)
    digits = Counter(sum(c.isdigit() for c in p) for p in phones)
    assert digits[7] and digits[15]
    assert {c for p in phones for c in p if not c.isdigit()} >= set(" ().-+")
    assert set(socials) == {"facebook", "twitter", "instagram", "linkedin", "pinterest"}
    assert {s for k, _ in custom for s in SUFFIXES if k.endswith(s)} == set(SUFFIXES)
    assert any(v is None for _, v in custom)
    assert any(isinstance(v, str) and len(v) == 1024 for _, v in custom)
    assert any(
        isinstance(v, str) and re.search(r"[+-]\d\d:\d\d$", v)
        for k, v in custom
        if k.endswith("At")
    )


def test_klass_names_only(v1, klass):
    for options in _collect(S.valid_options(v1, klass), 300):
        assert set(options.get("customAttributes", {})) <= klass.attributes


def test_unknown_custom_is_labelled(v1, klass):
    with_klass = _collect(S.unknown_custom_options(v1, klass), 50)
    assert {c.keyword for c in with_klass} == {"klass"}
    without = _collect(S.unknown_custom_options(v1), 50)
    assert {c.keyword for c in without} == {"propertyNames"}
    assert all(c.pointer.startswith("/customAttributes/") for c in with_klass + without)


def test_a_case_breaking_two_rules_is_not_labelled(v1):
    # Also while shrinking: a case whose problems no longer match its label is dropped.
    validator = validator_for(v1)
    two = st.just(({"attributes": {"emails": [None, ""]}}, "/attributes/emails/0", "type"))
    became_valid = st.just(({"attributes": {"emails": []}}, "/attributes/emails/0", "type"))
    strategy = labelled(two | became_valid, validator) | st.just("dropped")
    assert set(_collect(strategy, 30)) == {"dropped"}


def test_sequences_hold_their_focus(v1):
    for focus, needs in S.FOCUS_STEPS.items():
        for case in _collect(S.sequences(v1, None, focus), 10):
            actions = Counter(s.action for s in case.steps)
            for action, count in Counter(needs).items():
                assert actions[action] >= count, (focus, action)
            before = [i for i, s in enumerate(case.steps) if s.action == "describe-before-start"]
            assert before == list(range(len(before)))  # only at the start


def test_tokens_are_real_distinct_jwts(v1):
    for case in _collect(S.sequences(v1, None, "stable-identity"), 20):
        tokens = [t["jwtToken"] for t in case.tokens]
        assert len(set(tokens)) == 3
        assert all(re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", t) for t in tokens)


@settings(max_examples=3, deadline=None)
@given(st.data())
def test_strategies_can_be_built_inside_a_users_own_given(data):
    """The README builds them in a test's body: their generability probes must not nest a
    hypothesis search in the user's (hypothesis refuses that with a health check)."""
    from kustomer_contract.spec.loader import load_spec
    from kustomer_contract.strategies import sequences, valid_options

    spec = load_spec("v2")  # not probed yet in this process by this test's own module
    assert isinstance(data.draw(valid_options(spec)), dict)
    assert data.draw(sequences(spec)) is not None


def test_requiring_narrows_a_schema_to_a_non_empty_value_at_a_pointer():
    from kustomer_contract.generate.canonical import canonical, requiring

    schema = canonical(
        {
            "type": "object",
            "properties": {
                "attributes": {
                    "type": ["object", "null"],
                    "properties": {"emails": {"type": "array", "items": {"type": "string"}}},
                },
                "custom": {"type": "object", "patternProperties": {"Str$": {"type": "string"}}},
            },
        }
    )
    emails = requiring(schema, "/attributes/emails")
    assert emails["required"] == ["attributes"]
    assert emails["properties"]["attributes"]["type"] == ["object"]
    assert emails["properties"]["attributes"]["required"] == ["emails"]
    assert emails["properties"]["attributes"]["properties"]["emails"]["minItems"] == 1
    assert "required" not in schema and "minItems" not in str(schema)  # the original is kept
    assert requiring(schema, "/custom", "map")["properties"]["custom"]["minProperties"] == 1
    assert requiring(schema, "/custom/nameStr") is None  # not through named properties
    assert requiring(schema, "/attributes/emails", "map") is None  # a list is no map


def test_describing_options_each_write_something_and_are_valid(v1, klass):
    """Drawn narrowed, not filtered: each has a non-empty list or a custom entry, and every
    rule's field comes first in some of them."""
    method = v1.target
    for with_klass in (None, klass):
        validator = validator_for(v1, klass=with_klass)
        seen = _collect(S.describing_options(v1, with_klass), n=200)
        assert all(method.writes_any(o) and validator.problems(o) == [] for o in seen)
        for rule in method.reflects:
            assert any(rule.input.split("/")[-1] in json.dumps(o) for o in seen), rule.input

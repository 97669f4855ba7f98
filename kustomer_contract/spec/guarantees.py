"""The registry of guarantees the engine knows how to judge: the one list of their ids.

The meta-schema's enum of guarantee ids, the steps each guarantee's cases need (the
strategies' focus), which guarantees are still watched after a case ends, and the ids the
checks report all come from here (tests/test_guarantees.py compares them). What each one
means for a method lives in the specs; this is only what the engine does about it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Guarantee:
    id: str
    focus: tuple[str, ...]  # the steps a case needs to exercise it at all; the rest is free
    late: bool = False  # a callback can still break it after its case ended (grace)
    # Judged by reading the customer back: not checkable through a surface that cannot.
    needs_read_back: bool = False


REGISTRY: tuple[Guarantee, ...] = (
    Guarantee("accepts-valid", ("describe",)),
    Guarantee("response-conforms", ("describe",)),
    Guarantee("callback-once", ("describe", "describe-invalid"), late=True),
    Guarantee("error-is-exception", ("describe-invalid",)),
    Guarantee("reflects-input", ("describe",), needs_read_back=True),
    Guarantee("keeps-earlier-data", ("describe", "describe"), needs_read_back=True),
    Guarantee(
        "stable-identity",
        ("login", "describe", "login", "describe", "logout", "describe"),
        needs_read_back=True,  # the ids a response shows
    ),
    Guarantee("rejects-invalid", ("describe-invalid",) * 3),
    Guarantee("rejects-unknown-custom", ("describe-unknown",)),
    Guarantee("not-before-start", ("describe-before-start",)),
    Guarantee("input-untouched", ("describe",)),
    Guarantee("callback-optional", ("describe-no-callback",), needs_read_back=True),
    Guarantee("no-lost-update", ("overlap",), needs_read_back=True),
)
IDS: tuple[str, ...] = tuple(g.id for g in REGISTRY)
BY_ID: dict[str, Guarantee] = {g.id: g for g in REGISTRY}
LATE: frozenset[str] = frozenset(g.id for g in REGISTRY if g.late)
READ_BACK: frozenset[str] = frozenset(g.id for g in REGISTRY if g.needs_read_back)

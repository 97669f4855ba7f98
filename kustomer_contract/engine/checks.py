"""The named guarantees, each a small judgement over what the runner observed."""

from __future__ import annotations

import copy
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._core.text import describe_error, error_text, json_repr
from ..spec.types import Method, Spec
from .state import State, minus, missing, present, unexplained_changes


@dataclass(frozen=True)
class Violation:
    """One broken guarantee: which, at which step, what was expected and what was seen."""

    guarantee: str
    step: int | None  # index into the case's steps; None for start and the final checks
    call: str
    expected: str
    observed: str

    def to_json(self) -> dict[str, Any]:
        return {
            "guarantee": self.guarantee,
            "step": self.step,
            "call": self.call,
            "expected": self.expected,
            "observed": self.observed,
        }


class Probe:
    """A callback handed to the implementation; records every call with a snapshot of its args.

    Keyword arguments are recorded too (``keywords``), never refused: a ``TypeError`` would be
    raised inside the implementation, and the call would look like a callback that never came.
    ``deadline`` is set by the runner when the call is made: return and callback share one
    timeout."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, tuple[Any, ...]]] = []
        self.keywords: dict[str, Any] | None = None  # those of the first call that had any
        self.deadline: float | None = None
        self.gave: str | None = None  # what the call returned, if not callback-like (Returned.gave)
        self.via = "callback"  # how the result comes: "callback", or a binding's promise / return
        self._event = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        try:
            snapshot = copy.deepcopy(args)  # the implementation may mutate them afterwards
        except BaseException:  # noqa: BLE001 - un-copyable objects are judged as they are
            snapshot = args
        with self._lock:
            self.calls.append((time.monotonic(), snapshot))
            if kwargs and self.keywords is None:
                self.keywords = dict(kwargs)
        self._event.set()

    def wait(self, timeout: float) -> bool:
        return self._event.wait(max(timeout, 0.0))

    @property
    def count(self) -> int:
        return len(self.calls)

    @property
    def args(self) -> tuple[Any, ...]:
        return self.calls[0][1] if self.calls else ()

    @property
    def response(self) -> Any:
        return self.args[0] if self.args else None

    @property
    def error(self) -> Any:
        return self.args[1] if len(self.args) > 1 else None


def json_problem(value: Any, depth: int = 0, seen: frozenset[int] = frozenset()) -> str | None:
    """Why a value is not JSON data (cycles, bytes, sets, NaN...), or None."""
    if depth > 200:
        return "nests deeper than 200 levels"
    if value is None or isinstance(value, (bool, str)):
        return None
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:  # JSON numbers are doubles to JavaScript, the SDK's language
            return (
                f"holds an integer of {value.bit_length()} bits, beyond any number JavaScript "
                "(a double) can hold"
            )
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"holds {value!r}, which JSON cannot represent"
    if id(value) in seen:
        return "is cyclic (an object that contains itself)"
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                return f"has a non-string key {k!r}"
            why = json_problem(v, depth + 1, seen | {id(value)})
            if why:
                return why
        return None
    if isinstance(value, list):
        for v in value:
            why = json_problem(v, depth + 1, seen | {id(value)})
            if why:
                return why
        return None
    return f"holds a {type(value).__name__}, which is not JSON data"


def callback_once(probe: Probe, call: str, step: int | None, *, required: bool) -> list[Violation]:
    """callback-once: never more than once; exactly once when the call had to answer; by
    position, as the SDK calls it: ``callback(callbackResponse, error)``."""
    if probe.keywords is not None:
        names = ", ".join(f"{k}={json_repr(v, 40)}" for k, v in probe.keywords.items())
        return [
            Violation(
                "callback-once",
                step,
                call,
                "the callback called once, as callback(callbackResponse, error)",
                f"called with keyword argument(s) {names}",
            )
        ]
    if probe.count > 1:
        gap = (probe.calls[1][0] - probe.calls[0][0]) * 1000
        return [
            Violation(
                "callback-once",
                step,
                call,
                "the callback called once",
                f"called {probe.count} times (the second {gap:.1f} ms after the first)",
            )
        ]
    if required and probe.count == 0:
        return [Violation("callback-once", step, call, "the callback called once", "never called")]
    return []


def error_is_exception(probe: Probe, call: str, step: int | None) -> list[Violation]:
    """error-is-exception: a failure's error is an exception and there is no response."""
    error = probe.error
    if error is None:
        return []
    if not isinstance(error, BaseException):
        return [
            Violation(
                "error-is-exception",
                step,
                call,
                "error to be an Exception instance",
                f"error is {describe_error(error)}",
            )
        ]
    if error_text(error) is None:  # a caller that logs the error would crash
        return [
            Violation(
                "error-is-exception",
                step,
                call,
                "an exception whose message can be read (str() works)",
                f"str() of the {type(error).__name__} raises",
            )
        ]
    if probe.response is not None:
        return [
            Violation(
                "error-is-exception",
                step,
                call,
                "no response beside an error",
                f"response {json_repr(probe.response)} beside {describe_error(error)}",
            )
        ]
    return []


@dataclass
class Expectation:
    """What a success of one describe call must show."""

    own: State  # the values this call described
    earlier: State  # what the customer held before it
    known_id: Any = None


@dataclass
class Judgement:
    violations: list[Violation] = field(default_factory=list)

    def add(
        self, guarantee: str, step: int | None, call: str, expected: str, observed: str
    ) -> None:
        self.violations.append(Violation(guarantee, step, call, expected, observed))


def reflects_and_keeps(
    spec: Spec,
    method: Method,
    observed: State,
    expect: Expectation,
    call: str,
    step: int | None,
    out: Judgement,
    guarantee_own: str = "reflects-input",
) -> None:
    """reflects-input (this call's values) and keeps-earlier-data (what was there before)."""
    lost_own = missing(expect.own, observed, method)
    if lost_own:
        out.add(
            guarantee_own,
            step,
            call,
            "the response to hold every described value",
            "missing " + "; ".join(lost_own[:5]),
        )
    lost_earlier = missing(_not_overridden(expect.earlier, expect.own, spec), observed, method)
    if lost_earlier:
        out.add(
            "keeps-earlier-data",
            step,
            call,
            "values described earlier for this record to stay",
            "lost " + "; ".join(lost_earlier[:5]),
        )


def _not_overridden(earlier: State, own: State, spec: Spec) -> State:
    """Earlier values a new call may legitimately change are not expected to survive it."""
    kept = earlier.copy()
    for i, entries in own.maps.items():
        for name in entries:
            kept.maps.get(i, {}).pop(name, None)
    if spec.merge == "replace":
        for i in own.lists:
            kept.lists.pop(i, None)
    return kept


def nothing_applied(
    method: Method, before: State, after: State, unwanted: State, landing: State | None = None
) -> str | None:
    """Evidence that a refused call changed the record, or None. ``landing``: what writes
    still in flight may bring meanwhile, which is no evidence."""
    changes = unexplained_changes(before, after, method, landing or State())
    if not changes:
        return None
    shown = present(minus(unwanted, before), after, method)
    if shown:
        return "applied anyway: " + "; ".join(shown[:5])
    return "the record changed: " + "; ".join(changes[:5])


def options_changed(original: Any, current: Any) -> str | None:
    """input-untouched: how the options object differs from what was passed, or None."""
    from .state import canonical_json as _canonical_json

    if _canonical_json(original) == _canonical_json(current):
        return None
    from .._core.jsondiff import json_diff

    return "; ".join(json_diff(original, current)[:5]) or "changed in place"

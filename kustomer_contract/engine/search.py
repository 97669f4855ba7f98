"""A guarantee over many generated cases: hypothesis searches, a failure is confirmed and shrunk; ``replay_case`` runs one recorded case again."""

from __future__ import annotations

import copy
import dataclasses
import time
from collections import Counter
from typing import Any

from ..drivers.base import Driver
from ..generate.cases import Case
from ..generate.reproducible import independent_of_loaded_modules
from ..spec.guarantees import LATE, READ_BACK
from ..spec.types import Klass, Spec
from .checks import (
    Violation,
)
from .results import CaseResult, Failure, GuaranteeResult
from .runner import CaseRunner, Watched
from .settings import (
    DEFAULT_GRACE,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_SPEC,
    DEFAULT_TIMEOUT,
    SHRINK_BUDGET,
)

# --- a guarantee over many generated cases ---------------------------------------------------


class _ShrinkBudgetSpent(BaseException):
    """Raised through hypothesis to stop shrinking; BaseException so hypothesis does not catch it."""


class _LateFound(BaseException):
    """An earlier case broke the guarantee after it ended: stop generating, confirm that case."""


# Guarantees a callback can still break after its case ended: their finished cases are watched
# for ``grace`` (while later cases run). The others judge nothing after a case, so no waiting.
LATE_GUARANTEES = LATE


RACE_ATTEMPTS = 5  # runs of a racing case in replay_case, until one breaks the contract


def check_guarantee(
    spec: Spec,
    driver: Driver,
    guarantee: str,
    *,
    klass: Klass | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
    grace: float = DEFAULT_GRACE,
    shrink_budget: int = SHRINK_BUDGET,
    shrink_seconds: float | None = None,
    on_case: Any = None,
    methods: tuple[str, ...] | None = None,
    on_failure: Any = None,
) -> GuaranteeResult:
    """Run ``max_examples`` cases focused on ``guarantee`` and judge that guarantee alone.

    A failure is shrunk for at most ``shrink_budget`` further cases: a count, not a time, so
    the same seed gives the same report. ``shrink_seconds`` is an optional wall-clock cap on
    top (tests of slow drivers use it); it makes the result depend on the machine."""
    from hypothesis import HealthCheck, Phase, example, given, settings
    from hypothesis import seed as hypothesis_seed

    from ..generate.strategies import SWEEPS, sequences

    unreadable = _unreadable(spec, driver) if guarantee in READ_BACK else None
    if unreadable:  # judged by reading the customer back, which this surface cannot do
        return GuaranteeResult(guarantee, "not-checkable", 0, 0.0, reason=unreadable)
    grace = grace if guarantee in LATE_GUARANTEES else 0.0
    runner = CaseRunner(spec, driver, klass, timeout, grace, watch=True)
    started = time.monotonic()
    state: dict[str, Any] = {
        "cases": 0,
        "failure": None,
        "first_failure": None,
        "after_failure": 0,
        "stopped": False,
        "blocked": Counter(),
    }

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no database: no reuse phase
    )
    @hypothesis_seed(seed)
    @given(sequences(spec, klass, focus=guarantee, methods=methods))
    def judge(case: Case) -> None:
        first = state["first_failure"]
        if first is not None:
            spent = state["after_failure"] >= shrink_budget
            if spent or (shrink_seconds is not None and time.monotonic() - first > shrink_seconds):
                state["stopped"] = True
                raise _ShrinkBudgetSpent
            state["after_failure"] += 1
        pristine = copy.deepcopy(case)  # what was asked, whatever the implementation does to it
        result = runner.run(case)
        state["cases"] += 1
        if on_case:
            on_case(guarantee, pristine)
        mine = result.of(guarantee)
        again = first is not None and mine and case.races
        if again and not runner.run(copy.deepcopy(pristine)).of(guarantee):
            # While shrinking, a racing case must fail twice in a row to count: one that its
            # replay may not show is no smaller reproducer, and a shrink path that hangs on
            # timing would differ from one process to the next.
            mine = []
        if mine:
            if on_failure:  # a failing case (the first, then each smaller one): for progress
                on_failure(guarantee)
            state["failure"] = Failure(
                guarantee, mine[0], pristine, result.transcript, seed, timeline=result.timeline
            )
            state["first_failure"] = state["first_failure"] or time.monotonic()
            raise AssertionError(f"{guarantee}: {mine[0].observed}")
        if result.blocked:
            state["blocked"][result.blocked] += 1
        if state["failure"] is None:
            state["late"] = runner.late(guarantee)
            if state["late"]:
                raise _LateFound

    sweep = SWEEPS[guarantee](spec, klass, methods) if guarantee in SWEEPS else ()
    for case in sweep:  # explicit examples run before the generated ones
        judge = example(case)(judge)
    error = None
    with driver.running(), independent_of_loaded_modules():  # os._exit guarded throughout
        try:
            judge()
        except (_ShrinkBudgetSpent, _LateFound):
            pass
        except Exception as exc:  # noqa: BLE001 - hypothesis wraps our failure; ours is recorded
            if state["failure"] is None:
                error = f"{type(exc).__name__}: {exc}"
        finally:
            settled = runner.settle(guarantee)
        late = state.get("late") or settled
        if state["failure"] is None and late is not None:
            state["failure"] = _confirm(runner, guarantee, seed, *late)
    seconds = time.monotonic() - started
    failure = state["failure"]
    if failure is not None:
        failure.shrink_stopped = state["stopped"]
        return GuaranteeResult(
            guarantee, "failed", state["cases"], seconds, failure, shrink_budget=shrink_budget
        )
    if error is not None:
        return GuaranteeResult(guarantee, "error", state["cases"], seconds, error=error)
    blocked = state["blocked"]
    if blocked and sum(blocked.values()) == state["cases"]:
        return GuaranteeResult(
            guarantee, "blocked", state["cases"], seconds, blocked_by=blocked.most_common(1)[0][0]
        )
    return GuaranteeResult(guarantee, "passed", state["cases"], seconds)


def _confirm(
    runner: CaseRunner, guarantee: str, seed: int, watched: Watched, seen: Violation
) -> Failure:
    """A case that broke ``guarantee`` after it ended: run it again as its replay will (with
    the grace slept), cut after the step that broke it if that still fails. Hypothesis cannot
    shrink it (it passed when it ran), so this is the reproducer; if no run shows it again
    (timing), the first observation is reported as it was seen."""
    again = CaseRunner(runner.spec, runner.driver, runner.klass, runner.timeout, runner.grace)
    case = watched.case
    tries = [case]
    if seen.step is not None and seen.step + 1 < len(case.steps):
        tries.insert(0, dataclasses.replace(case, steps=case.steps[: seen.step + 1]))
    if seen.step is not None and len(case.steps) > 1:  # the step alone, if it fails alone
        tries.insert(0, dataclasses.replace(case, steps=(case.steps[seen.step],)))
    for attempt in tries:
        result = again.run(attempt)
        mine = result.of(guarantee)
        if mine:
            return Failure(
                guarantee, mine[0], attempt, result.transcript, seed, timeline=result.timeline
            )
    return Failure(
        guarantee, seen, case, watched.result.transcript, seed, timeline=watched.result.timeline
    )


def _unreadable(spec: Spec, driver: Driver) -> str | None:
    """Why the customer cannot be read back through the driver's binding, or None."""
    binding = getattr(driver, "binding", None)
    return binding.unreadable_reason(spec) if binding is not None else None


def replay_case(
    impl: str,
    case: Case | dict[str, Any],
    *,
    spec: str = DEFAULT_SPEC,
    klass: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    grace: float = DEFAULT_GRACE,
    attempts: int | None = None,
    binding: str | None = None,
) -> CaseResult:
    """Run one recorded case again (printed regression tests call it).

    ``impl`` is ``module:attribute``, the path of a JavaScript module (run with Node), or a
    page (an HTML file or a loopback URL, run in Chromium). A case whose steps race (calls in
    flight together) may break the contract in one run of several: it runs up to
    ``attempts`` times (default RACE_ATTEMPTS for such a case, else once) and the first run
    that breaks something is the result, so a race lost once in the check fails its test.
    ``binding``: how the implementation is called (web, core, promise or a binding file's
    path; default web)."""
    from ..drivers.targets import open_driver
    from ..spec.bindings import DEFAULT_BINDING, load_binding
    from ..spec.loader import load_klass, load_spec

    loaded = load_spec(spec)
    names = load_klass(klass, loaded) if klass else None
    surface = load_binding(binding or DEFAULT_BINDING, loaded)
    driver = open_driver(impl, loaded, names, binding=surface)
    case = case if isinstance(case, Case) else Case.from_json(case)
    try:
        with driver.running():
            runner = CaseRunner(loaded, driver, names, timeout, grace)
            for _ in range(max(1, attempts or (RACE_ATTEMPTS if case.races else 1))):
                result = runner.run(copy.deepcopy(case))
                if result.violations:
                    break
            return result
    finally:
        driver.shutdown()  # a node process, a browser

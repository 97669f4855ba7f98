"""Drive an implementation through one case and judge every observation (``CaseRunner``)."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from .._core.pointer import put as _put
from .._core.pointer import resolve as at_pointer
from .._core.text import json_repr
from ..drivers.base import Driver, Settles
from ..generate.cases import Case, Step
from ..spec.bindings import DEFAULT_BINDING, SurfaceCall, load_binding
from ..spec.fastcheck import fast_check
from ..spec.schemas import validator_for
from ..spec.types import Klass, Method, Spec
from .checks import (
    Expectation,
    Judgement,
    Probe,
    Violation,
    callback_once,
    describe_error,
    error_is_exception,
    json_problem,
    nothing_applied,
    options_changed,
    reflects_and_keeps,
)
from .results import CaseResult, TimedCall
from .settings import (
    DEFAULT_TIMEOUT,
)
from .state import (
    State,
    canonical_json,
    identity_of,
    merged,
    minus,
    missing,
    present,
    rebased,
    shows_landing,
    state_from,
    union,
    widened,
)


class Blocked(Exception):
    """The case cannot go on (a callback never came, a call raised): stop it here."""


class ResolvedFalse(Exception):
    """A surface whose success is ``true`` answered ``false``: the call was refused (a
    boolean surface's way of saying error)."""


def _ignored(*_args: Any) -> None:
    """Where the result of a call nobody waits for goes (a describe not awaited)."""


def _settled_to(surface: SurfaceCall, probe: Probe | None) -> Any:
    """What a Promise / return of ``surface`` hands its result to: the probe, as a callback
    would get it (``(response, error)``)."""
    if probe is None:
        return _ignored

    def to(value: Any, error: Any) -> None:
        if error is None and surface.success == "true" and value is False:
            probe(None, ResolvedFalse(f"{surface.method} resolved false"))
        else:
            probe(value, error)

    return to


def _shown(value: Any, limit: int) -> str:
    """json_repr that never raises, whatever the implementation handed back."""
    try:
        return json_repr(value, limit)
    except Exception:  # noqa: BLE001 - a hostile __repr__ is shown as such, never a crash
        return f"<a {type(value).__name__} that cannot be printed>"


@dataclass
class _Pending:
    """A call whose callback may still come, checked once the case ends."""

    probe: Probe
    call: str
    step: int | None
    required: bool
    before_start: bool = False
    original: Any = None
    live: Any = None


@dataclass
class Watched:
    """A finished case whose callbacks are still watched until ``until`` (a late second call)."""

    case: Case
    result: CaseResult
    pending: list[_Pending]
    instance: Any
    until: float
    seen: set[tuple[Any, ...]]


class CaseRunner:
    """Runs one case against a fresh instance from ``driver``."""

    def __init__(
        self,
        spec: Spec,
        driver: Driver,
        klass: Klass | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        grace: float = 0.0,
        watch: bool = False,
    ) -> None:
        """``grace``: how long after a case's last call settled its callbacks are still
        watched. With ``watch``, the case does not wait for it: its instance stays open while
        later cases run, and ``late()`` / ``settle()`` judge what came in the meantime;
        without, the case sleeps ``grace`` before its final judgement (a replay)."""
        self.spec, self.driver, self.klass = spec, driver, klass
        self.timeout, self.grace, self.watch = timeout, grace, watch
        self.watching: list[Watched] = []
        self.target = spec.target
        self.start = spec.by_role("start")
        self.identify = spec.by_role("identify")
        self.forget = spec.by_role("forget")
        # How each method is called; a surface that cannot read the customer back leaves the
        # comparisons that need it undone (those guarantees are reported not checkable).
        self.binding = getattr(driver, "binding", None) or load_binding(DEFAULT_BINDING, spec)
        self.surfaces = {m.name: self.binding.surface(spec, m) for m in spec.methods.values()}
        self.readable = self.binding.unreadable_reason(spec) is None

    # --- one case --------------------------------------------------------------------------

    def run(self, case: Case) -> CaseResult:
        self.out = Judgement()
        self.result = CaseResult(self.out.violations)
        self.pending: list[_Pending] = []
        self.identity: tuple[str, int] = ("anon", 0)
        self.anon_epoch = 0
        self.first_login_from: dict[int, tuple[str, int]] = {}
        # Per method: every value validly described in this case (any record), and the
        # values of calls made before start, which must never show up.
        self.described: dict[str, State] = {}
        self.before_start: dict[str, State] = {}
        self.early: list[tuple[int, str, Method, State]] = []  # each call before start
        self.states: dict[tuple[Any, ...] | None, State] = {}  # None: see _record
        # Per record: writes that may still land at any moment (a describe without callback
        # whose landing could not be told apart). Every expectation of the record allows them.
        self.in_flight: dict[tuple[Any, ...] | None, list[State]] = {}
        self.ids: dict[tuple[str, int], Any] = {}
        self.case = case
        self.at: int | None = None  # the step being run (None: start), for the timeline
        self._expire()
        self.instance = self.driver.new_instance()
        try:
            before = [
                (i, s) for i, s in enumerate(case.steps) if s.action == "describe-before-start"
            ]
            for i, step in before:
                self.at = i
                self._before_start(i, step)
            self.at = None
            self._start()
            if before:
                self._check_before_start_had_no_effect(before)
            for i, step in enumerate(case.steps):
                if step.action != "describe-before-start":
                    if step.gap_ms:
                        time.sleep(step.gap_ms / 1000)
                    self.at = i
                    getattr(self, "_" + step.action.replace("-", "_"))(i, step)
        except Blocked as why:
            self.result.blocked = str(why)
        finally:
            self._finish()
            if not (self.watch and self.grace):
                self.driver.close(self.instance)
        return self.result

    # --- calls -----------------------------------------------------------------------------

    def _call(self, method: Any, options: Any, probe: Probe | None) -> Any:
        return self._call_together([(method, options, probe)])[0]

    def _call_together(self, calls: list[tuple[Any, Any, Probe | None]]) -> list[Any]:
        """Make the calls back to back (in one turn of a JavaScript event loop); each one's
        (transcript line, Returned)."""
        lines, sent = [], []
        for method, options, probe in calls:
            surface = self.surfaces[method.name]
            args = surface.arguments(method, options)
            text = f"{surface.method}({', '.join(_shown(a, 200) for a in args)})"
            if surface.takes_callback:
                if probe is not None:
                    args.append(probe)
            else:
                args.append(Settles(surface.result, _settled_to(surface, probe)))  # type: ignore[arg-type]
                if probe is not None:
                    probe.via = surface.result
            self.result.transcript.append(text)
            lines.append(text)
            sent.append((surface.method, args))
        began = time.monotonic()
        returned = self.driver.call_together(self.instance, sent, self.timeout)
        for (_, _, probe), one, line in zip(calls, returned, lines, strict=True):
            if probe is not None:  # one bound per call: returning and calling back share it
                probe.deadline = began + self.timeout
                probe.gave = one.gave
            self.result.timeline.append(
                TimedCall(
                    line, began, began + one.took, self.at, probe, one.hung, one.raised is not None
                )
            )
            began += one.took  # the next call began when this one returned
        return list(zip(lines, returned, strict=True))

    def _shows(self, method: Method) -> bool:
        """Whether a success of ``method`` shows the record (its response, through a surface
        that can read back)."""
        return self.readable and self.surfaces[method.name].success == "response"

    def _answer(
        self, probe: Probe, call: str, step: int | None, returned: Any, guarantee: str
    ) -> Any:
        """Wait for a call that must succeed; record what went wrong under ``guarantee``."""
        if returned.hung:
            self.out.add(
                guarantee,
                step,
                call,
                f"{call.split('(')[0]} to return",
                f"it did not return within {self.timeout:g} s",
            )
            raise Blocked(f"{call} never returned")
        if returned.raised is not None:
            self.out.add(
                guarantee, step, call, "no exception", f"raised {describe_error(returned.raised)}"
            )
            raise Blocked(f"{call} raised")
        self._await_callback(probe, call, step, guarantee)
        self.result.transcript.append(f"  -> {_shown(probe.args, 200)}")
        if probe.error is not None:
            self.out.violations.extend(error_is_exception(probe, call, step))
            self.out.add(
                guarantee, step, call, "success (no error)", f"error {describe_error(probe.error)}"
            )
            raise Blocked(f"{call} failed")
        return probe.response

    def _await_callback(
        self, probe: Probe, call: str, step: int | None, guarantee: str | None = None
    ) -> None:
        """callback-once: the callback must come within what is left of the call's timeout
        (returning took the rest), called by position, or the case stops.

        A method that returned a coroutine or a Promise and never called back is told as
        such, under ``guarantee`` too (the call did not succeed): the SDK is callback-based."""
        started = (probe.deadline or time.monotonic()) - self.timeout
        gave = probe.gave
        # An un-awaited coroutine never runs its body: no callback can come, so do not wait.
        left = 0.0 if gave == "a coroutine" else (probe.deadline or 0.0) - time.monotonic()
        if not probe.wait(left if probe.deadline is not None else self.timeout):
            name = call.split("(")[0]
            if probe.via != "callback":
                self.out.add(
                    "callback-once",
                    step,
                    call,
                    f"the {probe.via} of {name} to settle once",
                    f"not settled within {self.timeout:g} s",
                )
                raise Blocked(f"{call}: never settled")
            if gave:
                observed = (
                    f"{name} returned {gave} and did not call the callback; the SDK contract "
                    "is callback-based (callback(callbackResponse, error)), not async"
                )
                if guarantee and guarantee != "callback-once":
                    self.out.add(guarantee, step, call, f"{name} to call back", observed)
            else:
                observed = f"not called within {self.timeout:g} s"
                seen = self.driver.incidents(started)
                if seen:
                    observed += "; meanwhile " + "; ".join(seen[:2])
            self.out.add("callback-once", step, call, "the callback called once", observed)
            raise Blocked(f"{call}: callback never came")
        misused = callback_once(probe, call, step, required=True)
        if probe.keywords is not None:
            self.out.violations.extend(misused)
            raise Blocked(f"{call}: callback called with keyword arguments")

    def _track(
        self,
        probe: Probe,
        call: str,
        step: int | None,
        *,
        required: bool = True,
        before_start: bool = False,
        original: Any = None,
        live: Any = None,
    ) -> None:
        self.pending.append(_Pending(probe, call, step, required, before_start, original, live))

    def _start(self) -> None:
        probe = Probe()
        assert self.start is not None  # the loader requires exactly one start method
        options: dict[str, Any] | None = {} if self.start.takes_options else None
        call, returned = self._call(self.start, options, probe)
        self._track(probe, call, None)
        self._answer(probe, call, None, returned, "accepts-valid")

    def _method(self, step: Step) -> Method:
        return self.spec.methods[step.method] if step.method else self.target

    def _record(
        self, method: Method, options: Any, identity: tuple[str, int] | None = None
    ) -> tuple[Any, ...] | None:
        """Which record a call touches: the customer of ``identity`` (the session's), or the
        one its options name (None when they name none that could be read back)."""
        if method.subject is None:
            return (method.name, *(identity or self.identity))
        found, value = at_pointer(options, method.subject)
        if not found or not validator_for(self.spec, "options", method.name).is_valid(
            self._read_options(method, options)
        ):
            return None
        return (method.name, "subject", canonical_json(value))

    def _read_options(self, method: Method, options: Any) -> Any:
        read = copy.deepcopy(method.read if method.read is not None else {})
        if method.subject is not None:
            _put(read, method.subject, at_pointer(options, method.subject)[1])
        return read

    def _describe_ok(
        self, step: int | None, options: Any, method: Method, guarantee: str = "accepts-valid"
    ) -> State | None:
        """A valid describe with a callback; every success-side guarantee is judged here.
        None: the surface's success does not show the record."""
        probe = Probe()
        original = copy.deepcopy(options)
        key = self._record(method, options)
        earlier = self.states.get(key, State())
        own = state_from(method, original, "input")
        self._note_described(method, own)
        call, returned = self._call(method, options, probe)
        self._track(probe, call, step, original=original, live=options)
        response = self._answer(probe, call, step, returned, guarantee)
        observed = self._success_state(method, response, call, step)
        if observed is None:
            return None
        expect = Expectation(self._open(key, own), earlier)
        reflects_and_keeps(self.spec, method, observed, expect, call, step, self.out)
        self._check_identity(method, original, response, call, step)
        # Settled: what the response shows is what the record holds, but for writes in flight.
        self._settle(key, rebased(merged(self.spec, earlier, own), observed))
        return observed

    # --- the model of each record ----------------------------------------------------------

    def _landing(self, key: Any) -> State:
        """Every value that writes in flight to ``key`` may still bring."""
        out = State()
        for write in self.in_flight.get(key, ()):
            for i, values in write.lists.items():
                out.lists.setdefault(i, {}).update(values)
            for i, entries in write.maps.items():
                have = out.maps.setdefault(i, {})
                for name, allowed in entries.items():
                    have[name] = have.get(name, frozenset()) | allowed
        return out

    def _open(self, key: Any, expected: State) -> State:
        """``expected``, allowing for the writes in flight to ``key``."""
        for write in self.in_flight.get(key, ()):
            expected = widened(self.spec, expected, write)
        return expected

    def _settle(self, key: Any, state: State) -> None:
        self.states[key] = self._open(key, state)

    def _maybe_written(self, keys: set[Any], write: State, *, settled: bool) -> None:
        """A write that went to one of ``keys``, or to none, we cannot tell: each may show it.
        ``settled``: it has answered, so it cannot land later than what follows."""
        for key in keys:
            if not settled:
                self.in_flight.setdefault(key, []).append(write)
            self._settle(key, widened(self.spec, self.states.get(key, State()), write))

    def _note_described(self, method: Method, own: State) -> None:
        self.described[method.name] = union(self.described.get(method.name, State()), own)

    def _success_state(
        self, method: Method, response: Any, call: str, step: int | None
    ) -> State | None:
        """What a success shows of the record; None when the surface's success is not the
        response (a boolean, nothing): only that it is what the binding says is judged."""
        surface = self.surfaces[method.name]
        if surface.success == "true" and response is not True:
            self.out.add(
                "response-conforms",
                step,
                call,
                f"{surface.method} to succeed with true (the binding's success)",
                f"it succeeded with {_shown(response, 120)}",
            )
        if not self._shows(method):
            return None
        why = json_problem(response)
        if why:
            self.out.add("response-conforms", step, call, "a JSON response", f"the response {why}")
            raise Blocked("response is not JSON data")
        # The fast path first: where it says valid there is no problem; else jsonschema says
        # which. A disagreement could only hide a problem, never raise a false alarm.
        problems = fast_check(validator_for(self.spec, "response", method.name)).problems(response)
        if problems:
            self.out.add(
                "response-conforms",
                step,
                call,
                "a response matching callbackResponse",
                "; ".join(str(p) for p in problems[:3]),
            )
            if not isinstance(response, dict):
                raise Blocked("response is not an object")
        observed = state_from(method, response, "output")
        early = self.before_start.get(method.name)
        leaked = early and present(
            minus(early, self.described.get(method.name, State())), observed, method
        )
        if leaked:  # blamed on the early call whose values show, not on this read
            early_step, early_call = self._early_call_showing(method, observed)
            self.out.add(
                "not-before-start",
                early_step if early_call else step,
                early_call or call,
                "no effect of calls made before start's callback",
                "applied: " + "; ".join(leaked[:5]) + f" (seen in the response of {call})",
            )
        return observed

    def _early_call_showing(self, method: Method, observed: State) -> tuple[int | None, str]:
        """The first call made before start whose values the response shows."""
        later = self.described.get(method.name, State())
        for i, call, m, early in self.early:
            if m.name == method.name and present(minus(early, later), observed, method):
                return i, call
        return None, ""

    def _read(
        self, step: int | None, method: Method | None = None, options: Any = None
    ) -> State | None:
        """The record as it stands: the method's read options (``{}`` for describeCustomer)
        change nothing and answer with the record; for a record named in the options, the
        read names it too. None (and no call) where the surface cannot read it back."""
        method = method or self.target
        if not self._shows(method):
            return None
        return self._describe_ok(step, self._read_options(method, options), method)

    def _check_identity(
        self, method: Method, options: Any, response: Any, call: str, step: int | None
    ) -> None:
        answered = identity_of(method, response)
        if method.subject is not None:  # the record is the one the options name
            named = identity_of(method, options, method.subject)
            if method.identity and answered != named:
                self.out.add(
                    "stable-identity",
                    step,
                    call,
                    f"the record {json_repr(named)} that was named",
                    f"{method.identity} {json_repr(answered)}",
                )
            return
        if answered is None:
            return
        key = self.identity
        known = self.ids.get(key)
        if known is not None and known != answered:
            self.out.add(
                "stable-identity",
                step,
                call,
                f"customer {self._who(key)} to keep id {json_repr(known)}",
                f"id {json_repr(answered)}",
            )
            return
        for other, other_id in self.ids.items():
            if other != key and other_id == answered and self._must_differ(key, other):
                self.out.add(
                    "stable-identity",
                    step,
                    call,
                    f"{self._who(key)} to be another customer than {self._who(other)}",
                    f"both have id {json_repr(answered)}",
                )
        self.ids[key] = answered

    def _must_differ(self, a: tuple[str, int], b: tuple[str, int]) -> bool:
        """Two identities that may not share a customer id.

        Tokens never share. A login may take over the anonymous customer it was first made
        from (the SDK identifies the visitor); any other anonymous customer, in particular the
        one a logout leaves, is another customer than every logged-in one.
        """
        if a[0] == b[0]:
            return a[0] == "token"
        token, anon = (a, b) if a[0] == "token" else (b, a)
        return self.first_login_from.get(token[1]) != anon

    def _who(self, key: tuple[str, int]) -> str:
        return f"login token #{key[1]}" if key[0] == "token" else f"anonymous customer #{key[1]}"

    # --- steps -----------------------------------------------------------------------------

    def _before_start(self, i: int, step: Step) -> None:
        probe = Probe()
        original = copy.deepcopy(step.options)
        call, returned = self._call(self._method(step), step.options, probe)
        if returned.hung:
            self.out.add(
                "not-before-start",
                i,
                call,
                "the call to return",
                f"no return within {self.timeout:g} s",
            )
            raise Blocked("a call before start never returned")
        m = self._method(step)
        self.early.append((i, call, m, state_from(m, original, "input")))
        # A synchronous exception is allowed; a callback, if any, must carry an error.
        self._track(
            probe, call, i, required=False, before_start=True, original=original, live=step.options
        )

    def _check_before_start_had_no_effect(self, before: list[tuple[int, Step]]) -> None:
        for _, step in before:
            m = self._method(step)
            early = state_from(m, step.options, "input")
            self.before_start[m.name] = union(self.before_start.get(m.name, State()), early)
        for _, step in before:  # every later response is checked too: a queued call may land late
            self._read(None, self._method(step), step.options)

    def _describe(self, i: int, step: Step) -> None:
        self._describe_ok(i, step.options, self._method(step))

    def _refused(self, i: int, step: Step, guarantee: str) -> None:
        m = self._method(step)
        key = self._record(m, step.options)  # None: the options do not even name a record
        before = self._read(i, m, step.options) if key else None
        probe = Probe()
        original = copy.deepcopy(step.options)
        call, returned = self._call(m, step.options, probe)
        self._track(
            probe, call, i, required=returned.raised is None, original=original, live=step.options
        )
        where = f" ({step.broken_rule})" if step.label else ""
        if returned.hung:
            self.out.add(
                guarantee, i, call, "an error", f"the call did not return within {self.timeout:g} s"
            )
            raise Blocked("call never returned")
        own = state_from(m, step.options, "input")
        if returned.raised is None:
            self._await_callback(probe, call, i)
            if probe.error is None:
                self.out.add(
                    guarantee,
                    i,
                    call,
                    f"an error{where}",
                    f"success with {json_repr(probe.response, 120)}",
                )
                # Its values may now show up: that is this guarantee's finding, not another's.
                self._note_described(m, own)
        if before is None:
            return
        after = self._read(i, m, step.options)  # the read also makes ``after`` the baseline
        if after is None:  # the surface cannot read it back (a before could, so never here)
            return
        changed = nothing_applied(m, before, after, own, self._landing(key))
        if changed:
            self.out.add(guarantee, i, call, f"nothing applied{where}", changed)
            self._note_described(m, own)

    def _describe_invalid(self, i: int, step: Step) -> None:
        self._refused(i, step, "rejects-invalid")

    def _describe_unknown(self, i: int, step: Step) -> None:
        self._refused(i, step, "rejects-unknown-custom")

    def _describe_no_callback(self, i: int, step: Step) -> None:
        m = self._method(step)
        original = copy.deepcopy(step.options)
        own = state_from(m, original, "input")
        key = self._record(m, original)
        # Seeing the update proves it landed only if it shows something the record lacked.
        shown = self._read(i, m, original)
        proof = shown is not None and shows_landing(own, shown, self._landing(key))
        self._note_described(m, own)
        call, returned = self._call(m, step.options, None)
        self.pending.append(_Pending(Probe(), call, i, False, original=original, live=step.options))
        if returned.hung or returned.raised is not None:
            what = (
                "did not return" if returned.hung else f"raised {describe_error(returned.raised)}"
            )
            self.out.add("callback-optional", i, call, "no exception without a callback", what)
            raise Blocked("describe without callback failed")
        # Until it shows, it may land at any moment: every read in between allows it.
        self._maybe_written({key}, own, settled=False)
        if not self._shows(m):
            return  # whether it landed cannot be seen through this surface
        deadline = time.monotonic() + self.timeout
        pause = 0.0002  # doubled up to 2 ms: most updates land within a millisecond
        while True:  # the update may land after the call returns: poll until it shows
            lost = missing(own, self._read(i, m, original) or State(), m)
            if not lost:
                break
            if time.monotonic() > deadline:
                self.out.add(
                    "callback-optional",
                    i,
                    call,
                    "the update applied",
                    f"still missing after {self.timeout:g} s: " + "; ".join(lost[:5]),
                )
                break
            time.sleep(pause)
            pause = min(2 * pause, 0.002)
        if not lost and proof:  # it has landed: from here on it is an ordinary earlier write
            flying = self.in_flight[key]
            flying.pop(next(n for n, w in enumerate(flying) if w is own))
            self._settle(key, merged(self.spec, self.states[key], own))

    def _overlap(self, i: int, step: Step) -> None:
        m = self._method(step)
        key = self._record(m, step.options[0])  # overlapping calls share their record
        earlier = self.states.get(key, State())
        owns = [state_from(m, options, "input") for options in step.options]
        for own in owns:
            self._note_described(m, own)
        # Which call lands last is not ours to know: a value several of them set differently
        # may end as any of theirs, and is judged by no call alone.
        contested = _contested(owns)
        written = _contested(owns, at_least=1)  # what any of them sets may change under another
        probes = [Probe() for _ in step.options]
        originals = [copy.deepcopy(options) for options in step.options]
        # All issued together, before any callback can come: in flight at the same time.
        made = self._call_together(list(zip(repeat(m), step.options, probes)))
        calls = []
        for probe, original, options, (call, returned) in zip(
            probes, originals, step.options, made, strict=True
        ):
            self._track(probe, call, i, original=original, live=options)
            calls.append((probe, call, returned))
        total = earlier
        for (probe, call, returned), own in zip(calls, owns, strict=True):
            response = self._answer(probe, call, i, returned, "accepts-valid")
            observed = self._success_state(m, response, call, i)
            if observed is None:
                continue
            expect = Expectation(
                self._open(key, _without(own, contested)), _without(earlier, written)
            )
            reflects_and_keeps(self.spec, m, observed, expect, call, i, self.out)
            self._check_identity(m, step.options[0], response, call, i)
            total = merged(self.spec, total, own)
        # The read after judges what the group wrote under no-lost-update alone.
        self._settle(key, _without(earlier, written))
        observed = self._read(i, m, step.options[0])
        if observed is None:
            return
        lost = missing(self._open(key, _without(total, contested)), observed, m)
        if lost:
            self.out.add(
                "no-lost-update",
                i,
                f"{len(calls)} overlapping {m.name} calls",
                "every overlapping update applied",
                "lost " + "; ".join(lost[:5]),
            )
        # From here on, what landed is what counts (which of the contested values won).
        self._settle(key, rebased(total, observed))

    def _login(self, i: int, step: Step) -> None:
        probe = Probe()
        call, returned = self._call(self.identify, self.case.tokens[step.token], probe)
        self._track(probe, call, i)
        self._answer(probe, call, i, returned, "stable-identity")
        self.first_login_from.setdefault(step.token, self.identity)
        self.identity = ("token", step.token)

    def _describe_during_login(self, i: int, step: Step) -> None:
        """The caller breaks describe-after-login: login, then a describe before its callback.

        Where the update lands (the visitor or the logged-in customer) is unspecified, so it
        is expected nowhere; only the callbacks are judged."""
        m = self._method(step)
        was = self.identity
        login_probe = Probe()
        login_call, login_returned = self._call(
            self.identify, self.case.tokens[step.token], login_probe
        )
        self._track(login_probe, login_call, i)
        probe = Probe()
        original = copy.deepcopy(step.options)
        self._note_described(m, state_from(m, original, "input"))
        call, returned = self._call(m, step.options, probe)
        required = returned.raised is None and not returned.hung
        self._track(probe, call, i, required=required, original=original, live=step.options)
        self._answer(login_probe, login_call, i, login_returned, "stable-identity")
        if required:
            self._await_callback(probe, call, i)
        self.first_login_from.setdefault(step.token, self.identity)
        self.identity = ("token", step.token)
        # It may have landed on the visitor, on the logged-in customer, or (refused) nowhere.
        own = state_from(m, original, "input")
        keys = {self._record(m, original, was), self._record(m, original)} - {None}
        self._maybe_written(keys, own, settled=required)

    def _logout(self, i: int, step: Step) -> None:
        probe = Probe()
        call, returned = self._call(self.forget, None, probe)
        self._track(probe, call, i)
        self._answer(probe, call, i, returned, "stable-identity")
        self.anon_epoch += 1
        self.identity = ("anon", self.anon_epoch)

    # --- after the last step ---------------------------------------------------------------

    def _finish(self) -> None:
        watched = self.watch and self.grace
        if self.grace and not watched:
            time.sleep(self.grace)  # a second call of a callback shows up in this window
        found = self._judge_pending(self.pending)
        self.out.violations.extend(found)
        self.result.violations[:] = _unique(self.out.violations)
        if watched:  # judged again later, while other cases run: no waiting here
            until = time.monotonic() + self.grace
            seen = {_key(v) for v in found}
            self.watching.append(
                Watched(self.case, self.result, self.pending, self.instance, until, seen)
            )

    def _expire(self, everything: bool = False) -> None:
        """Close the instances of watched cases whose grace has passed."""
        now, kept = time.monotonic(), []
        for w in self.watching:
            if everything or w.until <= now:
                self.driver.close(w.instance)
            else:
                kept.append(w)
        self.watching = kept

    def late(self, guarantee: str) -> tuple[Watched, Violation] | None:
        """A finished case that broke ``guarantee`` after it ended (a late second callback),
        and had not broken it before."""
        for w in self.watching:
            if w.result.of(guarantee):
                continue
            for v in _unique(self._judge_pending(w.pending)):
                if v.guarantee == guarantee and _key(v) not in w.seen:
                    return w, v
        return None

    def settle(self, guarantee: str) -> tuple[Watched, Violation] | None:
        """Wait out the grace of the cases still watched, judge them, close every instance."""
        if self.watching:
            time.sleep(max(0.0, max(w.until for w in self.watching) - time.monotonic()))
        found = self.late(guarantee)
        self._expire(everything=True)
        return found

    def _judge_pending(self, pending: list[_Pending]) -> list[Violation]:
        """What the calls' callbacks and options show now (after the case, and again later)."""
        out = Judgement()
        for p in pending:
            out.violations.extend(callback_once(p.probe, p.call, p.step, required=False))
            if p.before_start and p.probe.count:
                if p.probe.error is None:
                    out.add(
                        "not-before-start",
                        p.step,
                        p.call,
                        "an error in the callback (or none at all)",
                        f"success with {_shown(p.probe.response, 120)}",
                    )
                else:
                    out.violations.extend(error_is_exception(p.probe, p.call, p.step))
            elif p.probe.count and p.probe.error is not None:
                out.violations.extend(error_is_exception(p.probe, p.call, p.step))
            if p.original is not None:
                changed = options_changed(p.original, p.live)
                if changed:
                    out.add(
                        "input-untouched",
                        p.step,
                        p.call,
                        "the options object left as it was",
                        changed,
                    )
        return out.violations


def _contested(owns: list[State], at_least: int = 2) -> dict[int, set[str]]:
    """Map entries (by rule) that overlapping calls set to ``at_least`` different values."""
    values: dict[tuple[int, str], set[frozenset[Any]]] = {}  # state.Values
    for own in owns:
        for rule, entries in own.maps.items():
            for name, value in entries.items():
                values.setdefault((rule, name), set()).add(value)
    out: dict[int, set[str]] = {}
    for (rule, name), seen in values.items():
        if len(seen) >= at_least:
            out.setdefault(rule, set()).add(name)
    return out


def _without(state: State, contested: dict[int, set[str]]) -> State:
    out = state.copy()
    for rule, names in contested.items():
        for name in names:
            out.maps.get(rule, {}).pop(name, None)
    return out


def _key(v: Violation) -> tuple[Any, ...]:
    return (v.guarantee, v.step, v.call, v.observed)


def _unique(violations: list[Violation]) -> list[Violation]:
    seen, out = set(), []
    for v in violations:
        key = _key(v)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out

"""The customer model against every way a later write may legitimately replace an earlier one.

Each case here is a correct implementation that an earlier model reported broken (a false
alarm). The doubles are deterministic: a write without a callback lands after a fixed number
of further calls, so each case shows the same interleaving on every run.
"""

from __future__ import annotations

import copy

import pytest

from kustomer_contract.drivers.python import PythonDriver
from kustomer_contract.engine.runner import CaseRunner
from kustomer_contract.engine.search import check_guarantee, replay_case
from kustomer_contract.reference import KustomerDouble
from kustomer_contract.spec.loader import load_spec

REFERENCE = "kustomer_contract.reference:make"
FAV = "favoriteColorStr"


def custom(value):
    return {"customAttributes": {FAV: value}}


def case(*steps, tokens=()):
    return {"tokens": list(tokens), "steps": list(steps)}


def describe(options, action="describe", **extra):
    return {"action": action, "options": options, **extra}


class LandsLate(KustomerDouble):
    """A describe without a callback lands only after ``LAG`` further calls (the request was
    slow); every other call answers at once, in order."""

    LAG = 2

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._queue: list[list] = []  # [calls left, apply]

    def _later(self, finish, callback):
        response, error = finish()
        if callback is not None:
            callback(response, error)

    def _tick(self):
        for entry in list(self._queue):
            entry[0] -= 1
            if entry[0] <= 0:
                self._queue.remove(entry)
                entry[1]()

    def start(self, options=None, callback=None):
        self._tick()
        super().start(options, callback)

    def login(self, options, callback=None):
        self._tick()
        super().login(options, callback)

    def logout(self, callback=None):
        self._tick()
        super().logout(callback)

    def _describe(self, name, options, callback=None):
        self._tick()
        if callback is not None or not self._started:
            return super()._describe(name, options, callback)
        method = self._spec.methods[name]
        if self._refuse(name, options):
            return None
        update = copy.deepcopy(options)
        record = self._current if method.subject is None else self._record_for(method, update)

        def apply():
            with self._lock:
                self._apply(record, update, method)

        self._queue.append([self.LAG, apply])
        return None


def lands_late(lag):
    return type(f"LandsLate{lag}", (LandsLate,), {"LAG": lag})


def run(impl, data, spec="v1"):
    loaded = load_spec(spec)
    return CaseRunner(loaded, PythonDriver(impl, loaded), None, 2.0, 0.0).run(
        __import__("kustomer_contract.generate.cases", fromlist=["Case"]).Case.from_json(data)
    )


def test_a_callback_less_overwrite_read_back_while_it_lands():
    """The issue's case: the reference lands the second write while it is being read back."""
    data = case(describe(custom(None)), describe(custom("x"), "describe-no-callback"))
    # the reference's timers interleave differently each time: 20 runs, the first that breaks
    result = replay_case(REFERENCE, data, attempts=20)
    assert result.violations == [], result.explain()


@pytest.mark.parametrize("lag", [1, 2, 3, 4, 5])
def test_a_late_landing_that_repeats_a_value_then_loses_to_a_later_write(lag):
    """Seeing "x" proves nothing when "x" was there already: the write may land after a later
    one, and then "x" is back. That is allowed (the write had no callback to order it)."""
    data = case(
        describe(custom("x")),
        describe(custom("x"), "describe-no-callback"),
        describe(custom("y")),
        describe({}),
        describe({}),
    )
    result = run(lands_late(lag), data)
    assert result.violations == [], result.explain()


@pytest.mark.parametrize("lag", [1, 2, 3, 4, 5])
def test_a_refused_call_while_an_earlier_write_lands(lag):
    """The record changes between the reads around a refused call because of another write:
    no evidence that the refused one was applied."""
    data = case(
        describe(custom("x")),
        describe(custom("x"), "describe-no-callback"),
        describe(custom("y")),
        describe(
            {"customAttributes": {FAV: 5}},
            "describe-invalid",
            label={"pointer": f"/customAttributes/{FAV}", "keyword": "type", "message": ""},
        ),
    )
    result = run(lands_late(lag), data)
    assert result.violations == [], result.explain()


def test_a_describe_during_login_may_land_on_the_customer_logged_in_before():
    """Token 0's customer gets the update made while token 1 logged in (the reference sends it
    for the customer of the moment); reading token 0 again must allow it."""
    data = case(
        {"action": "login", "token": 0},
        describe(custom("a")),
        describe(custom("b"), "describe-during-login", token=1),
        {"action": "login", "token": 0},
        describe({}),
        tokens=[{"jwtToken": "token-zero"}, {"jwtToken": "token-one"}],
    )
    result = replay_case(REFERENCE, data, attempts=5)  # the first of 5 runs that breaks
    assert result.violations == [], result.explain()


class QueuesUntilLogin(KustomerDouble):
    """A describe made while a login is in flight is sent for the customer being logged in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pending_login = None

    def _later(self, finish, callback):
        response, error = finish()
        if callback is not None:
            callback(response, error)

    def login(self, options, callback=None):
        token = repr(options.get("jwtToken")) if isinstance(options, dict) else None
        with self._lock:
            if token not in self._by_token:
                self._by_token[token] = self._new_customer()
            self._current = self._by_token[token]  # switches at once, answers at once
        super().login(options, callback)


def test_a_describe_during_login_may_land_on_the_customer_logging_in():
    data = case(
        {"action": "login", "token": 1},
        describe(custom("a")),
        {"action": "logout"},
        describe(custom("b"), "describe-during-login", token=1),
        describe({}),
        tokens=[{"jwtToken": "token-zero"}, {"jwtToken": "token-one"}],
    )
    result = run(QueuesUntilLogin, data)
    assert result.violations == [], result.explain()


def test_a_lost_update_is_still_caught_after_a_late_landing():
    """The looser model still fails what is truly lost: a later write must not vanish."""

    class ForgetsY(LandsLate):
        def _apply(self, customer, options, method=None):
            found = isinstance(options, dict) and options.get("customAttributes", {}).get(FAV)
            if found == "y":
                return
            super()._apply(customer, options, method)

    data = case(
        describe(custom("x")),
        describe({"attributes": {"emails": ["a@b.co"]}}, "describe-no-callback"),
        describe(custom("y")),
        describe({}),
    )
    result = run(ForgetsY, data)
    assert {v.guarantee for v in result.violations} >= {"reflects-input"}, result.explain()


@pytest.mark.parametrize(
    "guarantee",
    ["keeps-earlier-data", "callback-optional", "rejects-invalid", "no-lost-update"],
)
def test_late_landings_raise_no_alarm_over_generated_cases(guarantee):
    spec = load_spec("v1")
    for lag in (1, 3):
        driver = PythonDriver(lands_late(lag), spec)
        result = check_guarantee(spec, driver, guarantee, max_examples=40, seed=lag)
        assert result.status == "passed", result.failure and (
            result.failure.violation,
            result.failure.case.to_json(),
        )

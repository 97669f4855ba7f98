"""Calls made together (the overlapping describes of a case): back to back, each with its own
bound, a hang told for the call that hung and those after it."""

from __future__ import annotations

import threading

from kustomer_contract.drivers.base import Returned, late_as_hung
from kustomer_contract.drivers.python import PythonDriver

RELEASE = threading.Event()


class Recorder:
    """Records which calls began and which callbacks came, in order."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def start(self, options, callback=None):
        callback({})

    def login(self, options, callback=None):
        callback({})

    def logout(self, callback=None):
        callback({})

    def describeCustomer(self, options, callback=None):
        self.events.append(f"call {options['n']}")
        if options.get("hang"):
            RELEASE.wait()
        timer = threading.Timer(0.05, lambda: self.events.append(f"back {options['n']}"))
        timer.start()


def test_python_calls_together_run_back_to_back(v1):
    driver = PythonDriver(Recorder, v1)
    with driver.running():
        instance = driver.new_instance()
        calls = [("describeCustomer", [{"n": n}, None]) for n in range(3)]
        returned = driver.call_together(instance, calls, 1.0)
    assert [(r.hung, r.raised) for r in returned] == [(False, None)] * 3
    assert instance.events[:3] == ["call 0", "call 1", "call 2"]  # no callback in between


def test_a_hang_in_a_batch_is_the_hung_call_and_the_rest(v1):
    RELEASE.clear()
    driver = PythonDriver(Recorder, v1)
    try:
        with driver.running():
            instance = driver.new_instance()
            calls = [("describeCustomer", [{"n": 0}, None])]
            calls += [("describeCustomer", [{"n": n, "hang": n == 1}, None]) for n in (1, 2)]
            returned = driver.call_together(instance, calls, 0.2)
            assert [r.hung for r in returned] == [False, True, True]
            assert [e for e in instance.events if e.startswith("call")] == ["call 0", "call 1"]
            # The hung call keeps its thread; the next call gets a new one.
            again = driver.call(instance, "describeCustomer", [{"n": 3}, None], 0.5)
            assert not again.hung and "call 3" in instance.events
            assert "call 2" not in instance.events
    finally:
        RELEASE.set()


def test_a_call_that_returned_late_is_told_as_hung():
    quick, slow = Returned(took=0.1), Returned(took=0.6)
    told = late_as_hung([quick, slow, Returned()], 0.5)
    assert told[0] is quick
    assert [r.hung for r in told] == [False, True, True]
    assert late_as_hung([quick, quick], 0.5) == [quick, quick]

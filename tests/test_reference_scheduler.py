"""The reference double's callback scheduler: due order, another thread, errors told, and
no thread left once idle."""

from __future__ import annotations

import threading
import time

from kustomer_contract.reference import scheduler
from kustomer_contract.reference.scheduler import Scheduler


def _wait_for(condition, seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
    return condition()


def test_jobs_run_in_due_order_on_another_thread():
    s = Scheduler(name="test-scheduler")
    ran: list[tuple[str, str]] = []
    for name, delay in [("late", 0.03), ("soon", 0.0), ("middle", 0.015), ("soon-too", 0.0)]:
        s.later(delay, lambda name=name: ran.append((name, threading.current_thread().name)))
    assert _wait_for(lambda: len(ran) == 4)
    assert [name for name, _ in ran] == ["soon", "soon-too", "middle", "late"]
    assert {thread for _, thread in ran} == {"test-scheduler"}


def test_a_job_that_raises_is_told_and_the_next_still_runs(monkeypatch):
    told: list[str] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: told.append(str(args.exc_value)))
    s = Scheduler()
    ran: list[int] = []

    def boom() -> None:
        raise RuntimeError("boom in a callback")

    s.later(0.0, boom)
    s.later(0.001, lambda: ran.append(1))
    assert _wait_for(lambda: ran == [1])
    assert told == ["boom in a callback"]


def test_the_thread_ends_when_idle_and_starts_again(monkeypatch):
    monkeypatch.setattr(scheduler, "IDLE", 0.02)
    s = Scheduler(name="idle-scheduler")
    s.later(0.0, lambda: None)
    alive = lambda: any(t.name == "idle-scheduler" for t in threading.enumerate())  # noqa: E731
    assert _wait_for(lambda: not alive())
    ran: list[int] = []
    s.later(0.0, lambda: ran.append(1))
    assert _wait_for(lambda: ran == [1])

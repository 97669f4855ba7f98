"""The reference's delayed calls: after their delay, on threads of their own (reused), and a
call that blocks delays no other."""

from __future__ import annotations

import threading
import time

from kustomer_contract.reference.later import call_later, idle_threads


def test_a_call_runs_after_its_delay_on_another_thread():
    done = threading.Event()
    seen: dict[str, object] = {}
    started = time.monotonic()

    def record() -> None:
        seen["after"] = time.monotonic() - started
        seen["thread"] = threading.current_thread()
        done.set()

    call_later(0.05, record)
    assert done.wait(5)
    assert seen["after"] >= 0.05 and seen["thread"] is not threading.current_thread()


def test_a_blocking_call_delays_no_other():
    release, second = threading.Event(), threading.Event()
    call_later(0.0, lambda: release.wait(5))
    call_later(0.0, second.set)
    assert second.wait(1), "the second call waited behind the first"
    release.set()


def test_threads_are_reused():
    threads: list[int] = []
    for _ in range(5):
        done = threading.Event()
        call_later(0.0, lambda d=done: (threads.append(threading.get_ident()), d.set()))
        assert done.wait(5)
        time.sleep(0.01)  # the thread is back among the idle ones
    assert len(set(threads)) == 1


def test_an_error_is_reported_and_the_thread_serves_on(monkeypatch):
    reported: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: reported.append(args.exc_value))

    def fails() -> None:
        raise RuntimeError("boom")

    call_later(0.0, fails)
    done = threading.Event()
    call_later(0.0, done.set)
    assert done.wait(5)
    deadline = time.monotonic() + 5
    while not reported and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [str(e) for e in reported] == ["boom"]


def test_an_idle_thread_is_known_as_idle_and_a_busy_one_is_not():
    release, running = threading.Event(), threading.Event()
    call_later(0.0, lambda: (running.set(), release.wait(5)))
    assert running.wait(5)
    busy = {t for t in threading.enumerate() if t.name == "kustomer-reference-callback"}
    busy -= idle_threads()
    assert len(busy) == 1
    release.set()
    (thread,) = busy
    deadline = time.monotonic() + 5
    while thread not in idle_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert thread in idle_threads()

"""Calls run a little later on reused daemon threads, as a ``threading.Timer`` each would run
them, without starting a thread per call.

A run makes about ten thousand delayed callbacks; starting a thread costs 200-300 us, handing
a call to an idle one a few tens. Each call still has a thread of its own while it waits and
runs: a slow or blocking callback holds only that thread, and the next call goes to another
idle thread or a new one, so it never waits behind it (a single shared scheduler thread did
make one slow callback delay every other).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["call_later", "idle_threads"]

_IDLE_SECONDS = 5.0  # an idle thread ends after this long without work
_Job = tuple[float, Callable[[], Any]]


class _Threads:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[_Job]] = []  # the inboxes of idle threads
        self._threads: dict[int, threading.Thread] = {}  # id of an idle inbox -> its thread

    def call_later(self, delay: float, function: Callable[[], Any]) -> None:
        with self._lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            inbox = queue.SimpleQueue()
            thread = threading.Thread(
                target=self._serve, args=(inbox,), name="kustomer-reference-callback", daemon=True
            )
            self._threads[id(inbox)] = thread
            inbox.put((delay, function))
            thread.start()
        else:
            inbox.put((delay, function))

    def _serve(self, inbox: queue.SimpleQueue[_Job]) -> None:
        while True:
            try:
                delay, function = inbox.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if inbox in self._idle:  # nobody handed it work meanwhile: end
                        self._idle.remove(inbox)
                        del self._threads[id(inbox)]
                        return
                continue  # a call was handed over just as the wait ended: take it
            if delay > 0:
                time.sleep(delay)
            try:
                function()
            except BaseException as exc:  # as a Timer thread would: reported, thread goes on
                threading.excepthook(
                    threading.ExceptHookArgs(
                        (type(exc), exc, exc.__traceback__, threading.current_thread())
                    )
                )
            with self._lock:
                self._idle.append(inbox)

    def idle(self) -> set[threading.Thread]:
        with self._lock:
            return {self._threads[id(inbox)] for inbox in self._idle}


_THREADS = _Threads()


def idle_threads() -> set[threading.Thread]:
    """The threads waiting for a call to run: alive, holding nothing (they end by themselves
    after a few idle seconds)."""
    return _THREADS.idle()


def call_later(delay: float, function: Callable[[], Any]) -> None:
    """Run ``function()`` after ``delay`` seconds on a thread of its own (a reused one)."""
    _THREADS.call_later(delay, function)

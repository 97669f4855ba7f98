"""One thread that runs the reference double's callbacks when they are due.

A timer thread per callback costs a thread's start for every call (thousands per run);
this costs a heap push. Callbacks still come from another thread than the call's, after
their delay, in the order they fall due, as a browser's event loop would run them.
"""

from __future__ import annotations

import heapq
import itertools
import os
import sys
import threading
import time
from collections.abc import Callable

IDLE = 0.1  # seconds without anything due before the thread ends (the next job starts one)


class Scheduler:
    """Runs each ``later(delay, job)`` on one daemon thread once ``delay`` seconds passed."""

    def __init__(self, name: str = "kustomer-reference-callbacks") -> None:
        self._name = name
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()  # equal times keep the order they were asked in
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def later(self, delay: float, job: Callable[[], None]) -> None:
        with self._wake:
            heapq.heappush(self._due, (time.monotonic() + delay, next(self._order), job))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                job = self._next()
                if job is None:
                    self._thread = None  # nothing left to do: end, leave nothing running
                    return
            try:
                job()
            except BaseException:  # noqa: BLE001 - as a Timer thread would: tell it, go on
                args = (*sys.exc_info(), threading.current_thread())
                threading.excepthook(threading.ExceptHookArgs(args))

    def _next(self) -> Callable[[], None] | None:
        """The next job once it is due; None after IDLE seconds with nothing to do."""
        while True:
            now = time.monotonic()
            if self._due and self._due[0][0] <= now:
                return heapq.heappop(self._due)[2]
            if self._due:
                self._wake.wait(self._due[0][0] - now)
            elif not self._wake.wait(IDLE) and not self._due:
                return None

    def _forked(self) -> None:
        """A forked child has no scheduler thread: the next job starts one."""
        self._due, self._thread, self._wake = [], None, threading.Condition()


callbacks = Scheduler()  # shared by every double in the process
os.register_at_fork(after_in_child=callbacks._forked)

"""Guarantees checked side by side, in worker processes forked from this one, a session each.

Each guarantee is its own hypothesis run from the run's one seed, so its verdict does not
depend on the process that ran it or on what ran there before: the report is the one a
single process writes, in the spec's order. The workers are forked before this process
builds its own session (while it has no threads that a fork would copy mid-way); each then
loads the implementation itself, as this process does. Whatever goes wrong in a worker (a
result that cannot cross, an error, a worker that dies) is not a verdict: that guarantee is
checked again here, by the caller, on the single-process path.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.util
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.connection import Connection, wait
from typing import Any, cast

from .._core.forked import can_fork, usable_cpus
from .results import GuaranteeResult
from .session import Session, Settings

__all__ = ["ForkedChecks", "default_jobs"]

POLL = 0.1  # seconds between looks at the workers while no event comes
# Seconds a worker has to end (and shut its driver down) once told to; one that has not is
# killed. A worker forked while another thread of this process held a lock can miss its
# SIGTERM, and the run must not wait for it forever (seen with check run in-process, in a
# test worker that had a browser thread).
CLOSE_GRACE = 10.0
MAX_JOBS = 8  # default workers at most: each loads its own copy of the implementation


def default_jobs(settings: Settings, guarantees: int) -> int:
    """Two workers per CPU (at most 8, and no more than guarantees): a worker waits much of
    its time (on callbacks, on the drawn pauses), and another fills the CPU meanwhile (on 2
    cores, 3 workers took 0.83x the time of 2, and 4 took 0.92x the time of 3). A page, in
    Chromium, one process in all: a browser per worker costs more than it saves."""
    if settings.browser or not can_fork():
        return 1
    return max(1, min(2 * usable_cpus(), MAX_JOBS, guarantees))


class ForkedChecks:
    """``workers`` processes, forked now; ``results(guarantees, ...)`` yields each
    ``(guarantee, result)`` as it is done, ``result`` None where the caller must check it
    itself. ``close()`` ends the workers (and what they started) on every way out."""

    def __init__(self, settings: Settings, workers: int) -> None:
        context = multiprocessing.get_context("fork")
        self._settings = settings
        self.hits: set[str] = set()  # the coverage targets the workers' cases hit
        self._events, sender = context.Pipe(duplex=False)
        self._pool = ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_worker_start,
            initargs=(sender, context.Lock()),
        )
        self._pool.submit(os.getpid).result()  # every worker is forked at the first task
        sender.close()  # the workers hold it; EOF here once they are all gone

    def results(
        self,
        guarantees: Iterable[str],
        *,
        on_start: Callable[[str], Any],
        on_case: Callable[[str], Any],
        on_failure: Callable[[str], Any],
    ) -> Iterator[tuple[str, GuaranteeResult | None]]:
        jobs: dict[str, Future[Any]] = {
            g: self._pool.submit(_check_here, self._settings, g) for g in guarantees
        }
        told_done: set[str] = set()  # a result is taken only after its last event is shown
        handlers = {"start": on_start, "case": on_case, "failure": on_failure}
        while jobs:
            if self._events.poll(POLL):
                try:
                    kind, guarantee = self._events.recv()
                except EOFError:  # every worker is gone: the futures say how
                    kind, guarantee = "", ""
                    time.sleep(POLL)
                if kind == "done":
                    told_done.add(guarantee)
                elif kind in handlers:
                    handlers[kind](guarantee)
            for guarantee, job in list(jobs.items()):
                if not job.done():
                    continue
                failed = job.exception() is not None
                if not failed and guarantee not in told_done:
                    continue  # its last events are still on the way
                del jobs[guarantee]
                answer = None if failed else job.result()  # (GuaranteeResult, [hit, ...])
                if answer is None:
                    yield guarantee, None
                    continue
                result, hits = answer
                self.hits.update(hits)
                yield guarantee, result

    def close(self) -> None:
        """Ends the workers: a running guarantee is abandoned (Ctrl-C), each worker's driver
        shut down first (a Node process group ends with it)."""
        children = multiprocessing.active_children()
        for child in children:
            with contextlib.suppress(OSError):
                child.terminate()
        # Each one's sentinel is ready once it has ended (without reaping it, which the
        # pool does); the ones still running after the grace are killed.
        running = {child.sentinel: child for child in children}
        deadline = time.monotonic() + CLOSE_GRACE
        while running and (left := deadline - time.monotonic()) > 0:
            for ended in wait(list(running), left):
                running.pop(cast(int, ended))  # a sentinel is a file descriptor
        for child in running.values():
            with contextlib.suppress(OSError):
                child.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._events.close()


# --- in a worker -----------------------------------------------------------------------------

_SENDER: tuple[Connection, Any] | None = None
_SESSION: Session | None = None
_HELD = contextlib.ExitStack()


def _worker_start(sender: Connection, lock: Any) -> None:
    global _SENDER
    _SENDER = (sender, lock)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent takes Ctrl-C and ends us
    signal.signal(signal.SIGTERM, _end_worker)
    # A worker leaves through multiprocessing's finalizers, not atexit: end the driver there.
    multiprocessing.util.Finalize(None, _HELD.close, exitpriority=100)


def _end_worker(signum: int, frame: Any) -> None:
    with contextlib.suppress(BaseException):
        _HELD.close()  # the driver: a Node process group, the os._exit guard
    import posix  # only where fork is: the real _exit, whatever the guard left in os

    posix._exit(128 + signum)


def _tell(kind: str, guarantee: str) -> None:
    assert _SENDER is not None
    sender, lock = _SENDER
    with lock:
        sender.send((kind, guarantee))


def _check_here(settings: Settings, guarantee: str) -> tuple[GuaranteeResult, list[str]] | None:
    """A worker's task: ``(result, coverage hits)``, or None: the parent checks it again."""
    global _SESSION
    _tell("start", guarantee)
    try:
        if _SESSION is None:
            _SESSION = Session(settings)
            _HELD.enter_context(_SESSION.driver.running())
            _HELD.callback(_SESSION.driver.shutdown)
        result = _SESSION.check(
            guarantee,
            lambda name, case: _tell("case", name),
            lambda name: _tell("failure", name),
        )
        answer = (result, sorted(_SESSION.coverage().coverage.hit))
    except BaseException:  # noqa: BLE001 - the parent checks it again, on its own path
        answer = None
    _tell("done", guarantee)
    return answer

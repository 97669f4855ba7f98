"""Work spread over processes forked from this one, results in input order.

Reading a large input is CPU-bound Python; a second process doubles what two cores do.
Forking (not spawning) lets a worker use what this process already built (a compiled
validator, say) without pickling it: the function is inherited, only its tasks and results
cross. Where fork is not available, or one worker is asked for, everything runs here.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

__all__ = ["can_fork", "default_workers", "in_order", "usable_cpus"]

T = TypeVar("T")
R = TypeVar("R")
_FUNCTION: Callable[[Any], Any] | None = None  # set just before the fork; workers inherit it


def can_fork() -> bool:
    # Asked of os, not multiprocessing: importing that costs a one-file validate 7 ms.
    return hasattr(os, "fork")


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_workers() -> int:
    """One per CPU this process may use, at most 4 (reading stays the parent's job)."""
    return max(1, min(usable_cpus(), 4))


def in_order(
    function: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    remote: Callable[[T], bool] = lambda item: True,
    window: int = 0,
) -> Iterator[tuple[T, R | None]]:
    """``(item, function(item))`` for each item, in order; ``function`` runs in ``workers``
    forked processes for the items ``remote`` accepts, and not at all for the others, which
    come back as ``(item, None)`` once every item before them has come back.

    At most ``window`` items (default: two per worker) are in flight, so a long input is
    never held whole. Closing the iterator early stops the workers.
    """
    global _FUNCTION
    if workers <= 1 or not can_fork():
        for item in items:
            yield item, (function(item) if remote(item) else None)
        return
    # concurrent.futures rather than multiprocessing.Pool: a worker that dies (killed, out of
    # memory) fails its task with BrokenProcessPool instead of leaving the reader waiting.
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    _FUNCTION = function
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_worker_start
    )
    pending: deque[tuple[T, Future[Any]]] = deque()
    limit = window or 2 * workers
    try:
        for item in items:
            if not remote(item):
                while pending:  # everything before it first
                    done, job = pending.popleft()
                    yield done, job.result()
                yield item, None
                continue
            pending.append((item, pool.submit(_call, item)))
            if len(pending) >= limit:
                done, job = pending.popleft()
                yield done, job.result()
        while pending:
            done, job = pending.popleft()
            yield done, job.result()
    finally:
        _FUNCTION = None
        # At the end, or on an error, Ctrl-C or an early close: what was queued is dropped,
        # the few tasks running finish (milliseconds each), and the workers exit.
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_start() -> None:
    # Ctrl-C reaches the whole process group: the parent handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's own SIGTERM handler (if any) is not the worker's: terminate() just ends it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _call(item: Any) -> Any:
    assert _FUNCTION is not None
    return _FUNCTION(item)

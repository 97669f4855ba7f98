"""What ``check`` shows while it runs, on standard error (standard output is the report).

On a terminal, one live line per guarantee, rewritten in place: the guarantee, the cases
run of the ones asked for, the failing cases found so far, the seconds; when the guarantee
ends its line is replaced by a final one. Anywhere else (a pipe, a CI log) a line when each
guarantee starts and one when it ends, and a heartbeat at most every ``heartbeat`` seconds
while one runs, so a log never stays silent for long. With check's workers several
guarantees run at once: the live line shows each (``|`` between them), and off a terminal
each has its own lines, numbered by its place in the spec::

      [3/13] reflects-input: started (100 cases)
      ... reflects-input: 140 cases, 2 failing, 12 s
      [3/13] reflects-input: failed, 163 cases, 14.2 s

A daemon timer thread keeps the elapsed time and the heartbeat going when a single case
hangs (no case callback comes then); ``clear()`` stops it. The clock and the stream are
injectable, and ``tick()`` is what the timer calls, so a test drives it without sleeping.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..engine.results import GuaranteeResult

__all__ = ["ERASE", "HEARTBEAT", "Progress"]

ERASE = "\r\x1b[K"  # back to the start of the line, erase it
HEARTBEAT = 10.0  # seconds between heartbeat lines off a terminal, at most
REDRAW = 0.1  # seconds between redraws of the live line, at least (a case can take 1 ms)


@dataclass
class _Running:
    guarantee: str
    total: int  # the cases asked for (max_examples); 0: unknown
    started: float
    cases: int = 0
    failures: int = 0
    said: float = 0.0  # when its last line was written (off a terminal: start or heartbeat)
    index: int = 0  # its place in the run, the 3 of [3/13]


class Progress:
    """``start(guarantee, total_cases)``, then ``case(guarantee)`` per case run (usable as a
    session's ``on_case``), ``failure(guarantee)`` per failing case, ``end(result)``;
    ``clear()`` erases a live line and stops the timer (call it on every way out)."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        live: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        heartbeat: float = HEARTBEAT,
        timer: float | None = 1.0,
        guarantees: int | None = None,
    ) -> None:
        """``live``: rewrite one line in place (default: the stream is a terminal).
        ``timer``: seconds between the timer thread's ticks, None for no thread (tests call
        ``tick()``). ``guarantees``: how many will run, shown as ``[3/13]``."""
        self.stream = sys.stderr if stream is None else stream
        self.live = _is_terminal(self.stream) if live is None else live
        self.clock = clock
        self.heartbeat = heartbeat
        self.guarantees = guarantees
        self._interval = timer
        self._index = 0
        self._active: dict[str, _Running] = {}  # the guarantees running, in the order they began
        self._drawn: float | None = None  # when the live line was last drawn
        self._lock = threading.RLock()  # the timer thread writes too
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._broken = False  # the stream is gone: say nothing more

    # --- the interface ---------------------------------------------------------------------

    def start(self, guarantee: str, total_cases: int | None, index: int | None = None) -> None:
        """``index``: its place in the run (default: the next); workers start out of order."""
        with self._lock:
            self._index = index if index is not None else self._index + 1
            now = self.clock()
            running = _Running(guarantee, total_cases or 0, now, said=now, index=self._index)
            self._active[guarantee] = running
            if self.live:
                self._draw(now)
            else:
                total = f" ({total_cases} cases)" if total_cases else ""
                self._write(f"{self._prefix(running)}{guarantee}: started{total}\n")
        self._start_timer()

    def case(self, guarantee: str, case: Any = None) -> None:
        with self._lock:
            running = self._running(guarantee)
            running.cases += 1
            self._update(self.clock(), force=running.cases == 1)

    def failure(self, guarantee: str) -> None:
        with self._lock:
            self._running(guarantee).failures += 1
            self._update(self.clock(), force=True)

    def end(self, result: GuaranteeResult) -> None:
        with self._lock:
            running = self._active.pop(result.guarantee, None)
            line = (
                f"{self._prefix(running)}{result.guarantee}: {result.status}, "
                f"{_cases(result.cases)}, {result.seconds:.1f} s"
            )
            self._write((ERASE if self.live else "") + line + "\n")
            self._drawn = None  # the others' live line comes back at their next case

    def clear(self) -> None:
        """Erase a live line still shown and stop the timer thread; safe to call twice."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        with self._lock:
            if self.live and self._active and self._drawn is not None:
                self._write(ERASE)
            self._active.clear()

    def tick(self) -> None:
        """What the timer does every ``timer`` seconds: keep the live line's seconds going,
        or write a heartbeat off a terminal when one is due."""
        with self._lock:
            if self._active:
                self._update(self.clock(), force=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.clear()

    # --- inside ----------------------------------------------------------------------------

    def _running(self, guarantee: str) -> _Running:
        if guarantee not in self._active:  # called without start()
            self.start(guarantee, None)
        return self._active[guarantee]

    def _update(self, now: float, force: bool) -> None:
        if not self._active:
            return
        if self.live:
            if force or self._drawn is None or now - self._drawn >= REDRAW:
                self._draw(now)
            return
        for running in self._active.values():
            if now - running.said >= self.heartbeat:
                running.said = now
                failing = f", {running.failures} failing" if running.failures else ""
                self._write(
                    f"  ... {running.guarantee}: {_cases(running.cases)}{failing}, "
                    f"{now - running.started:.0f} s\n"
                )

    def _draw(self, now: float) -> None:
        """One line for every guarantee running (several when check runs workers)."""
        if not self._active:
            return
        self._drawn = now
        parts = []
        for running in self._active.values():
            if running.total and running.cases <= running.total:
                cases = f"{running.cases}/{running.total} cases"
            else:  # shrinking runs more cases than were asked for
                cases = _cases(running.cases)
            if len(self._active) > 1:  # side by side: each one short
                failing = f", {running.failures} failing" if running.failures else ""
                parts.append(
                    f"{self._prefix(running).strip()} {running.guarantee} {cases}{failing}"
                )
                continue
            failing = f"{running.failures} failing" + (", shrinking" if running.failures else "")
            parts.append(
                f"{self._prefix(running)}{running.guarantee}: {cases}, {failing}, "
                f"{now - running.started:.0f} s"
            )
        line = parts[0] if len(parts) == 1 else "  " + " | ".join(parts)
        self._write(ERASE + line[: _width(self.stream) - 1])

    def _prefix(self, running: _Running | None) -> str:
        index = running.index if running is not None else self._index
        return f"  [{index}/{self.guarantees}] " if self.guarantees else "  "

    def _write(self, text: str) -> None:
        if self._broken:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: progress is not worth a crash
            self._broken = True

    def _start_timer(self) -> None:
        if self._interval is None or self._thread is not None:
            return
        self._stop.clear()
        interval = self._interval
        stop = self._stop

        def run() -> None:
            while not stop.wait(interval):
                self.tick()

        thread = threading.Thread(target=run, name="kustomer-progress", daemon=True)
        thread.start()
        # Published once started: a Ctrl-C or SIGTERM between the two must leave clear() no
        # unstarted thread to join (it raises). A thread started but not published still
        # ends, at its next wait, when clear() sets stop.
        self._thread = thread


def _cases(n: int) -> str:
    return f"{n} case" if n == 1 else f"{n} cases"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _width(stream: TextIO) -> int:
    """The terminal's columns: a longer live line would wrap, and ``\\r`` erase only its end."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return 80

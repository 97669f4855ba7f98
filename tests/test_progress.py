"""What check shows while it runs: a live line on a terminal, start/end lines and heartbeats
elsewhere, always on stderr (stdout stays the report, pure JSON with --json)."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

from kustomer_contract.engine.results import GuaranteeResult
from kustomer_contract.report.progress import ERASE, Progress

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "kustomer_contract.cli", "check"]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _off_terminal(clock: Clock, **kwargs) -> tuple[Progress, io.StringIO]:
    stream = io.StringIO()
    return Progress(stream, live=False, clock=clock, timer=None, **kwargs), stream


# --- off a terminal: start, heartbeats, end ---------------------------------------------------


def test_off_a_terminal_a_line_at_start_and_end_and_a_heartbeat_at_most_every_10_s():
    clock = Clock()
    progress, stream = _off_terminal(clock, guarantees=13)
    progress.start("reflects-input", 100)
    for _ in range(139):
        clock.now += 0.05
        progress.case("reflects-input")
    assert stream.getvalue() == "  [1/13] reflects-input: started (100 cases)\n"  # 7 s: quiet
    clock.now += 5.0  # 12 s in
    progress.case("reflects-input")
    progress.failure("reflects-input")
    progress.failure("reflects-input")
    clock.now += 1.0  # one second after the heartbeat: no second one yet
    progress.case("reflects-input")
    progress.tick()
    progress.end(GuaranteeResult("reflects-input", "failed", 141, 14.24))
    assert stream.getvalue().splitlines() == [
        "  [1/13] reflects-input: started (100 cases)",
        "  ... reflects-input: 140 cases, 12 s",
        "  [1/13] reflects-input: failed, 141 cases, 14.2 s",
    ]
    assert ERASE not in stream.getvalue()


def test_a_hanging_case_still_gets_heartbeats_from_the_clock_alone():
    """No case callback comes while one case hangs: tick() (the timer's) writes them."""
    clock = Clock()
    progress, stream = _off_terminal(clock)
    progress.start("not-before-start", 100)
    progress.case("not-before-start")
    for seconds in (9.9, 10.0, 15.0, 20.5, 31.0):
        clock.now = 1000.0 + seconds
        progress.tick()
    assert stream.getvalue().splitlines() == [
        "  not-before-start: started (100 cases)",
        "  ... not-before-start: 1 case, 10 s",
        "  ... not-before-start: 1 case, 20 s",  # 20.5: ten seconds after the last one
        "  ... not-before-start: 1 case, 31 s",
    ]


def test_the_timer_thread_ticks_on_its_own_and_stops_cleanly():
    clock = Clock()
    stream = io.StringIO()
    progress = Progress(stream, live=False, clock=clock, timer=0.01)
    progress.start("stable-identity", 5)
    [thread] = [t for t in threading.enumerate() if t.name == "kustomer-progress"]
    assert thread.daemon
    clock.now += 11  # a case hangs: nothing but the timer runs
    deadline = time.monotonic() + 5
    while "..." not in stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "  ... stable-identity: 0 cases, 11 s\n" in stream.getvalue()
    progress.clear()
    assert not thread.is_alive()
    progress.clear()  # twice is fine


# --- on a terminal: one live line per guarantee -----------------------------------------------


def test_on_a_terminal_one_line_rewritten_in_place_then_its_final_line():
    clock = Clock()
    stream = io.StringIO()
    progress = Progress(stream, live=True, clock=clock, timer=None, guarantees=2)
    progress.start("accepts-valid", 3)
    for _ in range(3):
        clock.now += 1
        progress.case("accepts-valid")
    progress.failure("accepts-valid")
    clock.now += 1
    progress.case("accepts-valid")  # shrinking: more than asked for
    progress.end(GuaranteeResult("accepts-valid", "failed", 4, 4.0))
    drawn = stream.getvalue().split(ERASE)
    assert drawn[0] == ""
    assert drawn[1:] == [
        "  [1/2] accepts-valid: 0/3 cases, 0 failing, 0 s",
        "  [1/2] accepts-valid: 1/3 cases, 0 failing, 1 s",
        "  [1/2] accepts-valid: 2/3 cases, 0 failing, 2 s",
        "  [1/2] accepts-valid: 3/3 cases, 0 failing, 3 s",
        "  [1/2] accepts-valid: 3/3 cases, 1 failing, shrinking, 3 s",
        "  [1/2] accepts-valid: 4 cases, 1 failing, shrinking, 4 s",
        "  [1/2] accepts-valid: failed, 4 cases, 4.0 s\n",
    ]
    progress.start("reflects-input", 3)
    progress.clear()  # interrupted: the live line is erased
    assert stream.getvalue().endswith(ERASE)


def test_a_closed_stream_does_not_crash_the_run():
    stream = io.StringIO()
    progress = Progress(stream, live=False, timer=None)
    stream.close()
    progress.start("accepts-valid", 3)
    progress.case("accepts-valid")
    progress.end(GuaranteeResult("accepts-valid", "passed", 1, 0.1))


# --- the command ------------------------------------------------------------------------------


def test_through_a_pipe_progress_is_on_stderr_and_stdout_stays_json():
    done = subprocess.run(
        [*CLI, "--max-examples", "3", "--seed", "1", "--json",
         "--only", "accepts-valid", "--only", "reflects-input"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    document = json.loads(done.stdout)  # nothing but the report
    assert [r["guarantee"] for r in document["results"]] == ["accepts-valid", "reflects-input"]
    lines = done.stderr.splitlines()
    assert "  [1/2] accepts-valid: started (3 cases)" in lines
    assert "  [2/2] reflects-input: started (3 cases)" in lines
    ends = [line for line in lines if ": passed, " in line]  # as each is done: any order
    assert sorted(line.split(":")[0] for line in ends) == [
        "  [1/2] accepts-valid",
        "  [2/2] reflects-input",
    ]
    assert ERASE not in done.stderr


def test_on_a_terminal_the_live_line_is_rewritten():
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [*CLI, "--max-examples", "5", "--only", "accepts-valid"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=follower, text=True,
    )  # fmt: skip
    os.close(follower)
    seen = b""
    try:
        while True:  # read as it comes, so the child never blocks on a full terminal
            ready, _, _ = select.select([leader], [], [], 120)
            if not ready:
                break
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        out, _ = proc.communicate(timeout=120)
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, (out, seen)
    text = seen.decode()
    assert "\r\x1b[K  [1/1] accepts-valid: " in text
    assert "/5 cases, 0 failing, " in text  # the live line
    assert "\r\x1b[K  [1/1] accepts-valid: passed, " in text  # replaced by the final line
    assert "accepts-valid" in out and "the contract holds" in out


def test_guarantees_running_at_once_each_keep_their_place_and_lines():
    """check's workers start guarantees out of order and side by side."""
    clock = Clock()
    progress, stream = _off_terminal(clock, guarantees=13)
    progress.start("stable-identity", 100, index=7)
    progress.start("accepts-valid", 100, index=1)
    clock.now += 11.0
    progress.case("accepts-valid")  # a heartbeat for each one running
    progress.end(GuaranteeResult("stable-identity", "passed", 100, 11.0))
    progress.case("accepts-valid")
    progress.end(GuaranteeResult("accepts-valid", "passed", 100, 11.5))
    assert stream.getvalue().splitlines() == [
        "  [7/13] stable-identity: started (100 cases)",
        "  [1/13] accepts-valid: started (100 cases)",
        "  ... stable-identity: 0 cases, 11 s",
        "  ... accepts-valid: 1 case, 11 s",
        "  [7/13] stable-identity: passed, 100 cases, 11.0 s",
        "  [1/13] accepts-valid: passed, 100 cases, 11.5 s",
    ]


def test_on_a_terminal_the_live_line_shows_every_guarantee_running():
    clock = Clock()
    stream = io.StringIO()
    progress = Progress(stream, live=True, clock=clock, timer=None, guarantees=13)
    progress.start("accepts-valid", 100, index=1)
    progress.start("response-conforms", 100, index=2)
    progress.case("response-conforms")
    last = stream.getvalue().split(ERASE)[-1]
    assert last == "  [1/13] accepts-valid 0/100 cases | [2/13] response-conforms 1/100 cases"
    progress.end(GuaranteeResult("accepts-valid", "passed", 100, 1.0))
    clock.now += 0.01
    progress.case("response-conforms")  # the line comes back at once, with the one left
    assert (
        stream.getvalue().split(ERASE)[-1]
        == "  [2/13] response-conforms: 2/100 cases, 0 failing, 0 s"
    )


def test_an_interrupt_as_the_timer_starts_leaves_clear_nothing_to_trip_on(monkeypatch):
    """SIGTERM arrives (as KeyboardInterrupt) while the timer thread is being started: the
    CLI's clear() on the way out must not fail joining a thread that never started."""
    progress = Progress(io.StringIO(), live=False, timer=0.01)

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(threading.Thread, "start", interrupted)
    try:
        progress.start("accepts-valid", 3)
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    progress.clear()  # raised RuntimeError: cannot join thread before it is started

"""check --jobs: guarantees checked side by side in forked workers give the report one
process gives (the same verdicts, cases, reproducers and coverage, in the spec's order);
only the seconds differ. A worker that cannot send its verdict back is no verdict: the
parent checks that guarantee itself."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kustomer_contract.engine.parallel import ForkedChecks, default_jobs
from kustomer_contract.engine.session import Settings

ROOT = Path(__file__).resolve().parent.parent
SECONDS = re.compile(r"\d+\.\d+( s)?")  # a duration, in the table or the footer


def _check(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "kustomer_contract.cli", "check", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def _same_in_one_process_and_in_workers(*args: str) -> subprocess.CompletedProcess:
    alone, side_by_side = _check(*args, "--jobs", "1"), _check(*args, "--jobs", "2")
    assert alone.returncode == side_by_side.returncode, (alone.stderr, side_by_side.stderr)
    assert SECONDS.sub("T", alone.stdout) == SECONDS.sub("T", side_by_side.stdout)
    return side_by_side


def test_the_reference_reports_the_same_with_workers_coverage_included():
    done = _same_in_one_process_and_in_workers("--seed", "5", "--max-examples", "15", "--coverage")
    assert done.returncode == 0
    assert "13/13 passed" in done.stdout and "contract coverage:" in done.stdout


@pytest.mark.parametrize(
    "impl",
    [
        "tests.gallery.drops_second_email:make",  # a failure, shrunk, with its reproducers
        "tests.gallery.exits_in_method:make",  # os._exit in a worker is judged, never an exit
        "tests.doubles.unpicklable_response:make",  # its failure cannot leave the worker
    ],
)
def test_a_broken_implementation_reports_the_same_with_workers(impl):
    done = _same_in_one_process_and_in_workers(
        "--impl", impl, "--seed", "3", "--max-examples", "15", "--shrink-budget", "30",
        "--only", "accepts-valid", "--only", "reflects-input", "--only", "response-conforms",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "failed" in done.stdout


def test_json_reports_agree_but_for_the_seconds():
    args = ("--seed", "9", "--max-examples", "10", "--json")
    alone = json.loads(_check(*args, "--jobs", "1").stdout)
    side_by_side = json.loads(_check(*args, "--jobs", "2").stdout)

    def timeless(document: dict) -> dict:
        return json.loads(SECONDS.sub("0", json.dumps(document)))

    assert timeless(alone) == timeless(side_by_side)
    assert [r["guarantee"] for r in side_by_side["results"]][:2] == [
        "accepts-valid",
        "response-conforms",
    ]


def test_a_verdict_that_cannot_leave_its_worker_is_checked_again_by_the_caller():
    settings = Settings(impl="tests.doubles.unpicklable_response:make", max_examples=5, seed=1)
    workers = ForkedChecks(settings, 2)
    try:
        found = dict(
            workers.results(
                ["response-conforms", "accepts-valid"],
                on_start=lambda g: None,
                on_case=lambda g: None,
                on_failure=lambda g: None,
            )
        )
    finally:
        workers.close()
    assert found["response-conforms"] is None  # the caller's to check
    came_back = found["accepts-valid"]  # judged in the worker: a function is no JSON data
    assert came_back is not None and came_back.blocked_by == "response is not JSON data"
    assert "guarantee accepts-valid" in workers.hits  # coverage came back with the verdict


def test_a_page_is_checked_in_one_process_unless_asked():
    assert default_jobs(Settings(browser="page.html"), 13) == 1
    assert default_jobs(Settings(), 1) == 1
    assert 2 <= default_jobs(Settings(), 13) <= 8  # two per CPU: workers wait much of the time
    assert default_jobs(Settings(), 3) <= 3  # never more than the guarantees


def test_a_worker_that_ignores_sigterm_does_not_hold_the_run(monkeypatch):
    # Such a worker (an implementation that ignores SIGTERM, or one forked while another
    # thread held a lock) is killed after the grace: close() must end, not wait forever.
    import signal
    import time

    from kustomer_contract.engine import parallel

    monkeypatch.setattr(parallel, "CLOSE_GRACE", 0.5, raising=False)
    workers = ForkedChecks(Settings(max_examples=1, seed=1), 2)
    ignoring = workers._pool.submit(signal.signal, signal.SIGTERM, signal.SIG_IGN)
    ignoring.result(timeout=10)
    started = time.monotonic()
    workers.close()
    assert time.monotonic() - started < 5  # the grace and a kill; before, close() hung

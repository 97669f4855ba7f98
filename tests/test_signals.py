"""Ctrl-C and SIGTERM during check: stop at once, partial table, exit 130, nothing left running.

Each test waits for a mark the implementation leaves (no sleeps standing in for progress),
then signals the CLI; subprocess timeouts are safety nets only."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, Path]:
    mark = tmp_path / "mark"
    env = {**os.environ, "KUSTOMER_TEST_MARK": str(mark), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kustomer_contract.cli import entry; entry()", "check", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, mark


def _wait_for(path: Path, proc: subprocess.Popen) -> None:
    for _ in range(6000):  # at most 60 s: a safety net, the mark comes within seconds
        if path.exists() and path.stat().st_size >= 0:
            return
        if proc.poll() is not None:
            raise AssertionError(f"ended before the mark: {proc.communicate()}")
        time.sleep(0.01)
    proc.kill()
    raise AssertionError("no mark")


def test_ctrl_c_prints_the_partial_table_and_exits_130(tmp_path):
    proc, mark = _start(
        tmp_path,
        "--impl", "tests.signals.marks_late_start:make",
        "--only", "accepts-valid", "--only", "stable-identity", "--max-examples", "10",
        "--jobs", "1",  # one after the other: the 15th start is in the second guarantee
    )  # fmt: skip
    _wait_for(mark, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in out + err
    assert "accepts-valid" in out and "passed" in out  # the guarantee that finished
    assert "interrupted while checking stable-identity; 1 of 2 guarantees done" in err


def _lines(path: Path, count: int) -> list[int]:
    """The pids in ``path`` once it has ``count`` of them (30 s at most: a safety net)."""
    for _ in range(3000):
        pids = [int(p) for p in path.read_text().split()] if path.exists() else []
        if len(pids) >= count:
            return pids
        time.sleep(0.01)
    raise AssertionError(f"{path}: {count} pids expected, found {path.read_text()!r}")


def test_ctrl_c_with_workers_prints_the_partial_table_and_ends_every_worker(tmp_path):
    proc, mark = _start(
        tmp_path,
        "--impl", "tests.signals.marks_pid:make",
        "--only", "accepts-valid", "--only", "stable-identity", "--max-examples", "1000",
        "--jobs", "2",
    )  # fmt: skip
    workers = _lines(mark, 2)  # both guarantees are running, one in each worker
    assert proc.pid not in workers
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in out + err
    assert "interrupted while checking accepts-valid, stable-identity" in err
    assert "0 of 2 guarantees done" in err
    for _ in range(3000):
        if not any(_alive(pid) for pid in workers):
            break
        time.sleep(0.01)
    assert not any(_alive(pid) for pid in workers)


def test_sigterm_with_workers_ends_every_node_and_what_each_spawned(tmp_path):
    proc, mark = _start(
        tmp_path, "--node", str(ROOT / "tests" / "signals" / "spawns_sleep.mjs"),
        "--only", "stable-identity", "--only", "accepts-valid", "--max-examples", "1000",
        "--jobs", "2",
    )  # fmt: skip
    sleepers = _lines(mark, 3)  # this process's Node and each worker's
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in out + err
    for _ in range(3000):
        if not any(_alive(pid) for pid in sleepers):
            break
        time.sleep(0.01)
    assert not any(_alive(pid) for pid in sleepers)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone for our purpose
        return stat.read().split()[2] != "Z"


def test_sigterm_ends_node_and_what_it_spawned(tmp_path):
    proc, mark = _start(
        tmp_path, "--node", str(ROOT / "tests" / "signals" / "spawns_sleep.mjs"),
        "--only", "stable-identity", "--max-examples", "1000",
    )  # fmt: skip
    _wait_for(mark, proc)
    for _ in range(3000):  # created, then written: at most 30 s, a safety net
        if mark.read_text().strip():
            break
        time.sleep(0.01)
    sleeper = int(mark.read_text().split()[0])
    assert _alive(sleeper)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in out + err
    for _ in range(3000):  # killed with the group as the CLI exits (30 s: a loaded machine)
        if not _alive(sleeper):
            break
        time.sleep(0.01)
    assert not _alive(sleeper)


def test_node_output_lines_are_kept_cut(tmp_path):
    """A module printing endless lines: the driver keeps each cut at LINE_CAP bytes."""
    from kustomer_contract.drivers.node import LINE_CAP, NodeDriver
    from kustomer_contract.spec.loader import load_spec

    module = tmp_path / "loud.mjs"
    module.write_text(
        f'import make from "{ROOT}/kustomer_contract/reference/kustomer-double.mjs";\n'
        'for (let i = 0; i < 20; i++) console.log("x".repeat(2_000_000));\n'
        'console.log("short");\n'
        "export default make;\n"
    )
    driver = NodeDriver(module, load_spec("v1"))
    try:
        driver.close(driver.new_instance())
        for _ in range(1000):  # the output is drained on its own thread
            tail = list(driver._process._tail)
            if tail and tail[-1] == "short":
                break
            time.sleep(0.01)
    finally:
        driver.shutdown()
    assert tail[-1] == "short"
    assert len(tail) == 21 and all(len(line) <= LINE_CAP + 20 for line in tail), [
        len(t) for t in tail
    ]

"""Work judged by forked workers reads exactly as work judged here: the same payloads,
problems, positions and counts, in the same order; a worker that dies is an error, never a
wait; closing early stops the workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fast_json import outcome

from kustomer_contract._core import forked
from kustomer_contract._core.payloads import base, files, jsonl, read_payloads
from kustomer_contract.callers import validate
from kustomer_contract.cli.main import main

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="workers are forked")

# ---------------------------------------------------------------------------
# in_order


def _square(n: int) -> int:
    return n * n


def test_results_come_in_input_order_and_local_items_after_what_precedes_them():
    items = list(range(40))
    seen = list(forked.in_order(_square, items, workers=2, remote=lambda n: n % 7 != 0))
    assert [item for item, _ in seen] == items
    assert all(result == (None if n % 7 == 0 else n * n) for n, result in seen)


def test_one_worker_runs_everything_here():
    pids = {pid for _, pid in forked.in_order(lambda _: os.getpid(), range(5), workers=1)}
    assert pids == {os.getpid()}


def test_the_work_runs_in_other_processes():
    pids = {pid for _, pid in forked.in_order(lambda _: os.getpid(), range(20), workers=2)}
    assert os.getpid() not in pids and pids


def test_an_error_in_a_worker_reaches_the_caller():
    def fails(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        return n

    with pytest.raises(ValueError, match="three"):
        list(forked.in_order(fails, range(10), workers=2))


def test_a_worker_that_dies_is_an_error_not_a_wait():
    from concurrent.futures.process import BrokenProcessPool

    def dies(n: int) -> int:
        if n == 2:
            os._exit(3)
        return n

    with pytest.raises(BrokenProcessPool):
        list(forked.in_order(dies, range(10), workers=2))


def test_closing_early_stops_the_workers():
    import multiprocessing

    results = forked.in_order(_square, range(1000), workers=2)
    assert next(results) == (0, 0)
    results.close()
    assert multiprocessing.active_children() == []


# ---------------------------------------------------------------------------
# JSON Lines: spans judged by workers


BAD_UTF8 = "<invalid UTF-8>"
LINES = st.one_of(
    st.sampled_from(
        [
            '{"attributes": {"emails": ["a@b.co"]}}',
            '{"customAttributes": {"vipBool": true}}',
            '{"attributes": {"emails": ["not an email"]}}',
            '{"a":1,"a":2}',
            '["\\ud800"]',
            "[1e400]",
            "{",
            "",
            "  ",
            "x",
            BAD_UTF8,
        ]
    ),
    st.integers(1, 400).map(lambda n: json.dumps({"customAttributes": {"noteStr": "n" * n}})),
)


def _read(path: Path, takes, workers: int) -> tuple[list, int]:
    settled = base.Settled(takes, lambda vs: all(map(takes, vs)))
    items = read_payloads(path, kind="jsonl", settled=settled, workers=workers)
    return outcome(items), settled.count


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(LINES, max_size=120),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from(["", "\ufeff"]),
    st.booleans(),  # whether the file ends with an end of line
    st.sampled_from([16, 200, 1 << 20]),  # span sizes: from a line per span to all in one
)
def test_spans_judged_by_workers_read_as_here(
    tmp_path, monkeypatch, lines, newline, bom, final, span
):
    def takes(value: object) -> bool:  # takes most, not all: both branches of a batch run
        return isinstance(value, dict) and len(json.dumps(value)) % 5 != 0

    text = bom + newline.join(lines) + (newline if final and lines else "")
    path = tmp_path / "stream.jsonl"
    path.write_bytes(text.encode("utf-8").replace(BAD_UTF8.encode(), b'["\xff"]'))
    monkeypatch.setattr(jsonl, "_SPAN_BYTES", span)
    monkeypatch.setattr(jsonl, "PARALLEL_BYTES", 0)
    assert _read(path, takes, 2) == _read(path, takes, 1)


def test_a_line_longer_than_a_span_is_read_a_line_at_a_time(tmp_path, monkeypatch):
    long = json.dumps({"customAttributes": {"noteStr": "n" * 5000}})
    lines = ['{"attributes": {"emails": ["a@b.co"]}}'] * 30 + [long, '{"x": 1}', "{"]
    path = tmp_path / "stream.jsonl"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(jsonl, "_SPAN_BYTES", 256)
    monkeypatch.setattr(jsonl, "PARALLEL_BYTES", 0)
    seen, count = _read(path, lambda v: v != {"x": 1}, 2)
    assert count == 31
    assert [entry[:2] for entry in seen] == [("payload", 31), ("problem", 33)]


# ---------------------------------------------------------------------------
# validate: folders and streams with --jobs


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "payloads"
    folder.mkdir()
    contents = {
        "ok.json": '{"attributes": {"emails": ["a@b.co"]}}',
        "bad.json": '{"attributes": {"emails": ["nope"]}}',
        "dup.json": '{"a": 1, "a": 2}',
        "bom.json": '\ufeff{"customAttributes": {"vipBool": true}}',
        "broken.json": "{",
        "empty.json": "",
        "lines.jsonl": '{"attributes": {"emails": ["a@b.co"]}}\n{"attributes": 1}\n',
        "doc.yaml": "attributes:\n  emails: [a@b.co]\n",
    }
    for i in range(30):
        name, content = list(contents.items())[i % len(contents)]
        (folder / f"{i:02d}-{name}").write_text(content)
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.json").write_text('{"attributes": {"phones": [5]}}')
    return folder


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_a_folder_judged_by_workers_reports_as_one_process(tmp_path, monkeypatch, capsys, fmt):
    folder = _folder(tmp_path)
    monkeypatch.setattr(files, "PARALLEL_FILES", 1)
    monkeypatch.setattr(files, "_CHUNK_FILES", 3)
    outputs = []
    for jobs in ("1", "2"):
        code = main(["validate", "--format", fmt, "--jobs", jobs, str(folder)])
        outputs.append((code, capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == validate.EXIT_USAGE  # broken.json and empty.json cannot be read


def test_a_large_stream_is_judged_by_workers_with_the_same_report(tmp_path, capsys):
    line = json.dumps({"attributes": {"emails": ["a@b.co"]}, "customAttributes": {"n": "x"}})
    path = tmp_path / "big.jsonl"
    with path.open("w") as f:
        for i in range(jsonl.PARALLEL_BYTES // len(line) + 2000):
            f.write(('{"attributes": {"emails": ["nope"]}}' if i % 9973 == 5 else line) + "\n")
    assert path.stat().st_size >= jsonl.PARALLEL_BYTES
    outputs = []
    for jobs in ("1", "2"):
        code = main(["validate", "--jobs", jobs, str(path)])
        outputs.append((code, capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == validate.EXIT_INVALID and "/attributes/emails/0" in outputs[0][1]


def test_jobs_must_be_a_positive_whole_number(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--jobs", "0", "x.json"])
    assert exit_info.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_ctrl_c_while_workers_judge_leaves_no_worker_behind(tmp_path):
    line = json.dumps({"attributes": {"emails": ["a@b.co"]}}) + "\n"
    path = tmp_path / "big.jsonl"
    path.write_text(line * (12 * (1 << 20) // len(line)))
    probe = textwrap.dedent(
        f"""
        import multiprocessing, os, signal, threading, sys
        from kustomer_contract.cli.main import entry
        from kustomer_contract._core.payloads import jsonl
        slow = jsonl._whole_batches  # each span takes a while: the run is still going at 1 s
        jsonl._whole_batches = lambda *args: (__import__("time").sleep(0.5), slow(*args))[1]
        sys.argv = ["kustomer-contract", "validate", "--jobs", "2", {str(path)!r}]
        threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        try:
            entry()
        except SystemExit as stop:
            code = stop.code
        print(code, len(multiprocessing.active_children()))
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["130", "0"], done.stdout + done.stderr
    assert "Traceback" not in done.stderr

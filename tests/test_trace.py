"""``kustomer-contract trace``: the caller's obligations on recorded call traces.

The Node part runs each script of tests/trace_scripts/ (a page pattern calling a small fake
SDK through kustomer-recorder.js) and checks its trace: every misuse pattern of
domain/kustomer.md is caught with the right obligation id at the offending call's line, and
the documented good patterns pass. Other scripts show that the recorder changes nothing the
page sees and that install() follows a replacement of globalThis.Kustomer. The Python part
covers reading traces: malformed lines, empty files, hand-written traces.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from kustomer_contract.callers import trace
from kustomer_contract.cli import trace as trace_command
from kustomer_contract.spec.types import Rule

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "trace_scripts"
KLASS = ROOT / "tests" / "data" / "klass.yaml"
RECORDER = trace.recorder_path()
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")


def run_trace(*argv: str) -> tuple[int, str, str]:
    """``kustomer-contract trace ARGV`` through register() / run(), with its output."""
    parser = argparse.ArgumentParser(prog="kustomer-contract")
    trace_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["trace", *argv])
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = trace.run(args)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str, name: str = "trace.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def records(*items: dict) -> str:
    return "".join(json.dumps(item) + "\n" for item in items)


def call(seq: int, method: str, *args, t: float = 0) -> dict:
    return {"t": t or seq, "seq": seq, "event": "call", "method": method, "args": list(args)}


def callback(seq: int, of: int, method: str, response=None, error=None) -> dict:
    return {
        "t": seq,
        "seq": seq,
        "event": "callback",
        "method": method,
        "call": of,
        "response": response,
        "error": error,
    }


def violations(output: str) -> list[tuple[int, str]]:
    """(line, obligation) of each violation line in text output."""
    found = []
    for text in output.splitlines():
        parts = text.split(": ", 2)
        head = parts[0].rsplit(":", 1)
        if (
            len(parts) == 3
            and len(head) == 2
            and head[1].isdigit()
            and parts[1] != "malformed record"
        ):
            found.append((int(head[1]), parts[1]))
    return found


# ---------------------------------------------------------------------------
# Node: real pages through the recorder


def record(script: str, tmp_path: Path) -> tuple[Path, str]:
    out = tmp_path / f"{Path(script).stem}.jsonl"
    proc = subprocess.run(
        ["node", str(SCRIPTS / script), str(out), str(RECORDER)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout}\n{proc.stderr}"
    return out, proc.stdout


def line_of(path: Path, event: str, method: str, nth: int = 1) -> int:
    """The line of the nth record of this event and method in a trace file."""
    seen = 0
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        r = json.loads(text)
        if r["event"] == event and r["method"] == method:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"no {event} of {method} in {path}")


MISUSES = [
    # script, extra argv, the one expected obligation, the offending call (method, nth call)
    ("bad_no_start.mjs", (), "start-first", ("describeCustomer", 1)),
    ("bad_start_not_awaited.mjs", (), "start-first", ("describeCustomer", 1)),
    ("bad_login_then_describe.mjs", (), "describe-after-login", ("describeCustomer", 1)),
    ("bad_empty_email.mjs", (), "valid-options", ("describeCustomer", 1)),
    ("bad_custom_off_klass.mjs", ("--klass", str(KLASS)), "klass-attributes", ("describeCustomer", 1)),
]  # fmt: skip


@needs_node
@pytest.mark.parametrize(
    "script, argv, obligation, offender", MISUSES, ids=[m[0].removesuffix(".mjs") for m in MISUSES]
)
def test_misuse_pattern_is_caught(script, argv, obligation, offender, tmp_path):
    path, _ = record(script, tmp_path)
    code, out, err = run_trace(*argv, str(path))
    assert code == 1, out + err
    line = line_of(path, "call", *offender)
    assert violations(out) == [(line, obligation)], out
    assert f"{path}:{line}: {obligation}: " in out
    assert "; " in out.splitlines()[0]  # what happened; what to do instead


@needs_node
def test_start_not_awaited_reads_as_documented(tmp_path):
    path, _ = record("bad_start_not_awaited.mjs", tmp_path)
    code, out, _ = run_trace(str(path))
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(
        f"{path}:2: start-first: describeCustomer was called before start's callback ran"
    )
    assert first.endswith(
        "call it inside start's callback: Kustomer.start({}, () => Kustomer.describeCustomer(...))"
    )


@needs_node
def test_no_start_at_all_says_so(tmp_path):
    path, _ = record("bad_no_start.mjs", tmp_path)
    _, out, _ = run_trace(str(path))
    assert "start is never called in this trace" in out
    assert "call start first" in out


@needs_node
def test_login_then_describe_names_login_and_its_fix(tmp_path):
    path, _ = record("bad_login_then_describe.mjs", tmp_path)
    _, out, _ = run_trace(str(path))
    login_line = line_of(path, "call", "login")
    assert f"login was called at line {login_line}; its callback never ran" in out
    assert "Kustomer.login({jwtToken}, () => Kustomer.describeCustomer(...))" in out


@needs_node
def test_custom_attribute_off_the_klass_needs_the_klass_file(tmp_path):
    """shoeSizeNum is a well-formed name: only the Klass file shows it does not exist."""
    path, _ = record("bad_custom_off_klass.mjs", tmp_path)
    assert run_trace(str(path))[0] == 0
    code, out, _ = run_trace("--klass", str(KLASS), str(path))
    assert code == 1
    assert '"shoeSizeNum" is not on the Klass' in out
    assert "favoriteColorStr" not in out


@needs_node
@pytest.mark.parametrize("script", ["good_inside_start.mjs", "good_inside_login.mjs"])
def test_documented_good_patterns_pass(script, tmp_path):
    path, _ = record(script, tmp_path)
    code, out, err = run_trace("--klass", str(KLASS), str(path))
    assert (code, violations(out), err) == (0, [], ""), out
    assert "every obligation kept" in out


@needs_node
def test_recorder_changes_nothing_the_page_sees(tmp_path):
    path, stdout = record("transparent.mjs", tmp_path)
    assert stdout.strip() == "ok"
    # Its trace is a real one: readable, with no malformed records.
    code, out, _ = run_trace(str(path))
    assert "malformed" not in out and code in (0, 1)


@needs_node
def test_a_call_on_the_loaders_stub_is_caught(tmp_path):
    """The call throws a TypeError in the page before any wrapper can see it; the lookup of
    the missing method is what the recorder records, once, and trace names start-first."""
    path, stdout = record("bad_call_on_stub.mjs", tmp_path)
    assert stdout.strip() == "ok"  # the page saw the TypeError: the recorder changed nothing
    missing = [r for r in map(json.loads, path.read_text().splitlines()) if r["event"] == "missing"]
    assert [r["method"] for r in missing] == ["describeCustomer"]
    code, out, _ = run_trace(str(path))
    assert code == 1, out
    line = line_of(path, "missing", "describeCustomer")
    assert violations(out) == [(line, "start-first")], out
    assert "describeCustomer was looked up before start's callback ran" in out
    assert "TypeError" in out and "call it inside start's callback" in out


def test_a_lookup_of_a_method_the_spec_lacks_is_not_judged(v1):
    """A spec that lists no sdk_methods judges only lookups of its own methods (the bundled
    specs list them: tests/test_trace_surfaces.py judges this lookup under start-first)."""
    recs, problems = trace.parse_trace(
        [
            '{"t": 0, "seq": 1, "event": "call", "method": "start", "args": [{}, "[function]"]}',
            '{"t": 1, "seq": 2, "event": "missing", "method": "openKbArticle"}',
            '{"t": 2, "seq": 3, "event": "callback", "method": "start", "call": 1}',
        ]
    )
    assert problems == []
    assert trace.check_records(recs, v1._replace(sdk_methods=())) == []


@needs_node
def test_install_follows_the_replacement_of_the_global(tmp_path):
    path, stdout = record("install_setter.mjs", tmp_path)
    assert stdout.strip() == "ok"
    code, out, _ = run_trace(str(path))
    assert code == 0, out


@needs_node
def test_recorder_runs_as_a_classic_script(tmp_path):
    path, stdout = record("classic_script.mjs", tmp_path)
    assert stdout.strip() == "ok"
    assert run_trace(str(path))[0] == 0


@needs_node
def test_recorder_can_be_required(tmp_path):
    code = f"require({json.dumps(str(RECORDER))}); console.log(typeof KustomerRecorder.wrap)"
    proc = subprocess.run(["node", "-e", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "function", proc.stderr


def test_recorder_ships_in_the_package():
    assert RECORDER.is_file()
    assert (
        RECORDER.parent.parent.name == "callers" and RECORDER.parents[2].name == "kustomer_contract"
    )


# ---------------------------------------------------------------------------
# Python: reading traces, and the rules as the spec states them


GOOD = records(
    call(1, "start", {}, "[function]"),
    callback(2, 1, "start", {}),
    call(3, "login", {"jwtToken": "a.b.c"}, "[function]"),
    callback(4, 3, "login", {"identified": True}),
    call(5, "describeCustomer", {"attributes": {"emails": ["ada@example.com"]}}, "[function]"),
    callback(6, 5, "describeCustomer", {"customerId": "c1"}),
)


def test_hand_written_good_trace_passes(tmp_path):
    code, out, err = run_trace(str(write(tmp_path, GOOD)))
    assert (code, err) == (0, "")
    assert out.strip().endswith(
        "every obligation kept (start-first, describe-after-login, valid-options, klass-attributes, "
        "known-method)"
    )


def test_the_documented_example_line(tmp_path):
    path = write(
        tmp_path,
        records(
            call(1, "start", {}, "[function]"),
            call(2, "open"),
            call(3, "describeCustomer", {}, "[function]"),
            callback(4, 1, "start"),
        ),
    )
    code, out, _ = run_trace(str(path))
    assert code == 1
    lines = out.splitlines()
    assert violations(out) == [(2, "start-first"), (3, "start-first")]
    assert lines[1] == (
        f"{path}:3: start-first: describeCustomer was called before start's callback ran "
        "(start was called at line 1; its callback ran only at line 4); call it inside "
        "start's callback: Kustomer.start({}, () => Kustomer.describeCustomer(...))"
    )


def test_after_start_and_login_callbacks_everything_is_allowed(tmp_path):
    path = write(
        tmp_path,
        records(
            call(1, "start"),  # bare start(): the docs' examples do that
            callback(2, 1, "start"),
            call(3, "describeCustomer", {}),  # before any login: fine
            call(4, "login", {"jwtToken": "t"}, "[function]"),
            callback(5, 4, "login"),
            call(6, "describeCustomer", {}),
            call(7, "logout", "[function]"),
            call(8, "describeCustomer", {}),
        ),
    )
    assert run_trace(str(path))[0] == 0


def test_second_login_pending_breaks_describe_after_login(tmp_path):
    path = write(
        tmp_path,
        records(
            call(1, "start", {}, "[function]"),
            callback(2, 1, "start"),
            call(3, "login", {"jwtToken": "a"}, "[function]"),
            callback(4, 3, "login"),
            call(5, "login", {"jwtToken": "b"}, "[function]"),
            call(6, "describeCustomer", {}),
            callback(7, 5, "login"),
        ),
    )
    code, out, _ = run_trace(str(path))
    assert violations(out) == [(6, "describe-after-login")]
    assert "login was called at line 5; its callback ran only at line 7" in out


def test_invalid_options_and_custom_names(tmp_path):
    options = {
        "attributes": {"emails": [None, ""], "phones": ["+1 555 555 5555"]},
        "customAttributes": {"some_custom_attribute": "x", "vipBool": "yes"},
    }
    path = write(
        tmp_path,
        records(
            call(1, "start", {}, "[function]"),
            callback(2, 1, "start"),
            call(3, "describeCustomer", options, "[function]"),
            call(4, "describeCustomer"),
            call(5, "login", {}),
        ),
    )
    code, out, _ = run_trace("--json", str(path))
    assert code == 1
    report = json.loads(out)
    found = [
        (v["line"], v["obligation"], v.get("pointer")) for v in report["files"][0]["violations"]
    ]
    assert found == [
        (3, "valid-options", "/attributes/emails/0"),
        (3, "valid-options", "/attributes/emails/1"),
        (3, "valid-options", "/customAttributes/vipBool"),
        (3, "klass-attributes", "/customAttributes/some_custom_attribute"),
        (4, "valid-options", None),  # describeCustomer() with no options at all
        (5, "valid-options", ""),  # login's options are checked too
    ]
    assert report["exit_code"] == 1
    assert report["obligations"] == [
        "start-first",
        "describe-after-login",
        "valid-options",
        "klass-attributes",
        "known-method",
    ]
    for v in report["files"][0]["violations"]:
        assert v["message"] == f"{v['happened']}; {v['todo']}"


def test_klass_file_turns_unknown_names_into_klass_attributes(tmp_path):
    path = write(
        tmp_path,
        records(
            call(1, "start", {}, "[function]"),
            callback(2, 1, "start"),
            call(3, "describeCustomer", {"customAttributes": {"vipBool": True, "shoeSizeNum": 4}}),
        ),
    )
    assert run_trace(str(path))[0] == 0
    code, out, _ = run_trace("--klass", str(KLASS), str(path))
    assert violations(out) == [(3, "klass-attributes")]
    assert f"is not on the Klass ({KLASS})" in out


def test_malformed_lines_are_reported_and_skipped(tmp_path):
    text = (
        json.dumps(call(1, "start", {}, "[function]"))
        + "\n"
        + "{not json\n"
        + "[1, 2]\n"
        + '{"seq": 3, "event": "called", "method": "x"}\n'
        + '{"seq": "4", "event": "call", "method": "x"}\n'
        + '{"seq": 5, "event": "call"}\n'
        + '{"seq": 6, "event": "callback", "method": "start"}\n'
        + '{"seq": 7, "event": "callback", "method": "start", "call": 99}\n'
        + json.dumps(callback(1, 1, "start"))  # seq 1 again
        + "\n\n"  # blank lines are fine
        + json.dumps(callback(8, 1, "start"))
        + "\n"
        + json.dumps(call(9, "describeCustomer", {}, "[function]"))
        + "\n"
    )
    path = write(tmp_path, text)
    code, out, _ = run_trace(str(path))
    assert code == 2, out  # nothing else is wrong
    malformed = [t for t in out.splitlines() if ": malformed record: " in t]
    assert [int(t.split(":")[1]) for t in malformed] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert "not JSON" in malformed[0]
    assert "a record is a JSON object" in malformed[1]
    assert '"event" must be one of' in malformed[2]
    assert '"seq" must be a whole number' in malformed[3]
    assert 'a call record needs "method"' in malformed[4]
    assert 'a callback record needs "call"' in malformed[5]
    assert "no call record of that seq" in malformed[6]
    assert "seq 1 was already used at line 1" in malformed[7]
    assert "3 records, 0 violations, 8 read problems" in out


def test_malformed_lines_with_violations_exit_2_and_show_the_violations(tmp_path):
    """One rule for every command (errors.overall): input that could not be read wins over
    a finding, and the finding is still shown."""
    text = "garbage\n" + records(call(1, "describeCustomer", {}))
    code, out, _ = run_trace(str(write(tmp_path, text)))
    assert code == 2
    assert violations(out) == [(2, "start-first")]
    assert ":1: malformed record: not JSON" in out


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_empty_trace_is_unreadable(text, tmp_path):
    path = write(tmp_path, text)
    code, out, _ = run_trace(str(path))
    assert code == 2
    assert f"{path}: cannot check: the trace has no records" in out


def test_missing_file_and_bad_bytes(tmp_path):
    code, out, _ = run_trace(str(tmp_path / "nope.jsonl"))
    assert code == 2 and "nope.jsonl: cannot check: file not found" in out
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(records(call(1, "start", {}, "[function]")).encode() + b'{"x": "\xe9"}\n')
    code, out, _ = run_trace(str(path))
    assert code == 2 and ":2: malformed record: not UTF-8" in out


def test_records_are_taken_in_seq_order(tmp_path):
    """A sink that wrote out of order: seq, not the line, decides what came first."""
    path = write(
        tmp_path,
        records(
            call(3, "describeCustomer", {}),
            callback(2, 1, "start"),
            call(1, "start", {}, "[function]"),
        ),
    )
    assert run_trace(str(path))[0] == 0


def test_bad_spec_or_klass_is_a_usage_error(tmp_path):
    path = write(tmp_path, GOOD)
    code, _, err = run_trace("--spec", str(tmp_path / "nowhere"), str(path))
    assert code == 2 and "no such spec" in err
    bad = write(tmp_path, "attributes: 3\n", "klass.yaml")
    code, _, err = run_trace("--klass", str(bad), str(path))
    assert code == 2 and "klass.yaml" in err


def test_rules_come_from_the_spec(v1):
    """Renaming a rule or its methods in the spec changes what is checked: nothing is hard-coded."""
    recs, problems = trace.parse_trace(
        records(
            call(1, "login", {"jwtToken": "t"}, "[function]"),
            call(2, "describeCustomer", {}),
            callback(3, 1, "login"),
            call(4, "start", {}, "[function]"),
        ).splitlines()
    )
    assert problems == []
    found = trace.check_records(recs, v1)
    assert [(v.line, v.obligation) for v in found] == [
        (1, "start-first"),
        (2, "start-first"),
        (2, "describe-after-login"),
    ]
    # A spec whose first-completes method is login and with no after-callback rule.
    other = v1._replace(rules=(Rule("login-first", "first-completes", "login", "login first"),))
    found = trace.check_records(recs, other)
    assert [(v.line, v.obligation) for v in found] == [(2, "login-first")]
    assert "Kustomer.login({jwtToken}, () => Kustomer.describeCustomer(...))" in found[0].message


def test_unknown_rule_kind_is_skipped_with_a_warning(v1, tmp_path, monkeypatch):
    other = v1._replace(rules=(*v1.rules, Rule("odd", "at-most-once", "start", "x")))
    monkeypatch.setattr("kustomer_contract.spec.loader.load_spec", lambda name: other)
    code, _, err = run_trace(str(write(tmp_path, GOOD)))
    assert code == 0
    assert "rule 'odd' has kind 'at-most-once', which trace cannot check" in err


def test_standard_input(tmp_path, monkeypatch):
    class Stdin:
        buffer = io.BytesIO(GOOD.encode())

    monkeypatch.setattr("sys.stdin", Stdin)
    code, out, _ = run_trace("-")
    assert code == 0 and out.startswith("-: 6 records")


def test_several_files_exit_with_the_worst(tmp_path):
    good = write(tmp_path, GOOD, "good.jsonl")
    bad = write(tmp_path, records(call(1, "describeCustomer", {})), "bad.jsonl")
    empty = write(tmp_path, "", "empty.jsonl")
    assert run_trace(str(good), str(empty))[0] == 2
    assert run_trace(str(good), str(bad))[0] == 1
    # errors.overall: a file that could not be read wins over a finding (shown all the same)
    assert run_trace(str(good), str(bad), str(empty))[0] == 2

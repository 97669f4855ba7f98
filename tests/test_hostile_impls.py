"""Misbehaving Python implementations: the run must end, name the fault, and leave no thread.

Every implementation is one fault on top of the conformant reference double; they are written
into a fresh module in ``tmp_path`` per test, so a blocked call of one test cannot hold a lock
or an event of another. ``check`` runs in-process through ``cli.main`` as a user would run it.
The shrink budget is cut from 10 s to 1 s (the only change from a user's run) so the file
stays well under a minute and a half.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
import time
import uuid

import pytest

import kustomer_contract.engine.session as session_module
from kustomer_contract.cli.main import main
from kustomer_contract.engine.search import check_guarantee
from kustomer_contract.reference.later import idle_threads

IMPLEMENTATIONS = '"""Misbehaving implementations, each one fault on top of the conformant reference double."""\nimport math\nimport os\nimport threading\n\nfrom kustomer_contract.reference import KustomerDouble\n\nRELEASE = threading.Event()  # set by the test to let blocked calls end\nGLOBAL = {"describes": 0}\n_STARTED = [False]\n\n\nclass BlocksInDescribe(KustomerDouble):\n    def describeCustomer(self, options, callback=None):\n        RELEASE.wait()\n\n\nclass BlocksInStart(KustomerDouble):\n    def start(self, options=None, callback=None):\n        RELEASE.wait()\n\n\nclass NeverCallsBack(KustomerDouble):\n    def describeCustomer(self, options, callback=None):\n        pass\n\n\nclass _Respond(KustomerDouble):\n    """describeCustomer answers through ``self.answer(callback, response, error)``."""\n\n    def describeCustomer(self, options, callback=None):\n        if callback is None:\n            return super().describeCustomer(options, None)\n\n        def forward(response, error=None):\n            self.answer(callback, response, error)\n\n        return super().describeCustomer(options, forward)\n\n\nclass CallsBackTwice(_Respond):\n    def answer(self, cb, response, error):\n        cb(response, error)\n        cb(response, error)\n\n\nclass CallsBack1000Times(_Respond):\n    def answer(self, cb, response, error):\n        for _ in range(1000):\n            cb(response, error)\n\n\nclass CallsBackWithNothing(_Respond):\n    def answer(self, cb, response, error):\n        cb()\n\n\nclass CallsBackWithThreeArgs(_Respond):\n    def answer(self, cb, response, error):\n        cb(response, error, "extra")\n\n\nclass CallsBackWithBytes(_Respond):\n    def answer(self, cb, response, error):\n        cb(b\'{"customerId": "c-1"}\' if error is None else None, error)\n\n\nclass CallsBackWithSet(_Respond):\n    def answer(self, cb, response, error):\n        if response is not None:\n            response = {**response, "emails": set(response.get("emails", []))}\n        cb(response, error)\n\n\nclass CallsBackWithNaN(_Respond):\n    def answer(self, cb, response, error):\n        if response is not None:\n            response = {**response, "custom": {"scoreNum": math.nan}}\n        cb(response, error)\n\n\nclass CallsBackWithHugeString(_Respond):\n    """A 10 MB customerId: valid JSON, allowed by callbackResponse (no length limit)."""\n\n    def answer(self, cb, response, error):\n        if response is not None:\n            response = {**response, "customerId": "c" * 10_000_000}\n        cb(response, error)\n\n\nclass CallsBackWithCycle(_Respond):\n    def answer(self, cb, response, error):\n        if response is not None:\n            response = dict(response)\n            response["self"] = response\n        cb(response, error)\n\n\nclass RaisesInStart(KustomerDouble):\n    def start(self, options=None, callback=None):\n        raise RuntimeError("start exploded")\n\n\nclass RaisesInLogin(KustomerDouble):\n    def login(self, options, callback=None):\n        raise RuntimeError("login exploded")\n\n\nclass RaisesInLogout(KustomerDouble):\n    def logout(self, callback=None):\n        raise RuntimeError("logout exploded")\n\n\nclass RaisesInDescribe(KustomerDouble):\n    def describeCustomer(self, options, callback=None):\n        raise RuntimeError("describeCustomer exploded")\n\n\nclass SetsEnviron(KustomerDouble):\n    def describeCustomer(self, options, callback=None):\n        os.environ["KUSTOMER_HOSTILE_TOUCHED"] = "1"\n        GLOBAL["describes"] += 1\n        return super().describeCustomer(options, callback)\n\n\nclass StartedIsGlobal(KustomerDouble):\n    """start sets a module global: every later instance counts as started."""\n\n    def start(self, options=None, callback=None):\n        _STARTED[0] = True\n        return super().start(options, callback)\n\n    def _describe(self, name, options, callback=None):\n        if _STARTED[0] and not self._started:  # another instance was started: so is this one\n            with self._lock:\n                self._current, self._started = self._new_customer(), True\n        return super()._describe(name, options, callback)\n\n\nclass MutatesOptions(KustomerDouble):\n    def describeCustomer(self, options, callback=None):\n        super().describeCustomer(options, callback)\n        if isinstance(options, dict):\n            options["touched"] = True\n\n\ndef raising_factory():\n    raise RuntimeError("cannot connect to the fake SDK")\n\n\ndef none_factory():\n    return None\n\n\nclass CallsBackWithHugeError(_Respond):\n    def answer(self, cb, response, error):\n        cb(None, "x" * 10_000_000)\n'

CALL_THREAD = "kustomer-call-"


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    """The name of a fresh module holding every hostile implementation."""
    name = f"hostile_{uuid.uuid4().hex[:10]}"
    (tmp_path / f"{name}.py").write_text(IMPLEMENTATIONS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(
        session_module, "check_guarantee", functools.partial(check_guarantee, shrink_seconds=1.0)
    )
    yield name
    module = sys.modules.pop(name, None)
    if module is not None:
        module.RELEASE.set()  # let calls that blocked "forever" end


def _settle(before: set[threading.Thread], seconds: float = 2.0) -> list[threading.Thread]:
    """Threads started during the run still alive once the reference's callbacks have run
    (the reference's idle callback threads, which hold nothing and end by themselves, aside)."""
    deadline = time.monotonic() + seconds
    while True:
        idle = idle_threads()
        left = [
            t for t in threading.enumerate() if t not in before and t.is_alive() and t not in idle
        ]
        if all(t.name.startswith(CALL_THREAD) for t in left) or time.monotonic() > deadline:
            return left
        time.sleep(0.02)


def check(capsys, target: str, guarantee: str):
    before = set(threading.enumerate())
    started = time.monotonic()
    code = main(
        [
            "check",
            "--impl",
            target,
            "--only",
            guarantee,
            "--max-examples",
            "10",
            "--seed",
            "1",
            "--timeout",
            "0.3",
            "--json",
        ]
    )
    seconds = time.monotonic() - started
    out, err = capsys.readouterr()
    leaked = _settle(before)
    return code, out, err, seconds, leaked


# (implementation, guarantee checked, what the failure must say)
FAILING = [
    ("BlocksInDescribe", "accepts-valid", "describeCustomer", "it did not return within 0.3 s"),
    ("BlocksInStart", "accepts-valid", "start", "it did not return within 0.3 s"),
    ("NeverCallsBack", "callback-once", "describeCustomer", "not called within 0.3 s"),
    ("CallsBackTwice", "callback-once", "describeCustomer", "called 2 times"),
    ("CallsBack1000Times", "callback-once", "describeCustomer", "called 1000 times"),
    ("CallsBackWithNothing", "response-conforms", "describeCustomer", "null is not of type object"),
    (
        "CallsBackWithBytes",
        "response-conforms",
        "describeCustomer",
        "holds a bytes, which is not JSON",
    ),
    ("CallsBackWithSet", "response-conforms", "describeCustomer", "holds a set, which is not JSON"),
    ("CallsBackWithNaN", "response-conforms", "describeCustomer", "holds nan, which JSON cannot"),
    ("CallsBackWithCycle", "response-conforms", "describeCustomer", "is cyclic"),
    ("CallsBackWithHugeError", "error-is-exception", "describeCustomer", 'error is str "xxx'),
    ("RaisesInStart", "accepts-valid", "start", "raised RuntimeError: start exploded"),
    ("RaisesInLogin", "stable-identity", "login", "raised RuntimeError: login exploded"),
    ("RaisesInLogout", "stable-identity", "logout", "raised RuntimeError: logout exploded"),
    (
        "RaisesInDescribe",
        "accepts-valid",
        "describe",
        "raised RuntimeError: describeCustomer exploded",
    ),
    ("StartedIsGlobal", "not-before-start", "describe", "applied: "),
    ("MutatesOptions", "input-untouched", "describe", "/touched added: true"),
]
BLOCKING = {"BlocksInDescribe", "BlocksInStart"}
LEAKS: dict[str, int] = {}  # implementation -> call threads still blocked when check returned


@pytest.mark.parametrize("impl, guarantee, method, says", FAILING, ids=[row[0] for row in FAILING])
def test_a_misbehaving_implementation_fails_its_guarantee_clearly(
    capsys, hostile, impl, guarantee, method, says
):
    code, out, err, seconds, leaked = check(capsys, f"{hostile}:{impl}", guarantee)
    assert code == 1, (out, err)
    assert "Traceback" not in out + err
    assert seconds < 30
    assert len(out) < 100_000  # a 10 MB value is never printed whole
    (result,) = json.loads(out)["results"]
    assert result["status"] == "failed", result
    failure = result["failure"]
    assert failure["guarantee"] == guarantee
    assert failure["call"].startswith(method), failure["call"]
    assert says in failure["observed"] + failure["call"], failure
    if impl in BLOCKING:
        # The known cost of a method that never returns: its daemon thread stays blocked.
        LEAKS[impl] = len(leaked)
        assert leaked, "a call that blocks forever keeps its thread"
        assert all(t.name.startswith(CALL_THREAD) and t.daemon for t in leaked)
        assert len(leaked) <= result["cases"]  # at most one per case run
        sys.modules[hostile].RELEASE.set()
        for t in leaked:
            t.join(2)
        assert not any(t.is_alive() for t in leaked), "released calls end"
    else:
        assert leaked == [], [t.name for t in leaked]


def test_blocked_call_threads_are_reported(capsys, hostile):
    """Measure the leak: one daemon thread per case whose call never returns."""
    code, out, _, _, leaked = check(capsys, f"{hostile}:BlocksInDescribe", "accepts-valid")
    cases = json.loads(out)["results"][0]["cases"]
    with capsys.disabled():
        print(
            f"\nBlocksInDescribe: {len(leaked)} blocked kustomer-call-* threads after {cases} cases"
        )
    assert code == 1 and 1 <= len(leaked) <= cases


def test_extra_callback_arguments_are_ignored(capsys, hostile):
    """callback(response, None, "extra"): the contract names two arguments; a third is
    ignored, as JavaScript would ignore it. The tool says: passed."""
    code, out, err, _, leaked = check(
        capsys, f"{hostile}:CallsBackWithThreeArgs", "response-conforms"
    )
    assert code == 0, out
    assert json.loads(out)["results"][0]["status"] == "passed"
    assert leaked == []


def test_a_10_mb_customer_id_is_accepted_quickly(capsys, hostile):
    """The response schema puts no length limit on customerId: response-conforms passes, and
    the run stays short and its output small."""
    code, out, err, seconds, leaked = check(
        capsys, f"{hostile}:CallsBackWithHugeString", "response-conforms"
    )
    assert code == 0, out[:2000]
    assert len(out) < 10_000 and seconds < 30
    assert leaked == []


def test_a_10_mb_customer_id_is_not_printed_whole(capsys, hostile):
    """Every customer gets the same 10 MB customerId: stable-identity fails, as it should, but
    the failure must show a shortened id."""
    code, out, err, seconds, leaked = check(
        capsys, f"{hostile}:CallsBackWithHugeString", "stable-identity"
    )
    assert code == 1
    assert "both have id" in out
    assert len(out) < 100_000, f"{len(out)} characters of output"


def test_global_side_effects_are_outside_the_contract(capsys, hostile, monkeypatch):
    """An implementation that sets os.environ and a module global on every describe: the tool
    neither notices nor undoes it (the contract is about the SDK's answers); the run passes and
    the environment stays changed. A global that changes answers (StartedIsGlobal) is caught."""
    monkeypatch.delenv("KUSTOMER_HOSTILE_TOUCHED", raising=False)  # restored after the test
    code, out, err, _, leaked = check(capsys, f"{hostile}:SetsEnviron", "accepts-valid")
    assert code == 0, out
    assert os.environ.get("KUSTOMER_HOSTILE_TOUCHED") == "1"
    assert sys.modules[hostile].GLOBAL["describes"] > 0
    assert leaked == []


@pytest.mark.parametrize(
    "factory, says",
    [
        ("raising_factory", "raised RuntimeError: cannot connect to the fake SDK"),
        ("none_factory", "lacks the SDK method(s) start, login, logout, describeCustomer"),
    ],
)
def test_a_broken_factory_is_a_usage_error_in_one_line(capsys, hostile, factory, says):
    code, out, err, seconds, leaked = check(capsys, f"{hostile}:{factory}", "accepts-valid")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("kustomer-contract: error: ")
    assert says in err and factory in err
    assert "Traceback" not in err
    assert leaked == []


# --- the same through the pytest plugin ------------------------------------------------------


def _plugin_run(pytester, impl: str, guarantee: str):
    pytester.makepyfile(hostile_impls=IMPLEMENTATIONS)
    return pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "--kustomer-impl",
        f"hostile_impls:{impl}",
        "--kustomer-max-examples",
        "10",
        "--kustomer-seed",
        "1",
        "--kustomer-timeout",
        "0.3",
        "-k",
        guarantee,
        "-rA",
        timeout=120,
    )


def test_plugin_reports_a_callback_called_twice(pytester):
    result = _plugin_run(pytester, "CallsBackTwice", "callback-once")
    result.assert_outcomes(failed=1, deselected=12)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(["*callback-once*", "*called 2 times*"])
    assert "Traceback" not in out
    assert result.ret == 1


def test_plugin_reports_a_factory_that_raises_without_traceback(pytester):
    result = _plugin_run(pytester, "raising_factory", "accepts-valid")
    result.assert_outcomes(errors=1, deselected=12)  # an error at setup, not a failed check
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        ["kustomer-contract: the factory hostile_impls:raising_factory raised RuntimeError: *"]
    )
    assert "Traceback" not in out and "hostile_impls.py:" not in out


def test_plugin_reports_a_factory_that_raises_in_one_message(pytester):
    result = _plugin_run(pytester, "raising_factory", "accepts-valid")
    out = result.stdout.str()
    assert "During handling of the above exception" not in out
    assert "The above exception was the direct cause" not in out


# --- implementations that exit, interrupt, or are not what they seem ---------------------------
# Run as a user runs them: the CLI in a subprocess (os._exit would end an in-process run, and
# lingering threads would hold it), its shrink budget cut to 1 s as above.

FATAL = '''"""Implementations that end the process, raise what is not an error, or answer oddly."""
import asyncio
import os
import sys
import threading
import time

from kustomer_contract.reference import KustomerDouble


class _Respond(KustomerDouble):
    def describeCustomer(self, options, callback=None):
        if callback is None:
            return super().describeCustomer(options, None)
        return super().describeCustomer(options, lambda r, e=None: self.answer(callback, r, e))


class OsExitInDescribe(KustomerDouble):
    def describeCustomer(self, options, callback=None):
        os._exit(0)


class SysExitInDescribe(KustomerDouble):
    def describeCustomer(self, options, callback=None):
        sys.exit()


class KeyboardInterruptInDescribe(KustomerDouble):
    def describeCustomer(self, options, callback=None):
        raise KeyboardInterrupt


class OsExitInTimer(KustomerDouble):
    """The callback would come from a timer that calls os._exit(0) instead."""

    def describeCustomer(self, options, callback=None):
        threading.Timer(0.01, os._exit, (0,)).start()


def sys_exit_factory():
    sys.exit()


def os_exit_factory():
    os._exit(0)


def keyboard_interrupt_factory():
    raise KeyboardInterrupt


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no message")


class UnprintableError(_Respond):
    def answer(self, cb, response, error):
        cb(None, Unprintable()) if error is not None else cb(response, None)


class HugeInt(_Respond):
    def answer(self, cb, response, error):
        cb({**response, "custom": {"bigNum": 10**5000}} if response else response, error)


class KeywordCallback(_Respond):
    def answer(self, cb, response, error):
        cb(callbackResponse=response, error=error)


class SecondCallLater(_Respond):
    def answer(self, cb, response, error):
        cb(response, error)
        threading.Timer(0.3, cb, (response, error)).start()


class AsyncDescribe(KustomerDouble):
    async def describeCustomer(self, options, callback=None):
        await asyncio.sleep(0)
        super().describeCustomer(options, callback)


class SlowReturnSlowCallback(_Respond):
    """0.3 s to return, 0.3 s more to call back: 0.6 s per call, over a 0.5 s timeout."""

    def describeCustomer(self, options, callback=None):
        time.sleep(0.3)
        return super().describeCustomer(options, callback)

    def answer(self, cb, response, error):
        threading.Timer(0.3, cb, (response, error)).start()


_FOREVER = threading.Event()


class LingersAndPrints(KustomerDouble):
    """A non-daemon thread from the factory and from every call; a print on every call."""

    def __init__(self):
        super().__init__()
        threading.Thread(target=_FOREVER.wait, daemon=False).start()

    def describeCustomer(self, options, callback=None):
        print("describeCustomer called")
        threading.Thread(target=_FOREVER.wait, daemon=False).start()
        return super().describeCustomer(options, callback)
'''

RUN_CLI = (
    "import functools, sys\n"
    "import kustomer_contract.engine.search as search, kustomer_contract.engine.session as session\n"
    "session.check_guarantee = functools.partial(search.check_guarantee, shrink_seconds=1.0)\n"
    "from kustomer_contract.cli import entry\n"
    "sys.argv[0] = 'kustomer-contract'\n"
    "entry()\n"
)


@pytest.fixture(scope="module")
def fatal(tmp_path_factory):
    """A folder holding the module ``fatal_impls`` (the cwd of every run)."""
    folder = tmp_path_factory.mktemp("fatal")
    (folder / "fatal_impls.py").write_text(FATAL)
    return folder


def cli(folder, impl: str, guarantee: str, *extra: str, timeout: str = "0.5"):
    """``kustomer-contract check --impl fatal_impls:IMPL --only GUARANTEE`` as a process."""
    args = ["check", "--impl", f"fatal_impls:{impl}", "--only", guarantee, "--max-examples", "5",
            "--seed", "1", "--timeout", timeout, *extra]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), *sys.path])}
    import subprocess

    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


JUDGED = [
    # (implementation, guarantee, what the failure says)
    ("OsExitInDescribe", "accepts-valid", "the implementation called os._exit(0)"),
    ("SysExitInDescribe", "accepts-valid", "raised SystemExit"),
    ("KeyboardInterruptInDescribe", "accepts-valid", "raised KeyboardInterrupt"),
    ("OsExitInTimer", "callback-once", "raised ImplementationExit: the implementation called os._exit(0)"),
    ("UnprintableError", "error-is-exception", "str() of the Unprintable raises"),
    ("HugeInt", "response-conforms", "an integer of 16610 bits, beyond any number JavaScript"),
    ("KeywordCallback", "callback-once", "called with keyword argument(s) callbackResponse="),
    ("SecondCallLater", "callback-once", "called 2 times (the second 3"),
    ("AsyncDescribe", "accepts-valid", "describeCustomer returned a coroutine and did not call the callback; the SDK contract is callback-based"),
    ("SlowReturnSlowCallback", "callback-once", "not called within 0.5 s"),
]  # fmt: skip


@pytest.mark.parametrize("impl, guarantee, says", JUDGED, ids=[row[0] for row in JUDGED])
def test_a_hostile_implementation_is_judged_in_a_real_run(fatal, impl, guarantee, says):
    done = cli(fatal, impl, guarantee, "--json")
    assert done.returncode == 1, (done.stdout[-2000:], done.stderr[-2000:])
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    (result,) = json.loads(done.stdout)["results"]
    assert result["status"] == "failed", result
    failure = result["failure"]
    assert failure["guarantee"] == guarantee
    assert says in failure["observed"], failure["observed"]
    assert "describeCustomer" in failure["javascript"]


def test_the_text_report_names_os_exit(fatal):
    done = cli(fatal, "OsExitInDescribe", "accepts-valid")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "FAILED accepts-valid" in done.stdout
    assert "called os._exit(0)" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "factory, says",
    [
        ("sys_exit_factory", "the factory fatal_impls:sys_exit_factory called sys.exit()"),
        ("os_exit_factory", "the factory fatal_impls:os_exit_factory called os._exit(0)"),
        (
            "keyboard_interrupt_factory",
            "the factory fatal_impls:keyboard_interrupt_factory raised KeyboardInterrupt",
        ),
    ],
)
def test_a_factory_that_exits_or_interrupts_is_a_usage_error(fatal, factory, says):
    done = cli(fatal, factory, "accepts-valid")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr == f"kustomer-contract: error: {says}\n"


def test_a_late_second_call_is_seen_only_within_the_grace(fatal):
    """The 300 ms late call is caught with the default grace; with --grace 0.1 it is not
    watched for long enough (the run passes): the grace is the user's to set."""
    done = cli(fatal, "SecondCallLater", "callback-once", "--grace", "0.1", "--json")
    assert done.returncode == 0, done.stdout[-2000:]
    done = cli(fatal, "SecondCallLater", "callback-once", "--grace", "1")
    assert done.returncode == 1, done.stdout[-2000:]
    assert "called 2 times" in done.stdout
    assert "--grace 1 " in done.stdout  # the printed replay command keeps it


def test_the_late_call_reproducer_reproduces(fatal, monkeypatch):
    """The case reported for a late second call fails again when replayed as printed."""
    from kustomer_contract.engine.search import replay_case

    done = cli(fatal, "SecondCallLater", "callback-once", "--json")
    failure = json.loads(done.stdout)["results"][0]["failure"]
    monkeypatch.syspath_prepend(str(fatal))
    result = replay_case("fatal_impls:SecondCallLater", failure["case"])
    assert result.of("callback-once"), result.explain()


def test_lingering_threads_and_prints_neither_hold_the_process_nor_corrupt_json(fatal):
    done = cli(fatal, "LingersAndPrints", "accepts-valid", "--json")  # a hang: TimeoutExpired
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["results"][0]["status"] == "passed"
    assert "describeCustomer called" in done.stderr


def test_watching_for_late_calls_does_not_sleep_per_case(v1, monkeypatch):
    """callback-once waits out its grace once per run (at the end), never once per case."""
    import kustomer_contract.engine.runner as runner_module
    from kustomer_contract.drivers.python import PythonDriver
    from kustomer_contract.reference import make

    slept: list[float] = []

    class Clock:
        def __getattr__(self, name):
            return getattr(time, name)

        def sleep(self, seconds):
            slept.append(seconds)
            time.sleep(seconds)

    monkeypatch.setattr(runner_module, "time", Clock())
    result = check_guarantee(
        v1, PythonDriver(make, v1), "callback-once", max_examples=20, seed=3, grace=0.5
    )
    assert result.status == "passed" and result.cases >= 20
    long_sleeps = [s for s in slept if s >= 0.05]
    assert len(long_sleeps) <= 1, long_sleeps


def test_plugin_reports_os_exit_in_a_method_as_a_failure(pytester):
    pytester.makepyfile(fatal_impls=FATAL)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--kustomer-impl", "fatal_impls:OsExitInDescribe",
        "--kustomer-max-examples", "5", "--kustomer-seed", "1", "--kustomer-timeout", "0.5",
        "-k", "accepts-valid", timeout=120,
    )  # fmt: skip
    result.assert_outcomes(failed=1, deselected=12)
    result.stdout.fnmatch_lines(["*called os._exit(0)*"])
    assert result.ret == 1


def test_plugin_grace_option_is_passed_through(pytester):
    pytester.makepyfile(fatal_impls=FATAL)
    common = ["-p", "no:cacheprovider", "--kustomer-impl", "fatal_impls:SecondCallLater",
              "--kustomer-max-examples", "5", "--kustomer-seed", "1", "-k", "callback-once"]  # fmt: skip
    short = pytester.runpytest_subprocess(*common, "--kustomer-grace", "0.1", timeout=120)
    short.assert_outcomes(passed=1, deselected=12)
    pytester.makeini("[pytest]\nkustomer_grace = 1\n")
    watched = pytester.runpytest_subprocess(*common, timeout=120)
    watched.assert_outcomes(failed=1, deselected=12)
    watched.stdout.fnmatch_lines(["*called 2 times*"])


def test_the_os_exit_guard_is_removed_after_a_run(capsys, hostile):
    real_exit, real_hook = os._exit, threading.excepthook
    code, *_ = check(capsys, f"{hostile}:CallsBackTwice", "callback-once")
    assert code == 1
    assert os._exit is real_exit and threading.excepthook is real_hook

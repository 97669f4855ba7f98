"""Every reproducer a failure prints through a binding other than web is run, and must
reproduce that failure through the same surface (tests/test_reproducers.py does it for web).

Checked, each with a fixed seed and few cases:
- Python ``async def`` implementations (tests/gallery_async/*.py, the promise binding found by
  itself), and a synchronous one with a binding file (tests/js_bindings_fixtures/returning.py:
  results returned, a setup call, a dotted path);
- JavaScript with ``--binding promise`` (tests/js_gallery/promise_*.mjs and
  tests/js_bindings_fixtures/promise_*.mjs, ``// breaks under --binding X: <guarantee>``), with
  ``--binding core`` (KustomerCore.init) and with a binding file (a setup call, a method on a
  sub-object that needs its ``this``, a boolean success, no read-back).
Each printed snippet (Python, Node script) runs and must print other lines than the same
snippet against a correct implementation of that surface; the pasted regression tests run
with pytest and must fail naming the guarantee; a few replay commands run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kustomer_contract.engine.checks import Violation
from kustomer_contract.engine.results import Failure, GuaranteeResult
from kustomer_contract.engine.search import RACE_ATTEMPTS
from kustomer_contract.engine.session import Session, Settings
from kustomer_contract.generate.cases import Case, Step
from kustomer_contract.report import reproducers as report
from kustomer_contract.spec.bindings import load_binding
from kustomer_contract.spec.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "js_bindings_fixtures"
JS_GALLERY = ROOT / "tests" / "js_gallery"
ASYNC_GALLERY = ROOT / "tests" / "gallery_async"
SEED = 20240501
MAX_EXAMPLES = 15
SHRINK_BUDGET = 30  # what is tested is that each reproducer reproduces, not how small it got
TIMED_SHRINK_BUDGET = 3  # a failure that waits spends a timeout on every call of every case
RETURNING = FIXTURES / "returning.yaml"
WRAPPER = FIXTURES / "wrapper.yaml"
# A correct implementation of each surface: the same case printed for it must read otherwise.
CONFORMANT_JS = {
    "promise": JS_GALLERY / "promise_conformant.mjs",
    "core": FIXTURES / "core_conformant.mjs",
    str(WRAPPER.relative_to(ROOT)): FIXTURES / "wrapper_conformant.mjs",
}
ASYNC_CONFORMANT = "tests.doubles.async_conformant:make"

# One xdist worker for the whole module: its checks are run once and shared by every test.
pytestmark = pytest.mark.xdist_group("reproducers-bindings")


def _python_entries() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(ASYNC_GALLERY.glob("[!_]*.py")):
        found = re.search(r'^GUARANTEE = "([\w-]+)"', path.read_text(), re.M)
        if not found:
            continue
        underlying = ROOT / "tests" / "gallery" / path.name  # the broken module it wraps
        timeout = re.search(
            r'^EXTRA_ARGS = \["--timeout", "([\d.]+)"\]',
            underlying.read_text() if underlying.is_file() else "",
            re.M,
        )
        out[f"async-{path.stem}"] = {
            "impl": f"tests.gallery_async.{path.stem}:make",
            "guarantee": found.group(1),
            "binding": None,  # found: every method is async
            "found": "promise",
            "conformant": ASYNC_CONFORMANT,
            "timeout": float(timeout.group(1)) if timeout else 2.0,
        }
    out["returning-drops_second_email"] = {
        "impl": "tests.js_bindings_fixtures.returning:make_drops_second_email",
        "guarantee": "reflects-input",
        "binding": str(RETURNING),
        "found": "test-returning",
        "conformant": "tests.js_bindings_fixtures.returning:make",
        "timeout": 2.0,
    }
    return out


def _js_entries() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for folder in (JS_GALLERY, FIXTURES):
        for path in sorted(folder.glob("*.mjs")):
            text = path.read_text()
            found = re.match(r"// breaks under --binding (\S+): ([\w-]+)", text)
            if not found or found.group(1) not in CONFORMANT_JS:
                continue
            name = found.group(1)
            timeout = re.search(r"^// timeout: ([\d.]+)$", text, re.M)
            out[f"js-{path.stem}"] = {
                "node": str(path),
                "guarantee": found.group(2),
                "binding": name if "/" not in name else str(ROOT / name),
                "found": load_binding(name if "/" not in name else ROOT / name).name,
                "conformant": str(CONFORMANT_JS[name]),
                "timeout": float(timeout.group(1)) if timeout else 2.0,
            }
    return out


PYTHON = _python_entries()
JS = _js_entries()
ENTRIES = {**PYTHON, **JS}


def _budget(entry: dict[str, Any]) -> int:
    return TIMED_SHRINK_BUDGET if entry["timeout"] < 2.0 else SHRINK_BUDGET


def _run_check(entry: dict[str, Any]) -> dict[str, Any]:
    session = Session(
        Settings(
            impl=entry.get("impl"),
            node=entry.get("node"),
            binding=entry["binding"],
            timeout=entry["timeout"],
            max_examples=MAX_EXAMPLES,
            seed=SEED,
            only=[entry["guarantee"]],
            shrink_budget=_budget(entry),
        )
    )
    try:
        result = session.check(entry["guarantee"])
    finally:
        session.driver.shutdown()
    document = report.to_json(
        session.spec, [result], impl=session.impl, klass=None, seed=SEED,
        timeout=entry["timeout"], replay=report.replayer(session), binding=session.binding,
    )  # fmt: skip
    return {"result": result, "report": document, "spec": session.spec, "session": session}


@pytest.fixture(scope="module")
def checks() -> dict[str, dict[str, Any]]:
    """Each module checked once (lazily), shared by every test of this module."""

    class Lazy(dict):
        def __missing__(self, name: str) -> dict[str, Any]:
            self[name] = _run_check(ENTRIES[name])
            return self[name]

    return Lazy()


def _failure(checks: dict[str, Any], name: str) -> dict[str, Any]:
    [entry] = checks[name]["report"]["results"]
    assert entry["status"] == "failed", entry
    assert entry["failure"]["guarantee"] == ENTRIES[name]["guarantee"]
    return entry["failure"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}


def _masked(output: str) -> list[Any]:
    """The snippet's JSON lines, customer ids numbered by first sight, exception texts
    dropped (as tests/test_reproducers.py masks them)."""
    ids: dict[str, str] = {}

    def mask(value: Any, key: str = "") -> Any:
        if isinstance(value, dict) and value.get("custom") == {}:  # an empty custom is optional
            value = {k: v for k, v in value.items() if k != "custom"}
        if isinstance(value, dict):
            if set(value) == {"exception"}:
                return {"exception": "..."}
            return {k: mask(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [mask(v) for v in value]
        if key == "customerId" and isinstance(value, str):
            return ids.setdefault(value, f"id{len(ids) + 1}")
        return value

    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    for r in records:
        if "raised" in r:
            r["raised"] = "..."
    return [mask(r) for r in records]


def _run(argv: list[str], script: str, path: Path) -> list[Any]:
    path.write_text(script)
    done = subprocess.run(
        [*argv, str(path)], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip(), f"{path.name} printed nothing: {done.stderr[-2000:]}"
    return _masked(done.stdout)


def _differs(printed: str, correct: str, run: Any, races: bool) -> tuple[list[Any], list[Any]]:
    """The lines of the printed snippet and of the same case against a correct implementation;
    a racing case may not show in one run (the failure text says so): a few, as replay_case."""
    good = run(correct, "correct")
    for _ in range(RACE_ATTEMPTS if races else 1):
        bad = run(printed, "broken")
        if bad != good:
            break
    return bad, good


# --- Python: awaited (promise, found) and returned (a binding file) ------------------------


def _python_snippet(checks: dict[str, Any], name: str, impl: str) -> str:
    failure: Failure = checks[name]["result"].failure
    return report.python(
        checks[name]["spec"], failure.case, impl, violation=failure.violation,
        timeout=ENTRIES[name]["timeout"], binding=checks[name]["session"].binding,
    )  # fmt: skip


@pytest.mark.parametrize("name", list(PYTHON))
def test_python_snippet_shows_the_failure_through_the_binding(
    name: str, checks: dict[str, Any], tmp_path: Path
) -> None:
    entry = PYTHON[name]
    session = checks[name]["session"]
    assert session.binding.name == entry["found"]
    assert session.settings.binding == entry["binding"]
    failure = _failure(checks, name)
    printed = failure["python"]
    assert printed == _python_snippet(checks, name, entry["impl"])
    via = "promise" if entry["found"] == "promise" else "return"
    assert f"via={via!r}" in printed
    if via == "promise":  # awaited as the run awaited it: on one event loop thread
        assert "asyncio.run_coroutine_threadsafe(" in printed
    else:  # the binding's setup call first, the method by its dotted path
        assert "call('setup', 'configure', 'example-api-key', {}, via='return')" in printed
        assert "'customer.describeCustomer'" in printed

    def run(script: str, label: str) -> list[Any]:
        return _run([sys.executable], script, tmp_path / f"{label}.py")

    correct = _python_snippet(checks, name, entry["conformant"])
    broken, good = _differs(printed, correct, run, checks[name]["result"].failure.case.races)
    assert broken != good, f"{name}: the snippet prints what a correct implementation does"
    for lines in (broken, good):  # every call was answered through its surface, none raised
        assert all("raised" not in r and "returned" not in r for r in lines), lines


def test_async_snippet_shows_the_missing_email(checks: dict[str, Any], tmp_path: Path) -> None:
    """The brief's example: the awaited snippet shows the email the broken module lost, and
    the same snippet against the conformant async double shows it kept."""
    name = "async-drops_second_email"
    case = checks[name]["result"].failure.case
    step = checks[name]["result"].failure.violation.step
    sent = case.steps[step].options["attributes"]["emails"]

    def emails_at(impl: str, label: str) -> list[str]:
        lines = _run([sys.executable], _python_snippet(checks, name, impl), tmp_path / label)
        [record] = [r for r in lines if r["step"] == step + 1]
        [answer] = record["callbacks"]
        return answer["response"]["emails"]

    assert not set(sent) <= set(emails_at(PYTHON[name]["impl"], "broken.py"))
    assert set(sent) <= set(emails_at(ASYNC_CONFORMANT, "conformant.py"))


# --- JavaScript, run with Node: promise, core, a binding file -----------------------------


def _node_script(checks: dict[str, Any], name: str, module: str) -> str:
    failure: Failure = checks[name]["result"].failure
    return report.node_script(
        checks[name]["spec"], failure.case, module, None, violation=failure.violation,
        timeout=ENTRIES[name]["timeout"], binding=checks[name]["session"].binding,
    )  # fmt: skip


@pytest.mark.parametrize("name", list(JS))
def test_node_script_shows_the_failure_through_the_binding(
    name: str, checks: dict[str, Any], tmp_path: Path
) -> None:
    entry = JS[name]
    binding = checks[name]["session"].binding
    assert binding.name == entry["found"]
    failure = _failure(checks, name)
    printed = failure["node"]
    assert printed == _node_script(checks, name, entry["node"])
    assert printed.endswith(failure["javascript"])  # the console form, with a loader on top
    assert f"globalThis.{binding.object} = isClass" in printed
    assert failure["python"] is None
    start = binding.surface(checks[name]["spec"], checks[name]["spec"].by_role("start"))
    assert f"call('start', '{binding.object}.{start.method}', " in printed
    if binding.name == "core":
        assert "'KustomerCore.init'" in printed and "'Kustomer." not in printed
    else:
        assert "via: 'promise'" in printed

    def run(script: str, label: str) -> list[Any]:
        return _run(["node"], script, tmp_path / f"{label}.mjs")

    correct = _node_script(checks, name, entry["conformant"])
    broken, good = _differs(printed, correct, run, checks[name]["result"].failure.case.races)
    assert broken != good, f"{name}: the script prints what a correct implementation does"
    if binding.name == "core" and not checks[name]["result"].failure.case.races:
        other = run(_node_script(checks, name, str(ROOT / "examples/core-double/core.mjs")), "x")
        assert other == good, "the masking lets two correct implementations differ"


def test_a_rejection_without_a_reason_reads_as_an_error(
    checks: dict[str, Any], tmp_path: Path
) -> None:
    name = "js-promise_rejects_without_reason"
    step = _failure(checks, name)["step"]
    lines = _run(["node"], _failure(checks, name)["node"], tmp_path / "broken.mjs")
    [record] = [r for r in lines if r["step"] == step + 1]
    assert record["callbacks"] == [{"error": "undefined (rejected without a reason)"}], record


def test_a_binding_file_without_read_back_reads_nothing_back(checks: dict[str, Any]) -> None:
    """The wrapper binding cannot read the customer back: no read is printed, the setup
    call comes first, describeCustomer is called on KustomerChat.customer."""
    printed = _failure(checks, "js-wrapper_accepts_refused")["node"]
    assert "'customer now'" not in printed
    body = printed[printed.index("(async () => {") :]
    assert body.index("call('setup', 'KustomerChat.configure', ") < body.index("call('start'")
    assert "'KustomerChat.customer.describeCustomer'" in body


SYNC_CASE = Case(
    (),
    (
        Step("describe", {"attributes": {"emails": ["a@example.com"]}}),
        Step("describe-invalid", None),
        Step("describe-invalid", {"nope": 1}),
        Step("describe-invalid", {"attributes": {"emails": "a@example.com"}}),
    ),
)


def test_returned_results_and_thrown_errors_are_recorded_as_callbacks(tmp_path: Path) -> None:
    """``result: return`` in JavaScript: the value returned is the response, what is thrown
    the error (an Error, any other value, nothing at all); the setup call comes first and a
    method on a sub-object is called with it as ``this``."""
    spec = load_spec("v1")
    binding = load_binding(RETURNING, spec)
    script = report.node_script(
        spec, SYNC_CASE, str(FIXTURES / "sync_surface.mjs"), None, binding=binding, grace=0
    )
    path = tmp_path / "sync.mjs"
    path.write_text(script)
    done = subprocess.run(["node", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["step"], r["call"].split("(")[0], r["callbacks"]) for r in lines] == [
        ("setup", "Kustomer.configure", [{}]),  # {response: undefined}
        ("start", "Kustomer.start", [{"response": {"started": True}}]),
        (1, "Kustomer.customer.describeCustomer",
         [{"response": {"customerId": "0123456789abcdef01234567", "emails": ["a@example.com"]}}]),
        (2, "Kustomer.customer.describeCustomer",
         [{"error": "undefined (thrown without a reason)"}]),
        (3, "Kustomer.customer.describeCustomer", [{"error": "no such key: nope"}]),
        (4, "Kustomer.customer.describeCustomer",
         [{"error": {"exception": "TypeError: emails is not a list"}}]),
        ("customer now", "Kustomer.customer.describeCustomer",
         [{"response": {"customerId": "0123456789abcdef01234567", "emails": ["a@example.com"]}}]),
    ]  # fmt: skip
    assert all("raised" not in r for r in lines)


# --- the pytest regression tests and the replay commands ----------------------------------


def test_pasted_regression_tests_fail_with_their_guarantees(
    checks: dict[str, Any], tmp_path: Path
) -> None:
    """Every printed pytest test, pasted into a file, fails naming its guarantee: replayed
    through the same binding (one found by itself named, as promise)."""
    files = {}
    for name, entry in ENTRIES.items():
        test = _failure(checks, name)["pytest"]
        if entry["binding"] is None:
            assert "binding='promise'" in test, test
        else:
            assert f"binding={entry['binding']!r}" in test, test
        files[name] = tmp_path / f"test_{name.replace('-', '_')}.py"
        files[name].write_text(test + "\n")
    junit = tmp_path / "junit.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         "-n", "0", f"--junitxml={junit}", *map(str, files.values())],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    import xml.etree.ElementTree as ET

    outcomes = {
        case.get("classname", "").rsplit(".", 1)[-1]: case
        for case in ET.parse(junit).iter("testcase")
    }
    for name, path in files.items():
        case = outcomes[path.stem]
        failed = case.find("failure")
        assert failed is not None, f"the pasted regression test of {name} passed"
        text = failed.get("message", "") + (failed.text or "")
        assert ENTRIES[name]["guarantee"] in text, (name, text[-2000:])


@pytest.mark.parametrize("name", ["async-drops_second_email", "js-core_drops_second_email"])
def test_replay_command_fails_the_same_guarantee(name: str, checks: dict[str, Any]) -> None:
    failure = _failure(checks, name)
    argv = shlex.split(failure["replay"])
    binding = ENTRIES[name]["binding"]
    if binding is None:  # found by itself, found again
        assert "--binding" not in argv
    else:
        assert argv[argv.index("--binding") + 1] == binding
    done = subprocess.run(
        [sys.executable, "-m", "kustomer_contract.cli", *argv[1:], "--json"],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]
    document = json.loads(done.stdout)
    [again] = document["results"]
    assert again["status"] == "failed" and again["failure"]["guarantee"] == failure["guarantee"]
    assert document["binding"] == ENTRIES[name]["found"]


def test_every_replay_line_names_the_binding_given(checks: dict[str, Any]) -> None:
    for name, entry in ENTRIES.items():
        argv = shlex.split(_failure(checks, name)["replay"])
        if entry["binding"] is None:
            assert "--binding" not in argv, argv
        else:
            assert argv[argv.index("--binding") + 1] == entry["binding"], argv


# --- the forms, without a check -----------------------------------------------------------


def test_replay_line_carries_the_binding_when_one_was_given() -> None:
    def line(binding: str | None, form: str = "cli") -> list[str]:
        return shlex.split(
            report.replay_line(Settings(node="a.mjs", binding=binding), 1, "g", form)
        )

    assert line("core")[:6] == [
        "kustomer-contract",
        "check",
        "--node",
        "a.mjs",
        "--binding",
        "core",
    ]
    assert line("my binding.yaml", "pytest")[:5] == [
        "pytest", "--kustomer-node", "a.mjs", "--kustomer-binding", "my binding.yaml",
    ]  # fmt: skip
    for quiet in (None, "web"):
        assert "--binding" not in line(quiet) and "--kustomer-binding" not in line(quiet, "pytest")


def _one_failure(case: Case, guarantee: str = "reflects-input") -> Failure:
    return Failure(guarantee, Violation(guarantee, 0, "x", "y", "z"), case, [], 1)


def test_pytest_form_names_a_binding_other_than_web() -> None:
    spec = load_spec("v1")
    failure = _one_failure(SYNC_CASE)
    impl = "tests.doubles.async_conformant:make"
    for binding, said in (
        (None, None),
        (load_binding("web", spec), None),
        (load_binding("promise", spec), "'promise'"),
        (load_binding("core", spec), "'core'"),
        (load_binding(WRAPPER, spec), repr(str(WRAPPER))),
    ):
        test = report.pytest_test(spec, failure, impl, None, binding=binding)
        if said is None:
            assert "binding=" not in test
            assert test == report.pytest_test(spec, failure, impl, None)
        else:
            assert f"klass=None, binding={said})" in test


def test_failure_text_speaks_the_binding() -> None:
    spec = load_spec("v1")
    failure = _one_failure(Case((), (Step("describe", {"attributes": {"emails": ["a@b.co"]}}),)))
    result = GuaranteeResult("reflects-input", "failed", 1, 0.1, failure)
    core = load_binding("core", spec)
    text = report.failure_text(
        spec, result, impl="x.mjs", klass=None, replay="kustomer-contract check", binding=core
    )
    assert "a page with KustomerCore):" in text
    assert "call('start', 'KustomerCore.init', [{}])" in text
    assert "binding='core'" in text
    web = report.failure_text(spec, result, impl="x.mjs", klass=None, replay="r")
    assert "a page with Kustomer):" in web and "call('start', 'start', [{}])" in web
    assert web == report.failure_text(
        spec, result, impl="x.mjs", klass=None, replay="r", binding=load_binding("web", spec)
    )

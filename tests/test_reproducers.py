"""Every reproducer a failure prints is run, and must reproduce that failure.

For each broken implementation of the galleries (tests/gallery/*.py, tests/js_gallery/*.mjs
marked ``breaks:``) one check runs, with a fixed seed and few cases; then its report's
- replay command runs as a subprocess: it must exit 1 and fail the same guarantee;
- pytest regression test runs with pytest: it must fail, naming the guarantee;
- Python snippet (Python) or Node script (JavaScript) runs: it prints one JSON line per call,
  and "it shows the failure" means: those lines differ from the lines the same snippet prints
  against a correct implementation, customer ids and error messages masked. So that this
  cannot pass by accident, the two correct implementations' lines must agree with each other.
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
from kustomer_contract.spec.loader import load_spec
from tests.js_gallery import timeout_of

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "tests" / "gallery"
JS_GALLERY = ROOT / "tests" / "js_gallery"
SEED = 20240501
MAX_EXAMPLES = 15
# Cases tried to shrink each failure; the reports name it, so the replays carry it. What is
# tested here is that each printed reproducer reproduces; how small a shrunk failure gets is
# test_minimal_case_has_one_step_and_short_emails' business. Shrinking is most of each check,
# and each check runs twice (the check, its replay).
SHRINK_BUDGET = 30
# A module whose failure is waiting (a lost or slow callback) spends a timeout on every call
# of every case tried: its checks shrink for fewer cases (its check and its replay both do).
TIMED_SHRINK_BUDGET = 8
REFERENCE = "kustomer_contract.reference:make"
STANDALONE = "tests.gallery.conformant_standalone:make"
JS_REFERENCE = str(ROOT / "kustomer_contract" / "reference" / "kustomer-double.mjs")


def _python_gallery() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(GALLERY.glob("*.py")):
        text = path.read_text()
        found = re.search(r'^GUARANTEE = "([\w-]+)"', text, re.M)
        if found and path.stem != "conformant_standalone":
            klass = re.search(r'^KLASS = "([^"]+)"', text, re.M)
            timeout = re.search(r'^EXTRA_ARGS = \["--timeout", "([\d.]+)"\]', text, re.M)
            examples = re.search(r"^EXAMPLES = (\d+)", text, re.M)
            out[path.stem] = {
                "impl": f"tests.gallery.{path.stem}:make",
                "guarantee": found.group(1),
                "klass": str(GALLERY / klass.group(1)) if klass else None,
                "timeout": float(timeout.group(1)) if timeout else 2.0,
                "max_examples": int(examples.group(1)) if examples else MAX_EXAMPLES,
            }
    return out


def _js_gallery() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(JS_GALLERY.glob("*.mjs")):
        found = re.match(r"// breaks: ([\w-]+)", path.read_text())
        if found:
            out[f"js-{path.stem}"] = {
                "node": str(path),
                "guarantee": found.group(1),
                "klass": None,
                # every lost callback costs one timeout, in the check and in its replay
                "timeout": timeout_of(path.stem, 0.5 if "never" in path.stem else 2.0),
            }
    return out


PYTHON = _python_gallery()
JS = _js_gallery()


def by_module(names: list[str]) -> list[Any]:
    """Parameters that keep every test of one gallery module on one xdist worker (addopts
    has --dist loadgroup): its check, run once per worker, is then run once in all."""
    return [pytest.param(n, marks=pytest.mark.xdist_group(f"gallery-{n}")) for n in names]


def _budget(entry: dict[str, Any]) -> int:
    return TIMED_SHRINK_BUDGET if entry.get("timeout", 2.0) < 2.0 else SHRINK_BUDGET


def _settings(entry: dict[str, Any], **more: Any) -> Settings:
    chosen: dict[str, Any] = {
        "impl": entry.get("impl"),
        "node": entry.get("node"),
        "klass": entry["klass"],
        "timeout": entry.get("timeout", 2.0),
        "max_examples": entry.get("max_examples", MAX_EXAMPLES),
        "seed": SEED,
        "only": [entry["guarantee"]],
        "shrink_budget": _budget(entry),
    }
    return Settings(**{**chosen, **more})


def _run_check(entry: dict[str, Any]) -> dict[str, Any]:
    """One check of one module: its JSON report, the failure and the session."""
    session = Session(_settings(entry))
    try:
        result = session.check(entry["guarantee"])
    finally:
        if hasattr(session.driver, "shutdown"):
            session.driver.shutdown()
    document = report.to_json(
        session.spec, [result], impl=session.impl, klass=entry["klass"], seed=SEED,
        timeout=session.settings.timeout, replay=report.replayer(session),
    )  # fmt: skip
    return {"result": result, "report": document, "spec": session.spec}


@pytest.fixture(scope="module")
def checks() -> dict[str, dict[str, Any]]:
    """Each gallery module checked once (lazily), shared by every test of this module."""

    class Lazy(dict):
        def __missing__(self, name: str) -> dict[str, Any]:
            entry = PYTHON.get(name) or JS[name]
            self[name] = _run_check(entry)
            return self[name]

    return Lazy()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}


def _failure(checks: dict[str, Any], name: str) -> dict[str, Any]:
    entry = checks[name]["report"]["results"][0]
    assert entry["status"] == "failed", entry
    return entry["failure"]


# --- masking what a correct implementation may choose freely -----------------------------


def _masked(output: str) -> list[Any]:
    """The snippet's JSON lines, customer ids numbered by first sight, error texts dropped."""
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

    def number(digits: str) -> Any:  # past Python's int->str limit: kept as its digits
        return digits if len(digits) > 4000 else int(digits)

    records = [
        json.loads(line, parse_int=number) for line in output.splitlines() if line.startswith("{")
    ]
    for r in records:
        if "raised" in r:
            r["raised"] = "..."
    return [mask(r) for r in records]


def _run_python(snippet: str, tmp_path: Path, name: str) -> list[Any]:
    path = tmp_path / f"{name}.py"
    path.write_text(snippet)
    done = subprocess.run(
        [sys.executable, str(path)], cwd=ROOT, env=_env(), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return _masked(done.stdout)


def _run_node(script: str, tmp_path: Path, name: str) -> list[Any]:
    path = tmp_path / f"{name}.mjs"
    path.write_text(script)
    done = subprocess.run(
        ["node", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return _masked(done.stdout)


def _case(failure: dict[str, Any]) -> Case:
    return Case.from_json(failure["case"])


# --- the replay command ------------------------------------------------------------------


@pytest.mark.parametrize("name", by_module([*PYTHON, *JS]))
def test_replay_command_fails_the_same_guarantee(
    name: str, checks: dict[str, Any], tmp_path: Path
) -> None:
    failure = _failure(checks, name)
    guarantee = failure["guarantee"]
    argv = shlex.split(failure["replay"])
    assert argv[:2] == ["kustomer-contract", "check"]
    assert f"--shrink-budget {_budget(PYTHON.get(name) or JS[name])}" in failure["replay"]
    done = subprocess.run(
        [sys.executable, "-m", "kustomer_contract.cli", *argv[1:], "--json"],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]
    [again] = json.loads(done.stdout)["results"]
    assert again["status"] == "failed" and again["failure"]["guarantee"] == guarantee


# --- the pytest regression test ----------------------------------------------------------


@pytest.mark.parametrize("name", by_module([*PYTHON, *JS]))
def test_the_pasted_regression_test_fails_with_its_guarantee(
    name: str, checks: dict[str, Any], tmp_path: Path
) -> None:
    """The printed pytest test, pasted into a file and run with pytest, fails naming its
    guarantee."""
    path = tmp_path / f"test_{name.replace('-', '_')}.py"
    path.write_text(_failure(checks, name)["pytest"] + "\n")
    junit = tmp_path / "junit.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         "-n", "0", f"--junitxml={junit}", str(path)],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    import xml.etree.ElementTree as ET

    [case] = ET.parse(junit).iter("testcase")
    failed = case.find("failure")
    assert failed is not None, f"the pasted regression test of {name} passed"
    guarantee = _failure(checks, name)["guarantee"]
    assert guarantee in (failed.get("message", "") + (failed.text or "")), name


@pytest.mark.xdist_group("gallery-normalises_emails_in_place")
def test_regression_test_of_input_untouched_holds_the_options_as_passed(
    checks: dict[str, Any],
) -> None:
    """Once the case was recorded after the implementation changed it: the test passed."""
    failure = _failure(checks, "normalises_emails_in_place")
    options = failure["case"]["steps"][failure["step"]]["options"]
    group = options if isinstance(options, list) else [options]  # an overlap step holds several
    emails = [e for o in group for e in o.get("attributes", {}).get("emails", [])]
    assert any(e != e.lower() for e in emails), emails


# --- the Python snippet ------------------------------------------------------------------


def _python_snippet(checks: dict[str, Any], name: str, impl: str) -> str:
    """The snippet the report printed, or the same case's snippet for another implementation."""
    failure = checks[name]["result"].failure
    klass = PYTHON[name]["klass"]
    return report.python(
        checks[name]["spec"], failure.case, impl, klass=klass, violation=failure.violation,
        timeout=PYTHON[name]["timeout"],
    )  # fmt: skip


@pytest.mark.parametrize("name", by_module(list(PYTHON)))
def test_python_snippet_shows_the_failure(
    name: str, checks: dict[str, Any], tmp_path: Path
) -> None:
    printed = _failure(checks, name)["python"]
    assert printed == _python_snippet(checks, name, PYTHON[name]["impl"])
    correct = _run_python(_python_snippet(checks, name, REFERENCE), tmp_path, "reference")
    case = checks[name]["result"].failure.case
    # A racing case may not show in one run (the failure text says so): a few, as replay_case.
    for _ in range(RACE_ATTEMPTS if case.races else 1):
        broken = _run_python(printed, tmp_path, "broken")
        if broken != correct:
            break
    # The standalone lacks describeConversation; where a racing call lands is free.
    if not case.races and not any(step.method for step in case.steps):
        other = _run_python(_python_snippet(checks, name, STANDALONE), tmp_path, "standalone")
        assert correct == other, "the masking lets two correct implementations differ"
    assert broken != correct, f"{name}: the snippet prints what a correct implementation does"


@pytest.mark.xdist_group("gallery-ignores_klass")
def test_python_snippet_builds_the_object_with_the_klass(checks: dict[str, Any]) -> None:
    [name] = [n for n, e in PYTHON.items() if e["klass"] and n == "ignores_klass"]
    snippet = _failure(checks, name)["python"]
    assert "kustomer = make(klass=[" in snippet


# --- the JavaScript, run with Node -------------------------------------------------------


def _node_script(checks: dict[str, Any], name: str, module: str) -> str:
    failure: Failure = checks[name]["result"].failure
    return report.node_script(
        checks[name]["spec"], failure.case, module, None, violation=failure.violation
    )


@pytest.mark.parametrize("name", by_module(list(JS)))
def test_javascript_shows_the_failure_in_node(
    name: str, checks: dict[str, Any], tmp_path: Path
) -> None:
    failure = _failure(checks, name)
    printed = failure["node"]
    assert printed.endswith(failure["javascript"])  # the console form, with a loader on top
    correct = _run_node(_node_script(checks, name, JS_REFERENCE), tmp_path, "reference")
    for _ in range(RACE_ATTEMPTS if checks[name]["result"].failure.case.races else 1):
        broken = _run_node(printed, tmp_path, "broken")
        if broken != correct:
            break
    assert broken != correct, f"{name}: the script prints what a correct implementation does"


# --- deterministic shrinking -------------------------------------------------------------


def _without_timings(document: dict[str, Any]) -> dict[str, Any]:
    for r in document["results"]:
        r.pop("seconds", None)
    return document


@pytest.mark.parametrize("name", by_module(["drops_second_email", "normalises_emails_in_place"]))
def test_same_seed_same_report(name: str, checks: dict[str, Any]) -> None:
    first = _without_timings(checks[name]["report"])
    second = _without_timings(_run_check(PYTHON[name])["report"])
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_minimal_case_has_one_step_and_short_emails() -> None:
    """With the default budget the failure shrinks all the way: steps, then values."""
    session = Session(_settings(PYTHON["drops_second_email"], shrink_budget=500))
    result = session.check("reflects-input")
    failure = report.to_json(session.spec, [result], impl=session.impl, klass=None, seed=SEED)[
        "results"
    ][0]["failure"]
    assert len(failure["case"]["steps"]) == 1, failure["case"]
    emails = failure["case"]["steps"][0]["options"]["attributes"]["emails"]
    assert len(emails) == 2 and all(len(e) < 40 for e in emails), emails
    assert not failure["shrink_stopped"]


def test_a_spent_shrink_budget_is_said_and_named() -> None:
    entry = PYTHON["drops_second_email"]
    session = Session(_settings(entry, shrink_budget=1))
    result = session.check(entry["guarantee"])
    assert result.failure is not None and result.failure.shrink_stopped
    text = report.failure_text(
        session.spec, result, impl=session.impl, klass=None,
        replay=report.replayer(session)(entry["guarantee"]),
    )  # fmt: skip
    assert "shrinking stopped after 1 cases" in text and "--shrink-budget" in text
    assert "--shrink-budget 1 " in text  # the replay reruns with the same budget


# --- the replay line ---------------------------------------------------------------------


def test_replay_line_carries_every_option_quoted() -> None:
    settings = Settings(
        impl="my pkg.fake:make", spec="specs/klass--v2.yaml", klass="my klass.yaml",
        max_examples=7, timeout=0.5, shrink_budget=9,
    )  # fmt: skip
    cli = report.replay_line(settings, 3, "input-untouched")
    assert shlex.split(cli) == [
        "kustomer-contract", "check", "--impl", "my pkg.fake:make",
        "--spec", "specs/klass--v2.yaml", "--klass", "my klass.yaml", "--max-examples", "7",
        "--timeout", "0.5", "--shrink-budget", "9", "--seed", "3", "--only", "input-untouched",
    ]  # fmt: skip
    plugin = report.replay_line(settings, 3, "input-untouched", "pytest")
    assert shlex.split(plugin) == [
        "pytest", "--kustomer-impl", "my pkg.fake:make",
        "--kustomer-spec", "specs/klass--v2.yaml", "--kustomer-klass", "my klass.yaml",
        "--kustomer-max-examples", "7", "--kustomer-timeout", "0.5",
        "--kustomer-shrink-budget", "9", "--kustomer-seed", "3", "-k", "input-untouched",
    ]  # fmt: skip
    node = report.replay_line(Settings(node="a.mjs", impl="x:y"), 1, "callback-once")
    assert "--node a.mjs" in node and "--impl" not in node


def test_replay_line_carries_a_grace_when_settings_have_one() -> None:
    assert "--grace 0.25" in report.replay_line(Settings(grace=0.25), 1, "callback-once")


def test_a_racing_failure_says_a_run_may_not_show_it() -> None:
    spec = load_spec("v1")
    racing = Case((), (Step("overlap", [{}, {}]),))
    calm = Case((), (Step("describe", {}),))
    for case, said in ((racing, True), (calm, False)):
        failure = Failure(
            "no-lost-update", Violation("no-lost-update", 0, "x", "y", "z"), case, [], 1
        )
        result = GuaranteeResult("no-lost-update", "failed", 1, 0.1, failure)
        text = report.failure_text(spec, result, impl="kustomer_contract.reference:make",
                                   klass=None, replay="kustomer-contract check")  # fmt: skip
        assert ("races:" in text) is said and (report.RACES_NOTE in text) is said

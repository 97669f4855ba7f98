"""The checker against the gallery of deliberately broken implementations (tests/gallery/).

Every gallery module breaks one guarantee, named by its ``GUARANTEE`` constant; running
``kustomer-contract check --only <that guarantee>`` on it must exit 1, name the guarantee and
hand over the three reproducers (JavaScript, Python, a pytest regression test). Correct
implementations (the bundled reference and an independent standalone one) must pass all.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from kustomer_contract.cli.main import main
from kustomer_contract.engine import session as session_module

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "tests" / "gallery"
SEED = 20240501
CONFORMANT_SEEDS = (1, 2, 4)
SHRINK_SECONDS = 2.0
GUARANTEES = (
    "accepts-valid", "response-conforms", "callback-once", "error-is-exception", "reflects-input",
    "keeps-earlier-data", "stable-identity", "rejects-invalid", "rejects-unknown-custom",
    "not-before-start", "input-untouched", "callback-optional", "no-lost-update",
)  # fmt: skip

# Gallery modules the checker does not (yet) catch: module -> why. strict, so a fix shows up.


def _constants(path: Path) -> dict[str, Any]:
    """The module's literal top-level constants, read without importing it."""
    out: dict[str, Any] = {"docstring": ast.get_docstring(ast.parse(path.read_text()))}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id.isupper():
                try:
                    out[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    return out


MODULES = {
    p.stem: _constants(p)
    for p in sorted(GALLERY.glob("*.py"))
    if not p.stem.startswith("_") and p.stem != "conformant_standalone"
}


def _extra_args(meta: dict[str, Any]) -> list[str]:
    extra = list(meta.get("EXTRA_ARGS", []))
    if meta.get("KLASS"):
        extra += ["--klass", str(GALLERY / meta["KLASS"])]
    return extra


def _check(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, dict[str, Any]]:
    """``kustomer-contract check ARGS --json`` in-process: (exit code, parsed JSON)."""
    monkeypatch.chdir(ROOT)  # --impl tests.gallery.x:make is imported from the cwd
    _limit_shrinking(monkeypatch)
    capsys.readouterr()
    code = main(["check", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def _limit_shrinking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shrink a failure for SHRINK_SECONDS instead of the runner's default (10 s): the suite
    checks that a failure is found and reported, not how small it gets."""
    original = session_module.check_guarantee
    if "shrink_seconds" not in inspect.signature(original).parameters:
        return

    def check_guarantee(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("shrink_seconds", SHRINK_SECONDS)
        return original(*args, **kwargs)

    monkeypatch.setattr(session_module, "check_guarantee", check_guarantee)


def _broken_params() -> list[str]:
    return list(MODULES)


CONFORMANT_RUNS = [
    (impl, seed)
    for impl in ("tests.gallery.conformant_standalone:make", "kustomer_contract.reference:make")
    for seed in CONFORMANT_SEEDS
]


def _conformant_params() -> list[Any]:
    return [
        pytest.param(impl, seed, id=f"{impl.split(':')[0].split('.')[-1]}-seed{seed}")
        for impl, seed in CONFORMANT_RUNS
    ]


@pytest.fixture(scope="module", autouse=True)
def conformant_runs(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The full-contract runs of correct implementations take ~20 s each and mostly wait on
    callbacks; one after another, they run as CLI subprocesses in a background thread while
    the rest of the module runs in-process (one extra process: this machine has 2 cores)."""
    out = tmp_path_factory.mktemp("conformant")
    runs = {key: {"done": threading.Event(), "log": out / f"run{n}.json", "code": None}
            for n, key in enumerate(CONFORMANT_RUNS)}  # fmt: skip
    stop = threading.Event()

    def work() -> None:
        for (impl, seed), run in runs.items():
            if not stop.is_set():
                with run["log"].open("w") as sink:
                    run["code"] = subprocess.run(
                        [sys.executable, "-m", "kustomer_contract.cli", "check", "--impl", impl,
                         "--max-examples", "30", "--seed", str(seed), "--json"],
                        cwd=ROOT, stdout=sink, stderr=subprocess.DEVNULL, timeout=600,
                    ).returncode  # fmt: skip
            run["done"].set()

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    yield runs
    stop.set()
    worker.join(timeout=600)


# --- the gallery itself ------------------------------------------------------------------


def test_gallery_covers_every_guarantee() -> None:
    assert len(MODULES) >= 18
    broken = {meta.get("GUARANTEE") for meta in MODULES.values()}
    assert broken <= set(GUARANTEES), broken - set(GUARANTEES)
    assert broken == set(GUARANTEES), f"no gallery module breaks {set(GUARANTEES) - broken}"


@pytest.mark.parametrize("module", list(MODULES))
def test_gallery_module_documents_its_breakage(module: str) -> None:
    meta = MODULES[module]
    assert meta["docstring"] and meta["docstring"].startswith(f"Breaks {meta['GUARANTEE']}"), (
        "the docstring must open with 'Breaks <guarantee>: how'"
    )
    source = (GALLERY / f"{module}.py").read_text()
    assert "def make(" in source


def test_at_least_five_standalone_modules() -> None:
    standalone = [
        name for name in MODULES
        if "kustomer_contract" not in (text := (GALLERY / f"{name}.py").read_text())
        and "from ." not in text
    ]  # fmt: skip
    assert len(standalone) >= 5, standalone
    assert "kustomer_contract" not in (GALLERY / "conformant_standalone.py").read_text()


# --- each broken implementation is caught ------------------------------------------------


@pytest.mark.parametrize("module", _broken_params())
def test_broken_implementation_is_caught(
    module: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    meta = MODULES[module]
    guarantee = meta["GUARANTEE"]
    impl = f"tests.gallery.{module}:make"
    args = ["--impl", impl, "--only", guarantee, "--max-examples", "100", "--seed", str(SEED)]
    code, report = _check(args + _extra_args(meta), capsys, monkeypatch)

    [result] = report["results"]
    assert result["guarantee"] == guarantee
    assert result["status"] == "failed", result
    assert code == 1
    assert report["passed"] is False
    failure = result["failure"]
    assert failure["guarantee"] == guarantee
    assert failure["expected"] and failure["observed"]

    js = failure["javascript"]
    assert "Kustomer" in js and "describeCustomer" in js
    assert "start" in js

    python = failure["python"]
    assert f"from tests.gallery.{module} import make" in python
    assert "describeCustomer" in python
    compile(python, f"<python reproducer of {module}>", "exec")

    regression = failure["pytest"]
    assert "def test_" in regression and repr(impl) in regression and repr(guarantee) in regression
    compile(regression, f"<pytest reproducer of {module}>", "exec")


# --- correct implementations are left alone ----------------------------------------------


@pytest.mark.parametrize(("impl", "seed"), _conformant_params())
def test_conformant_implementation_passes_everything(
    impl: str, seed: int, conformant_runs: dict[tuple[str, int], Any]
) -> None:
    run = conformant_runs[impl, seed]
    assert run["done"].wait(timeout=900)
    code, report = run["code"], json.loads(run["log"].read_text())
    bad = {r["guarantee"]: r.get("failure") or r.get("blocked_by") or r.get("error")
           for r in report["results"] if r["status"] != "passed"}  # fmt: skip
    assert not bad, f"false alarm on a correct implementation: {json.dumps(bad, indent=1)[:3000]}"
    assert code == 0
    assert [r["guarantee"] for r in report["results"]] == list(GUARANTEES)


@pytest.mark.parametrize(
    "impl", ["tests.gallery.conformant_standalone:make", "kustomer_contract.reference:make"]
)
def test_overlapping_calls_may_overwrite_each_other(
    impl: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a false alarm: a value another call of an overlap group overwrote is not 'lost'."""
    from kustomer_contract.engine.search import replay_case

    monkeypatch.chdir(ROOT)
    case = {"tokens": [], "steps": [
        {"action": "describe", "options": {"customAttributes": {"vipBool": False}}},
        {"action": "overlap", "options": [{"customAttributes": {"vipBool": True}}, {}]},
        {"action": "describe", "options": {}},
    ]}  # fmt: skip
    result = replay_case(impl, case, attempts=10)  # the order the two calls land in varies
    assert not result.violations, result.explain()


def test_conformant_standalone_honours_a_klass(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["--impl", "tests.gallery.conformant_standalone:make", "--klass",
            str(GALLERY / "klass.yaml"), "--max-examples", "30", "--seed", "4",
            "--only", "accepts-valid", "--only", "rejects-unknown-custom", "--only", "reflects-input"]  # fmt: skip
    code, report = _check(args, capsys, monkeypatch)
    assert code == 0, report


# --- the printed regression test really fails --------------------------------------------


def test_printed_regression_test_fails_against_the_broken_implementation(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, pytester: pytest.Pytester
) -> None:
    module, guarantee = "drops_second_email", "reflects-input"
    impl = f"tests.gallery.{module}:make"
    args = ["--impl", impl, "--only", guarantee, "--max-examples", "100", "--seed", str(SEED)]
    code, report = _check(args, capsys, monkeypatch)
    assert code == 1
    regression = report["results"][0]["failure"]["pytest"]

    # The regression test imports tests.gallery from the repository root, wherever it runs.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), *sys.path]))
    pytester.makepyfile(test_regression=regression)
    pytester.chdir()
    broken = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    broken.assert_outcomes(failed=1)
    broken.stdout.fnmatch_lines([f"*{guarantee}*"])

    # The same test passes once it points at a correct implementation: it fails for the bug.
    fixed = regression.replace(repr(impl), repr("tests.gallery.conformant_standalone:make"))
    pytester.makepyfile(test_regression=fixed)
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q").assert_outcomes(passed=1)

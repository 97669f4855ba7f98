"""Bindings on the Python side: async implementations found and awaited, surfaces that cannot
read the customer back reported as such (never passed, never failed), binding files linted.

The promise surface must give the same verdicts as the web one: the async gallery
(tests/gallery_async/) wraps broken web implementations behind ``async def`` methods, and
each must still be caught by its guarantee; the async and chat-shaped doubles must pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kustomer_contract.cli.main import main
from kustomer_contract.spec.bindings import BUILTIN_BINDINGS, load_binding
from kustomer_contract.spec.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
ASYNC_GALLERY = sorted(p.stem for p in (ROOT / "tests" / "gallery_async").glob("[!_]*.py"))
CHAT_BINDING = str(ROOT / "tests" / "data" / "bindings" / "chat_python.yaml")
NEEDS_READ_BACK = {
    "reflects-input", "keeps-earlier-data", "stable-identity", "callback-optional",
    "no-lost-update",
}  # fmt: skip


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", *args])
    return code, capsys.readouterr().out


def _json_check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code, out = _check(capsys, *args, "--json")
    return code, json.loads(out)


def test_an_async_implementation_is_found_awaited_and_passes(capsys) -> None:
    code, out = _check(
        capsys, "--impl", "tests.doubles.async_conformant:make", "--max-examples", "10",
        "--seed", "5",
    )  # fmt: skip
    assert code == 0, out
    assert "binding: promise (found: promise-returning methods)" in out
    assert "13/13 passed" in out


@pytest.mark.parametrize("module", ASYNC_GALLERY)
def test_an_async_broken_implementation_is_caught_with_its_guarantee(capsys, module) -> None:
    import importlib

    guarantee = importlib.import_module(f"tests.gallery_async.{module}").GUARANTEE
    code, doc = _json_check(
        capsys, "--impl", f"tests.gallery_async.{module}:make", "--only", guarantee,
        "--max-examples", "30", "--seed", "3", "--timeout", "0.3", "--shrink-budget", "5",
    )  # fmt: skip
    assert code == 1
    (result,) = doc["results"]
    assert result["status"] == "failed", result
    assert doc["binding"] == "promise"


def test_a_web_implementation_with_one_async_method_stays_on_web(capsys) -> None:
    """Only describeCustomer is async: no bundled binding fits, so the web verdict stands."""
    code, out = _check(
        capsys, "--impl", "tests.gallery.async_describe:make", "--only", "accepts-valid",
        "--max-examples", "5", "--seed", "1", "--timeout", "0.3",
    )  # fmt: skip
    assert code == 1
    assert "binding:" not in out
    assert "returned a coroutine" in out


def test_a_surface_without_read_back_lists_what_it_cannot_judge(capsys) -> None:
    code, doc = _json_check(
        capsys, "--impl", "tests.doubles.chat_python:make", "--binding", CHAT_BINDING,
        "--max-examples", "15", "--seed", "2",
    )  # fmt: skip
    assert code == 0, doc
    by = {r["guarantee"]: r for r in doc["results"]}
    unjudged = {g for g, r in by.items() if r["status"] == "not-checkable"}
    assert unjudged == NEEDS_READ_BACK
    assert all("no way to read the customer back" in by[g]["reason"] for g in unjudged)
    assert all(r["status"] == "passed" for g, r in by.items() if g not in unjudged)
    assert by["rejects-invalid"]["cases"] > 0  # judged: false is the surface's refusal
    assert doc["passed"] is True


def test_the_table_says_not_checkable_and_why(capsys) -> None:
    code, out = _check(
        capsys, "--impl", "tests.doubles.chat_python:make", "--binding", CHAT_BINDING,
        "--only", "reflects-input", "--only", "accepts-valid", "--max-examples", "5",
    )  # fmt: skip
    assert code == 0
    assert "reflects-input  n/a" in out
    assert "not checkable through this surface" in out
    assert "1/2 passed, 1 not checkable through this surface" in out


def test_a_boolean_surface_that_answers_otherwise_breaks_response_conforms(capsys) -> None:
    code, doc = _json_check(
        capsys, "--impl", "tests.doubles.chat_python:make_lying", "--binding", CHAT_BINDING,
        "--only", "response-conforms", "--max-examples", "10", "--seed", "1",
    )  # fmt: skip
    assert code == 1
    failure = doc["results"][0]["failure"]
    assert "to succeed with true" in failure["expected"]
    assert failure["call"].startswith("customer.describeCustomer(")


def test_an_unknown_binding_is_a_usage_error(capsys) -> None:
    code = main(["check", "--binding", "nosuch", "--max-examples", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "no such binding: give web, core, promise" in err


def test_the_plugin_skips_what_the_surface_cannot_judge(pytester, monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    result = pytester.runpytest(
        "--kustomer-impl", "tests.doubles.chat_python:make", "--kustomer-binding", CHAT_BINDING,
        "--kustomer-max-examples", "5", "-rs", "-k", "reflects or accepts",
    )  # fmt: skip
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            f"*kustomer-contract: impl tests.doubles.chat_python:make*binding {CHAT_BINDING}*",
            "*not checkable through this surface: the chat-python binding*",
        ]
    )


@pytest.mark.parametrize("name", BUILTIN_BINDINGS)
def test_the_bundled_bindings_lint_clean(name, capsys) -> None:
    path = load_binding(name).path
    assert main(["spec", "lint", str(path)]) == 0, capsys.readouterr()


def test_lint_points_at_each_binding_problem_by_line(tmp_path, capsys) -> None:
    bad = tmp_path / "mine.yaml"
    bad.write_text(
        "binding: mine\nobject: Kustomer\nread: describe\ncalls:\n"
        '  describe: {success: "true"}\n  logn: {method: logIn}\n'
    )
    assert main(["spec", "lint", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:3: /read: read: describe needs describeCustomer to succeed" in out
    assert f"{bad}:6: /calls/logn: is neither a role nor a method of the spec" in out


def test_unquoted_true_is_the_word_true(tmp_path) -> None:
    path = tmp_path / "bool.yaml"
    path.write_text("binding: bool\nread: none\ncalls:\n  describe: {success: true}\n")
    spec = load_spec()
    assert load_binding(path, spec).surface(spec, spec.target).success == "true"

"""check --format text|json|junit|github, and check --report FILE (one HTML page per run).

A passing run (the bundled reference) and a failing one (a gallery module) through each
format; the HTML report loaded in real Chromium with every request but its own refused."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kustomer_contract.cli.main import main
from kustomer_contract.engine.checks import Violation
from kustomer_contract.engine.results import GuaranteeResult
from kustomer_contract.report import formats
from kustomer_contract.report.formats import FORMATS, CheckRun, open_report
from kustomer_contract.report.formats.github import command
from kustomer_contract.report.html import html_report, violation_pointer
from kustomer_contract.report.reproducers import failure_text, replayer, table, to_json

PASSING = ["--max-examples", "3", "--seed", "1", "--only", "accepts-valid", "--only", "reflects-input"]  # fmt: skip
BROKEN = "tests.gallery.drops_second_email:make"
FAILING = ["--impl", BROKEN, "--only", "reflects-input", "--max-examples", "30", "--seed", "20240501"]  # fmt: skip


def check(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def without_seconds(document: dict) -> dict:
    for r in document["results"]:
        r.pop("seconds")
    return document


def render(name: str, run: CheckRun) -> str:
    out = io.StringIO()
    report = open_report(name, out)
    report.start(run)
    report.finish(run)
    return out.getvalue()


def old_text(run: CheckRun) -> str:
    """The text report as check printed it before --format (the code it had, inlined)."""
    s, settings, results = run.session, run.session.settings, run.results
    lines = [
        f"kustomer-contract check: {s.impl} against spec {s.spec.name} "
        f"({len(s.guarantees)} guarantees, {settings.max_examples} cases each, seed {s.seed})"
    ]
    if s.driver.shape:
        lines.append(f"  found the implementation as: {s.driver.shape}")
    if s.skipped:
        lines.append(f"  not checked: {', '.join(s.skipped)} (optional; the implementation lacks it)")  # fmt: skip
    lines.append(table(results))
    for r in results:
        if r.failure:
            lines += ["", failure_text(s.spec, r, impl=s.impl, klass=settings.klass,
                                       replay=replayer(s)(r.guarantee), timeout=settings.timeout,
                                       grace=settings.grace, binding=s.binding)]  # fmt: skip
    failed = [r for r in results if not r.kept]
    verdict = "the contract holds" if not failed else f"{len(failed)} guarantee(s) not kept"
    passed = len(results) - len(failed)
    cases = sum(r.cases for r in results)
    lines.append(
        f"\n{verdict}: {passed}/{len(results)} passed, {cases} cases in "
        f"{run.seconds:.1f} s (seed {s.seed})"
    )
    return "\n".join(lines) + "\n"


class _Caught:
    """Wraps open_report so that a CLI run hands its finished CheckRun to the test."""

    def __init__(self, monkeypatch) -> None:
        self.runs: list[CheckRun] = []
        real = formats.open_report

        def spying(name, out):
            report = real(name, out)
            finish = report.finish

            def caught(run):
                self.runs.append(run)
                finish(run)

            report.finish = caught  # type: ignore[method-assign]
            return report

        monkeypatch.setattr(formats, "open_report", spying)


@pytest.fixture(scope="module")
def failing(tmp_path_factory):
    """One failing CLI run with --format junit --report: its stdout, its HTML file and the
    CheckRun it reported (the other formats render that same run)."""
    folder = tmp_path_factory.mktemp("failing")
    report = folder / "report.html"
    with pytest.MonkeyPatch.context() as monkeypatch:
        caught = _Caught(monkeypatch)
        out = io.StringIO()
        monkeypatch.setattr("sys.stdout", out)
        code = main(["check", *FAILING, "--format", "junit", "--report", str(report)])
    assert code == 1
    (run,) = caught.runs
    return {"code": code, "junit": out.getvalue(), "html": report, "run": run}


@pytest.fixture(scope="module")
def passing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("passing")
    report = folder / "report.html"
    with pytest.MonkeyPatch.context() as monkeypatch:
        caught = _Caught(monkeypatch)
        out = io.StringIO()
        monkeypatch.setattr("sys.stdout", out)
        code = main(["check", *PASSING, "--report", str(report)])
    assert code == 0
    (run,) = caught.runs
    return {"text": out.getvalue(), "html": report, "run": run}


def test_the_formats_are_registered_in_order():
    assert FORMATS == ("text", "json", "junit", "github")


# --- text: today's output, exactly ------------------------------------------------------------


def test_text_is_the_report_check_always_printed(passing, failing):
    assert passing["text"] == old_text(passing["run"])
    assert render("text", failing["run"]) == old_text(failing["run"])


def test_format_text_is_the_default(capsys):
    code, default, _ = check(capsys, *PASSING)
    code_text, text, _ = check(capsys, *PASSING, "--format", "text")
    assert code == code_text == 0

    def timeless(out: str) -> str:
        return re.sub(r"\d+\.\d+( s)?", "T", out)

    assert timeless(default) == timeless(text)
    assert "the contract holds: 2/2 passed" in text


# --- json: the --json document ----------------------------------------------------------------


def test_format_json_is_the_json_flag(capsys):
    code, flag, _ = check(capsys, *PASSING, "--json")
    code_format, chosen, _ = check(capsys, *PASSING, "--format", "json")
    assert code == code_format == 0
    assert without_seconds(json.loads(flag)) == without_seconds(json.loads(chosen))
    assert json.loads(chosen)["passed"] is True


def test_json_of_a_failing_run_is_to_json(failing):
    run = failing["run"]
    s = run.session
    expected = to_json(s.spec, run.results, impl=s.impl, klass=None, seed=s.seed,
                       timeout=s.settings.timeout, grace=s.settings.grace,
                       replay=replayer(s), binding=s.binding)  # fmt: skip
    document = json.loads(render("json", run))
    assert document == json.loads(json.dumps(expected))
    assert document["passed"] is False and document["results"][0]["status"] == "failed"


def test_json_and_another_format_together_is_a_usage_error(capsys):
    code, out, err = check(capsys, *PASSING, "--json", "--format", "junit")
    assert code == 2 and out == ""
    assert err.strip() == "kustomer-contract: error: give --json or --format junit, not both"


# --- junit --------------------------------------------------------------------------------------


def test_junit_of_a_failing_run(failing):
    root = ET.fromstring(failing["junit"])
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "1", "0")
    cases = root.findall("./testsuite/testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("kustomer-contract.v1", "reflects-input")
    ]
    assert float(cases[0].get("time")) > 0
    (failure,) = cases[0].findall("failure")
    v = failing["run"].results[0].failure.violation
    assert failure.get("message") == f"expected {v.expected}; observed {v.observed}"
    assert failure.text == failing["run"].failure_text(failing["run"].results[0])
    assert "as a pytest regression test:" in failure.text  # the reproducers, whole
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert properties["impl"] == BROKEN and properties["seed"] == "20240501"


def test_junit_of_a_passing_run(capsys):
    code, out, _ = check(capsys, *PASSING, "--format", "junit")
    assert code == 0
    root = ET.fromstring(out)
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == ["accepts-valid", "reflects-input"]
    assert not root.findall(".//failure") and not root.findall(".//skipped")
    assert root.get("failures") == "0" and root.get("tests") == "2"


def _mixed(run: CheckRun) -> CheckRun:
    """The failing run's verdicts, plus one of every other status, and a failure whose
    observed text holds what XML 1.0 cannot (an implementation can answer anything)."""
    real = run.results[0]
    assert real.failure is not None
    hostile = dataclasses.replace(
        real.failure,
        violation=Violation(
            "reflects-input",
            0,
            "describeCustomer({})",
            "a\x00b",
            "got \x1b[31m\ud800 100% \r\n::error::injected",
        ),  # fmt: skip
    )
    return dataclasses.replace(
        run,
        results=[
            real,
            GuaranteeResult(
                "callback-once", "blocked", 4, 0.5, blocked_by="start never called back"
            ),  # fmt: skip
            GuaranteeResult("keeps-earlier-data", "not-checkable", 0, 0.0, reason="no read-back"),
            GuaranteeResult("stable-identity", "error", 0, 0.0, error="the factory raised"),
            GuaranteeResult("input-untouched", "passed", 3, 0.1),
            dataclasses.replace(real, guarantee="no-lost-update", failure=hostile),
        ],
    )


def test_junit_skips_blocked_and_not_checkable_and_errors_an_error(failing):
    text = render("junit", _mixed(failing["run"]))
    root = ET.fromstring(text)  # valid XML, whatever the response held
    by_name = {c.get("name"): c for c in root.iter("testcase")}
    assert len(by_name) == 6
    assert [c.tag for c in by_name["callback-once"]] == ["skipped"]
    assert "start never called back" in by_name["callback-once"][0].get("message")
    assert [c.tag for c in by_name["keeps-earlier-data"]] == ["skipped"]
    assert "no read-back" in by_name["keeps-earlier-data"][0].get("message")
    assert [c.tag for c in by_name["stable-identity"]] == ["error"]
    assert list(by_name["input-untouched"]) == []
    counts = {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": "6", "failures": "2", "errors": "1", "skipped": "2"}
    hostile = by_name["no-lost-update"].find("failure")
    assert "\\x00" in hostile.get("message") and "\\x1b" in hostile.get("message")
    assert "\\ud800" in hostile.get("message")


# --- github -------------------------------------------------------------------------------------

_COMMAND = re.compile(r"^::(error|warning|notice) title=([^:,\r\n]*)::([^\r\n]*)$")


def _decode(data: str) -> str:
    return (
        data.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def _commands(out: str) -> list[tuple[str, str, str]]:
    """The annotations before ::stop-commands::, each checked to be one well-formed line;
    the text report after it, closed by the same token."""
    lines = out.splitlines()
    stop = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[stop].removeprefix("::stop-commands::")
    assert re.fullmatch(r"kustomer-contract-[0-9a-f]{16}", token)
    assert lines[-1] == f"::{token}::"
    found = []
    for line in lines[:stop]:
        if line.startswith("::"):
            match = _COMMAND.match(line)
            assert match, line
            found.append((match[1], _decode(match[2]), _decode(match[3])))
    return found


def test_github_annotates_a_failing_run_then_prints_the_text_report(failing):
    run = failing["run"]
    out = render("github", run)
    ((level, title, message),) = _commands(out)
    v = run.results[0].failure.violation
    assert level == "error"
    assert title == "kustomer-contract check: reflects-input failed (v1)"
    assert f"expected: {v.expected}\nobserved: {v.observed}" in message
    assert f"replay:   {run.replay('reflects-input')}" in message
    # The text report, whole: its header at once, the rest after the annotations.
    header, body = "\n".join(run.header()) + "\n", render("text", run)
    assert body.startswith(header)
    lines = out.splitlines(keepends=True)
    assert "".join(lines[: len(run.header())]) == header
    assert "".join(lines[len(run.header()) + 2 : -1]) == body.removeprefix(header)


def test_github_of_a_passing_run_has_no_annotation(capsys):
    code, out, _ = check(capsys, *PASSING, "--format", "github")
    assert code == 0 and _commands(out) == []
    assert "the contract holds: 2/2 passed" in out


def test_github_levels_and_escaping(failing):
    out = render("github", _mixed(failing["run"]))
    found = _commands(out)
    levels = {title.split(": ")[1].split()[0]: level for level, title, _ in found}
    assert levels == {
        "reflects-input": "error",
        "callback-once": "warning",
        "keeps-earlier-data": "notice",
        "stable-identity": "error",
        "no-lost-update": "error",
    }
    hostile = next(message for _, title, message in found if "no-lost-update" in title)
    assert "100% \r\n::error::injected" in hostile  # one line on the wire, whole once decoded
    # In the text report the line is as the implementation gave it, where GitHub reads no
    # command: between ::stop-commands:: and its token.
    lines = out.splitlines()
    stop = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    injected = [i for i, line in enumerate(lines) if line.startswith("::error::injected")]
    assert injected and all(stop < i < len(lines) - 1 for i in injected)
    assert (
        command("error", "a: b, c", "50%\r\nnext") == "::error title=a%3A b%2C c::50%25%0D%0Anext"
    )


# --- the HTML report ----------------------------------------------------------------------------


def test_an_unwritable_report_is_refused_before_the_run(capsys, tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "report.html"
    code, out, err = check(capsys, *FAILING, "--report", str(missing))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("kustomer-contract: error: ")
    assert str(missing) in err and "cannot write the report" in err
    code, out, err = check(capsys, *PASSING, "--report", str(tmp_path))  # a folder
    assert code == 2 and out == "" and err.count("\n") == 1


def test_a_run_that_cannot_start_leaves_the_old_report_alone(capsys, tmp_path):
    old = tmp_path / "report.html"
    old.write_text("the last run's report")
    code, _, _ = check(capsys, "--impl", "json:nothing", "--report", str(old))
    assert code == 2
    assert old.read_text() == "the last run's report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left


def test_the_report_is_self_contained(failing, passing):
    for page in (failing["html"].read_text(), passing["html"].read_text()):
        assert page.startswith("<!doctype html>")
        assert "default-src 'none'" in page  # its CSP refuses every fetch
        assert not re.search(r"<link|<img|<iframe|\ssrc=|@import|url\(", page)
        assert not re.search(r"""href=["'](?!#)""", page)  # links within the page only
        assert "<style>" in page and "<script>" in page


def test_the_report_of_a_failing_run_draws_every_call(failing):
    run, page = failing["run"], failing["html"].read_text()
    f = run.results[0].failure
    calls = [line for line in f.transcript if not line.startswith(" ")]
    assert len(f.timeline) == len(calls) >= 2  # start and the describe
    assert [c.call for c in f.timeline] == calls
    assert page.count('class="call-mark') == len(calls)
    assert page.count('<g class="call offending"') == 1
    assert 'data-measured="true"' in page
    assert violation_pointer(f) == "/emails"
    assert '<code class="pointer">/emails</code>' in page
    assert "expected" in page and "observed" in page


def test_a_failure_without_times_is_drawn_from_its_steps(failing):
    run = failing["run"]
    real = run.results[0]
    assert real.failure is not None
    bare = dataclasses.replace(real, failure=dataclasses.replace(real.failure, timeline=[]))
    page = html_report(dataclasses.replace(run, results=[bare]))
    assert 'data-measured="false"' in page and "Times were not recorded" in page
    assert page.count('class="call-mark') == 1 + len(real.failure.case.steps)  # start, steps
    assert page.count('<g class="call offending"') == 1


def test_the_report_of_a_passing_run(passing):
    page = passing["html"].read_text()
    assert "the contract holds" in page and "<h2>Failures</h2>" not in page
    cov = passing["run"].contract_coverage()
    assert f"{cov.percent():.1f}%" in page
    for target in cov.missed()[:3]:
        assert target.replace("<", "&lt;").replace(">", "&gt;") in page


def _only(url: str):
    """A route handler that lets ``url`` through and refuses every other request."""

    def handle(route) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    return handle


@pytest.mark.browser
def test_the_report_in_chromium(failing, passing, tmp_path):
    """Chromium opens the file with nothing else fetched; the table and the timeline are
    drawn; a screenshot is kept (also in $KUSTOMER_ARTIFACTS when set)."""
    from playwright.sync_api import sync_playwright

    from kustomer_contract.drivers.browser import launch_options

    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    f = failing["run"].results[0].failure
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        try:
            for name, source in (("failing", failing), ("passing", passing)):
                url = source["html"].resolve().as_uri()
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                requested: list[str] = []
                errors: list[str] = []
                page.on("request", lambda request: requested.append(request.url))  # noqa: B023
                page.on("pageerror", lambda error: errors.append(str(error)))  # noqa: B023
                page.route("**/*", _only(url))
                page.goto(url)
                assert requested == [url] and errors == []
                rows = page.locator("#results tbody tr")
                if name == "failing":
                    assert rows.count() == 1
                    assert rows.first.get_attribute("data-status") == "failed"
                    marks = page.locator("svg.timeline .call-mark")
                    assert marks.count() == len(f.timeline)
                    for i in range(marks.count()):  # drawn: a box with a size
                        box = marks.nth(i).bounding_box()
                        assert box and box["width"] >= 3 and box["height"] > 0
                    offending = page.locator("svg.timeline g.call.offending")
                    assert offending.count() == 1
                    assert (
                        offending.locator(".call-label")
                        .text_content()
                        .startswith("describeCustomer(")
                    )
                    assert page.locator("svg.timeline .settle-mark").count() >= len(f.timeline)
                    page.check("#only-not-passed")  # the inline script runs
                    assert rows.first.is_visible()
                else:
                    assert rows.count() == 2
                    assert page.locator("svg.timeline").count() == 0
                    page.check("#only-not-passed")
                    assert not rows.first.is_visible()
                    page.uncheck("#only-not-passed")
                    assert page.locator("#coverage .percent").text_content().endswith("%")
                shot = artifacts / f"check-report-{name}.png"
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 10_000
                page.close()
        finally:
            browser.close()
    keep = os.environ.get("KUSTOMER_ARTIFACTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in artifacts.iterdir():
            shutil.copy(shot, Path(keep) / shot.name)

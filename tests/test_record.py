"""``kustomer-contract record``: real pages recorded in a real Chromium.

The example app of examples/checkout/ (the shipped JS double behind a loader that first sets a
stub with only ``start``) is recorded and its traces checked: the good integration keeps every
obligation, the broken one breaks describe-after-login. Failures keep what was recorded: a
flow that raises, a page error, a crash, a navigation away; bad input writes nothing.

Marked ``browser``: skipped without Playwright or Chromium, unless KUSTOMER_REQUIRE_BROWSER=1
(CI), which makes the same absence a failure (tests/conftest.py). One Chromium is shared by the record_page() tests; the command
line tests launch their own (the sync API cannot nest).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kustomer_contract.callers import record
from kustomer_contract.callers.trace import check_trace
from kustomer_contract.cli.main import main
from kustomer_contract.drivers import browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = ROOT / "examples" / "checkout"
FLOW = CHECKOUT / "flow.py"
SETTLE = 0.2  # the example's callbacks all run within a few ms of the flow's end


def cli(*argv: str) -> int:
    """``kustomer-contract record ARGV``, as a user runs it."""
    return main(["record", *argv])


def lines(path: Path) -> list[dict]:
    return [json.loads(text) for text in path.read_text(encoding="utf-8").splitlines()]


def calls(path: Path) -> list[str]:
    return [r["method"] for r in lines(path) if r["event"] == "call"]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# record_page() with one shared Chromium


@pytest.fixture(scope="class")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**browser.launch_options())
        yield launched
        launched.close()


class TestRecordPage:
    def test_good_checkout_keeps_every_obligation(self, chromium, tmp_path, v1, klass):
        out = tmp_path / "traces" / "good.jsonl"  # the folder is created
        result = record.record_page(
            str(CHECKOUT / "good.html"), out, FLOW, settle=SETTLE, browser=chromium
        )
        assert result.records == len(lines(out)) == 6
        assert calls(out) == ["start", "login", "describeCustomer"]
        assert result.page_errors == [] and result.warnings == []
        checked = check_trace(out, v1, klass)
        assert (checked.violations, checked.read_problems) == ([], [])
        # Every call was called back, without an error.
        backs = [r for r in lines(out) if r["event"] == "callback"]
        assert [(b["method"], b["error"]) for b in backs] == [
            ("start", None),
            ("login", None),
            ("describeCustomer", None),
        ]

    def test_bad_checkout_breaks_describe_after_login(self, chromium, tmp_path, v1, klass):
        out = tmp_path / "bad.jsonl"
        result = record.record_page(
            str(CHECKOUT / "bad.html"), out, FLOW, settle=SETTLE, browser=chromium
        )
        assert result.records > 0
        checked = check_trace(out, v1, klass)
        assert {v.obligation for v in checked.violations} == {"describe-after-login"}
        (violation,) = checked.violations
        assert violation.method == "describeCustomer"

    def test_the_stub_and_the_sdk_that_replaces_it_are_both_recorded(self, chromium, tmp_path):
        state = tmp_path / "loader.json"
        flow = write(
            tmp_path,
            "flow_with_state.py",
            "import json, runpy\n"
            f"example = runpy.run_path({str(FLOW)!r})\n"
            "def flow(page):\n"
            "    example['flow'](page)\n"
            f"    open({str(state)!r}, 'w').write(json.dumps(page.evaluate('window.checkoutLoader')))\n",
        )
        out = tmp_path / "stub.jsonl"
        record.record_page(str(CHECKOUT / "good.html"), out, flow, settle=0, browser=chromium)
        loader = json.loads(state.read_text())
        assert loader == {"stubStarts": 1, "sdkLoaded": True}  # start went to the stub
        trace = lines(out)
        first = trace[0]
        assert (first["seq"], first["event"], first["method"]) == (1, "call", "start")
        # The queued call was replayed on the SDK: its callback is that call's.
        assert {"event": "callback", "method": "start", "call": 1}.items() <= trace[1].items()
        # And the SDK assigned later is recorded too.
        assert calls(out)[1:] == ["login", "describeCustomer"]

    def test_a_call_on_the_loaders_stub_is_recorded_and_traced(self, chromium, tmp_path, v1):
        """The documented early-call bug: describeCustomer before the SDK has loaded."""
        write(tmp_path, "loader.js", (CHECKOUT / "loader.js").read_text(encoding="utf-8"))
        page = write(tmp_path, "early.html", (
            '<script src="loader.js"></script><script>Kustomer.start({}, function () {});'
            'Kustomer.describeCustomer({attributes: {emails: ["ada@example.com"]}});</script>'
        ))  # fmt: skip
        out = tmp_path / "early.jsonl"
        result = record.record_page(str(page), out, settle=SETTLE, browser=chromium)
        assert any("describeCustomer is not a function" in e for e in result.page_errors)
        assert [(r["event"], r["method"]) for r in lines(out)][:2] == [
            ("call", "start"),
            ("missing", "describeCustomer"),
        ]
        (violation,) = check_trace(out, v1).violations
        assert (violation.obligation, violation.line) == ("start-first", 2)

    @pytest.mark.parametrize("bad", [False, True], ids=["init-first", "calls-start"])
    def test_a_core_js_page_is_recorded_on_kustomercore(self, chromium, tmp_path, v1, bad):
        """core.js defines window.KustomerCore (init in place of start): recorded, each record
        naming its object, and judged with --binding core; KustomerCore.start is flagged."""
        from kustomer_contract.spec.bindings import load_binding

        early = "try { KustomerCore.start({}, function () {}); } catch (e) {}" if bad else ""
        page = write(tmp_path, "core.html", (
            "<script>window.KustomerCore = {"
            "init: function (o, c) { setTimeout(function () { c({}); }, 5); },"
            "describeCustomer: function (o, c) { setTimeout(function () {"
            " c({customerId: 'c1', emails: [], phones: [], socials: []}); }, 1); } };"
            "KustomerCore.init({}, function () { KustomerCore.describeCustomer("
            "{attributes: {emails: ['ada@example.com']}}, function () {}); });"
            + early + "</script>"
        ))  # fmt: skip
        out = tmp_path / "core.jsonl"
        result = record.record_page(str(page), out, settle=SETTLE, browser=chromium)
        assert result.page_errors == [] and result.warnings == []
        assert {r["object"] for r in lines(out)} == {"KustomerCore"}
        assert calls(out) == ["init", "describeCustomer"]
        checked = check_trace(out, v1, binding=load_binding("core", v1))
        assert checked.read_problems == []
        if bad:
            (violation,) = checked.violations
            assert (violation.obligation, violation.line) == ("known-method", 2)
            assert lines(out)[1]["event"] == "missing"
            assert "the core binding's start is KustomerCore.init" in violation.message
        else:
            assert checked.violations == []
        # Judged as the Web SDK's, the records are not checked, and the binding is named.
        (problem,) = check_trace(out, v1).read_problems
        assert problem.message.endswith("are not checked: give --binding core")

    def test_add_event_listener_on_the_sdk_is_flagged(self, chromium, tmp_path, v1):
        """A real integration's mistake: the SDK has addListener; the call throws in the page."""
        write(tmp_path, "loader.js", (CHECKOUT / "loader.js").read_text(encoding="utf-8"))
        page = write(tmp_path, "listen.html", (
            '<script src="loader.js"></script><script>'
            'window.addEventListener("kustomerLoaded", function () {'
            " Kustomer.start({}, function () {"
            ' Kustomer.addEventListener("onOpen", function () {}); }); });</script>'
        ))  # fmt: skip
        out = tmp_path / "listen.jsonl"
        result = record.record_page(str(page), out, settle=SETTLE, browser=chromium)
        assert any("addEventListener is not a function" in e for e in result.page_errors)
        (violation,) = check_trace(out, v1).violations
        line = next(i for i, r in enumerate(lines(out), 1) if r["method"] == "addEventListener")
        assert (violation.obligation, violation.line) == ("known-method", line)
        assert "did you mean addListener?" in violation.message

    def test_a_page_crash_keeps_the_records(self, chromium, tmp_path):
        flow = write(tmp_path, "crash.py", "def flow(page):\n    page.goto('chrome://crash')\n")
        out = tmp_path / "crash.jsonl"
        with pytest.raises(record.RecordError, match="the page crashed") as caught:
            record.record_page(str(CHECKOUT / "good.html"), out, flow, settle=0, browser=chromium)
        assert caught.value.result is not None
        assert caught.value.result.records == len(lines(out)) >= 1
        assert calls(out)[0] == "start"
        assert chromium.is_connected()  # only the page died

    def test_a_navigation_away_is_reported_and_not_mixed_in(self, chromium, tmp_path, v1):
        write(tmp_path, "next.html", "<script>window.Kustomer = {start() {}};"
              "Kustomer.start({});</script>")  # fmt: skip
        page = write(
            tmp_path,
            "leave.html",
            "<script>window.Kustomer = {start(o, c) { setTimeout(c, 1); }};"
            "Kustomer.start({}, () => {});</script><a id=away href=next.html>next</a>",
        )
        flow = write(
            tmp_path,
            "leave.py",
            "def flow(page):\n    page.click('#away')\n    page.wait_for_url('**/next.html')\n",
        )
        out = tmp_path / "leave.jsonl"
        result = record.record_page(str(page), out, flow, settle=SETTLE, browser=chromium)
        assert result.navigated_to and result.navigated_to[0].endswith("/next.html")
        assert any("navigated away" in w for w in result.warnings)
        assert [r["method"] for r in lines(out)] == ["start", "start"]  # call and callback
        assert result.ignored == 1  # next.html's start, not written
        assert check_trace(out, v1).read_problems == []


# ---------------------------------------------------------------------------
# The command line


def test_a_flow_that_raises_exits_2_naming_the_flow_and_keeps_the_records(tmp_path, capsys):
    flow = write(
        tmp_path,
        "broken_flow.py",
        "def flow(page):\n"
        "    page.get_by_role('button', name='Sign in').click()\n"
        "    page.wait_for_selector('#status[data-state=done]')\n"
        "    raise RuntimeError('the order summary is missing')\n",
    )
    out = tmp_path / "flow.jsonl"
    code = cli(str(CHECKOUT / "good.html"), "--out", str(out), "--script", str(flow),
               "--settle", "0")  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("kustomer-contract: error: ")
    assert f"{flow}:4: the flow failed: RuntimeError: the order summary is missing" in err
    assert "Traceback" not in err
    assert calls(out) == ["start", "login", "describeCustomer"]  # what the flow did is kept


def test_a_page_error_is_a_warning_and_the_records_are_kept(tmp_path, capsys):
    page = write(
        tmp_path,
        "throws.html",
        '<script type="module">\n'
        'import createKustomer from "/__kustomer_contract__/kustomer-double.mjs";\n'
        "window.Kustomer = createKustomer();\n"
        "Kustomer.start({}, () => {});\n"
        'throw new TypeError("the cart widget is broken");\n'
        "</script>\n",
    )
    out = tmp_path / "throws.jsonl"
    code = cli(str(page), "--out", str(out), "--settle", str(SETTLE))
    captured = capsys.readouterr()
    assert code == 0
    assert "kustomer-contract: warning: page error: TypeError: the cart widget is broken" in (
        captured.err
    )
    assert [(r["event"], r["method"]) for r in lines(out)] == [
        ("call", "start"),
        ("callback", "start"),
    ]
    assert "2 records from http://127.0.0.1:" in captured.out


@pytest.mark.parametrize("existing", [False, True], ids=["new-out", "existing-out"])
def test_a_missing_page_exits_2_and_writes_nothing(tmp_path, capsys, existing):
    out = tmp_path / "trace.jsonl"
    if existing:
        out.write_text("kept\n", encoding="utf-8")
    code = cli(str(tmp_path / "nowhere.html"), "--out", str(out))
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"kustomer-contract: error: {tmp_path / 'nowhere.html'}: no such file\n"
    if existing:
        assert out.read_text(encoding="utf-8") == "kept\n"
    else:
        assert not out.exists()


def test_a_flow_file_without_flow_exits_2_before_anything_is_written(tmp_path, capsys):
    flow = write(tmp_path, "noflow.py", "def run(page):\n    pass\n")
    out = tmp_path / "trace.jsonl"
    code = cli(str(CHECKOUT / "good.html"), "--out", str(out), "--script", str(flow))
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"kustomer-contract: error: {flow}: defines no flow(page) function to run\n"
    assert not out.exists()

"""check --browser: implementations that live in a page, driven in headless Chromium."""

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from kustomer_contract.cli.main import main
from kustomer_contract.drivers.page import PageDriver, PageGone
from kustomer_contract.engine.search import replay_case
from kustomer_contract.generate.cases import Case, Step
from tests.js_gallery import timeout_of

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "browser_pages"
EMAIL = {"attributes": {"emails": ["marsha@example.com"]}}


def page(tmp_path: Path, body: str, *, factory: bool = True, name: str = "page.html") -> str:
    """An HTML page whose module script wraps the shipped reference double."""
    install = (
        "window.createKustomer = (options) => broken(createKustomer(options));\n"
        "window.Kustomer = window.createKustomer();"
        if factory
        else "window.Kustomer = broken(createKustomer());"
    )
    html = textwrap.dedent(
        """\
        <!doctype html><meta charset="utf-8"><title>a double</title>
        <script type="module">
        import createKustomer from "/__kustomer_contract__/kustomer-double.mjs";
        function broken(k) {{
        {body}
        }}
        {install}
        </script>
        """
    ).format(body=textwrap.indent(textwrap.dedent(body), "  "), install=install)
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return str(path)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- the reference double in a page ------------------------------------------------------------


def test_the_reference_double_in_a_page_keeps_every_guarantee(capsys):
    """window.Kustomer only: the page is loaded again for every case."""
    code, out, err = run(
        capsys, "--browser", str(PAGES / "reference.html"), "--max-examples", "3", "--seed", "3"
    )
    assert code == 0, out + err
    assert "window.Kustomer (the page is loaded again for every case)" in out
    assert "13/13 passed" in out


def test_a_page_factory_gives_a_fresh_sdk_per_case_without_reloading(capsys):
    target = str(PAGES / "reference_factory.html")
    code, out, err = run(capsys, "--browser", target, "--max-examples", "15", "--seed", "1",
                         "--only", "keeps-earlier-data", "--only", "stable-identity", "--json")  # fmt: skip
    assert code == 0, out + err
    data = json.loads(out)
    assert [g["status"] for g in data["results"]] == ["passed", "passed"]
    assert data["impl"] == target


# --- broken doubles: each caught, with the right guarantee -------------------------------------

# Inline: the CLI's report for a page, and a page whose main thread never comes back.
BROKEN = {
    "reflects-input": """
        return { ...k, describeCustomer(o, cb) {
          const emails = o && o.attributes && o.attributes.emails;
          if (Array.isArray(emails) && emails.length > 1) {
            o = { ...o, attributes: { ...o.attributes, emails: emails.slice(0, 1) } };
          }
          return k.describeCustomer(o, cb);
        } };""",
    "accepts-valid": """
        return { ...k, describeCustomer(o, cb) {
          for (;;) {}  // never returns: the page's main thread is stuck
        } };""",
}
JS_GALLERY = ROOT / "tests" / "js_gallery"
JS_BROKEN = {
    p.stem: m.group(1)
    for p in sorted(JS_GALLERY.glob("*.mjs"))
    if (m := re.search(r"^// breaks: (\S+)", p.read_text(), re.M))
}
# Installs a gallery module as a page would, in each shape the modules come in: a factory or
# class becomes window.createKustomer; an object or a global is loaded again per case.
GALLERY_PAGE = """<!doctype html><meta charset="utf-8"><title>{name}</title>
<script type="module">
import * as module from "/tests/js_gallery/{name}.mjs";
const made = module.default;
if (typeof made === "function") {{
  const isClass = /^class[\\s{{]/.test(Function.prototype.toString.call(made));
  window.createKustomer = (options) => (isClass ? new made(options) : made(options));
}} else if (made) {{
  window.Kustomer = made;
}}
</script>
"""


def gallery_page(tmp_path: Path, name: str) -> str:
    """A page for a tests/js_gallery module, served with the folders its imports need."""
    # Copies, not symlinks: the page server serves nothing that leads out of its folder.
    shutil.copytree(JS_GALLERY, tmp_path / "tests" / "js_gallery")
    shutil.copytree(
        ROOT / "kustomer_contract" / "reference", tmp_path / "kustomer_contract" / "reference"
    )
    path = tmp_path / f"{name}.html"
    path.write_text(GALLERY_PAGE.format(name=name), encoding="utf-8")
    return str(path)


def test_a_broken_double_is_reported_with_the_page_to_replay(tmp_path, capsys):
    noisy = "setTimeout(() => { throw new Error('boom in a timer'); }, 0);\n"
    target = page(tmp_path, noisy + BROKEN["reflects-input"])  # and the page's errors
    code, out, err = run(capsys, "--browser", target, "--only", "reflects-input", "--seed", "2")
    assert code == 1, out + err
    assert re.search(r"^reflects-input +failed", out, re.M), out
    assert f"--browser {target}" in out  # the replay command names the page
    assert "paste into the browser console" in out and "the same in Python" not in out
    assert re.search(r"the page's scripts threw \d+ uncaught error", out)
    assert re.search(
        r"^  \d+ x Error: boom in a timer \(http://.*page.html:\d+:\d+\)$", out, re.M
    ), out


@pytest.mark.parametrize("name", sorted(JS_BROKEN))
def test_each_broken_js_double_fails_its_guarantee_in_a_page(tmp_path, v1, name):
    from kustomer_contract.engine.search import check_guarantee

    guarantee = JS_BROKEN[name]
    driver = PageDriver(gallery_page(tmp_path, name), v1)
    try:  # a short shrink budget: the verdict is what counts here
        timeout = timeout_of(name)
        result = check_guarantee(v1, driver, guarantee, seed=2, timeout=timeout, shrink_seconds=1.0)
    finally:
        driver.shutdown()
    assert result.status == "failed", (result.status, result.error, driver.page_errors)
    assert result.failure.violation.guarantee == guarantee


def test_a_page_that_never_returns_from_a_call(tmp_path, v1):
    from kustomer_contract.engine.search import check_guarantee

    driver = PageDriver(page(tmp_path, BROKEN["accepts-valid"]), v1)
    try:
        result = check_guarantee(
            v1, driver, "accepts-valid", seed=2, timeout=1.0, shrink_seconds=1.0
        )
    finally:
        driver.shutdown()
    assert (
        result.status == "failed"
        and "did not return within 1 s" in result.failure.violation.observed
    )


def test_a_hung_method_costs_one_page_not_the_run(tmp_path):
    from kustomer_contract.spec.loader import load_spec

    target = page(tmp_path, """
        return { ...k, describeCustomer(o, cb) { if (o && o.hang) for (;;) {} return k.describeCustomer(o, cb); } };
    """)  # fmt: skip
    case = Case((), (Step("describe", {"hang": True}),))
    result = replay_case(target, case, timeout=1)
    assert any("did not return within 1 s" in v.observed for v in result.violations)
    driver = PageDriver(target, load_spec("v1"))
    try:  # the next case gets a working page again
        from kustomer_contract.engine.runner import CaseRunner

        ok = CaseRunner(driver.spec, driver, None, 2.0).run(Case((), (Step("describe", EMAIL),)))
        assert not ok.violations, ok.violations
    finally:
        driver.shutdown()


# --- what goes wrong around the implementation -------------------------------------------------


def test_a_page_that_never_defines_kustomer_says_so_with_its_errors(tmp_path, capsys, monkeypatch):
    path = tmp_path / "broken.html"
    path.write_text(
        "<!doctype html><script>throw new Error('the loader failed: no network')</script>",
        encoding="utf-8",
    )
    from kustomer_contract.drivers import page as page_module

    monkeypatch.setattr(page_module, "LOAD_TIMEOUT", 1.5)
    code, out, err = run(capsys, "--browser", str(path))
    assert code == 2
    assert "did not define window.Kustomer with start, login, logout, describeCustomer" in err
    assert "window.Kustomer is undefined" in err
    assert "the loader failed: no network" in err and "Traceback" not in err


def test_a_page_with_only_the_loaders_stub_names_what_it_lacks(tmp_path, capsys, monkeypatch):
    from kustomer_contract.drivers import page as page_module

    path = tmp_path / "stub.html"
    path.write_text("<!doctype html><script>window.Kustomer = {start() {}}</script>")
    monkeypatch.setattr(page_module, "LOAD_TIMEOUT", 1.0)
    code, _, err = run(capsys, "--browser", str(path))
    assert code == 2 and "window.Kustomer lacks login, logout, describeCustomer" in err


def test_a_page_that_navigates_away_during_a_call(tmp_path):
    from kustomer_contract.spec.loader import load_spec

    (tmp_path / "elsewhere.html").write_text("<!doctype html><p>elsewhere</p>", encoding="utf-8")
    target = page(tmp_path, """
        return { ...k, describeCustomer(o, cb) { location.href = "/elsewhere.html"; } };
    """)  # fmt: skip
    driver = PageDriver(target, load_spec("v1"))
    try:
        instance = driver.new_instance()
        driver.call(instance, "start", [{}, lambda *a: None], 2.0)
        driver.call(instance, "describeCustomer", [EMAIL, lambda *a: None], 2.0)
        import time

        time.sleep(0.5)
        returned = driver.call(instance, "describeCustomer", [EMAIL, lambda *a: None], 2.0)
        assert isinstance(returned.raised, PageGone)
        assert "navigated away to http://127.0.0.1:" in str(returned.raised)
        assert "/elsewhere.html" in str(returned.raised)
        driver.close(instance)
        assert driver.new_instance()  # the next case opens the page again
    finally:
        driver.shutdown()


def test_a_crashed_page_and_a_closed_browser_are_named(v1):
    driver = PageDriver(str(PAGES / "reference_factory.html"), v1)
    try:
        instance = driver.new_instance()

        async def crash():
            try:
                await instance.page.goto("chrome://crash")  # Chromium's own crash switch
            except Exception:  # noqa: BLE001 - the navigation dies with the page
                pass

        driver._run(crash(), 10)
        returned = driver.call(instance, "start", [{}, lambda *a: None], 2.0)
        assert isinstance(returned.raised, PageGone) and "the page crashed" in str(returned.raised)

        instance = driver.new_instance()  # a new page
        driver._run(driver._browser.close(), 10)
        returned = driver.call(instance, "start", [{}, lambda *a: None], 2.0)
        assert isinstance(returned.raised, PageGone)
        assert "the browser ended" in str(returned.raised)
        assert driver.new_instance()  # launched again for the next case
    finally:
        driver.shutdown()


def test_without_a_browser_check_says_what_to_install(capsys, monkeypatch):
    monkeypatch.setenv("KUSTOMER_CHROMIUM", "/nonexistent/chromium")
    code, _, err = run(capsys, "--browser", str(PAGES / "reference.html"))
    assert code == 2 and "KUSTOMER_CHROMIUM=/nonexistent/chromium" in err
    monkeypatch.delenv("KUSTOMER_CHROMIUM")
    monkeypatch.setitem(__import__("sys").modules, "playwright", None)  # not installed
    code, _, err = run(capsys, "--browser", str(PAGES / "reference.html"))
    assert code == 2 and "pip install 'kustomer-contract[browser]'" in err
    assert "apt-get install chromium" in err


@pytest.mark.parametrize(
    "target, message",
    [
        ("http://example.com/app.html", "only loopback URLs"),
        ("missing.html", "missing.html: no such file"),
        ("ftp://127.0.0.1/x.html", "give an http(s) URL on loopback or an HTML file"),
    ],
)
def test_pages_that_cannot_be_served_are_refused(capsys, target, message):
    code, _, err = run(capsys, "--browser", target)
    assert code == 2 and message in err and err.count("\n") == 1


def test_one_implementation_at_a_time(capsys):
    code, _, err = run(capsys, "--browser", "x.html", "--node", "y.mjs")
    assert code == 2 and "give one of --impl, --node and --browser" in err


def test_a_loopback_url_is_checked_as_it_is(v1):
    from kustomer_contract.drivers.browser import serve

    served = serve(str(PAGES / "reference.html"))  # any loopback server will do
    try:
        driver = PageDriver(served.url, v1)
        try:
            runner_case = Case((), (Step("describe", EMAIL),))
            from kustomer_contract.engine.runner import CaseRunner

            result = CaseRunner(v1, driver, None, 2.0).run(runner_case)
            assert not result.violations and driver.url == served.url
        finally:
            driver.shutdown()
    finally:
        served.close()


def test_the_pytest_plugin_checks_a_page(pytester, tmp_path):
    """A conformant double whose page also throws from a timer: the items pass, and the
    summary lists the page's errors."""
    noisy = "setTimeout(() => { throw new Error('analytics failed'); }, 0);\nreturn k;"
    target = page(tmp_path, noisy)
    pytester.makepyfile(test_nothing="def test_other():\n    pass\n")
    result = pytester.runpytest_subprocess(
        "--kustomer-browser", target,
        "--kustomer-max-examples", "3", "-k", "accepts or reflects or other", "-p", "no:cacheprovider",
    )  # fmt: skip
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "kustomer-contract: impl *page.html*",
            "*kustomer-contract: the page's uncaught errors*",
            "* x Error: analytics failed (http://*page.html:*)",
        ]
    )

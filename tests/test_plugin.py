"""The pytest plugin, run as a user runs it (pytester), and its import cost."""

import subprocess
import sys

import pytest

# The plugin loads the spec and the implementation at configure time; import what that
# pulls in (yaml's and rpds' compiled parts among it) before any in-process pytester run,
# which would drop them afterwards and re-import broken copies (a hang in yaml's parser).
import kustomer_contract.drivers.python  # noqa: F401
import kustomer_contract.engine.session  # noqa: F401
from kustomer_contract.spec.loader import load_spec

load_spec("v1")

GUARANTEES = 13
BROKEN_FACTORY = """
from kustomer_contract.reference import KustomerDouble


class ForgetsPhones(KustomerDouble):
    def describeCustomer(self, options, callback=None):
        options = {**options, "attributes": {k: v for k, v in options.get("attributes", {}).items() if k != "phones"}}
        return super().describeCustomer(options, callback)


def make():
    return ForgetsPhones()
"""


def test_help_lists_every_option_with_text(pytester):
    result = pytester.runpytest("--help")
    out = result.stdout.str()
    for flag in ("impl", "klass", "spec", "max-examples", "seed", "timeout"):
        assert f"--kustomer-{flag}" in out
    assert "kustomer_max_examples" in out  # the ini equivalents are listed too


def test_nothing_is_added_without_an_implementation(pytester):
    pytester.makepyfile("def test_unrelated(): pass")
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1)


def test_one_item_per_guarantee_on_the_reference(pytester):
    result = pytester.runpytest(
        "--kustomer-impl",
        "kustomer_contract.reference:make",
        "--kustomer-max-examples",
        "5",
        "--kustomer-seed",
        "7",
        "-v",
    )
    result.assert_outcomes(passed=GUARANTEES)
    result.stdout.fnmatch_lines(
        [
            "*kustomer-contract: impl kustomer_contract.reference:make*seed 7*",
            "contract::not-before-start PASSED*",
            "contract::no-lost-update PASSED*",
        ]
    )


def test_ini_configuration_and_k_selection(pytester):
    pytester.makeini(
        "[pytest]\nkustomer_impl = kustomer_contract.reference:make\nkustomer_max_examples = 5\n"
    )
    result = pytester.runpytest("-k", "stable-identity or callback-optional", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["contract::stable-identity PASSED*"])


def test_a_broken_implementation_is_named_and_reproduced(pytester):
    pytester.makepyfile(brokenimpl=BROKEN_FACTORY)
    result = pytester.runpytest(
        "--kustomer-impl",
        "brokenimpl:make",
        "--kustomer-max-examples",
        "30",
        "--kustomer-seed",
        "1",
        "-k",
        "reflects-input or accepts-valid",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "FAILED reflects-input" in out
    assert "await call('start', 'start', [{}]);" in out  # the JavaScript reproducer
    assert "from brokenimpl import make" in out  # the Python one
    assert "def test_reflects_input_regression():" in out  # the regression test
    assert "--kustomer-seed 1" in out  # how to replay
    assert "Traceback" not in out


def test_conftest_fixture_override(pytester):
    pytester.makepyfile(brokenimpl=BROKEN_FACTORY)
    pytester.makeconftest("""
import pytest
from brokenimpl import make


@pytest.fixture
def kustomer_implementation():
    return make
""")
    result = pytester.runpytest(
        "--kustomer-max-examples", "30", "-k", "reflects-input", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(failed=1)
    assert "FAILED reflects-input" in result.stdout.str()


def test_bad_implementation_is_a_clear_error_reported_once(pytester):
    result = pytester.runpytest("--kustomer-impl", "no_such_module:make")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: kustomer-contract: --kustomer-impl 'no_such_module:make': cannot import*"]
    )
    both = result.stdout.str() + result.stderr.str()
    assert both.count("cannot import") == 1  # once, not once per guarantee
    assert "Traceback" not in both


def test_a_mistyped_ini_key_is_named_as_such(pytester):
    pytester.makeini("[pytest]\nkustomer_impl = kustomer_contract.reference:nope\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: kustomer-contract: kustomer_impl in tox.ini *has no attribute*"]
    )


# --- one source of the implementation, named in the header ------------------------------------

BROKEN_FIXTURE = """
import pytest
from brokenimpl import make


@pytest.fixture
def kustomer_implementation():
    return make
"""


def test_the_command_line_wins_over_the_conftest_fixture_and_says_so(pytester):
    pytester.makepyfile(brokenimpl=BROKEN_FACTORY)
    pytester.makeconftest(BROKEN_FIXTURE)
    result = pytester.runpytest(
        "--kustomer-impl",
        "kustomer_contract.reference:make",
        "--kustomer-max-examples",
        "30",
        "-k",
        "reflects-input",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=1)  # the reference ran, not the broken fixture's factory
    result.stdout.fnmatch_lines(
        [
            "kustomer-contract: impl kustomer_contract.reference:make (--kustomer-impl, "
            "overriding the kustomer_implementation fixture in conftest.py), spec v1*"
        ]
    )


def test_the_conftest_fixture_wins_over_the_ini_key_and_says_so(pytester):
    pytester.makepyfile(brokenimpl=BROKEN_FACTORY)
    pytester.makeconftest(BROKEN_FIXTURE)
    pytester.makeini("[pytest]\nkustomer_impl = kustomer_contract.reference:make\n")
    result = pytester.runpytest(
        "--kustomer-max-examples", "30", "-k", "reflects-input", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(failed=1)  # the fixture's broken factory ran
    result.stdout.fnmatch_lines(
        [
            "kustomer-contract: impl from the kustomer_implementation fixture in conftest.py "
            "(overriding kustomer_impl in tox.ini), spec v1*",
            "*brokenimpl:make*",
        ]
    )
    # The replay line names no implementation, so it reruns the fixture's, not the ini's.
    replay = next(line for line in result.stdout.lines if "--kustomer-seed" in line)
    assert "--kustomer-impl" not in replay


def test_two_implementations_on_the_command_line_are_refused(pytester):
    result = pytester.runpytest(
        "--kustomer-impl", "kustomer_contract.reference:make", "--kustomer-node", "impl.mjs"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: kustomer-contract: --kustomer-impl and --kustomer-node both name the implementation*"
        ]
    )


def test_a_fixture_the_contract_items_cannot_see_is_refused(pytester):
    # tests/conftest.py's fixtures reach only tests/; the contract items belong to the rootdir.
    pytester.mkdir("tests")
    fixture = BROKEN_FIXTURE.replace("brokenimpl", "kustomer_contract.reference")
    (pytester.path / "tests" / "conftest.py").write_text(fixture)
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: kustomer-contract: the kustomer_implementation fixture in tests/conftest.py*"]
    )


def test_a_fixture_returning_none_is_not_the_reference(pytester):
    pytester.makeconftest(BROKEN_FIXTURE.replace("return make", "return None"))
    pytester.makepyfile(brokenimpl=BROKEN_FACTORY)
    result = pytester.runpytest("-k", "accepts-valid", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*kustomer_implementation fixture in conftest.py returned None*"])


# --- contract items only in runs of the whole suite -------------------------------------------

MINE = "def test_one(): pass\n\ndef test_two(): pass\n"


def collected(result) -> list[str]:
    return [line for line in result.stdout.lines if "::" in line and " " not in line.strip()]


@pytest.mark.parametrize("selection, count", [("test_mine.py::test_one", 1), ("test_mine.py", 2)])
def test_a_run_of_some_tests_gets_no_contract_items(pytester, selection, count):
    pytester.makeini("[pytest]\nkustomer_impl = kustomer_contract.reference:make\n")
    pytester.makepyfile(test_mine=MINE)
    result = pytester.runpytest(selection, "--collect-only", "-p", "no:cacheprovider")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "kustomer-contract: impl kustomer_contract.reference:make (kustomer_impl in tox.ini); "
            "contract items not collected: this run names test_mine.py*",
            f"collected {count} item*",
        ]
    )
    assert "contract" not in result.stdout.str().split("collected")[-1]


def test_a_mistyped_impl_stays_quiet_in_a_run_of_some_tests(pytester):
    pytester.makepyfile(test_mine=MINE)
    result = pytester.runpytest("test_mine.py", "--kustomer-impl", "nope:make", "-q")
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize("selection", [[], ["."], ["tests"]])
def test_a_run_of_the_suite_gets_the_contract_items(pytester, selection):
    pytester.makeini(
        "[pytest]\ntestpaths = tests\nkustomer_impl = kustomer_contract.reference:make\n"
    )
    pytester.mkdir("tests")
    (pytester.path / "tests" / "test_mine.py").write_text(MINE)
    result = pytester.runpytest(*selection, "--collect-only", "-q", "-p", "no:cacheprovider")
    assert result.ret == 0
    names = collected(result)
    assert len([n for n in names if n.startswith("contract::")]) == GUARANTEES
    assert "tests/test_mine.py::test_one" in names


def test_fixtures_for_users_own_tests(pytester, data_dir):
    pytester.makepyfile("""
from hypothesis import HealthCheck, given, settings
from kustomer_contract.spec.schemas import validator_for


def test_my_builder(kustomer_spec, kustomer_strategies, kustomer_klass):
    assert kustomer_klass is not None
    validator = validator_for(kustomer_spec, klass=kustomer_klass)

    # what is judged is the options; on a loaded 2-core machine their drawing can trip
    # hypothesis's too_slow health check (generation speed is its own issue)
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(kustomer_strategies.valid_options())
    def check(options):
        assert validator.is_valid(options)
        assert set(options.get("customAttributes", {})) <= kustomer_klass.attributes

    check()
""")
    result = pytester.runpytest(
        "--kustomer-klass", str(data_dir / "klass.yaml"), "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1)


def test_importing_the_plugin_is_cheap():
    code = (
        "import sys, kustomer_contract.pytest_plugin; "
        "heavy = [m for m in ('hypothesis', 'jsonschema', 'yaml') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("flag", ["--kustomer-max-examples=0", "--kustomer-timeout=-1"])
def test_nonsense_numbers_are_refused(pytester, flag):
    result = pytester.runpytest(
        "--kustomer-impl", "kustomer_contract.reference:make", flag, "-k", "accepts-valid"
    )
    assert result.ret != 0


def test_coverage_in_the_terminal_summary(pytester):
    result = pytester.runpytest(
        "--kustomer-impl",
        "kustomer_contract.reference:make",
        "--kustomer-max-examples",
        "5",
        "--kustomer-coverage",
        "-k",
        "accepts-valid or no-lost-update",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["*kustomer-contract coverage*", "contract coverage: *% (*/* targets)*"]
    )


@pytest.mark.skipif(not __import__("shutil").which("node"), reason="node is not installed")
def test_a_javascript_implementation_through_pytest(pytester):
    from pathlib import Path

    double = (
        Path(__file__).resolve().parent.parent / "kustomer_contract/reference/kustomer-double.mjs"
    )
    result = pytester.runpytest(
        "--kustomer-node",
        str(double),
        "--kustomer-max-examples",
        "3",
        "-v",
        "-k",
        "reflects-input or callback-once",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*kustomer-contract: impl *kustomer-double.mjs*"])

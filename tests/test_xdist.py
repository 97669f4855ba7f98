"""The plugin under pytest-xdist: same verdicts per item as a serial run, and no hypothesis
example database written by the contract items (they run with database=None)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("xdist")

# A short shrink budget: these tests compare verdicts and seeds, not how small a failure gets.
OPTIONS = ("--kustomer-max-examples", "5", "--kustomer-seed", "3", "--kustomer-shrink-budget",
           "20", "-p", "no:cacheprovider")  # fmt: skip
BROKEN = """
from kustomer_contract.reference import KustomerDouble


class ForgetsEverything(KustomerDouble):
    # Answers every describe as if it were {}: nothing described shows in the response.

    def describeCustomer(self, options, callback=None):
        return super().describeCustomer({}, callback)


def make():
    return ForgetsEverything()
"""


def verdicts(result) -> dict[str, str]:
    """contract::<guarantee> -> PASSED / FAILED, from -rA's short summary."""
    found = {}
    for line in result.stdout.lines:
        m = re.match(r"(PASSED|FAILED|ERROR|SKIPPED) (contract::[\w-]+)", line)
        if m:
            found[m.group(2)] = m.group(1)
    return found


def assert_no_example_database(pytester) -> None:
    """hypothesis writes its constants cache (.hypothesis/constants) in any run; the example
    database (.hypothesis/examples) stays unwritten, as the checks run with database=None."""
    assert not (pytester.path / ".hypothesis" / "examples").exists()


def run_both(pytester, impl: str, *extra: str):
    serial = pytester.runpytest_subprocess(
        "--kustomer-impl", impl, *OPTIONS, *extra, "-rA", timeout=180
    )
    parallel = pytester.runpytest_subprocess(
        "-n", "2", "--kustomer-impl", impl, *OPTIONS, *extra, "-rA", timeout=180
    )
    return serial, parallel


def test_reference_passes_the_same_in_parallel(pytester):
    serial, parallel = run_both(pytester, "kustomer_contract.reference:make")
    serial.assert_outcomes(passed=13)
    parallel.assert_outcomes(passed=13)
    assert verdicts(serial) == verdicts(parallel)
    assert len(verdicts(serial)) == 13
    assert_no_example_database(pytester)


def test_a_broken_implementation_fails_the_same_item_in_parallel(pytester):
    pytester.makepyfile(forgets=BROKEN)
    # Four items (two fail), so the failing items' shrinking stays inside the time budget.
    serial, parallel = run_both(
        pytester, "forgets:make", "-k", "reflects or keeps or identity or conforms"
    )
    s, p = verdicts(serial), verdicts(parallel)
    assert s == p
    assert s["contract::reflects-input"] == "FAILED"
    failed = sorted(k for k, v in s.items() if v == "FAILED")
    assert failed == sorted(k for k, v in p.items() if v == "FAILED")
    assert "missing" in parallel.stdout.str()
    # The failure text (with the seed to replay) is the same in both.
    assert "--kustomer-seed 3" in serial.stdout.str()
    assert "--kustomer-seed 3" in parallel.stdout.str()
    assert_no_example_database(pytester)


def test_the_header_seed_is_the_seed_a_worker_replays(pytester):
    # No --kustomer-seed: the controller draws one, and the workers must use it.
    pytester.makepyfile(forgets=BROKEN)
    result = pytester.runpytest_subprocess(
        "-n",
        "2",
        "--kustomer-impl",
        "forgets:make",
        "--kustomer-max-examples",
        "5",
        "--kustomer-shrink-budget",
        "20",
        "-k",
        "reflects-input",
        "-p",
        "no:cacheprovider",
        timeout=180,
    )
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    header = re.search(r"kustomer-contract: impl forgets:make .*, seed (\d+)", out)
    replay = re.search(r"pytest --kustomer-impl forgets:make .*--kustomer-seed (\d+)", out)
    assert header and replay, out
    assert "[gw" in out  # the failure came from a worker
    assert header.group(1) == replay.group(1)


def coverage_lines(result) -> list[str]:
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if "kustomer-contract coverage" in line)
    return [
        line for line in lines[start + 1 :] if line.startswith(("contract coverage", "  missed"))
    ]


def test_coverage_is_gathered_from_the_workers(pytester):
    serial, parallel = run_both(
        pytester,
        "kustomer_contract.reference:make",
        "--kustomer-coverage",
        "-k",
        "accepts-valid or rejects-invalid or no-lost-update",
    )
    serial.assert_outcomes(passed=3)
    parallel.assert_outcomes(passed=3)
    assert coverage_lines(serial)[0].startswith("contract coverage: ")
    # Same seed, same cases: what the workers exercised, merged, is what one process did.
    assert coverage_lines(parallel) == coverage_lines(serial)

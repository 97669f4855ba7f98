"""JavaScript implementations checked through Node (``kustomer_contract.drivers.node``).

The JS reference double keeps every guarantee; each module of tests/js_gallery/ that says
``// breaks: <guarantee>`` fails that guarantee; a chattering module still passes; a module that
throws at import, exits or loops forever ends in a clear error, never a stuck run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kustomer_contract.drivers.base import ImplementationError
from kustomer_contract.drivers.node import JSError, JSValue, NodeDriver, NodeExited
from kustomer_contract.engine.checks import Probe
from kustomer_contract.engine.search import check_guarantee
from kustomer_contract.generate import values
from kustomer_contract.spec.schemas import validator_for
from tests.js_gallery import timeout_of

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "tests" / "js_gallery"
REFERENCE = ROOT / "kustomer_contract" / "reference" / "kustomer-double.mjs"
GUARANTEES = (
    "accepts-valid", "response-conforms", "callback-once", "error-is-exception", "reflects-input",
    "keeps-earlier-data", "stable-identity", "rejects-invalid", "rejects-unknown-custom",
    "not-before-start", "input-untouched", "callback-optional", "no-lost-update",
)  # fmt: skip


def _breaks(path: Path) -> str | None:
    found = re.search(r"^// breaks: (\S+)", path.read_text(), re.MULTILINE)
    return found.group(1) if found else None


BROKEN = {p.stem: _breaks(p) for p in sorted(GALLERY.glob("*.mjs")) if _breaks(p)}


@pytest.fixture(scope="module")
def reference(v1):
    driver = NodeDriver(REFERENCE, v1, label="kustomer-double.mjs")
    yield driver
    driver.shutdown()


@pytest.fixture(scope="module")
def reference_klass(v1, klass):
    driver = NodeDriver(REFERENCE, v1, klass, label="kustomer-double.mjs")
    yield driver
    driver.shutdown()


def _check(spec, driver, guarantee, **kwargs):
    """check_guarantee over the methods the implementation has (as the session does)."""
    describes = getattr(spec, "describes", None)
    if describes is not None:
        instance = driver.new_instance()
        kwargs["methods"] = tuple(m.name for m in describes if driver.has_method(instance, m.name))
        driver.close(instance)
    return check_guarantee(spec, driver, guarantee, **kwargs)


def _call(driver, instance, method, *args, timeout=1.0):
    probe = Probe()
    returned = driver.call(instance, method, [*args, probe], timeout)
    probe.wait(timeout)
    return returned, probe


# --- the reference --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("guarantee", GUARANTEES)
def test_reference_keeps_every_guarantee(reference, v1, guarantee, seed):
    result = _check(v1, reference, guarantee, max_examples=20, seed=seed, timeout=1.0)
    assert result.status == "passed", (result.failure, result.error, result.blocked_by)
    assert reference.shape == "default export factory"


@pytest.mark.parametrize("guarantee", ["accepts-valid", "reflects-input", "rejects-invalid"])
def test_reference_under_v2_takes_the_shared_keys(guarantee):
    """The driver tells the factory the spec's version; the v2 double accepts sharedEmails."""
    from kustomer_contract.drivers.node import NodeDriver
    from kustomer_contract.spec.loader import load_spec

    v2 = load_spec("v2")
    driver = NodeDriver(REFERENCE, v2)
    try:
        result = _check(v2, driver, guarantee, max_examples=20, seed=11, timeout=1.0)
    finally:
        driver.shutdown()
    assert result.status == "passed", (result.failure, result.error, result.blocked_by)


@pytest.mark.parametrize("guarantee", ["rejects-unknown-custom", "accepts-valid"])
def test_reference_with_a_klass(reference_klass, v1, klass, guarantee):
    result = _check(
        v1, reference_klass, guarantee, klass=klass, max_examples=20, seed=3, timeout=1.0
    )
    assert result.status == "passed", (result.failure, result.error, result.blocked_by)


def test_callback_values_are_converted(reference):
    instance = reference.new_instance()
    try:
        returned, probe = _call(reference, instance, "start", {})
        assert returned.raised is None and not returned.hung and probe.count == 1
        options = {
            "attributes": {"emails": ["Marsha@Example.com"]},
            "customAttributes": {"xNum": 2},
        }
        returned, probe = _call(reference, instance, "describeCustomer", options)
        assert probe.error is None and len(probe.args) == 1  # success: (response), no error
        assert probe.response["emails"] == ["Marsha@Example.com"]
        assert probe.response["custom"] == {"xNum": 2}
        returned, probe = _call(reference, instance, "describeCustomer", {"extra": 1})
        assert probe.response is None
        assert isinstance(probe.error, JSError) and probe.error.name == "KustomerError"
        assert "extra" in str(probe.error)
    finally:
        reference.close(instance)


def test_klass_reaches_the_factory(reference_klass):
    instance = reference_klass.new_instance()
    try:
        _call(reference_klass, instance, "start", {})
        _, probe = _call(
            reference_klass, instance, "describeCustomer", {"customAttributes": {"otherStr": "x"}}
        )
        assert isinstance(probe.error, JSError) and "Klass" in probe.error.message
        _, probe = _call(
            reference_klass, instance, "describeCustomer", {"customAttributes": {"vipBool": True}}
        )
        assert probe.error is None and probe.response["custom"] == {"vipBool": True}
    finally:
        reference_klass.close(instance)


# --- the broken gallery ---------------------------------------------------------------------


def test_gallery_is_big_enough():
    assert len(BROKEN) >= 8
    standalone = [n for n in BROKEN if "kustomer-double" not in (GALLERY / f"{n}.mjs").read_text()]
    assert len(standalone) >= 3


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_module_fails_its_guarantee(v1, name):
    guarantee = BROKEN[name]
    driver = NodeDriver(GALLERY / f"{name}.mjs", v1)
    try:
        result = _check(
            v1, driver, guarantee, max_examples=40, seed=7, timeout=timeout_of(name),
            shrink_seconds=1.0,
        )  # fmt: skip
    finally:
        driver.shutdown()
    assert result.status == "failed", (result.status, result.error, result.blocked_by)
    assert result.failure.violation.guarantee == guarantee


def test_shapes_are_reported(v1):
    shapes = {}
    for name in ("racy_global", "customer_id_number_class", "runs_before_start_object"):
        driver = NodeDriver(GALLERY / f"{name}.mjs", v1)
        try:
            first, second = driver.new_instance(), driver.new_instance()
            # a fresh object per case even for the object and global shapes (re-imported)
            _call(driver, first, "start", {})
            email = {"attributes": {"emails": ["only-in-the-first@example.com"]}}
            _, a = _call(driver, first, "describeCustomer", email)
            assert a.response["emails"] == ["only-in-the-first@example.com"]
            _call(driver, second, "start", {})
            _, b = _call(driver, second, "describeCustomer", {})
            assert b.response["emails"] == []
            shapes[name] = driver.shape
        finally:
            driver.shutdown()
    assert shapes == {
        "racy_global": "globalThis.Kustomer",
        "customer_id_number_class": "default export class",
        "runs_before_start_object": "default export object",
    }


def test_console_output_does_not_confuse_the_driver(v1):
    driver = NodeDriver(GALLERY / "console_spam.mjs", v1)
    try:
        for guarantee in ("accepts-valid", "callback-once", "error-is-exception"):
            result = _check(v1, driver, guarantee, max_examples=15, seed=5, timeout=1.0)
            assert result.status == "passed", (guarantee, result.failure, result.error)
    finally:
        driver.shutdown()


# --- implementations that crash, exit or hang -----------------------------------------------


def test_a_module_that_throws_at_import_is_an_implementation_error(v1):
    driver = NodeDriver(GALLERY / "throws_at_import.mjs", v1)
    with pytest.raises(ImplementationError, match="cannot load the module.*KUSTOMER_API_KEY") as e:
        driver.new_instance()
    assert "node_driver" not in str(e.value) and "throws_at_import.mjs:3" in str(e.value)
    started = time.monotonic()
    with pytest.raises(ImplementationError, match="KUSTOMER_API_KEY"):
        driver.new_instance()  # remembered: not loaded again for every case
    assert time.monotonic() - started < 0.1
    driver.shutdown()


def test_missing_file_and_missing_methods(v1, tmp_path):
    with pytest.raises(ImplementationError, match="no such file"):
        NodeDriver(tmp_path / "nope.mjs", v1)
    partial = tmp_path / "partial.mjs"
    partial.write_text("export default () => ({ start() {}, describeCustomer() {} });\n")
    driver = NodeDriver(partial, v1)
    with pytest.raises(ImplementationError, match="lacks the SDK method.*login, logout"):
        driver.new_instance()
    driver.shutdown()
    empty = tmp_path / "empty.mjs"
    empty.write_text("export const x = 1;\n")
    driver = NodeDriver(empty, v1)
    with pytest.raises(ImplementationError, match="no default export"):
        driver.new_instance()
    driver.shutdown()


def test_process_exit_in_a_method_is_reported(v1):
    driver = NodeDriver(GALLERY / "exits_in_method.mjs", v1)
    instance = driver.new_instance()
    _call(driver, instance, "start", {})
    returned, _ = _call(driver, instance, "describeCustomer", {})
    assert isinstance(returned.raised, NodeExited)
    assert "code 3" in str(returned.raised) and "gives up" in str(returned.raised)
    driver.new_instance()  # a new node process for the next case
    started = time.monotonic()
    result = _check(
        v1, driver, "accepts-valid", max_examples=5, seed=1, timeout=1.0, shrink_seconds=1.0
    )
    assert result.status == "failed" and "code 3" in result.failure.violation.observed
    assert time.monotonic() - started < 20
    driver.shutdown()


def test_an_infinite_loop_is_reported_as_hung(v1):
    driver = NodeDriver(GALLERY / "loops_forever.mjs", v1)
    instance = driver.new_instance()
    _call(driver, instance, "start", {})
    started = time.monotonic()
    returned = driver.call(instance, "describeCustomer", [{}, Probe()], 1.0)
    assert returned.hung and time.monotonic() - started < 3
    result = _check(
        v1, driver, "accepts-valid", max_examples=3, seed=1, timeout=1.0, shrink_seconds=1.0
    )
    assert result.status == "failed"
    assert "did not return within 1 s" in result.failure.violation.observed
    driver.shutdown()


def test_values_json_cannot_carry_and_non_errors(v1, tmp_path):
    module = tmp_path / "odd.mjs"
    module.write_text(
        """
const cyclic = {}; cyclic.self = cyclic;
export default function make() {
  return {
    start(o, cb) { cb({ fn() {}, n: NaN, big: 10n, cyclic, list: [undefined], date: new Date(0) }); },
    login(o, cb) { cb(undefined, "just a string"); },
    logout(cb) { cb(undefined, { message: "a plain object" }); cb(null, new RangeError("again")); },
    describeCustomer(o, cb) { o.attributes = { emails: [] }; throw "a thrown string"; },
  };
}
"""
    )
    driver = NodeDriver(module, v1)
    try:
        instance = driver.new_instance()
        _, probe = _call(driver, instance, "start", {})
        response = probe.response
        assert isinstance(response["fn"], JSValue) and "function" in response["fn"].what
        assert isinstance(response["n"], JSValue) and isinstance(response["big"], JSValue)
        assert isinstance(response["cyclic"]["self"], JSValue)
        assert isinstance(response["list"][0], JSValue) and isinstance(response["date"], JSValue)
        _, probe = _call(driver, instance, "login", {"jwtToken": "t"})
        assert probe.error == "just a string"
        probe = Probe()
        driver.call(instance, "logout", [probe], 1.0)
        time.sleep(0.2)
        assert probe.count == 2  # each call is forwarded
        assert probe.calls[0][1] == (None, {"message": "a plain object"})
        assert (
            isinstance(probe.calls[1][1][1], JSError) and probe.calls[1][1][1].name == "RangeError"
        )
        options: dict = {}
        returned = driver.call(instance, "describeCustomer", [options, Probe()], 1.0)
        assert isinstance(returned.raised, JSError) and "a thrown string" in str(returned.raised)
        assert options == {"attributes": {"emails": []}}  # the mutation shows on the Python side
    finally:
        driver.shutdown()


# --- the JS double validates as the Python validator does -----------------------------------


def test_js_validation_agrees_with_the_python_validator(v1, klass, tmp_path):
    from kustomer_contract.generate.strategies import (
        invalid_options,
        unknown_custom_options,
        valid_options,
    )

    samples: list[tuple[dict, bool]] = []
    validators = {
        None: validator_for(v1, "options"),
        "k": validator_for(v1, "options", None, klass),
    }
    url_like = st.one_of(values.uris(), values.uris().flatmap(values.string_near_misses),
                         st.sampled_from(values.FORMAT_NEAR_MISSES["uri"]))  # fmt: skip
    at_like = st.one_of(
        values.date_times(),
        values.date_times().flatmap(values.string_near_misses),
        st.sampled_from(values.FORMAT_NEAR_MISSES["date-time"]),
    )
    payload = st.one_of(
        valid_options(v1),
        invalid_options(v1).map(lambda i: i.value),
        unknown_custom_options(v1).map(lambda i: i.value),
        url_like.map(lambda u: {"customAttributes": {"profileUrl": u}}),
        at_like.map(lambda a: {"customAttributes": {"lastOrderAt": a}}),
    )

    @settings(
        max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(payload, st.booleans())
    def collect(options, with_klass):
        samples.append((options, with_klass))

    collect()
    names = sorted(klass.attributes)
    script = tmp_path / "validate.mjs"
    script.write_text(
        f"import {{ validateOptions }} from {json.dumps(REFERENCE.as_uri())};\n"
        "let data = '';\n"
        "process.stdin.on('data', (c) => (data += c));\n"
        "process.stdin.on('end', () => {\n"
        f"  const names = new Set({json.dumps(names)});\n"
        "  const out = JSON.parse(data).map(([o, k]) => validateOptions(o, k ? names : null));\n"
        "  process.stdout.write(JSON.stringify(out));\n"
        "});\n"
    )
    done = subprocess.run(
        ["node", str(script)], input=json.dumps(samples), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    verdicts = json.loads(done.stdout)
    disagree = [
        (options, with_klass, why)
        for (options, with_klass), why in zip(samples, verdicts, strict=True)
        if validators["k" if with_klass else None].is_valid(options) != (why is None)
    ]
    assert not disagree, disagree[:5]
    assert any(why is None for why in verdicts) and any(why for why in verdicts)


# --- promises, and one timeout per call -----------------------------------------------------


def test_a_promise_instead_of_a_callback_is_named(v1):
    driver = NodeDriver(GALLERY / "returns_promise.mjs", v1)
    try:
        result = _check(
            v1, driver, "accepts-valid", max_examples=5, seed=1, timeout=0.5, shrink_seconds=1.0
        )
    finally:
        driver.shutdown()
    assert result.status == "failed"
    assert "describeCustomer returned a Promise and did not call the callback" in (
        result.failure.violation.observed
    )


def test_a_promise_beside_the_callback_is_fine(v1, tmp_path):
    """No false alarm: an async method that also calls its callback keeps the contract."""
    module = tmp_path / "both.mjs"
    module.write_text(
        f"import createKustomer from {json.dumps(REFERENCE.as_uri())};\n"
        "export default function make(options) {\n"
        "  const k = createKustomer(options);\n"
        "  return { ...k, async describeCustomer(o, cb) {\n"
        "    await null;\n"
        "    return new Promise((resolve) => k.describeCustomer(o, (r, e) => {\n"
        "      if (cb) cb(r, e); resolve(r); }));\n"
        "  } };\n"
        "}\n"
    )
    driver = NodeDriver(module, v1)
    try:
        for guarantee in ("accepts-valid", "callback-once", "rejects-invalid"):
            result = _check(v1, driver, guarantee, max_examples=15, seed=2, timeout=1.0)
            assert result.status == "passed", (guarantee, result.failure, result.error)
    finally:
        driver.shutdown()

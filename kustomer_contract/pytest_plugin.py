"""pytest plugin: the describeCustomer contract as test items, plus fixtures for your own tests.

Configure an implementation and every guarantee becomes an item, ``contract::<guarantee-id>``:

    pytest --kustomer-impl mypkg.fake:make --kustomer-klass klass.yaml

or override the ``kustomer_implementation`` fixture in a conftest.py (return a factory).
Hooks used: ``pytest_addoption`` (options and ini keys), ``pytest_report_header`` (what is
checked, with the seed), ``pytest_collection_modifyitems`` (adds the items, before ``-k``
deselection), ``pytest_terminal_summary`` (coverage, and a page's uncaught errors). Importing this module costs almost nothing: everything heavy loads lazily,
only when an item runs or a fixture is used.
"""

from __future__ import annotations

from typing import Any

import pytest

from .cli import non_negative_float, positive_float, positive_int

_OPTIONS = (
    # (name, type, default, help)
    ("impl", str, None, "implementation factory to check, module:attribute (e.g. mypkg.fake:make)"),
    ("node", str, None, "a JavaScript implementation to check with Node (path to its module)"),
    (
        "browser",
        str,
        None,
        "a page defining window.Kustomer to check in headless Chromium (loopback URL or HTML file)",
    ),
    ("klass", str, None, "Klass YAML file listing the custom attribute names (attributes: [...])"),
    ("spec", str, "v1", "contract spec: a bundled version (v1) or a path to a spec"),
    ("max_examples", positive_int, 100, "generated cases per guarantee (default 100)"),
    ("seed", int, None, "seed for case generation (a failure prints the one to reuse)"),
    ("timeout", positive_float, 2.0, "seconds to wait for a callback before failing (default 2)"),
    ("grace", non_negative_float, 0.5, "seconds a callback is watched for a second call (0.5)"),
    ("shrink_budget", positive_int, 500, "cases tried to shrink a failure (default 500)"),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kustomer-contract", "Kustomer describeCustomer contract checks")
    for name, kind, default, text in _OPTIONS:
        flag = "--kustomer-" + name.replace("_", "-")
        group.addoption(
            flag,
            dest=f"kustomer_{name}",
            type=kind,
            default=None,
            help=f"{text}; ini: kustomer_{name}",
        )
        parser.addini(
            f"kustomer_{name}", help=text, default=None if default is None else str(default)
        )
    group.addoption(
        "--kustomer-coverage",
        dest="kustomer_coverage",
        action="store_true",
        default=False,
        help="after the contract items, show what they exercised of the contract; ini: kustomer_coverage",
    )
    parser.addini("kustomer_coverage", type="bool", default=False, help="show contract coverage")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """With --kustomer-coverage: what the contract items exercised, and what they missed.
    With --kustomer-browser: the page's uncaught errors, often why a callback never came."""
    sessions = config.__dict__.get("_kustomer_sessions", {})
    for session in sessions.values():
        page_errors = getattr(session.driver, "page_errors", None)
        if page_errors:
            terminalreporter.section("kustomer-contract: the page's uncaught errors")
            for text, times in page_errors.most_common(5):
                terminalreporter.write_line(f"{times} x {text}")
    wanted = config.getoption("kustomer_coverage") or config.getini("kustomer_coverage")
    if not wanted or not sessions:
        return
    terminalreporter.section("kustomer-contract coverage")
    for session in sessions.values():
        terminalreporter.write_line(session.coverage().coverage.report())


def _setting(config: pytest.Config, name: str) -> Any:
    kind = next(k for n, k, _, _ in _OPTIONS if n == name)
    value = config.getoption(f"kustomer_{name}")
    if value is None:
        value = config.getini(f"kustomer_{name}")
    if value in (None, ""):
        return None
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise pytest.UsageError(f"kustomer_{name} = {value!r}: {exc}") from None


def _settings(config: pytest.Config, impl: str | None = None):
    from .runner import DEFAULT_GRACE
    from .session import Settings

    grace = _setting(config, "grace")
    return Settings(
        impl=impl or _setting(config, "impl"),
        node=None if impl else _setting(config, "node"),
        browser=None if impl else _setting(config, "browser"),
        spec=_setting(config, "spec") or "v1",
        klass=_setting(config, "klass"),
        max_examples=_setting(config, "max_examples") or 100,  # None when not given; 0 is refused
        seed=_setting(config, "seed"),
        timeout=_setting(config, "timeout") or 2.0,
        grace=DEFAULT_GRACE if grace is None else grace,
        shrink_budget=_setting(config, "shrink_budget") or 500,
    )


def _fixture_overridden(config: pytest.Config) -> bool:
    """A conftest.py that defines ``kustomer_implementation`` configures the contract too."""
    return any(
        getattr(plugin, "__name__", "").endswith("conftest")
        and hasattr(plugin, "kustomer_implementation")
        for plugin in config.pluginmanager.get_plugins()
    )


def _configured(config: pytest.Config) -> bool:
    chosen = (_setting(config, name) for name in ("impl", "node", "browser"))
    return any(chosen) or _fixture_overridden(config)


def pytest_report_header(config: pytest.Config) -> str | None:
    if not _configured(config):
        return None
    s = _settings(config)
    return (
        f"kustomer-contract: impl {s.browser or s.node or s.impl or '(kustomer_implementation fixture)'}, spec {s.spec}, "
        f"{s.max_examples} cases per guarantee, seed {_seed(config)}"
    )


def _seed(config: pytest.Config) -> int:
    """One seed per pytest run, printed in the header, so a failure can be replayed."""
    if not hasattr(config, "_kustomer_seed"):
        import random

        chosen = _setting(config, "seed")
        config._kustomer_seed = chosen if chosen is not None else random.randrange(2**32)  # type: ignore[attr-defined]
    return config._kustomer_seed  # type: ignore[attr-defined]


class ContractItem(pytest.Function):
    """One guarantee as a test item; reported as contract::<guarantee-id>."""

    def reportinfo(self):
        return self.path, None, f"contract::{self.name}"


class ContractCollector(pytest.Collector):
    """The ``contract`` node: one item per guarantee of the configured spec."""

    def collect(self):
        from .spec import SpecError, load_spec

        try:
            spec = load_spec(_settings(self.config).spec)
        except SpecError as exc:
            raise self.CollectError(f"kustomer-contract: {exc}") from None
        for guarantee in spec.guarantees:
            yield ContractItem.from_parent(self, name=guarantee, callobj=_test_for(guarantee))

    class CollectError(Exception):
        pass

    def repr_failure(self, excinfo):  # a broken spec: one clear line, no traceback
        return str(excinfo.value)


def _test_for(guarantee: str):
    def test(kustomer_contract_session) -> None:
        __tracebackhide__ = True
        from .report import failure_text

        session = kustomer_contract_session
        result = session.check(guarantee)
        if result.status == "blocked":
            pytest.skip(f"not judged: every case stopped early ({result.blocked_by})")
        if result.status == "error":
            pytest.fail(f"{guarantee}: the check itself failed: {result.error}", pytrace=False)
        if result.failure is not None:
            replay = session.replay_command(guarantee, "pytest")
            pytest.fail(
                failure_text(
                    session.spec,
                    result,
                    impl=session.impl,
                    klass=session.settings.klass,
                    replay=replay,
                    timeout=session.settings.timeout,
                    budget_option="--kustomer-shrink-budget",
                ),
                pytrace=False,
            )

    test.__name__ = f"test_{guarantee.replace('-', '_')}"
    test.__doc__ = f"kustomer-contract guarantee {guarantee}"
    return test


@pytest.hookimpl(tryfirst=True)  # before -k / -m deselection sees the items
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list
) -> None:
    if not _configured(config) or any(getattr(i, "_kustomer_contract", False) for i in items):
        return
    collector = ContractCollector.from_parent(session, name="contract", nodeid="contract")
    try:
        new = list(collector.collect())
    except ContractCollector.CollectError as exc:
        raise pytest.UsageError(str(exc)) from None
    for item in new:
        item._kustomer_contract = True
    items.extend(new)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def kustomer_implementation(pytestconfig: pytest.Config) -> Any:
    """The implementation under contract: a factory, or ``module:attribute``.

    Override it in a conftest.py to return your own factory instead of using --kustomer-impl.
    """
    return _setting(pytestconfig, "impl")


@pytest.fixture
def kustomer_contract_session(kustomer_implementation: Any, pytestconfig: pytest.Config):
    """A loaded contract session (spec, Klass, driver) for the configured implementation."""
    from .drivers.python import ImplementationError, PythonDriver
    from .session import Session
    from .spec import SpecError

    cache = pytestconfig.__dict__.setdefault("_kustomer_sessions", {})
    key = (
        kustomer_implementation
        if isinstance(kustomer_implementation, str)
        else id(kustomer_implementation)
    )
    if key not in cache:
        name = kustomer_implementation if isinstance(kustomer_implementation, str) else None
        settings = _settings(pytestconfig, name)
        settings.seed = _seed(pytestconfig)
        try:
            session = Session(settings)
            if not isinstance(kustomer_implementation, str) and kustomer_implementation is not None:
                label = (
                    getattr(kustomer_implementation, "__module__", "conftest")
                    + ":"
                    + getattr(kustomer_implementation, "__qualname__", "factory")
                )
                session.impl = label
                session.use_driver(
                    PythonDriver(kustomer_implementation, session.spec, session.klass, label)
                )
        except (SpecError, ImplementationError) as exc:
            problem = f"kustomer-contract: {exc}"
        else:
            problem = None
        if problem:  # outside the except block: one line, no chained tracebacks
            pytest.fail(problem, pytrace=False)
        cache[key] = session
    return cache[key]


@pytest.fixture(scope="session")
def kustomer_spec(pytestconfig: pytest.Config):
    """The loaded contract spec (``--kustomer-spec``, v1 by default)."""
    from .spec import load_spec

    return load_spec(_settings(pytestconfig).spec)


@pytest.fixture(scope="session")
def kustomer_klass(pytestconfig: pytest.Config):
    """The Klass from ``--kustomer-klass``, or None."""
    from .spec import load_klass

    path = _settings(pytestconfig).klass
    return load_klass(path) if path else None


@pytest.fixture(scope="session")
def kustomer_strategies(kustomer_spec, kustomer_klass):
    """Hypothesis strategies bound to the spec and Klass: valid_options(), invalid_options(), ..."""
    from types import SimpleNamespace

    from . import strategies as s

    return SimpleNamespace(
        valid_options=lambda: s.valid_options(kustomer_spec, kustomer_klass),
        invalid_options=lambda: s.invalid_options(kustomer_spec, kustomer_klass),
        unknown_custom_options=lambda: s.unknown_custom_options(kustomer_spec, kustomer_klass),
        responses=lambda: s.responses(kustomer_spec),
        sequences=lambda focus=None: s.sequences(kustomer_spec, kustomer_klass, focus),
    )

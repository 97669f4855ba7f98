"""pytest plugin: the describeCustomer contract as test items, plus fixtures for your own tests.

Configure an implementation and every guarantee becomes an item, ``contract::<guarantee-id>``:

    pytest --kustomer-impl mypkg.fake:make --kustomer-klass klass.yaml

or set the ini key ``kustomer_impl``, or override the ``kustomer_implementation`` fixture in
the rootdir's conftest.py (return a factory).

Which implementation runs (one source, named in the header):
  1. ``--kustomer-impl`` / ``--kustomer-node`` / ``--kustomer-browser`` on the command line
     (at most one of them) wins over everything; the header says what it overrode;
  2. else a ``kustomer_implementation`` fixture in the rootdir's conftest.py (or a plugin),
     which wins over the ini keys;
  3. else the ini key ``kustomer_impl`` / ``kustomer_node`` / ``kustomer_browser`` (one).
When the contract items are collected: an implementation is configured, and the run selects
the whole suite: no path arguments (testpaths or the invocation dir), or a path argument that
is the rootdir or one of the testpaths. ``pytest tests/test_mine.py[::test_one]`` gets none.

The seed is resolved once, on the controller, and sent to pytest-xdist workers, so the
header's seed is the one in every replay line; coverage is gathered back from the workers.
Importing this module costs almost nothing: everything heavy loads lazily, only when the
contract is configured and wanted, an item runs, or a fixture is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the plugin imports only pytest until an item runs
    from types import SimpleNamespace

    from .engine.session import Session, Settings
    from .spec.types import Klass, Spec

from .engine.settings import (
    BINDING_HELP,
    DEFAULT_GRACE,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_SPEC,
    DEFAULT_TIMEOUT,
    SHRINK_BUDGET,
    non_negative_float,
    positive_float,
    positive_int,
)

_KINDS = ("impl", "node", "browser")  # the ways to name an implementation; one per run
_OPTIONS = (
    # (name, type, default, help)
    (
        "impl",
        str,
        None,
        "implementation factory to check, module:attribute (e.g. mypkg.fake:make); on the "
        "command line it wins over a kustomer_implementation fixture and the ini keys",
    ),
    ("node", str, None, "a JavaScript implementation to check with Node (path to its module)"),
    (
        "browser",
        str,
        None,
        "a page defining window.Kustomer to check in headless Chromium (loopback URL or HTML file)",
    ),
    ("binding", str, None, BINDING_HELP),
    ("klass", str, None, "Klass YAML file listing the custom attribute names (attributes: [...])"),
    ("spec", str, DEFAULT_SPEC, "contract spec: a bundled version (v1) or a path to a spec"),
    ("max_examples", positive_int, DEFAULT_MAX_EXAMPLES, "generated cases per guarantee"),
    ("seed", int, None, "seed for case generation (a failure prints the one to reuse)"),
    ("timeout", positive_float, DEFAULT_TIMEOUT, "seconds for one call and its callback"),
    ("grace", non_negative_float, DEFAULT_GRACE, "seconds a callback is watched for a second call"),
    ("shrink_budget", positive_int, SHRINK_BUDGET, "cases tried to shrink a failure"),
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
            help=f"{text}{'' if default is None else f' (default {default})'}; ini: kustomer_{name}",
        )
        # No ini default: an unset key falls to [tool.kustomer-contract] in pyproject.toml,
        # then to the default (_settings).
        parser.addini(f"kustomer_{name}", help=text, default=None)
    group.addoption(
        "--kustomer-coverage",
        dest="kustomer_coverage",
        action="store_true",
        default=False,
        help="after the contract items, show what they exercised of the contract; ini: kustomer_coverage",
    )
    parser.addini("kustomer_coverage", type="bool", default=False, help="show contract coverage")


# --- what this run checks, resolved once per pytest process ----------------------------------


@dataclass
class _Run:
    """The implementation's one source, whether the contract is wanted, and the seed."""

    source: str | None = None  # "option", "fixture", "ini", "pyproject", or None: not configured
    kind: str | None = None  # impl / node / browser for option and ini; None for the fixture
    target: str | None = None  # what the option or ini key names
    where: str = ""  # the source in words, for the header
    overridden: list[str] = field(default_factory=list)  # other sources it beat, in words
    wanted: bool = True  # the run selects the whole suite (see _selects_the_suite)
    why_not: str = ""
    seed: int = 0


_RUN = pytest.StashKey[_Run]()


def _run(config: pytest.Config) -> _Run:
    run = config.stash.get(_RUN, None)
    if run is None:  # a hook called before pytest_configure; resolve now
        run = config.stash[_RUN] = _resolve(config)
    return run


_PYPROJECT = pytest.StashKey[Any]()


def _pyproject(config: pytest.Config) -> Any:
    """``[tool.kustomer-contract]`` of the first pyproject.toml with one, from the rootdir up
    (``engine.config.Config``; its values parsed), below the ini keys."""
    found = config.stash.get(_PYPROJECT, None)
    if found is None:
        from .engine.config import ConfigError, load

        try:
            found = config.stash[_PYPROJECT] = load(config.rootpath)
        except ConfigError as exc:
            raise pytest.UsageError(f"kustomer-contract: {exc}") from None
    return found


def _setting(config: pytest.Config, name: str) -> Any:
    """The command line, else the ini key, else pyproject.toml; None when none sets it."""
    kind = next(k for n, k, _, _ in _OPTIONS if n == name)
    value = config.getoption(f"kustomer_{name}")
    if value is None:
        value = config.getini(f"kustomer_{name}")
    if value in (None, ""):
        return _pyproject(config).values.get(name)
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise pytest.UsageError(f"kustomer_{name} = {value!r}: {exc}") from None


def _root_fixture(config: pytest.Config) -> tuple[str | None, list[str]]:
    """Where a ``kustomer_implementation`` fixture the contract items can see is defined
    (the rootdir's conftest.py, one above it, or a plugin), and the deeper conftest.py files
    defining one that they cannot see (their fixtures reach only tests below them)."""
    root = config.rootpath
    visible: str | None = None
    deeper: list[str] = []
    for plugin in config.pluginmanager.get_plugins():
        own = getattr(plugin, "kustomer_implementation", None)
        if own is None or own is kustomer_implementation:
            continue
        file = getattr(plugin, "__file__", None)
        if file and Path(file).name == "conftest.py":
            folder = Path(file).resolve().parent
            if folder == root or folder in root.parents:
                visible = _shown(Path(file), root)
            else:
                deeper.append(_shown(Path(file), root))
        elif visible is None:
            visible = f"plugin {getattr(plugin, '__name__', plugin)!r}"
    return visible, sorted(deeper)


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def _selects_the_suite(config: pytest.Config) -> tuple[bool, str]:
    """Contract items belong to runs of the whole suite: no path arguments, or one that is
    the rootdir or a testpaths entry. A run of some files or tests gets none of them."""
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        return True, ""
    import glob

    root = config.rootpath
    suites = {root}
    for pattern in config.getini("testpaths"):
        suites.update(Path(p).resolve() for p in glob.glob(str(root / pattern), recursive=True))
    here = config.invocation_params.dir
    for arg in config.args:
        if "::" not in arg and (here / arg).resolve() in suites:
            return True, ""
    named = " ".join(config.args)
    return False, f"this run names {named}, not the rootdir or a testpath"


def _resolve(config: pytest.Config) -> _Run:
    import random

    given = [k for k in _KINDS if config.getoption(f"kustomer_{k}") not in (None, "")]
    in_ini = [k for k in _KINDS if config.getini(f"kustomer_{k}") not in (None, "")]
    for names, spelled in ((given, "--kustomer-{}"), (in_ini, "kustomer_{}")):
        if len(names) > 1:
            both = " and ".join(spelled.format(k) for k in names)
            raise pytest.UsageError(
                f"kustomer-contract: {both} both name the implementation; give one"
            )
    project = _pyproject(config)
    in_project = [k for k in _KINDS if k in project.values]  # at most one (engine.config)
    fixture, _ = _root_fixture(config)
    ini_file = config.inipath.name if config.inipath else "the ini file"
    ini_words = [f"kustomer_{k} in {ini_file}" for k in in_ini]
    ini_words += [f"{k} in {project.shown} [tool.kustomer-contract]" for k in in_project]
    fixture_words = [f"the kustomer_implementation fixture in {fixture}"] if fixture else []
    if given:
        kind = given[0]
        run = _Run("option", kind, config.getoption(f"kustomer_{kind}"), f"--kustomer-{kind}")
        run.overridden = fixture_words + ini_words
    elif fixture:
        run = _Run("fixture", where=fixture_words[0], overridden=ini_words)
    elif in_ini:
        kind = in_ini[0]
        run = _Run("ini", kind, config.getini(f"kustomer_{kind}"), ini_words[0])
        run.overridden = ini_words[1:]  # pyproject.toml's
    elif in_project:
        kind = in_project[0]
        run = _Run("pyproject", kind, project.values[kind], ini_words[0])
    else:
        run = _Run()
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "kustomer_seed" in workerinput:
        # An xdist worker: the controller chose; its header and replay lines must be right.
        run.seed = workerinput["kustomer_seed"]
        run.wanted, run.why_not = workerinput["kustomer_wanted"], ""
    else:
        chosen = _setting(config, "seed")
        run.seed = chosen if chosen is not None else random.randrange(2**32)
        run.wanted, run.why_not = _selects_the_suite(config)
    return run


def pytest_configure(config: pytest.Config) -> None:
    run = config.stash[_RUN] = _resolve(config)
    if config.pluginmanager.hasplugin("xdist") and not config.pluginmanager.has_plugin(
        "kustomer_contract_xdist"
    ):
        config.pluginmanager.register(_XdistHooks(), "kustomer_contract_xdist")
    if run.wanted and not hasattr(config, "workerinput"):
        _check_before_collecting(config, run)


def _check_before_collecting(config: pytest.Config, run: _Run) -> None:
    """What a user mistyped, reported once as a usage error, not once per item."""
    _, deeper = _root_fixture(config)
    if run.source is None:
        if deeper:
            _fixture_out_of_reach(config, deeper)
        return
    from .spec.loader import load_klass, load_spec
    from .spec.types import SpecError

    s = _settings(config)
    try:
        spec = load_spec(s.spec)
        if s.klass:
            load_klass(s.klass, spec)
    except SpecError as exc:
        raise pytest.UsageError(f"kustomer-contract: {exc}") from None
    if run.kind == "impl":
        from .drivers.base import ImplementationError
        from .drivers.python import load_factory

        try:
            load_factory(run.target or "")
        except ImplementationError as exc:
            said = str(exc).replace("--impl ", run.where + " ", 1)
            raise pytest.UsageError(f"kustomer-contract: {said}") from None
    elif run.kind == "node" and not Path(run.target or "").is_file():
        raise pytest.UsageError(f"kustomer-contract: {run.where} {run.target}: no such file")


def _fixture_out_of_reach(config: pytest.Config, deeper: list[str]) -> None:
    root = config.rootpath / "conftest.py"
    raise pytest.UsageError(
        f"kustomer-contract: the kustomer_implementation fixture in {', '.join(deeper)} cannot "
        f"reach the contract items, which belong to the rootdir: define it in {root}, "
        "or name the implementation with --kustomer-impl"
    )


class _XdistHooks:
    """Registered only with pytest-xdist present (its hooks are unknown without it)."""

    def pytest_configure_node(self, node: Any) -> None:
        run = _run(node.config)
        node.workerinput["kustomer_seed"] = run.seed
        node.workerinput["kustomer_wanted"] = run.wanted

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        found = getattr(node, "workeroutput", {}).get("kustomer_contract")
        if found:
            node.config.stash.setdefault(_FROM_WORKERS, []).extend(found)


_FROM_WORKERS = pytest.StashKey[list]()


def _summaries(config: pytest.Config) -> list[dict[str, Any]]:
    """Per session: coverage targets and hits, and the page's uncaught errors; plain data,
    so a worker can send them to the controller."""
    out = []
    for session in config.__dict__.get("_kustomer_sessions", {}).values():
        coverage = session.coverage().coverage
        out.append(
            {
                "impl": session.impl,
                "targets": dict(coverage.targets),
                "hit": sorted(coverage.hit),
                "page_errors": dict(session.driver.page_errors),
            }
        )
    return out


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["kustomer_contract"] = _summaries(session.config)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """With --kustomer-coverage: what the contract items exercised, and what they missed,
    merged over xdist workers. With --kustomer-browser: the page's uncaught errors, often why
    a callback never came."""
    from collections import Counter

    merged: dict[str, dict[str, Any]] = {}
    for part in _summaries(config) + config.stash.get(_FROM_WORKERS, []):
        into = merged.setdefault(
            part["impl"], {"targets": {}, "hit": set(), "page_errors": Counter()}
        )
        into["targets"].update(part["targets"])
        into["hit"].update(part["hit"])
        into["page_errors"].update(part["page_errors"])
    for into in merged.values():
        if into["page_errors"]:
            terminalreporter.section("kustomer-contract: the page's uncaught errors")
            for text, times in into["page_errors"].most_common(5):
                terminalreporter.write_line(f"{times} x {text}")
    wanted = config.getoption("kustomer_coverage") or config.getini("kustomer_coverage")
    if not wanted or not merged:
        return
    from .engine.coverage import Coverage

    terminalreporter.section("kustomer-contract coverage")
    for into in merged.values():
        terminalreporter.write_line(Coverage(into["targets"], into["hit"]).report())


def _settings(config: pytest.Config, impl: str | None = None) -> Settings:
    """The session settings for this run; ``impl`` is what a kustomer_implementation fixture
    returned as ``module:attribute``. Only the run's one source names the implementation, so
    a replay line names the same one."""
    from .engine.session import Settings

    grace = _setting(config, "grace")
    run = _run(config)
    named: dict[str, str | None] = {k: None for k in _KINDS}
    if impl:
        named["impl"] = impl
    elif run.kind:
        named[run.kind] = run.target
    return Settings(
        **named,  # type: ignore[arg-type]  # keys from _KINDS: Settings' str | None fields
        spec=_setting(config, "spec") or DEFAULT_SPEC,
        binding=_setting(config, "binding"),
        klass=_setting(config, "klass"),
        max_examples=_setting(config, "max_examples")
        or DEFAULT_MAX_EXAMPLES,  # None when not given; 0 is refused
        seed=run.seed,
        timeout=_setting(config, "timeout") or DEFAULT_TIMEOUT,
        grace=DEFAULT_GRACE if grace is None else grace,
        shrink_budget=_setting(config, "shrink_budget") or SHRINK_BUDGET,
    )


def pytest_report_header(config: pytest.Config) -> str | None:
    run = _run(config)
    if run.source is None:
        return None
    over = f", overriding {' and '.join(run.overridden)}" if run.overridden else ""
    if run.source == "fixture":
        impl = f"from {run.where}{f' ({over[2:]})' if over else ''}"
    else:
        impl = f"{run.target} ({run.where}{over})"
    if not run.wanted:
        return f"kustomer-contract: impl {impl}; contract items not collected: {run.why_not}"
    s = _settings(config)
    binding = f", binding {s.binding}" if s.binding else ""
    return (
        f"kustomer-contract: impl {impl}, spec {s.spec}{binding}, "
        f"{s.max_examples} cases per guarantee, seed {run.seed}"
    )


class ContractItem(pytest.Function):
    """One guarantee as a test item; reported as contract::<guarantee-id>."""

    def reportinfo(self):
        return self.path, None, f"contract::{self.name}"


class ContractCollector(pytest.Collector):
    """The ``contract`` node: one item per guarantee of the configured spec."""

    def collect(self):
        from .spec.loader import load_spec
        from .spec.types import SpecError

        try:
            spec = load_spec(_settings(self.config).spec)
        except SpecError as exc:
            raise self.CollectError(f"kustomer-contract: {exc}") from None
        for guarantee in spec.guarantees:
            yield ContractItem.from_parent(self, name=guarantee, callobj=_test_for(guarantee))

    class CollectError(Exception):
        pass

    def repr_failure(  # a broken spec: one clear line, no traceback
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str:
        return str(excinfo.value)


def _test_for(guarantee: str) -> Callable[[Session], None]:
    def test(kustomer_contract_session: Session) -> None:
        __tracebackhide__ = True
        from .report.reproducers import failure_text, replayer

        session = kustomer_contract_session
        result = session.check(guarantee)
        if result.status == "not-checkable":
            pytest.skip(f"not checkable through this surface: {result.reason}")
        if result.status == "blocked":
            pytest.skip(f"not judged: every case stopped early ({result.blocked_by})")
        if result.status == "error":
            pytest.fail(f"{guarantee}: the check itself failed: {result.error}", pytrace=False)
        if result.failure is not None:
            replay = replayer(session, "pytest")(guarantee)
            pytest.fail(
                failure_text(
                    session.spec,
                    result,
                    impl=session.impl,
                    klass=session.settings.klass,
                    replay=replay,
                    timeout=session.settings.timeout,
                    grace=session.settings.grace,
                    budget_option="--kustomer-shrink-budget",
                    binding=session.binding,
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
    run = _run(config)
    if not run.wanted or any(getattr(i, "_kustomer_contract", False) for i in items):
        return
    if run.source is None:
        _, deeper = _root_fixture(config)  # conftest.py files loaded while collecting
        if deeper:
            _fixture_out_of_reach(config, deeper)
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

    Override it in the rootdir's conftest.py to return your own factory instead of using
    --kustomer-impl (which, given on the command line, wins over it).
    """
    run = _run(pytestconfig)
    return run.target if run.kind == "impl" else None


@pytest.fixture
def kustomer_contract_session(
    request: pytest.FixtureRequest, pytestconfig: pytest.Config
) -> Session:
    """A loaded contract session (spec, Klass, driver) for the configured implementation."""
    from .drivers.base import ImplementationError
    from .drivers.python import PythonDriver
    from .engine.session import Session
    from .spec.types import SpecError

    run = _run(pytestconfig)
    # A contract item asks the fixture only when the fixture is the run's source, so an
    # option that wins over it is what runs (and what the header names).
    if isinstance(request.node, ContractItem) and run.source != "fixture":
        chosen = None
    else:
        chosen = request.getfixturevalue("kustomer_implementation")
        if chosen is None and isinstance(request.node, ContractItem):
            pytest.fail(
                f"kustomer-contract: {run.where} returned None; return a factory "
                "or 'module:attribute'",
                pytrace=False,
            )
    cache = pytestconfig.__dict__.setdefault("_kustomer_sessions", {})
    key = chosen if chosen is None or isinstance(chosen, str) else id(chosen)
    if key not in cache:
        settings = _settings(pytestconfig, chosen if isinstance(chosen, str) else None)
        problem: str | None
        try:
            session = Session(settings)
            if chosen is not None and not isinstance(chosen, str):
                label = (
                    getattr(chosen, "__module__", "conftest")
                    + ":"
                    + getattr(chosen, "__qualname__", "factory")
                )
                session.impl = label
                session.use_driver(PythonDriver(chosen, session.spec, session.klass, label))
        except (SpecError, ImplementationError) as exc:
            problem = f"kustomer-contract: {exc}"
        else:
            problem = None
        if problem:  # outside the except block: one line, no chained tracebacks
            pytest.fail(problem, pytrace=False)
        cache[key] = session
    return cache[key]


@pytest.fixture(scope="session")
def kustomer_spec(pytestconfig: pytest.Config) -> Spec:
    """The loaded contract spec (``--kustomer-spec``, v1 by default)."""
    from .spec.loader import load_spec

    return load_spec(_settings(pytestconfig).spec)


@pytest.fixture(scope="session")
def kustomer_klass(pytestconfig: pytest.Config) -> Klass | None:
    """The Klass from ``--kustomer-klass``, or None."""
    from .spec.loader import load_klass, load_spec

    settings = _settings(pytestconfig)
    return load_klass(settings.klass, load_spec(settings.spec)) if settings.klass else None


@pytest.fixture(scope="session")
def kustomer_strategies(kustomer_spec: Spec, kustomer_klass: Klass | None) -> SimpleNamespace:
    """Hypothesis strategies bound to the spec and Klass: valid_options(), invalid_options(), ..."""
    from types import SimpleNamespace

    from .generate import strategies as s

    return SimpleNamespace(
        valid_options=lambda: s.valid_options(kustomer_spec, kustomer_klass),
        invalid_options=lambda: s.invalid_options(kustomer_spec, kustomer_klass),
        unknown_custom_options=lambda: s.unknown_custom_options(kustomer_spec, kustomer_klass),
        responses=lambda: s.responses(kustomer_spec),
        sequences=lambda focus=None: s.sequences(kustomer_spec, kustomer_klass, focus),
    )

"""Failure reports and reproducers: JavaScript for a browser console, Python, a pytest test."""

from __future__ import annotations

import json
import pprint
import re
import shlex
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..drivers.targets import is_javascript, is_page
from ..engine.results import Failure, GuaranteeResult
from ..engine.settings import (
    DEFAULT_GRACE,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_SPEC,
    DEFAULT_TIMEOUT,
    SHRINK_BUDGET,
)
from ..generate.cases import Case
from ..spec.bindings import (
    BUILTIN_BINDINGS,
    DEFAULT_BINDING,
    Binding,
    SurfaceCall,
    load_binding,
    resolve_binding_path,
)
from ..spec.types import Method, Spec


def _js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _factory_kwargs(spec: Spec, impl: str, klass: str | None) -> dict[str, Any]:
    """What the Python driver hands the factory (the Klass's names, the spec folder), so the
    snippet builds the same object the run did."""
    from ..drivers.base import ImplementationError
    from ..drivers.python import PythonDriver, load_factory
    from ..spec.loader import load_klass
    from ..spec.types import SpecError

    try:
        names = load_klass(klass) if klass else None
        return PythonDriver(load_factory(impl), spec, names, impl).factory_kwargs
    except (ImplementationError, SpecError):
        return {}


def _mark(violation: Any, index: int | None) -> str | None:
    """The comment that marks the step a failure was seen at."""
    if violation is None or violation.step != index:
        return None
    return f"breaks {violation.guarantee} here: expected {violation.expected}"


# The JavaScript and Python snippets print one JSON line per call, in call order, once every
# callback had its chance: what each callback received (every time it was called), what a call
# raised, and the options object if the call changed it. A person reads the failure there;
# tests/test_reproducers.py compares those lines with a correct implementation's.
_JS_PRELUDE = """\
const seen = [];
const call = (step, method, args, { callback = true, wait = true } = {}) => {
  const record = { step, call: `${method}(${args.map((a) => JSON.stringify(a)).join(', ')})`, callbacks: [] };
  const before = args.length ? JSON.stringify(args[0]) : undefined;
  const deadline = Date.now() + TIMEOUT_MS; // one bound for the return and the callback
  seen.push([record, args[0], before]);
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, wait ? TIMEOUT_MS : 0);
    const cb = (response, error) => {
      const got = error === undefined || error === null ? { response }
        : { error: error instanceof Error ? { exception: `${error.name}: ${error.message}` } : error };
      if (Date.now() > deadline) got.late = true;
      record.callbacks.push(got);
      clearTimeout(timer);
      resolve();
    };
    try {
      const returned = Kustomer[method](...args, ...(callback ? [cb] : []));
      if (returned && typeof returned.then === 'function') {
        record.returned = 'a Promise'; // the contract is callback-based
        returned.catch(() => {});
      }
      if (!callback) { clearTimeout(timer); resolve(); }
    } catch (e) {
      record.raised = String(e);
      clearTimeout(timer);
      resolve();
    }
  });
};
const show = async () => {
  await new Promise((r) => setTimeout(r, GRACE_MS)); // a late or second callback shows up too
  for (const [record, options, before] of seen) {
    if (before !== undefined && JSON.stringify(options) !== before) record.optionsChangedTo = options;
    console.log(JSON.stringify(record));
  }
};"""

# The same for a binding other than web: each call names its method by its path from the
# global (KustomerCore.init, KustomerChat.customer.describeCustomer: called with `this` the
# object the last name is found on) and says how its result comes (``via``): a callback passed
# last, the Promise it returns (awaited with the same bound), or the value it returns (what it
# throws is then the error). Every result is recorded as a callback's would be.
_JS_BINDING_PRELUDE = """\
const seen = [];
// What an error argument, a rejection or a throw shows: an Error by name and message, no
// reason at all (undefined, null) said so (it is still an error), any other value as it is.
const failed = (error, how) => error instanceof Error ? { exception: `${error.name}: ${error.message}` }
  : error === undefined || error === null ? `${error} (${how} without a reason)` : error;
const call = (step, path, args, { callback = true, wait = true, via = 'callback' } = {}) => {
  const record = { step, call: `${path}(${args.map((a) => JSON.stringify(a)).join(', ')})`, callbacks: [] };
  const before = args.length ? JSON.stringify(args[0]) : undefined;
  const deadline = Date.now() + TIMEOUT_MS; // one bound for the return and the result
  seen.push([record, args[0], before]);
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, wait ? TIMEOUT_MS : 0);
    const got = (entry) => {
      if (Date.now() > deadline) entry.late = true;
      record.callbacks.push(entry);
      clearTimeout(timer);
      resolve();
    };
    const cb = (response, error) => got(error === undefined || error === null ? { response } : { error: failed(error, 'an error') });
    try {
      let self = globalThis, method = globalThis;
      for (const name of path.split('.')) [self, method] = [method, method[name]];
      if (typeof method !== 'function') throw new TypeError(`${path} is not a function`);
      const returned = method.apply(self, [...args, ...(via === 'callback' && callback ? [cb] : [])]);
      if (via === 'promise') { // awaited: resolved -> the response, rejected -> the error
        Promise.resolve(returned).then((response) => got({ response }), (reason) => got({ error: failed(reason, 'rejected') }));
      } else if (via === 'return') {
        got({ response: returned });
      } else if (returned && typeof returned.then === 'function') {
        record.returned = 'a Promise'; // this call is callback-based
        returned.catch(() => {});
      }
      if (!callback) { clearTimeout(timer); resolve(); }
    } catch (e) {
      if (via === 'return') { got({ error: failed(e, 'thrown') }); return; } // its error is what it throws
      record.raised = String(e);
      clearTimeout(timer);
      resolve();
    }
  });
};
const show = async () => {
  await new Promise((r) => setTimeout(r, GRACE_MS)); // a late or second result shows up too
  for (const [record, options, before] of seen) {
    if (before !== undefined && JSON.stringify(options) !== before) record.optionsChangedTo = options;
    console.log(JSON.stringify(record));
  }
};"""


# --- one walk over a case's steps, two languages -------------------------------------------


@dataclass(frozen=True)
class _Call:
    step: int | str  # the step's number, or "setup" / "start" / "customer now"
    method: str  # the surface's name for it (a dotted path allowed)
    args: tuple[Any, ...]  # as passed, the callback aside
    callback: bool = True  # a callback surface: pass the callback (describe-no-callback: not)
    wait: bool = True  # wait for the result before the next line
    bind: str | None = None  # the name a call left in flight is kept under
    via: str = "callback"  # how its result comes: "callback", "promise" or "return"


@dataclass(frozen=True)
class _Together:
    """Calls in flight at once; the next line waits for all of them."""

    calls: tuple[_Call, ...]


@dataclass(frozen=True)
class _Pause:
    ms: int
    why: str | None = None


@dataclass(frozen=True)
class _Note:
    text: str


@dataclass(frozen=True)
class _Await:
    names: tuple[str, ...]


_Line = _Call | _Together | _Pause | _Note | _Await


def _binding(spec: Spec, binding: Binding | None) -> Binding:
    return binding if binding is not None else load_binding(DEFAULT_BINDING, spec)


def _is_web(binding: Binding | None) -> bool:
    """Whether the reproducers are today's (every call by its name, with a callback)."""
    return binding is None or binding.is_web


def _walk(
    spec: Spec, case: Case, violation: Any, binding: Binding | None = None
) -> Iterator[_Line]:
    """The case as the lines of a reproducer, in any language: the binding's setup calls,
    calls issued before start, start, each step after its drawn pause, then a read-back of the
    customer (where the binding can read it back). Every call goes through the binding's
    surface: its name, its arguments, how its result comes."""
    start, identify, forget = (spec.by_role(role) for role in ("start", "identify", "forget"))
    assert start is not None  # the loader requires exactly one start method
    surfaces: dict[str, SurfaceCall] = {}
    bound = _binding(spec, binding)

    def made(
        step: int | str, method: Method, options: Any, *, callback: bool = True, wait: bool = True,
        bind: str | None = None,
    ) -> _Call:  # fmt: skip
        if method.name not in surfaces:
            surfaces[method.name] = bound.surface(spec, method)
        surface = surfaces[method.name]
        args = tuple(surface.arguments(method, options))
        if not surface.takes_callback and not callback:
            callback, wait = True, False  # the result is not waited for (still recorded)
        return _Call(step, surface.method, args, callback, wait, bind, surface.result)

    def of(step: Any) -> Method:
        return spec.methods[step.method] if step.method else spec.target

    def mark(i: int | None) -> Iterator[_Note]:
        note = _mark(violation, i)
        if note:
            yield _Note(note)

    for setup in bound.setup:  # made on every fresh instance before anything else
        yield _Call("setup", setup.method, tuple(setup.args), via=setup.result)
    befores = []
    for i, step in enumerate(case.steps):
        if step.action == "describe-before-start":
            yield from mark(i)
            befores.append(f"before{i}")
            yield made(i + 1, of(step), step.options, wait=False, bind=befores[-1])
    yield from mark(None)
    yield made("start", start, {} if start.takes_options else None)
    for i, step in enumerate(case.steps):
        a, n, target = step.action, i + 1, of(step)
        if a == "describe-before-start":
            continue
        if step.gap_ms:
            yield _Pause(step.gap_ms)
        yield from mark(i)
        if a in ("describe-invalid", "describe-unknown"):
            yield _Note(f"must fail: {step.broken_rule}")
        if a in ("describe", "describe-invalid", "describe-unknown"):
            yield made(n, target, step.options)
        elif a == "describe-no-callback":
            yield made(n, target, step.options, callback=False)
            yield _Pause(100, "time to apply it")
        elif a == "overlap":
            yield _Together(tuple(made(n, target, o) for o in step.options))
        elif a == "login" and identify:
            yield made(n, identify, case.tokens[step.token])
        elif a == "describe-during-login" and identify:
            yield _Note(
                "the caller does not wait for login's callback (breaks describe-after-login)"
            )
            login = made(n, identify, case.tokens[step.token])
            yield _Together((login, made(n, target, step.options)))
        elif a == "logout" and forget:
            yield made(n, forget, None)
    if befores:
        yield _Await(tuple(befores))
    if bound.unreadable_reason(spec) is None:
        yield made("customer now", spec.target, {})


def _calls(lines: Sequence[_Line]) -> Iterator[_Call]:
    for line in lines:
        if isinstance(line, _Call):
            yield line
        elif isinstance(line, _Together):
            yield from line.calls


def _js_call(c: _Call, obj: str | None = None) -> str:
    """``obj``: the global a binding other than web names, the calls' paths start from it."""
    step = f"'{c.step}'" if isinstance(c.step, str) else str(c.step)
    flags = [
        f"{name}: false" for name, on in (("callback", c.callback), ("wait", c.wait)) if not on
    ]
    if c.via != "callback":
        flags.insert(0, f"via: '{c.via}'")
    options = f", {{ {', '.join(flags)} }}" if flags else ""
    method = f"{obj}.{c.method}" if obj else c.method
    return f"call({step}, '{method}', [{', '.join(_js(a) for a in c.args)}]{options})"


def _js_line(line: _Line, obj: str | None = None) -> str:
    if isinstance(line, _Call):
        call = _js_call(line, obj)
        return f"const {line.bind} = {call};" if line.bind else f"await {call};"
    if isinstance(line, _Together):
        return f"await Promise.all([{', '.join(_js_call(c, obj) for c in line.calls)}]);"
    if isinstance(line, _Pause):
        why = f" // {line.why}" if line.why else ""
        return f"await new Promise((r) => setTimeout(r, {line.ms}));{why}"
    if isinstance(line, _Note):
        return f"// {line.text}"
    return f"await Promise.all([{', '.join(line.names)}]);"


def _python_call(c: _Call, wait: bool = True) -> str:
    args = "".join(f", {pprint.pformat(a)}" for a in c.args)
    flags = "".join(
        f", {name}=False"
        for name, on in (("callback", c.callback), ("wait", c.wait and wait))
        if not on
    )
    via = f", via={c.via!r}" if c.via != "callback" else ""
    return f"call({c.step!r}, {c.method!r}{args}{via}{flags})"


def _python_line(line: _Line) -> str:
    if isinstance(line, _Call):
        return f"{line.bind} = {_python_call(line)}" if line.bind else _python_call(line)
    if isinstance(line, _Together):
        calls = ", ".join(_python_call(c, wait=False) for c in line.calls)
        return f"[done.wait(TIMEOUT) for done in [{calls}]]"
    if isinstance(line, _Pause):
        why = f"  # {line.why}" if line.why else ""
        return f"time.sleep({line.ms / 1000}){why}"
    if isinstance(line, _Note):
        return f"# {line.text}"
    return "\n".join(f"{name}.wait(TIMEOUT)" for name in line.names)


def javascript(
    spec: Spec,
    case: Case,
    *,
    violation: Any = None,
    timeout: float = DEFAULT_TIMEOUT,
    grace: float = DEFAULT_GRACE,
    binding: Binding | None = None,
) -> str:
    """The case as calls on ``window.Kustomer`` (the binding's global: ``KustomerCore`` for
    core), pasteable into a browser console."""
    web = _is_web(binding)
    obj = None if web else _binding(spec, binding).object
    lines = [
        f"const TIMEOUT_MS = {round(timeout * 1000)}, GRACE_MS = {round(grace * 1000)};",
        _JS_PRELUDE if web else _JS_BINDING_PRELUDE,
        "(async () => {",
    ]
    body = [_js_line(step, obj) for step in _walk(spec, case, violation, binding)]
    body.append("await show();")
    lines += ["  " + line for line in body]
    lines.append("})();")
    return "\n".join(lines)


def node_script(
    spec: Spec,
    case: Case,
    impl: str,
    klass: str | None,
    *,
    violation: Any = None,
    timeout: float = DEFAULT_TIMEOUT,
    grace: float = DEFAULT_GRACE,
    binding: Binding | None = None,
) -> str:
    """The JavaScript reproducer as a Node script: loads the module as the driver does (its
    default export, else the binding's global the module sets)."""
    from pathlib import Path

    from ..spec.loader import load_klass

    names = load_klass(klass) if klass else None
    arg = (
        _js({"klass": sorted(names.attributes),
             "klasses": {k: sorted(v) for k, v in names.others}})
        if names else ""
    )  # fmt: skip
    url = Path(impl).resolve().as_uri()
    obj = _binding(spec, binding).object  # an identifier (the binding schema says so)
    header = f"""\
// node repro.mjs: {impl} as the check loaded it
globalThis.window ??= globalThis; // a browser-style module writes window.{obj}, as in the check
const mod = await import({_js(url)});
const made = mod.default ?? globalThis.{obj};
const isClass = typeof made === "function" && /^class\\b/.test(Function.prototype.toString.call(made));
globalThis.{obj} = isClass ? new made({arg}) : typeof made === "function" ? await made({arg}) : made;
"""
    return header + javascript(
        spec, case, violation=violation, timeout=timeout, grace=grace, binding=binding
    )


# What a callback (or a settled result) received, recorded the same way in both preludes.
_PY_GOT = """\
    def got(*given, **named):
        response, error = (given + (None, None))[:2]
        if error is None:
            entry = {'response': response}
        elif isinstance(error, BaseException):
            entry = {'error': {'exception': f'{type(error).__name__}: {error}'}}
        else:
            entry = {'error': error}
        if named:
            entry['keywords'] = sorted(named)
        if time.monotonic() > deadline:
            entry['late'] = True
        record['callbacks'].append(entry)
        done.set()
"""

_PY_PRELUDE = """\
def call(step, method, *args, callback=True, wait=True):
    record = {'step': step, 'call': f"{method}({', '.join(map(repr, args))})", 'callbacks': []}
    done = threading.Event()
    deadline = time.monotonic() + TIMEOUT  # one bound for the return and the callback

{got}
    seen.append((record, args[0] if args else None, copy.deepcopy(args[:1])))
    try:
        returned = getattr(kustomer, method)(*args, *([got] if callback else []))
    except Exception as exc:
        record['raised'] = f'{type(exc).__name__}: {exc}'
        return done
    if inspect.isawaitable(returned):
        record['returned'] = type(returned).__name__  # the contract is callback-based
        getattr(returned, 'close', lambda: None)()
    if wait and callback:
        done.wait(max(0.0, deadline - time.monotonic()))
    return done
""".replace("{got}", _PY_GOT)

# The same for a binding other than web: a method by its dotted path on the object, and its
# result by ``via``: a callback passed last, the awaitable it returns (awaited on one event
# loop thread, as the run awaited it) or the value it returns (what it raises is the error).
_PY_SETTLE = """\
def settle(returned, got):
    \"\"\"What awaiting ``returned`` on LOOP gives goes to ``got`` (at once if it is not
    awaitable): resolved -> (value, None), raised -> (None, the exception).\"\"\"
    if not inspect.isawaitable(returned):
        got(returned)
        return

    async def outcome():
        try:
            return await returned, None
        except Exception as exc:  # the rejection
            return None, exc

    future = asyncio.run_coroutine_threadsafe(outcome(), LOOP)
    future.add_done_callback(lambda done: done.cancelled() or got(*done.result()))
    awaiting.append(future)

"""

_PY_BINDING_PRELUDE = """\
def call(step, method, *args, callback=True, wait=True, via='callback'):
    record = {'step': step, 'call': f"{method}({', '.join(map(repr, args))})", 'callbacks': []}
    done = threading.Event()
    deadline = time.monotonic() + TIMEOUT  # one bound for the return and the result

{got}
    seen.append((record, args[0] if args else None, copy.deepcopy(args[:1])))
    try:
        function = functools.reduce(getattr, method.split('.'), kustomer)
        returned = function(*args, *([got] if via == 'callback' and callback else []))
    except Exception as exc:
        if via == 'return':  # its error is what it raises
            got(None, exc)
            return done
        record['raised'] = f'{type(exc).__name__}: {exc}'
        return done
    if via == 'promise':
        settle(returned, got)
    elif via == 'return':
        got(returned)
    elif inspect.isawaitable(returned):
        record['returned'] = type(returned).__name__  # this call is callback-based
        getattr(returned, 'close', lambda: None)()
    if wait and callback:
        done.wait(max(0.0, deadline - time.monotonic()))
    return done
""".replace("{got}", _PY_GOT)

_PY_SHOW = """\

def show():
    time.sleep(GRACE)  # a late or second callback shows up too
    for record, options, before in seen:
        if before and options != before[0]:
            record['options_changed_to'] = options
        print(json.dumps(record, default=repr, ensure_ascii=False))
"""

# After the lines are shown, what never settled is cancelled (and the loop let run the
# cancellations), so the snippet ends without "Task was destroyed but it is pending!".
_PY_SHOW_END_AWAITS = """\
    for future in awaiting:
        future.cancel()
    asyncio.run_coroutine_threadsafe(asyncio.sleep(0.05), LOOP).result(TIMEOUT)
"""


def python(
    spec: Spec,
    case: Case,
    impl: str,
    *,
    klass: str | None = None,
    violation: Any = None,
    timeout: float = DEFAULT_TIMEOUT,
    grace: float = DEFAULT_GRACE,
    binding: Binding | None = None,
) -> str:
    """The case as plain Python calls on the implementation, built as the run built it (and
    called through the binding: awaitables awaited on one event loop thread)."""
    module, _, attribute = impl.partition(":")
    kwargs = ", ".join(f"{k}={v!r}" for k, v in _factory_kwargs(spec, impl, klass).items())
    web = _is_web(binding)
    steps = list(_walk(spec, case, violation, binding))
    awaits = any(c.via == "promise" for c in _calls(steps))
    modules = "copy, inspect, json, sys, threading, time"
    if not web:
        modules = (
            "asyncio, " if awaits else ""
        ) + "copy, functools, inspect, json, sys, threading, time"
    out = [
        f"import {modules}",
        f"from {module} import {attribute.split('.')[0]}",
        "",
        f"kustomer = {attribute}({kwargs})",
        f"TIMEOUT, GRACE, seen = {timeout:g}, {grace:g}, []",
        "if hasattr(sys, 'set_int_max_str_digits'):  # a response may hold a huge int",
        "    sys.set_int_max_str_digits(0)",
    ]
    if awaits:
        out += [
            "LOOP = asyncio.new_event_loop()  # the one loop every awaitable is awaited on",
            "threading.Thread(target=LOOP.run_forever, daemon=True).start()",
            "awaiting = []  # what LOOP awaits",
        ]
    out += ["", ""]
    if awaits:
        out.append(_PY_SETTLE)
    out += [_PY_PRELUDE if web else _PY_BINDING_PRELUDE, _PY_SHOW]
    if awaits:
        out[-1] += _PY_SHOW_END_AWAITS
    out.append("")
    out += [_python_line(step) for step in steps]
    out.append("show()")
    return "\n".join(out)


def _binding_argument(binding: Binding | None) -> str | None:
    """How replay_case is told the binding: a bundled one by name, another by its file's
    path; None for web (its default)."""
    if binding is None:
        return None
    if (
        binding.name in BUILTIN_BINDINGS
        and binding.path == resolve_binding_path(binding.name).resolve()
    ):
        return None if binding.name == DEFAULT_BINDING else binding.name
    return str(binding.path)


def pytest_test(
    spec: Spec,
    failure: Failure,
    impl: str,
    klass: str | None,
    timeout: float = DEFAULT_TIMEOUT,
    grace: float = DEFAULT_GRACE,
    binding: Binding | None = None,
) -> str:
    """A ready regression test that replays the case and asserts the guarantee holds (through
    the same binding: one found by itself, as promise, is named)."""
    name = re.sub(r"\W", "_", failure.guarantee)
    case = pprint.pformat(failure.case.to_json(), width=96, sort_dicts=False)
    spec_arg = spec.name if spec.path.parent.parent.name == "specs" else str(spec.path)
    surface = _binding_argument(binding)
    return "\n".join(
        [
            "from kustomer_contract.runner import replay_case",
            "",
            f"CASE = {case}",
            "",
            "",
            f"def test_{name}_regression():",
            f"    result = replay_case({impl!r}, CASE, spec={spec_arg!r}, klass={klass!r}"
            + (f", binding={surface!r}" if surface is not None else "")
            + (f", timeout={timeout:g}" if timeout != DEFAULT_TIMEOUT else "")
            + (f", grace={grace:g})" if grace != DEFAULT_GRACE else ")"),
            f"    assert not result.of({failure.guarantee!r}), result.explain({failure.guarantee!r})",
        ]
    )


# Every option that changes a verdict: (Settings field, CLI flag, the default left out).
_REPLAY_OPTIONS = (
    ("spec", "--spec", DEFAULT_SPEC),
    ("klass", "--klass", None),
    ("max_examples", "--max-examples", DEFAULT_MAX_EXAMPLES),
    ("timeout", "--timeout", DEFAULT_TIMEOUT),
    ("grace", "--grace", DEFAULT_GRACE),
    ("shrink_budget", "--shrink-budget", SHRINK_BUDGET),
)


def replay_line(settings: Any, seed: int, guarantee: str, form: str = "cli") -> str:
    """The command that reruns one guarantee with everything that decided its verdict,
    shell-quoted: ``form`` "cli" (kustomer-contract check) or "pytest" (the plugin)."""
    pytest_form = form == "pytest"

    def flag(cli: str) -> str:
        return "--kustomer-" + cli[2:] if pytest_form else cli

    parts = ["pytest"] if pytest_form else ["kustomer-contract", "check"]
    for name in ("browser", "node", "impl"):  # the one the run used, as the session picks it
        value = getattr(settings, name, None)
        if value:
            parts += [flag("--" + name), str(value)]
            break
    binding = getattr(settings, "binding", None)  # as given: one found by itself is found again
    if binding and binding != DEFAULT_BINDING:
        parts += [flag("--binding"), str(binding)]
    for name, cli, default in _REPLAY_OPTIONS:
        value = getattr(settings, name, default)
        if value is not None and value != default:
            parts += [flag(cli), f"{value:g}" if isinstance(value, float) else str(value)]
    parts += [flag("--seed"), str(seed)]
    parts += ["-k", guarantee] if pytest_form else ["--only", guarantee]
    return shlex.join(parts)


def replayer(session: Any, form: str = "cli") -> Callable[[str], str]:
    """``guarantee -> replay_line`` for a session's settings and seed."""
    return lambda guarantee: replay_line(session.settings, session.seed, guarantee, form)


def _indent(text: str, by: str = "    ") -> str:
    return "\n".join(by + line if line else line for line in text.splitlines())


def _snippets(
    spec: Spec,
    failure: Failure,
    impl: str,
    klass: str | None,
    timeout: float,
    grace: float,
    binding: Binding | None = None,
) -> dict[str, str | None]:
    """Every reproducer of one failure, by kind, each through the run's binding; None for a
    form that cannot reproduce it (Python for a JavaScript implementation, Node for a page)."""
    case, v = failure.case, failure.violation
    node = is_javascript(impl) and not is_page(impl)
    timing: dict[str, Any] = {
        "violation": v,
        "timeout": timeout,
        "grace": grace,
        "binding": binding,
    }
    return {
        "javascript": javascript(spec, case, **timing),
        "node": node_script(spec, case, impl, klass, **timing) if node else None,
        "python": None if is_javascript(impl) else python(spec, case, impl, klass=klass, **timing),
        "pytest": pytest_test(spec, failure, impl, klass, timeout, grace, binding),
    }


def shrink_note(result: GuaranteeResult, option: str = "--shrink-budget") -> str | None:
    """Why the case may not be minimal, and the option that lets shrinking go on."""
    f = result.failure
    if f is None or not f.shrink_stopped:
        return None
    budget = result.shrink_budget or SHRINK_BUDGET
    return (
        f"shrinking stopped after {budget} cases, so the case may not be minimal; "
        f"give more with {option} {budget * 4}"
    )


RACES_NOTE = (
    "calls of this case are in flight together, so a run may not show it every time: "
    "run a snippet a few times (the regression test retries it itself)"
)


def failure_text(
    spec: Spec,
    result: GuaranteeResult,
    *,
    impl: str,
    klass: str | None,
    replay: str,
    timeout: float = DEFAULT_TIMEOUT,
    grace: float = DEFAULT_GRACE,
    budget_option: str = "--shrink-budget",
    binding: Binding | None = None,
) -> str:
    """Everything a person needs to understand and reproduce one failed guarantee."""
    f = result.failure
    assert f is not None
    v = f.violation
    where = "start" if v.step is None else f"step {v.step + 1} of {len(f.case.steps)}"
    note = shrink_note(result, budget_option)
    snippets = _snippets(spec, f, impl, klass, timeout, grace, binding)
    obj = _binding(spec, binding).object
    parts = [
        f"FAILED {f.guarantee}: {spec.guarantees.get(f.guarantee, '')}",
        f"  call:     {v.call}  ({where})",
        f"  expected: {v.expected}",
        f"  observed: {v.observed}",
        f"  replay:   {replay}",
        *([f"  note:     {note}"] if note else []),
        *([f"  races:    {RACES_NOTE}"] if f.case.races else []),
        "",
        *(
            [
                "  minimal call sequence, JavaScript (paste into the browser console of a page "
                f"with {obj}):",
                _indent(snippets["javascript"]),
                "",
            ]
            if snippets["javascript"]
            else []
        ),
        *(["  the same in Python:", _indent(snippets["python"]), ""] if snippets["python"] else []),
        "  as a pytest regression test:",
        _indent(snippets["pytest"] or ""),
    ]
    return "\n".join(parts)


def table(results: Sequence[GuaranteeResult]) -> str:
    """The guarantees with their verdicts, as a fixed-width table."""
    width = max(len(r.guarantee) for r in results) if results else 10
    rows = [f"{'guarantee':<{width}}  {'result':<7}  {'cases':>5}  {'seconds':>7}"]
    for r in results:
        note = ""
        if r.status == "blocked":
            note = f"  not judged: every case stopped early ({r.blocked_by})"
        elif r.status == "error":
            note = f"  {r.error}"
        elif r.status == "not-checkable":
            note = f"  not checkable through this surface: {r.reason}"
        status = "n/a" if r.status == "not-checkable" else r.status  # keeps the columns
        rows.append(f"{r.guarantee:<{width}}  {status:<7}  {r.cases:>5}  {r.seconds:>7.2f}{note}")
    return "\n".join(rows)


def to_json(
    spec: Spec,
    results: Sequence[GuaranteeResult],
    *,
    impl: str,
    klass: str | None,
    seed: int,
    timeout: float = DEFAULT_TIMEOUT,
    grace: float = DEFAULT_GRACE,
    replay: Callable[[str], str] | None = None,
    binding: Binding | None = None,
) -> dict[str, Any]:
    out = []
    for r in results:
        entry: dict[str, Any] = {
            "guarantee": r.guarantee,
            "status": r.status,
            "cases": r.cases,
            "seconds": round(r.seconds, 3),
        }
        if r.blocked_by:
            entry["blocked_by"] = r.blocked_by
        if r.error:
            entry["error"] = r.error
        if r.reason:
            entry["reason"] = r.reason
        if r.failure:
            entry["failure"] = {
                **r.failure.violation.to_json(),
                "case": r.failure.case.to_json(),
                **({"replay": replay(r.guarantee)} if replay else {}),
                "shrink_stopped": r.failure.shrink_stopped,
                **({"note": shrink_note(r)} if r.failure.shrink_stopped else {}),
                **_snippets(spec, r.failure, impl, klass, timeout, grace, binding),
            }
        out.append(entry)
    return {
        "spec": spec.name,
        "impl": impl,
        "klass": klass,
        "seed": seed,
        "passed": all(r.kept for r in results),
        **({"binding": binding.name} if binding is not None else {}),
        "results": out,
    }

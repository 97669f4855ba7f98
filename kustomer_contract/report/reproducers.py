"""Failure reports and reproducers: JavaScript for a browser console, Python, a pytest test."""

from __future__ import annotations

import json
import pprint
import re
import shlex
from collections.abc import Callable, Sequence
from typing import Any

from ..engine.runner import Failure, GuaranteeResult, is_javascript, is_page
from ..engine.settings import (
    DEFAULT_GRACE,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_SPEC,
    DEFAULT_TIMEOUT,
    SHRINK_BUDGET,
)
from ..generate.cases import Case
from ..spec.types import Spec


def _js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _method(spec: Spec, step: Any) -> str:
    return step.method or spec.target.name


def _factory_kwargs(spec: Spec, impl: str, klass: str | None) -> dict[str, Any]:
    """What the Python driver hands the factory (the Klass's names, the spec folder), so the
    snippet builds the same object the run did."""
    from ..drivers.python import ImplementationError, PythonDriver, load_factory
    from ..spec.loader import load_klass
    from ..spec.types import SpecError

    try:
        names = load_klass(klass) if klass else None
        return PythonDriver(load_factory(impl), spec, names, impl)._kwargs
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


def javascript(
    spec: Spec,
    case: Case,
    *,
    violation: Any = None,
    timeout: float = DEFAULT_TIMEOUT,
    grace: float = DEFAULT_GRACE,
) -> str:
    """The case as calls on ``window.Kustomer``, pasteable into a browser console."""
    start, identify, forget = (
        spec.by_role("start"),
        spec.by_role("identify"),
        spec.by_role("forget"),
    )
    assert start is not None  # the loader requires exactly one start method
    lines = [
        f"const TIMEOUT_MS = {round(timeout * 1000)}, GRACE_MS = {round(grace * 1000)};",
        _JS_PRELUDE,
        "(async () => {",
    ]
    body: list[str] = []

    def mark(i: int | None) -> None:
        note = _mark(violation, i)
        if note:
            body.append(f"// {note}")

    def pause(step: Any) -> None:
        if step.gap_ms:
            body.append(f"await new Promise((r) => setTimeout(r, {step.gap_ms}));")

    befores = []
    for i, step in enumerate(case.steps):
        if step.action == "describe-before-start":
            mark(i)
            body.append(
                f"const before{i} = call({i + 1}, '{_method(spec, step)}', [{_js(step.options)}], {{ wait: false }});"
            )
            befores.append(f"before{i}")
    mark(None)
    body.append(f"await call('start', '{start.name}', [{'{}' if start.takes_options else ''}]);")
    for i, step in enumerate(case.steps):
        target = _method(spec, step)
        a = step.action
        n = i + 1
        if a == "describe-before-start":
            continue
        pause(step)
        mark(i)
        if a == "describe":
            body.append(f"await call({n}, '{target}', [{_js(step.options)}]);")
        elif a in ("describe-invalid", "describe-unknown"):
            label = step.label or {}
            body.append(f"// must fail: {label.get('pointer', '')} ({label.get('keyword', '')})")
            body.append(f"await call({n}, '{target}', [{_js(step.options)}]);")
        elif a == "describe-no-callback":
            body.append(
                f"await call({n}, '{target}', [{_js(step.options)}], {{ callback: false }});"
            )
            body.append("await new Promise((r) => setTimeout(r, 100)); // time to apply it")
        elif a == "overlap":
            calls = ", ".join(f"call({n}, '{target}', [{_js(o)}])" for o in step.options)
            body.append(f"await Promise.all([{calls}]);")
        elif a == "login" and identify:
            body.append(f"await call({n}, '{identify.name}', [{_js(case.tokens[step.token])}]);")
        elif a == "describe-during-login" and identify:
            body.append(
                "// the caller does not wait for login's callback (breaks describe-after-login)"
            )
            body.append(
                f"await Promise.all([call({n}, '{identify.name}', "
                f"[{_js(case.tokens[step.token])}]), call({n}, '{target}', [{_js(step.options)}])]);"
            )
        elif a == "logout" and forget:
            body.append(f"await call({n}, '{forget.name}', []);")
    if befores:
        body.append(f"await Promise.all([{', '.join(befores)}]);")
    body.append(f"await call('customer now', '{spec.target.name}', [{{}}]);")
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
) -> str:
    """The JavaScript reproducer as a Node script: loads the module as the driver does."""
    from pathlib import Path

    from ..spec.loader import load_klass

    names = load_klass(klass) if klass else None
    arg = (
        _js({"klass": sorted(names.attributes),
             "klasses": {k: sorted(v) for k, v in names.others}})
        if names else ""
    )  # fmt: skip
    url = Path(impl).resolve().as_uri()
    header = f"""\
// node repro.mjs: {impl} as the check loaded it
const mod = await import({_js(url)});
const made = mod.default ?? globalThis.Kustomer;
const isClass = typeof made === "function" && /^class\\b/.test(Function.prototype.toString.call(made));
globalThis.Kustomer = isClass ? new made({arg}) : typeof made === "function" ? await made({arg}) : made;
"""
    return header + javascript(spec, case, violation=violation, timeout=timeout, grace=grace)


_PY_PRELUDE = """\
def call(step, method, *args, callback=True, wait=True):
    record = {'step': step, 'call': f"{method}({', '.join(map(repr, args))})", 'callbacks': []}
    done = threading.Event()
    deadline = time.monotonic() + TIMEOUT  # one bound for the return and the callback

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


def show():
    time.sleep(GRACE)  # a late or second callback shows up too
    for record, options, before in seen:
        if before and options != before[0]:
            record['options_changed_to'] = options
        print(json.dumps(record, default=repr, ensure_ascii=False))
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
) -> str:
    """The case as plain Python calls on the implementation, built as the run built it."""
    module, _, attribute = impl.partition(":")
    start, identify, forget = (
        spec.by_role("start"),
        spec.by_role("identify"),
        spec.by_role("forget"),
    )
    assert start is not None  # the loader requires exactly one start method
    kwargs = ", ".join(f"{k}={v!r}" for k, v in _factory_kwargs(spec, impl, klass).items())
    out = [
        "import copy, inspect, json, sys, threading, time",
        f"from {module} import {attribute.split('.')[0]}",
        "",
        f"kustomer = {attribute}({kwargs})",
        f"TIMEOUT, GRACE, seen = {timeout:g}, {grace:g}, []",
        "if hasattr(sys, 'set_int_max_str_digits'):  # a response may hold a huge int",
        "    sys.set_int_max_str_digits(0)",
        "",
        "",
        _PY_PRELUDE,
        "",
    ]
    r = pprint.pformat

    def mark(i: int | None) -> None:
        note = _mark(violation, i)
        if note:
            out.append(f"# {note}")

    befores = []
    for i, step in enumerate(case.steps):
        if step.action == "describe-before-start":
            mark(i)
            out.append(
                f"before{i} = call({i + 1}, {_method(spec, step)!r}, {r(step.options)}, wait=False)"
            )
            befores.append(f"before{i}")
    mark(None)
    out.append(f"call('start', {start.name!r}{', {}' if start.takes_options else ''})")
    for i, step in enumerate(case.steps):
        target = _method(spec, step)
        a = step.action
        n = i + 1
        if a == "describe-before-start":
            continue
        if step.gap_ms:
            out.append(f"time.sleep({step.gap_ms / 1000})")
        mark(i)
        if a in ("describe", "describe-invalid", "describe-unknown"):
            if a != "describe":
                label = step.label or {}
                out.append(f"# must fail: {label.get('pointer', '')} ({label.get('keyword', '')})")
            out.append(f"call({n}, {target!r}, {r(step.options)})")
        elif a == "describe-no-callback":
            out.append(f"call({n}, {target!r}, {r(step.options)}, callback=False)")
            out.append("time.sleep(0.1)  # time to apply it")
        elif a == "overlap":
            calls = ", ".join(f"call({n}, {target!r}, {r(o)}, wait=False)" for o in step.options)
            out.append(f"[done.wait(TIMEOUT) for done in [{calls}]]")
        elif a == "login" and identify:
            out.append(f"call({n}, {identify.name!r}, {r(case.tokens[step.token])})")
        elif a == "describe-during-login" and identify:
            out.append(
                "# the caller does not wait for login's callback (breaks describe-after-login)"
            )
            out.append(
                f"login = call({n}, {identify.name!r}, {r(case.tokens[step.token])}, wait=False)"
            )
            out.append(f"call({n}, {target!r}, {r(step.options)})")
            out.append("login.wait(TIMEOUT)")
        elif a == "logout" and forget:
            out.append(f"call({n}, {forget.name!r})")
    for name in befores:
        out.append(f"{name}.wait(TIMEOUT)")
    out.append(f"call('customer now', {spec.target.name!r}, {{}})")
    out.append("show()")
    return "\n".join(out)


def pytest_test(
    spec: Spec,
    failure: Failure,
    impl: str,
    klass: str | None,
    timeout: float = DEFAULT_TIMEOUT,
    grace: float = DEFAULT_GRACE,
) -> str:
    """A ready regression test that replays the case and asserts the guarantee holds."""
    name = re.sub(r"\W", "_", failure.guarantee)
    case = pprint.pformat(failure.case.to_json(), width=96, sort_dicts=False)
    spec_arg = spec.name if spec.path.parent.parent.name == "specs" else str(spec.path)
    return "\n".join(
        [
            "from kustomer_contract.runner import replay_case",
            "",
            f"CASE = {case}",
            "",
            "",
            f"def test_{name}_regression():",
            f"    result = replay_case({impl!r}, CASE, spec={spec_arg!r}, klass={klass!r}"
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
    spec: Spec, failure: Failure, impl: str, klass: str | None, timeout: float, grace: float
) -> dict[str, str | None]:
    """Every reproducer of one failure, by kind."""
    case, v = failure.case, failure.violation
    node = is_javascript(impl) and not is_page(impl)
    return {
        "javascript": javascript(spec, case, violation=v, timeout=timeout, grace=grace),
        "node": node_script(spec, case, impl, klass, violation=v, timeout=timeout, grace=grace)
        if node
        else None,
        "python": None
        if is_javascript(impl)
        else python(spec, case, impl, klass=klass, violation=v, timeout=timeout, grace=grace),
        "pytest": pytest_test(spec, failure, impl, klass, timeout, grace),
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
) -> str:
    """Everything a person needs to understand and reproduce one failed guarantee."""
    f = result.failure
    assert f is not None
    v = f.violation
    where = "start" if v.step is None else f"step {v.step + 1} of {len(f.case.steps)}"
    note = shrink_note(result, budget_option)
    snippets = _snippets(spec, f, impl, klass, timeout, grace)
    parts = [
        f"FAILED {f.guarantee}: {spec.guarantees.get(f.guarantee, '')}",
        f"  call:     {v.call}  ({where})",
        f"  expected: {v.expected}",
        f"  observed: {v.observed}",
        f"  replay:   {replay}",
        *([f"  note:     {note}"] if note else []),
        "",
        "  minimal call sequence, JavaScript (paste into the browser console of a page with Kustomer):",
        _indent(snippets["javascript"] or ""),
        "",
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
        rows.append(f"{r.guarantee:<{width}}  {r.status:<7}  {r.cases:>5}  {r.seconds:>7.2f}{note}")
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
        if r.failure:
            entry["failure"] = {
                **r.failure.violation.to_json(),
                "case": r.failure.case.to_json(),
                **({"replay": replay(r.guarantee)} if replay else {}),
                "shrink_stopped": r.failure.shrink_stopped,
                **({"note": shrink_note(r)} if r.failure.shrink_stopped else {}),
                **_snippets(spec, r.failure, impl, klass, timeout, grace),
            }
        out.append(entry)
    return {
        "spec": spec.name,
        "impl": impl,
        "klass": klass,
        "seed": seed,
        "passed": all(r.status == "passed" for r in results),
        "results": out,
    }

"""Failure reports and reproducers: JavaScript for a browser console, Python, a pytest test."""

from __future__ import annotations

import json
import pprint
import re
from collections.abc import Sequence
from typing import Any

from .model import Case
from .runner import Failure, GuaranteeResult, is_javascript
from .spec import Spec


def _js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _method(spec: Spec, step: Any) -> str:
    return step.method or spec.target.name


def javascript(spec: Spec, case: Case) -> str:
    """The case as calls on ``window.Kustomer``, pasteable into a browser console."""
    start, identify, forget = (
        spec.by_role("start"),
        spec.by_role("identify"),
        spec.by_role("forget"),
    )
    lines = [
        "const call = (method, ...args) => new Promise((resolve) =>",
        "  Kustomer[method](...args, (response, error) => resolve({ response, error })));",
        "(async () => {",
    ]
    body: list[str] = []
    for step in case.steps:
        target = _method(spec, step)
        if step.gap_ms:
            body.append(f"await new Promise((r) => setTimeout(r, {step.gap_ms}));")
        a = step.action
        if a == "describe-before-start":
            body.append(
                f"Kustomer.{target}({_js(step.options)}, (response, error) => "
                "console.log('before start:', response, error));"
            )
    body.append(f"await call('{start.name}'{', {}' if start.takes_options else ''});")
    for step in case.steps:
        target = _method(spec, step)
        a = step.action
        if a == "describe-before-start":
            continue
        if step.gap_ms:
            body.append(f"await new Promise((r) => setTimeout(r, {step.gap_ms}));")
        if a == "describe":
            body.append(f"console.log(await call('{target}', {_js(step.options)}));")
        elif a in ("describe-invalid", "describe-unknown"):
            label = step.label or {}
            body.append(f"// must fail: {label.get('pointer', '')} ({label.get('keyword', '')})")
            body.append(f"console.log(await call('{target}', {_js(step.options)}));")
        elif a == "describe-no-callback":
            body.append(f"Kustomer.{target}({_js(step.options)});  // no callback")
        elif a == "overlap":
            calls = ", ".join(f"call('{target}', {_js(o)})" for o in step.options)
            body.append(f"console.log(await Promise.all([{calls}]));")
        elif a == "login" and identify:
            body.append(f"await call('{identify.name}', {_js(case.tokens[step.token])});")
        elif a == "describe-during-login" and identify:
            body.append(
                "// the caller does not wait for login's callback (breaks describe-after-login)"
            )
            body.append(
                f"console.log(await Promise.all([call('{identify.name}', "
                f"{_js(case.tokens[step.token])}), call('{target}', {_js(step.options)})]));"
            )
        elif a == "logout" and forget:
            body.append(f"await call('{forget.name}');")
    body.append(f"console.log('customer now:', await call('{spec.target.name}', {{}}));")
    lines += ["  " + line for line in body]
    lines.append("})();")
    return "\n".join(lines)


def python(spec: Spec, case: Case, impl: str) -> str:
    """The case as plain Python calls on the implementation."""
    module, _, attribute = impl.partition(":")
    start, identify, forget = (
        spec.by_role("start"),
        spec.by_role("identify"),
        spec.by_role("forget"),
    )
    out = [
        "import threading",
        f"from {module} import {attribute.split('.')[0]}",
        "",
        f"kustomer = {attribute}()",
        "",
        "def call(method, *args):",
        "    done, box = threading.Event(), {}",
        "    def callback(*got):",
        "        box.setdefault('calls', []).append(got)",
        "        done.set()",
        "    getattr(kustomer, method)(*args, callback)",
        "    done.wait(2)",
        "    return box.get('calls')",
        "",
    ]
    r = pprint.pformat
    for step in case.steps:
        target = _method(spec, step)
        if step.action == "describe-before-start":
            out.append(
                f"kustomer.{target}({r(step.options)}, lambda *got: print('before start:', got))"
            )
    out.append(f"call({start.name!r}{', {}' if start.takes_options else ''})")
    for step in case.steps:
        target = _method(spec, step)
        a = step.action
        if a == "describe-before-start":
            continue
        if step.gap_ms:
            out.append(f"__import__('time').sleep({step.gap_ms / 1000})")
        if a in ("describe", "describe-invalid", "describe-unknown"):
            out.append(f"print(call({target!r}, {r(step.options)}))")
        elif a == "describe-no-callback":
            out.append(f"kustomer.{target}({r(step.options)})  # no callback")
        elif a == "overlap":
            out.append(f"pending = [threading.Event() for _ in range({len(step.options)})]")
            for n, o in enumerate(step.options):
                out.append(
                    f"kustomer.{target}({r(o)}, lambda *got, n={n}: (print(got), pending[n].set()))"
                )
            out.append("[e.wait(2) for e in pending]")
        elif a == "login" and identify:
            out.append(f"call({identify.name!r}, {r(case.tokens[step.token])})")
        elif a == "describe-during-login" and identify:
            out.append(
                f"kustomer.{identify.name}({r(case.tokens[step.token])}, print)  # not awaited"
            )
            out.append(f"print(call({target!r}, {r(step.options)}))")
        elif a == "logout" and forget:
            out.append(f"call({forget.name!r})")
    out.append(f"print('customer now:', call({spec.target.name!r}, {{}}))")
    return "\n".join(out)


def pytest_test(spec: Spec, failure: Failure, impl: str, klass: str | None) -> str:
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
            f"    result = replay_case({impl!r}, CASE, spec={spec_arg!r}, klass={klass!r})",
            f"    assert not result.of({failure.guarantee!r}), result.explain({failure.guarantee!r})",
        ]
    )


def _indent(text: str, by: str = "    ") -> str:
    return "\n".join(by + line if line else line for line in text.splitlines())


def failure_text(
    spec: Spec, result: GuaranteeResult, *, impl: str, klass: str | None, replay: str
) -> str:
    """Everything a person needs to understand and reproduce one failed guarantee."""
    f = result.failure
    assert f is not None
    v = f.violation
    where = "start" if v.step is None else f"step {v.step + 1} of {len(f.case.steps)}"
    parts = [
        f"FAILED {f.guarantee}: {spec.guarantees.get(f.guarantee, '')}",
        f"  call:     {v.call}  ({where})",
        f"  expected: {v.expected}",
        f"  observed: {v.observed}",
        f"  replay:   {replay}",
        "",
        "  minimal call sequence, JavaScript (paste into the browser console of a page with Kustomer):",
        _indent(javascript(spec, f.case)),
        "",
        *(
            []
            if is_javascript(impl)
            else ["  the same in Python:", _indent(python(spec, f.case, impl)), ""]
        ),
        "  as a pytest regression test:",
        _indent(pytest_test(spec, f, impl, klass)),
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
    spec: Spec, results: Sequence[GuaranteeResult], *, impl: str, klass: str | None, seed: int
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
                "javascript": javascript(spec, r.failure.case),
                "python": None if is_javascript(impl) else python(spec, r.failure.case, impl),
                "pytest": pytest_test(spec, r.failure, impl, klass),
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

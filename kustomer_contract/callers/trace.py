"""``kustomer-contract trace FILE.jsonl``: check the caller's side on a recorded call trace.

The trace comes from ``kustomer_contract/callers/recorder/kustomer-recorder.js`` (or is written by
hand): JSON Lines, one record per line, ``{t, seq, event, object, method, ...}`` with ``event``
one of ``call`` (with ``args``), ``callback`` (with ``call``, the seq of its call, ``response``
and ``error``), ``settle`` (a Promise the call returned settled; as a callback), ``throw``
(with ``call`` and ``error``) and ``missing`` (a lookup of a method the object lacked).
``object`` is the global the page used (``Kustomer``, ``KustomerCore``); a record without it
is taken to be on the binding's object.

The names are the binding's (``--binding web|core|promise|PATH``, default web): the core
binding's start is ``KustomerCore.init``, the promise binding's calls complete when their
Promise settles. The obligations come from the spec: each of its ``rules`` (kinds
``first-completes`` and ``after-callback``), ``valid-options`` (every call's options match
that method's options schema), ``klass-attributes`` (custom attributes are on the Klass, or
with no ``--klass`` at least have a name a Klass can hold) and, when the spec lists the SDK's
methods (``sdk_methods``), ``known-method`` (no call of a method the SDK does not have).
Each violation is reported at the line of the offending call record:
``FILE:LINE: <obligation-id>: what happened; what to do instead``.

Exit codes: 0 the caller kept every obligation; 1 some obligation was broken; 2 usage or
input error (a bad ``--spec`` / ``--klass``, a trace that cannot be read, is empty, or has
malformed records; each malformed record is reported with its line and skipped, and the
rest of the trace is still checked, so violations found there still give 1).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from .._core.payloads import MAX_FILE_BYTES, display_path, parse_json, read_lines
from .._core.payloads import ReadProblem as PayloadProblem

__all__ = [
    "EXIT_OK",
    "EXIT_USAGE",
    "EXIT_VIOLATED",
    "KNOWN_METHOD",
    "Record",
    "Surface",
    "TraceResult",
    "Violation",
    "check_records",
    "check_trace",
    "parse_trace",
    "recorder_path",
    "run",
    "surface_of",
]

from .._core.pointer import last as last_token
from .._core.text import one_line as _one_line
from ..errors import EXIT_FAILED as EXIT_VIOLATED
from ..errors import EXIT_OK, EXIT_USAGE, overall, print_error

VALID_OPTIONS, KLASS_ATTRIBUTES = "valid-options", "klass-attributes"
KNOWN_METHOD = "known-method"
EVENTS = ("call", "callback", "settle", "throw", "missing")
GLOBAL = "Kustomer"  # the Web SDK's global: the object of a trace checked without a binding


# ---------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Record:
    """One record of a trace, with the line it was read from."""

    line: int
    seq: int
    event: str
    method: str | None
    call: int | None = None
    args: tuple[Any, ...] = ()
    undefined_args: frozenset[int] = frozenset()
    in_callback: bool = False
    error: Any = None
    object: str | None = None  # the global the call was made on; None: the binding's


@dataclass(frozen=True)
class ReadProblem:
    line: int  # 0: the file as a whole
    message: str
    kind: str = "malformed record"  # or "not checked": records on a global of no binding's


@dataclass(frozen=True, order=True)
class Violation:
    line: int
    order: int  # obligation order, for a stable sort within a line
    obligation: str
    method: str
    happened: str
    todo: str
    pointer: str | None = None

    @property
    def message(self) -> str:
        return f"{self.happened}; {self.todo}"


@dataclass
class TraceResult:
    file: str
    records: int = 0
    violations: list[Violation] = field(default_factory=list)
    read_problems: list[ReadProblem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return overall(
            [EXIT_VIOLATED if self.violations else EXIT_OK]
            + [EXIT_USAGE if self.read_problems else EXIT_OK]
        )


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _record(line: int, data: Any) -> Record | str:
    """A record, or why the line is not one."""
    if not isinstance(data, dict):
        return f"a record is a JSON object, not {type(data).__name__}"
    event = data.get("event")
    if event not in EVENTS:
        return (
            f'"event" must be one of {", ".join(map(json.dumps, EVENTS))}, not {json.dumps(event)}'
        )
    seq = data.get("seq")
    if not _is_int(seq) or seq < 0:
        return f'"seq" must be a whole number (the order of the record), not {json.dumps(seq)}'
    t = data.get("t", 0)
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        return f'"t" must be a number of milliseconds, not {json.dumps(t)}'
    obj = data.get("object")
    if obj is not None and (not isinstance(obj, str) or not obj):
        return f'"object" must be the name of the global called (Kustomer), not {json.dumps(obj)}'
    method = data.get("method")
    if event in ("call", "missing") and (not isinstance(method, str) or not method):
        return f'a {event} record needs "method", the name of the method, not {json.dumps(method)}'
    if method is not None and not isinstance(method, str):
        return f'"method" must be a string, not {json.dumps(method)}'
    call = data.get("call")
    if event in ("callback", "settle") and not _is_int(call):
        return f'a {event} record needs "call", the seq of the call it belongs to, not {json.dumps(call)}'
    if call is not None and not _is_int(call):
        return f'"call" must be the seq of a call record, not {json.dumps(call)}'
    args = data.get("args", [])
    if not isinstance(args, list):
        return f'"args" must be a list of the call\'s arguments, not {json.dumps(args)[:40]}'
    undefined = data.get("undefinedArgs", [])
    if not isinstance(undefined, list) or not all(_is_int(i) for i in undefined):
        return '"undefinedArgs" must be a list of argument positions'
    return Record(
        line=line,
        seq=seq,
        event=event,
        method=method,
        call=call,
        args=tuple(args),
        undefined_args=frozenset(undefined),
        in_callback=data.get("in") == "callback",
        error=data.get("error"),
        object=obj,
    )


def parse_trace(lines: Iterable[bytes | str]) -> tuple[list[Record], list[ReadProblem]]:
    """Records in seq order, and a problem for each line that is not a usable record."""
    return _parse_numbered(enumerate(lines, 1), [])


def _parse_numbered(
    lines: Iterable[tuple[int, bytes | str]], problems: list[ReadProblem]
) -> tuple[list[Record], list[ReadProblem]]:
    """parse_trace for (line number, line) pairs; ``problems`` may fill up while reading."""
    records: list[Record] = []
    seen: dict[int, int] = {}  # seq -> line
    for number, raw in lines:
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                problems.append(ReadProblem(number, f"not UTF-8 text ({exc.reason}); skipped"))
                continue
        text = raw.strip().lstrip("\ufeff")
        if not text:
            continue
        parsed = parse_json(text, line=number)  # refuses duplicate keys, NaN, deep nesting
        if isinstance(parsed, PayloadProblem):
            where = f" at column {parsed.col}" if parsed.col else ""
            problems.append(ReadProblem(number, f"not JSON ({parsed.message}{where}); skipped"))
            continue
        data = parsed.value
        record = _record(number, data)
        if isinstance(record, str):
            problems.append(ReadProblem(number, f"{record}; skipped"))
            continue
        if record.seq in seen:
            problems.append(
                ReadProblem(
                    number, f"seq {record.seq} was already used at line {seen[record.seq]}; skipped"
                )
            )
            continue
        seen[record.seq] = number
        records.append(record)
    records.sort(key=lambda r: r.seq)
    calls = {r.seq: r for r in records if r.event == "call"}
    usable = []
    for r in records:
        if r.call is not None and r.event != "call":
            owner = calls.get(r.call)
            if owner is None or owner.seq > r.seq:
                what = "before it" if owner is None else "with a smaller seq"
                problems.append(
                    ReadProblem(
                        r.line,
                        f"this {r.event} belongs to call {r.call}, but the trace has no call "
                        f"record of that seq {what}; skipped",
                    )
                )
                continue
        usable.append(r)
    problems.sort(key=lambda p: p.line)
    return usable, problems


# ---------------------------------------------------------------------------
# Checking


@dataclass(frozen=True)
class Surface:
    """The names a trace is judged by: a binding's surface for one spec.

    ``names`` maps each spec method to its name on the object (core: start -> init),
    ``methods`` maps back; ``results`` says how each surface method completes (``callback``,
    ``promise``, ``return``) and ``args`` how its options are passed. ``known`` holds every
    method the SDK's object has, under its surface name (the spec's ``sdk_methods``); empty
    when the spec does not list them, and then method names are not judged.
    """

    object: str
    binding: str
    names: Mapping[str, str]
    methods: Mapping[str, str]
    results: Mapping[str, str]
    args: Mapping[str, str]
    known: frozenset[str]

    def spec_method(self, spec: Any, name: str | None) -> Any:
        """The spec's method behind a surface name, or None."""
        return spec.methods.get(self.methods.get(name or "", ""))

    def result(self, name: str) -> str:
        return self.results.get(name, "callback")

    def is_known(self, name: str) -> bool:
        return not self.known or name in self.known


def surface_of(spec: Any, binding: Any = None) -> Surface:
    """The surface of ``binding`` (a loaded ``Binding``; None: the Web SDK's) for ``spec``."""
    names: dict[str, str] = {}
    results: dict[str, str] = {}
    args: dict[str, str] = {}
    for name, method in spec.methods.items():
        if binding is None:
            surface_name, result = name, "callback"
            passed = "options" if method.takes_options else "none"
        else:
            call = binding.surface(spec, method)
            surface_name, result, passed = call.method, call.result, call.args
        names[name] = surface_name
        results[surface_name] = result
        args[surface_name] = passed
    listed = tuple(getattr(spec, "sdk_methods", ()) or ())
    known = (
        frozenset(names.get(n, n) for n in listed) | frozenset(names.values())
        if listed
        else frozenset()
    )
    return Surface(
        object=binding.object if binding is not None else GLOBAL,
        binding=binding.name if binding is not None else "web",
        names=names,
        methods={v: k for k, v in names.items()},
        results=results,
        args=args,
        known=known,
    )


def _done(surface: Surface, name: str) -> str:
    """``start's callback ran`` / ``init's promise settled``: when a call of ``name`` is done."""
    if surface.result(name) == "promise":
        return f"{name}'s promise settled"
    if surface.result(name) == "return":
        return f"{name} returned"
    return f"{name}'s callback ran"


def _ran(surface: Surface, name: str, line: int | None) -> str:
    if surface.result(name) == "promise":
        return f"its promise settled only at line {line}" if line else "its promise never settled"
    return f"its callback ran only at line {line}" if line else "its callback never ran"


def _inside(surface: Surface, name: str) -> str:
    if surface.result(name) == "promise":
        return f"once {name}'s promise has resolved"
    return f"inside {name}'s callback"


def _snippet(spec: Any, outer: str, inner: str, surface: Surface | None = None) -> str:
    """``Kustomer.start({}, () => Kustomer.describeCustomer(...))``, from the spec's params.

    ``outer`` and ``inner`` are surface names (the spec's own without a surface)."""
    surface = surface or surface_of(spec)
    obj = surface.object
    method = surface.spec_method(spec, outer) or spec.methods.get(outer)
    params = method.params if method is not None else ("options", "callback")
    result = surface.result(outer)
    parts = []
    for param in params:
        if param == "callback":
            if result == "callback":
                parts.append(f"() => {obj}.{inner}(...)")
        elif param == "options":
            if surface.args.get(outer, "options") == "none":
                continue
            schema = method.options_schema if method is not None else None
            parts.append(_options_placeholder(schema))
        else:
            parts.append(param)
    call = f"{obj}.{outer}({', '.join(parts)})"
    if result == "promise":
        return f"{call}.then(() => {obj}.{inner}(...))"
    if result == "return":
        return f"{call}; {obj}.{inner}(...)"
    return call


def _options_placeholder(schema: Any) -> str:
    if isinstance(schema, dict):
        examples = schema.get("examples")
        if isinstance(examples, list) and examples:
            return json.dumps(examples[0], separators=(", ", ": "))
        required = schema.get("required")
        if isinstance(required, list) and required:
            return "{" + ", ".join(str(r) for r in required) + "}"
    return "{...}"


def _where(line: int | None) -> str:
    return f"line {line}" if line else "nowhere"


def _completes(r: Record, calls: Mapping[int, Record], surface: Surface) -> bool:
    """Whether ``r`` is what completes its call: its callback, or its promise settling."""
    owner = calls.get(r.call) if r.call is not None else None
    if owner is None:
        return False
    wanted = "settle" if surface.result(owner.method or "") == "promise" else "callback"
    return r.event == wanted


def _check_first_completes(rule, order, records, done_line, spec, surface) -> Iterable[Violation]:
    first = surface.names.get(rule.method, rule.method)
    returns = surface.result(first) == "return"
    done = False
    first_calls = [r for r in records if r.event == "call" and r.method == first]
    first_seqs = {c.seq for c in first_calls}
    for r in records:
        if done:
            return
        if r.seq in done_line.completing and r.call in first_seqs:
            done = True
            continue
        if r.event == "call" and r.method == first:
            done = returns  # a plain return: done once the call has returned
            continue
        if r.event not in ("call", "missing"):
            continue
        if not surface.is_known(r.method):
            continue  # a method the SDK does not have: known-method says so
        if r.event == "missing" and not surface.known and r.method not in surface.methods:
            continue  # a spec that lists no SDK methods: only its own are judged
        earlier = [c for c in first_calls if c.seq < r.seq]
        snippet = _snippet(spec, first, r.method, surface)
        if earlier:
            c = earlier[0]
            context = f"{first} was called at line {c.line}; " + _ran(
                surface, first, done_line.get(c.seq)
            )
            todo = f"call it {_inside(surface, first)}: {snippet}"
        elif first_calls:
            context = f"{first} is called only later, at line {first_calls[0].line}"
            todo = f"call {first} first and this {_inside(surface, first)}: {snippet}"
        else:
            context = f"{first} is never called in this trace"
            todo = f"call {first} first and this {_inside(surface, first)}: {snippet}"
        happened = (
            f"{r.method} was called before {_done(surface, first)} ({context})"
            if r.event == "call"
            else f"{r.method} was looked up before {_done(surface, first)}, and the SDK object "
            f"did not have it yet (a loader's stub): a call then throws a TypeError in the page "
            f"and {'describes' if r.method in (m.name for m in spec.describes) else 'does'} "
            f"nothing ({context})"
        )
        yield Violation(r.line, order, rule.id, r.method, happened, todo)


def _check_after_callback(rule, order, records, done_line, spec, surface) -> Iterable[Violation]:
    guarded = surface.names.get(rule.method, rule.method)
    after = surface.names.get(rule.after, rule.after)
    returns = surface.result(after) == "return"
    pending: dict[int, Record] = {}  # calls of `after` that have not completed yet
    for r in records:
        if r.event == "call" and r.method == after:
            if not returns:
                pending[r.seq] = r
        elif r.seq in done_line.completing and r.call in pending:
            del pending[r.call]
        elif r.event == "throw" and not r.in_callback and r.call in pending:
            del pending[r.call]  # it threw: it never started, nothing to wait for
        elif r.event == "call" and r.method == guarded and pending:
            c = max(pending.values(), key=lambda p: p.seq)
            context = f"{after} was called at line {c.line}; " + _ran(
                surface, after, done_line.get(c.seq)
            )
            yield Violation(
                r.line,
                order,
                rule.id,
                r.method,
                f"{guarded} was called before {_done(surface, after)} ({context})",
                f"call it {_inside(surface, after)}: {_snippet(spec, after, guarded, surface)}",
            )


_RULE_CHECKS = {
    "first-completes": _check_first_completes,
    "after-callback": _check_after_callback,
}


class _DoneLines(dict):
    """Call seq -> the line of the record that completed it; ``completing``: those records' seqs."""

    def __init__(self, records: Sequence[Record], surface: Surface) -> None:
        super().__init__()
        calls = {r.seq: r for r in records if r.event == "call"}
        self.completing: set[int] = set()
        for r in records:
            if r.call is not None and _completes(r, calls, surface):
                self.completing.add(r.seq)
                self.setdefault(r.call, r.line)


def _check_known(spec, surface, records, order) -> Iterable[Violation]:
    """A call (or a lookup that found nothing) of a method the SDK's object does not have."""
    if not surface.known:
        return
    obj = surface.object
    for r in records:
        if r.event not in ("call", "missing") or r.method is None or surface.is_known(r.method):
            continue
        name = r.method
        renamed = surface.names.get(name) if name in spec.methods else None
        if renamed and renamed != name:
            why = f"the {surface.binding} binding's {name} is {obj}.{renamed}"
            todo = f"call {obj}.{renamed}(...) instead"
        else:
            close = difflib.get_close_matches(name, sorted(surface.known), n=1)
            if close:
                why = f"did you mean {close[0]}?"
                todo = f"call {obj}.{close[0]}(...) instead"
            elif r.event == "missing":
                continue  # a lookup like no SDK method: a probe of other code, not a mistake
            else:
                why = f"its methods are {', '.join(sorted(surface.known))}"
                todo = "call only methods the SDK has"
        if r.event == "call":
            happened = f"{obj}.{name} was called, but {obj} has no method {name} ({why})"
        else:
            happened = (
                f"{obj}.{name} was looked up and not found: {obj} has no method {name}, so a "
                f"call throws a TypeError in the page ({why})"
            )
        yield Violation(r.line, order, KNOWN_METHOD, name, happened, todo)


def _check_options(spec, klass, records, order, surface=None) -> Iterable[Violation]:
    from ..spec.schemas import validator_for

    surface = surface or surface_of(spec)
    obj = surface.object
    for r in records:
        if r.event != "call":
            continue
        method = surface.spec_method(spec, r.method)
        if method is None or method.options_schema is None or not method.takes_options:
            continue
        if surface.args.get(r.method, "options") != "options":
            continue  # no options, or only a part of them: nothing whole to check
        index = method.params.index("options")
        if index >= len(r.args) or index in r.undefined_args:
            schema = method.options_schema
            required = isinstance(schema, dict) and schema.get("required")
            if method is spec.target or required:
                cb = ", callback" if surface.result(r.method) == "callback" else ""
                yield Violation(
                    r.line,
                    order,
                    VALID_OPTIONS,
                    r.method,
                    f"{r.method} was called without its options",
                    f"pass the options object first: {obj}.{r.method}"
                    f"({_options_placeholder(schema)}{cb})",
                )
            continue
        validator = validator_for(spec, "options", method.name, klass)
        for p in validator.problems(r.args[index]):
            on_klass = p.keyword == "klass" or (
                p.keyword == "propertyNames"
                and method.klass is not None
                and p.pointer.startswith(method.klass + "/")
            )
            happened = f"{r.method} was called with options {p}"
            if on_klass and p.keyword == "klass":
                name = last_token(p.pointer)
                happened = (
                    f"{r.method} was called with options {p.pointer}: custom attribute "
                    f"{json.dumps(name, ensure_ascii=False)} is not on the Klass ({klass.path})"
                )
                todo = "add it to the Klass in Kustomer first, or leave it out"
            elif on_klass:
                todo = "use the name of an attribute on your Klass, or leave it out"
            else:
                todo = "send only what the options schema allows (the message says how)"
            yield Violation(
                r.line,
                order + (1 if on_klass else 0),
                KLASS_ATTRIBUTES if on_klass else VALID_OPTIONS,
                r.method,
                happened,
                todo,
                pointer=p.pointer,
            )


def recorder_path() -> Path:
    """The recorder script that ships with the package."""
    return Path(__file__).resolve().parent / "recorder" / "kustomer-recorder.js"


def obligations(spec: Any) -> list[str]:
    """The obligation ids checked for a spec, in report order."""
    found = [rule.id for rule in spec.rules] + [VALID_OPTIONS, KLASS_ATTRIBUTES]
    return found + [KNOWN_METHOD] if getattr(spec, "sdk_methods", ()) else found


def on_object(records: Sequence[Record], surface: Surface) -> tuple[list[Record], list[Record]]:
    """The records on the surface's object (or naming none), and those on another global."""
    ours: list[Record] = []
    others: list[Record] = []
    for r in records:
        (ours if r.object in (None, surface.object) else others).append(r)
    return ours, others


def check_records(
    records: Sequence[Record], spec: Any, klass: Any = None, binding: Any = None
) -> list[Violation]:
    """Every broken obligation in these records (in seq order), sorted by line.

    ``binding``: a loaded ``Binding`` whose names the trace uses (None: the Web SDK's). Records
    on another global than the binding's object are not judged (``check_trace`` says so)."""
    surface = surface_of(spec, binding)
    records, _ = on_object(records, surface)
    done_line = _DoneLines(records, surface)
    found: list[Violation] = []
    for order, rule in enumerate(spec.rules):
        check = _RULE_CHECKS.get(rule.kind)
        if check is not None:
            found.extend(check(rule, order, records, done_line, spec, surface))
    found.extend(_check_options(spec, klass, records, len(spec.rules), surface))
    found.extend(_check_known(spec, surface, records, len(spec.rules) + 2))
    return sorted(set(found))


def _read_trace(path: str | Path) -> tuple[list[Record], list[ReadProblem]]:
    """The records of a trace file, read as validate reads JSON Lines.

    The same per-line cap, plus a cap on the whole trace (its records are all held, since
    the rules look across them): /dev/zero or a FIFO without a writer end at once.
    """
    read_problems: list[ReadProblem] = []

    def lines() -> Iterable[tuple[int, bytes]]:
        for item in read_lines(path, max_total=MAX_FILE_BYTES):
            if isinstance(item, PayloadProblem):
                message = item.message
                if not item.line:  # the file as a whole
                    message = message.replace("larger than", "the trace is larger than", 1)
                read_problems.append(ReadProblem(item.line, message))
            else:
                yield item

    records, problems = _parse_numbered(lines(), read_problems)
    return records, problems


def check_trace(path: str | Path, spec: Any, klass: Any = None, binding: Any = None) -> TraceResult:
    """Read and check one trace file (``-`` for standard input) with ``binding``'s names
    (a loaded ``Binding``; None: the Web SDK's)."""
    result = TraceResult(file="-" if str(path) == "-" else display_path(path))
    records, problems = _read_trace(path)
    result.records = len(records)
    result.read_problems = problems
    if not records and not problems:
        result.read_problems.append(
            ReadProblem(
                0,
                "the trace has no records: install the recorder before the Kustomer loader "
                "and save its lines (KustomerRecorder.dump())",
            )
        )
    surface = surface_of(spec, binding)
    _, others = on_object(records, surface)
    if others:
        result.read_problems.append(_other_object(others, surface))
        result.read_problems.sort(key=lambda p: p.line)
    result.violations = check_records(records, spec, klass, binding)
    return result


def _other_object(others: Sequence[Record], surface: Surface) -> ReadProblem:
    """The records on a global the binding does not use: one problem, at the first of them."""
    found = sorted({r.object or "" for r in others})
    hint = ""
    try:
        from ..spec.bindings import BUILTIN_BINDINGS, load_binding

        fits = [b for b in BUILTIN_BINDINGS if load_binding(b).object == found[0]]
        if fits:
            hint = f": give --binding {fits[0]}"
    except Exception:  # a broken installation: the advice is only a hint
        pass
    n = len(others)
    return ReadProblem(
        min(r.line for r in others),
        f"{n} record{'' if n == 1 else 's'} on {' and '.join(found)}, which the "
        f"{surface.binding} binding does not call (its object is {surface.object}), "
        f"{'is' if n == 1 else 'are'} not checked{hint}",
        kind="not checked",
    )


# ---------------------------------------------------------------------------
# The command


def run(args: argparse.Namespace) -> int:
    """Run ``trace`` for parsed arguments; returns the exit code."""
    from ..spec.bindings import DEFAULT_BINDING, load_binding
    from ..spec.loader import load_klass, load_spec
    from ..spec.schemas import validator_for
    from ..spec.types import SpecError

    try:
        spec = load_spec(args.spec)
        binding = load_binding(getattr(args, "binding", None) or DEFAULT_BINDING, spec)
        klass = load_klass(args.klass, spec) if args.klass else None
        for name, method in spec.methods.items():  # refuse unusable schemas up front
            if method.options_schema is not None and method.takes_options:
                validator_for(spec, "options", name, klass)
    except (SpecError, RuntimeError) as exc:
        print_error(exc)
        return EXIT_USAGE
    for rule in spec.rules:
        if rule.kind not in _RULE_CHECKS:
            print(
                f"kustomer-contract: warning: rule {rule.id!r} has kind {rule.kind!r}, "
                "which trace cannot check; it is skipped",
                file=sys.stderr,
            )
    results = [check_trace(path, spec, klass, binding) for path in args.paths]
    code = overall(r.exit_code for r in results)
    try:
        if args.json:
            _print_json(results, spec, args.klass, code, binding.name)
        else:
            _print_text(results, spec)
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stderr.close()
    return code


def _print_text(results: Sequence[TraceResult], spec: Any) -> None:
    out = sys.stdout
    for result in results:
        entries: list[tuple[int, int, str]] = []
        for p in result.read_problems:
            if p.line:
                entries.append((p.line, 0, f"{result.file}:{p.line}: {p.kind}: {p.message}"))
            else:
                entries.append((0, 0, f"{result.file}: cannot check: {p.message}"))
        for v in result.violations:
            entries.append((v.line, 1, f"{result.file}:{v.line}: {v.obligation}: {v.message}"))
        for _, _, text in sorted(entries, key=lambda e: (e[0], e[1])):
            out.write(_one_line(text) + "\n")
        kinds = sorted({v.obligation for v in result.violations})
        n = len(result.violations)
        summary = f"{result.file}: {result.records} records, {n} violation{'' if n == 1 else 's'}"
        if kinds:
            summary += f" ({', '.join(kinds)})"
        if result.read_problems:
            summary += f", {len(result.read_problems)} read problems"
        elif not result.violations:
            summary += f": every obligation kept ({', '.join(obligations(spec))})"
        out.write(summary + "\n")


def _print_json(
    results: Sequence[TraceResult], spec: Any, klass: str | None, code: int, binding: str = "web"
) -> None:
    payload = {
        "spec": spec.name,
        "binding": binding,
        "klass": klass,
        "obligations": obligations(spec),
        "files": [
            {
                "file": r.file,
                "records": r.records,
                "violations": [
                    {
                        "line": v.line,
                        "obligation": v.obligation,
                        "method": v.method,
                        "happened": v.happened,
                        "todo": v.todo,
                        "message": v.message,
                        **({"pointer": v.pointer} if v.pointer is not None else {}),
                    }
                    for v in r.violations
                ],
                "malformed": [
                    {"line": p.line or None, "message": p.message} for p in r.read_problems
                ],
                "exit_code": r.exit_code,
            }
            for r in results
        ],
        "exit_code": code,
    }
    print(json.dumps(payload, indent=2, ensure_ascii=False))

"""``spec lint PATH...``: check a user-written spec, reporting as many problems as it can.

Beyond the loader (``spec.load_spec``, which stops at its first error), lint checks the
assembled document for sense: every meta-schema error (not only the first), rules that name
a method no spec defines, local ``$ref`` to nothing, guarantee ids used twice, patterns that
do not compile, unknown ``x-generate`` kinds, reflects / klass pointers the schemas do not
have. Every problem is ``file:line: key: message``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .pointer import escape as _escape
from .pointer import unescape
from .spec import SpecError, _Assembler, _origin, _resolve_spec_path, at_pointer, load_spec

__all__ = ["LintResult", "lint"]


class LintResult:
    """The problems of one spec; ``unreadable`` when it could not be read at all."""

    def __init__(
        self,
        path: str,
        problems: list[SpecError],
        unreadable: bool = False,
        warnings: list[SpecError] | None = None,
    ) -> None:
        self.path, self.problems, self.unreadable = path, problems, unreadable
        self.warnings = warnings or []  # worth a look, but not wrong: they do not fail lint

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unreadable


def lint(name_or_path: str | Path) -> LintResult:
    try:
        path = _resolve_spec_path(name_or_path).resolve()
    except SpecError as exc:
        return LintResult(str(name_or_path), [exc], unreadable=True)
    asm = _Assembler(root=path.parent)
    try:
        asm.load(path)
    except SpecError as exc:  # the contract file itself cannot be read or parsed
        return LintResult(str(path), [exc], unreadable=exc.message.startswith("cannot read"))
    try:
        doc = asm.inline(path, asm._cache[path].value, "", "", ())
    except SpecError as exc:  # a $ref file that is missing, unreadable or not YAML
        return LintResult(str(path), [exc])

    def at(pointer: str, message: str) -> SpecError:
        file, line = _origin(asm.origins, pointer, path)
        return SpecError(file, line, pointer, message)

    found: list[SpecError] = list(_meta(doc, at))
    if isinstance(doc, Mapping):
        found += _sense(doc, at)
    warnings: list[SpecError] = list(_pattern_warnings(doc, at)) if isinstance(doc, Mapping) else []
    try:
        spec = load_spec(path)
    except SpecError as exc:  # the loader's first error, unless lint already said it there
        if not any((p.file, p.key) == (exc.file, exc.key) for p in found):
            found.append(exc)
    except Exception as exc:  # noqa: BLE001 - the loader should not crash on odd input
        found.append(SpecError(path, 0, "", f"the loader failed: {exc}"))
    else:
        found += _generation_problems(spec)
    unique: dict[tuple, SpecError] = {}
    for p in found:
        unique.setdefault((p.file, p.key, p.message), p)
    problems = sorted(unique.values(), key=lambda p: (p.file, p.line, p.key))
    return LintResult(str(path), problems, warnings=warnings)


def _generation_problems(spec: Any) -> list[SpecError]:
    """What only generation finds: options or responses no generated value satisfies."""
    from . import strategies

    out = []
    for m in spec.methods.values():
        for _part, schema, make in (
            ("options", m.options_schema, lambda m=m: strategies.valid_options(spec, None, m.name)),
            ("response", m.response_schema, lambda m=m: strategies.responses(spec, m.name)),
        ):
            if schema is None:
                continue
            try:
                make()
            except SpecError as exc:
                out.append(exc)
    return out


def _pattern_warnings(doc: Mapping, at) -> Iterator[SpecError]:
    """Patterns that backtrack catastrophically in backtracking engines (JavaScript's, and
    Python's where RE2 cannot run them), and patterns left to Python's ``re``."""
    from .schemas import ecma_regex

    methods = doc.get("methods") if isinstance(doc.get("methods"), Mapping) else {}
    for name, m in methods.items():
        if not isinstance(m, Mapping):
            continue
        for part in ("options", "response"):
            for ptr, pattern in _patterns_in(m.get(part), f"/methods/{_escape(name)}/{part}"):
                try:
                    compiled = ecma_regex(pattern)
                except re.error:
                    continue  # an error, reported elsewhere
                nested = _nested_quantifier(pattern)
                if nested:
                    bounded = (
                        "RE2 keeps this tool's validation bounded"
                        if compiled.engine == "re2"
                        else "and it runs in Python's backtracking re here, unbounded"
                    )
                    yield at(
                        ptr,
                        f"warning: regex {pattern!r} nests quantifiers ({nested}): it can "
                        "backtrack catastrophically in JavaScript and other backtracking "
                        f"engines, taking seconds on a short input ({bounded}); write it "
                        "without a repeated group that itself repeats",
                    )
                elif compiled.engine != "re2":
                    yield at(
                        ptr,
                        f"warning: regex {pattern!r} cannot run in RE2 ({compiled.why_not_re2}): "
                        "it is validated with Python's backtracking re, whose time is not bounded",
                    )


def _patterns_in(schema: Any, ptr: str) -> Iterator[tuple[str, str]]:
    if isinstance(schema, list):
        for i, v in enumerate(schema):
            yield from _patterns_in(v, f"{ptr}/{i}")
        return
    if not isinstance(schema, Mapping):
        return
    for key, value in schema.items():
        child = f"{ptr}/{_escape(key)}"
        if key in ("examples", "enum", "const", "default") or key.startswith("x-"):
            continue
        if key == "pattern" and isinstance(value, str):
            yield child, value
        elif key == "patternProperties" and isinstance(value, Mapping):
            for pattern, sub in value.items():
                yield f"{child}/{_escape(pattern)}", pattern
                yield from _patterns_in(sub, f"{child}/{_escape(pattern)}")
        else:
            yield from _patterns_in(value, child)


def _nested_quantifier(pattern: str) -> str | None:
    """The first unbounded repeat inside another unbounded repeat, e.g. ``(a+)+``."""
    try:
        from re import _parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse  # type: ignore[no-redef]
    try:
        parsed = sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 - not compilable: reported elsewhere
        return None
    repeats = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}
    unbounded = sre_parse.MAXREPEAT

    def walk(items: Any, inside: bool) -> str | None:
        for op, av in items:
            if op in repeats:
                lo, hi, body = av
                if hi == unbounded and inside:
                    return "an unbounded repeat inside an unbounded repeat"
                found = walk(body, inside or hi == unbounded)
                if found:
                    return found
            elif op == sre_parse.SUBPATTERN:
                found = walk(av[-1], inside)
                if found:
                    return found
            elif op == sre_parse.BRANCH:
                for branch in av[1]:
                    found = walk(branch, inside)
                    if found:
                        return found
        return None

    return walk(parsed, False)


def _meta(doc: Any, at) -> Iterator[SpecError]:
    from .spec import _meta_validator

    for err in sorted(_meta_validator().iter_errors(doc), key=lambda e: list(e.absolute_path)):
        ptr = "".join(f"/{_escape(str(p))}" for p in err.absolute_path)
        yield at(ptr, err.message)


def sense_problems(doc: Mapping, at) -> list[SpecError]:
    """Problems of sense in an assembled spec document (the loader raises the first)."""
    return _sense(doc, at)


def _sense(doc: Mapping, at) -> list[SpecError]:
    out: list[SpecError] = []
    methods = doc.get("methods") if isinstance(doc.get("methods"), Mapping) else {}
    for i, rule in enumerate(doc.get("rules") or []):
        if not isinstance(rule, Mapping):
            continue
        for key in ("method", "after"):
            if key in rule and rule[key] not in methods:
                known = ", ".join(methods) or "none"
                out.append(
                    at(
                        f"/rules/{i}/{key}",
                        f"names {rule[key]!r}, which no method defines ({known})",
                    )
                )
    seen: dict[str, int] = {}
    for i, g in enumerate(doc.get("guarantees") or []):
        gid = g.get("id") if isinstance(g, Mapping) else None
        if isinstance(gid, str):
            if gid in seen:
                out.append(
                    at(
                        f"/guarantees/{i}/id",
                        f"guarantee id {gid!r} is used twice (first at /guarantees/{seen[gid]})",
                    )
                )
            seen.setdefault(gid, i)
    target = doc.get("target")
    if isinstance(target, str) and methods and target not in methods:
        out.append(at("/target", f"{target!r} is not one of the methods ({', '.join(methods)})"))
    for name, m in methods.items():
        if not isinstance(m, Mapping):
            continue
        base = f"/methods/{_escape(name)}"
        for part in ("options", "response"):
            if part in m:
                out += _schema_sense(m[part], m[part], f"{base}/{part}", at)
        for i, r in enumerate(m.get("reflects") or []):
            if not isinstance(r, Mapping):
                continue
            for key, part in (("input", "options"), ("output", "response")):
                ptr = r.get(key)
                if isinstance(ptr, str) and not _has_pointer(m.get(part), ptr):
                    out.append(
                        at(
                            f"{base}/reflects/{i}/{key}",
                            f"{ptr!r} is not a place the {part} schema of {name} describes",
                        )
                    )
        if isinstance(m.get("klass"), str) and not _has_pointer(m.get("options"), m["klass"]):
            out.append(
                at(
                    f"{base}/klass",
                    f"{m['klass']!r} is not a place the options schema of {name} describes",
                )
            )
    return out


def _known_kinds() -> set[str]:
    from .values import GENERATORS

    return set(GENERATORS)


def _schema_sense(root: Any, schema: Any, ptr: str, at) -> Iterator[SpecError]:
    from .schemas import ecma_regex

    if isinstance(schema, list):
        for i, v in enumerate(schema):
            yield from _schema_sense(root, v, f"{ptr}/{i}", at)
        return
    if not isinstance(schema, Mapping):
        return
    for key, value in schema.items():
        child = f"{ptr}/{_escape(key)}"
        if key in ("examples", "enum", "const", "default") or (
            key.startswith("x-") and key != "x-generate"
        ):
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith("#"):
            if not _resolves(root, value):
                yield at(child, f"{value!r}: $ref to nothing (no such place in this schema)")
        elif key == "pattern" and isinstance(value, str):
            problem = _regex_problem(ecma_regex, value)
            if problem:
                yield at(child, f"regex {value!r} does not compile: {problem}")
        elif key == "x-generate":
            kind = value.get("kind") if isinstance(value, Mapping) else value
            kinds = _known_kinds()
            if kind not in kinds:
                yield at(
                    child,
                    f"unknown x-generate kind {kind!r}: known kinds are {', '.join(sorted(kinds))}",
                )
        elif key == "patternProperties" and isinstance(value, Mapping):
            for pattern, sub in value.items():
                pptr = f"{child}/{_escape(pattern)}"
                problem = _regex_problem(ecma_regex, pattern)
                if problem:
                    yield at(pptr, f"regex {pattern!r} does not compile: {problem}")
                yield from _schema_sense(root, sub, pptr, at)
        else:
            yield from _schema_sense(root, value, child, at)


def _regex_problem(compile_, pattern: str) -> str | None:
    try:
        compile_(pattern)
    except re.error as exc:
        return str(exc)
    return None


def _resolves(root: Any, ref: str) -> bool:
    return _deref_path(root, ref) is not _MISSING


_MISSING = object()


def _deref_path(root: Any, ref: str) -> Any:
    found, value = at_pointer(root, ref[1:])
    return value if found else _MISSING


def _has_pointer(schema: Any, pointer: str) -> bool:
    """Whether a payload place (e.g. /attributes/x) is one the schema names."""
    from .schemas import ecma_regex

    node = schema
    for token in pointer.split("/")[1:]:
        token = unescape(token)
        for _ in range(32):  # follow local $refs
            if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
                target = _deref_path(schema, node["$ref"])
                if target is _MISSING:
                    return False
                node = target
            else:
                break
        if not isinstance(node, Mapping):
            return False
        props = node.get("properties") if isinstance(node.get("properties"), Mapping) else {}
        if token in props:
            node = props[token]
            continue
        pats = (
            node.get("patternProperties")
            if isinstance(node.get("patternProperties"), Mapping)
            else {}
        )
        hit = None
        for pattern, sub in pats.items():
            try:
                if ecma_regex(pattern).search(token):
                    hit = sub
                    break
            except re.error:
                continue
        if hit is not None:
            node = hit
            continue
        if isinstance(node.get("additionalProperties"), Mapping):
            node = node["additionalProperties"]
            continue
        return False
    return True

"""``spec lint PATH...``: check a user-written spec, reporting as many problems as it can.

Beyond the loader (``spec.load_spec``, which stops at its first error), lint checks the
assembled document for sense: every meta-schema error (not only the first), rules that name
a method no spec defines, local ``$ref`` to nothing, guarantee ids used twice, patterns that
do not compile, unknown ``x-generate`` kinds, reflects / klass pointers the schemas do not
have. Every problem is ``file:line: key: message``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._core.pointer import escape as _escape
from .bindings import binding_problems, is_binding_file
from .documents import Assembler as _Assembler
from .loader import load_spec
from .loader import resolve_spec_path as _resolve_spec_path
from .sanity import patterns_in, sense_problems
from .types import Spec, SpecError
from .types import origin_of as _origin

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


def lint(
    name_or_path: str | Path, also: Sequence[Callable[[Spec], list[SpecError]]] = ()
) -> LintResult:
    """Every problem of one spec. ``also``: checks of a layer above this one (the generator's,
    ``generate.strategies.generation_problems``) run on a spec that loads. A binding file
    (``binding: NAME`` at its top) is linted as one, against the bundled spec's methods."""
    if Path(name_or_path).is_file() and is_binding_file(Path(name_or_path)):
        path = Path(name_or_path).resolve()
        problems = binding_problems(path, load_spec())  # the bundled default
        return LintResult(str(path), problems)
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
        doc = asm.document(path)
    except SpecError as exc:  # a $ref file that is missing, unreadable or not YAML
        return LintResult(str(path), [exc])

    def at(pointer: str, message: str) -> SpecError:
        file, line = _origin(asm.origins, pointer, path)
        return SpecError(file, line, pointer, message)

    found: list[SpecError] = list(_meta(doc, at))
    if isinstance(doc, Mapping):
        found += sense_problems(doc, at)
    warnings: list[SpecError] = list(_pattern_warnings(doc, at)) if isinstance(doc, Mapping) else []
    try:
        spec = load_spec(path)
    except SpecError as exc:  # the loader's first error, unless lint already said it there
        if not any((p.file, p.key) == (exc.file, exc.key) for p in found):
            found.append(exc)
    except Exception as exc:  # noqa: BLE001 - the loader should not crash on odd input
        found.append(SpecError(path, 0, "", f"the loader failed: {exc}"))
    else:
        for check in also:
            found += check(spec)
    unique: dict[tuple, SpecError] = {}
    for p in found:
        unique.setdefault((p.file, p.key, p.message), p)
    problems = sorted(unique.values(), key=lambda p: (p.file, p.line, p.key))
    return LintResult(str(path), problems, warnings=warnings)


def _pattern_warnings(doc: Mapping, at) -> Iterator[SpecError]:
    """Patterns that backtrack catastrophically in backtracking engines (JavaScript's, and
    Python's where RE2 cannot run them), and patterns left to Python's ``re``."""
    from .schemas import ecma_regex

    methods = doc.get("methods")
    methods = methods if isinstance(methods, Mapping) else {}
    for name, m in methods.items():
        if not isinstance(m, Mapping):
            continue
        for part in ("options", "response"):
            for ptr, pattern in patterns_in(m.get(part), f"/methods/{_escape(name)}/{part}"):
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


def _nested_quantifier(pattern: str) -> str | None:
    """The first unbounded repeat inside another unbounded repeat, e.g. ``(a+)+``."""
    if sys.version_info >= (3, 11):
        from re import _parser as sre_parse
    else:  # pragma: no cover - Python 3.10
        import sre_parse
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
    from .loader import meta_validator as _meta_validator

    for err in sorted(_meta_validator().iter_errors(doc), key=lambda e: list(e.absolute_path)):
        ptr = "".join(f"/{_escape(str(p))}" for p in err.absolute_path)
        yield at(ptr, err.message)

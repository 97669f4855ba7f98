"""Validators compiled once per spec; every problem is a JSON pointer, a keyword and a message.

Patterns follow ECMA-262 as JSON Schema requires: ``$`` is the end of the string (Python's
``$`` would also accept a trailing newline, which JavaScript implementations reject). Formats
are checked the same way, by the whole string (see formats.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache, cached_property
from typing import Any, NamedTuple

from .._core.pointer import escape as _escape
from .._core.pointer import unescape
from .._core.text import json_repr
from .types import Klass, Spec

_DOLLAR = re.compile(r"(\\.)|(\[(?:\\.|[^\]])*\])|\$")


class EcmaPattern:
    r"""A spec pattern, compiled once: ``search`` runs in RE2 (linear time, so a pattern such
    as ``^(a+)+$`` cannot hang validation) whenever RE2 can express the pattern with the
    same meaning; otherwise (lookarounds, backreferences, ``\b``...) in Python's ``re``.

    The meaning is the one the validator always had: Python's classes (``\s``, ``\d``,
    ``\w`` Unicode-wide) with ECMA-262's ``$`` (end of input only). ``python`` is the
    Python form, for hypothesis's ``from_regex``.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.python = re.compile(_DOLLAR.sub(lambda m: m.group(1) or m.group(2) or r"\Z", pattern))
        self.re2, self.why_not_re2 = _compile_re2(pattern)
        # Lone surrogates cannot reach RE2 (UTF-8); where the pattern names no code point,
        # U+FFFD is matched by exactly what matches a surrogate, so it stands in for them.
        self._surrogates_ok = pattern.isascii() and not re.search(r"\\[uUxN0-7]", pattern)

    @property
    def engine(self) -> str:
        return "re2" if self.re2 is not None else "re"

    def search(self, text: str) -> Any:
        if self.re2 is None:
            return self.python.search(text)
        try:
            return self.re2.search(text)
        except UnicodeEncodeError:
            if not self._surrogates_ok:
                return self.python.search(text)
            return self.re2.search(_SURROGATE.sub("\ufffd", text))

    def __repr__(self) -> str:
        return f"EcmaPattern({self.pattern!r}, engine={self.engine})"


_SURROGATE = re.compile("[\ud800-\udfff]")


@cache
def ecma_regex(pattern: str) -> EcmaPattern:
    """Compile a JSON Schema pattern with ECMA's end-of-input ``$``; raises ``re.error``."""
    return EcmaPattern(pattern)


class _NoRe2(Exception):
    """A pattern RE2 cannot carry with Python's meaning."""


def _compile_re2(pattern: str) -> tuple[Any, str | None]:
    """(RE2 pattern, None), or (None, why) when only Python's ``re`` can run it."""
    try:
        import re2
    except ImportError:  # pragma: no cover - a dependency; without it validation is unbounded
        return None, "google-re2 is not installed"
    try:
        translated = _to_re2(pattern)
    except _NoRe2 as exc:
        return None, str(exc)
    options = re2.Options()
    options.log_errors = False  # RE2 would print each refusal to stderr
    try:
        return re2.compile(translated, options), None
    except Exception as exc:  # noqa: BLE001 - re2.error; and whatever else it refuses
        text = exc.args[0] if exc.args else exc
        return None, text.decode() if isinstance(text, bytes) else str(text)


@cache
def _py_class(kind: str) -> str:
    r"""Python's own ``\s``, ``\d`` or ``\w`` for str patterns, as the inside of an RE2 class
    (found by running Python's ``re`` over every code point: exact by construction)."""
    from array import array

    def chars(first: int, stop: int) -> str:  # fast: one C decode, not a million chr()
        return array("I", range(first, stop)).tobytes().decode("utf-32-le")

    # Every character Python's \s matches is below U+3001 (tests check all code points).
    every = chars(0, 0x3001) if kind == "s" else chars(0, 0xD800) + chars(0xE000, 0x110000)
    runs = []
    for m in re.finditer(f"\\{kind}+", every):
        first, last = ord(m.group()[0]), ord(m.group()[-1])
        runs.append(f"\\x{{{first:x}}}" + (f"-\\x{{{last:x}}}" if last > first else ""))
    return "".join(runs)


_RE2_SAME = set("afnrtv") | {c for c in "\\.^$*+?()[]{}|-/ #&~,:;<=>!'\"%@`_"}


def _to_re2(pattern: str) -> str:
    """``pattern`` (Python syntax, ECMA ``$``) as RE2 syntax with the same meaning."""
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1] if i + 1 < n else ""
            i += 2
            if nxt in "sdw":
                body = _py_class(nxt)
                out.append(body if in_class else f"[{body}]")
            elif nxt in "SDW":
                if in_class:
                    raise _NoRe2(f"\\{nxt} inside a character class")
                out.append(f"[^{_py_class(nxt.lower())}]")
            elif nxt == "Z" and not in_class:
                out.append(r"\z")
            elif nxt == "A" and not in_class:
                out.append(r"\A")
            elif nxt in "uU":
                width = 4 if nxt == "u" else 8
                digits = pattern[i : i + width]
                i += width
                out.append(f"\\x{{{digits}}}")
            elif nxt == "x":
                out.append(f"\\x{{{pattern[i : i + 2]}}}")
                i += 2
            elif nxt in _RE2_SAME or (nxt and not nxt.isalnum() and nxt.isascii()):
                out.append("\\" + nxt)
            else:
                raise _NoRe2(f"\\{nxt} has no RE2 form with Python's meaning")
            continue
        if in_class:
            if ch == "[":
                raise _NoRe2("'[' inside a character class")
            if ch == "]":
                in_class = False
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            start = i + (2 if pattern.startswith("[^", i) else 1)
            if start < n and pattern[start] == "]":
                raise _NoRe2("a class that starts with ']'")
            out.append(pattern[i:start])
            i, in_class = start, True
            continue
        if ch == "$":
            out.append(r"\z")
        elif ch == "(" and pattern.startswith("(?", i):
            if not pattern.startswith(("(?:", "(?P<"), i):
                raise _NoRe2("inline flags and lookarounds are Python-only")
            out.append(ch)
        elif ch == "{" and pattern.startswith("{,", i):
            raise _NoRe2("'{,n}' means {0,n} in Python only")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


class Problem(NamedTuple):  # ordered and hashed as the tuple of its fields
    """One reason a payload breaks the schema."""

    pointer: str  # where in the payload ("" is the whole payload)
    keyword: str  # the schema keyword it breaks ("klass" for the Klass check)
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        from jsonschema.exceptions import ValidationError

        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator, patterns, instance, schema):
    """jsonschema's patternProperties, with the spec's patterns (ECMA ``$``, RE2)."""
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        regex = ecma_regex(pattern)
        for k, v in instance.items():
            if regex.search(k):
                yield from validator.descend(v, subschema, path=k, schema_path=pattern)


def _additional_properties(validator, extra_schema, instance, schema):
    """jsonschema's additionalProperties, with the spec's patterns (ECMA ``$``, RE2)."""
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    extras = _extra_keys(instance, schema)
    if validator.is_type(extra_schema, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], extra_schema, path=extra)
    elif not extra_schema and extras:
        shown = ", ".join(repr(k) for k in sorted(extras, key=str))
        yield ValidationError(f"Additional properties are not allowed ({shown} unexpected)")


@cache
def _validator_class():
    from jsonschema import Draft202012Validator, validators

    return validators.extend(
        Draft202012Validator,
        {
            "pattern": _pattern,
            "patternProperties": _pattern_properties,
            "additionalProperties": _additional_properties,
        },
    )


def json_type(value: Any) -> str:
    """The JSON type name of a value, as x-hints by type name them."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    return "object" if isinstance(value, Mapping) else "other"


def _by_type(hint: str | Mapping[str, str] | None, instance: Any) -> str | None:
    """A hint written per wrong type (``type: {null: ..., number: ..., other: ...}``) picks
    the one for the value that was sent."""
    if isinstance(hint, Mapping):
        chosen = hint.get(json_type(instance), hint.get("other"))
        return chosen if isinstance(chosen, str) else None
    return hint


def _hint(schema: Any, schema_path: list, keyword: str) -> str | Mapping[str, str] | None:
    """The spec's x-hints text for this failure, from the deepest schema that has one (a
    mapping by JSON type where the spec writes one per wrong type)."""

    def deref(node: Any) -> Any:  # error paths skip "$ref": follow it as the validator did
        while isinstance(node, Mapping) and str(node.get("$ref", "")).startswith("#"):
            node = _resolve_local(schema, node["$ref"])
        return node

    nodes = [deref(schema)]
    for part in schema_path[:-1]:
        try:
            nodes.append(deref(nodes[-1][part]))
        except (KeyError, IndexError, TypeError):
            return None
    # Walk up: the failing keyword first, then the keyword that led into each subschema.
    keys = [keyword] + [str(p) for p in reversed(schema_path[:-1])]
    for node, key in zip(reversed(nodes), keys, strict=False):
        hints = node.get("x-hints") if isinstance(node, Mapping) else None
        if isinstance(hints, Mapping) and isinstance(hints.get(key), (str, Mapping)):
            return hints[key]
    return None


class PayloadValidator:
    """Validates one kind of payload (a method's options or response) against the spec."""

    def __init__(self, schema: Any, klass: Klass | None = None, klass_pointer: str | None = None):
        self.schema = schema
        self.klass = klass
        self.klass_pointer = klass_pointer
        self._hints: dict[tuple, str | Mapping[str, str] | None] = {}  # (keyword, *path) -> hint

    @cached_property
    def _validator(self) -> Any:
        # Built on first use: importing jsonschema is most of a short run, and the fast
        # path (fastcheck.py) needs it only for the payloads it cannot judge alone.
        from .formats import checker_for

        return _validator_class()(
            self.schema, format_checker=checker_for(frozenset(formats_used(self.schema)))
        )

    def is_valid(self, instance: Any) -> bool:
        return self._validator.is_valid(instance) and not any(self._klass_problems(instance))

    def problems(self, instance: Any) -> list[Problem]:
        return sorted(set(self.iter_problems(instance)))

    def iter_problems(self, instance: Any) -> Iterator[Problem]:
        """The problems one at a time, unsorted and possibly repeated: a payload with a
        million bad keys need not have a million Problem objects at once."""
        for error in self._validator.iter_errors(instance):
            yield from self._explain(error)
        yield from self._klass_problems(instance)

    def _explain(self, error) -> Iterator[Problem]:
        pointer = "".join(f"/{_escape(str(p))}" for p in error.absolute_path)
        schema_path = list(error.absolute_schema_path)
        keyword = error.validator
        # The same few schema paths fail again and again (one per bad key): look up once.
        at = (keyword, *schema_path)
        if at not in self._hints:
            self._hints[at] = _hint(self.schema, schema_path, keyword)
        hint = _by_type(self._hints[at], error.instance)
        if "propertyNames" in schema_path:
            # The offending thing is a key: point at it, not at its object.
            pointer = f"{pointer}/{_escape(str(error.instance))}"
            yield Problem(
                pointer, "propertyNames", self._say(error.instance, hint, error.message, error)
            )
        elif keyword == "additionalProperties" and isinstance(error.instance, Mapping):
            for key in _extra_keys(error.instance, error.schema):
                message = f"{json_repr(key)} is not allowed here" + (f": {hint}" if hint else "")
                yield Problem(f"{pointer}/{_escape(key)}", keyword, message)
        else:
            yield Problem(pointer, keyword, self._say(error.instance, hint, error.message, error))

    @staticmethod
    def _say(instance: Any, hint: str | None, fallback: str, error: Any = None) -> str:
        if hint:
            return f"{json_repr(instance)} {hint}"
        return _json_message(error, instance) if error is not None else fallback

    def _klass_problems(self, instance: Any) -> Iterator[Problem]:
        if self.klass is None or self.klass_pointer is None:
            return
        node = instance
        for token in self.klass_pointer.split("/")[1:]:
            if not isinstance(node, Mapping) or token not in node:
                return
            node = node[token]
        if not isinstance(node, Mapping):
            return
        for name in node:
            if name not in self.klass.attributes:
                yield Problem(
                    f"{self.klass_pointer}/{_escape(str(name))}",
                    "klass",
                    f"{json_repr(name)} is not an attribute of the Klass ({self.klass.path}): "
                    "add it to the Klass in Kustomer first, or drop it",
                )


def _json_message(error: Any, instance: Any) -> str:
    """jsonschema's message, with values spelled as JSON (null, true) rather than Python."""
    expected = error.validator_value
    value = json_repr(instance)
    keyword = error.validator
    if keyword == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return f"{value} is not of type {' or '.join(kinds)}"
    if keyword == "enum":
        return f"{value} is not one of {json_repr(expected, 200)}"
    if keyword == "const":
        return f"{value} is not {json_repr(expected)}"
    if keyword == "pattern":
        return f"{value} does not match {json_repr(expected)}"
    if keyword == "required":
        return error.message.replace("'", '"', 2)
    if keyword in ("maxLength", "minLength"):
        which = "longer" if keyword == "maxLength" else "shorter"
        return f"{value} is {which} than {expected} characters"
    if keyword == "format":
        return f"{value} is not a valid {expected}"
    return error.message


def _resolve_local(schema: Any, ref: str) -> Any:
    for token in ref[1:].split("/")[1:]:
        schema = schema[unescape(token)]
    return schema


_NOT_SCHEMAS = {"examples", "enum", "const", "default", "required"}


def formats_used(schema: Any) -> set[str]:
    """Every ``format`` a schema names, so none can go silently unchecked."""
    if isinstance(schema, Mapping):
        found = {schema["format"]} if isinstance(schema.get("format"), str) else set()
        subschemas = (
            v for k, v in schema.items() if k not in _NOT_SCHEMAS and not k.startswith("x-")
        )
        return found.union(*(formats_used(v) for v in subschemas))
    if isinstance(schema, list):
        return set().union(*(formats_used(v) for v in schema))
    return set()


def _extra_keys(instance: Mapping, schema: Mapping) -> list[str]:
    props = schema.get("properties", {})
    patterns = [ecma_regex(p) for p in schema.get("patternProperties", {})]
    return [k for k in instance if k not in props and not any(p.search(k) for p in patterns)]


@cache
def _cached(spec: Spec, method: str, part: str, klass: Klass | None) -> PayloadValidator:
    m = spec.methods[method]
    if part != "options":
        return PayloadValidator(m.response_schema)
    return PayloadValidator(m.options_schema, klass.named(m.klass_name) if klass else None, m.klass)


def validator_for(
    spec: Spec, part: str = "options", method: str | None = None, klass: Klass | None = None
) -> PayloadValidator:
    """The validator of a method's ``options`` or ``response`` (the target method by default)."""
    return _cached(spec, method or spec.target.name, part, klass)

"""A verdict-only fast path for :class:`~kustomer_contract.schemas.PayloadValidator`.

``validate`` reads thousands of payloads, and Python jsonschema checks about 20k a second.
:class:`FastCheck` compiles the same schema with ``jsonschema_rs`` (Rust, Draft 2020-12)
and only answers valid / invalid; the few invalid payloads then go through
``PayloadValidator.problems`` for the spec's messages. The Python validator stays the
reference: the Rust copy of the schema is adjusted so both give the same verdict.

- ``format``: the Rust validator calls the very format checkers the Python validator uses
  (``formats.format_checker()``, strict about trailing newlines), instead of its own, so
  ``date-time`` and ``uri`` cannot disagree.
- ``pattern`` / ``patternProperties``: ``jsonschema_rs`` gives ``\\s``, ``\\d``, ``\\w`` and
  ``.`` their ECMA-262 meaning, the Python validator their Python meaning (they differ on
  e.g. U+0085, U+001C-U+001F, U+FEFF, CR, non-ASCII digits). ``\\s``, ``\\S`` and ``.`` are
  rewritten into explicit Python classes; a pattern using ``\\d``, ``\\w``, ``\\b`` (or
  their negations), inline flags or an empty class keeps the whole schema on the Python
  path, which is slower but never wrong.
- Strings holding lone surrogates (``"\\ud800"`` in JSON) cannot cross into Rust: those
  payloads are judged by the Python validator.
- The Klass check is not part of the schema: it is applied here as well.

Without ``jsonschema_rs`` installed, everything silently runs through Python jsonschema.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, cached_property
from typing import Any

from .formats import STRICT, conforms
from .schemas import PayloadValidator, Problem, formats_used

__all__ = ["FastCheck", "fast_check", "list_schema", "rust_schema"]

# Python's \s for str patterns is str.isspace(): exactly these characters (a test recomputes
# them over all of Unicode; written out because computing them is a tenth of a one-file run).
# Inside a class they need no escaping (none is "]", "\\", "^" or "-").
_PY_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Escapes whose Python meaning (Unicode-wide) has no short ECMA-262 spelling.
_GIVE_UP_ESCAPES = set("dDwWbB")


class _Unportable(Exception):
    """A pattern whose Python meaning cannot be written for jsonschema_rs."""


def _translate(pattern: str) -> str:
    """``pattern`` rewritten so that ECMA-262 regex semantics give Python's answers."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    class_start = False  # just after "[" or "[^"
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise _Unportable(pattern)
            nxt = pattern[i + 1]
            if nxt in _GIVE_UP_ESCAPES:
                raise _Unportable(pattern)
            if nxt == "s":
                out.append(_PY_SPACE if in_class else f"[{_PY_SPACE}]")
            elif nxt == "S":
                if in_class:
                    raise _Unportable(pattern)
                out.append(f"[^{_PY_SPACE}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            class_start = False
            continue
        if in_class:
            if ch == "]" and class_start:
                # "[]" / "[^]" mean different things in Python and ECMA-262.
                raise _Unportable(pattern)
            if ch == "[":
                # Nested sets / set operations differ between engines.
                raise _Unportable(pattern)
            if ch == "]":
                in_class = False
            elif ch == "^" and out[-1] == "[":
                out.append(ch)
                i += 1
                continue  # still at the start of the class
            out.append(ch)
            class_start = False
            i += 1
            continue
        if ch == "[":
            in_class, class_start = True, True
            out.append(ch)
        elif ch == ".":
            out.append("[^\n]")
        elif ch == "(" and pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
            # Inline flags ((?i), (?s)...) and lookarounds: keep to the Python path.
            raise _Unportable(pattern)
        else:
            out.append(ch)
        i += 1
    if in_class:
        raise _Unportable(pattern)
    return "".join(out)


def rust_schema(schema: Any) -> Any:
    """A copy of ``schema`` whose patterns mean for jsonschema_rs what they mean in Python.

    Raises ``ValueError`` when some pattern cannot be carried over exactly.
    """
    try:
        return _rewrite(schema)
    except _Unportable as exc:
        raise ValueError(f"pattern {exc.args[0]!r} has no exact ECMA-262 form") from None


def _rewrite(node: Any) -> Any:
    if isinstance(node, Mapping):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key.startswith("x-"):
                continue  # annotations only; jsonschema_rs need not see the hints
            if key == "pattern" and isinstance(value, str):
                out[key] = _translate(value)
            elif key == "patternProperties" and isinstance(value, Mapping):
                out[key] = {_translate(p): _rewrite(sub) for p, sub in value.items()}
            elif key in ("enum", "const", "examples", "default"):
                out[key] = value
            else:
                out[key] = _rewrite(value)
        return out
    if isinstance(node, list):
        return [_rewrite(item) for item in node]
    return node


_ITEM_ID = "urn:kustomer-contract:item"


def list_schema(schema: Any) -> Any:
    """A schema valid for exactly the lists whose every item ``schema`` accepts.

    The item schema is embedded as its own resource (``$id``), so its ``#...`` references
    still resolve against itself."""
    if not isinstance(schema, Mapping) or "$id" in schema:
        raise ValueError("only a schema without its own $id can be embedded")
    return {
        "type": "array",
        "items": {"$ref": _ITEM_ID},
        "$defs": {"item": {**schema, "$id": _ITEM_ID}},
    }


def _compile_rust(schema: Any, *, as_list: bool = False):
    """The jsonschema_rs validator for ``schema`` (of a list of such payloads with
    ``as_list``), or None to stay on the Python path."""
    try:
        import jsonschema_rs
    except ImportError:
        return None

    def format_function(name: str):
        # The four checked here are called directly: a format is checked on most payloads.
        return STRICT.get(name) or (lambda value: conforms(value, name))

    formats = {name: format_function(name) for name in formats_used(schema)}
    try:
        portable = rust_schema(schema)
        return jsonschema_rs.Draft202012Validator(
            list_schema(portable) if as_list else portable,
            formats=formats,
            validate_formats=True,
            ignore_unknown_formats=False,
            offline=True,
        )
    except Exception:  # an unportable pattern, or a schema jsonschema_rs refuses
        return None


class FastCheck:
    """``is_valid`` as fast as jsonschema_rs allows; ``problems`` as PayloadValidator says."""

    def __init__(self, validator: PayloadValidator, *, use_rust: bool = True) -> None:
        self.validator = validator
        self._rust = _compile_rust(validator.schema) if use_rust else None
        self._klass = validator.klass is not None and validator.klass_pointer is not None

    @property
    def uses_rust(self) -> bool:
        return self._rust is not None

    def schema_valid(self, instance: Any) -> bool:
        """The schema verdict alone (no Klass check)."""
        rust = self._rust
        if rust is not None:
            try:
                return rust.is_valid(instance)
            except Exception:  # lone surrogates and the like cannot cross: Python judges
                pass
        return self.validator._validator.is_valid(instance)  # schema only, without the Klass

    def is_valid(self, instance: Any) -> bool:
        return self.schema_valid(instance) and self._in_klass(instance)

    def all_valid(self, instances: list[Any]) -> bool:
        """Whether every one of ``instances`` is valid, in one call into Rust: a stream's
        lines are judged a batch at a time. False may also mean "judge them one by one"."""
        if self._list is None:
            return False
        try:
            if not self._list.is_valid(instances):
                return False
        except Exception:  # lone surrogates and the like: one by one, where Python judges
            return False
        return not self._klass or all(map(self._in_klass, instances))

    @cached_property
    def _list(self) -> Any:
        # Compiled on the first batch (a single file never needs it), and only where the
        # single-payload validator is Rust too.
        return None if self._rust is None else _compile_rust(self.validator.schema, as_list=True)

    def _in_klass(self, instance: Any) -> bool:
        return not (self._klass and any(self.validator._klass_problems(instance)))

    def problems(self, instance: Any) -> list[Problem]:
        """[] for a valid payload; otherwise the PayloadValidator's problems (may be [])."""
        if self.is_valid(instance):
            return []
        return self.validator.problems(instance)


@cache
def fast_check(validator: PayloadValidator) -> FastCheck:
    """The fast path of a validator, compiled once: generation filters every drawn payload
    through ``is_valid`` and the engine checks every response, where jsonschema alone is
    most of the cost. Validators come from ``validator_for``'s cache, so this holds no more."""
    return FastCheck(validator)

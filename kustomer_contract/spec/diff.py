"""``spec diff OLD NEW``: every change between two specs, judged for callers and implementers.

Roles decide what breaks whom. A method's ``options`` are written by callers and read by
implementations: when the schema accepts more ("widens"), implementations must accept the new
inputs; when it accepts less ("narrows"), options that callers send today are rejected (and,
under the ``rejects-invalid`` guarantee, implementations must now reject them). A ``response``
is the reverse: written by implementations, read by callers. Narrowing it adds requirements
for implementations; widening it means callers may get shapes they did not get before.

The schemas are compared structurally, keyword by keyword, with the JSON pointer (into the
spec document, ``$ref`` files inlined) of each change. Ordering rules, guarantees, policies,
reflects rules and the methods themselves are compared too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .._core.pointer import escape as _escape
from .types import Spec

__all__ = ["Change", "diff", "diff_specs", "format_text", "to_json"]

CALLERS, IMPLEMENTERS = "callers", "implementers"
WIDEN, NARROW, BOTH, NONE = "widen", "narrow", "both", "none"

_ANNOTATIONS = {
    "title",
    "description",
    "examples",
    "default",
    "$comment",
    "$schema",
    "$id",
    "readOnly",
    "writeOnly",
    "contentMediaType",
    "contentEncoding",
}
_UPPER = {"maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum", "maxContains"}
_LOWER = {"minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum", "minContains"}
_HANDLED = (
    _ANNOTATIONS
    | _UPPER
    | _LOWER
    | {
        "type",
        "enum",
        "const",
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "propertyNames",
        "items",
        "prefixItems",
        "pattern",
        "format",
        "$ref",
        "$defs",
        "deprecated",
        "uniqueItems",
        "allOf",
        "anyOf",
        "oneOf",
    }
)


@dataclass(frozen=True)
class Change:
    """One difference between two specs."""

    pointer: str  # where, in the spec document (the new one; the old one for removals)
    change: str  # added | removed | changed
    message: str  # what changed and what it means, e.g. "added: implementations must accept it"
    breaking_for: tuple[str, ...]  # () or some of ("callers", "implementers")

    @property
    def breaking(self) -> bool:
        return bool(self.breaking_for)

    def label(self) -> str:
        if not self.breaking_for:
            return "not breaking"
        return "BREAKING for " + " and ".join(self.breaking_for)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pointer": self.pointer,
            "change": self.change,
            "breaking": self.breaking,
            "breaking_for": list(self.breaking_for),
            "message": self.message,
        }


def diff(old: str | Spec, new: str | Spec) -> list[Change]:
    """Load (if given names or paths) and compare two specs."""
    from .loader import load_spec

    return diff_specs(
        old if isinstance(old, Spec) else load_spec(old),
        new if isinstance(new, Spec) else load_spec(new),
    )


def diff_specs(old: Spec, new: Spec) -> list[Change]:
    d = _Differ(rejects_invalid="rejects-invalid" in new.guarantees)
    d.document(old.document, new.document)
    return d.out


# --- schema walk -------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _types(schema: Mapping) -> set[str] | None:
    t = schema.get("type")
    if t is None:
        return None
    return set(t) if isinstance(t, list) else {t}


def _covers(types: set[str], t: str) -> bool:
    return t in types or (t == "integer" and "number" in types)


def _trivial(schema: Any) -> bool:
    """A schema that accepts everything (true, or only annotations)."""
    if schema is True:
        return True
    return isinstance(schema, Mapping) and all(
        k in _ANNOTATIONS or k.startswith("x-") or k == "deprecated" for k in schema
    )


class _Differ:
    def __init__(self, rejects_invalid: bool) -> None:
        self.rejects_invalid = rejects_invalid
        self.out: list[Change] = []

    # results -------------------------------------------------------------------------------

    def emit(self, pointer: str, change: str, what: str, breaking: tuple[str, ...], why: str):
        message = f"{change}: {what}" + (f": {why}" if why else "")
        self.out.append(Change(pointer, change, message, breaking))

    def schema_change(self, part: str, pointer: str, change: str, what: str, direction: str):
        """Class a change of a payload schema by its direction and who writes that payload."""
        if direction == NONE:
            return self.emit(pointer, change, what, (), "")
        if direction == BOTH:
            return self.emit(
                pointer,
                change,
                what,
                (CALLERS, IMPLEMENTERS),
                "what is valid changed both ways; callers and implementations must both check it",
            )
        if part == "options":
            if direction == WIDEN:
                return self.emit(
                    pointer, change, what, (IMPLEMENTERS,), "implementations must accept it"
                )
            if self.rejects_invalid:
                return self.emit(
                    pointer,
                    change,
                    what,
                    (CALLERS, IMPLEMENTERS),
                    "options that were valid are now rejected: callers must stop sending them "
                    "and implementations must reject them (rejects-invalid)",
                )
            return self.emit(
                pointer,
                change,
                what,
                (CALLERS,),
                "options that were valid are now rejected: callers must stop sending them",
            )
        if direction == NARROW:
            return self.emit(
                pointer, change, what, (IMPLEMENTERS,), "implementations must now meet it"
            )
        return self.emit(
            pointer,
            change,
            what,
            (CALLERS,),
            "callers may now receive responses they could not before",
        )

    # schemas -------------------------------------------------------------------------------

    def schema(self, part: str, old: Any, new: Any, ptr: str, loc: str) -> None:
        """Compare two schemas of a payload part; ``loc`` is the place in the payload."""
        where = f"{part} {loc or '/'}"
        if old == new:
            return
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            o = True if old is None else old
            n = True if new is None else new
            if o is False or n is True or (isinstance(o, Mapping) and _trivial(n)):
                direction = WIDEN if not (o is False and n is False) else NONE
            elif n is False or o is True or _trivial(o):
                direction = NARROW
            else:
                direction = BOTH
            what = (
                f"schema of {where} now {_json(n) if isinstance(n, bool) else 'an object schema'}"
            )
            return self.schema_change(part, ptr, "changed", what, direction)
        for key in sorted(set(old) | set(new), key=_key_order):
            if old.get(key) == new.get(key) and (key in old) == (key in new):
                continue
            o, n = old.get(key), new.get(key)
            kptr = f"{ptr}/{_escape(key)}"
            change = "added" if key not in old else "removed" if key not in new else "changed"
            if key.startswith("x-") or key in _ANNOTATIONS:
                self.emit(kptr, change, f"{key} of {where}", (), "documentation only")
            elif key == "deprecated":
                self.deprecated(part, old, new, ptr, where)
            elif key == "type":
                self.type_(part, old, new, kptr, where)
            elif key in ("enum", "const"):
                self.enum(part, key, old, new, kptr, where)
            elif key in _UPPER or key in _LOWER:
                self.bound(part, key, o, n, kptr, where)
            elif key in ("pattern", "format"):
                direction = NARROW if change == "added" else WIDEN if change == "removed" else BOTH
                detail = (
                    f"{_json(o)} -> {_json(n)}"
                    if change == "changed"
                    else _json(o if n is None else n)
                )
                self.schema_change(part, kptr, change, f"{key} of {where} {detail}", direction)
            elif key == "uniqueItems":
                direction = NARROW if n is True else WIDEN
                self.schema_change(
                    part, kptr, change, f"uniqueItems of {where} now {_json(n)}", direction
                )
            elif key == "required":
                self.required(part, o or [], n or [], kptr, loc)
            elif key in ("properties", "patternProperties"):
                self.properties(part, key, old, new, kptr, loc)
            elif key == "additionalProperties":
                self.additional(part, o, n, kptr, loc)
            elif key == "propertyNames":
                self.schema(part, o, n, kptr, f"{loc} (key names)")
            elif key == "items":
                self.schema(part, o, n, kptr, f"{loc}/*")
            elif key == "$defs":
                self.defs(part, o or {}, n or {}, kptr)
            elif key in ("prefixItems", "allOf", "anyOf", "oneOf") and _same_length(o, n):
                assert isinstance(o, list) and isinstance(n, list)  # _same_length
                for i, (a, b) in enumerate(zip(o, n, strict=True)):
                    sub = f"{loc}/{i}" if key == "prefixItems" else loc
                    self.schema(part, a, b, f"{kptr}/{i}", sub)
            elif key == "$ref":
                self.schema_change(
                    part, kptr, change, f"$ref of {where} {_json(o)} -> {_json(n)}", BOTH
                )
            else:
                self.schema_change(
                    part, kptr, change, f"{key} of {where} (not analysed further)", BOTH
                )

    def deprecated(self, part: str, old: Mapping, new: Mapping, ptr: str, where: str) -> None:
        now = new.get("deprecated") is True
        was = old.get("deprecated") is True
        if now == was:
            return
        name = where.rsplit("/", 1)[-1]
        change = "added" if now else "removed"
        if now:
            why = (
                "still accepted; callers get a warning"
                if part == "options"
                else "still sent; callers should stop reading it"
            )
        else:
            why = "no longer deprecated"
        self.emit(f"{ptr}/deprecated", change, f"{name} ({where}) deprecated", (), why)

    def type_(self, part: str, old: Mapping, new: Mapping, ptr: str, where: str) -> None:
        o, n = _types(old), _types(new)
        if o is None:
            # type_ runs where `type` differs, and check_schema refuses `type: null`.
            assert n is not None
            return self.schema_change(
                part, ptr, "added", f"type of {where} now {sorted(n)}", NARROW
            )
        if n is None:
            return self.schema_change(
                part, ptr, "removed", f"type of {where} (any type now)", WIDEN
            )
        gained = sorted(t for t in n if not _covers(o, t))
        lost = sorted(t for t in o if not _covers(n, t))
        if gained:
            self.schema_change(part, ptr, "changed", f"type of {where} widened by {gained}", WIDEN)
        if lost:
            self.schema_change(part, ptr, "changed", f"type of {where} narrowed by {lost}", NARROW)

    def enum(self, part: str, key: str, old: Mapping, new: Mapping, ptr: str, where: str) -> None:
        def values(schema: Mapping) -> list | None:
            if key not in schema:
                return None
            return list(schema[key]) if key == "enum" else [schema[key]]

        o, n = values(old), values(new)
        if o is None:
            return self.schema_change(part, ptr, "added", f"{key} of {where} {_json(n)}", NARROW)
        if n is None:
            return self.schema_change(part, ptr, "removed", f"{key} of {where} {_json(o)}", WIDEN)
        gained = [v for v in n if v not in o]
        lost = [v for v in o if v not in n]
        if gained:
            self.schema_change(
                part, ptr, "added", f"{key} value(s) {_json(gained)} in {where}", WIDEN
            )
        if lost:
            self.schema_change(
                part, ptr, "removed", f"{key} value(s) {_json(lost)} in {where}", NARROW
            )

    def bound(self, part: str, key: str, o: Any, n: Any, ptr: str, where: str) -> None:
        upper = key in _UPPER
        if o is None:
            change, direction = "added", NARROW
        elif n is None:
            change, direction = "removed", WIDEN
        else:
            change = "changed"
            looser = n > o if upper else n < o
            direction = WIDEN if looser else NARROW
        detail = f"{_json(o)} -> {_json(n)}"
        self.schema_change(part, ptr, change, f"{key} of {where} {detail}", direction)

    def required(self, part: str, o: list, n: list, ptr: str, loc: str) -> None:
        for name in n:
            if name not in o:
                self.schema_change(
                    part, ptr, "added", f"{_json(name)} now required in {part} {loc or '/'}", NARROW
                )
        for name in o:
            if name not in n:
                self.schema_change(
                    part,
                    ptr,
                    "removed",
                    f"{_json(name)} no longer required in {part} {loc or '/'}",
                    WIDEN,
                )

    def properties(self, part: str, key: str, old: Mapping, new: Mapping, ptr: str, loc: str):
        o, n = old.get(key) or {}, new.get(key) or {}
        for name in list(o) + [k for k in n if k not in o]:
            sub = f"{loc}/{name}" if key == "properties" else f"{loc}/<{name}>"
            nptr = f"{ptr}/{_escape(name)}"
            if name in o and name in n:
                self.schema(part, o[name], n[name], nptr, sub)
                continue
            added = name in n
            closed = (new if added else old).get("additionalProperties", True)
            schema = n[name] if added else o[name]
            if closed is False:
                direction = WIDEN if added else NARROW
            elif _trivial(schema):
                direction = NONE
            elif closed is True or _trivial(closed):
                direction = NARROW if added else WIDEN
            else:
                direction = BOTH
            kind = "property" if key == "properties" else "pattern property"
            if added:
                what = f"{kind} {name} added to {part} {loc or '/'}"
            else:
                what = f"{kind} {name} removed from {part} {loc or '/'}"
            self.schema_change(part, nptr, "added" if added else "removed", what, direction)

    def additional(self, part: str, o: Any, n: Any, ptr: str, loc: str) -> None:
        o = True if o is None else o
        n = True if n is None else n
        where = f"{part} {loc or '/'}"
        if isinstance(o, bool) and isinstance(n, bool):
            if o == n:
                return
            if n:
                what = (
                    f"additionalProperties of {where} now open: keys beyond the listed ones allowed"
                )
                return self.schema_change(part, ptr, "changed", what, WIDEN)
            what = f"additionalProperties of {where} now false: only the listed keys allowed"
            return self.schema_change(part, ptr, "changed", what, NARROW)
        self.schema(part, o, n, ptr, f"{loc}/*")

    def defs(self, part: str, o: Mapping, n: Mapping, ptr: str) -> None:
        for name in list(o) + [k for k in n if k not in o]:
            dptr = f"{ptr}/{_escape(name)}"
            if name in o and name in n:
                self.schema(part, o[name], n[name], dptr, f"(definition {name})")
            elif name in n:
                self.emit(
                    dptr,
                    "added",
                    f"definition {name} in {part}",
                    (),
                    "used only where a $ref names it",
                )
            else:
                self.emit(
                    dptr,
                    "removed",
                    f"definition {name} in {part}",
                    (),
                    "was used only where a $ref named it",
                )

    # the rest of the document --------------------------------------------------------------

    def document(self, old: Mapping, new: Mapping) -> None:
        for key in ("contract", "version", "title", "source"):
            if old.get(key) != new.get(key):
                self.emit(
                    f"/{key}",
                    "changed",
                    f"{key} {_json(old.get(key))} -> {_json(new.get(key))}",
                    (CALLERS, IMPLEMENTERS) if key == "contract" else (),
                    "another contract altogether" if key == "contract" else "",
                )
        if old.get("target") != new.get("target"):
            self.emit(
                "/target",
                "changed",
                f"target {_json(old.get('target'))} -> {_json(new.get('target'))}",
                (CALLERS, IMPLEMENTERS),
                "the method under test changed",
            )
        self.methods(old.get("methods", {}), new.get("methods", {}))
        self.rules(old.get("rules", []), new.get("rules", []))
        self.guarantees(old.get("guarantees", []), new.get("guarantees", []))
        self.policies(old.get("policies", {}), new.get("policies", {}))

    def methods(self, old: Mapping, new: Mapping) -> None:
        for name in list(old) + [k for k in new if k not in old]:
            ptr = f"/methods/{_escape(name)}"
            if name not in new:
                self.emit(
                    ptr, "removed", f"method {name}", (CALLERS,), "callers can no longer call it"
                )
            elif name not in old:
                self.emit(
                    ptr,
                    "added",
                    f"method {name}",
                    (IMPLEMENTERS,),
                    "implementations must provide it",
                )
            else:
                self.method(name, old[name], new[name], ptr)

    def method(self, name: str, old: Mapping, new: Mapping, ptr: str) -> None:
        both = (CALLERS, IMPLEMENTERS)
        if old.get("role") != new.get("role"):
            self.emit(
                f"{ptr}/role",
                "changed",
                f"role of {name} {_json(old.get('role'))} -> {_json(new.get('role'))}",
                both,
                "the method means something else",
            )
        op, np_ = list(old.get("params", [])), list(new.get("params", []))
        if op != np_:
            self.emit(
                f"{ptr}/params",
                "changed",
                f"params of {name} {_json(op)} -> {_json(np_)}",
                both,
                "calls must be written differently",
            )
        oc, nc = bool(old.get("callback_optional")), bool(new.get("callback_optional"))
        if oc != nc:
            if nc:
                self.emit(
                    f"{ptr}/callback_optional",
                    "changed",
                    f"callback of {name} now optional",
                    (IMPLEMENTERS,),
                    "implementations must work without a callback",
                )
            else:
                self.emit(
                    f"{ptr}/callback_optional",
                    "changed",
                    f"callback of {name} now required",
                    (CALLERS,),
                    "callers must always pass one",
                )
        for key, meaning in (
            ("identity", "where the customer's identity is"),
            ("klass", "which object holds Klass attributes"),
        ):
            if old.get(key) != new.get(key):
                change = "added" if key not in old else "removed" if key not in new else "changed"
                self.emit(
                    f"{ptr}/{key}",
                    change,
                    f"{key} of {name} {_json(old.get(key))} -> {_json(new.get(key))}",
                    both,
                    f"{meaning} changed",
                )
        for part, label in (("options", "options"), ("response", "response")):
            if old.get(part) != new.get(part):
                self.schema(label, old.get(part), new.get(part), f"{ptr}/{part}", "")
        self.reflects(name, old.get("reflects", []), new.get("reflects", []), f"{ptr}/reflects")

    def reflects(self, name: str, old: list, new: list, ptr: str) -> None:
        o = {r["input"]: (i, r) for i, r in enumerate(old)}
        n = {r["input"]: (i, r) for i, r in enumerate(new)}
        for inp, (i, r) in n.items():
            if inp not in o:
                self.emit(
                    f"{ptr}/{i}",
                    "added",
                    f"options {inp} must show up in response {r['output']} ({_json(r['compare'])})",
                    (IMPLEMENTERS,),
                    "implementations must reflect it",
                )
            elif o[inp][1] != r:
                self.emit(
                    f"{ptr}/{i}",
                    "changed",
                    f"how options {inp} shows up in the response: {_json(o[inp][1])} -> {_json(r)}",
                    (CALLERS, IMPLEMENTERS),
                    "responses show it differently",
                )
        for inp, (i, r) in o.items():
            if inp not in n:
                self.emit(
                    f"{ptr}/{i}",
                    "removed",
                    f"options {inp} no longer has to show up in response {r['output']}",
                    (CALLERS,),
                    "callers can no longer count on seeing it",
                )

    def rules(self, old: list, new: list) -> None:
        o = {r["id"]: (i, r) for i, r in enumerate(old)}
        n = {r["id"]: (i, r) for i, r in enumerate(new)}
        for rid, (i, r) in n.items():
            if rid not in o:
                self.emit(
                    f"/rules/{i}",
                    "added",
                    f"ordering rule {rid}: {r.get('text', '')}",
                    (CALLERS,),
                    "callers must now keep it",
                )
                continue
            before = o[rid][1]
            core = ("kind", "method", "after")
            if any(before.get(k) != r.get(k) for k in core):
                was = {k: before.get(k) for k in core if k in before}
                now = {k: r.get(k) for k in core if k in r}
                self.emit(
                    f"/rules/{i}",
                    "changed",
                    f"ordering rule {rid} {_json(was)} -> {_json(now)}",
                    (CALLERS, IMPLEMENTERS),
                    "callers must order calls differently and implementations see other orders",
                )
            elif before != r:
                self.emit(
                    f"/rules/{i}",
                    "changed",
                    f"wording of ordering rule {rid}",
                    (),
                    "documentation only",
                )
        for rid, (i, _r) in o.items():
            if rid not in n:
                self.emit(
                    f"/rules/{i}",
                    "removed",
                    f"ordering rule {rid}",
                    (IMPLEMENTERS,),
                    "callers may now do what it forbade; implementations must cope",
                )

    def guarantees(self, old: list, new: list) -> None:
        o = {g["id"]: (i, g) for i, g in enumerate(old)}
        n = {g["id"]: (i, g) for i, g in enumerate(new)}
        for gid, (i, g) in n.items():
            if gid not in o:
                self.emit(
                    f"/guarantees/{i}",
                    "added",
                    f"guarantee {gid}",
                    (IMPLEMENTERS,),
                    "implementations must now keep it",
                )
            elif o[gid][1] != g:
                self.emit(
                    f"/guarantees/{i}/text",
                    "changed",
                    f"wording of guarantee {gid}",
                    (),
                    "documentation only",
                )
        for gid, (i, _g) in o.items():
            if gid not in n:
                self.emit(
                    f"/guarantees/{i}",
                    "removed",
                    f"guarantee {gid}",
                    (CALLERS,),
                    "callers can no longer count on it",
                )

    def policies(self, old: Mapping, new: Mapping) -> None:
        for key in list(old) + [k for k in new if k not in old]:
            if old.get(key) != new.get(key):
                self.emit(
                    f"/policies/{_escape(key)}",
                    "changed",
                    f"policy {key} {_json(old.get(key))} -> {_json(new.get(key))}",
                    (CALLERS, IMPLEMENTERS),
                    "implementations must behave differently and callers see other results",
                )


def _same_length(o: Any, n: Any) -> bool:
    return isinstance(o, list) and isinstance(n, list) and len(o) == len(n)


_ORDER = ["type", "enum", "const", "required", "properties", "patternProperties"]


def _key_order(key: str) -> tuple[int, str]:
    return (_ORDER.index(key) if key in _ORDER else len(_ORDER), key)


# --- output ------------------------------------------------------------------------------


def format_text(changes: list[Change], breaking_only: bool = False) -> Iterator[str]:
    shown = [c for c in changes if c.breaking or not breaking_only]
    width = max((len(c.label()) for c in shown), default=0)
    for c in shown:
        yield f"{c.label():<{width}}  {c.pointer}: {c.message}"
    broken_c = sum(CALLERS in c.breaking_for for c in changes)
    broken_i = sum(IMPLEMENTERS in c.breaking_for for c in changes)
    yield (
        f"{len(changes)} change(s): {broken_c} breaking for callers, "
        f"{broken_i} breaking for implementers"
    )


def to_json(old: Spec, new: Spec, changes: list[Change]) -> dict[str, Any]:
    return {
        "old": {"name": old.name, "path": str(old.path)},
        "new": {"name": new.name, "path": str(new.path)},
        "breaking": any(c.breaking for c in changes),
        "breaking_for_callers": sum(CALLERS in c.breaking_for for c in changes),
        "breaking_for_implementers": sum(IMPLEMENTERS in c.breaking_for for c in changes),
        "changes": [c.as_dict() for c in changes],
    }

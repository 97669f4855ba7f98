"""What the customer should look like: normalised values and the expected state.

Everything here reads the spec's ``reflects`` rules; no field name is known to the engine.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._core.pointer import resolve as at_pointer
from ..spec.types import Method, Spec

# --- normalising values for comparison -----------------------------------------------------


def canonical_json(value: Any) -> str:
    def fix(v: Any) -> Any:
        if isinstance(v, float) and math.isfinite(v) and v.is_integer():
            return int(v)  # 1.0 and 1 are the same JSON number (JavaScript has only one)
        if isinstance(v, Mapping):
            return {str(k): fix(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [fix(x) for x in v]
        return v

    try:
        return json.dumps(fix(value), sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _normalise_scalar(how: str, value: Any) -> str:
    if how == "casefold" and isinstance(value, str):
        return value.casefold()
    if how == "digits" and isinstance(value, str):
        return "".join(c for c in value if c in "0123456789")
    return canonical_json(value)


def normalise(compare: str | Mapping[str, str], value: Any) -> str:
    """One comparable key per value, as the spec's ``compare`` says."""
    if isinstance(compare, Mapping):
        if not isinstance(value, Mapping):
            return canonical_json(value)
        return canonical_json(
            {k: _normalise_scalar(how, value.get(k)) for k, how in compare.items()}
        )
    return _normalise_scalar(compare, value)


# --- states --------------------------------------------------------------------------------

Values = frozenset  # of normalised values (str): a map entry may hold any one of them


@dataclass
class State:
    """A customer as normalised values per reflects rule.

    Lists (rule -> key -> original) hold the values that must be there. Maps (rule -> name ->
    normalised values) hold, per name, every value the entry may show: one for a value read off
    a document, several while writes that may still land (or landed who knows where) compete.
    A name that is absent is not expected at all."""

    lists: dict[int, dict[str, Any]] = field(default_factory=dict)
    maps: dict[int, dict[str, Values]] = field(default_factory=dict)

    def copy(self) -> State:
        return State(
            {k: dict(v) for k, v in self.lists.items()}, {k: dict(v) for k, v in self.maps.items()}
        )

    def same_as(self, other: State) -> bool:
        def lists(s: State) -> dict:
            return {k: set(v) for k, v in s.lists.items() if v}

        def maps(s: State) -> dict:
            return {k: v for k, v in s.maps.items() if v}

        return lists(self) == lists(other) and maps(self) == maps(other)


def state_from(method: Method, document: Any, side: str) -> State:
    """The values a payload carries (side="input") or a response shows (side="output")."""
    state = State()
    for i, rule in enumerate(method.reflects):
        found, node = at_pointer(document, rule.input if side == "input" else rule.output)
        if not found:
            continue
        if rule.shape == "map":
            state.maps[i] = (
                {str(k): Values({normalise(rule.compare, v)}) for k, v in node.items()}
                if isinstance(node, Mapping)
                else {}
            )
        else:
            items = node if isinstance(node, list) else []
            state.lists[i] = {normalise(rule.compare, v): v for v in items}
    return state


def _shown(values: Values) -> str:
    if len(values) == 1:
        return next(iter(values))
    return "one of " + ", ".join(sorted(values))


def missing(expected: State, observed: State, method: Method) -> list[str]:
    """Human-readable entries of ``expected`` that ``observed`` lacks."""
    out = []
    for i, values in expected.lists.items():
        have = observed.lists.get(i, {})
        rule = method.reflects[i]
        out += [
            f"{rule.output}: {json.dumps(v, ensure_ascii=False)}"
            for k, v in values.items()
            if k not in have
        ]
    for i, entries in expected.maps.items():
        have = observed.maps.get(i, {})
        rule = method.reflects[i]
        for name, allowed in entries.items():
            if name not in have:
                out.append(f"{rule.output}/{name} (absent)")
            elif not have[name] <= allowed:
                out.append(f"{rule.output}/{name} = {_shown(allowed)} (got {_shown(have[name])})")
    return out


def present(unwanted: State, observed: State, method: Method) -> list[str]:
    """Entries of ``unwanted`` that ``observed`` shows: evidence that something was applied."""
    out = []
    for i, values in unwanted.lists.items():
        have = observed.lists.get(i, {})
        rule = method.reflects[i]
        out += [
            f"{rule.output}: {json.dumps(v, ensure_ascii=False)}"
            for k, v in values.items()
            if k in have
        ]
    for i, entries in unwanted.maps.items():
        have = observed.maps.get(i, {})
        rule = method.reflects[i]
        out += [f"{rule.output}/{name}" for name in entries if name in have]
    return out


def minus(state: State, other: State) -> State:
    """The entries of ``state`` that ``other`` does not hold (maps compared by name)."""
    out = State()
    for i, values in state.lists.items():
        out.lists[i] = {k: v for k, v in values.items() if k not in other.lists.get(i, {})}
    for i, entries in state.maps.items():
        out.maps[i] = {k: v for k, v in entries.items() if k not in other.maps.get(i, {})}
    return out


def union(a: State, b: State) -> State:
    """Every value of either (a map entry of ``b`` replaces ``a``'s)."""
    out = a.copy()
    for i, values in b.lists.items():
        out.lists.setdefault(i, {}).update(values)
    for i, entries in b.maps.items():
        out.maps.setdefault(i, {}).update(entries)
    return out


def merged(spec: Spec, earlier: State, update: State) -> State:
    """The state after an update, under the spec's merge policy."""
    out = earlier.copy()
    for i, values in update.lists.items():
        if spec.merge == "replace":
            out.lists[i] = dict(values)
        else:
            out.lists.setdefault(i, {}).update(values)
    for i, entries in update.maps.items():
        out.maps.setdefault(i, {}).update(entries)
    return out


def widened(spec: Spec, expected: State, write: State) -> State:
    """What may be seen once ``write`` may or may not have landed (it is in flight, or it landed
    on one of several records): each entry it sets may show its old value or the write's.

    Entries nothing expected stay unexpected; under append a write only adds to lists, so
    what a list must hold stands; under replace a list the write sets may become the write's."""
    out = expected.copy()
    for i, entries in write.maps.items():
        have = out.maps.get(i, {})
        for name, values in entries.items():
            if name in have:
                have[name] = have[name] | values
    if spec.merge == "replace":
        for i in write.lists:
            out.lists.pop(i, None)
    return out


def rebased(expected: State, observed: State) -> State:
    """Once every write to a record has settled, the value each expected map entry shows is
    what it holds from then on (which of several competing writes landed is now known)."""
    out = expected.copy()
    for i, entries in out.maps.items():
        seen = observed.maps.get(i, {})
        for name in entries:
            if name in seen:
                entries[name] = seen[name]
    for i, values in out.lists.items():  # a value found lost is reported once, not at every read
        seen_list = observed.lists.get(i, {})
        out.lists[i] = {k: v for k, v in values.items() if k in seen_list}
    return out


def shows_landing(write: State, before: State, others: State) -> bool:
    """Whether seeing every value of ``write`` in a record that held ``before`` proves that the
    write landed: some value of it was not there and no other write in flight (``others``)
    could bring it."""
    for i, keys in write.lists.items():
        if any(k not in before.lists.get(i, {}) and k not in others.lists.get(i, {}) for k in keys):
            return True
    for i, entries in write.maps.items():
        for name, values in entries.items():
            if not values <= before.maps.get(i, {}).get(name, Values()) | others.maps.get(
                i, {}
            ).get(name, Values()):
                return True
    return False


def unexplained_changes(before: State, after: State, method: Method, explained: State) -> list[str]:
    """How a record changed between two reads beyond what writes in ``explained`` may do."""
    out = []
    for i in set(before.lists) | set(after.lists):
        old, new = before.lists.get(i, {}), after.lists.get(i, {})
        rule = method.reflects[i]
        for k, v in new.items():
            if k not in old and k not in explained.lists.get(i, {}):
                out.append(f"{rule.output}: added {json.dumps(v, ensure_ascii=False)}")
        for k, v in old.items():
            if k not in new and i not in explained.lists:
                out.append(f"{rule.output}: removed {json.dumps(v, ensure_ascii=False)}")
    for i in set(before.maps) | set(after.maps):
        old, new = before.maps.get(i, {}), after.maps.get(i, {})
        rule = method.reflects[i]
        for name in set(old) | set(new):
            if old.get(name) == new.get(name):
                continue
            if name in new and new[name] <= explained.maps.get(i, {}).get(name, Values()):
                continue
            if name not in new:
                out.append(f"{rule.output}/{name}: removed")
            else:
                out.append(
                    f"{rule.output}/{name}: {_shown(old.get(name, Values({'(absent)'})))} -> {_shown(new[name])}"
                )
    return sorted(out)


def identity_of(method: Method, document: Any, pointer: str | None = None) -> Any:
    """The record a response (or, with ``pointer``, an options object) names, or None."""
    pointer = pointer or method.identity
    return at_pointer(document, pointer)[1] if pointer else None

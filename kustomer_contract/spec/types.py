"""What a loaded spec is: its methods, rules and Klass, and the error that locates a problem.

Plain data: the loader builds these; every other layer reads them. NamedTuples rather than
dataclasses, which a one-file validate would spend a sixth of its time importing and building;
a changed copy is ``value._replace(field=...)``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

from .._core.pointer import resolve
from ..errors import KustomerContractError

_C = TypeVar("_C", bound=type)


class SpecError(KustomerContractError):
    """A spec (or Klass file) that cannot be used, located as file:line: key."""

    def __init__(self, file: str | Path, line: int, key: str, message: str) -> None:
        self.file, self.line, self.key, self.message = str(file), line, key, message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key or '(top level)'}: {self.message}"


def origin_of(
    origins: Mapping[str, tuple[Path, int]], pointer: str, default: Path
) -> tuple[Path, int]:
    """The file and line a pointer of the assembled document came from (its nearest parent's)."""
    while True:
        if pointer in origins:
            return origins[pointer]
        if not pointer:
            return default, 0
        pointer = pointer.rsplit("/", 1)[0]


class Reflect(NamedTuple):
    """How one part of the options must show up in a success's response."""

    input: str
    output: str
    shape: str  # "list" (items appended) or "map" (entries replaced by name)
    compare: str | Mapping[str, str]


def _same(self: object, other: object) -> bool:
    return self is other


def _not_same(self: object, other: object) -> bool:
    return self is not other


def _by_identity(cls: _C) -> _C:
    """Compare and hash a record by identity, as a dataclass with eq=False is: a method or a
    spec holds dicts (its schemas), and each is the one object its spec loaded and cached."""
    cls.__eq__ = _same  # type: ignore[method-assign,assignment]
    cls.__ne__ = _not_same  # type: ignore[method-assign,assignment]
    cls.__hash__ = object.__hash__  # type: ignore[method-assign,assignment]
    return cls


@_by_identity
class Method(NamedTuple):
    name: str
    role: str  # start | identify | forget | describe
    params: tuple[str, ...]
    options_schema: Any = None
    response_schema: Any = None
    callback_optional: bool = False
    identity: str | None = None
    klass: str | None = None
    reflects: tuple[Reflect, ...] = ()
    subject: str | None = None  # options pointer naming the record; None: the session's customer
    read: Any = None  # options that change nothing and read the record back
    klass_name: str = "customer"  # which Klass of the Klass file holds its custom attributes
    optional: bool = False  # implementations may lack it; then it is not checked

    @property
    def takes_options(self) -> bool:
        return "options" in self.params

    def writes_any(self, options: Any) -> bool:
        """Whether ``options`` carry a value some ``reflects`` rule must show: a non-empty list
        for a list rule, an entry for a map rule."""
        for rule in self.reflects:
            found, node = resolve(options, rule.input)
            shaped = isinstance(node, Mapping) if rule.shape == "map" else isinstance(node, list)
            if found and shaped and node:
                return True
        return False


class Rule(NamedTuple):
    id: str
    kind: str
    method: str
    text: str
    after: str | None = None


@_by_identity
class Spec(NamedTuple):
    name: str
    path: Path
    title: str
    methods: Mapping[str, Method]
    target: Method
    rules: tuple[Rule, ...]
    guarantees: Mapping[str, str]  # id -> text, in spec order
    merge: str
    document: Mapping[str, Any]
    origins: Mapping[str, tuple[Path, int]] = MappingProxyType({})
    # Every method of the SDK's object (``sdk_methods:``), not only those the contract drives;
    # empty when the spec does not list them (then trace does not judge method names).
    sdk_methods: tuple[str, ...] = ()

    def __repr__(self) -> str:  # the document and its origins are long
        return f"Spec(name={self.name!r}, path={self.path!r}, title={self.title!r})"

    def error(self, pointer: str, message: str) -> SpecError:
        """A SpecError at ``pointer`` of the assembled document, located at its file:line."""
        file, line = origin_of(self.origins, pointer, self.path)
        return SpecError(file, line, pointer, message)

    def by_role(self, role: str) -> Method | None:
        return next((m for m in self.methods.values() if m.role == role), None)

    @property
    def describes(self) -> tuple[Method, ...]:
        """Every method that updates a record and answers with it (the target first)."""
        others = [m for m in self.methods.values() if m.role == "describe" and m is not self.target]
        return (self.target, *others)


class Klass(NamedTuple):
    """The custom attribute names that exist on the Klasses of an organization.

    ``attributes`` are the Customer Klass's; ``others`` those of further Klasses by name
    (e.g. ``conversation``), from a ``klasses:`` mapping in the same file.
    """

    path: str
    attributes: frozenset[str]
    others: tuple[tuple[str, frozenset[str]], ...] = ()

    def named(self, klass_name: str) -> Klass | None:
        """The one Klass a method's custom attributes live on, or None if the file lacks it."""
        if klass_name == "customer":
            return Klass(self.path, self.attributes) if self.others else self
        found = dict(self.others).get(klass_name)
        return Klass(f"{self.path} ({klass_name})", found) if found is not None else None

"""Load and check contract specs; every error names the file, line and key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

BUILTIN_SPECS = ("v1", "v2")


class SpecError(Exception):
    """A spec (or Klass file) that cannot be used, located as file:line: key."""

    def __init__(self, file: str | Path, line: int, key: str, message: str) -> None:
        self.file, self.line, self.key, self.message = str(file), line, key, message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key or '(top level)'}: {self.message}"


def specs_dir() -> Path:
    """The bundled specs: inside the wheel, or the repository's top-level specs/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "specs", here.parent / "specs"):
        if (candidate / "meta-schema.yaml").is_file():
            return candidate
    raise SpecError(here, 0, "", "the bundled specs folder is missing from this installation")


# --- YAML with positions -------------------------------------------------------------------


@dataclass
class _Located:
    value: Any
    lines: dict[str, int]  # JSON pointer -> 1-based line


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _read_yaml(path: Path) -> _Located:
    """One YAML document, read as payload files are: size and depth limits, no object tags,
    no alias bombs, no duplicate keys; every error at its line."""
    from .payloads import Payload, read_payloads

    documents = iter(read_payloads(path, kind="yaml"))
    first = next(documents, None)
    if isinstance(first, Payload) and next(documents, None) is not None:
        raise SpecError(path, 0, "", "holds several YAML documents; a spec file is one")
    if not isinstance(first, Payload):
        line, message = (
            (first.line, first.message) if first is not None else (0, "the file is empty")
        )
        raise SpecError(path, line, "", message)
    return _Located(first.value, {p: line for p, (line, _) in first.positions.items()})


# --- $ref inlining -------------------------------------------------------------------------


def at_pointer(document: Any, pointer: str) -> tuple[bool, Any]:
    """(found, value) at a JSON pointer."""
    node = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


def _resolve_pointer(doc: Any, fragment: str) -> Any:
    found, value = at_pointer(doc, fragment)
    if not found:
        raise KeyError(fragment)
    return value


@dataclass
class _Assembler:
    root: Path
    origins: dict[str, tuple[Path, int]] = field(default_factory=dict)
    _cache: dict[Path, _Located] = field(default_factory=dict)

    def load(self, path: Path, stack: tuple[Path, ...] = ()) -> Any:
        path = path.resolve()
        if path in stack:
            raise SpecError(stack[-1], 0, "$ref", f"circular $ref to {path.name}")
        if path not in self._cache:
            self._cache[path] = _read_yaml(path)
        return path

    def inline(self, path: Path, value: Any, pointer: str, out_pointer: str, stack: tuple) -> Any:
        located = self._cache[path]
        self.origins[out_pointer] = (path, located.lines.get(pointer, 0))
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                return self._follow(path, ref, pointer, out_pointer, stack)
            return {
                k: self.inline(
                    path, v, f"{pointer}/{_escape(k)}", f"{out_pointer}/{_escape(k)}", stack
                )
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [
                self.inline(path, v, f"{pointer}/{i}", f"{out_pointer}/{i}", stack)
                for i, v in enumerate(value)
            ]
        return value

    def _follow(self, path: Path, ref: str, pointer: str, out_pointer: str, stack: tuple) -> Any:
        line = self._cache[path].lines.get(pointer, 0)
        if "://" in ref or ref.startswith("//"):
            raise SpecError(
                path,
                line,
                f"{pointer}/$ref",
                f"{ref!r}: $ref to a URL is not allowed; specs are read offline",
            )
        file_part, _, fragment = ref.partition("#")
        target = (path.parent / file_part).resolve()
        if not target.is_relative_to(self.root):
            raise SpecError(
                path, line, f"{pointer}/$ref", f"{ref!r} points outside the spec folder {self.root}"
            )
        if not target.is_file():
            raise SpecError(path, line, f"{pointer}/$ref", f"{ref!r}: no such file {target}")
        self.load(target, stack + (path,))
        try:
            value = _resolve_pointer(self._cache[target].value, fragment)
        except KeyError:
            raise SpecError(
                path, line, f"{pointer}/$ref", f"{ref!r}: {target.name} has no {fragment!r}"
            ) from None
        return self.inline(target, value, fragment, out_pointer, stack + (path,))


# --- the loaded spec -----------------------------------------------------------------------


@dataclass(frozen=True)
class Reflect:
    """How one part of the options must show up in a success's response."""

    input: str
    output: str
    shape: str  # "list" (items appended) or "map" (entries replaced by name)
    compare: str | Mapping[str, str]


@dataclass(frozen=True, eq=False)
class Method:
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


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    method: str
    text: str
    after: str | None = None


@dataclass(frozen=True, eq=False)  # hashed by identity: specs are loaded once and cached
class Spec:
    name: str
    path: Path
    title: str
    methods: Mapping[str, Method]
    target: Method
    rules: tuple[Rule, ...]
    guarantees: Mapping[str, str]  # id -> text, in spec order
    merge: str
    document: Mapping[str, Any]

    def by_role(self, role: str) -> Method | None:
        return next((m for m in self.methods.values() if m.role == role), None)

    @property
    def describes(self) -> tuple[Method, ...]:
        """Every method that updates a record and answers with it (the target first)."""
        others = [m for m in self.methods.values() if m.role == "describe" and m is not self.target]
        return (self.target, *others)


@cache
def _meta_validator():
    from jsonschema import Draft202012Validator

    located = _read_yaml(specs_dir() / "meta-schema.yaml")
    return Draft202012Validator(located.value)


def _resolve_spec_path(name_or_path: str | Path) -> Path:
    if str(name_or_path) in BUILTIN_SPECS:
        return specs_dir() / str(name_or_path) / "contract.yaml"
    path = Path(name_or_path)
    if path.is_dir():
        path = path / "contract.yaml"
    if not path.is_file():
        known = ", ".join(BUILTIN_SPECS)
        raise SpecError(path, 0, "", f"no such spec: give {known} or the path of a contract.yaml")
    return path


def load_spec(name_or_path: str | Path = "v1") -> Spec:
    """Load a bundled spec by version name, or a spec file / folder by path."""
    return _load_spec(str(name_or_path))


@cache
def _load_spec(name_or_path: str) -> Spec:
    path = _resolve_spec_path(name_or_path).resolve()
    asm = _Assembler(root=path.parent)
    asm.load(path)
    doc = asm.inline(path, asm._cache[path].value, "", "", ())
    errors = sorted(_meta_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        ptr = "".join(f"/{_escape(str(p))}" for p in err.absolute_path)
        file, line = _origin(asm.origins, ptr, path)
        raise SpecError(file, line, ptr, err.message)
    return _build(doc, path, asm.origins)


def _origin(
    origins: Mapping[str, tuple[Path, int]], pointer: str, default: Path
) -> tuple[Path, int]:
    while True:
        if pointer in origins:
            return origins[pointer]
        if not pointer:
            return default, 0
        pointer = pointer.rsplit("/", 1)[0]


def _build(doc: Mapping[str, Any], path: Path, origins: Mapping[str, tuple[Path, int]]) -> Spec:
    def fail(pointer: str, message: str):
        file, line = _origin(origins, pointer, path)
        raise SpecError(file, line, pointer, message)

    methods: dict[str, Method] = {}
    for name, m in doc["methods"].items():
        reflects = tuple(
            Reflect(r["input"], r["output"], r.get("shape", "list"), r["compare"])
            for r in m.get("reflects", ())
        )
        methods[name] = Method(
            name=name,
            role=m["role"],
            params=tuple(m["params"]),
            options_schema=m.get("options"),
            response_schema=m.get("response"),
            callback_optional=m.get("callback_optional", False),
            identity=m.get("identity"),
            klass=m.get("klass"),
            reflects=reflects,
            subject=m.get("subject"),
            read=m.get("read", {}),
            klass_name=m.get("klass_name", "customer"),
            optional=m.get("optional", False),
        )
    if sum(m.role == "start" for m in methods.values()) != 1:
        fail("/methods", "exactly one method must have role 'start'")
    if doc["target"] not in methods:
        fail("/target", f"{doc['target']!r} is not one of the methods ({', '.join(methods)})")
    target = methods[doc["target"]]
    if target.role != "describe" or target.options_schema is None or target.response_schema is None:
        fail(f"/methods/{doc['target']}", "the target needs role describe, options and response")
    rules = []
    for i, r in enumerate(doc.get("rules", ())):
        for key in ("method", "after"):
            if key in r and r[key] not in methods:
                fail(f"/rules/{i}/{key}", f"names {r[key]!r}, which no method of this spec defines")
        rules.append(Rule(r["id"], r["kind"], r["method"], r["text"], r.get("after")))
    guarantees: dict[str, str] = {}
    for i, g in enumerate(doc["guarantees"]):
        if g["id"] in guarantees:
            fail(f"/guarantees/{i}/id", f"guarantee id {g['id']!r} is used twice")
        guarantees[g["id"]] = g["text"]
    _check_schemas(doc, fail)
    return Spec(
        name=str(doc["version"]),
        path=path,
        title=doc.get("title", doc["contract"]),
        methods=methods,
        target=target,
        rules=tuple(rules),
        guarantees=guarantees,
        merge=doc["policies"]["merge"],
        document=doc,
    )


def _check_schemas(doc: Mapping[str, Any], fail) -> None:
    import re

    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    for name, m in doc["methods"].items():
        for part in ("options", "response"):
            if part not in m:
                continue
            base = f"/methods/{name}/{part}"
            for ptr, pattern in _patterns(m[part], base):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    fail(ptr, f"regex {pattern!r} does not compile: {exc}")
            try:
                Draft202012Validator.check_schema(m[part])
            except SchemaError as exc:
                ptr = base + "".join(f"/{_escape(str(p))}" for p in exc.absolute_path)
                fail(ptr, f"not a valid JSON Schema: {exc.message}")


def _patterns(schema: Any, pointer: str):
    if isinstance(schema, dict):
        for key, value in schema.items():
            child = f"{pointer}/{_escape(key)}"
            if key == "pattern" and isinstance(value, str):
                yield child, value
            elif key == "patternProperties" and isinstance(value, dict):
                for pat, sub in value.items():
                    yield f"{child}/{_escape(pat)}", pat
                    yield from _patterns(sub, f"{child}/{_escape(pat)}")
                continue
            yield from _patterns(value, child)
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            yield from _patterns(value, f"{pointer}/{i}")


# --- Klass files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Klass:
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


def load_klass(path: str | Path, spec: Spec | None = None) -> Klass:
    """The Klass file at ``path``; with ``spec``, every name must also be one the spec's
    describe methods accept (their custom attributes' ``propertyNames``), or ``SpecError``
    at the name's line: a Klass name ``validate`` would refuse can never be described."""
    path = Path(path)
    located = _read_yaml(path)
    value = located.value
    if not isinstance(value, dict) or "attributes" not in value:
        raise SpecError(
            path,
            1,
            "attributes",
            "a Klass file is YAML with a top-level 'attributes:' list of names",
        )

    def names(pointer: str, listed: Any) -> frozenset[str]:
        if not isinstance(listed, list) or not all(isinstance(n, str) and n for n in listed):
            line = located.lines.get(pointer, 1)
            raise SpecError(path, line, pointer.lstrip("/"), "must be a list of attribute names")
        return frozenset(listed)

    others = value.get("klasses", {})
    if not isinstance(others, dict):
        line = located.lines.get("/klasses", 1)
        raise SpecError(path, line, "klasses", "must map Klass names to lists of attribute names")
    klass = Klass(
        str(path),
        names("/attributes", value["attributes"]),
        tuple((k, names(f"/klasses/{k}", v)) for k, v in sorted(others.items())),
    )
    if spec is not None:
        for m in spec.describes:
            if m.klass is None or klass.named(m.klass_name) is None:
                continue
            pointer = "/attributes" if m.klass_name == "customer" else f"/klasses/{m.klass_name}"
            for i, name in enumerate(at_pointer(value, pointer)[1]):
                problem = _refused_name(spec, m, name)
                if problem:
                    line = located.lines.get(f"{pointer}/{i}", 1)
                    raise SpecError(path, line, f"{pointer.lstrip('/')}/{i}", problem)
    return klass


def _refused_name(spec: Spec, method: Method, name: str) -> str | None:
    """The options validator's message if ``name`` is no custom attribute name for ``method``."""
    from .schemas import validator_for  # schemas imports this module

    tokens = [t.replace("~1", "/").replace("~0", "~") for t in method.klass.split("/")[1:]]
    payload: Any = {name: None}
    for token in reversed(tokens):
        payload = {token: payload}
    where = f"{method.klass}/{_escape(name)}"
    for problem in validator_for(spec, "options", method.name).problems(payload):
        if problem.pointer == where and problem.keyword == "propertyNames":
            return problem.message
    return None


def to_json(value: Any) -> str:
    """Compact, stable JSON used in reports and reproducers."""
    return json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(", ", ": "))

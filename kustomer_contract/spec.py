"""Load and check contract specs; every error names the file, line and key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .errors import KustomerContractError
from .pointer import escape as _escape
from .pointer import resolve as at_pointer
from .pointer import tokens as pointer_tokens

BUILTIN_SPECS = ("v1", "v2")


class SpecError(KustomerContractError):
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
        try:
            target = (path.parent / file_part).resolve()
        except (OSError, RuntimeError) as exc:  # a symlink loop (RuntimeError before 3.13)
            raise SpecError(
                path, line, f"{pointer}/$ref", f"{ref!r} cannot be followed: {_why(exc)}"
            ) from None
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


def _why(exc: BaseException) -> str:
    text = str(exc)
    return "a symlink loop" if "loop" in text.lower() else (text or type(exc).__name__)


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
    origins: Mapping[str, tuple[Path, int]] = field(default_factory=dict, repr=False)

    def error(self, pointer: str, message: str) -> SpecError:
        """A SpecError at ``pointer`` of the assembled document, located at its file:line."""
        file, line = _origin(self.origins, pointer, self.path)
        return SpecError(file, line, pointer, message)

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
    from .speclint import sense_problems  # lint's checks for sense: the loader keeps them too

    for problem in sense_problems(doc, _locator(origins, path)):
        raise problem
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
        origins=origins,
    )


def _locator(origins: Mapping[str, tuple[Path, int]], path: Path):
    def at(pointer: str, message: str) -> SpecError:
        file, line = _origin(origins, pointer, path)
        return SpecError(file, line, pointer, message)

    return at


def _local_refs(schema: Any, root: Any, pointer: str):
    """Local $refs that point to nothing, or are not JSON pointers (anchors are unsupported)."""
    if isinstance(schema, list):
        for i, v in enumerate(schema):
            yield from _local_refs(v, root, f"{pointer}/{i}")
    elif isinstance(schema, Mapping):
        for key, value in schema.items():
            child = f"{pointer}/{_escape(key)}"
            if key in ("enum", "const", "examples", "default") or key.startswith("x-"):
                continue
            if key == "$ref" and isinstance(value, str) and value.startswith("#"):
                if value != "#" and not value.startswith("#/"):
                    yield child, f"{value!r}: only JSON-pointer $refs (#/...) are supported"
                elif not at_pointer(root, value[1:])[0]:
                    yield child, f"{value!r}: $ref to nothing (no such place in this schema)"
            else:
                yield from _local_refs(value, root, child)


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
            for ptr, why in _local_refs(m[part], m[part], base):
                fail(ptr, why)
            for ptr, why in _contradictions(m[part], base):
                fail(ptr, f"no value can be valid here: {why}")
            empty = _Emptiness(m[part], base).of(m[part], base)
            if empty is not None:
                ptr, why = empty
                what = "options" if part == "options" else "response"
                fail(ptr, f"the spec admits no valid {what} for {name} at all: {why}")


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


# --- schemas that admit nothing ----------------------------------------------------------

_BOUNDS = (
    ("minLength", "maxLength", "string"),
    ("minItems", "maxItems", "array"),
    ("minProperties", "maxProperties", "object"),
    ("minimum", "maximum", "number"),
)
_TYPES = {"null", "boolean", "integer", "number", "string", "array", "object"}
_ANNOTATIONS = {"title", "description", "$comment", "examples", "default", "deprecated"}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_type(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("number", "integer"):
        return _number(value) and (kind == "number" or float(value).is_integer())
    kinds = {"string": str, "array": list, "object": dict}
    return isinstance(value, kinds[kind])


def _blocked_types(node: Mapping[str, Any]) -> dict[str, str]:
    """The JSON types this schema object's own bounds rule out, each with why."""
    out: dict[str, str] = {}
    for lo, hi, kind in _BOUNDS:
        a, b = node.get(lo), node.get(hi)
        if _number(a) and _number(b) and a > b:
            out[kind] = f"{lo} {a} is above {hi} {b}"
    numbers = [(k, node.get(k)) for k in ("minimum", "exclusiveMinimum")]
    tops = [(k, node.get(k)) for k in ("maximum", "exclusiveMaximum")]
    for lk, lv in numbers:
        for hk, hv in tops:
            strict = lk.startswith("exclusive") or hk.startswith("exclusive")
            if _number(lv) and _number(hv) and (lv > hv or (strict and lv >= hv)):
                out["number"] = f"{lk} {lv} and {hk} {hv} leave no number"
    if "number" in out:
        out["integer"] = out["number"]
    return out


def _contradictions(schema: Any, pointer: str):
    """Schema objects whose own keywords rule out every value: bounds the wrong way round,
    an empty type list, an enum or const none of whose values has the schema's type."""
    if isinstance(schema, list):
        for i, item in enumerate(schema):
            yield from _contradictions(item, f"{pointer}/{i}")
        return
    if not isinstance(schema, Mapping):
        return
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    blocked = _blocked_types(schema)
    if blocked:  # bounds the wrong way round are never what the author meant
        yield pointer, next(iter(blocked.values()))
    if isinstance(kinds, list) and not kinds:
        yield f"{pointer}/type", "type lists no type"
    elif isinstance(kinds, list) and all(k in _TYPES for k in kinds):
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            # one pass over the enum, however long it is
            if not any(_is_type(v, k) for v in schema["enum"] for k in kinds):
                yield f"{pointer}/enum", f"no value of the enum is of type {' or '.join(kinds)}"
        elif "const" in schema and not any(_is_type(schema["const"], k) for k in kinds):
            yield f"{pointer}/const", f"the const is not of type {' or '.join(kinds)}"
    if schema.get("enum") == []:
        yield f"{pointer}/enum", "the enum lists no value"
    for key, value in schema.items():
        if key in ("enum", "const", "examples", "default") or key.startswith("x-"):
            continue
        child = f"{pointer}/{_escape(key)}"
        if key in ("properties", "patternProperties", "$defs", "dependentSchemas") and isinstance(
            value, Mapping
        ):
            for name, sub in value.items():
                yield from _contradictions(sub, f"{child}/{_escape(name)}")
        elif isinstance(value, (Mapping, list)):
            yield from _contradictions(value, child)


def _universal(schema: Any) -> bool:
    """True for a schema that accepts everything: true, {}, or annotations only."""
    if schema is True:
        return True
    return isinstance(schema, Mapping) and all(
        k in _ANNOTATIONS or k.startswith("x-") for k in schema
    )


class _Emptiness:
    """Whether a schema admits no value at all, found where it is cheap to see: false,
    ``not: {}``, a required property that admits nothing, bounds that rule out every type,
    allOf with an empty part, anyOf / oneOf whose every branch is empty. Returns the pointer
    of the cause and why, or None (which means "maybe satisfiable", not "satisfiable")."""

    def __init__(self, root: Any, base: str) -> None:
        self.root, self.base = root, base
        self.active: set[str] = set()

    def of(self, node: Any, ptr: str) -> tuple[str, str] | None:
        if node is False:
            return ptr, "the schema is false"
        if not isinstance(node, Mapping):
            return None
        if _universal(node.get("not", None)) and "not" in node:
            return f"{ptr}/not", "'not' of a schema that accepts everything rules out every value"
        if "enum" in node and node["enum"] == []:
            return f"{ptr}/enum", "the enum lists no value"
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#") and ref not in self.active:
            found, target = at_pointer(self.root, ref[1:])
            if found:
                self.active.add(ref)
                try:
                    hit = self.of(target, self.base + ref[1:])
                finally:
                    self.active.discard(ref)
                if hit:
                    return hit
        for i, sub in enumerate(node.get("allOf") or []):
            hit = self.of(sub, f"{ptr}/allOf/{i}")
            if hit:
                return hit
        for key in ("anyOf", "oneOf"):
            branches = node.get(key)
            if isinstance(branches, list) and branches:
                hits = [self.of(b, f"{ptr}/{key}/{i}") for i, b in enumerate(branches)]
                if all(hits):
                    return f"{ptr}/{key}", f"every branch of {key} admits nothing ({hits[0][1]})"
        kinds = node.get("type", sorted(_TYPES))
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not isinstance(kinds, list):
            return None
        if not kinds:
            return f"{ptr}/type", "type lists no type"
        why: dict[str, tuple[str, str]] = {k: (ptr, v) for k, v in _blocked_types(node).items()}
        if "object" in kinds and "object" not in why:
            hit = self._object(node, ptr)
            if hit:
                why["object"] = hit
        if "array" in kinds and "array" not in why:
            min_items = node.get("minItems", 0)
            if _number(min_items) and min_items >= 1 and "items" in node:
                hit = self.of(node["items"], f"{ptr}/items")
                if hit:
                    why["array"] = hit
        if all(k in why or (k == "integer" and "number" in why) for k in kinds):
            return why.get(kinds[0]) or why["number"]
        return None

    def _object(self, node: Mapping[str, Any], ptr: str) -> tuple[str, str] | None:
        import re

        props = node.get("properties") if isinstance(node.get("properties"), Mapping) else {}
        patterns = node.get("patternProperties")
        patterns = patterns if isinstance(patterns, Mapping) else {}
        for key in node.get("required") or []:
            if not isinstance(key, str):
                continue
            if key in props:
                hit = self.of(props[key], f"{ptr}/properties/{_escape(key)}")
                if hit:
                    return hit
                continue
            matched = False
            for pattern, sub in patterns.items():
                try:
                    if re.search(pattern, key):
                        matched = True
                        hit = self.of(sub, f"{ptr}/patternProperties/{_escape(pattern)}")
                        if hit:
                            return hit
                except re.error:
                    matched = True
            if not matched and "additionalProperties" in node:
                extra = node["additionalProperties"]
                hit = self.of(extra, f"{ptr}/additionalProperties")
                if hit:
                    return (
                        f"{ptr}/required",
                        f"{key!r} is required but no property may be called so",
                    )
        return None


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

    tokens = pointer_tokens(method.klass)
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

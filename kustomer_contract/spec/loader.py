"""Load contract specs and Klass files; every error names the file, line and key."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from .._core.disk_cache import cached
from .._core.pointer import escape as _escape
from .._core.pointer import resolve as at_pointer
from .._core.pointer import tokens as pointer_tokens
from .documents import Assembler, read_yaml
from .sanity import check_schemas, sense_problems
from .schemas import validator_for
from .types import Klass, Method, Reflect, Rule, Spec, SpecError, origin_of

BUILTIN_SPECS = ("v1", "v2")


def specs_dir() -> Path:
    """The bundled specs: inside the wheel, or the repository's top-level specs/."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "specs", package.parent / "specs"):
        if (candidate / "meta-schema.yaml").is_file():
            return candidate
    raise SpecError(package, 0, "", "the bundled specs folder is missing from this installation")


@cache
def meta_validator():
    from jsonschema import Draft202012Validator

    located = read_yaml(specs_dir() / "meta-schema.yaml")
    return Draft202012Validator(located.value)


def resolve_spec_path(name_or_path: str | Path) -> Path:
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
    path = resolve_spec_path(name_or_path).resolve()
    # Reading, meta-validating and sanity-checking take most of a short run: a spec loaded
    # once is kept on disk, keyed by the bytes of every file it came from.
    return cached(f"spec {path}", lambda: _read_spec(path))


def _read_spec(path: Path) -> tuple[Spec, list[Path]]:
    asm = Assembler(root=path.parent)
    asm.load(path)
    doc = asm.document(path)
    errors = sorted(meta_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        ptr = "".join(f"/{_escape(str(p))}" for p in err.absolute_path)
        file, line = origin_of(asm.origins, ptr, path)
        raise SpecError(file, line, ptr, err.message)
    return _build(doc, path, asm.origins), [*asm.files, specs_dir() / "meta-schema.yaml"]


def _build(doc: Mapping[str, Any], path: Path, origins: Mapping[str, tuple[Path, int]]) -> Spec:
    def fail(pointer: str, message: str):
        file, line = origin_of(origins, pointer, path)
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
    check_schemas(doc, fail)

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
        sdk_methods=tuple(doc.get("sdk_methods", ())),
    )


def _locator(origins: Mapping[str, tuple[Path, int]], path: Path):
    def at(pointer: str, message: str) -> SpecError:
        file, line = origin_of(origins, pointer, path)
        return SpecError(file, line, pointer, message)

    return at


def load_klass(path: str | Path, spec: Spec | None = None) -> Klass:
    """The Klass file at ``path``; with ``spec``, every name must also be one the spec's
    describe methods accept (their custom attributes' ``propertyNames``), or ``SpecError``
    at the name's line: a Klass name ``validate`` would refuse can never be described."""
    path = Path(path)
    located = read_yaml(path)
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
    assert method.klass is not None  # the caller passes methods with a klass only
    tokens = pointer_tokens(method.klass)
    payload: Any = {name: None}
    for token in reversed(tokens):
        payload = {token: payload}
    where = f"{method.klass}/{_escape(name)}"
    for problem in validator_for(spec, "options", method.name).problems(payload):
        if problem.pointer == where and problem.keyword == "propertyNames":
            return problem.message
    return None

"""Bindings: how an implementation's surface maps onto the contract's roles (calling
conventions as data, as the spec makes the payloads data).

A binding file names the global a JavaScript implementation defines, and for each role (start,
identify, forget, describe) or method of the spec: the method's name (or a dotted path on the
object), how its arguments are passed, how its result arrives (a node-style callback, a
Promise / awaitable, a plain return) and what a success carries. ``read: none`` says the
surface cannot read a customer back; the guarantees that need it are then not checkable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from .._core.pointer import escape as _escape
from .._core.pointer import resolve as _resolve
from .documents import read_yaml
from .types import Method, Spec, SpecError

BUILTIN_BINDINGS = ("web", "core", "promise")
DEFAULT_BINDING = "web"
# The bundled binding used for an implementation whose methods are async (found, not told).
ASYNC_BINDING = "promise"

Result = Literal["callback", "promise", "return"]
Success = Literal["response", "true", "nothing"]
ROLES = ("start", "identify", "forget", "describe")


@dataclass(frozen=True)
class SurfaceCall:
    """How one method of the spec is called on the implementation."""

    method: str  # the name on the object, or a dotted path (chat.logIn)
    args: str  # "options", "none", or a JSON pointer into the options passed alone
    result: Result
    success: Success

    @property
    def takes_callback(self) -> bool:
        return self.result == "callback"

    @property
    def awaited(self) -> bool:
        return self.result == "promise"

    def arguments(self, method: Method, options: Any) -> list[Any]:
        """What this surface passes for ``options`` (the callback or Promise aside): the
        options object, nothing, or the value at a pointer into it (a token passed alone)."""
        if self.args == "none" or not method.takes_options:
            return []
        if self.args == "options":
            return [options]
        found, value = _resolve(options, self.args)
        return [value if found else None]


@dataclass(frozen=True)
class SetupCall:
    method: str
    args: tuple[Any, ...]
    result: Literal["promise", "return"]


@dataclass(frozen=True, eq=False)
class Binding:
    name: str
    path: Path
    title: str
    object: str  # the global of a JavaScript implementation
    read_back: bool
    defaults: Mapping[str, Any]
    calls: Mapping[str, Mapping[str, Any]]
    setup: tuple[SetupCall, ...] = ()

    def surface(self, spec: Spec, method: Method) -> SurfaceCall:
        """How ``method`` is called: its own entry, else its role's (a describe role means
        the spec's target), else the defaults."""
        own: dict[str, Any] = dict(self.defaults)
        by_role = method.role != "describe" or method is spec.target
        if by_role and method.role in self.calls:
            own.update(self.calls[method.role])
        own.update(self.calls.get(method.name, {}))
        default_args = "options" if method.takes_options else "none"
        return SurfaceCall(
            method=own.get("method", method.name),
            args=own.get("args", default_args),
            result=own.get("result", "callback"),
            success=own.get("success", "response"),
        )

    @property
    def is_web(self) -> bool:
        """Today's surface exactly: every call by its own name with a callback."""
        return (
            self.object == "Kustomer"
            and self.read_back
            and not self.setup
            and not self.calls
            and self.defaults.get("result", "callback") == "callback"
            and self.defaults.get("success", "response") == "response"
        )

    def unreadable_reason(self, spec: Spec) -> str | None:
        """Why the customer cannot be read back through this surface, or None."""
        if not self.read_back:
            return f"the {self.name} binding has no way to read the customer back (read: none)"
        target = self.surface(spec, spec.target)
        if target.success != "response":
            return (
                f"{target.method} succeeds with {_carries(target.success)}, not the customer, "
                f"in the {self.name} binding"
            )
        return None


def _as_text(doc: Any) -> Any:
    """``success: true`` unquoted (YAML's boolean) as the word the schema means."""
    if isinstance(doc, dict):
        return {k: "true" if k == "success" and v is True else _as_text(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_as_text(v) for v in doc]
    return doc


def _carries(success: str) -> str:
    return {"true": "true", "nothing": "nothing"}.get(success, success)


def resolve_binding_path(name_or_path: str | Path) -> Path:
    from .loader import specs_dir

    if str(name_or_path) in BUILTIN_BINDINGS:
        return specs_dir() / "bindings" / f"{name_or_path}.yaml"
    path = Path(name_or_path)
    if not path.is_file():
        known = ", ".join(BUILTIN_BINDINGS)
        raise SpecError(path, 0, "", f"no such binding: give {known} or the path of a binding file")
    return path


def is_binding_file(path: Path) -> bool:
    """A YAML file whose top level names a binding (``binding: NAME``), for ``spec lint``."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    return any(line.startswith("binding:") for line in head.splitlines())


@cache
def _schema_validator() -> Any:
    from jsonschema import Draft202012Validator

    from .loader import specs_dir

    return Draft202012Validator(read_yaml(specs_dir() / "binding-schema.yaml").value)


def binding_problems(path: Path, spec: Spec | None = None) -> list[SpecError]:
    """Every problem of one binding file, each at its file:line (``spec lint``)."""
    try:
        located = read_yaml(path)
    except SpecError as exc:
        return [exc]
    doc = located.value

    def at(pointer: str, message: str) -> SpecError:
        while pointer and pointer not in located.lines:
            pointer = pointer.rsplit("/", 1)[0]
        return SpecError(path, located.lines.get(pointer, 0), pointer, message)

    found = []
    errors = sorted(_schema_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    for err in errors:
        found.append(at("".join(f"/{_escape(str(p))}" for p in err.absolute_path), err.message))
    if found or not isinstance(doc, Mapping):
        return found
    doc = _as_text(doc)
    names = set(ROLES) | (set(spec.methods) if spec is not None else set())
    for key in doc.get("calls", {}):
        if spec is not None and key not in names:
            known = ", ".join(sorted(names))
            found.append(
                at(f"/calls/{key}", f"is neither a role nor a method of the spec: {known}")
            )
    if doc.get("read", "describe") == "describe" and spec is not None:
        target = {**doc.get("defaults", {}), **doc.get("calls", {}).get("describe", {})}
        target.update(doc.get("calls", {}).get(spec.target.name, {}))
        if target.get("success", "response") != "response":
            found.append(
                at(
                    "/read",
                    f"read: describe needs {spec.target.name} to succeed with the response; "
                    "say read: none when the surface cannot read the customer back",
                )
            )
    if spec is not None:
        for key, call in doc.get("calls", {}).items():
            method = spec.methods.get(key) or (spec.by_role(key) if key in ROLES else None)
            args = call.get("args", "")
            if method is not None and args.startswith("/") and not method.takes_options:
                found.append(
                    at(f"/calls/{key}/args", f"{method.name} takes no options to point into")
                )
    return found


def load_binding(name_or_path: str | Path = DEFAULT_BINDING, spec: Spec | None = None) -> Binding:
    """A bundled binding by name (web, core, promise) or a binding file by path; the first
    problem raises a SpecError at its file:line."""
    path = resolve_binding_path(name_or_path).resolve()
    return _load(path, spec)


@cache
def _load(path: Path, spec: Spec | None) -> Binding:
    problems = binding_problems(path, spec)
    if problems:
        raise problems[0]
    doc = _as_text(read_yaml(path).value)
    return Binding(
        name=doc["binding"],
        path=path,
        title=doc.get("title", doc["binding"]),
        object=doc.get("object", "Kustomer"),
        read_back=doc.get("read", "describe") == "describe",
        defaults=dict(doc.get("defaults", {})),
        calls={k: dict(v) for k, v in doc.get("calls", {}).items()},
        setup=tuple(
            SetupCall(s["method"], tuple(s.get("args", ())), s.get("result", "return"))
            for s in doc.get("setup", ())
        ),
    )


__all__ = [
    "ASYNC_BINDING",
    "BUILTIN_BINDINGS",
    "DEFAULT_BINDING",
    "Binding",
    "SetupCall",
    "SurfaceCall",
    "binding_problems",
    "is_binding_file",
    "load_binding",
]

"""Spec files as documents: one YAML file read with its lines, and ``$ref`` files assembled
into one document that remembers where every part came from."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from .._core.pointer import escape as _escape
from .._core.pointer import resolve as at_pointer
from .types import SpecError

# --- YAML with positions -------------------------------------------------------------------


class Located(NamedTuple):
    value: Any
    lines: dict[str, int]  # JSON pointer -> 1-based line


def read_yaml(path: Path) -> Located:
    """One YAML document, read as payload files are: size and depth limits, no object tags,
    no alias bombs, no duplicate keys; every error at its line."""
    from .._core.payloads import Payload, read_payloads

    documents = iter(read_payloads(path, kind="yaml"))
    first = next(documents, None)
    if isinstance(first, Payload) and next(documents, None) is not None:
        raise SpecError(path, 0, "", "holds several YAML documents; a spec file is one")
    if not isinstance(first, Payload):
        line, message = (
            (first.line, first.message) if first is not None else (0, "the file is empty")
        )
        raise SpecError(path, line, "", message)
    return Located(first.value, {p: line for p, (line, _) in first.positions.items()})


# --- $ref inlining -------------------------------------------------------------------------


def _resolve_pointer(doc: Any, fragment: str) -> Any:
    found, value = at_pointer(doc, fragment)
    if not found:
        raise KeyError(fragment)
    return value


class Assembler:
    """Reads the files of one spec below ``root`` and inlines their ``$ref``s."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.origins: dict[str, tuple[Path, int]] = {}  # pointer out -> (file, line)
        self._cache: dict[Path, Located] = {}

    def load(self, path: Path, stack: tuple[Path, ...] = ()) -> Any:
        path = path.resolve()
        if path in stack:
            raise SpecError(stack[-1], 0, "$ref", f"circular $ref to {path.name}")
        if path not in self._cache:
            self._cache[path] = read_yaml(path)
        return path

    @property
    def files(self) -> list[Path]:
        """Every file read so far (the spec's own and those its ``$ref``s reached)."""
        return list(self._cache)

    def document(self, path: Path) -> Any:
        """The loaded file at ``path`` with every ``$ref`` to another file inlined."""
        return self.inline(path, self._cache[path.resolve()].value, "", "", ())

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

"""JSON pointers (RFC 6901), the one implementation the package uses.

Imports nothing of the package: specs, payloads, the model and the report all stand on it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def escape(token: str) -> str:
    """A key as a pointer token. Order matters: "~" first, or the "~" of "~1" would be
    escaped again."""
    if "~" in token or "/" in token:
        token = token.replace("~", "~0").replace("/", "~1")
    return token


def unescape(token: str) -> str:
    """A pointer token as the key it names ("~1" first, the reverse of ``escape``)."""
    if "~" in token:
        token = token.replace("~1", "/").replace("~0", "~")
    return token


def tokens(pointer: str) -> list[str]:
    """The keys a pointer names, unescaped: "" (the whole document) names none."""
    return [unescape(t) for t in pointer.split("/")[1:]]


def last(pointer: str) -> str:
    """The key the pointer ends with ("" for the whole document)."""
    return unescape(pointer.rsplit("/", 1)[-1]) if pointer else ""


def join(parts: Iterable[str | int]) -> str:
    """The pointer of a path, such as jsonschema's ``error.absolute_path``."""
    return "".join("/" + escape(str(part)) for part in parts)


def resolve(document: Any, pointer: str) -> tuple[bool, Any]:
    """(found, value) at ``pointer``; list items by their decimal index."""
    node = document
    for token in tokens(pointer):
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


def put(document: dict[str, Any], pointer: str, value: Any) -> None:
    """Set ``value`` at ``pointer``, making the objects on the way."""
    keys = tokens(pointer)
    for key in keys[:-1]:
        document = document.setdefault(key, {})
    document[keys[-1]] = value

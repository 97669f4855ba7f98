"""How two JSON documents differ, one line per JSON pointer: added, removed, changed."""

from __future__ import annotations

from typing import Any

from .pointer import escape as _escape


def _short(value: Any, limit: int = 80) -> str:
    from .text import json_repr

    return json_repr(value, limit)


def json_diff(a: Any, b: Any, pointer: str = "") -> list[str]:
    """From ``a`` to ``b``: ``/x added: v``, ``/x removed (was v)``, ``/x changed: v -> w``.

    Objects are compared key by key and arrays index by index, so only what changed shows,
    however deep or long the documents are. ``True`` and ``1`` differ, as in JSON."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in a:
            where = f"{pointer}/{_escape(str(key))}"
            if key not in b:
                out.append(f"{where} removed (was {_short(a[key])})")
            else:
                out += json_diff(a[key], b[key], where)
        out += [
            f"{pointer}/{_escape(str(key))} added: {_short(b[key])}" for key in b if key not in a
        ]
        return out
    if isinstance(a, list) and isinstance(b, list):
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=False)):  # the rest: added or removed
            out += json_diff(x, y, f"{pointer}/{i}")
        out += [f"{pointer}/{i} removed (was {_short(a[i])})" for i in range(len(b), len(a))]
        out += [f"{pointer}/{i} added: {_short(b[i])}" for i in range(len(a), len(b))]
        return out
    if _same_scalar(a, b):
        return []
    return [f"{pointer or '(the whole document)'} changed: {_short(a)} -> {_short(b)}"]


def _same_scalar(a: Any, b: Any) -> bool:
    number = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):  # true is not 1 in JSON
        return type(a) is type(b) and a == b
    if isinstance(a, number) and isinstance(b, number):
        return a == b  # 1 and 1.0 are one JSON number
    return type(a) is type(b) and a == b

"""``validate``'s output formats, one module each, looked up by name.

Only the module of the format asked for is imported: the JUnit writer's XML and spooling
libraries cost a plain text run nothing.
"""

from __future__ import annotations

import importlib
from typing import IO

from .base import Report, SafeStream

__all__ = ["FORMATS", "open_report"]

# name -> (module, class); the order is the one --help lists.
_REGISTRY = {
    "text": ("text", "TextReport"),
    "json": ("json_report", "JsonReport"),
    "github": ("github", "GithubReport"),
    "junit": ("junit", "JunitReport"),
}
FORMATS = tuple(_REGISTRY)


def open_report(name: str, out: IO[str] | SafeStream, note: IO[str]) -> Report:
    """The report called ``name``, writing to ``out``; ``note`` gets the summary line of a
    format whose ``out`` has no place for it."""
    module, cls = _REGISTRY[name]
    report: type[Report] = getattr(importlib.import_module(f".{module}", __name__), cls)
    return report(out, note)

"""``check``'s output formats, one module each, looked up by name.

Only the module of the format asked for is imported: a text run never loads the XML writer.
"""

from __future__ import annotations

import importlib
from typing import TextIO

from .base import CheckReport, CheckRun

__all__ = ["FORMATS", "CheckReport", "CheckRun", "open_report"]

# name -> (module, class); the order is the one --help lists.
_REGISTRY = {
    "text": ("text", "TextReport"),
    "json": ("json_report", "JsonReport"),
    "junit": ("junit", "JunitReport"),
    "github": ("github", "GithubReport"),
}
FORMATS = tuple(_REGISTRY)


def open_report(name: str, out: TextIO) -> CheckReport:
    """The report called ``name``, writing to ``out``."""
    module, cls = _REGISTRY[name]
    report: type[CheckReport] = getattr(importlib.import_module(f".{module}", __name__), cls)
    return report(out)

"""Executable contract checks for Kustomer's Web SDK ``describeCustomer``.

The contract is data (YAML under ``specs/``); this package derives validators,
hypothesis strategies, a runner and its checks from it.

The public API is ``__all__``; names load on first use, so importing the package (as pytest
does for the plugin) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "replay_case": "engine.search",  # every printed regression test calls it
    "check_guarantee": "engine.search",
    "CaseResult": "engine.results",
    "Session": "engine.session",
    "Settings": "engine.session",
    "load_spec": "spec.loader",
    "load_klass": "spec.loader",
    "SpecError": "spec.types",
    "Case": "generate.cases",
    "Step": "generate.cases",
    "KustomerContractError": "errors",
    "IDS": "spec.guarantees",
}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

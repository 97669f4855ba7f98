"""The contract as data: spec files read and assembled (``documents``), checked (``sanity``,
``lint``), loaded (``loader``) into plain types (``types``), and the tools over specs (validators in
``schemas``, ``fastcheck``, ``diff``, ``explain``, ``deprecations``, the ``guarantees`` registry).
Imports only ``_core`` and ``errors``.

The loader's names are re-exported here: ``from kustomer_contract.spec import load_spec``.
"""

from .loader import BUILTIN_SPECS, load_klass, load_spec, specs_dir
from .types import Klass, Method, Spec, SpecError

__all__ = [
    "BUILTIN_SPECS",
    "Klass",
    "Method",
    "Spec",
    "SpecError",
    "load_klass",
    "load_spec",
    "specs_dir",
]

"""Hypothesis strategies derived from a spec: valid payloads, labelled invalid ones, responses,
whole call sequences.

As in hypothesis-jsonschema, a schema is first canonicalised (``canonical``: local ``$ref``
inlined, ``type`` always a list) and only then turned into strategies (``valid``, ``invalid``).
Unlike it, every generated case is re-checked against the real validator, also while
shrinking: a labelled invalid case whose shrunk form became valid (or broke a second rule) is
filtered out instead of reported. This module names the public ones (``options``,
``sequences``).
"""

from .canonical import RECURSION_UNROLL, canonical
from .invalid import Invalid
from .options import (
    describing_options,
    first_example,
    identities,
    invalid_options,
    require_valid,
    responses,
    unknown_custom_options,
    valid_options,
)
from .sequences import FOCUS_STEPS, GAPS_MS, SWEEPS, generation_problems, invalid_sweep, sequences

__all__ = [
    "FOCUS_STEPS",
    "GAPS_MS",
    "RECURSION_UNROLL",
    "SWEEPS",
    "Invalid",
    "canonical",
    "describing_options",
    "first_example",
    "generation_problems",
    "identities",
    "invalid_options",
    "invalid_sweep",
    "require_valid",
    "responses",
    "sequences",
    "unknown_custom_options",
    "valid_options",
]

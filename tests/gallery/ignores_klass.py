"""Breaks rejects-unknown-custom (run with ``--klass``): names are checked against the naming
rule only, never against the Klass, so a well-formed name the Klass lacks is stored.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

from collections.abc import Iterable

from .conformant_standalone import StandaloneKustomer

GUARANTEE = "rejects-unknown-custom"
KLASS = "klass.yaml"  # next to this module; the test passes it as --klass


def make(klass: Iterable[str] | None = None) -> StandaloneKustomer:
    return StandaloneKustomer(klass=None)  # the Klass is accepted and then ignored

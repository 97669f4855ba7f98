"""Breaks not-before-start: describeCustomer works before start's callback has run; the
update is applied at once and the callback reports success.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

from .conformant_standalone import StandaloneKustomer

GUARANTEE = "not-before-start"


class Eager(StandaloneKustomer):
    def _may_describe(self) -> bool:
        return True


def make() -> Eager:
    return Eager()

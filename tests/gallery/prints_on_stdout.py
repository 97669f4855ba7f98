"""Breaks rejects-invalid: an invalid describe succeeds (nothing applied, the customer as it
stands comes back). On top, every describe prints its options on stdout, a debugging
leftover that must not corrupt ``check --json`` (the checker sends it to stderr).

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "rejects-invalid"


class Chatty(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        print(f"describeCustomer({options!r})")
        if self._refuse(self._spec.target.name, options) is None or not self._started:
            return super().describeCustomer(options, callback)
        customer = self._current
        self._later(lambda: (self._response(customer), None), callback)


def make() -> Chatty:
    return Chatty()

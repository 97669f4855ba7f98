"""Breaks callback-optional: ``describeCustomer(options)`` without a callback returns at once
and never sends the update ("nobody is listening").

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "callback-optional"
EXTRA_ARGS = ["--timeout", "0.5"]  # the checker polls for the update until the timeout


class Lazy(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        if callback is None:
            return
        super().describeCustomer(options, callback)


def make() -> Lazy:
    return Lazy()

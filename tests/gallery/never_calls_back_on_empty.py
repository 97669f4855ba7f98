"""Breaks callback-once: ``describeCustomer({}, callback)`` (valid: it reads the customer
back) returns without doing anything, so its callback is never called.

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "callback-once"
EXTRA_ARGS = ["--timeout", "0.3"]  # every lost callback costs one timeout


class SkipsEmpty(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        if options == {}:
            return  # "nothing to send"
        super().describeCustomer(options, callback)


def make() -> SkipsEmpty:
    return SkipsEmpty()

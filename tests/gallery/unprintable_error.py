"""Breaks error-is-exception: a refused describe hands the callback an exception whose
``__str__`` raises (it formats a field the error does not have), so a caller that logs the
error crashes.

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "error-is-exception"


class DescribeError(Exception):
    def __str__(self) -> str:
        return "describe failed: " + self.detail  # type: ignore[attr-defined] # never set


class UnprintableErrors(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        def forward(response: Any, error: Any = None) -> None:
            callback(response, DescribeError() if error is not None else None)

        super().describeCustomer(options, forward if callback else None)


def make() -> UnprintableErrors:
    return UnprintableErrors()

"""Breaks response-conforms: every describeCustomer response carries a function under
``customer.note`` (only a Python implementation can do that). Such a response cannot be
pickled, so a check worker cannot send its failure back: the parent checks that guarantee
itself, and the verdict is the one a single process gives."""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble


class FunctionInResponse(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        def with_function(response: Any, error: Any = None) -> None:
            if isinstance(response, dict):
                response = {**response, "note": lambda: "not JSON"}
            if callback is not None:
                callback(response, error)

        super().describeCustomer(options, with_function)


def make() -> FunctionInResponse:
    return FunctionInResponse()

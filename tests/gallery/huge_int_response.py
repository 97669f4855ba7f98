"""Breaks response-conforms: every success's ``custom`` holds ``scoreNum`` = 10**5000, an
integer no JavaScript number can hold (and past Python's int->str limit: printing it raises).

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "response-conforms"


class HugeScore(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        def forward(response: Any, error: Any = None) -> None:
            if response is not None:
                response = {
                    **response,
                    "custom": {**response.get("custom", {}), "scoreNum": 10**5000},
                }
            callback(response, error)

        super().describeCustomer(options, forward if callback else None)


def make() -> HugeScore:
    return HugeScore()

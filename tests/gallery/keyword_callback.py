"""Breaks callback-once: the callback is called with keyword arguments,
``callback(callbackResponse=..., error=...)``: a caller's callback with other parameter
names (or a JavaScript one) cannot take that.

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "callback-once"


class KeywordCallback(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        def forward(response: Any, error: Any = None) -> None:
            callback(callbackResponse=response, error=error)

        super().describeCustomer(options, forward if callback else None)


def make() -> KeywordCallback:
    return KeywordCallback()

"""Breaks response-conforms: ``customerId`` is sent as an integer (the id read as a hex
number) instead of a non-empty string.

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "response-conforms"


class IntIds(KustomerDouble):
    def _response(self, customer: str, *rest: Any) -> dict[str, Any]:
        response = super()._response(customer, *rest)
        if "customerId" in response:  # describeConversation answers with a conversationId
            response["customerId"] = int(response["customerId"], 16)
        return response


def make() -> IntIds:
    return IntIds()

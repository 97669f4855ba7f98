"""Breaks response-conforms: when the customer has no socials, the response leaves the
required ``socials`` key out instead of sending ``socials: []``.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

from typing import Any

from .conformant_standalone import Customer, StandaloneKustomer

GUARANTEE = "response-conforms"


class SparseResponse(StandaloneKustomer):
    def _response(self, customer: Customer) -> dict[str, Any]:
        response = super()._response(customer)
        if not response["socials"]:
            del response["socials"]
        return response


def make() -> SparseResponse:
    return SparseResponse()

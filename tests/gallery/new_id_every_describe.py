"""Breaks stable-identity: every response carries a fresh ``customerId`` (a request id was
put where the customer id belongs), so one customer never keeps one id.

Otherwise the bundled reference double.
"""

from __future__ import annotations

import uuid
from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "stable-identity"


class FreshIds(KustomerDouble):
    def _response(self, customer: str, *rest: Any) -> dict[str, Any]:
        response = super()._response(customer, *rest)
        response["customerId"] = uuid.uuid4().hex
        return response


def make() -> FreshIds:
    return FreshIds()

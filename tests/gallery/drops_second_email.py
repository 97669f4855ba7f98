"""Breaks reflects-input: only the first email of each describe is stored (a "primary
email" field), so a second, different email is missing from the response.

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "reflects-input"


class PrimaryEmailOnly(KustomerDouble):
    def _apply(self, customer: str, options: Any, *rest: Any) -> None:
        emails = options.get("attributes", {}).get("emails")
        if emails:
            del emails[1:]  # ``options`` is the double's own deep copy
        super()._apply(customer, options, *rest)


def make() -> PrimaryEmailOnly:
    return PrimaryEmailOnly()

"""Breaks reflects-input: phones are stored as a "national number", the last 10 digits only,
so a phone with 11 to 15 digits (country code included) comes back with digits missing.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

from typing import Any

from .conformant_standalone import Customer, StandaloneKustomer, digits

GUARANTEE = "reflects-input"


class NationalNumbers(StandaloneKustomer):
    def _apply(self, customer: Customer, options: dict[str, Any]) -> None:
        attributes = options.get("attributes", {})
        if "phones" in attributes:
            attributes = dict(attributes, phones=[digits(p)[-10:] for p in attributes["phones"]])
            options = dict(options, attributes=attributes)
        super()._apply(customer, options)


def make() -> NationalNumbers:
    return NationalNumbers()

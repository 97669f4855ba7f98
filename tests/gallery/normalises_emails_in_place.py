"""Breaks input-untouched: after accepting the call it lower-cases the emails in the
caller's own ``attributes.emails`` list (``emails[:] = [e.lower() ...]``).

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "input-untouched"


class LowerCaser(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        super().describeCustomer(options, callback)  # the double copies the options here
        attributes = options.get("attributes") if isinstance(options, dict) else None
        emails = attributes.get("emails") if isinstance(attributes, dict) else None
        if isinstance(emails, list):
            emails[:] = [e.lower() if isinstance(e, str) else e for e in emails]


def make() -> LowerCaser:
    return LowerCaser()

"""Breaks accepts-valid: describeCustomer raises ``UnicodeEncodeError`` for an email with
non-ASCII characters (``zoë@example.com``, ``marsha@bücher.example``), because it encodes
every email as ASCII before queuing the request.

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "accepts-valid"


class AsciiOnly(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        attributes = options.get("attributes") if isinstance(options, dict) else None
        emails = attributes.get("emails") if isinstance(attributes, dict) else None
        for email in emails if isinstance(emails, list) else []:
            if isinstance(email, str):
                email.encode("ascii")  # raises on ë, ü, 张...
        super().describeCustomer(options, callback)


def make() -> AsciiOnly:
    return AsciiOnly()

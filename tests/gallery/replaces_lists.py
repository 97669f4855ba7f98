"""Breaks keeps-earlier-data: a describe that names emails, phones or socials replaces the
stored list with the new one instead of appending to it (the v1 spec's policy is append).

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

from typing import Any

from .conformant_standalone import Customer, StandaloneKustomer

GUARANTEE = "keeps-earlier-data"


class ReplacingLists(StandaloneKustomer):
    def _apply(self, customer: Customer, options: dict[str, Any]) -> None:
        for key in options.get("attributes", {}):
            setattr(customer, key, [])
        super()._apply(customer, options)


def make() -> ReplacingLists:
    return ReplacingLists()

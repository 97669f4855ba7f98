"""Breaks keeps-earlier-data: ``customAttributes`` replaces the whole stored custom object,
so a custom attribute described earlier disappears when a later describe names others.

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "keeps-earlier-data"


class WholesaleCustom(KustomerDouble):
    def _apply(self, customer: str, options: Any, *rest: Any) -> None:
        if "customAttributes" in options:
            stored = self._customers[customer]
            for i, rule in enumerate(self._spec.target.reflects):
                if rule.shape == "map":
                    stored.pop(i, None)
        super()._apply(customer, options, *rest)


def make() -> WholesaleCustom:
    return WholesaleCustom()

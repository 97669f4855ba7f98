"""Breaks rejects-invalid: for invalid options it still applies every list item and custom
attribute that is valid on its own, and only then calls back with the error.

Otherwise the bundled reference double.
"""

from __future__ import annotations

import copy
from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "rejects-invalid"


class PartialApply(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        if self._started and self._refuse("describeCustomer", options) is not None:
            salvage = self._valid_part(options)
            if salvage:
                with self._lock:
                    self._apply(self._current, salvage)
        super().describeCustomer(options, callback)

    def _valid_part(self, options: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if not isinstance(options, dict):
            return out
        attributes = options.get("attributes")
        if isinstance(attributes, dict):
            for key, items in attributes.items():
                if isinstance(items, list):
                    good = [
                        i
                        for i in items
                        if self._refuse("describeCustomer", {"attributes": {key: [i]}}) is None
                    ]
                    if good:
                        out.setdefault("attributes", {})[key] = copy.deepcopy(good)
        custom = options.get("customAttributes")
        if isinstance(custom, dict):
            for name, value in custom.items():
                if self._refuse("describeCustomer", {"customAttributes": {name: value}}) is None:
                    out.setdefault("customAttributes", {})[name] = copy.deepcopy(value)
        return out


def make() -> PartialApply:
    return PartialApply()

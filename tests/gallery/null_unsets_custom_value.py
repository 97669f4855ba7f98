"""Breaks reflects-input: a custom attribute described as ``null`` is treated as "unset" and
removed, so the response has no entry for it instead of ``name: null``.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

from typing import Any

from .conformant_standalone import Customer, StandaloneKustomer

GUARANTEE = "reflects-input"


class NullUnsets(StandaloneKustomer):
    def _apply(self, customer: Customer, options: dict[str, Any]) -> None:
        custom = options.get("customAttributes", {})
        super()._apply(customer, {k: v for k, v in options.items() if k != "customAttributes"})
        for name, value in custom.items():
            if value is None:
                customer.custom.pop(name, None)
            else:
                customer.custom[name] = value


def make() -> NullUnsets:
    return NullUnsets()

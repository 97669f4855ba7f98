"""Breaks input-untouched: after applying the update, it "cleans" the caller's
``customAttributes`` by deleting every ``null`` entry from the caller's own dict.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

from typing import Any

from .conformant_standalone import StandaloneKustomer

GUARANTEE = "input-untouched"


class Tidy(StandaloneKustomer):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        super().describeCustomer(options, callback)
        custom = options.get("customAttributes") if isinstance(options, dict) else None
        if isinstance(custom, dict):
            for name in [n for n, v in custom.items() if v is None]:
                del custom[name]


def make() -> Tidy:
    return Tidy()

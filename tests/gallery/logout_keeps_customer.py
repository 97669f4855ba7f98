"""Breaks stable-identity: logout reports success but keeps the logged-in customer current,
so the next anonymous visitor is described onto (and sees) the previous customer.

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble, KustomerError

GUARANTEE = "stable-identity"


class StickyLogout(KustomerDouble):
    def logout(self, callback: Any = None) -> None:
        started = self._started

        def finish() -> tuple[Any, Exception | None]:
            if not started:
                return None, KustomerError("Kustomer.start() has not finished")
            return {"identified": False}, None  # forgot to switch to a new customer

        self._later(finish, callback)


def make() -> StickyLogout:
    return StickyLogout()

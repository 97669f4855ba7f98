"""Breaks accepts-valid: ``describeCustomer`` is an ``async def`` (a port to asyncio): called
as the SDK is called, it returns a coroutine nobody awaits, and its callback never comes.

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "accepts-valid"


class AsyncDescribe(KustomerDouble):
    async def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        super().describeCustomer(options, callback)


def make() -> AsyncDescribe:
    return AsyncDescribe()

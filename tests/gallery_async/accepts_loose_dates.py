"""Breaks rejects-invalid, awaited: tests/gallery/accepts_loose_dates.py behind ``async def`` methods, so the
check finds the promise binding by itself and must still catch it."""

from __future__ import annotations

from tests.doubles.async_conformant import AsyncKustomer
from tests.gallery import accepts_loose_dates as broken

GUARANTEE = "rejects-invalid"


def make() -> AsyncKustomer:
    return AsyncKustomer(broken.make())

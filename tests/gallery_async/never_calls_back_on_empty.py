"""Breaks callback-once, awaited: tests/gallery/never_calls_back_on_empty.py behind ``async def`` methods, so the
check finds the promise binding by itself and must still catch it."""

from __future__ import annotations

from tests.doubles.async_conformant import AsyncKustomer
from tests.gallery import never_calls_back_on_empty as broken

GUARANTEE = "callback-once"


def make() -> AsyncKustomer:
    return AsyncKustomer(broken.make())

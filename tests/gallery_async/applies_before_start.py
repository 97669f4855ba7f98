"""Breaks not-before-start, awaited: tests/gallery/applies_before_start.py behind ``async def`` methods, so the
check finds the promise binding by itself and must still catch it."""

from __future__ import annotations

from tests.doubles.async_conformant import AsyncKustomer
from tests.gallery import applies_before_start as broken

GUARANTEE = "not-before-start"


def make() -> AsyncKustomer:
    return AsyncKustomer(broken.make())

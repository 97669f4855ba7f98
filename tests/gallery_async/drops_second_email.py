"""Breaks reflects-input, awaited: tests/gallery/drops_second_email.py behind ``async def`` methods, so the
check finds the promise binding by itself and must still catch it."""

from __future__ import annotations

from tests.doubles.async_conformant import AsyncKustomer
from tests.gallery import drops_second_email as broken

GUARANTEE = "reflects-input"


def make() -> AsyncKustomer:
    return AsyncKustomer(broken.make())

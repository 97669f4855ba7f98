"""Breaks no-lost-update, awaited: tests/gallery/racy_read_modify_write.py behind ``async def`` methods, so the
check finds the promise binding by itself and must still catch it."""

from __future__ import annotations

from tests.doubles.async_conformant import AsyncKustomer
from tests.gallery import racy_read_modify_write as broken

GUARANTEE = "no-lost-update"


def make() -> AsyncKustomer:
    return AsyncKustomer(broken.make())

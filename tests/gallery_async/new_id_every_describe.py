"""Breaks stable-identity, awaited: tests/gallery/new_id_every_describe.py behind ``async def`` methods, so the
check finds the promise binding by itself and must still catch it."""

from __future__ import annotations

from tests.doubles.async_conformant import AsyncKustomer
from tests.gallery import new_id_every_describe as broken

GUARANTEE = "stable-identity"


def make() -> AsyncKustomer:
    return AsyncKustomer(broken.make())

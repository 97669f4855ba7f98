"""A conformant asyncio implementation: every method an ``async def`` that resolves with what
the SDK's callback would get as ``response`` and raises the error it would get. Checked with
the promise binding (found by itself: every method is async), it must pass every guarantee.

Built on the bundled reference double, whose callbacks come from its own timer thread."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from kustomer_contract.reference import KustomerDouble


def _settle(future: asyncio.Future[Any], response: Any, error: Any) -> None:
    if future.done():  # the SDK calls back once; a second call changes nothing
        return
    if error is not None:
        future.set_exception(error if isinstance(error, BaseException) else RuntimeError(error))
    else:
        future.set_result(response)


class AsyncKustomer:
    """``await kustomer.describeCustomer(options)`` over a callback-based implementation."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def _call(self, method: str, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()

        def done(response: Any = None, error: Any = None) -> None:
            loop.call_soon_threadsafe(_settle, future, response, error)

        getattr(self._inner, method)(*args, done)
        return await future

    async def start(self, options: Any = None) -> Any:
        return await self._call("start", options)

    async def login(self, options: Any) -> Any:
        return await self._call("login", options)

    async def logout(self) -> Any:
        return await self._call("logout")

    async def describeCustomer(self, options: Any) -> Any:  # noqa: N802 - the SDK's name
        return await self._call("describeCustomer", options)


def make(
    spec: str = "v1",
    klass: Iterable[str] | None = None,
    klasses: Mapping[str, Iterable[str]] | None = None,
) -> AsyncKustomer:
    return AsyncKustomer(KustomerDouble(spec, klass, klasses=klasses))

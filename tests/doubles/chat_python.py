"""A conformant implementation in the shape of a promise-based chat wrapper (see
tests/data/bindings/chat_python.yaml): ``await configure(key, options)``, ``await start()``,
``await logIn(jwt)``, ``await logOut()``, and ``await customer.describeCustomer(options)``
resolving ``True``, or ``False`` when it refuses the options (the binding reads false as a
refusal). The customer cannot be read back, so the
guarantees that need it are not checkable through this surface.

``make_lying`` builds one that resolves the customer instead of ``True`` (caught by
response-conforms, the binding's success)."""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

from .async_conformant import AsyncKustomer


class _Customer:
    def __init__(self, chat: ChatWrapper) -> None:
        self._chat = chat

    async def describeCustomer(self, options: Any) -> Any:  # noqa: N802 - the wrapper's name
        try:
            response = await self._chat.inner.describeCustomer(options)
        except Exception:  # noqa: BLE001 - refused: a boolean surface says so with false
            return False
        return response if self._chat.lies else True


class ChatWrapper:
    def __init__(self, lies: bool = False) -> None:
        self.inner = AsyncKustomer(KustomerDouble())
        self.customer = _Customer(self)
        self.lies = lies
        self.configured = False

    async def configure(self, api_key: str, options: Any) -> None:
        self.configured = bool(api_key)

    async def start(self) -> None:
        if not self.configured:
            raise RuntimeError("configure first")
        await self.inner.start({})

    async def logIn(self, jwt: str) -> None:  # noqa: N802
        await self.inner.login({"jwtToken": jwt})

    async def logOut(self) -> None:  # noqa: N802
        await self.inner.logout()


def make() -> ChatWrapper:
    return ChatWrapper()


def make_lying() -> ChatWrapper:
    return ChatWrapper(lies=True)

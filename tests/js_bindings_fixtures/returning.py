"""Python doubles of a synchronous surface (tests/js_bindings_fixtures/returning.yaml): each
method returns the response or raises the error, nothing works before ``configure(api_key)``
(the binding's setup call), and describeCustomer lives on ``kustomer.customer``. Built on
callback-based implementations, whose callbacks come from their own timer threads."""

from __future__ import annotations

import threading
from typing import Any

from kustomer_contract.reference import KustomerDouble
from tests.gallery import drops_second_email


class _Customer:
    def __init__(self, outer: Returning) -> None:
        self._outer = outer

    def describeCustomer(self, options: Any) -> Any:  # noqa: N802 - the SDK's name
        return self._outer._ask("describeCustomer", options)


class Returning:
    """``kustomer.customer.describeCustomer(options)`` returns what the callback would get."""

    def __init__(self, inner: Any) -> None:
        self._inner, self._configured = inner, False
        self.customer = _Customer(self)

    def configure(self, api_key: str, options: Any) -> None:
        if not api_key:
            raise ValueError("configure needs an API key")
        self._configured = True

    def _ask(self, method: str, *args: Any) -> Any:
        if not self._configured:
            raise RuntimeError("configure(api_key) has not been called")
        done, out = threading.Event(), []

        def callback(response: Any = None, error: Any = None) -> None:
            out.append((response, error))
            done.set()

        getattr(self._inner, method)(*args, callback)
        if not done.wait(2.0):
            raise TimeoutError(f"{method} did not answer")
        response, error = out[0]
        if error is not None:
            raise error if isinstance(error, BaseException) else RuntimeError(error)
        return response

    def start(self, options: Any) -> Any:
        return self._ask("start", options)

    def login(self, options: Any) -> Any:
        return self._ask("login", options)

    def logout(self) -> Any:
        return self._ask("logout")


def make() -> Returning:
    return Returning(KustomerDouble())


def make_drops_second_email() -> Returning:
    """Breaks reflects-input: emails[1] never reaches the customer."""
    return Returning(drops_second_email.make())

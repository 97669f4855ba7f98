"""What the engine needs of a driver (``Driver``), what a call gives back (``Returned``), and the
error a target that cannot be loaded raises."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ..errors import KustomerContractError
from ..spec.bindings import Binding

Kind = Literal["python", "node", "page"]


class ImplementationError(KustomerContractError):
    """The implementation could not be loaded or built (a user error: exit code 2)."""


@dataclass
class Returned:
    """How a method call returned: normally, by raising, or not within the timeout.

    ``gave`` names a returned value that matters to the contract ("a coroutine", "a Promise"):
    the SDK is callback-based, so such a method may never call back."""

    raised: BaseException | None = None
    hung: bool = False
    gave: str | None = None
    took: float = 0.0  # seconds it took to return (a call of a batch starts when the last returned)


Call = tuple[str, list[Any]]  # a method's name (or dotted path on the object) and its arguments


@dataclass
class Settles:
    """Stands last in a call's arguments when the result does not come through a callback
    (a binding's ``result: promise | return``). It is never passed to the implementation:
    the driver calls ``to(response, error)`` once, when the returned Promise / awaitable
    settles (``promise``: resolved -> ``(value, None)``, rejected -> ``(None, reason)``) or
    with the value returned (``return``: a raised exception is the error, never ``raised``).
    A rejection without a reason is passed as a non-None marker, so it still reads as an
    error."""

    how: Literal["promise", "return"]
    to: Callable[..., Any]


def split_settles(args: list[Any]) -> tuple[list[Any], Settles | None]:
    """The arguments to pass, and the Settles that stood last (if any)."""
    if args and isinstance(args[-1], Settles):
        return args[:-1], args[-1]
    return args, None


def late_as_hung(returned: list[Returned], timeout: float) -> list[Returned]:
    """A call of a batch that took longer than ``timeout`` to return is told as one that did
    not return in time (alone it would have been stopped there); the calls after it, which
    would not have run, too."""
    for n, one in enumerate(returned):
        if one.hung or one.took > timeout:
            return returned[:n] + [Returned(hung=True) for _ in returned[n:]]
    return returned


class Driver(Protocol):
    """Calls one implementation's methods on a fresh instance per case."""

    language: str  # "python" or "javascript": which reproducers fit
    label: str  # how the header and the reproducers name the implementation
    shape: str | None  # how the implementation was found (JavaScript), for the header
    page_errors: Counter[str]  # what a page's scripts threw uncaught (pages only)
    binding: Binding  # how the implementation's surface is called (names, arguments, results)

    def new_instance(self) -> Any: ...

    def has_method(self, instance: Any, name: str) -> bool:
        """Whether the surface method ``name`` (a dotted path allowed) is there."""
        ...

    def async_methods(self, instance: Any) -> list[str]:
        """The surface methods that are ``async`` functions (found, for the header)."""
        ...

    def call(self, instance: Any, method: str, args: list[Any], timeout: float) -> Returned:
        """Call ``method`` with ``args`` (callbacks are Python callables); at most ``timeout``
        seconds for it to return."""
        ...

    def call_together(self, instance: Any, calls: list[Call], timeout: float) -> list[Returned]:
        """Make ``calls`` one right after the other, with nothing of the implementation's own
        (a callback, a timer) able to run between them where its runtime allows (one turn of
        the JavaScript event loop): calls meant to be in flight together are, however slow the
        way to the implementation. Each has ``timeout`` seconds to return."""
        ...

    def close(self, instance: Any) -> None: ...

    def running(self) -> AbstractContextManager[Any]:
        """The context a whole run is held in."""
        ...

    def incidents(self, since: float) -> list[str]:
        """What the implementation did outside any call since ``since`` (time.monotonic)."""
        ...

    def shutdown(self) -> None:
        """Release what the driver started (a Node process, a browser)."""
        ...

"""JavaScript values as Python sees them, for the drivers that run JS (Node, a page).

The JS side (js_host.cjs) sends JSON; what JSON cannot carry comes as a marker object.
"""

from __future__ import annotations

import collections
import itertools
import json
from typing import Any

from .base import Call, ImplementationError, Returned, Settles, late_as_hung

MARK = "\u0000js"


class JSError(Exception):
    """A JavaScript ``Error`` as Python sees it: ``name`` (TypeError, ...) and ``message``."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(name, message)
        self.name, self.message = name, message

    def __str__(self) -> str:
        return f"{self.name}: {self.message}" if self.message else self.name


class JSValue:
    """A JavaScript value JSON cannot carry (a function, a cycle, BigInt, NaN, a Date...)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"<JavaScript {self.what}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JSValue) and other.what == self.what

    def __hash__(self) -> int:
        return hash(self.what)


def calls_request(handles: Handles, owner: int, calls: list[Call]) -> dict[str, Any]:
    """The request that makes ``calls`` together on instance ``owner`` (js_host.cjs)."""
    sent = [{"method": method, "args": handles.send(owner, args)} for method, args in calls]
    return {"op": "calls", "instance": owner, "calls": sent}


def returned_all(handles: Handles, replies: list[dict[str, Any]], timeout: float) -> list[Returned]:
    """How each call of a batch returned; what each changed in its options is applied first."""
    for reply in replies:
        handles.receive(reply)
    return late_as_hung([returned_from(reply) for reply in replies], timeout)


def returned_from(reply: dict[str, Any]) -> Returned:
    """How one call returned, from its reply (js_host.cjs)."""
    took = float(reply.get("took") or 0.0) / 1000
    threw = reply.get("threw")
    if threw:
        return Returned(raised=JSError(str(threw["name"]), str(threw["message"])), took=took)
    return Returned(gave=reply.get("gave"), took=took)


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and MARK in value:
            return JSValue(str(value[MARK]))
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def decode_arg(arg: dict[str, Any]) -> Any:
    if "error" in arg:
        return JSError(str(arg["error"].get("name", "Error")), str(arg["error"].get("message", "")))
    if "value" in arg:
        return decode(arg["value"])
    return None  # undefined


def to_json(value: Any) -> Any:
    """Options as JSON; anything JSON cannot carry goes as its repr (a string)."""
    try:
        json.dumps(value, allow_nan=False)
        return value
    except (TypeError, ValueError):
        if isinstance(value, dict):
            return {str(k): to_json(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [to_json(v) for v in value]
        return repr(value)


def mirror(live: Any, now: Any) -> None:
    """Make the Python options object the runner holds show what the JS side changed."""
    if isinstance(live, dict) and isinstance(now, dict):
        live.clear()
        live.update(now)
    elif isinstance(live, list) and isinstance(now, list):
        live[:] = now


class Handles:
    """The Python objects a JS side refers to by number: callbacks to call when it calls
    back, and options objects to update when the implementation changes them."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.callbacks: dict[int, Any] = {}
        self.options: dict[int, Any] = {}
        self._owned: dict[int, list[tuple[str, int]]] = collections.defaultdict(list)

    def send(self, owner: int, args: list[Any]) -> list[dict[str, Any]]:
        """The call's arguments as js_host.cjs takes them, kept until ``release(owner)``. A
        ``Settles`` (last) goes as ``{settle, how}``: its ``to`` is called like a callback."""
        sent = []
        for arg in args:
            key = next(self._ids)
            if isinstance(arg, Settles):
                self.callbacks[key] = arg.to
                self._owned[owner].append(("cb", key))
                sent.append({"settle": key, "how": arg.how})
            elif callable(arg):
                self.callbacks[key] = arg
                self._owned[owner].append(("cb", key))
                sent.append({"callback": key})
            else:
                self.options[key] = arg
                self._owned[owner].append(("opt", key))
                sent.append({"value": to_json(arg), "opt": key})
        return sent

    def receive(self, message: dict[str, Any]) -> None:
        """Apply a message from the JS side: changed options, then a callback if it is one."""
        for opt, now in (message.get("sync") or {}).items():
            live = self.options.get(int(opt))
            if live is not None:
                mirror(live, decode(now))
        target = self.callbacks.get(message["cb"]) if "cb" in message else None
        if target is not None:
            target(*[decode_arg(a) for a in message.get("args", [])])

    def release(self, owner: int) -> None:
        for kind, key in self._owned.pop(owner, []):
            (self.callbacks if kind == "cb" else self.options).pop(key, None)


def failure_text(error: Any) -> str:
    """A setup call's error in one line."""
    from .._core.text import describe_error

    if isinstance(error, (JSError, ImplementationError)):
        text = str(error)
    elif isinstance(error, JSValue):
        text = error.what
    else:
        text = describe_error(error)
    return text.strip().splitlines()[0] if text.strip() else repr(error)


def run_setup(driver: Any, instance: Any, label: str, timeout: float) -> None:
    """The binding's setup calls (``configure(apiKey, {})``...) on a fresh instance, in order,
    each awaited when its result is a promise; the first that throws, rejects, lacks or does
    not finish in ``timeout`` seconds raises ``ImplementationError`` naming it."""
    import threading

    for step in driver.binding.setup:
        if not driver.has_method(instance, step.method):
            raise ImplementationError(f"{label}: the object lacks the setup method {step.method}")
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def record(*args: Any, outcome: dict[str, Any] = outcome, done: Any = done) -> None:
            if not done.is_set():
                outcome["error"] = args[1] if len(args) > 1 else None
                done.set()

        settles = Settles("promise" if step.result == "promise" else "return", record)
        returned = driver.call(instance, step.method, [*step.args, settles], timeout)
        if returned.hung:
            raise ImplementationError(
                f"{label}: the setup call {step.method} did not return within {timeout:g} s"
            )
        if isinstance(returned.raised, ImplementationError):  # the process or page ended
            why = failure_text(returned.raised).removeprefix(f"{label}: ")
            raise ImplementationError(f"{label}: the setup call {step.method} ended: {why}")
        if returned.raised is not None:
            raise ImplementationError(
                f"{label}: the setup call {step.method} threw {failure_text(returned.raised)}"
            )
        if not done.wait(timeout):
            raise ImplementationError(
                f"{label}: the setup call {step.method} did not settle within {timeout:g} s"
            )
        if outcome.get("error") is not None:
            raise ImplementationError(
                f"{label}: the setup call {step.method} failed: {failure_text(outcome['error'])}"
            )

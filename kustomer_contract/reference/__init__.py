"""A conformant in-memory Kustomer double (``kustomer_contract.reference:make``).

Callbacks fire from another thread after a short delay, as a browser's would, so code
tested against it cannot depend on synchronous callbacks. The double reads the spec for
validation and for what a describe stores, so it keeps whichever spec it is given.

    from kustomer_contract.reference import make
    kustomer = make(klass=["favoriteColorStr"])
    kustomer.start({}, lambda response, error: kustomer.describeCustomer(
        {"attributes": {"emails": ["marsha@example.com"]}}, print))
"""

from __future__ import annotations

import copy
import functools
import itertools
import random
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .._core.pointer import put as _put
from .._core.pointer import resolve as at_pointer
from ..engine.state import normalise
from ..spec.loader import load_klass, load_spec
from ..spec.schemas import validator_for
from ..spec.types import Klass, Method, Spec
from .later import call_later

Callback = Callable[..., Any]


class KustomerError(Exception):
    """An error the double reports through a callback, as the SDK reports an ``Error``."""


class KustomerDouble:
    """The SDK's methods start, login, logout and describeCustomer, kept in memory."""

    def __init__(
        self,
        spec: Spec | str = "v1",
        klass: Klass | Iterable[str] | str | None = None,
        delay: tuple[float, float] = (0.0, 0.001),
        klasses: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self._spec = spec if isinstance(spec, Spec) else load_spec(spec)
        self._klass = _as_klass(klass, klasses)
        self._delay = delay
        self._lock = threading.Lock()
        self._started = False
        self._customers: dict[str, dict[int, Any]] = {}  # customerId -> reflects rule -> stored
        self._by_token: dict[str, str] = {}
        self._ids = (f"{uuid.uuid4().hex[:16]}{n:08x}" for n in itertools.count(1))
        self._current = ""
        self._names: dict[str, Any] = {}  # record key -> the id the options named it by
        for method in self._spec.describes[1:]:  # e.g. describeConversation: same machinery
            setattr(self, method.name, functools.partial(self._describe, method.name))
        self._validators = {
            name: validator_for(self._spec, "options", name, self._klass)
            for name, m in self._spec.methods.items()
            if m.options_schema is not None
        }

    # --- the SDK ---------------------------------------------------------------------------

    def start(self, options: Any = None, callback: Callback | None = None) -> None:
        if callable(options) and callback is None:  # start(callback) as some snippets write it
            options, callback = None, options

        def finish() -> tuple[Any, Exception | None]:
            with self._lock:
                if not self._started:
                    self._current = self._new_customer()
                    self._started = True
            return {"started": True}, None

        self._later(finish, callback)

    def login(self, options: Any, callback: Callback | None = None) -> None:
        method = self._spec.by_role("identify")
        if method is None:  # as before: an AttributeError, now saying why
            raise AttributeError("login: the spec has no method with role identify")
        error = self._refuse(method.name, options)
        token = repr(at_pointer(options, method.identity or "")[1])
        snapshot_started = self._started

        def finish() -> tuple[Any, Exception | None]:
            if error or not snapshot_started:
                return None, error or KustomerError("Kustomer.start() has not finished")
            with self._lock:
                if token not in self._by_token:
                    self._by_token[token] = self._new_customer()
                self._current = self._by_token[token]
                return {"identified": True, "customerId": self._current}, None

        self._later(finish, callback)

    def logout(self, callback: Callback | None = None) -> None:
        snapshot_started = self._started

        def finish() -> tuple[Any, Exception | None]:
            if not snapshot_started:
                return None, KustomerError("Kustomer.start() has not finished")
            with self._lock:
                self._current = self._new_customer()
            return {"identified": False}, None

        self._later(finish, callback)

    def describeCustomer(self, options: Any, callback: Callback | None = None) -> None:  # noqa: N802
        self._describe(self._spec.target.name, options, callback)

    def _describe(self, name: str, options: Any, callback: Callback | None = None) -> None:
        """Any describe method of the spec: validate now, merge into the record on completion."""
        method = self._spec.methods[name]
        started = self._started
        error = self._refuse(name, options)
        update = copy.deepcopy(options)
        # The request goes out for the customer of the moment, or the record it names.
        record = self._current if method.subject is None else self._record_for(method, update)

        def finish() -> tuple[Any, Exception | None]:
            if not started:
                return None, KustomerError(
                    f"Kustomer.start() has not finished: call {name} in start's callback"
                )
            if error:
                return None, error
            with self._lock:  # merge at completion, atomically: overlapping calls all land
                self._apply(record, update, method)
                return self._response(record, method), None

        self._later(finish, callback)

    def _record_for(self, method: Method, options: Any) -> str:
        named = at_pointer(options, method.subject or "")[1]
        key = f"{method.name}:{named!r}"
        self._customers.setdefault(key, {})
        self._names[key] = named
        return key

    # --- inside ----------------------------------------------------------------------------

    def _refuse(self, method: str, options: Any) -> Exception | None:
        validator = self._validators.get(method)
        if validator is None:
            return None
        problems = validator.problems(options)
        if not problems:
            return None
        return KustomerError("; ".join(str(p) for p in problems))

    def _new_customer(self) -> str:
        customer_id = next(self._ids)
        self._customers[customer_id] = {}
        return customer_id

    def _apply(self, customer: str, options: Any, method: Method | None = None) -> None:
        stored = self._customers[customer]
        for i, rule in enumerate((method or self._spec.target).reflects):
            found, value = at_pointer(options, rule.input)
            if not found:
                continue
            if rule.shape == "map":
                stored.setdefault(i, {}).update(value)
                continue
            have = {} if self._spec.merge == "replace" else stored.get(i, {})
            for item in value:
                have.setdefault(normalise(rule.compare, item), item)
            stored[i] = have

    def _response(self, customer: str, method: Method | None = None) -> dict[str, Any]:
        method = method or self._spec.target
        response: dict[str, Any] = {}
        if method.identity:
            _put(response, method.identity, self._names.get(customer, customer))
        stored = self._customers[customer]
        lists: dict[str, dict[str, Any]] = {}  # several rules may feed one list (v2's shared*)
        for i, rule in enumerate(method.reflects):
            if rule.shape == "map":
                if i in stored:
                    _put(response, rule.output, copy.deepcopy(stored[i]))
                continue
            merged = lists.setdefault(rule.output, {})
            for key, item in stored.get(i, {}).items():
                merged.setdefault(key, item)
        for output, items in lists.items():
            _put(response, output, copy.deepcopy(list(items.values())))
        return response

    def _later(
        self, finish: Callable[[], tuple[Any, Exception | None]], callback: Callback | None
    ) -> None:
        def fire() -> None:
            response, error = finish()
            if callback is not None:
                callback(response, error)

        call_later(random.uniform(*self._delay), fire)


def _as_klass(
    klass: Klass | Iterable[str] | str | None, klasses: Mapping[str, Iterable[str]] | None = None
) -> Klass | None:
    if klass is None or isinstance(klass, Klass):
        return klass
    if isinstance(klass, str):
        return load_klass(klass)
    others = tuple(sorted((name, frozenset(names)) for name, names in (klasses or {}).items()))
    return Klass("<given names>", frozenset(klass), others)


def make(
    spec: Spec | str = "v1",
    klass: Klass | Iterable[str] | str | None = None,
    klasses: Mapping[str, Iterable[str]] | None = None,
) -> KustomerDouble:
    """A fresh double; pass ``klass`` (a Klass, names, or a Klass file) to refuse other names,
    and ``klasses`` ({"conversation": [names]}) for the Klasses of other describe methods."""
    return KustomerDouble(spec, klass, klasses=klasses)


__all__ = ["KustomerDouble", "KustomerError", "make"]

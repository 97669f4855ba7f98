"""An in-memory stand-in for Kustomer's Web SDK, for Acme's own tests.

It has the SDK's four methods, ``start(options, callback)``, ``login({"jwtToken": ...},
callback)``, ``logout(callback)`` and ``describeCustomer(options, callback)``, and calls each
callback as ``callback(response, error)`` from a thread of its own, as the network client
of a real integration would. Written for this example; it imports nothing from
kustomer_contract (its rules follow kustomer_contract's specs/v1, by hand).

    from acme_chat.kustomer import make
    kustomer = make(klass=["favoriteColorStr"])
    kustomer.start({}, lambda response, error: kustomer.describeCustomer(
        {"attributes": {"emails": ["marsha@example.com"]}}, print))
"""

from __future__ import annotations

import calendar
import copy
import itertools
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

Callback = Callable[[Any, "Exception | None"], Any]

# JavaScript's \s, so that the patterns mean what they mean in the browser.
_WS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
EMAIL = re.compile(rf"[^@{_WS}]+@[^@{_WS}]+\.[^@{_WS}]+")
PHONE = re.compile(r"\+?[ ().-]*(?:[0-9][ ().-]*){7,15}")
CUSTOM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(Str|Txt|Num|Bool|At|Url)")
DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-]([0-9]{2}):([0-9]{2}))"
)
URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*"
)
SOCIAL_TYPES = {"facebook", "twitter", "instagram", "linkedin", "pinterest"}


class KustomerError(Exception):
    """What a failed call hands its callback, as the SDK hands a JavaScript Error."""


def _date_time(value: str) -> bool:
    m = DATE_TIME.fullmatch(value)
    if not m:
        return False
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    return (
        year > 0
        and 1 <= month <= 12
        and 1 <= day <= calendar.monthrange(year, month)[1]
        and hour < 24
        and minute < 60
        and second < 60
        and (m.group(7) is None or (int(m.group(7)) < 24 and int(m.group(8)) < 60))
    )


def _custom_value_ok(suffix: str, value: Any) -> bool:
    if value is None:
        return True
    if suffix in ("Str", "Txt"):
        return isinstance(value, str) and len(value) <= 1024
    if suffix == "Num":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if suffix == "Bool":
        return isinstance(value, bool)
    if suffix == "At":
        return isinstance(value, str) and _date_time(value)
    return isinstance(value, str) and URI.fullmatch(value) is not None  # Url


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c in "0123456789")


class AcmeKustomer:
    def __init__(self, klass: Iterable[str] | None = None) -> None:
        self._klass = frozenset(klass) if klass is not None else None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._started = False
        self._customers: dict[str, dict[str, Any]] = {}
        self._by_token: dict[str, str] = {}
        self._current = self._new_customer()

    # --- the SDK -----------------------------------------------------------------------

    def start(self, options: Any = None, callback: Callback | None = None) -> None:
        def finish() -> tuple[Any, Exception | None]:
            self._started = True
            return {"started": True}, None

        self._later(finish, callback)

    def login(self, options: Any, callback: Callback | None = None) -> None:
        started = self._started
        token = options.get("jwtToken") if isinstance(options, dict) else None
        ok = isinstance(token, str) and token != "" and set(options) == {"jwtToken"}

        def finish() -> tuple[Any, Exception | None]:
            if not started:
                return None, KustomerError("Kustomer.start() has not finished")
            if not ok:
                return None, KustomerError("login takes {jwtToken: a non-empty string}")
            with self._lock:
                if token not in self._by_token:
                    self._by_token[token] = self._new_customer()
                self._current = self._by_token[token]
                return {"identified": True, "customerId": self._current}, None

        self._later(finish, callback)

    def logout(self, callback: Callback | None = None) -> None:
        started = self._started

        def finish() -> tuple[Any, Exception | None]:
            if not started:
                return None, KustomerError("Kustomer.start() has not finished")
            with self._lock:
                self._current = self._new_customer()
            return {"identified": False}, None

        self._later(finish, callback)

    def describeCustomer(self, options: Any, callback: Callback | None = None) -> None:  # noqa: N802
        started = self._started
        problems = self._problems(options)
        update = copy.deepcopy(options)  # the caller's object is never changed
        customer = self._current  # the request goes out for the customer of the moment

        def finish() -> tuple[Any, Exception | None]:
            if not started:
                return None, KustomerError("Kustomer.start() has not finished")
            if problems:
                return None, KustomerError("; ".join(problems))
            with self._lock:  # merged when the call completes, so overlapping calls all land
                self._apply(self._customers[customer], update)
                return copy.deepcopy(self._customers[customer]), None

        self._later(finish, callback)

    # --- inside ------------------------------------------------------------------------

    def _later(self, finish: Callable[[], tuple[Any, Exception | None]], callback: Any) -> None:
        def run() -> None:
            response, error = finish()
            if callback is not None:
                callback(response, error)

        threading.Thread(target=run, name="acme-kustomer-callback", daemon=True).start()

    def _new_customer(self) -> str:
        customer_id = f"acme{next(self._ids):08d}"
        self._customers[customer_id] = {
            "customerId": customer_id,
            "emails": [],
            "phones": [],
            "socials": [],
            "custom": {},
        }
        return customer_id

    def _problems(self, options: Any) -> list[str]:
        if not isinstance(options, dict):
            return ["options must be an object"]
        out = [f"unknown key {k!r}" for k in options if k not in ("attributes", "customAttributes")]
        attributes = options.get("attributes", {})
        checks = {"emails": self._email_ok, "phones": self._phone_ok, "socials": self._social_ok}
        if not isinstance(attributes, dict):
            out.append("attributes must be an object")
        else:
            for key, items in attributes.items():
                if key not in checks:
                    out.append(f"unknown attribute {key!r}")
                elif not isinstance(items, list):
                    out.append(f"attributes.{key} must be a list")
                else:
                    out += [f"bad {key} entry {item!r}" for item in items if not checks[key](item)]
        custom = options.get("customAttributes", {})
        if not isinstance(custom, dict):
            out.append("customAttributes must be an object")
            return out
        for name, value in custom.items():
            m = CUSTOM_NAME.fullmatch(name) if isinstance(name, str) else None
            if m is None or (self._klass is not None and name not in self._klass):
                out.append(f"{name!r} is not a custom attribute of the Customer Klass")
            elif not _custom_value_ok(m.group(1), value):
                out.append(f"{name!r} cannot hold {value!r}")
        return out

    @staticmethod
    def _email_ok(value: Any) -> bool:
        return isinstance(value, str) and len(value) <= 254 and EMAIL.fullmatch(value) is not None

    @staticmethod
    def _phone_ok(value: Any) -> bool:
        return isinstance(value, str) and PHONE.fullmatch(value) is not None

    @staticmethod
    def _social_ok(value: Any) -> bool:
        return (
            isinstance(value, dict)
            and set(value) == {"username", "type"}
            and isinstance(value["username"], str)
            and value["username"] != ""
            and isinstance(value["type"], str)
            and value["type"] in SOCIAL_TYPES
        )

    @staticmethod
    def _apply(customer: dict[str, Any], options: dict[str, Any]) -> None:
        """Append what is new to each list (Kustomer keeps earlier values); custom values
        are replaced by name."""
        attributes = options.get("attributes", {})
        keys = {
            "emails": lambda e: e.casefold(),
            "phones": _digits,
            "socials": lambda s: (s["type"], s["username"].casefold()),
        }
        for name, key in keys.items():
            have = {key(item) for item in customer[name]}
            for item in attributes.get(name, []):
                if key(item) not in have:
                    have.add(key(item))
                    customer[name].append(item)
        customer["custom"].update(options.get("customAttributes", {}))


def make(klass: Iterable[str] | None = None) -> AcmeKustomer:
    """A fresh SDK. ``klass``: the custom attribute names the Customer Klass has (the
    contract's pytest plugin passes those of ``kustomer_klass``); other names are refused."""
    return AcmeKustomer(klass)

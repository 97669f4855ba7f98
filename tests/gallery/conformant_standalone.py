"""A CORRECT Kustomer double written from DESIGN.md alone (it does not import the reference).

Breaks nothing: it must pass every guarantee. Unlike the bundled reference it answers
synchronously (every callback fires inside the call), validates with hand-written ``re``
checks instead of the spec's JSON Schema, and keeps each customer as plain lists and a dict.

Several gallery modules subclass ``StandaloneKustomer`` and override one hook to break one
guarantee; the hooks are the ``_``-prefixed methods below.
"""

from __future__ import annotations

import calendar
import copy
import itertools
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

GUARANTEE = None  # breaks nothing

Callback = Callable[..., Any]

# ECMA-262's \s, so that "\s" means what it means for the JavaScript SDK.
_WS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
EMAIL = re.compile(rf"[^@{_WS}]+@[^@{_WS}]+\.[^@{_WS}]+")
PHONE = re.compile(r"\+?[ ().-]*(?:[0-9][ ().-]*){7,15}")
CUSTOM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(Str|Txt|Num|Bool|At|Url)")
DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-]([0-9]{2}):([0-9]{2}))"
)
URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*"
)
SOCIAL_TYPES = frozenset({"facebook", "twitter", "instagram", "linkedin", "pinterest"})
MAX_EMAIL, MAX_TEXT = 254, 1024


class KustomerError(Exception):
    """What the double hands to a callback when a call fails."""


def is_date_time(value: str) -> bool:
    m = DATE_TIME.fullmatch(value)
    if not m:
        return False
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    if year == 0 or not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    if hour > 23 or minute > 59 or second > 59:
        return False
    if m.group(9) is not None and (int(m.group(9)) > 23 or int(m.group(10)) > 59):
        return False
    return True


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def custom_value_ok(suffix: str, value: Any) -> bool:
    if value is None:
        return True
    if suffix in ("Str", "Txt"):
        return isinstance(value, str) and len(value) <= MAX_TEXT
    if suffix == "Num":
        return is_number(value)
    if suffix == "Bool":
        return isinstance(value, bool)
    if suffix == "At":
        return isinstance(value, str) and is_date_time(value)
    return isinstance(value, str) and URI.fullmatch(value) is not None  # Url


class Customer:
    """One customer: lists in the order first described, custom values by name."""

    def __init__(self, customer_id: str) -> None:
        self.id = customer_id
        self.emails: list[str] = []
        self.phones: list[str] = []
        self.socials: list[dict[str, str]] = []
        self.custom: dict[str, Any] = {}


def digits(phone: str) -> str:
    return "".join(c for c in phone if c in "0123456789")


class StandaloneKustomer:
    """start / login / logout / describeCustomer, with synchronous callbacks."""

    def __init__(self, klass: Iterable[str] | None = None) -> None:
        self._klass = frozenset(klass) if klass is not None else None
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._started = False
        self._customers: dict[str, Customer] = {}
        self._tokens: dict[str, str] = {}
        self._current = self._new_customer()

    # --- the SDK -------------------------------------------------------------------------

    def start(self, options: Any = None, callback: Callback | None = None) -> None:
        if callable(options) and callback is None:
            options, callback = None, options
        with self._lock:
            self._started = True
        self._reply(callback, {"started": True}, None)

    def login(self, options: Any, callback: Callback | None = None) -> None:
        if not self._started:
            return self._reply(callback, None, KustomerError("Kustomer.start() has not finished"))
        token = options.get("jwtToken") if isinstance(options, dict) else None
        if not isinstance(token, str) or not token or set(options) != {"jwtToken"}:
            return self._reply(
                callback, None, KustomerError("login takes {jwtToken: non-empty string}")
            )
        with self._lock:
            if token not in self._tokens:
                self._tokens[token] = self._new_customer().id
            self._current = self._customers[self._tokens[token]]
            customer_id = self._current.id
        self._reply(callback, {"identified": True, "customerId": customer_id}, None)

    def logout(self, callback: Callback | None = None) -> None:
        if not self._started:
            return self._reply(callback, None, KustomerError("Kustomer.start() has not finished"))
        with self._lock:
            self._current = self._new_customer()
        self._reply(callback, {"identified": False}, None)

    def describeCustomer(self, options: Any, callback: Callback | None = None) -> None:  # noqa: N802
        if not self._may_describe():
            return self._reply(callback, None, KustomerError("Kustomer.start() has not finished"))
        problems = self._problems(options)
        if problems:
            return self._reply(callback, None, KustomerError("; ".join(problems)))
        update = copy.deepcopy(options)
        with self._lock:
            customer = self._current
            self._apply(customer, update)
            response = self._response(customer)
        self._reply(callback, response, None)

    # --- hooks ---------------------------------------------------------------------------

    def _may_describe(self) -> bool:
        return self._started

    def _reply(self, callback: Callback | None, response: Any, error: Exception | None) -> None:
        if callback is not None:
            callback(response, error)

    def _new_customer(self) -> Customer:
        customer = Customer(f"cus{next(self._ids):06d}")
        self._customers[customer.id] = customer
        return customer

    def _email_ok(self, value: Any) -> bool:
        return (
            isinstance(value, str)
            and len(value) <= MAX_EMAIL
            and EMAIL.fullmatch(value) is not None
        )

    def _phone_ok(self, value: Any) -> bool:
        return isinstance(value, str) and PHONE.fullmatch(value) is not None

    def _social_ok(self, value: Any) -> bool:
        return (
            isinstance(value, dict)
            and set(value) == {"username", "type"}
            and isinstance(value["username"], str)
            and value["username"] != ""
            and isinstance(value["type"], str)
            and value["type"] in SOCIAL_TYPES
        )

    def _custom_name_ok(self, name: Any) -> bool:
        if not isinstance(name, str) or CUSTOM_NAME.fullmatch(name) is None:
            return False
        return self._klass is None or name in self._klass

    def _problems(self, options: Any) -> list[str]:
        if not isinstance(options, dict):
            return ["options must be an object"]
        out = [f"unknown key {k!r}" for k in options if k not in ("attributes", "customAttributes")]
        attributes = options.get("attributes", {})
        if not isinstance(attributes, dict):
            out.append("attributes must be an object")
        else:
            checks = {
                "emails": self._email_ok,
                "phones": self._phone_ok,
                "socials": self._social_ok,
            }
            for key, items in attributes.items():
                if key not in checks:
                    out.append(f"unknown attribute {key!r}")
                elif not isinstance(items, list):
                    out.append(f"attributes.{key} must be an array")
                else:
                    out += [f"bad {key} entry {v!r}" for v in items if not checks[key](v)]
        custom = options.get("customAttributes", {})
        if not isinstance(custom, dict):
            out.append("customAttributes must be an object")
        else:
            out += [p for name, value in custom.items() if (p := self._custom_problem(name, value))]
        return out

    def _custom_problem(self, name: Any, value: Any) -> str | None:
        if not self._custom_name_ok(name):
            return f"{name!r} is not a custom attribute of the Klass"
        if not custom_value_ok(CUSTOM_NAME.fullmatch(name).group(1), value):
            return f"bad value for {name!r}: {value!r}"
        return None

    def _apply(self, customer: Customer, options: dict[str, Any]) -> None:
        attributes = options.get("attributes", {})
        for email in attributes.get("emails", []):
            if email.casefold() not in {e.casefold() for e in customer.emails}:
                customer.emails.append(email)
        for phone in attributes.get("phones", []):
            if digits(phone) not in {digits(p) for p in customer.phones}:
                customer.phones.append(phone)
        for social in attributes.get("socials", []):
            key = (social["type"], social["username"].casefold())
            if key not in {(s["type"], s["username"].casefold()) for s in customer.socials}:
                customer.socials.append(dict(social))
        customer.custom.update(options.get("customAttributes", {}))

    def _response(self, customer: Customer) -> dict[str, Any]:
        return copy.deepcopy(
            {
                "customerId": customer.id,
                "emails": customer.emails,
                "phones": customer.phones,
                "socials": customer.socials,
                "custom": customer.custom,
            }
        )


def make(klass: Iterable[str] | None = None) -> StandaloneKustomer:
    return StandaloneKustomer(klass)

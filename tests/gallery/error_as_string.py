"""Breaks error-is-exception: every failure (invalid options, a call before start) hands the
callback a plain string such as ``"invalid phone: '12'"`` as its error, never an exception.

Self-contained: no import of the reference nor of the other gallery modules; its own
validation (``re`` with DESIGN.md's patterns) and storage (dicts keyed by normalised value).
"""

from __future__ import annotations

import copy
import datetime
import re
import uuid
from typing import Any

GUARANTEE = "error-is-exception"

_WS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_EMAIL = re.compile(rf"^[^@{_WS}]+@[^@{_WS}]+\.[^@{_WS}]+\Z")
_PHONE = re.compile(r"^\+?[ ().-]*(?:[0-9][ ().-]*){7,15}\Z")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(Str|Txt|Num|Bool|At|Url)\Z")
_STAMP = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-]([0-9]{2}):([0-9]{2}))\Z"
)
_URI = re.compile(
    r"^[A-Za-z][A-Za-z0-9+.-]*:([-A-Za-z0-9._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*\Z"
)
_TYPES = ("facebook", "twitter", "instagram", "linkedin", "pinterest")


def _stamp_ok(text: str) -> bool:
    m = _STAMP.match(text)
    if not m:
        return False
    y, mo, d, h, mi, s, oh, om = (int(g or 0) for g in m.groups())
    try:
        datetime.date(y, mo, d)  # checks month and day, leap years included
    except ValueError:
        return False
    return h < 24 and mi < 60 and s < 60 and oh < 24 and om < 60


def _first_problem(options: Any) -> str | None:
    if not isinstance(options, dict):
        return "options must be an object"
    for key in options:
        if key not in ("attributes", "customAttributes"):
            return f"unknown option {key!r}"
    attrs = options.get("attributes", {})
    if not isinstance(attrs, dict):
        return "attributes must be an object"
    for key, items in attrs.items():
        if key not in ("emails", "phones", "socials") or not isinstance(items, list):
            return f"bad attributes.{key}"
        for item in items:
            if key == "emails" and not (
                isinstance(item, str) and len(item) <= 254 and _EMAIL.match(item)
            ):
                return f"invalid email: {item!r}"
            if key == "phones" and not (isinstance(item, str) and _PHONE.match(item)):
                return f"invalid phone: {item!r}"
            if key == "socials" and not (
                isinstance(item, dict)
                and sorted(item) == ["type", "username"]
                and isinstance(item["username"], str)
                and item["username"]
                and isinstance(item["type"], str)
                and item["type"] in _TYPES
            ):
                return f"invalid social: {item!r}"
    custom = options.get("customAttributes", {})
    if not isinstance(custom, dict):
        return "customAttributes must be an object"
    for name, value in custom.items():
        m = _NAME.match(name) if isinstance(name, str) else None
        if not m:
            return f"unknown custom attribute {name!r}"
        kind, ok = m.group(1), value is None
        if kind in ("Str", "Txt"):
            ok = ok or (isinstance(value, str) and len(value) <= 1024)
        elif kind == "Num":
            ok = ok or (type(value) in (int, float))
        elif kind == "Bool":
            ok = ok or isinstance(value, bool)
        elif kind == "At":
            ok = ok or (isinstance(value, str) and _stamp_ok(value))
        else:
            ok = ok or (isinstance(value, str) and bool(_URI.match(value)))
        if not ok:
            return f"invalid value for {name}: {value!r}"
    return None


class StringErrors:
    def __init__(self) -> None:
        self.ready = False
        self.people: dict[str, dict[str, Any]] = {}
        self.by_token: dict[str, str] = {}
        self.me = self._person()

    def _person(self) -> str:
        pid = uuid.uuid4().hex
        self.people[pid] = {"emails": {}, "phones": {}, "socials": {}, "custom": {}}
        return pid

    def start(self, options: Any = None, callback: Any = None) -> None:
        if callable(options):
            options, callback = None, options
        self.ready = True
        if callback:
            callback({}, None)

    def login(self, options: Any, callback: Any = None) -> None:
        token = options.get("jwtToken") if isinstance(options, dict) else None
        if not self.ready or not isinstance(token, str) or not token:
            if callback:
                callback(None, "login failed")
            return
        if token not in self.by_token:
            self.by_token[token] = self._person()
        self.me = self.by_token[token]
        if callback:
            callback({"customerId": self.me}, None)

    def logout(self, callback: Any = None) -> None:
        if not self.ready:
            if callback:
                callback(None, "not started")
            return
        self.me = self._person()
        if callback:
            callback({}, None)

    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        problem = "Kustomer.start() has not finished" if not self.ready else _first_problem(options)
        if problem:
            if callback:
                callback(None, problem)  # the bug: a str, not an Exception
            return
        person = self.people[self.me]
        attrs = copy.deepcopy(options.get("attributes", {}))
        for e in attrs.get("emails", []):
            person["emails"].setdefault(e.casefold(), e)
        for p in attrs.get("phones", []):
            person["phones"].setdefault(re.sub(r"[^0-9]", "", p), p)
        for s in attrs.get("socials", []):
            person["socials"].setdefault((s["type"], s["username"].casefold()), s)
        person["custom"].update(copy.deepcopy(options.get("customAttributes", {})))
        if callback:
            callback(
                {
                    "customerId": self.me,
                    "emails": list(person["emails"].values()),
                    "phones": list(person["phones"].values()),
                    "socials": [dict(s) for s in person["socials"].values()],
                    "custom": dict(person["custom"]),
                },
                None,
            )


def make() -> StringErrors:
    return StringErrors()

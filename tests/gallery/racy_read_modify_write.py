"""Breaks no-lost-update: describeCustomer reads the customer when it is called, and writes
"what it read + the update" back when its request completes, 0-3 ms later on a timer thread.
Two describes in flight at once both start from the same snapshot; the one that lands last
overwrites the other's values (a read-modify-write race).

Self-contained: no import of the reference nor of the other gallery modules; callbacks fire
from ``threading.Timer`` threads after a random delay; customers are immutable snapshots.
"""

from __future__ import annotations

import copy
import random
import re
import threading
import uuid
from typing import Any

GUARANTEE = "no-lost-update"

_WS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
PATTERNS = {
    "email": re.compile(rf"[^@{_WS}]+@[^@{_WS}]+\.[^@{_WS}]+"),
    "phone": re.compile(r"\+?[ ().-]*(?:[0-9][ ().-]*){7,15}"),
    "name": re.compile(r"[A-Za-z][A-Za-z0-9]*(Str|Txt|Num|Bool|At|Url)"),
    "at": re.compile(
        r"([0-9]{4})-(0[1-9]|1[0-2])-([0-9]{2})[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
        r"(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
    ),
    "url": re.compile(
        r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*"
    ),
}
SOCIAL_TYPES = {"facebook", "twitter", "instagram", "linkedin", "pinterest"}
MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _custom_ok(kind: str, value: Any) -> bool:
    if value is None:
        return True
    if kind in ("Str", "Txt"):
        return isinstance(value, str) and len(value) <= 1024
    if kind == "Num":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "Bool":
        return value is True or value is False
    if not isinstance(value, str):
        return False
    if kind == "Url":
        return PATTERNS["url"].fullmatch(value) is not None
    m = PATTERNS["at"].fullmatch(value)
    if m is None:
        return False
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    days = 28 if month == 2 and not _is_leap(year) else MONTH_DAYS[month - 1]
    return year > 0 and 1 <= day <= days


def check(options: Any) -> str | None:
    """Why ``options`` are invalid, or None."""
    if type(options) is not dict:
        return "options is not an object"
    extra = set(options) - {"attributes", "customAttributes"}
    if extra:
        return f"unexpected {sorted(extra)}"
    attributes = options.get("attributes", {})
    if type(attributes) is not dict or not set(attributes) <= {"emails", "phones", "socials"}:
        return "attributes: only emails, phones and socials"
    if any(type(v) is not list for v in attributes.values()):
        return "attributes: lists expected"
    for email in attributes.get("emails", []):
        if not isinstance(email, str) or len(email) > 254 or not PATTERNS["email"].fullmatch(email):
            return f"bad email {email!r}"
    for phone in attributes.get("phones", []):
        if not isinstance(phone, str) or not PATTERNS["phone"].fullmatch(phone):
            return f"bad phone {phone!r}"
    for social in attributes.get("socials", []):
        if type(social) is not dict or set(social) != {"username", "type"}:
            return f"bad social {social!r}"
        if not isinstance(social["username"], str) or not social["username"]:
            return f"bad social username {social!r}"
        if not isinstance(social["type"], str) or social["type"] not in SOCIAL_TYPES:
            return f"bad social type {social!r}"
    custom = options.get("customAttributes", {})
    if type(custom) is not dict:
        return "customAttributes: object expected"
    for name, value in custom.items():
        m = PATTERNS["name"].fullmatch(name) if isinstance(name, str) else None
        if m is None:
            return f"unknown custom attribute {name!r}"
        if not _custom_ok(m.group(1), value):
            return f"bad value for {name}"
    return None


EMPTY = {"emails": (), "phones": (), "socials": (), "custom": {}}


def merged(snapshot: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """A new snapshot: ``snapshot`` with ``options`` appended / set."""
    out = {k: v for k, v in snapshot.items()}
    attributes = options.get("attributes", {})
    keyers = {
        "emails": str.casefold,
        "phones": lambda p: "".join(ch for ch in p if ch in "0123456789"),
        "socials": lambda s: (s["type"], s["username"].casefold()),
    }
    for field, key in keyers.items():
        seen = {key(v) for v in out[field]}
        extra = []
        for value in attributes.get(field, []):
            if key(value) not in seen:
                seen.add(key(value))
                extra.append(copy.deepcopy(value))
        out[field] = tuple(out[field]) + tuple(extra)
    out["custom"] = {**out["custom"], **copy.deepcopy(options.get("customAttributes", {}))}
    return out


class RacyKustomer:
    def __init__(self) -> None:
        self.started = False
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.logins: dict[str, str] = {}
        self.current = self._new()

    def _new(self) -> str:
        cid = uuid.uuid4().hex[:24]
        self.snapshots[cid] = dict(EMPTY)
        return cid

    def _later(self, work: Any, callback: Any) -> None:
        def fire() -> None:
            response, error = work()
            if callback is not None:
                callback(response, error)

        timer = threading.Timer(random.uniform(0, 0.003), fire)
        timer.daemon = True
        timer.start()

    def start(self, options: Any = None, callback: Any = None) -> None:
        if callable(options) and callback is None:
            options, callback = None, options

        def work() -> tuple[Any, Exception | None]:
            self.started = True
            return {"started": True}, None

        self._later(work, callback)

    def login(self, options: Any, callback: Any = None) -> None:
        started = self.started

        def work() -> tuple[Any, Exception | None]:
            token = options.get("jwtToken") if isinstance(options, dict) else None
            if not started:
                return None, RuntimeError("call login in start's callback")
            if not isinstance(token, str) or not token:
                return None, ValueError("login needs a jwtToken")
            if token not in self.logins:
                self.logins[token] = self._new()
            self.current = self.logins[token]
            return {"customerId": self.current}, None

        self._later(work, callback)

    def logout(self, callback: Any = None) -> None:
        started = self.started

        def work() -> tuple[Any, Exception | None]:
            if not started:
                return None, RuntimeError("call logout in start's callback")
            self.current = self._new()
            return {}, None

        self._later(work, callback)

    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        started, problem = self.started, check(options)
        cid = self.current
        snapshot = self.snapshots[cid]  # read now...
        update = copy.deepcopy(options) if problem is None else None

        def work() -> tuple[Any, Exception | None]:
            if not started:
                return None, RuntimeError("Kustomer.start() has not finished")
            if problem is not None:
                return None, ValueError(problem)
            new = merged(snapshot, update)
            if new != snapshot:  # a read ({}) writes nothing back
                self.snapshots[cid] = new  # ...write later: the race
            return {
                "customerId": cid,
                "emails": list(new["emails"]),
                "phones": list(new["phones"]),
                "socials": [dict(s) for s in new["socials"]],
                "custom": dict(new["custom"]),
            }, None

        self._later(work, callback)


def make() -> RacyKustomer:
    return RacyKustomer()

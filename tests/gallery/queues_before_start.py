"""Breaks not-before-start: describeCustomer calls made before start's callback are queued
and replayed (with success callbacks) once start finishes, instead of having no effect.

Self-contained: no import of the reference nor of the other gallery modules; synchronous
callbacks; validation with ``re`` and DESIGN.md's patterns; customers as dataclasses.
"""

from __future__ import annotations

import calendar
import copy
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

GUARANTEE = "not-before-start"

WS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
EMAIL_RE = re.compile(rf"^[^@{WS}]+@[^@{WS}]+\.[^@{WS}]+\Z")
PHONE_RE = re.compile(r"^\+?[ ().-]*(?:[0-9][ ().-]*){7,15}\Z")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?P<kind>Str|Txt|Num|Bool|At|Url)\Z")
WHEN_RE = re.compile(
    r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})[Tt](?P<H>[0-9]{2}):(?P<M>[0-9]{2})"
    r":(?P<S>[0-9]{2})(?:\.[0-9]+)?(?:[Zz]|[+-](?P<oh>[0-9]{2}):(?P<om>[0-9]{2}))\Z"
)
URL_RE = re.compile(
    r"^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*\Z"
)
NETWORKS = frozenset(["facebook", "twitter", "instagram", "linkedin", "pinterest"])


def when_ok(text: str) -> bool:
    m = WHEN_RE.match(text)
    if not m:
        return False
    g = {k: int(v) if v else 0 for k, v in m.groupdict().items()}
    if (
        g["y"] < 1
        or not 1 <= g["m"] <= 12
        or not 1 <= g["d"] <= calendar.monthrange(g["y"], g["m"])[1]
    ):
        return False
    return g["H"] < 24 and g["M"] < 60 and g["S"] < 60 and g["oh"] < 24 and g["om"] < 60


def value_ok(kind: str, value: Any) -> bool:
    if value is None:
        return True
    return {
        "Str": lambda: isinstance(value, str) and len(value) <= 1024,
        "Txt": lambda: isinstance(value, str) and len(value) <= 1024,
        "Num": lambda: isinstance(value, (int, float)) and not isinstance(value, bool),
        "Bool": lambda: isinstance(value, bool),
        "At": lambda: isinstance(value, str) and when_ok(value),
        "Url": lambda: isinstance(value, str) and URL_RE.match(value) is not None,
    }[kind]()


def is_valid(options: Any) -> bool:
    if not isinstance(options, dict) or any(
        k not in ("attributes", "customAttributes") for k in options
    ):
        return False
    attrs = options.get("attributes", {})
    if not isinstance(attrs, dict) or any(k not in ("emails", "phones", "socials") for k in attrs):
        return False
    if any(not isinstance(v, list) for v in attrs.values()):
        return False
    if not all(
        isinstance(e, str) and len(e) <= 254 and EMAIL_RE.match(e) for e in attrs.get("emails", [])
    ):
        return False
    if not all(isinstance(p, str) and PHONE_RE.match(p) for p in attrs.get("phones", [])):
        return False
    for s in attrs.get("socials", []):
        if not (
            isinstance(s, dict)
            and set(s) == {"username", "type"}
            and isinstance(s["username"], str)
            and s["username"]
            and isinstance(s["type"], str)
            and s["type"] in NETWORKS
        ):
            return False
    custom = options.get("customAttributes", {})
    if not isinstance(custom, dict):
        return False
    for name, value in custom.items():
        m = NAME_RE.match(name) if isinstance(name, str) else None
        if m is None or not value_ok(m.group("kind"), value):
            return False
    return True


@dataclass
class Person:
    id: str
    emails: dict[str, str] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)
    socials: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)

    def absorb(self, options: dict[str, Any]) -> None:
        attrs = options.get("attributes", {})
        for e in attrs.get("emails", []):
            self.emails.setdefault(e.casefold(), e)
        for p in attrs.get("phones", []):
            self.phones.setdefault("".join(filter(str.isdigit, p)), p)
        for s in attrs.get("socials", []):
            self.socials.setdefault((s["type"], s["username"].casefold()), dict(s))
        self.custom.update(options.get("customAttributes", {}))

    def view(self) -> dict[str, Any]:
        return copy.deepcopy(
            {
                "customerId": self.id,
                "emails": list(self.emails.values()),
                "phones": list(self.phones.values()),
                "socials": list(self.socials.values()),
                "custom": self.custom,
            }
        )


class Queueing:
    def __init__(self) -> None:
        self._n = itertools.count(1)
        self._started = False
        self._waiting: list[tuple[Any, Any]] = []
        self._people: dict[str, Person] = {}
        self._me = self._person()

    def _person(self, token: str | None = None) -> Person:
        key = token if token is not None else f"anon-{next(self._n)}"
        if key not in self._people:
            self._people[key] = Person(f"{next(self._n):024x}")
        return self._people[key]

    def start(self, options: Any = None, callback: Any = None) -> None:
        if callable(options):
            options, callback = None, options
        self._started = True
        if callback is not None:
            callback({"started": True}, None)
        waiting, self._waiting = self._waiting, []
        for update, cb in waiting:  # the bug: "don't lose early calls"
            self._describe(update, cb)

    def login(self, options: Any, callback: Any = None) -> None:
        token = options.get("jwtToken") if isinstance(options, dict) else None
        if not self._started or not isinstance(token, str) or not token:
            if callback is not None:
                callback(None, ValueError("login refused"))
            return
        self._me = self._person("token:" + token)
        if callback is not None:
            callback({"customerId": self._me.id}, None)

    def logout(self, callback: Any = None) -> None:
        if not self._started:
            if callback is not None:
                callback(None, RuntimeError("logout before start"))
            return
        self._me = self._person()
        if callback is not None:
            callback({}, None)

    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        if not self._started:
            if is_valid(options):
                self._waiting.append((copy.deepcopy(options), callback))
            elif callback is not None:
                callback(None, RuntimeError("Kustomer.start() has not finished"))
            return
        self._describe(options, callback)

    def _describe(self, options: Any, callback: Any) -> None:
        if not is_valid(options):
            if callback is not None:
                callback(None, ValueError("invalid describeCustomer options"))
            return
        self._me.absorb(copy.deepcopy(options))
        if callback is not None:
            callback(self._me.view(), None)


def make() -> Queueing:
    return Queueing()

"""Breaks stable-identity: login ignores the token and always identifies "the logged-in
customer", so two different login tokens share one customer (and one customerId).

Self-contained: no import of the reference nor of the other gallery modules; synchronous
callbacks; validation with ``re`` and DESIGN.md's patterns.
"""

from __future__ import annotations

import copy
import datetime
import re
import secrets
from typing import Any

GUARANTEE = "stable-identity"

_SP = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
EMAIL = re.compile(rf"[^@{_SP}]+@[^@{_SP}]+\.[^@{_SP}]+")
PHONE = re.compile(r"\+?[ ().-]*(?:[0-9][ ().-]*){7,15}")
CUSTOM = re.compile(r"[A-Za-z][A-Za-z0-9]*(Str|Txt|Num|Bool|At|Url)")
STAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])"
    r"(?:\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)
URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*"
)


def _stamp(v: Any) -> bool:
    m = STAMP.fullmatch(v) if isinstance(v, str) else None
    if not m:
        return False
    try:
        datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    return True


CHECK = {
    "Str": lambda v: isinstance(v, str) and len(v) <= 1024,
    "Txt": lambda v: isinstance(v, str) and len(v) <= 1024,
    "Num": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "Bool": lambda v: isinstance(v, bool),
    "At": _stamp,
    "Url": lambda v: isinstance(v, str) and URI.fullmatch(v) is not None,
}


def ok(options: Any) -> bool:
    if not isinstance(options, dict) or not set(options) <= {"attributes", "customAttributes"}:
        return False
    a = options.get("attributes", {})
    c = options.get("customAttributes", {})
    if (
        not isinstance(a, dict)
        or not set(a) <= {"emails", "phones", "socials"}
        or not isinstance(c, dict)
    ):
        return False
    if not all(isinstance(v, list) for v in a.values()):
        return False
    good_emails = all(
        isinstance(e, str) and len(e) <= 254 and EMAIL.fullmatch(e) for e in a.get("emails", [])
    )
    good_phones = all(isinstance(p, str) and PHONE.fullmatch(p) for p in a.get("phones", []))
    good_socials = all(
        isinstance(s, dict)
        and set(s) == {"username", "type"}
        and isinstance(s["username"], str)
        and s["username"] != ""
        and s["type"] in ("facebook", "twitter", "instagram", "linkedin", "pinterest")
        for s in a.get("socials", [])
    )
    good_custom = all(
        isinstance(n, str)
        and CUSTOM.fullmatch(n)
        and (v is None or CHECK[CUSTOM.fullmatch(n).group(1)](v))
        for n, v in c.items()
    )
    return bool(good_emails and good_phones and good_socials and good_custom)


class OneLogin:
    def __init__(self) -> None:
        self.up = False
        self.db: dict[str, dict[str, Any]] = {}
        self.logged_in: str | None = None  # the bug: one slot, whatever the token
        self.who = self.new()

    def new(self) -> str:
        cid = secrets.token_hex(12)
        self.db[cid] = {"emails": {}, "phones": {}, "socials": {}, "custom": {}}
        return cid

    def start(self, options: Any = None, callback: Any = None) -> None:
        if callable(options):
            options, callback = None, options
        self.up = True
        if callback:
            callback({"started": True}, None)

    def login(self, options: Any, callback: Any = None) -> None:
        token = options.get("jwtToken") if isinstance(options, dict) else None
        if not self.up or not isinstance(token, str) or not token:
            if callback:
                callback(None, PermissionError("login refused"))
            return
        if self.logged_in is None:
            self.logged_in = self.new()
        self.who = self.logged_in
        if callback:
            callback({"customerId": self.who}, None)

    def logout(self, callback: Any = None) -> None:
        if not self.up:
            if callback:
                callback(None, RuntimeError("logout before start"))
            return
        self.who = self.new()
        if callback:
            callback({}, None)

    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        if not self.up or not ok(options):
            if callback:
                callback(None, ValueError("not started" if not self.up else "invalid options"))
            return
        row = self.db[self.who]
        options = copy.deepcopy(options)
        attributes = options.get("attributes", {})
        for e in attributes.get("emails", []):
            row["emails"].setdefault(e.casefold(), e)
        for p in attributes.get("phones", []):
            row["phones"].setdefault(re.sub("[^0-9]", "", p), p)
        for s in attributes.get("socials", []):
            row["socials"].setdefault(s["type"] + ":" + s["username"].casefold(), s)
        row["custom"].update(options.get("customAttributes", {}))
        if callback:
            callback(
                copy.deepcopy(
                    {
                        "customerId": self.who,
                        "emails": list(row["emails"].values()),
                        "phones": list(row["phones"].values()),
                        "socials": list(row["socials"].values()),
                        "custom": row["custom"],
                    }
                ),
                None,
            )


def make() -> OneLogin:
    return OneLogin()

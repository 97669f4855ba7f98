"""Breaks callback-optional: describeCustomer always calls ``callback(response, None)``, so
without a callback it raises ``TypeError: 'NoneType' object is not callable`` (after the
update was applied).

Self-contained: no import of the reference nor of the other gallery modules; synchronous
callbacks; a single validation pass that collects every problem with its JSON pointer.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

GUARANTEE = "callback-optional"

ECMA_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
RX = {
    "emails": re.compile(rf"[^@{ECMA_SPACE}]+@[^@{ECMA_SPACE}]+\.[^@{ECMA_SPACE}]+"),
    "phones": re.compile(r"\+?[ ().-]*(?:[0-9][ ().-]*){7,15}"),
}
NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(Str|Txt|Num|Bool|At|Url)")
AT = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:[Zz]|[+-](\d\d):(\d\d))", re.ASCII
)
URL = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*"
)
KINDS = ("facebook", "twitter", "instagram", "linkedin", "pinterest")


def _days(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _at(value: str) -> bool:
    m = AT.fullmatch(value)
    if not m:
        return False
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    oh, om = int(m.group(7) or 0), int(m.group(8) or 0)
    return (
        y > 0
        and 1 <= mo <= 12
        and 1 <= d <= _days(y, mo)
        and h < 24
        and mi < 60
        and s < 60
        and oh < 24
        and om < 60
    )


def problems(options: Any) -> list[str]:
    out: list[str] = []
    if not isinstance(options, dict):
        return ["/: not an object"]
    out += [f"/{k}: not allowed" for k in options if k not in ("attributes", "customAttributes")]
    attrs = options.get("attributes", {})
    if isinstance(attrs, dict):
        for key, items in attrs.items():
            if key not in ("emails", "phones", "socials"):
                out.append(f"/attributes/{key}: not allowed")
            elif not isinstance(items, list):
                out.append(f"/attributes/{key}: not an array")
            else:
                for i, item in enumerate(items):
                    if key == "socials":
                        ok = (
                            isinstance(item, dict)
                            and sorted(item) == ["type", "username"]
                            and isinstance(item["username"], str)
                            and len(item["username"]) >= 1
                            and item["type"] in KINDS
                        )
                    else:
                        ok = isinstance(item, str) and RX[key].fullmatch(item) is not None
                        ok = ok and (key != "emails" or len(item) <= 254)
                    if not ok:
                        out.append(f"/attributes/{key}/{i}: invalid")
    else:
        out.append("/attributes: not an object")
    custom = options.get("customAttributes", {})
    if isinstance(custom, dict):
        for name, value in custom.items():
            m = NAME.fullmatch(name) if isinstance(name, str) else None
            if m is None:
                out.append(f"/customAttributes/{name}: unknown attribute")
                continue
            kind = m.group(1)
            ok = (
                value is None
                or {
                    "Str": isinstance(value, str) and len(value) <= 1024,
                    "Txt": isinstance(value, str) and len(value) <= 1024,
                    "Num": isinstance(value, (int, float)) and not isinstance(value, bool),
                    "Bool": isinstance(value, bool),
                    "At": isinstance(value, str) and _at(value),
                    "Url": isinstance(value, str) and URL.fullmatch(value) is not None,
                }[kind]
            )
            if not ok:
                out.append(f"/customAttributes/{name}: invalid {kind} value")
    else:
        out.append("/customAttributes: not an object")
    return out


class DescribeError(Exception):
    pass


class NeedsCallback:
    def __init__(self) -> None:
        self.started = False
        self.store: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, str] = {}
        self.active = self._open()

    def _open(self) -> str:
        key = str(uuid.uuid4())
        self.store[key] = {"emails": [], "phones": [], "socials": [], "custom": {}}
        return key

    def start(self, options: Any = None, callback: Any = None) -> None:
        if callable(options):
            options, callback = None, options
        self.started = True
        if callback:
            callback({}, None)

    def login(self, options: Any, callback: Any = None) -> None:
        token = options.get("jwtToken") if isinstance(options, dict) else None
        if self.started and isinstance(token, str) and token:
            if token not in self.tokens:
                self.tokens[token] = self._open()
            self.active = self.tokens[token]
            if callback:
                callback({"customerId": self.active}, None)
        elif callback:
            callback(None, DescribeError("login refused"))

    def logout(self, callback: Any = None) -> None:
        if not self.started:
            if callback:
                callback(None, DescribeError("logout before start"))
            return
        self.active = self._open()
        if callback:
            callback({}, None)

    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        if not self.started:
            callback(None, DescribeError("Kustomer.start() has not finished"))
            return
        found = problems(options)
        if found:
            callback(None, DescribeError("; ".join(found)))
            return
        record = self.store[self.active]
        opts = copy.deepcopy(options)
        attrs = opts.get("attributes", {})
        norm = {
            "emails": lambda v: v.casefold(),
            "phones": lambda v: re.sub(r"[^0-9]", "", v),
            "socials": lambda v: (v["type"], v["username"].casefold()),
        }
        for key, fn in norm.items():
            for item in attrs.get(key, []):
                if fn(item) not in [fn(x) for x in record[key]]:
                    record[key].append(item)
        record["custom"].update(opts.get("customAttributes", {}))
        callback(
            {"customerId": self.active, **copy.deepcopy(record)}, None
        )  # the bug: no None check


def make() -> NeedsCallback:
    return NeedsCallback()

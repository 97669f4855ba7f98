"""Breaks callback-once: a successful describe calls its callback twice, once when the
request is "sent" and again when the server "confirms" it (same response both times).

Self-contained: no import of the reference nor of the other gallery modules. Asynchronous:
one worker thread serves a request queue, as a single network connection would; validation
is a table of predicates per field.
"""

from __future__ import annotations

import copy
import queue
import re
import threading
from collections.abc import Callable
from typing import Any

GUARANTEE = "callback-once"

_S = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # ECMA \s


def _match(pattern: str) -> Callable[[Any], bool]:
    regex = re.compile(pattern)
    return lambda v: isinstance(v, str) and regex.fullmatch(v) is not None


_email = _match(rf"[^@{_S}]+@[^@{_S}]+\.[^@{_S}]+")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_STAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)


def _stamp(v: Any) -> bool:
    m = _STAMP.fullmatch(v) if isinstance(v, str) else None
    if not m:
        return False
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    limit = (
        29
        if month == 2 and leap
        else 28
        if month == 2
        else _DAYS[month - 1]
        if 1 <= month <= 12
        else 0
    )
    return year > 0 and 1 <= day <= limit


ITEM_RULES: dict[str, Callable[[Any], bool]] = {
    "emails": lambda v: _email(v) and len(v) <= 254,
    "phones": _match(r"\+?[ ().-]*(?:[0-9][ ().-]*){7,15}"),
    "socials": lambda v: (
        isinstance(v, dict)
        and set(v) == {"username", "type"}
        and isinstance(v["username"], str)
        and len(v["username"]) > 0
        and v["type"] in ("facebook", "twitter", "instagram", "linkedin", "pinterest")
    ),
}
SUFFIX_RULES: dict[str, Callable[[Any], bool]] = {
    "Str": lambda v: isinstance(v, str) and len(v) <= 1024,
    "Txt": lambda v: isinstance(v, str) and len(v) <= 1024,
    "Num": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "Bool": lambda v: isinstance(v, bool),
    "At": _stamp,
    "Url": _match(
        r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9_\-.~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*"
    ),
}
_CUSTOM = re.compile(r"[A-Za-z][A-Za-z0-9]*(Str|Txt|Num|Bool|At|Url)")


def valid(options: Any) -> bool:
    if not isinstance(options, dict) or not set(options) <= {"attributes", "customAttributes"}:
        return False
    attrs, custom = options.get("attributes", {}), options.get("customAttributes", {})
    if not isinstance(attrs, dict) or not isinstance(custom, dict):
        return False
    for key, items in attrs.items():
        rule = ITEM_RULES.get(key)
        if rule is None or not isinstance(items, list) or not all(rule(i) for i in items):
            return False
    for name, value in custom.items():
        m = _CUSTOM.fullmatch(name) if isinstance(name, str) else None
        if m is None or not (value is None or SUFFIX_RULES[m.group(1)](value)):
            return False
    return True


class TwiceCalling:
    def __init__(self) -> None:
        self._jobs: queue.Queue[Callable[[], None]] = queue.Queue()
        threading.Thread(target=self._serve, daemon=True).start()
        self._started = False
        self._data: dict[int, dict[str, Any]] = {}
        self._tokens: dict[str, int] = {}
        self._who = self._fresh()

    def _serve(self) -> None:
        while True:
            self._jobs.get()()

    def _fresh(self) -> int:
        n = len(self._data) + 1
        self._data[n] = {"emails": [], "phones": [], "socials": [], "custom": {}}
        return n

    def _send(
        self, callback: Any, job: Callable[[], tuple[Any, Exception | None]], twice: bool = False
    ) -> None:
        def run() -> None:
            response, error = job()
            if callback is not None:
                callback(response, error)
                if twice and error is None:
                    self._jobs.put(lambda: callback(copy.deepcopy(response), None))  # "confirmed"

        self._jobs.put(run)

    def start(self, options: Any = None, callback: Any = None) -> None:
        if callable(options):
            options, callback = None, options

        def job() -> tuple[Any, Exception | None]:
            self._started = True
            return {"started": True}, None

        self._send(callback, job)

    def login(self, options: Any, callback: Any = None) -> None:
        started = self._started

        def job() -> tuple[Any, Exception | None]:
            token = options.get("jwtToken") if isinstance(options, dict) else None
            if not started or not isinstance(token, str) or not token:
                return None, RuntimeError("login refused")
            if token not in self._tokens:
                self._tokens[token] = self._fresh()
            self._who = self._tokens[token]
            return {"customerId": f"c-{self._who}"}, None

        self._send(callback, job)

    def logout(self, callback: Any = None) -> None:
        started = self._started

        def job() -> tuple[Any, Exception | None]:
            if not started:
                return None, RuntimeError("logout before start")
            self._who = self._fresh()
            return {}, None

        self._send(callback, job)

    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        started, ok = self._started, valid(options)
        update = copy.deepcopy(options) if ok else None

        def job() -> tuple[Any, Exception | None]:
            if not started:
                return None, RuntimeError("Kustomer.start() has not finished")
            if not ok:
                return None, ValueError("invalid describeCustomer options")
            me = self._data[self._who]
            attrs = update.get("attributes", {})
            keys = {
                "emails": lambda e: e.casefold(),
                "phones": lambda p: re.sub(r"\D", "", p, flags=re.ASCII),
                "socials": lambda s: (s["type"], s["username"].casefold()),
            }
            for field, key in keys.items():
                have = {key(v) for v in me[field]}
                for v in attrs.get(field, []):
                    if key(v) not in have:
                        have.add(key(v))
                        me[field].append(v)
            me["custom"].update(update.get("customAttributes", {}))
            return {"customerId": f"c-{self._who}", **copy.deepcopy(me)}, None

        self._send(callback, job, twice=True)


def make() -> TwiceCalling:
    return TwiceCalling()

"""A second conformant Kustomer double, written from DESIGN.md and specs/ apart from the
bundled reference (kustomer_contract/reference/ was not read while writing it).

Its point is to differ from the reference wherever the contract leaves room, so the checker's
customer model meets every legitimate behaviour: callbacks fire from one scheduler thread
after random delays (0-3 ms) or synchronously; an update is applied at call time or at
callback time, and a response is a snapshot taken at call time or at callback time; a login
may take over the anonymous customer; phones come back normalised; calls before start fail
by a synchronous exception, an error callback, or no callback at all. Validation is
hand-written from the pinned contract (no jsonschema, no spec-derived validators).

``make(klass=None, klasses=None, spec="v1")``: ``klass`` the Customer Klass's names (None:
any well-formed name), ``klasses`` further Klasses by name (``conversation``), ``spec`` a
version (v1, v2) or the folder of a spec (as the Python driver passes it).
"""

from __future__ import annotations

import base64
import calendar
import copy
import heapq
import itertools
import json
import math
import random
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rfc3986_validator import validate_rfc3986

# --- one scheduler thread for every instance -----------------------------------------------


class _Scheduler:
    """Runs functions after a delay on a single daemon thread (a heap ordered by due time)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._cv = threading.Condition()
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def later(self, delay: float, fn: Callable[[], None]) -> None:
        with self._cv:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), fn))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="independent-double-timers", daemon=True
                )
                self._thread.start()
            self._cv.notify()

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cv.wait(wait)
                _, _, fn = heapq.heappop(self._heap)
            try:
                fn()
            except Exception:  # noqa: BLE001 - a caller's callback must not stop the timers
                traceback.print_exc()


_TIMERS = _Scheduler()

# --- validation, hand-written from DESIGN.md ----------------------------------------------

# ECMA-262's \s (WhiteSpace and LineTerminator), which the spec's patterns mean.
_JS_SPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {
    chr(c) for c in range(0x2000, 0x200B)
}
_PHONE_CHARS = set(" ().-0123456789")
_SOCIAL_TYPES = ("facebook", "twitter", "instagram", "linkedin", "pinterest")
_SUFFIXES = ("Str", "Txt", "Num", "Bool", "At", "Url")
_ASCII_LETTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ASCII_ALNUM = _ASCII_LETTERS | set("0123456789")
_DIGITS = set("0123456789")
# Characters that may appear in a URI at all (RFC 3986: unreserved, reserved, '%').
_URI_CHARS = _ASCII_ALNUM | set("-._~:/?#[]@!$&'()*+,;=%")


class Invalid(ValueError):
    """Options outside the contract; the message says where and what."""


def _is_email(value: Any) -> bool:
    """^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$ and at most 254 characters, without a regex."""
    if not isinstance(value, str) or len(value) > 254 or any(c in _JS_SPACE for c in value):
        return False
    if value.count("@") != 1:
        return False
    local, domain = value.split("@")
    # A dot with something on both sides somewhere in the domain.
    return bool(local) and any(0 < i < len(domain) - 1 for i, c in enumerate(domain) if c == ".")


def _is_phone(value: Any) -> bool:
    """An optional leading '+', then 7 to 15 digits among spaces, dots, dashes, parentheses."""
    if not isinstance(value, str):
        return False
    body = value[1:] if value.startswith("+") else value
    if any(c not in _PHONE_CHARS for c in body):
        return False
    return 7 <= sum(1 for c in body if c in _DIGITS) <= 15


def _two(text: str, lo: int, hi: int) -> int | None:
    if len(text) != 2 or any(c not in _DIGITS for c in text):
        return None
    n = int(text)
    return n if lo <= n <= hi else None


def _is_date_time(value: Any) -> bool:
    """RFC 3339 section 5.6 date-time: T and Z in either case, fractions, numeric offsets;
    a leap second only at 23:59:60 UTC, as the JSON Schema test suite has it."""
    if not isinstance(value, str) or len(value) < 20:
        return False
    date, sep, rest = value[:10], value[10], value[11:]
    if sep not in "Tt" or date[4] != "-" or date[7] != "-":
        return False
    year_text = date[:4]
    if any(c not in _DIGITS for c in year_text):
        return False
    year, month = int(year_text), _two(date[5:7], 1, 12)
    if month is None:
        return False
    day = _two(date[8:10], 1, calendar.monthrange(max(year, 1), month)[1])
    if day is None or len(rest) < 9 or rest[2] != ":" or rest[5] != ":":
        return False
    hour, minute, second = _two(rest[0:2], 0, 23), _two(rest[3:5], 0, 59), _two(rest[6:8], 0, 60)
    if hour is None or minute is None or second is None:
        return False
    tail = rest[8:]
    if tail.startswith("."):
        n = 1
        while n < len(tail) and tail[n] in _DIGITS:
            n += 1
        if n == 1:
            return False
        tail = tail[n:]
    if tail in ("Z", "z"):
        offset = 0
    elif len(tail) == 6 and tail[0] in "+-" and tail[3] == ":":
        oh, om = _two(tail[1:3], 0, 23), _two(tail[4:6], 0, 59)
        if oh is None or om is None:
            return False
        offset = (oh * 60 + om) * (1 if tail[0] == "+" else -1)
    else:
        return False
    if second == 60:  # a leap second is 23:59:60 in UTC
        utc = (hour * 60 + minute - offset) % (24 * 60)
        return utc == 23 * 60 + 59
    return True


def _is_absolute_uri(value: Any) -> bool:
    # validate_rfc3986 anchors with '$', which lets a trailing newline through: screen first.
    if not isinstance(value, str) or not value or any(c not in _URI_CHARS for c in value):
        return False
    return bool(validate_rfc3986(value, rule="URI"))


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (not isinstance(value, float) or math.isfinite(value))
    )


def _custom_value_ok(suffix: str, value: Any) -> bool:
    if value is None:
        return True
    if suffix in ("Str", "Txt"):
        return isinstance(value, str) and len(value) <= 1024
    if suffix == "Num":
        return _is_number(value)
    if suffix == "Bool":
        return isinstance(value, bool)
    if suffix == "At":
        return _is_date_time(value)
    return _is_absolute_uri(value)  # Url


def _suffix_of(name: Any) -> str | None:
    """The type suffix of a well-formed Klass attribute name, or None."""
    if not isinstance(name, str) or not name or name[0] not in _ASCII_LETTERS:
        return None
    if any(c not in _ASCII_ALNUM for c in name):
        return None
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return suffix
    return None


def _check_custom(where: str, custom: Any, allowed: frozenset[str] | None) -> None:
    if not isinstance(custom, dict):
        raise Invalid(f"{where}: must be an object")
    for name, value in custom.items():
        suffix = _suffix_of(name)
        if suffix is None:
            raise Invalid(f"{where}/{name}: not a Klass attribute name (camelCase + type suffix)")
        if allowed is not None and name not in allowed:
            raise Invalid(f"{where}/{name}: not an attribute of the Klass")
        if not _custom_value_ok(suffix, value):
            raise Invalid(f"{where}/{name}: {value!r} is not a valid *{suffix} value")


def _check_list(where: str, items: Any, ok: Callable[[Any], bool], what: str) -> None:
    if not isinstance(items, list):
        raise Invalid(f"{where}: must be a list")
    for i, item in enumerate(items):
        if not ok(item):
            raise Invalid(f"{where}/{i}: {item!r} is not {what}")


def _is_social(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"username", "type"}
        and isinstance(value["username"], str)
        and len(value["username"]) >= 1
        and isinstance(value["type"], str)
        and value["type"] in _SOCIAL_TYPES
    )


# Which attributes keys each version takes, and which response list each one feeds.
_KEYS = {
    "v1": {"emails": "emails", "phones": "phones", "socials": "socials"},
    "v2": {
        "sharedEmails": "emails",
        "sharedPhones": "phones",
        "sharedSocials": "socials",
        "emails": "emails",
        "phones": "phones",
        "socials": "socials",
    },
}
_ITEM_CHECKS = {
    "emails": (_is_email, "an email address"),
    "phones": (_is_phone, "a phone number"),
    "socials": (_is_social, "a social {username, type}"),
}


def check_customer_options(
    options: Any, version: str, klass: frozenset[str] | None
) -> dict[str, list[Any]]:
    """The values per response list ('emails', 'phones', 'socials', 'custom') or ``Invalid``."""
    if not isinstance(options, dict):
        raise Invalid("options: must be an object")
    extra = set(options) - {"attributes", "customAttributes"}
    if extra:
        raise Invalid(f"options: unknown key(s) {sorted(map(str, extra))}")
    out: dict[str, Any] = {"emails": [], "phones": [], "socials": [], "custom": {}}
    if "attributes" in options:
        attributes = options["attributes"]
        if not isinstance(attributes, dict):
            raise Invalid("attributes: must be an object")
        keys = _KEYS[version]
        for key, items in attributes.items():
            if key not in keys:
                raise Invalid(f"attributes/{key}: not a key of attributes in {version}")
            ok, what = _ITEM_CHECKS[keys[key]]
            _check_list(f"attributes/{key}", items, ok, what)
            out[keys[key]].extend(items)
    if "customAttributes" in options:
        _check_custom("customAttributes", options["customAttributes"], klass)
        out["custom"] = dict(options["customAttributes"])
    return out


def check_conversation_options(options: Any, klass: frozenset[str] | None) -> tuple[str, dict]:
    if not isinstance(options, dict):
        raise Invalid("options: must be an object")
    if set(options) != {"conversationId", "customAttributes"}:
        raise Invalid("options: takes exactly conversationId and customAttributes")
    cid = options["conversationId"]
    if not isinstance(cid, str) or not cid:
        raise Invalid("conversationId: must be a non-empty string")
    _check_custom("customAttributes", options["customAttributes"], klass)
    return cid, dict(options["customAttributes"])


# --- the records --------------------------------------------------------------------------


def _digits(text: str) -> str:
    return "".join(c for c in text if c in _DIGITS)


class _Customer:
    """Lists kept in the order described, deduplicated the way Kustomer compares them."""

    def __init__(self, customer_id: str) -> None:
        self.id = customer_id
        self.lists: dict[str, dict[Any, Any]] = {"emails": {}, "phones": {}, "socials": {}}
        self.custom: dict[str, Any] = {}
        self.token: str | None = None  # the login this customer belongs to, if any

    def apply(self, update: dict[str, Any]) -> None:
        for email in update["emails"]:
            self.lists["emails"].setdefault(email.casefold(), email)
        for phone in update["phones"]:  # stored normalised: '+' and the digits
            self.lists["phones"].setdefault(_digits(phone), "+" + _digits(phone))
        for social in update["socials"]:
            key = (social["type"], social["username"].casefold())
            self.lists["socials"].setdefault(key, dict(social))
        self.custom.update(copy.deepcopy(update["custom"]))

    def response(self) -> dict[str, Any]:
        out: dict[str, Any] = {"customerId": self.id}
        for name, values in self.lists.items():
            out[name] = copy.deepcopy(list(values.values()))
        if self.custom:
            out["custom"] = copy.deepcopy(self.custom)
        return out


def _login_key(options: dict[str, Any]) -> str:
    """Who a token names: its externalId claim when it is a readable JWT, else the token."""
    token = options["jwtToken"]
    try:
        claims = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
        if isinstance(data, dict) and isinstance(data.get("externalId"), str):
            return "external:" + data["externalId"]
    except (IndexError, ValueError, UnicodeDecodeError):
        pass
    return "token:" + token


Callback = Callable[..., Any] | None


class IndependentKustomer:
    """The SDK's methods: start, login, logout, describeCustomer, describeConversation."""

    def __init__(
        self,
        version: str,
        klass: Iterable[str] | None,
        conversation_klass: Iterable[str] | None,
        rng: random.Random | None = None,
    ) -> None:
        self._version = version
        self._klass = frozenset(klass) if klass is not None else None
        self._conversation_klass = (
            frozenset(conversation_klass) if conversation_klass is not None else None
        )
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._started = False
        self._customers: dict[str, _Customer] = {}
        self._by_login: dict[str, str] = {}
        self._conversations: dict[str, dict[str, Any]] = {}
        self._current = self._new_customer()

    # --- plumbing ---------------------------------------------------------------------------

    def _new_customer(self) -> _Customer:
        customer = _Customer(f"{self._rng.getrandbits(96):024x}")
        self._customers[customer.id] = customer
        return customer

    def _soon(self, fn: Callable[[], None]) -> None:
        """Now (one time in eight, on the caller's thread) or on the timer thread within 3 ms."""
        if self._rng.random() < 0.125:
            fn()
        else:
            _TIMERS.later(self._rng.uniform(0, 0.003), fn)

    def _reply(self, callback: Callback, response: Any = None, error: Any = None) -> None:
        if callback is not None:
            self._soon(lambda: callback(response, error))

    def _not_started(self, method: str, callback: Callback) -> None:
        """A call before start's callback: no effect, and one of the allowed answers."""
        error = RuntimeError(f"Kustomer.{method} called before start's callback")
        way = self._rng.randrange(3)
        if way == 0:
            raise error
        if way == 1 and callback is not None:
            self._reply(callback, None, error)
        # way 2: never answer (the contract allows a callback that is not called)

    @staticmethod
    def _callable(callback: Any) -> Callback:
        if callback is not None and not callable(callback):
            raise TypeError("the callback must be a function")
        return callback

    # --- the SDK ----------------------------------------------------------------------------

    def start(self, options: Any = None, callback: Callback = None) -> None:
        callback = self._callable(callback)

        def done() -> None:
            with self._lock:
                self._started = True
            if callback is not None:
                callback({}, None)

        self._soon(done)

    def login(self, options: Any, callback: Callback = None) -> None:
        callback = self._callable(callback)
        with self._lock:
            started = self._started
        if not started:
            return self._not_started("login", callback)
        if (
            not isinstance(options, dict)
            or set(options) != {"jwtToken"}
            or not isinstance(options["jwtToken"], str)
            or not options["jwtToken"]
        ):
            return self._reply(callback, None, Invalid("login takes {jwtToken: non-empty string}"))
        key = _login_key(options)

        def switch() -> dict[str, Any]:
            with self._lock:
                known = self._by_login.get(key)
                if known is not None:
                    self._current = self._customers[known]
                elif self._current.token is None and self._rng.random() < 0.5:
                    self._current.token = key  # the visitor becomes the logged-in customer
                    self._by_login[key] = self._current.id
                else:
                    self._current = self._new_customer()
                    self._current.token = key
                    self._by_login[key] = self._current.id
                return {"customerId": self._current.id}

        self._switch_then_reply(switch, callback)

    def logout(self, callback: Callback = None) -> None:
        callback = self._callable(callback)
        with self._lock:
            started = self._started
        if not started:
            return self._not_started("logout", callback)

        def switch() -> dict[str, Any]:
            with self._lock:
                self._current = self._new_customer()
                return {}

        self._switch_then_reply(switch, callback)

    def _switch_then_reply(self, switch: Callable[[], Any], callback: Callback) -> None:
        if self._rng.random() < 0.5:  # switch now, answer later
            response = switch()
            self._reply(callback, response)
        else:  # switch when answering

            def later() -> None:
                response = switch()
                if callback is not None:
                    callback(response, None)

            self._soon(later)

    def describeCustomer(self, options: Any, callback: Callback = None) -> None:  # noqa: N802
        callback = self._callable(callback)
        with self._lock:
            started, target = self._started, self._current
        if not started:
            return self._not_started("describeCustomer", callback)
        try:
            update = check_customer_options(copy.deepcopy(options), self._version, self._klass)
        except Invalid as exc:
            return self._reply(callback, None, exc)

        def apply() -> dict[str, Any]:
            with self._lock:
                target.apply(update)
                return target.response()

        def read() -> dict[str, Any]:
            with self._lock:
                return target.response()

        self._apply_and_answer(apply, read, callback)

    def describeConversation(self, options: Any, callback: Callback = None) -> None:  # noqa: N802
        callback = self._callable(callback)
        with self._lock:
            started = self._started
        if not started:
            return self._not_started("describeConversation", callback)
        try:
            cid, custom = check_conversation_options(
                copy.deepcopy(options), self._conversation_klass
            )
        except Invalid as exc:
            return self._reply(callback, None, exc)

        def read() -> dict[str, Any]:
            with self._lock:
                stored = self._conversations.get(cid, {})
                out: dict[str, Any] = {"conversationId": cid}
                if stored:
                    out["custom"] = copy.deepcopy(stored)
                return out

        def apply() -> dict[str, Any]:
            with self._lock:
                self._conversations.setdefault(cid, {}).update(custom)
            return read()

        self._apply_and_answer(apply, read, callback)

    def _apply_and_answer(
        self, apply: Callable[[], Any], read: Callable[[], Any], callback: Callback
    ) -> None:
        """Three legitimate timings: apply now and answer with that snapshot; apply now and
        answer with the record as it stands then; apply when answering."""
        way = self._rng.randrange(3)
        if way == 0:
            snapshot = apply()
            self._reply(callback, snapshot)
        elif way == 1:
            apply()
            if callback is not None:
                self._soon(lambda: callback(read(), None))
        else:

            def later() -> None:
                response = apply()
                if callback is not None:
                    callback(response, None)

            self._soon(later)


def _version_of(spec: str) -> str:
    """v1 or v2, from a version name or a spec folder's contract.yaml."""
    if spec in _KEYS:
        return spec
    import yaml

    path = Path(spec)
    contract = path / "contract.yaml" if path.is_dir() else path
    version = yaml.safe_load(contract.read_text()).get("version")
    if version not in _KEYS:
        raise ValueError(f"{spec}: this double knows spec versions v1 and v2, not {version!r}")
    return version


def make(
    klass: Iterable[str] | None = None,
    klasses: dict[str, Iterable[str]] | None = None,
    spec: str = "v1",
) -> IndependentKustomer:
    """A fresh double; a Klass restricts custom attribute names (Customer and Conversation)."""
    conversation = (klasses or {}).get("conversation")
    return IndependentKustomer(_version_of(spec), klass, conversation)

"""Realistic generators for string kinds a schema can name with ``x-generate`` or ``format``.

Generic formats only (an email, a phone number, a date-time...): which field uses which is
decided by the spec. Values stay inside the Basic Multilingual Plane and avoid the few
characters Python and JavaScript regexes disagree on, so a verdict here is a verdict in both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

# \s differs between Python (\x1c-\x1f, \x85) and JavaScript (\ufeff); length differs above
# the BMP (UTF-16 code units); leave all of them out.
_AMBIGUOUS = "\x1c\x1d\x1e\x1f\x85\ufeff\u180e\u2028\u2029"
SAFE_TEXT = st.characters(
    max_codepoint=0xFFFF,
    categories=("L", "M", "N", "P", "S", "Zs"),
    exclude_characters=_AMBIGUOUS,
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_UNICODE_LETTERS = "éèüößñçøåłžşğıəюяжшλπσ张伟李娜"
_FIRST = [
    "marsha",
    "Greg",
    "JAN",
    "peter",
    "Cindy",
    "bobby",
    "alice",
    "José",
    "zoë",
    "Łukasz",
    "søren",
    "Ölçü",
    "мария",
    "张伟",
    "o'brien",
]
_LAST = ["brady", "Smith", "nguyen", "O'Neil", "müller", "García", "kowalski", "ivanov", "李"]
_DOMAINS = [
    "example.com",
    "Example.ORG",
    "mail.example.co.uk",
    "bücher.example",
    "kustomer.test",
    "sub.domain.example.io",
    "xn--bcher-kva.example",
    "例子.测试",
]
SOCIAL_HANDLES = [
    "marsha_brady",
    "Greg.Brady",
    "cindy",
    "JAN_B",
    "josé_99",
    "peter-b",
    "a",
    "Bobby.Brady.1969",
    "мария",
    "user_名",
]


def _fit(text: str, size: int, pad: str = "x") -> str:
    """Cut or pad ``text`` to exactly ``size`` characters."""
    return text[:size] if len(text) >= size else text + pad * (size - len(text))


_FIRSTS = st.sampled_from(_FIRST)
_LASTS = st.sampled_from(_LAST)
_DOMAIN = st.sampled_from(_DOMAINS)
_LOCAL_STYLES = st.sampled_from(["{f}", "{f}.{l}", "{f}+news", "{f}_{n}"])
_PADS = st.sampled_from(["x", "A", "é"])
_LENGTH_AIM = st.sampled_from(["natural", "between", "limit"])  # shrinks limit -> between -> short


@st.composite
def email_addresses(draw, min_size: int = 0, max_size: int | None = None) -> str:
    """Emails as people type them: mixed case, plus tags, unicode, and exactly at the limit."""
    first, last = draw(_FIRSTS), draw(_LASTS)
    local = draw(_LOCAL_STYLES).format(f=first, l=last, n=len(first) * 7).replace("'", "")
    domain = draw(_DOMAIN)
    natural = len(local) + 1 + len(domain)
    lo = max(min_size, len(domain) + 2)
    hi = max_size if max_size is not None else natural + 40
    aim = draw(_LENGTH_AIM)
    between = draw(st.integers(lo, hi))  # always drawn: lowering ``aim`` keeps later draws aligned
    target = natural if aim == "natural" else hi if aim == "limit" else between
    target = min(max(target, lo), hi)
    return f"{_fit(local, target - len(domain) - 1, draw(_PADS))}@{domain}"


_PHONE_STYLES = st.sampled_from(["plain", "spaces", "dashes", "dots", "parens", "plus", "mixed"])
_GROUPINGS = st.sampled_from([(3, 3, 4), (3, 4), (2, 2, 2, 2), (4, 4), (3, 3, 3, 3), (1, 3, 3, 4)])


@st.composite
def phone_numbers(draw, digits: tuple[int, int] = (7, 15)) -> str:
    """Phone numbers with the separators people use, at both digit-count edges."""
    lo, hi = digits
    count = draw(st.sampled_from([lo, hi, (lo + hi) // 2, min(lo + 3, hi)]))
    number = str(draw(st.integers(0, 10**count - 1))).zfill(count)  # one draw, not one per digit
    style = draw(_PHONE_STYLES)
    if style == "plain":
        return number
    groups, rest = [], number
    for size in draw(_GROUPINGS):
        if rest:
            groups.append(rest[:size])
            rest = rest[size:]
    groups[-1] += rest
    sep = {"spaces": " ", "dashes": "-", "dots": ".", "parens": " ", "plus": " ", "mixed": "-"}[
        style
    ]
    if style in ("parens", "mixed") and len(groups) > 1:
        groups[0] = f"({groups[0]})"
    text = sep.join(groups)
    return f"+{text}" if style in ("plus", "mixed") else text


_HANDLES = st.one_of(st.sampled_from(SOCIAL_HANDLES), st.text(SAFE_TEXT, min_size=1, max_size=20))


@st.composite
def usernames(draw, min_size: int = 1, max_size: int | None = None) -> str:
    name = draw(_HANDLES)
    name = name.strip() or "user"
    return _fit(name, max(min_size, min(len(name), max_size or len(name))))


@st.composite
def date_times(draw) -> str:
    """RFC 3339 date-times with offsets (+05:45, -03:30, Z) and optional fractions."""
    year = draw(st.integers(1970, 2099))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    hour, minute, second = (
        draw(st.integers(0, 23)),
        draw(st.integers(0, 59)),
        draw(st.integers(0, 59)),
    )
    frac = draw(st.sampled_from(["", ".5", ".123", ".123456"]))
    offset = draw(
        st.sampled_from(["Z", "+00:00", "+02:00", "-03:30", "+05:45", "-12:00", "+14:00"])
    )
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{frac}{offset}"


@st.composite
def uris(draw) -> str:
    host = draw(st.sampled_from(["example.com", "shop.example.org", "localhost:8080", "127.0.0.1"]))
    path = draw(st.sampled_from(["", "/", "/profile/42", "/a%20b", "/orders?id=7&x=y", "/p#top"]))
    scheme = draw(st.sampled_from(["https", "http", "ftp"]))
    return draw(
        st.sampled_from(
            [
                f"{scheme}://{host}{path}",
                "mailto:marsha@example.com",
                "urn:isbn:0451450523",
                f"https://{host}{path}",
            ]
        )
    )


_JWT_KEY = b"kustomer-contract-test-secret"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_for(external_id: str) -> str:
    """A real HS256 JWT whose claims carry externalId and a fixed iat (deterministic)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = _b64(
        json.dumps({"externalId": external_id, "iat": 1767225600}, separators=(",", ":")).encode()
    )
    signature = hmac.new(_JWT_KEY, f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{_b64(signature)}"


def jwts() -> st.SearchStrategy[str]:
    return st.builds(
        jwt_for, st.sampled_from(["user-1", "user-2", "user-3", "marsha", "greg", "42"])
    )


def object_ids() -> st.SearchStrategy[str]:
    """24 hex digits, as Kustomer-style ids look (one draw, not one per digit)."""
    return st.integers(0, 16**24 - 1).map(lambda n: f"{n:024x}")


def plain_text(min_size: int = 0, max_size: int | None = None) -> st.SearchStrategy[str]:
    """Free text, with the maximum length itself drawn often (limits are where bugs live).

    Long text is a short drawn text padded to length: one draw per character would make a
    1025-character string cost more choices than hypothesis allows a whole example."""
    hi = max_size if max_size is not None else min_size + 40
    padded = st.builds(
        lambda text, size: _fit(text or "lorem ipsum ", size, " "),
        st.text(SAFE_TEXT, max_size=30),
        st.sampled_from([hi, min_size]) | st.integers(min_size, hi),
    )
    if min_size > 40:
        return padded
    short = st.text(SAFE_TEXT, min_size=min_size, max_size=min(hi, min_size + 40))
    return short if hi <= min_size + 40 else st.one_of(short, padded)


# x-generate kind -> factory taking the schema's keywords; formats fall back on the same table.
GENERATORS: dict[str, Callable[..., st.SearchStrategy[str]]] = {
    "email": lambda schema, spec: email_addresses(
        schema.get("minLength", 0), schema.get("maxLength")
    ),
    "phone": lambda schema, spec: phone_numbers(tuple(spec.get("digits", (7, 15)))),
    "username": lambda schema, spec: usernames(schema.get("minLength", 1), schema.get("maxLength")),
    "jwt": lambda schema, spec: jwts(),
    "object-id": lambda schema, spec: object_ids(),
    "date-time": lambda schema, spec: date_times(),
    "uri": lambda schema, spec: uris(),
}

# Near misses for formats: what a careless caller sends instead, then the semantic misses a
# loose check (a shape-only regex, a lenient parser) lets through. Each is invalid under any
# reading of its RFC (so no leap second 60, no lowercase t/z, no year 0000 here); the sweep
# tries every one once (strategies.invalid_sweep).
FORMAT_NEAR_MISSES: dict[str, list[str]] = {
    "date-time": [
        "2024-05-01",
        "2024-05-01 12:30:00",
        "2024-13-01T00:00:00Z",
        "05/01/2024",
        "2024-05-01T25:00:00Z",
        "yesterday",
        "1714566600",
        "2024-05-01T12:30:00",
        "2024-00-10T12:30:00Z",  # month 0
        "2024-02-30T12:30:00Z",  # 30 February
        "2023-02-29T12:30:00Z",  # 29 February, not a leap year
        "2024-04-31T12:30:00Z",  # 31 April
        "2024-05-32T12:30:00Z",
        "2024-05-00T12:30:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:60:00Z",
        "2024-05-01T12:30:61Z",
        "2024-05-01T12:30:00+24:00",
        "2024-05-01T12:30:00+02:60",
        "2024-05-01T12:30:00+0200",  # ISO 8601 basic offset, not RFC 3339
        "2024-05-01T12:30:00.Z",
        "2024-5-1T12:30:00Z",
        "2024-05-01T12:30:00Z\n",
        " 2024-05-01T12:30:00Z",
        "2024-05-01T12:30:00Z ",
    ],
    "uri": [
        "example.com/profile",
        "www.example.com",
        "/relative/path",
        "https://exa mple.com",
        "not a url",
        "://missing-scheme.example",
        "https://example.com/a b",
        "https://example.com/\n",
        " https://example.com/",
        "https://exämple.com/",  # an IRI, not a URI
        "https://example.com/caf\u00e9",
        "https://example.com/%zz",
        "https://example.com/<b>",
        "1http://example.com/",
    ],
}


def generator_for(schema: dict[str, Any]) -> st.SearchStrategy[str] | None:
    """The realistic generator a string schema asks for, if any."""
    spec = schema.get("x-generate")
    kind = spec.get("kind") if isinstance(spec, dict) else spec
    kind = kind or schema.get("format")
    factory = GENERATORS.get(kind) if kind else None
    return factory(schema, spec if isinstance(spec, dict) else {}) if factory else None


def just_outside(schema: dict[str, Any]) -> list[st.SearchStrategy[str]]:
    """Values one step past the limits a generator is told about (e.g. 6 and 16 digits)."""
    spec = schema.get("x-generate")
    if isinstance(spec, dict) and spec.get("kind") == "phone" and "digits" in spec:
        lo, hi = spec["digits"]
        return [phone_numbers((lo - 1, lo - 1)), phone_numbers((hi + 1, hi + 1))]
    return []


def string_near_misses(valid: str) -> st.SearchStrategy[str]:
    """Small edits of a valid string: a deleted, doubled or swapped character, case, spaces."""
    edits: list[str] = ["", " ", valid.upper(), valid + " ", " " + valid, valid.replace("@", "")]
    for i in range(min(len(valid), 30)):
        edits.append(valid[:i] + valid[i + 1 :])
        edits.append(valid[:i] + valid[i] + valid[i:])  # a doubled character: one past a limit
        edits.append(valid[:i] + " " + valid[i:])
        edits.append(valid[:i] + "@" + valid[i:])
    return st.sampled_from(edits)


def key_near_misses(key: str) -> list[str]:
    """What people write for a property name: snake_case, wrong case, a lost suffix."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in key).lstrip("_")
    out = [
        snake,
        key.lower(),
        key.upper(),
        key[:1].upper() + key[1:],
        key + "s",
        key[:-1],
        key[:-3] or "x",
        f"{key} ",
        f"some_{snake}",
        key.replace("e", "é", 1),
    ]
    return [k for k in out if k and k != key]


__all__ = ["SAFE_TEXT", "GENERATORS", "generator_for", "jwt_for", "plain_text"]

"""JSON Schema ``format`` checks that judge the whole string, shared by every validator.

``date-time``, ``time``, ``uri`` and ``uri-reference`` are checked here with
rfc3339-validator and rfc3986-validator, as jsonschema does when no ``rfc3987`` is installed,
with two differences that make the verdict the RFCs':
- Their regexes end in Python's ``$``, which also matches just before a final newline, so
  ``"2024-05-01T12:30:00Z\\n"`` passed as a date-time, which neither RFC (nor a JavaScript
  check) allows. Neither grammar admits a newline anywhere: "also refuse a trailing newline"
  is exactly the full match.
- jsonschema switches ``uri`` to the GPL ``rfc3987`` when that happens to be installed; here
  the verdict does not depend on what else is in the environment.
Owning these four also keeps ``jsonschema`` (a third of a short ``validate``) unimported
while only they are asked for. Every other format is jsonschema's.

:func:`format_checker` is jsonschema's Draft 2020-12 checker with these four in place of its
own; the Python validator (schemas.py) and the jsonschema_rs fast path (fastcheck.py) both
judge through :func:`conforms` or that checker, so the two cannot disagree on a format.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

__all__ = ["checker_for", "conforms", "format_checker"]


# The validators are imported on first use: rfc3986-validator compiles its grammar at import,
# which is a tenth of a one-file ``validate`` whose payload holds no URI.
@cache
def _rfc3339() -> Callable[[str], Any]:
    from rfc3339_validator import validate_rfc3339  # type: ignore[import-untyped]

    return validate_rfc3339


@cache
def _rfc3986() -> Callable[..., Any]:
    from rfc3986_validator import validate_rfc3986  # type: ignore[import-untyped]

    return validate_rfc3986


def _date_time(text: str) -> bool:
    return bool(_rfc3339()(text.upper()))  # RFC 3339 5.6: "t" and "z" may be lower case


def _time(text: str) -> bool:
    return _date_time("1970-01-01T" + text)


def _uri(text: str) -> bool:
    return bool(_rfc3986()(text, rule="URI"))


def _uri_reference(text: str) -> bool:
    return bool(_rfc3986()(text, rule="URI_reference"))


def _whole(check: Callable[[str], bool]) -> Callable[[Any], bool]:
    def conforms_wholly(instance: Any) -> bool:
        if not isinstance(instance, str):
            return True  # a format says nothing about other types
        return not instance.endswith("\n") and check(instance)

    return conforms_wholly


STRICT: dict[str, Callable[[Any], bool]] = {
    "date-time": _whole(_date_time),
    "time": _whole(_time),
    "uri": _whole(_uri),
    "uri-reference": _whole(_uri_reference),
}


@cache
def format_checker():
    """jsonschema's Draft 2020-12 format checker, with :data:`STRICT` in place of its own."""
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    for name, (func, raises) in Draft202012Validator.FORMAT_CHECKER.checkers.items():
        if name not in STRICT:
            checker.checks(name, raises)(func)
    for name, func in STRICT.items():
        checker.checks(name)(func)
    return checker


@cache
def checker_for(names: frozenset[str]):
    """:func:`format_checker`, once it is known to check each of ``names``: jsonschema
    passes a format it has no checker for, which must not happen silently."""
    checker = format_checker()
    missing = names - set(checker.checkers)
    if missing:
        raise RuntimeError(
            f"format(s) {', '.join(sorted(missing))} cannot be checked in this environment: "
            "install what jsonschema's format-nongpl extra lists"
        )
    return checker


def conforms(value: Any, name: str) -> bool:
    """Whether ``value`` is a valid ``name`` (what both validators ask)."""
    strict = STRICT.get(name)
    if strict is not None:
        return strict(value)
    return checker_for(frozenset((name,))).conforms(value, name)

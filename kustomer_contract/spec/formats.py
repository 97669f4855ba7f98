"""JSON Schema ``format`` checks that judge the whole string, shared by every validator.

jsonschema's checkers for ``date-time``, ``time``, ``uri`` and ``uri-reference`` come from
rfc3339-validator and rfc3986-validator, whose regexes end in Python's ``$``. Without
MULTILINE, ``$`` also matches just before a final newline, so ``"2024-05-01T12:30:00Z\\n"``
passed as a date-time, which neither RFC (nor a JavaScript check) allows. Neither grammar
admits a newline anywhere, so "also refuse a trailing newline" is exactly the full match.

:func:`format_checker` is jsonschema's Draft 2020-12 checker with those four made strict;
the Python validator (schemas.py) and the jsonschema_rs fast path (fastcheck.py) both use it,
so the two cannot disagree on a format.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

__all__ = ["conforms", "format_checker"]

# Checkers built on a ``^...$`` regex matched with ``re.match``.
_DOLLAR_ANCHORED = ("date-time", "time", "uri", "uri-reference")


def _strict(base: Callable[[Any], Any]) -> Callable[[Any], bool]:
    def check(instance: Any) -> bool:
        if isinstance(instance, str) and instance.endswith("\n"):
            return False
        return bool(base(instance))

    return check


@cache
def format_checker():
    """jsonschema's Draft 2020-12 format checker, with the ``$``-anchored checks made strict."""
    from jsonschema import Draft202012Validator, FormatChecker

    base = Draft202012Validator.FORMAT_CHECKER
    checker = FormatChecker(formats=())
    for name, (func, raises) in base.checkers.items():
        checker.checks(name, raises)(_strict(func) if name in _DOLLAR_ANCHORED else func)
    return checker


def conforms(value: Any, name: str) -> bool:
    """Whether ``value`` is a valid ``name`` (what both validators ask)."""
    return format_checker().conforms(value, name)

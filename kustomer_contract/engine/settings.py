"""The defaults and the parsing of numeric options, one home for the CLI and the plugin.

Imports nothing of the package beyond ``errors``: the plugin loads it at pytest start-up."""

from __future__ import annotations

import argparse

from ..errors import KustomerContractError

DEFAULT_SPEC = "v1"
DEFAULT_MAX_EXAMPLES = 100  # cases per guarantee
DEFAULT_TIMEOUT = 2.0  # seconds for one call: its return and its callback together
DEFAULT_GRACE = 0.5  # seconds a finished case's callbacks stay watched for a late second call
SHRINK_BUDGET = 500  # cases tried after the first failure (hypothesis's own limit is similar)

MAX_COUNT = 1_000_000  # cases or fixtures: more would run for days, never what was meant
MAX_SECONDS = 3600.0  # a callback timeout beyond an hour is a typo (and overflows timers)


class OptionValueError(argparse.ArgumentTypeError, ValueError, KustomerContractError):
    """A numeric option out of range; argparse prints its message as is."""


def positive_int(text: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise OptionValueError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_COUNT:
        raise OptionValueError(f"{text} is not a whole number from 1 to {MAX_COUNT:,}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise OptionValueError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= MAX_SECONDS:  # also refuses nan and inf
        raise OptionValueError(
            f"{text} is not a number of seconds above 0 and at most {MAX_SECONDS:g}"
        )
    return value


def non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{text} is not a number of seconds of at least 0")
    return value


# One text for --binding (check) and --kustomer-binding (the pytest plugin).
BINDING_HELP = (
    "how the implementation is called: web (Kustomer.method(options, callback), the default), "
    "core (KustomerCore, init in place of start), promise (each method returns a Promise / "
    "awaitable), or the path of a binding file"
)

"""The exit codes every command ends with, and the one root of the errors it reports.

A ``KustomerContractError`` carries the exit code it becomes; the commands turn it into one
line on standard error and that status."""

from __future__ import annotations

from collections.abc import Iterable

from ._core.text import one_line

EXIT_OK = 0  # all good
EXIT_FAILED = 1  # the contract is broken, a payload is invalid, a difference was found
EXIT_USAGE = 2  # usage or input error: nothing was judged
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


def overall(codes: Iterable[int]) -> int:
    """One status for several verdicts, the same rule in every command: an interrupt over
    input that could not be read or used (2) over a finding (1) over all good (0). A run that
    could not judge all of its input never reads as a mere finding; the findings it did make
    are reported all the same."""
    order = (EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED)
    return max(codes, key=lambda c: order.index(c) if c in order else len(order), default=EXIT_OK)


class KustomerContractError(Exception):
    """Root of the errors this tool reports as one line; ``exit_code`` is what it becomes."""

    exit_code = EXIT_USAGE


def print_error(message: object, code: int = EXIT_USAGE) -> int:
    """Say ``message`` as the one error line every command prints; returns ``code``."""
    import sys

    print(f"kustomer-contract: error: {one_line(message)}", file=sys.stderr)
    return code

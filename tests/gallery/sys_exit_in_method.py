"""Breaks accepts-valid: ``describeCustomer`` with emails calls ``sys.exit()`` (a leftover of
a command-line tool), raising SystemExit in the caller.

Otherwise the bundled reference double.
"""

from __future__ import annotations

import sys
from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "accepts-valid"


class ExitsOnEmails(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        if isinstance(options, dict) and (options.get("attributes") or {}).get("emails"):
            sys.exit()
        super().describeCustomer(options, callback)


def make() -> ExitsOnEmails:
    return ExitsOnEmails()

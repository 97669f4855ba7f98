"""Breaks accepts-valid: ``describeCustomer`` with custom attributes calls ``os._exit(0)``
("nothing more to do"), which would end the caller's whole process with a success code.

Otherwise the bundled reference double. Before the checker guarded ``os._exit``, the run
ended here with exit 0 and only its header printed: CI read a pass.
"""

from __future__ import annotations

import os
from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "accepts-valid"


class ExitsOnCustom(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        if isinstance(options, dict) and options.get("customAttributes"):
            os._exit(0)
        super().describeCustomer(options, callback)


def make() -> ExitsOnCustom:
    return ExitsOnCustom()

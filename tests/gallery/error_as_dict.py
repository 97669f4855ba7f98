"""Breaks error-is-exception: a refused describe hands the callback
``{"message": ..., "code": 400}`` as its error instead of an exception.

Otherwise the bundled reference double.
"""

from __future__ import annotations

from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "error-is-exception"


class DictErrors(KustomerDouble):
    def _refuse(self, method: str, options: Any) -> Any:
        error = super()._refuse(method, options)
        return None if error is None else {"message": str(error), "code": 400}


def make() -> DictErrors:
    return DictErrors()

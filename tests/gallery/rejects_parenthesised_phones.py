"""Breaks accepts-valid: valid phone numbers written with parentheses, e.g. "(555) 123-4567",
are refused with an error, because the phone pattern only allows spaces, dots and dashes.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

import re
from typing import Any

from .conformant_standalone import StandaloneKustomer

GUARANTEE = "accepts-valid"

PHONE_WITHOUT_PARENS = re.compile(r"\+?[ .-]*(?:[0-9][ .-]*){7,15}")


class NoParens(StandaloneKustomer):
    def _phone_ok(self, value: Any) -> bool:
        return isinstance(value, str) and PHONE_WITHOUT_PARENS.fullmatch(value) is not None


def make() -> NoParens:
    return NoParens()

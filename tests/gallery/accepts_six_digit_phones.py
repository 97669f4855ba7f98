"""Breaks rejects-invalid: the phone pattern allows 6 to 15 digits instead of 7 to 15, so a
6-digit phone is accepted and stored.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

import re
from typing import Any

from .conformant_standalone import StandaloneKustomer

GUARANTEE = "rejects-invalid"

PHONE_SIX = re.compile(r"\+?[ ().-]*(?:[0-9][ ().-]*){6,15}")


class SixDigits(StandaloneKustomer):
    def _phone_ok(self, value: Any) -> bool:
        return isinstance(value, str) and PHONE_SIX.fullmatch(value) is not None


def make() -> SixDigits:
    return SixDigits()

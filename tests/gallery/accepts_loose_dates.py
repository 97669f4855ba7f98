"""Breaks rejects-invalid: an *At value is checked by its shape alone, with a regex
(``\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}`` and an offset), so month 13, 30 February,
hour 25 or offset +24:00 is accepted and stored; everything else is refused as it should be.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

import re
from typing import Any

from .conformant_standalone import CUSTOM_NAME, StandaloneKustomer

GUARANTEE = "rejects-invalid"

LOOSE_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)


class LooseDates(StandaloneKustomer):
    def _custom_problem(self, name: Any, value: Any) -> str | None:
        if self._custom_name_ok(name) and CUSTOM_NAME.fullmatch(name).group(1) == "At":
            if value is None or (isinstance(value, str) and LOOSE_DATE_TIME.fullmatch(value)):
                return None
            return f"bad value for {name!r}: {value!r}"
        return super()._custom_problem(name, value)


def make() -> LooseDates:
    return LooseDates()

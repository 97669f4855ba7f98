"""Breaks rejects-invalid: a *Url value is checked as "http(s):// and no whitespace", so an
IRI (``https://exämple.com/``), a broken escape (``%zz``) or ``<b>`` is accepted and stored,
while a URI with a space or without a scheme is still refused.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

import re
from typing import Any

from .conformant_standalone import CUSTOM_NAME, StandaloneKustomer

GUARANTEE = "rejects-invalid"

LOOSE_URL = re.compile(r"https?://\S+")


class LooseUrls(StandaloneKustomer):
    def _custom_problem(self, name: Any, value: Any) -> str | None:
        if self._custom_name_ok(name) and CUSTOM_NAME.fullmatch(name).group(1) == "Url":
            if value is None or (isinstance(value, str) and LOOSE_URL.fullmatch(value)):
                return None
            return f"bad value for {name!r}: {value!r}"
        return super()._custom_problem(name, value)


def make() -> LooseUrls:
    return LooseUrls()

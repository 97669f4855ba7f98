"""Breaks rejects-unknown-custom: any string is taken as a custom attribute name, so
``some_custom_attribute`` (no type suffix, so on no Klass) is stored instead of refused.
Without a Klass file the checker's "unknown" names are those that break the naming rule.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

from typing import Any

from .conformant_standalone import StandaloneKustomer

GUARANTEE = "rejects-unknown-custom"


class AnyName(StandaloneKustomer):
    def _custom_problem(self, name: Any, value: Any) -> str | None:
        if isinstance(name, str) and name and not super()._custom_name_ok(name):
            ok = value is None or isinstance(value, (str, int, float, bool))
            return None if ok else f"bad value for {name!r}"
        return super()._custom_problem(name, value)


def make() -> AnyName:
    return AnyName()

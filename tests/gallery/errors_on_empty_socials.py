"""Breaks accepts-valid: ``attributes.socials: []`` (an empty list, which is valid) is refused
with "socials must not be empty", as if an empty list were a missing value.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

from typing import Any

from .conformant_standalone import StandaloneKustomer

GUARANTEE = "accepts-valid"


class EmptySocialsRefused(StandaloneKustomer):
    def _problems(self, options: Any) -> list[str]:
        out = super()._problems(options)
        attributes = options.get("attributes") if isinstance(options, dict) else None
        if isinstance(attributes, dict) and attributes.get("socials") == []:
            out.append("attributes.socials must not be empty")
        return out


def make() -> EmptySocialsRefused:
    return EmptySocialsRefused()

"""Breaks rejects-invalid: keys outside the schema (``sharedEmails`` inside ``attributes``, a
stray top-level key...) are silently ignored and the rest is applied, instead of failing.

Otherwise the standalone conformant double (no reference import).
"""

from __future__ import annotations

from typing import Any

from .conformant_standalone import StandaloneKustomer

GUARANTEE = "rejects-invalid"


class Lenient(StandaloneKustomer):
    def _problems(self, options: Any) -> list[str]:
        return [p for p in super()._problems(options) if not p.startswith("unknown ")]

    def _apply(self, customer: Any, options: dict[str, Any]) -> None:
        attributes = {
            k: v
            for k, v in options.get("attributes", {}).items()
            if k in ("emails", "phones", "socials")
        }
        super()._apply(
            customer,
            {"attributes": attributes, "customAttributes": options.get("customAttributes", {})},
        )


def make() -> Lenient:
    return Lenient()

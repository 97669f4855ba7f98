"""The documented home of the hypothesis strategies (``kustomer_contract.generate.strategies``)."""

from .generate.strategies import (
    invalid_options,
    responses,
    sequences,
    unknown_custom_options,
    valid_options,
)

__all__ = ["invalid_options", "responses", "sequences", "unknown_custom_options", "valid_options"]

"""``python -m kustomer_contract.cli``."""

from .main import entry

entry()

"""Executable contract checks for Kustomer's Web SDK ``describeCustomer``.

The contract is data (YAML under ``specs/``); this package derives validators,
hypothesis strategies, a runner and its checks from it.
"""

__version__ = "0.1.0"

"""Breaks callback-once: 300 ms after a describe's callback, a "sync" timer calls it again
with the same answer (long after a 20 ms window would have stopped looking).

Otherwise the bundled reference double.
"""

from __future__ import annotations

import threading
from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "callback-once"


class CallsAgainLater(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        def forward(response: Any, error: Any = None) -> None:
            callback(response, error)
            threading.Timer(0.3, callback, (response, error)).start()

        super().describeCustomer(options, forward if callback else None)


def make() -> CallsAgainLater:
    return CallsAgainLater()

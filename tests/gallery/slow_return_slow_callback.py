"""Breaks callback-once: ``describeCustomer`` takes 0.2 s to return and its callback comes
0.2 s after that: 0.4 s for the call, over the 0.3 s timeout (a timeout for the return and
another for the callback would have let it pass).

Otherwise the bundled reference double.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from kustomer_contract.reference import KustomerDouble

GUARANTEE = "callback-once"
EXTRA_ARGS = ["--timeout", "0.3"]


class SlowTwice(KustomerDouble):
    def describeCustomer(self, options: Any, callback: Any = None) -> None:  # noqa: N802
        time.sleep(0.2)

        def forward(response: Any, error: Any = None) -> None:
            threading.Timer(0.2, callback, (response, error)).start()

        super().describeCustomer(options, forward if callback else None)


def make() -> SlowTwice:
    return SlowTwice()

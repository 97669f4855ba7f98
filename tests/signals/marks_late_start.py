"""The reference, touching the file $KUSTOMER_TEST_MARK at its 15th start (a later guarantee's
cases are running then): a test sends Ctrl-C once it appears."""

import os
from pathlib import Path

from kustomer_contract.reference import KustomerDouble

STARTS = [0]


class MarksLateStart(KustomerDouble):
    def start(self, options=None, callback=None):
        STARTS[0] += 1
        if STARTS[0] == 15:
            Path(os.environ["KUSTOMER_TEST_MARK"]).touch()
        return super().start(options, callback)


def make(**kwargs):
    return MarksLateStart(**kwargs)

"""The reference, adding this process's pid to $KUSTOMER_TEST_MARK at its 5th instance (cases
are running then): with check's workers, a line per worker; the parent builds only one."""

import os
from pathlib import Path

from kustomer_contract.reference import KustomerDouble

MADE = [0]


def make(**kwargs):
    MADE[0] += 1
    if MADE[0] == 5:
        with Path(os.environ["KUSTOMER_TEST_MARK"]).open("a") as mark:
            mark.write(f"{os.getpid()}\n")
    return KustomerDouble(**kwargs)

import sys
from pathlib import Path

# Imported up front so pytester's in-process runs share these modules with this process
# (pytester drops modules first imported inside a run, which would mix two hypothesis copies).
import hypothesis  # noqa: F401
import pytest

import kustomer_contract.cli  # noqa: F401
import kustomer_contract.pytest_plugin  # noqa: F401
import kustomer_contract.reference  # noqa: F401
import kustomer_contract.report  # noqa: F401
import kustomer_contract.strategies  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(ROOT))  # tests.gallery.* importable as --impl targets


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def v1():
    from kustomer_contract.spec import load_spec

    return load_spec("v1")


@pytest.fixture(scope="session")
def klass():
    from kustomer_contract.spec import load_klass

    return load_klass(DATA / "klass.yaml")

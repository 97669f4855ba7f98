import os
import sys
from pathlib import Path

# Imported up front so pytester's in-process runs share these modules with this process
# (pytester drops modules first imported inside a run, which would mix two hypothesis copies).
import hypothesis  # noqa: F401
import pytest

import kustomer_contract.cli.main  # noqa: F401
import kustomer_contract.generate.strategies  # noqa: F401
import kustomer_contract.pytest_plugin  # noqa: F401
import kustomer_contract.reference  # noqa: F401
import kustomer_contract.report.reproducers  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(ROOT))  # tests.gallery.* importable as --impl targets


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def v1():
    from kustomer_contract.spec.loader import load_spec

    return load_spec("v1")


@pytest.fixture(scope="session")
def klass():
    from kustomer_contract.spec.loader import load_klass

    return load_klass(DATA / "klass.yaml")


def browser_missing() -> str | None:
    """Why Chromium cannot be driven here (Playwright or the executable missing), or None."""
    from kustomer_contract.drivers import browser

    try:
        browser.launch_options()
    except browser.BrowserUnavailable as exc:
        return str(exc)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    """Tests marked ``browser`` skip without a browser, unless KUSTOMER_REQUIRE_BROWSER=1
    (as CI sets it): there a missing browser must fail them, not hide them."""
    browser_items = [i for i in items if i.get_closest_marker("browser")]
    if not browser_items or os.environ.get("KUSTOMER_REQUIRE_BROWSER") == "1":
        return
    why = browser_missing()
    if why:
        for item in browser_items:
            item.add_marker(pytest.mark.skip(reason=why))

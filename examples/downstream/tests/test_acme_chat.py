"""Acme's own tests of its Kustomer stand-in, beside the contract items the plugin adds."""

import threading
from pathlib import Path

from hypothesis import given, settings
from kustomer_contract.spec import load_klass, load_spec
from kustomer_contract.strategies import valid_options

from acme_chat.kustomer import KustomerError, make


def call(method, *args):
    """Call an SDK method and wait for its callback: (response, error)."""
    done = threading.Event()
    got = []

    def callback(response, error):
        got.append((response, error))
        done.set()

    method(*args, callback)
    assert done.wait(2), "no callback within 2 s"
    return got[0]


def test_a_described_email_is_in_the_response():
    kustomer = make(klass=["favoriteColorStr"])
    call(kustomer.start, {})
    options = {
        "attributes": {"emails": ["marsha@example.com"]},
        "customAttributes": {"favoriteColorStr": "blue"},
    }
    response, error = call(kustomer.describeCustomer, options)
    assert error is None
    assert response["emails"] == ["marsha@example.com"]
    assert response["custom"] == {"favoriteColorStr": "blue"}


def test_a_name_the_klass_lacks_is_refused():
    kustomer = make(klass=["favoriteColorStr"])
    call(kustomer.start, {})
    response, error = call(kustomer.describeCustomer, {"customAttributes": {"shoeSizeNum": 9}})
    assert response is None and isinstance(error, KustomerError)


# Strategies from the contract, built once at import (hypothesis strategies are not fixtures).
SPEC = load_spec("v1")
KLASS = load_klass(Path(__file__).parent.parent / "klass.yaml", SPEC)


@settings(max_examples=10, deadline=None)
@given(valid_options(SPEC, KLASS))
def test_every_valid_payload_is_accepted(options):
    kustomer = make(klass=KLASS.attributes)
    call(kustomer.start, {})
    response, error = call(kustomer.describeCustomer, options)
    assert error is None, error
    assert response["customerId"]

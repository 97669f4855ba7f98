"""Breaks rejects-unknown-custom (run with a ``--klass`` file that has a Conversation Klass):
it checks describeCustomer's names against the Customer Klass but never learns the other
Klasses, so describeConversation stores any well-formed name, e.g. a Customer attribute.

The reference double, built with ``klass`` only (the factory does not take ``klasses``).
Other guarantees must not be blamed for what such a stored value does later.
"""

from __future__ import annotations

from collections.abc import Iterable

from kustomer_contract.reference import KustomerDouble
from kustomer_contract.reference import make as reference

GUARANTEE = "rejects-unknown-custom"
KLASS = "klass_conversation.yaml"  # next to this module; the test passes it as --klass
# Its failing case needs a describeConversation given a Customer attribute's name: rarer than
# most, so the reproducer tests (15 cases each) give it more.
EXAMPLES = 40


def make(klass: Iterable[str] | None = None) -> KustomerDouble:
    return reference(klass=klass)  # the Conversation Klass is never passed on

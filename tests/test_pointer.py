"""JSON pointers: one implementation, and it round-trips (RFC 6901)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kustomer_contract._core import pointer

keys = st.text(alphabet=st.sampled_from("ab~/01"), max_size=6)


@given(st.lists(keys, max_size=4))
def test_join_and_tokens_round_trip(path: list[str]) -> None:
    assert pointer.tokens(pointer.join(path)) == path


@given(st.lists(keys, min_size=1, max_size=4), st.integers())
def test_put_then_resolve_finds_the_value(path: list[str], value: int) -> None:
    document: dict = {}
    pointer.put(document, pointer.join(path), value)
    assert pointer.resolve(document, pointer.join(path)) == (True, value)
    assert pointer.last(pointer.join(path)) == path[-1]


def test_the_rfc_examples() -> None:
    document = {"a/b": 1, "m~n": 8, "foo": ["bar", "baz"], "": 0}
    assert pointer.resolve(document, "/a~1b") == (True, 1)
    assert pointer.resolve(document, "/m~0n") == (True, 8)
    assert pointer.resolve(document, "/foo/1") == (True, "baz")
    assert pointer.resolve(document, "/") == (True, 0)
    assert pointer.resolve(document, "/foo/2") == (False, None)
    assert pointer.escape("~1") == "~01"  # "~" first, or "~1" would be read back as "/"


def test_put_unescapes_as_resolve_does() -> None:
    """Once the reference's own copy wrote "a~1b" as the key, not "a/b"."""
    document: dict = {}
    pointer.put(document, "/custom/a~1b", 1)
    assert document == {"custom": {"a/b": 1}}

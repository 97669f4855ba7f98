"""The fast paths (orjson, and the stdlib's decoder that reads the first texts of a run) never
answer otherwise than the exact reader: where one gives a value, the exact reader gives the
same value; everything else goes to the reader."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kustomer_contract._core.payloads import jsontext
from kustomer_contract._core.payloads.base import Payload
from kustomer_contract._core.payloads.jsontext import (
    NEEDS_EXACT,
    parse_fast,
    parse_with_orjson,
    parse_with_stdlib,
    read_json_text,
)

FAST_READERS = pytest.mark.parametrize(
    "fast_reader", [parse_with_orjson, parse_with_stdlib], ids=["orjson", "stdlib"]
)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
    st.sampled_from(['":', '\\":', '"', "\\", "\u2028", "ü"]),
)
KEYS = st.text(alphabet='ab":\\ ', max_size=3)


def _objects(children: st.SearchStrategy) -> st.SearchStrategy[str]:
    """Object texts written by hand, so a key may come twice."""
    pair = st.tuples(KEYS, st.sampled_from(["", " ", "\n "]), children)  # space before ':'
    return st.lists(pair, max_size=4).map(
        lambda pairs: "{" + ",".join(f"{json.dumps(k)}{sp}:{v}" for k, sp, v in pairs) + "}"
    )


TEXTS = st.recursive(
    st.one_of(
        SCALARS.map(lambda v: json.dumps(v, ensure_ascii=False)),
        SCALARS.map(json.dumps),  # \\uXXXX escapes, surrogate pairs included
        st.sampled_from(
            ['"\\ud800"', '"a\\udc00"', '"\\ud83d\\ude00"', '"\\u0022:"', '"\\u003a"', '"\\u003A:"']
        ),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
        _objects(children),
    ),
    max_leaves=12,
)
SPACING = st.sampled_from(["", " ", "\t", "\n", "\r\n  "])  # whole files span lines


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)  # type: ignore[index]
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))  # type: ignore[arg-type]
    return a == b


@FAST_READERS
@settings(max_examples=400, deadline=None)
@given(TEXTS, SPACING)
def test_a_fast_value_is_the_exact_readers_value(fast_reader, text: str, space: str) -> None:
    text = text.replace(",", "," + space)
    fast = fast_reader(text.encode("utf-8"))
    exact = read_json_text(text, "<t>", 0, 1, per_line=True)
    if fast is NEEDS_EXACT:
        return
    assert isinstance(exact, Payload), (text, exact)
    assert _same(fast, exact.value), (text, fast, exact.value)


# What both fast readers leave to the exact reader: it refuses them, or says where they are.
REFUSED = [
    b'{"a":1,"a":2}',  # a duplicate key
    b'{"a":1,"a":2,"s":"\\u0022:"}',  # ... with a quote written as an escape
    b'{"a":1,"a":2,"s":"\\u003a"}',  # ... masked by a colon written as an escape
    b'{"a":1,"a":2,"s":"\\u003A"}',
    b'{"a" :1,"a":2}',  # ... with a space before a colon
    b'{"x":{"a":[1],"a":[1]}}',  # ... deeper down
    b'["\\ud800"]',  # a lone surrogate
    b"[NaN]",
    b"[1e400]",
    b"[" * 1001 + b"]" * 1001,  # past the nesting limit
    b"\xef\xbb\xbf[1]",
    b'{"a":1} x',
    b'["\xff"]',  # not UTF-8
]
# What orjson alone must leave to it: the stdlib reads these as the exact reader does.
ORJSON_ONLY = {
    b"[18446744073709551616]": [18446744073709551616],  # an integer orjson reads as a float
    b"[-9223372036854775809]": [-9223372036854775809],  # ... a negative one, 19 digits
    b"[" * 300 + b"]" * 300: None,  # within the limit, but deeper than orjson writes
}


@FAST_READERS
def test_what_the_fast_paths_must_leave_to_the_exact_reader(fast_reader) -> None:
    for text in REFUSED:
        assert fast_reader(text) is NEEDS_EXACT, text
    for text, value in ORJSON_ONLY.items():
        if fast_reader is parse_with_orjson:
            assert fast_reader(text) is NEEDS_EXACT, text
        else:
            exact = read_json_text(text.decode(), "<t>", 0, 1, per_line=False)
            assert isinstance(exact, Payload) and fast_reader(text) == exact.value, text
            assert value is None or exact.value == value


def test_the_first_texts_are_read_without_loading_orjson_then_with_it() -> None:
    # In a fresh process: orjson's import is worth it only once the stdlib's budget is spent.
    probe = (
        "import sys; from kustomer_contract._core.payloads import jsontext as j\n"
        'text = b\'{"attributes": {"emails": ["a@b.co"]}}\'\n'
        "first = j.parse_fast(text)\n"
        "print('orjson' in sys.modules)\n"
        "n = j.STDLIB_BUDGET // len(text)\n"
        "later = [j.parse_fast(text) for _ in range(n)]\n"
        "print('orjson' in sys.modules, all(v == first for v in later))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "True", "True"], done.stderr


def test_orjson_once_loaded_reads_every_text(monkeypatch) -> None:
    import orjson  # noqa: F401  # as in a run that met a JSON Lines stream

    monkeypatch.setattr(jsontext, "_stdlib_left", jsontext.STDLIB_BUDGET)
    monkeypatch.setattr(jsontext, "parse_with_stdlib", lambda content: pytest.fail("stdlib"))
    assert parse_fast(b"[18446744073709551616]") is NEEDS_EXACT  # orjson's answer


@FAST_READERS
def test_a_lowered_nesting_limit_is_screened_by_the_fast_paths(fast_reader, monkeypatch) -> None:
    from kustomer_contract._core.payloads import base

    monkeypatch.setattr(base, "MAX_DEPTH", 3)
    assert fast_reader(b"[[[1]]]") == [[[1]]]
    assert fast_reader(b"[[[[1]]]]") is NEEDS_EXACT  # both would read it; the limit says no


def test_ordinary_lines_take_the_fast_path() -> None:
    line = b'{"attributes":{"emails":["a@b.co"],"phones":["+1 555 0100"]},"customAttributes":{"vipBool":true,"scoreNum":1.5}}'
    assert parse_with_orjson(line) == json.loads(line)


# A stream's lines judged a batch at a time give what they give one by one: the same
# payloads (value and line), problems and count, whatever the mix of lines.
BAD_UTF8 = "<invalid UTF-8>"  # written as bytes that are not UTF-8: their offset is reported
LINES = st.one_of(
    TEXTS,
    st.sampled_from(['{"a":1,"a":2}', '["\\ud800"]', "[1e400]", "{", "", "  ", "x", '"a":1']),
    st.just(BAD_UTF8),
)


def _read(data: bytes, mode: str, takes) -> tuple[list, int]:
    """What reading ``data`` gives: line by line, in batches read a line at a time, or in
    batches split from blocks."""
    from io import BytesIO

    from kustomer_contract._core.payloads import base, jsonl

    batched = mode != "lines"
    settled = base.Settled(takes, (lambda vs: all(map(takes, vs))) if batched else None)
    stream = BytesIO(data)
    read = stream.read if mode == "blocks" else None
    items = jsonl.read_jsonl(stream.readline, "<t>", settled=settled, read=read)
    return outcome(items), settled.count


def outcome(items) -> list[tuple]:
    """What a reader gave, comparable: each payload's line, value and position, each problem."""
    seen = []
    for item in items:
        if isinstance(item, Payload):
            value = json.dumps(item.value, sort_keys=True)
            seen.append(("payload", item.index, value, item.position("")))
        else:
            seen.append(("problem", item.line, item.col, item.message))
    return seen


@settings(max_examples=300, deadline=None)
@given(
    st.lists(LINES, max_size=150),
    st.sampled_from([1, 3, 64]),
    st.sampled_from([5, 64, 1 << 18]),  # block sizes: a line often spans two blocks
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from(["", "\ufeff"]),
    st.sampled_from([40, 50_000_000]),  # the longest line: past it, a problem
)
def test_lines_judged_a_batch_at_a_time_read_as_one_by_one(
    lines, every, block, newline, bom, longest
) -> None:
    from kustomer_contract._core.payloads import base, jsonl

    def takes(value: object) -> bool:  # takes most, not all: both branches of a batch run
        return isinstance(value, (dict, list)) and len(json.dumps(value)) % 7 != 0

    data = (bom + newline.join(lines)).encode("utf-8").replace(BAD_UTF8.encode(), b'["\xff"]')
    saved = jsonl._BATCH_LINES, jsonl._BLOCK_BYTES, base.MAX_FILE_BYTES
    jsonl._BATCH_LINES, jsonl._BLOCK_BYTES, base.MAX_FILE_BYTES = every, block, longest
    try:
        one_by_one = _read(data, "lines", takes)
        assert _read(data, "batches", takes) == one_by_one
        assert _read(data, "blocks", takes) == one_by_one
    finally:
        jsonl._BATCH_LINES, jsonl._BLOCK_BYTES, base.MAX_FILE_BYTES = saved

"""Tests for kustomer_contract._core.payloads: values, exact positions, and refusals."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kustomer_contract._core import payloads
from kustomer_contract._core.payloads import (
    MAX_DEPTH,
    Payload,
    ReadProblem,
    iter_payload_files,
    read_payloads,
    yamltext,  # imported when YAML is read; here now
)
from kustomer_contract._core.pointer import join as json_pointer

# ---------------------------------------------------------------------------
# helpers


def read(tmp_path: Path, name: str, data: str | bytes, kind: str | None = None) -> list:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return list(read_payloads(path, kind=kind))


def only_payload(items: list) -> Payload:
    assert len(items) == 1, items
    assert isinstance(items[0], Payload), items[0]
    return items[0]


def only_problem(items: list) -> ReadProblem:
    assert len(items) == 1, items
    assert isinstance(items[0], ReadProblem), items[0]
    return items[0]


def at(problem: ReadProblem) -> tuple[int, int]:
    return problem.line, problem.col


@pytest.fixture(params=["libyaml", "pure"])
def yaml_loader(request, monkeypatch):
    """Run YAML tests with libyaml and with PyYAML's pure-Python parser."""
    if request.param == "pure":

        class PureLoader(yaml.SafeLoader):
            pass

        monkeypatch.setattr(yamltext, "_YamlLoader", PureLoader)
        monkeypatch.setattr(yamltext, "_USES_LIBYAML", False)
    elif not yamltext._USES_LIBYAML:
        pytest.skip("PyYAML built without libyaml")
    return request.param


# ---------------------------------------------------------------------------
# positions

NESTED_JSON = """{
  "name": "Marsha",
  "attributes": {
    "emails": [
      "a@b.c",
      "marsha@"
    ]
  }
}
"""

NESTED_YAML = """\
name: Marsha
attributes:
  emails:
    - a@b.c
    - "marsha@"
"""


def test_json_positions_are_exact(tmp_path):
    payload = only_payload(read(tmp_path, "p.json", NESTED_JSON))
    assert payload.source == str(tmp_path / "p.json")
    assert payload.index == 0
    assert payload.value == {"name": "Marsha", "attributes": {"emails": ["a@b.c", "marsha@"]}}
    assert dict(payload.positions) == {
        "": (1, 1),
        "/name": (2, 11),
        "/attributes": (3, 17),
        "/attributes/emails": (4, 15),
        "/attributes/emails/0": (5, 7),
        "/attributes/emails/1": (6, 7),
    }
    assert payload.position("/attributes/emails/1") == (6, 7)


def test_yaml_positions_are_exact(tmp_path, yaml_loader):
    payload = only_payload(read(tmp_path, "p.yaml", NESTED_YAML))
    assert payload.value == {"name": "Marsha", "attributes": {"emails": ["a@b.c", "marsha@"]}}
    assert dict(payload.positions) == {
        "": (1, 1),
        "/name": (1, 7),
        "/attributes": (3, 3),
        "/attributes/emails": (4, 5),
        "/attributes/emails/0": (4, 7),
        "/attributes/emails/1": (5, 7),
    }


def test_position_falls_back_to_nearest_ancestor(tmp_path):
    payload = only_payload(read(tmp_path, "p.json", NESTED_JSON))
    assert payload.position("/attributes/emails/7") == (4, 15)
    assert payload.position("/attributes/missing/deeper") == (3, 17)
    assert payload.position("/nothing") == (1, 1)
    assert payload.position("") == (1, 1)


def test_crlf_line_ends_keep_columns(tmp_path, yaml_loader):
    as_json = only_payload(read(tmp_path, "p.json", NESTED_JSON.replace("\n", "\r\n")))
    assert as_json.position("/attributes/emails/1") == (6, 7)
    as_yaml = only_payload(read(tmp_path, "p.yaml", NESTED_YAML.replace("\n", "\r\n")))
    assert as_yaml.position("/attributes/emails/1") == (5, 7)


def test_bom_is_skipped_and_takes_no_column(tmp_path, yaml_loader):
    bom = b"\xef\xbb\xbf"
    as_json = only_payload(read(tmp_path, "p.json", bom + b'{"a": [1, "x"]}'))
    assert as_json.value == {"a": [1, "x"]}
    assert dict(as_json.positions) == {"": (1, 1), "/a": (1, 7), "/a/0": (1, 8), "/a/1": (1, 11)}
    as_yaml = only_payload(read(tmp_path, "p.yaml", bom + b"a: [1, x]\n"))
    assert dict(as_yaml.positions) == {"": (1, 1), "/a": (1, 4), "/a/0": (1, 5), "/a/1": (1, 8)}
    lines = read(tmp_path, "p.jsonl", bom + b'{"a": 1}\n{"a": 2}\n')
    assert [p.position("/a") for p in lines] == [(1, 7), (2, 7)]


def test_columns_count_characters_not_bytes(tmp_path, yaml_loader):
    text = '{"é😀": "ü", "k": 1}'
    payload = only_payload(read(tmp_path, "p.json", text))
    assert payload.position("/é😀") == (1, 8)
    assert payload.position("/k") == (1, 18)
    as_yaml = only_payload(read(tmp_path, "p.yaml", "é😀: ü\nk: [😀, x]\n"))
    assert as_yaml.position("/k/1") == (2, 8)


def test_json_pointer_escaping(tmp_path, yaml_loader):
    payload = only_payload(read(tmp_path, "p.json", '{"a/b": {"m~n": [true]}}'))
    assert dict(payload.positions) == {
        "": (1, 1),
        "/a~1b": (1, 9),
        "/a~1b/m~0n": (1, 17),
        "/a~1b/m~0n/0": (1, 18),
    }
    as_yaml = only_payload(read(tmp_path, "p.yaml", "a/b:\n  m~n: [true]\n"))
    assert as_yaml.position("/a~1b/m~0n/0") == (2, 9)
    assert json_pointer(["a/b", "m~n", 0]) == "/a~1b/m~0n/0"
    assert json_pointer([]) == ""


def test_positions_are_lazy_for_valid_json(tmp_path):
    payload = only_payload(read(tmp_path, "p.json", NESTED_JSON))
    assert "computed on first use" in repr(payload.positions)
    assert len(payload.positions) == 6
    assert "/name" in payload.positions
    assert sorted(payload.positions)[0] == ""


# ---------------------------------------------------------------------------
# JSON refusals


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ('{"a": [1, 2', (1, 12), "truncated"),
        ('{"a": "unterminated', (1, 7), "closing double quote"),
        ('{"a": 1,}', (1, 8), "trailing comma"),
        ("{'a': 1}", (1, 2), "double quotes"),
        ('{"a": True}', (1, 7), "true, false, null"),
        ('{"a": 01}', (1, 7), "leading zeros"),
        ('{"a": "x\ny"}', (1, 9), "span lines"),
        ('{"a": "\\q"}', (1, 8), "escape"),
        ('{"a": 1} {"b": 2}', (1, 10), "use .jsonl"),
        ("", (1, 1), "empty"),
        ("  \n  ", (1, 1), "empty"),
        ('{"a": 1e400}', (1, 7), "too large"),
        ("[" + "1" * 5000 + "]", (1, 2), "5000 digits"),
        ('{"a": "\\ud800"}', (1, 7), "surrogate"),
        ('{"a" 1}', (1, 6), "expected ':'"),
        ('{"a": 1 "b": 2}', (1, 9), "expected ',' or '}'"),
        ("// hi\n{}", (1, 1), "no comments"),
    ],
)
def test_broken_json_is_located(tmp_path, text, where, words):
    problem = only_problem(read(tmp_path, "p.json", text))
    assert at(problem) == where
    assert words in problem.message
    assert "\n" not in problem.message


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(tmp_path, word):
    problem = only_problem(read(tmp_path, "p.json", '{\n  "score": ' + word + "\n}"))
    assert at(problem) == (2, 12)
    assert problem.message.startswith(f"{word} is not a JSON number")


def test_duplicate_json_key_names_both_places(tmp_path):
    problem = only_problem(read(tmp_path, "p.json", '{\n "emails": [],\n\n "emails": []\n}'))
    assert at(problem) == (4, 2)
    assert problem.message == (
        "duplicate key 'emails' (first at line 2): a JSON object may hold each key once"
    )


def test_duplicate_key_in_a_nested_object_only(tmp_path):
    # The same key in sibling objects is fine; only a repeat within one object is not.
    assert only_payload(read(tmp_path, "ok.json", '[{"a": 1}, {"a": 2}]')).value == [
        {"a": 1},
        {"a": 2},
    ]
    assert at(only_problem(read(tmp_path, "bad.json", '[{"a": 1}, {"a": 2, "a": 3}]'))) == (1, 21)


def test_invalid_utf8_gives_byte_offset_and_position(tmp_path):
    problem = only_problem(read(tmp_path, "p.json", b'{\n  "a": "\xc3\xa9\xff"\n}'))
    assert at(problem) == (2, 10)
    assert "byte 0xff at byte offset 12" in problem.message


def test_utf16_is_named(tmp_path):
    problem = only_problem(read(tmp_path, "p.json", '{"a": 1}'.encode("utf-16")))
    assert at(problem) == (1, 1)
    assert "UTF-16" in problem.message


def test_nesting_limit(tmp_path):
    deep_ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    payload = only_payload(read(tmp_path, "ok.json", deep_ok))
    assert payload.position("/0" * (MAX_DEPTH - 1)) == (1, MAX_DEPTH)
    too_deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    problem = only_problem(read(tmp_path, "deep.json", too_deep))
    assert at(problem) == (1, MAX_DEPTH + 1)
    assert "deeper than 1000 levels" in problem.message
    # Far past any recursion limit: still a problem, never a RecursionError.
    problem = only_problem(read(tmp_path, "deeper.json", '{"a":' * 200_000))
    assert "deeper than 1000 levels" in problem.message


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl"])
def test_a_value_deeper_than_orjson_writes_is_still_read(tmp_path, name):
    # orjson reads 1024 levels but writes only 254: its fast path must hand such a value to
    # the exact reader, not fail with an internal error.
    payload = only_payload(read(tmp_path, name, "[" * 300 + "]" * 300 + "\n"))
    assert payload.position("/0" * 299) == (1, 300)


def test_depth_is_checked_even_when_json_loads_accepts(tmp_path):
    # With a raised recursion limit json.loads itself parses 1001 levels happily.
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20_000))
    try:
        text = '{"k": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)
        problem = only_problem(read(tmp_path, "p.json", text))
    finally:
        sys.setrecursionlimit(old)
    assert at(problem) == (1, 6 * MAX_DEPTH + 1)
    assert "deeper than 1000 levels" in problem.message


def test_whole_file_size_limit(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(payloads.MAX_FILE_BYTES + 1)  # sparse: instant, takes no disk
    problem = only_problem(list(read_payloads(big)))
    assert at(problem) == (0, 0)
    assert "larger than 50 MB" in problem.message


def test_size_limits_with_a_small_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(payloads.base, "MAX_FILE_BYTES", 40)
    for name, kind in [("p.json", None), ("p.yaml", None), ("p.txt", "json")]:
        problem = only_problem(read(tmp_path, name, '{"a": "' + "x" * 50 + '"}', kind))
        assert "larger than" in problem.message
    lines = '{"a": 1}\n{"a": "' + "x" * 50 + '"}\n{"a": 3}\n'
    items = read(tmp_path, "p.jsonl", lines)
    assert [type(i).__name__ for i in items] == ["Payload", "ReadProblem", "Payload"]
    assert at(items[1]) == (2, 1)
    assert "line is longer than" in items[1].message
    assert items[2].index == 2
    # Unknown kind and too big for one document: read as JSON Lines.
    assert [p.value for p in read(tmp_path, "p.txt", '{"a": 1}\n' * 6)] == [{"a": 1}] * 6


# ---------------------------------------------------------------------------
# JSON Lines


def test_jsonl_reports_each_broken_line_and_goes_on(tmp_path):
    text = '{"a": 1}\n\n{"a": NaN}\r\n{"a": 1, "a": 2}\n[1,\n\xff\n  {"b": [true]}\n'
    items = read(tmp_path, "p.ndjson", text.encode("latin-1"))
    kinds = [(type(i).__name__, i.line if isinstance(i, ReadProblem) else i.index) for i in items]
    assert kinds == [
        ("Payload", 0),
        ("ReadProblem", 3),
        ("ReadProblem", 4),
        ("ReadProblem", 5),
        ("ReadProblem", 6),
        ("Payload", 6),
    ]
    assert at(items[1]) == (3, 7)
    assert at(items[2]) == (4, 10)
    assert "first at line 4" in items[2].message
    assert at(items[3]) == (5, 4)
    assert at(items[4]) == (6, 1)
    assert "byte offset 43" in items[4].message
    assert items[5].position("/b/0") == (7, 10)
    assert items[5].position("") == (7, 3)


def test_jsonl_more_than_one_value_on_a_line(tmp_path):
    problem = only_problem(read(tmp_path, "p.jsonl", '{"a": 1} {"b": 2}\n'))
    assert at(problem) == (1, 10)
    assert "one value per line" in problem.message


# ---------------------------------------------------------------------------
# YAML


def test_yaml_documents_are_payloads(tmp_path, yaml_loader):
    items = read(tmp_path, "p.yml", "a: 1\n---\n- x\n--- 3\n...\n")
    assert [(p.index, p.value) for p in items] == [(0, {"a": 1}), (1, ["x"]), (2, 3)]
    assert items[1].position("/0") == (3, 3)
    assert items[2].position("") == (4, 5)


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("a: !!python/object/apply:os.system [echo]\n", (1, 4), "tag !!python/object"),
        ("a: !foo bar\n", (1, 4), "tag !foo is not allowed"),
        ("a: !!set {x, y}\n", (1, 4), "tag !!set"),
        ("a: !!binary aGk=\n", (1, 4), "tag !!binary"),
        ("a: !!timestamp 2024-01-01\n", (1, 4), "as a date"),
        ("born: 2024-01-01\n", (1, 7), "YAML read 2024-01-01 as a date; quote it"),
        ("a: .nan\n", (1, 4), "NaN or infinite"),
        ("a: -.inf\n", (1, 4), "NaN or infinite"),
        ("a: 1\nb: 2\na: 3\n", (3, 1), "duplicate key 'a' (first at line 1)"),
        ("1: a\n", (1, 1), "key '1' is read by YAML as a number: a JSON payload has string keys"),
        ("yes: a\n", (1, 1), "as a boolean"),
        ("~: a\n", (1, 1), "as null"),
        ("? [a]\n: 1\n", (1, 3), "string keys"),
        ("a: &x {k: 1}\nb:\n  <<: *x\n", (3, 3), "merge keys"),
        ("a: &a [1, *a]\n", (1, 11), "contains it"),
        ("a: *nowhere\n", (1, 4), "no anchor &nowhere"),
        ("a: !!int abc\n", (1, 4), "not a valid !!int"),
        ("a: " + "1" * 5000 + "\n", (1, 4), "5000 digits"),
        ("a: [1, 2\nb: 3\n", (2, 2), "invalid YAML"),
        ("a:\n\t- 1\n", (2, 1), "spaces, not tabs"),
        ('a: "x\x01"\n', (1, 6), "U+0001"),
        ("é: b\nc: d\x07\n", (2, 5), "U+0007"),
        ("", (1, 1), "no YAML document"),
        ("# only a comment\n", (1, 1), "no YAML document"),
    ],
)
def test_refused_yaml_is_located(tmp_path, yaml_loader, text, where, words):
    problem = only_problem(read(tmp_path, "p.yaml", text))
    assert at(problem) == where, problem
    assert words in problem.message
    assert "\n" not in problem.message


def test_yaml_alias_bomb_is_stopped(tmp_path, yaml_loader):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for name, prev in zip("bcdefgh", "abcdefg", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    problem = only_problem(read(tmp_path, "p.yaml", "\n".join(lines) + "\n"))
    assert "more than 10000 values" in problem.message
    assert problem.line <= 6


def test_yaml_aliases_within_budget_are_expanded(tmp_path, yaml_loader):
    payload = only_payload(read(tmp_path, "p.yaml", "a: &x [1, {k: v}]\nb: *x\n"))
    assert payload.value == {"a": [1, {"k": "v"}], "b": [1, {"k": "v"}]}
    # The alias itself is located where it is written, what it expands to at the anchor.
    assert payload.position("/b") == (2, 4)
    assert payload.position("/b/1/k") == (1, 15)


def test_yaml_nesting_limit(tmp_path, yaml_loader, monkeypatch):
    limit = MAX_DEPTH
    if yaml_loader == "pure":
        # PyYAML's pure-Python scanner is slow on deep flow nesting; a low limit keeps
        # the test fast while exercising the same check.
        limit = 50
        monkeypatch.setattr(payloads.base, "MAX_DEPTH", limit)
    ok = only_payload(read(tmp_path, "ok.yaml", "[" * limit + "]" * limit))
    assert ok.position("/0" * (limit - 1)) == (1, limit)
    for text in ["[" * (limit + 1) + "]" * (limit + 1), "- " * (limit + 1) + "x"]:
        problem = only_problem(read(tmp_path, "deep.yaml", text + "\n---\na: 1\n"))
        assert f"{limit} levels" in problem.message
        assert problem.line == 1
    problem = only_problem(read(tmp_path, "deeper.yaml", "[" * 100_000))
    assert f"{limit} levels" in problem.message


def test_refused_document_is_skipped_syntax_error_stops(tmp_path, yaml_loader):
    text = "a: 1\n---\nb: 2024-01-01\n---\nc: 3\n---\nd: [\n---\ne: 5\n"
    items = read(tmp_path, "p.yaml", text)
    assert [type(i).__name__ for i in items] == ["Payload", "ReadProblem", "Payload", "ReadProblem"]
    assert items[2].index == 2
    assert at(items[1]) == (3, 4)
    assert "invalid YAML" in items[3].message


def test_yaml_scalars_keep_json_types(tmp_path, yaml_loader):
    text = "s: '2024-01-01'\ni: 0x1F\nf: 1.5\nb: true\nn: null\ne:\nt: !!str 12\nq: =\n"
    payload = only_payload(read(tmp_path, "p.yaml", text))
    assert payload.value == {
        "s": "2024-01-01",
        "i": 31,
        "f": 1.5,
        "b": True,
        "n": None,
        "e": None,
        "t": "12",
        "q": "=",
    }


# ---------------------------------------------------------------------------
# kinds, stdin and unreadable paths


def test_kind_is_guessed_from_content_for_other_suffixes(tmp_path):
    assert [p.value for p in read(tmp_path, "a.txt", '{"a": [1,\n 2]}')] == [{"a": [1, 2]}]
    lines = read(tmp_path, "b.txt", '{"a": 1}\n{"a": 2}\n')
    assert [(p.index, p.value) for p in lines] == [(0, {"a": 1}), (1, {"a": 2})]
    assert [p.value for p in read(tmp_path, "c.txt", "a: 1\n")] == [{"a": 1}]
    # Broken JSON stays a JSON problem rather than a confusing YAML one.
    problem = only_problem(read(tmp_path, "d.txt", '{"a": [1, 2}\n'))
    assert at(problem) == (1, 12)
    assert "expected ',' or ']'" in problem.message
    # A refused value in valid JSON syntax is not re-read as YAML either.
    assert "NaN" in only_problem(read(tmp_path, "e.txt", '{"a": NaN}')).message


def test_explicit_kind_overrides_suffix(tmp_path):
    assert [p.value for p in read(tmp_path, "p.json", "a: 1\n", kind="yaml")] == [{"a": 1}]
    assert len(read(tmp_path, "p.json", "1\n2\n", kind="jsonl")) == 2


def test_unknown_kind_is_a_caller_error():
    with pytest.raises(ValueError, match="kind must be one of"):
        read_payloads("x.json", kind="xml")


@pytest.mark.parametrize(
    ("stdin", "kind", "expected"),
    [
        (lambda: io.StringIO('{"a": [1,\n 2]}'), None, [{"a": [1, 2]}]),
        (lambda: io.TextIOWrapper(io.BytesIO(b'{"a": 1}\n{"a": 2}\n')), None, [{"a": 1}, {"a": 2}]),
        (
            lambda: io.TextIOWrapper(io.BytesIO(b'{"a": 1}\n{"a": 2}\n')),
            "jsonl",
            [{"a": 1}, {"a": 2}],
        ),
        (lambda: io.BytesIO(b"\xef\xbb\xbfa: 1\n---\nb: 2\n"), None, [{"a": 1}, {"b": 2}]),
        (lambda: io.StringIO("a: 1\n"), "yaml", [{"a": 1}]),
    ],
)
def test_stdin(monkeypatch, stdin, kind, expected):
    monkeypatch.setattr(sys, "stdin", stdin())
    items = list(read_payloads("-", kind=kind))
    assert [p.value for p in items] == expected
    assert all(p.source == "<stdin>" for p in items)


def test_stdin_positions_and_problems(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(NESTED_JSON))
    assert only_payload(list(read_payloads("-"))).position("/attributes/emails/1") == (6, 7)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"a":\n \xff}')))
    problem = only_problem(list(read_payloads(Path("-"), kind="json")))
    assert (problem.source, problem.line, problem.col) == ("<stdin>", 2, 2)
    monkeypatch.setattr(sys, "stdin", None)
    assert at(only_problem(list(read_payloads("-")))) == (0, 0)


def test_unreadable_paths(tmp_path):
    missing = only_problem(list(read_payloads(tmp_path / "missing.json")))
    assert (missing.line, missing.col, missing.message) == (0, 0, "file not found: check the path")
    directory = only_problem(list(read_payloads(tmp_path, kind="json")))
    assert at(directory) == (0, 0)
    assert "directory" in directory.message
    assert at(only_problem(list(read_payloads("bad\0name.json")))) == (0, 0)


def test_permission_denied(tmp_path, monkeypatch):
    path = tmp_path / "secret.json"
    path.write_text("{}")

    real_open = os.open

    def refuse(name, *args, **kwargs):
        if os.fspath(name) == str(path):
            raise PermissionError(13, "Permission denied", name)
        return real_open(name, *args, **kwargs)

    # chmod 0 does not stop root (CI containers), so make opening refuse instead.
    monkeypatch.setattr(payloads.files.os, "open", refuse)
    for kind in (None, "json", "jsonl", "yaml"):  # the small-file path and the streaming one
        problem = only_problem(list(read_payloads(path, kind=kind)))
        assert at(problem) == (0, 0)
        assert "permission denied" in problem.message


# ---------------------------------------------------------------------------
# iter_payload_files


def test_iter_payload_files(tmp_path):
    for name in [
        "b/2.yaml",
        "b/1.JSON",
        "a.jsonl",
        "notes.txt",
        "c/d/e.ndjson",
        "c/x.yml",
        ".git/x.json",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    found = list(iter_payload_files([str(tmp_path), "-", str(tmp_path / "notes.txt")]))
    relative = [p if p == "-" else Path(p).relative_to(tmp_path).as_posix() for p in found]
    assert relative == [
        "a.jsonl",
        "b/1.JSON",
        "b/2.yaml",
        "c/x.yml",
        "c/d/e.ndjson",
        "-",
        "notes.txt",
    ]
    only_yaml = list(iter_payload_files([str(tmp_path)], glob="*.y*ml"))
    assert [Path(p).name for p in only_yaml] == ["2.yaml", "x.yml"]
    nested = list(iter_payload_files([str(tmp_path)], glob="c/*"))
    assert [Path(p).name for p in nested] == ["x.yml", "e.ndjson"]
    assert list(iter_payload_files([str(tmp_path / "nope.json")])) == [str(tmp_path / "nope.json")]


def test_unlistable_directories_are_passed_on(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "sub" / "b.json").write_text("{}")
    real_scandir = os.scandir

    def scandir(top):
        # What listing a directory it may not read does (chmod 0 is no use as root).
        if str(top).endswith("sub"):
            raise PermissionError(13, "Permission denied", top)
        return real_scandir(top)

    monkeypatch.setattr(payloads.files.os, "scandir", scandir)
    found = list(iter_payload_files([str(tmp_path)]))
    assert found == [str(tmp_path / "a.json"), str(tmp_path / "sub")]
    monkeypatch.setattr(payloads.files.os, "access", lambda *args: False)
    problem = only_problem(list(read_payloads(found[1])))
    assert problem.message == "permission denied: this directory cannot be listed"


# ---------------------------------------------------------------------------
# properties

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def walk(value: object, pointer: str = ""):
    yield pointer, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, pointer + "/" + key.replace("~", "~0").replace("/", "~1"))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk(item, f"{pointer}/{i}")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values, indent=st.sampled_from([None, 0, 2]), crlf=st.booleans())
def test_json_positions_point_at_each_value(tmp_path_factory, value, indent, crlf):
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    if crlf:
        text = text.replace("\n", "\r\n")
    path = tmp_path_factory.getbasetemp() / "prop.json"
    path.write_text(text, encoding="utf-8", newline="")
    payload = only_payload(list(read_payloads(path)))
    assert payload.value == value
    lines = text.split("\n")
    expected = dict(walk(value))
    assert set(payload.positions) == set(expected)
    for pointer, item in expected.items():
        line, col = payload.positions[pointer]
        here = lines[line - 1][col - 1 :]
        if isinstance(item, (dict, list)):
            assert here[:1] == ("{" if isinstance(item, dict) else "[")
        else:
            assert here.startswith(json.dumps(item, ensure_ascii=False))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values)
def test_yaml_round_trip_has_every_pointer(tmp_path_factory, value):
    path = tmp_path_factory.getbasetemp() / "prop.yaml"
    path.write_text(yaml.safe_dump(value), encoding="utf-8")
    payload = only_payload(list(read_payloads(path)))
    assert payload.value == value
    assert set(payload.positions) == {pointer for pointer, _ in walk(value)}


VALID_SAMPLES = [
    NESTED_JSON.encode(),
    NESTED_YAML.encode(),
    b'{"a": 1}\n{"b": [1, 2.5, null]}\n',
    b"a: &x [1, {k: v}]\nb: *x\n---\n- 2024-01-01\n",
]


def assert_well_formed(items: list) -> None:
    for item in items:
        assert isinstance(item, (Payload, ReadProblem))
        if isinstance(item, ReadProblem):
            assert isinstance(item.line, int) and isinstance(item.col, int)
            assert item.line >= 0 and item.col >= 0
            assert item.message and "\n" not in item.message
            assert not item.message.startswith("internal error"), item.message
        else:
            assert item.position("") is not None


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=200), kind=st.sampled_from([None, "json", "jsonl", "yaml"]))
def test_arbitrary_bytes_never_raise(tmp_path_factory, data, kind):
    path = tmp_path_factory.getbasetemp() / "fuzz.bin"
    path.write_bytes(data)
    assert_well_formed(list(read_payloads(path, kind=kind)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(VALID_SAMPLES),
    edits=st.lists(
        st.tuples(
            st.integers(0, 10_000),
            st.sampled_from([b"", b"{", b"}", b"[", b"]", b'"', b",", b":", b"\n", b"\xff"])
            | st.binary(max_size=3),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=4,
    ),
    kind=st.sampled_from([None, "json", "jsonl", "yaml"]),
)
def test_mutated_payloads_never_raise(tmp_path_factory, sample, edits, kind):
    data = bytearray(sample)
    for where, insert, delete in edits:
        where %= len(data) + 1
        data[where : where + delete] = insert
    path = tmp_path_factory.getbasetemp() / "mutated.bin"
    path.write_bytes(bytes(data))
    items = list(read_payloads(path, kind=kind))
    assert_well_formed(items)
    for item in items:
        if isinstance(item, Payload):
            for pointer in item.positions:
                line, col = item.positions[pointer]
                assert line >= 1 and col >= 1


@pytest.mark.parametrize(
    "name", ["a.json", "A.JSON", ".json", "x.json.bak", "xjson", "b.Yml", "c.ndjson", "d.jsonl~"]
)
def test_default_suffixes_match_as_the_default_globs(name):
    from fnmatch import fnmatchcase

    expected = any(fnmatchcase(name.lower(), pattern) for pattern in payloads.base.DEFAULT_GLOBS)
    assert payloads.files._wanted(name, None, None) is expected

"""``kustomer-contract validate``: positions, formats, exit codes, the fast path's verdicts."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tracemalloc
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kustomer_contract.callers import validate
from kustomer_contract.cli import validate as validate_command
from kustomer_contract.generate.strategies import (
    invalid_options,
    unknown_custom_options,
    valid_options,
)
from kustomer_contract.spec.fastcheck import FastCheck, rust_schema
from kustomer_contract.spec.loader import load_spec
from kustomer_contract.spec.schemas import PayloadValidator, validator_for

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning")
V1 = load_spec("v1")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kustomer-contract")
    validate_command.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["validate", *argv])


def cli(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = validate.run(parse([str(a) for a in argv]))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, col) of the nth occurrence of needle in text."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


VALID = {
    "attributes": {
        "emails": ["marsha@example.com"],
        "phones": ["+1 (555) 010-2030"],
        "socials": [{"username": "marsha", "type": "twitter"}],
    },
    "customAttributes": {"favoriteColorStr": "blue", "lastOrderAt": "2024-05-01T12:30:00+02:00"},
}

# The real-world mistakes, one per line so that each has its own position.
MISTAKES_JSON = """{
  "attributes": {
    "emails": [null, "", "marsha@"],
    "socials": [{"username": "marsha", "type": "Facebook"}],
    "sharedEmails": ["m@example.com"]
  },
  "customAttributes": {"some_custom_attribute": "x"}
}
"""


def expected_mistakes(text: str) -> dict[str, tuple[tuple[int, int], str]]:
    """pointer -> (position, words the message must hold)."""
    return {
        "/attributes/emails/0": (at(text, "null"), "leave missing values out of the list"),
        "/attributes/emails/1": (at(text, '""'), "leave empty values out instead of sending ''"),
        "/attributes/emails/2": (at(text, '"marsha@"'), "is not an email address"),
        "/attributes/socials/0/type": (at(text, '"Facebook"'), "in lower case"),
        "/attributes/sharedEmails": (at(text, '["m@example.com"]'), "v2 keys"),
        "/customAttributes/some_custom_attribute": (at(text, '"x"'), "needs a type suffix"),
    }


def problem_lines(out: str) -> dict[str, tuple[str, int, int, str]]:
    """pointer -> (file, line, col, message) from the text format."""
    found = {}
    for line in out.splitlines():
        if ": /" not in line:
            continue
        where, pointer, message = line.split(": ", 2)
        file, row, col = where.rsplit(":", 2)
        found[pointer] = (file, int(row), int(col), message)
    return found


def _where(line: str) -> tuple[str, int, int, str]:
    where, _, message = line.split(": ", 2)
    file, row, col = where.rsplit(":", 2)
    return file, int(row), int(col), message


# ---------------------------------------------------------------------------
# text format and positions


def test_valid_files_exit_0(tmp_path, capsys):
    write(tmp_path, "a.json", json.dumps(VALID, indent=2))
    write(tmp_path, "sub/b.yaml", "attributes:\n  emails: [a@b.co]\n")
    write(tmp_path, "{}.json", "{}")
    code, out, err = cli(capsys, tmp_path)
    assert code == 0, out
    assert out == "3 files, 3 payloads, 0 problems (0 invalid payloads)\n"
    assert err == ""


def test_mistakes_in_json_with_positions(tmp_path, capsys):
    path = write(tmp_path, "mistakes.json", MISTAKES_JSON)
    code, out, _ = cli(capsys, path)
    assert code == 1
    found = problem_lines(out)
    expected = expected_mistakes(MISTAKES_JSON)
    assert set(found) == set(expected), out
    for pointer, ((line, col), words) in expected.items():
        file, row, column, message = found[pointer]
        assert (file, row, column) == (str(path), line, col), (pointer, out)
        assert words in message, (pointer, message)
    assert out.splitlines()[-1] == "1 files, 1 payloads, 6 problems (1 invalid payloads)"
    positions = [_where(line)[1:3] for line in out.splitlines()[:-1]]
    assert positions == sorted(positions)  # in file order


def test_exact_text_line(tmp_path, capsys):
    path = write(tmp_path, "p.json", '{"attributes": {"emails": ["marsha@"]}}')
    code, out, _ = cli(capsys, path)
    assert code == 1
    assert out.splitlines()[0] == (
        f'{path}:1:28: /attributes/emails/0: "marsha@" is not an email address: it needs one '
        "'@', a dot in the domain and no spaces (leave empty values out instead of sending '')"
    )


def test_mistakes_in_json_lines_point_at_their_line(tmp_path, capsys):
    lines = [
        json.dumps(VALID),
        "",
        json.dumps({"attributes": {"emails": [None]}}),
        json.dumps({"customAttributes": {"some_custom_attribute": 1}}),
        json.dumps({"attributes": {"socials": [{"username": "m", "type": "Facebook"}]}}),
        json.dumps({"attributes": {"sharedEmails": ["a@b.co"], "emails": [""]}}),
    ]
    text = "\n".join(lines) + "\n"
    path = write(tmp_path, "calls.jsonl", text)
    code, out, _ = cli(capsys, path)
    assert code == 1
    found = {
        (row, pointer): (col, message)
        for pointer, (_, row, col, message) in (
            (line.split(": ", 2)[1], _where(line)) for line in out.splitlines()[:-1]
        )
    }
    assert found[(3, "/attributes/emails/0")][0] == lines[2].index("null") + 1
    assert found[(4, "/customAttributes/some_custom_attribute")][0] == lines[3].index("1}") + 1
    assert found[(5, "/attributes/socials/0/type")][0] == lines[4].index('"Facebook"') + 1
    assert found[(6, "/attributes/sharedEmails")][0] == lines[5].index('["a@b.co"]') + 1
    assert found[(6, "/attributes/emails/0")][0] == lines[5].index('""') + 1
    assert "type suffix" in found[(4, "/customAttributes/some_custom_attribute")][1]
    assert out.splitlines()[-1] == "1 files, 5 payloads, 5 problems (4 invalid payloads)"


def test_mistakes_in_yaml_documents_point_into_the_file(tmp_path, capsys):
    text = (
        "attributes:\n"  # document 0 is valid
        "  emails: [a@b.co]\n"
        "---\n"
        "attributes:\n"
        "  emails:\n"
        "    - null\n"
        "    - ''\n"
        "  socials:\n"
        "    - {username: marsha, type: Facebook}\n"
        "  sharedEmails: [a@b.co]\n"
        "customAttributes:\n"
        "  some_custom_attribute: x\n"
    )
    path = write(tmp_path, "payloads.yaml", text)
    code, out, _ = cli(capsys, path)
    assert code == 1
    found = problem_lines(out)
    assert found["/attributes/emails/0"][1:3] == (6, 7)
    assert found["/attributes/emails/1"][1:3] == (7, 7)
    assert found["/attributes/socials/0/type"][1:3] == at(text, "Facebook")
    assert found["/attributes/sharedEmails"][1:3] == at(text, "[a@b.co]", 1)
    assert found["/customAttributes/some_custom_attribute"][1:3] == (12, 26)
    assert "leave missing values out" in found["/attributes/emails/0"][3]
    assert out.splitlines()[-1] == "1 files, 2 payloads, 5 problems (1 invalid payloads)"


def test_unreadable_files_among_good_ones(tmp_path, capsys):
    write(tmp_path, "a_good.json", json.dumps(VALID))
    write(tmp_path, "b_truncated.json", '{\n  "attributes": {\n    "emails": ["a@b.co"')
    write(tmp_path, "c_latin1.json", b'{"attributes": {"emails": ["ren\xe9@b.co"]}}')
    write(tmp_path, "d_bad.json", '{"attributes": {"emails": ["marsha@"]}}')
    write(tmp_path, "e_good.yaml", "{}\n")
    code, out, _ = cli(capsys, tmp_path)
    assert code == 2  # 2 wins over 1: not everything could be read
    lines = out.splitlines()
    truncated = next(line for line in lines if "b_truncated" in line)
    assert truncated.startswith(f"{tmp_path / 'b_truncated.json'}:3:")
    assert "truncated" in truncated
    latin1 = next(line for line in lines if "c_latin1" in line)
    assert latin1.startswith(f"{tmp_path / 'c_latin1.json'}:1:32: invalid UTF-8")
    assert "re-save the file as UTF-8" in latin1
    assert any("d_bad.json:1:28: /attributes/emails/0" in line for line in lines)
    assert lines[-1] == (
        "5 files, 3 payloads, 1 problems (1 invalid payloads), 2 read problems (2 files not fully read)"
    )


def test_unreadable_alone_exits_2_and_missing_path(tmp_path, capsys):
    code, out, _ = cli(capsys, tmp_path / "nope.json")
    assert code == 2
    assert out.startswith(f"{tmp_path / 'nope.json'}: file not found")


def test_directory_without_payload_files_is_not_a_pass(tmp_path, capsys):
    write(tmp_path, "notes.txt", "hello")
    code, out, _ = cli(capsys, tmp_path)
    assert code == 2
    assert "no payload files here" in out


def test_stdin(monkeypatch, capsys):
    data = json.dumps({"attributes": {"emails": [""]}}).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = cli(capsys, "-")
    assert code == 1
    assert out.startswith("<stdin>:1:28: /attributes/emails/0: ")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"attributes: {}\n")))
    assert cli(capsys, "-")[0] == 0


def test_as_response(tmp_path, capsys):
    good = {"customerId": "5c3f", "emails": [], "phones": [], "socials": []}
    path = write(tmp_path, "r.jsonl", json.dumps(good) + "\n" + json.dumps({"emails": []}) + "\n")
    code, out, _ = cli(capsys, "--as", "response", path)
    assert code == 1
    assert f"{path}:2:1: /: " in out and "customerId" in out
    assert "2 payloads, " in out and "(1 invalid payloads)" in out
    # The same response is not valid options:
    assert cli(capsys, write(tmp_path, "o.json", json.dumps(good)))[0] == 1


def test_klass(tmp_path, capsys, data_dir):
    text = '{"customAttributes": {\n  "favoriteColorStr": "blue",\n  "shoeSizeNum": 42\n}}'
    path = write(tmp_path, "p.json", text)
    assert cli(capsys, path)[0] == 0
    code, out, _ = cli(capsys, "--klass", data_dir / "klass.yaml", path)
    assert code == 1
    found = problem_lines(out)
    assert list(found) == ["/customAttributes/shoeSizeNum"]
    assert found["/customAttributes/shoeSizeNum"][1:3] == (3, 18)
    assert "is not an attribute of the Klass" in found["/customAttributes/shoeSizeNum"][3]


def test_glob(tmp_path, capsys):
    write(tmp_path, "a.payload.json", '{"attributes": {"emails": [""]}}')
    write(tmp_path, "deep/b.payload.json", "{}")
    write(tmp_path, "package.json", '{"name": "frontend"}')
    code, out, _ = cli(capsys, "--glob", "*.payload.json", tmp_path)
    assert code == 1
    assert "package.json" not in out
    assert out.splitlines()[-1] == "2 files, 2 payloads, 1 problems (1 invalid payloads)"
    assert cli(capsys, "--glob", "*.nothing", tmp_path)[0] == 2


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--spec", "v9"], "no such spec"),
        (["--klass", "/nonexistent/klass.yaml"], "file not found"),
    ],
)
def test_bad_spec_or_klass_is_one_line(tmp_path, capsys, args, words):
    code, out, err = cli(capsys, *args, write(tmp_path, "p.json", "{}"))
    assert code == 2 and out == ""
    assert err.startswith("kustomer-contract: error: ") and words in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_klass_names_file_and_line(tmp_path, capsys):
    klass = write(tmp_path, "klass.yaml", "attributes: [1, 2]\n")
    code, _, err = cli(capsys, "--klass", klass, write(tmp_path, "p.json", "{}"))
    assert code == 2
    assert (
        err
        == f"kustomer-contract: error: {klass}:1: attributes: must be a list of attribute names\n"
    )


# ---------------------------------------------------------------------------
# other formats


def test_json_format(tmp_path, capsys):
    path = write(tmp_path, "mistakes.json", MISTAKES_JSON)
    write(tmp_path, "broken.json", "{")
    code, out, _ = cli(capsys, "--format", "json", tmp_path)
    assert code == 2
    doc = json.loads(out)
    invalid = {p["pointer"]: p for p in doc["problems"] if p["kind"] == "invalid"}
    for pointer, ((line, col), words) in expected_mistakes(MISTAKES_JSON).items():
        entry = invalid[pointer]
        assert (entry["file"], entry["payload"], entry["line"], entry["col"]) == (
            str(path),
            0,
            line,
            col,
        )
        assert words in entry["message"] and entry["keyword"]
    assert invalid["/customAttributes/some_custom_attribute"]["keyword"] == "propertyNames"
    unreadable = [p for p in doc["problems"] if p["kind"] == "unreadable"]
    assert len(unreadable) == 1 and unreadable[0]["file"].endswith("broken.json")
    assert doc["summary"] == {
        "spec": "v1",
        "as": "options",
        "files": 2,
        "payloads": 1,
        "problems": 6,
        "problems_uncounted": False,
        "invalid_payloads": 1,
        "read_problems": 1,
        "unreadable_files": 1,
        "warnings": 0,
        "skipped": 0,
        "exit_code": 2,
    }


def test_json_format_when_all_valid(tmp_path, capsys):
    code, out, _ = cli(capsys, "--format", "json", write(tmp_path, "p.json", "{}"))
    assert code == 0
    assert json.loads(out)["problems"] == []


def test_github_format(tmp_path, capsys):
    text = '{"attributes":\n {"emails": ["a b@c.d"]}}'
    path = write(tmp_path, "odd, name: 100%.json", text)
    write(tmp_path, "trunc.json", '{"a":')
    code, out, _ = cli(capsys, "--format", "github", tmp_path)
    assert code == 2
    lines = out.splitlines()
    col = at(text, '"a b')[1]
    escaped = str(path).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert lines[0].startswith(
        f"::error file={escaped},line=2,col={col},title=kustomer-contract::/attributes/emails/0: "
        '"a b@c.d" is not an email address'
    )
    assert lines[1].startswith(f"::error file={tmp_path / 'trunc.json'},line=1,col=6,")
    assert lines[-1].startswith("2 files, 1 payloads, 1 problems")


def test_github_escaping():
    from kustomer_contract.callers.reports import github

    assert github._gh_data("50%\r\nnext: a, b") == "50%25%0D%0Anext: a, b"
    assert github._gh_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_junit_report(tmp_path, capsys):
    write(tmp_path, "a.jsonl", json.dumps(VALID) + "\n" + '{"attributes": {"emails": [null]}}\n')
    write(tmp_path, "b.json", "{\n")
    write(tmp_path, "c.json", '{"customAttributes": {"k\\u0001": 1}}')
    report = tmp_path / "out" / "junit.xml"
    report.parent.mkdir()
    code, out, _ = cli(
        capsys,
        "--format",
        "junit",
        "--output",
        report,
        tmp_path / "a.jsonl",
        tmp_path / "b.json",
        tmp_path / "c.json",
    )
    assert code == 2
    assert out.startswith("3 files, 3 payloads, 2 problems")  # the summary, on stdout
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "2", "1")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        str(tmp_path / n) for n in ("a.jsonl", "b.json", "c.json")
    ]
    cases = suites[0].findall("testcase")
    assert [c.get("name") for c in cases] == ["payload 0 (line 1)", "payload 1 (line 2)"]
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert "/attributes/emails/0" in failure.get("message")
    assert f"{tmp_path / 'a.jsonl'}:2:28: /attributes/emails/0: null" in failure.text
    assert suites[1].find("testcase/error").get("type") == "unreadable"
    # A control character in a key is shown escaped: the XML stays well formed.
    assert "k\\x01" in suites[2].find("testcase/failure").text


def test_junit_to_stdout_keeps_xml_clean(tmp_path, capsys):
    code, out, err = cli(capsys, "--format", "junit", write(tmp_path, "p.json", "{}"))
    assert code == 0
    assert ET.fromstring(out.encode()).get("tests") == "1"
    assert err.startswith("1 files, 1 payloads")


def test_odd_names_never_crash_or_split_the_output(tmp_path, capsys):
    # A file name that is not UTF-8 (a lone surrogate in Python) and a key holding a newline.
    (tmp_path / "sub").mkdir()
    with open(bytes(tmp_path / "sub") + b"/\xff.json", "w") as f:
        f.write('{"x\\ny": 1}')
    code, out, _ = cli(capsys, tmp_path)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2  # the newline in the key does not split the report line
    assert "/x\\x0ay: " in lines[0]
    for fmt in ("json", "github", "junit"):
        code, out, err = cli(capsys, "--format", fmt, tmp_path)
        assert code == 1
        if fmt == "json":
            assert json.loads(out)["problems"][0]["pointer"] == "/x\ny"
        if fmt == "junit":
            ET.fromstring(out.encode("utf-8"))


# ---------------------------------------------------------------------------
# the fast path


def test_rust_says_invalid_but_python_finds_nothing_reports_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(FastCheck, "schema_valid", lambda self, instance: False)
    code, out, _ = cli(capsys, write(tmp_path, "p.json", json.dumps(VALID)))
    assert code == 0
    assert out == "1 files, 1 payloads, 0 problems (0 invalid payloads)\n"


def test_uses_rust_for_v1(v1):
    pytest.importorskip("jsonschema_rs")
    assert FastCheck(validator_for(v1)).uses_rust


def test_falls_back_to_python_without_jsonschema_rs(v1, klass, monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "jsonschema_rs", None)  # import now raises ImportError
    check = FastCheck(validator_for(v1, klass=klass))
    assert not check.uses_rust
    assert check.is_valid({"customAttributes": {"vipBool": True}})
    assert not check.is_valid({"customAttributes": {"shoeSizeNum": 1}})
    assert not check.is_valid({"attributes": {"emails": ["marsha@"]}})
    path = write(tmp_path, "p.json", '{"attributes": {"emails": ["marsha@"]}}')
    assert cli(capsys, path)[0] == 1


@pytest.mark.parametrize(
    "text",
    ["a\x1cb@c.de", "a\x85b@c.de", "a\ufeffb@c.de", "a\u3000b@c.de", "a\u180eb@c.de", "a\rb@c.de"],
)
def test_whitespace_means_what_python_says(v1, text):
    validator = validator_for(v1)
    check = FastCheck(validator)
    payload = {"attributes": {"emails": [text]}}
    assert check.is_valid(payload) == validator.is_valid(payload)


def test_the_written_out_space_class_is_pythons_whole_s():
    from kustomer_contract.spec import fastcheck

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert fastcheck._PY_SPACE == every


def test_patterns_are_carried_over_exactly():
    schema = {"properties": {"a": {"pattern": r"^[^@\s]+.x\S$"}}, "x-hints": {"a": "b"}}
    out = rust_schema(schema)
    assert "x-hints" not in out
    pattern = out["properties"]["a"]["pattern"]
    assert "\\s" not in pattern and "\\S" not in pattern and "[^\n]" in pattern
    for unportable in (r"^\d+$", r"\w", r"[^\S]", r"(?i)a", "[]a]"):
        with pytest.raises(ValueError):
            rust_schema({"pattern": unportable})


def test_unportable_pattern_stays_on_the_python_path():
    validator = PayloadValidator({"type": "string", "pattern": r"^\d+$"})
    check = FastCheck(validator)
    assert not check.uses_rust
    assert check.is_valid("\u0663") and not check.is_valid("x")  # Arabic-Indic three: Python's \d


def test_lone_surrogate_is_judged_by_python(v1):
    check = FastCheck(validator_for(v1))
    assert check.is_valid({"customAttributes": {"nameStr": "\ud800"}})
    assert not check.is_valid({"attributes": {"emails": ["\ud800"]}})


def test_format_checks_are_pythons(v1):
    check = FastCheck(validator_for(v1))
    validator = validator_for(v1)
    for value in ["2024-05-01T12:30:00+02:00", "2024-05-01", "2024-05-01t12:30:00z", "nope"]:
        payload = {"customAttributes": {"lastOrderAt": value}}
        assert check.is_valid(payload) == validator.is_valid(payload), value
    for value in ["https://example.com/p", "example.com", "mailto:a@b.co", "http://[::1"]:
        payload = {"customAttributes": {"profileUrl": value}}
        assert check.is_valid(payload) == validator.is_valid(payload), value


AGREE = settings(
    max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


@AGREE
@given(payload=valid_options(V1))
def test_rust_and_python_agree_on_valid_payloads(payload):
    validator = validator_for(V1)
    assert FastCheck(validator).schema_valid(payload) is True
    assert validator.is_valid(payload) is True


@AGREE
@given(case=invalid_options(V1))
def test_rust_and_python_agree_on_invalid_payloads(case):
    validator = validator_for(V1)
    check = FastCheck(validator)
    assert check.schema_valid(case.value) is False
    assert validator.is_valid(case.value) is False
    assert any(p.pointer == case.pointer for p in check.problems(case.value))


_CHECK_V1 = FastCheck(validator_for(V1))


@AGREE
@given(
    payloads=st.lists(
        valid_options(V1) | invalid_options(V1).map(lambda case: case.value), max_size=6
    )
)
def test_a_batch_is_valid_exactly_when_each_payload_is(payloads):
    # The embedded item schema resolves its own references (custom-attributes $defs).
    assert _CHECK_V1.all_valid(payloads) is all(map(_CHECK_V1.is_valid, payloads))


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_klass_check_applies_on_the_fast_path(data, klass):
    case = data.draw(unknown_custom_options(V1, klass))
    validator = validator_for(V1, klass=klass)
    assert FastCheck(validator).is_valid(case.value) is False
    assert validator.is_valid(case.value) is False


# ---------------------------------------------------------------------------
# streaming


def test_json_lines_stream_in_bounded_memory(tmp_path, capsys):
    line = json.dumps(VALID) + "\n"
    bad = json.dumps({"attributes": {"emails": ["marsha@"]}}) + "\n"
    path = tmp_path / "big.jsonl"
    with path.open("w") as f:
        for i in range(10_000):
            f.write(bad if i % 1000 == 0 else line)
    args = parse([str(path)])
    validate.run(args)  # warm up caches and imports
    capsys.readouterr()
    tracemalloc.start()
    try:
        code = validate.run(args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[-1] == "1 files, 10000 payloads, 10 problems (10 invalid payloads)"
    # 10,000 parsed payloads would take several MB; the stream holds a few at a time.
    assert peak < 1_500_000, peak


def test_deprecated_v1_keys_are_warnings_under_v2(tmp_path, capsys):
    from kustomer_contract.cli.main import main

    path = tmp_path / "p.json"
    path.write_text('{"attributes": {"emails": ["a@b.co"], "sharedEmails": ["c@d.co"]}}\n')
    assert main(["validate", "--spec", "v2", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}:1:27: warning: /attributes/emails:" in out and "use sharedEmails" in out
    assert "1 warnings (deprecated keys)" in out
    assert main(["validate", "--spec", "v2", "--format", "github", str(path)]) == 0
    assert "::warning file=" in capsys.readouterr().out
    assert main(["validate", str(path)]) == 1  # v1 knows no sharedEmails


# ---------------------------------------------------------------------------
# many problems in one payload: capped in every format, counted, bounded memory


def many_bad_keys(tmp_path: Path, n: int) -> Path:
    custom = {f"bad key {i:05}": 1 for i in range(n)}
    return write(tmp_path, "many.json", json.dumps({"customAttributes": custom}))


def test_problems_per_payload_are_capped_and_counted(tmp_path, capsys):
    path = many_bad_keys(tmp_path, 300)
    code, out, _ = cli(capsys, path)
    lines = out.splitlines()
    assert code == 1
    # The first MAX_SHOWN in file order, then one line for the rest, then the summary.
    shown = [line for line in lines if "/customAttributes/bad key" in line]
    assert len(shown) == validate.MAX_SHOWN
    assert [s.split(": ")[1] for s in shown] == [
        f"/customAttributes/bad key {i:05}" for i in range(validate.MAX_SHOWN)
    ]
    assert lines[-2] == (
        f"{path}:1:1: ... and {300 - validate.MAX_SHOWN} more problems in this payload "
        f"(the first {validate.MAX_SHOWN} are shown)"
    )
    assert lines[-1] == "1 files, 1 payloads, 300 problems (1 invalid payloads)"
    assert len(lines) == validate.MAX_SHOWN + 2


def test_problem_cap_in_json_and_junit(tmp_path, capsys):
    path = many_bad_keys(tmp_path, 50)
    code, out, _ = cli(capsys, "--format", "json", path)
    doc = json.loads(out)
    kinds = [p["kind"] for p in doc["problems"]]
    assert code == 1 and kinds == ["invalid"] * validate.MAX_SHOWN + ["more"]
    assert doc["problems"][-1]["count"] == 50 - validate.MAX_SHOWN
    assert doc["summary"]["problems"] == 50
    report = tmp_path / "junit.xml"
    cli(capsys, "--format", "junit", "--output", report, path)
    failure = ET.parse(report).getroot().find("testsuite/testcase/failure")
    assert failure.get("message").startswith("50 problems; first: /customAttributes/bad key 00000")
    assert failure.text.splitlines()[-1].startswith("... and 30 more problems")
    assert len(failure.text.splitlines()) == validate.MAX_SHOWN + 1


class _Ordered:
    """A payload stand-in whose pointers "/N" stand at place N of the file."""

    def __init__(self) -> None:
        self.located: list[str] = []

    def document_order(self) -> Any:
        return lambda pointer: (int(pointer.rsplit(" ", 1)[-1].lstrip("/")),)

    def locate(self, pointers: Any) -> None:
        self.located += list(pointers)

    def position(self, pointer: str) -> tuple[int, int]:
        return (1, self.document_order()(pointer)[0])


def test_a_few_problems_are_all_shown_and_repeats_count_once():
    from kustomer_contract.spec.schemas import Problem

    found = [Problem(f"/{i}", "k", "m") for i in (3, 1, 2, 1, 3)]
    shown, count = validate._first_in_file_order(_Ordered(), found)
    assert count == 3 and [p.pointer for _, p in shown] == ["/1", "/2", "/3"]


def test_counting_stops_at_a_bound_and_keeps_few_problems():
    """200,000 problems would take tens of MB as objects and a minute of messages: counting
    stops at MAX_COUNTED, only MAX_SHOWN are kept, and only those are given a position."""
    from kustomer_contract.spec.schemas import Problem

    n = 200_000
    made = 0

    def problems():
        nonlocal made
        for i in range(n, 0, -1):  # found last-first: the shown ones are sorted back
            made += 1
            yield Problem(f"/customAttributes/bad key {i}", "propertyNames", "x" * 100)

    payload = _Ordered()
    tracemalloc.start()
    try:
        shown, count = validate._first_in_file_order(payload, problems())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == made == validate.MAX_COUNTED and len(shown) == validate.MAX_SHOWN
    first = n - validate.MAX_COUNTED + 1  # the smallest place among those counted
    assert [p.pointer for _, p in shown][:2] == [
        f"/customAttributes/bad key {first}",
        f"/customAttributes/bad key {first + 1}",
    ]
    assert sorted(payload.located) == sorted(p.pointer for _, p in shown)
    assert peak < 5_000_000, peak


def test_a_payload_past_the_count_bound_says_at_least(tmp_path, capsys):
    n = validate.MAX_COUNTED + 500
    path = many_bad_keys(tmp_path, n)
    code, out, _ = cli(capsys, path)
    lines = out.splitlines()
    assert code == 1 and len(lines) == validate.MAX_SHOWN + 2
    assert lines[-2] == (
        f"{path}:1:1: ... and at least {validate.MAX_COUNTED - validate.MAX_SHOWN} more "
        f"problems in this payload (the first {validate.MAX_SHOWN} are shown; counting stopped "
        f"at {validate.MAX_COUNTED})"
    )
    assert (
        lines[-1] == f"1 files, 1 payloads, {validate.MAX_COUNTED}+ problems (1 invalid payloads)"
    )
    code, out, _ = cli(capsys, "--format", "json", path)
    doc = json.loads(out)
    assert doc["problems"][-1]["capped"] is True
    assert doc["summary"]["problems_uncounted"] is True


def test_positions_are_found_for_the_shown_problems_only(tmp_path):
    from kustomer_contract._core.payloads import read_payloads
    from kustomer_contract.spec.loader import load_spec
    from kustomer_contract.spec.schemas import validator_for

    text = "{\n" + ",\n".join(f'  "bad key {i:05}": {i}' for i in range(3000)) + "\n}"
    [payload] = read_payloads(write(tmp_path, "lines.json", text))
    problems = validator_for(load_spec("v1")).iter_problems(payload.value)
    shown, count = validate._first_in_file_order(payload, problems)
    assert count == 3000 and [line for (line, _), _ in shown] == list(range(2, 22))
    held = payload.positions
    assert held._data is None and len(held._some) <= validate.MAX_SHOWN + 1  # and the root


# ---------------------------------------------------------------------------
# file names that are not UTF-8


@pytest.mark.parametrize("fmt", validate.FORMATS)
def test_a_non_utf8_file_name_is_escaped_in_every_format(tmp_path, capsys, fmt):
    folder = tmp_path / "names"
    folder.mkdir()
    raw = os.path.join(os.fsencode(folder), b"bad\xff.json")
    with open(raw, "wb") as handle:
        handle.write(b'{"bogus": 1}')
    code, out, err = cli(capsys, "--format", fmt, folder)
    assert code == 1
    out.encode("utf-8")  # no lone surrogates: the report is valid UTF-8
    if fmt == "json":
        assert json.loads(out)["problems"][0]["file"] == str(folder / "bad\\xff.json")
    else:
        assert "bad\\xff.json" in out


def test_json_lines_counted_alike_whether_valid_lines_are_shown_or_not(tmp_path, capsys):
    """Text counts the valid lines of the fast path without building them; JUnit, which
    shows each, gets the same counts and the problems at the same places."""
    lines = [
        json.dumps(VALID),
        '{"attributes": {"emails": ["marsha@"]}}',  # invalid, fast path then exact
        '{"attributes": {}, "attributes": {}}',  # a duplicate key: the exact reader refuses it
        "",
        json.dumps(VALID),
    ]
    path = write(tmp_path, "mixed.jsonl", "\n".join(lines) + "\n")
    code, out, _ = cli(capsys, path)
    assert code == 2  # a line could not be read
    summary = "1 files, 3 payloads, 1 problems (1 invalid payloads), 1 read problems"
    assert out.splitlines()[-1].startswith(summary)
    assert f"{path.name}:2:28: /attributes/emails/0:" in out
    assert f"{path.name}:3:20: duplicate key 'attributes'" in out
    code, xml, _ = cli(capsys, "--format", "junit", path)
    assert code == 2
    cases = list(ET.fromstring(xml[: xml.rindex(">") + 1]).iter("testcase"))
    assert [c.get("name") for c in cases] == [
        "payload 0 (line 1)", "payload 1 (line 2)", "read (line 3, col 20)", "payload 4 (line 5)"
    ]  # fmt: skip
    assert [c.find("failure") is not None for c in cases] == [False, True, False, False]

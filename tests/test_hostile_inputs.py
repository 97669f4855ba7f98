"""Hostile files and specs through the CLI: every one ends in exit 1 or 2 and a clear message,
never a traceback, and nothing is read whole that is too big to be.

Commands: ``validate``, ``check --spec``, ``check --klass``, ``trace``, ``spec lint``. Plus
hypothesis fuzzing of ``validate`` and of the spec loader with arbitrary and mutated bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kustomer_contract.cli.main import main
from kustomer_contract.spec.loader import load_spec
from kustomer_contract.spec.types import SpecError

SPECS = Path(__file__).resolve().parent.parent / "specs"

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
PYOBJ = '!!python/object/apply:os.system ["echo pwned > {marker}"]\n'
DEEP_FLOW = "[" * 100_000 + "]" * 100_000 + "\n"
DEEP_BLOCK = "".join(" " * i + "a:\n" for i in range(3000))
TRACE = (
    '{"t":0.3,"seq":1,"event":"call","method":"start","args":[{}]}\n'
    '{"t":0.4,"seq":2,"event":"callback","method":"start","call":1,"response":{},"error":null}\n'
    '{"t":0.7,"seq":3,"event":"call","method":"describeCustomer",'
    '"args":[{"attributes":{"emails":["ada@example.com"]}},"[function]"]}\n'
)

# Deep nesting is fatal to a recursive parser: a RecursionError, i.e. a traceback.


def run(capsys, *argv: str) -> tuple[int, str, float]:
    started = time.monotonic()
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse
        code = exc.code
    seconds = time.monotonic() - started
    out, err = capsys.readouterr()
    return code, out + err, seconds


def assert_clean(code: int, output: str, *, codes=(1, 2), says: str = "") -> None:
    assert code in codes, output[:2000]
    assert "Traceback" not in output, output[:2000]
    assert output.strip(), "a refusal says why"
    if says:
        assert says in output, output[:2000]


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def sparse(path: Path, size: int = 100_000_000, head: bytes = b"") -> Path:
    with open(path, "wb") as handle:
        handle.write(head)
        handle.truncate(size)  # a hole: created instantly, reads as NUL bytes
    return path


def spec_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "spec"
    shutil.copytree(SPECS / "v1", folder)
    return folder


# --- validate: payload files -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("bomb.yaml", BOMB, "alias bomb"),
        ("pyobj.yaml", PYOBJ, "is not allowed"),
        ("deep.json", DEEP_FLOW, "nesting deeper than 1000 levels"),
        ("deep.yaml", DEEP_FLOW, "nesting deeper than 1000 levels"),
        ("deep_block.yaml", DEEP_BLOCK, "nesting deeper than 1000 levels"),
        ("utf8.json", b'{"attributes": {"emails": ["\xff\xfe@x.com"]}}', "invalid UTF-8"),
        ("nan.json", '{"customAttributes": {"scoreNum": NaN}}', "NaN is not a JSON number"),
        ("inf.json", '{"customAttributes": {"scoreNum": Infinity}}', "Infinity"),
        ("dup.json", '{"attributes": {}, "attributes": {}}', "duplicate key 'attributes'"),
        ("dup.yaml", "attributes: {}\nattributes: {}\n", "duplicate key 'attributes'"),
        ("bad_email.json", '\ufeff{"attributes": {"emails": [1]}}', "/attributes/emails/0"),
    ],
)
def test_validate_refuses_hostile_payload_files(capsys, tmp_path, name, content, says):
    marker = tmp_path / "pwned"
    if isinstance(content, str):
        content = content.replace("{marker}", str(marker))
    code, output, seconds = run(capsys, "validate", str(write(tmp_path / name, content)))
    assert_clean(code, output, says=says)
    assert f"{name}:" in output  # the message names the file
    assert seconds < 10
    assert not marker.exists()


@pytest.mark.parametrize("name", ["big.json", "big.yaml"])
def test_validate_refuses_a_100_mb_file_by_its_size(capsys, tmp_path, name):
    code, output, seconds = run(capsys, "validate", str(sparse(tmp_path / name)))
    assert_clean(code, output, codes=(2,), says="larger than 50 MB")
    assert seconds < 5


@pytest.mark.parametrize(
    "content",
    [
        '\ufeff{"attributes": {"emails": ["ada@example.com"]}}',
        '{\r\n  "attributes": {\r\n    "emails": ["ada@example.com"]\r\n  }\r\n}\r\n',
        "\ufeffattributes:\r\n  emails:\r\n    - ada@example.com\r\n",
    ],
    ids=["bom-json", "crlf-json", "bom-crlf-yaml"],
)
def test_validate_reads_bom_and_crlf_files(capsys, tmp_path, content):
    suffix = ".yaml" if content.lstrip("\ufeff").startswith("attributes") else ".json"
    code, output, _ = run(capsys, "validate", str(write(tmp_path / f"ok{suffix}", content)))
    assert code == 0, output
    assert "1 payloads, 0 problems" in output


def test_validate_reports_crlf_positions_on_the_real_line(capsys, tmp_path):
    content = '{\r\n  "attributes": {\r\n    "emails": [null]\r\n  }\r\n}\r\n'
    code, output, _ = run(capsys, "validate", str(write(tmp_path / "crlf.json", content)))
    assert_clean(code, output, codes=(1,), says="crlf.json:3:")


# --- check --klass and check --spec, spec lint -----------------------------------------------


KLASS_CASES = [
    pytest.param("bomb.yaml", BOMB, "alias bomb", id="alias-bomb"),
    pytest.param("pyobj.yaml", "attributes: " + PYOBJ, "is not allowed", id="python-tag"),
    pytest.param("utf8.yaml", b"attributes: [\xff\xfeStr]\n", "UTF-8", id="invalid-utf8"),
    pytest.param("dup.yaml", "attributes: [aStr]\nattributes: [bStr]\n", "duplicate key", id="dup"),
    pytest.param("nan.json", '{"attributes": NaN}', "attributes", id="nan"),
    pytest.param(
        "deep.yaml",
        DEEP_FLOW,
        "deep",
        id="deep-flow",
    ),
    pytest.param(
        "deep.json",
        DEEP_FLOW,
        "deep",
        id="deep-json",
    ),
    pytest.param(
        "deep_block.yaml",
        DEEP_BLOCK,
        "deep",
        id="deep-block",
    ),
]


@pytest.mark.parametrize("name, content, says", KLASS_CASES)
def test_check_refuses_a_hostile_klass_file(capsys, tmp_path, name, content, says):
    marker = tmp_path / "pwned"
    if isinstance(content, str):
        content = content.replace("{marker}", str(marker))
    path = write(tmp_path / name, content)
    code, output, _ = run(
        capsys, "check", "--klass", str(path), "--only", "accepts-valid", "--max-examples", "1"
    )
    assert_clean(code, output, codes=(2,), says=says)
    assert len(output.strip().splitlines()) == 1
    assert name in output
    assert not marker.exists()


@pytest.mark.parametrize(
    "content",
    ["\ufeffattributes: [favoriteColorStr]\n", "attributes:\r\n  - favoriteColorStr\r\n"],
    ids=["bom", "crlf"],
)
def test_check_reads_a_klass_with_bom_or_crlf(capsys, tmp_path, content):
    path = write(tmp_path / "klass.yaml", content)
    code, output, _ = run(
        capsys, "check", "--klass", str(path), "--only", "accepts-valid", "--max-examples", "1"
    )
    assert code == 0, output


@pytest.mark.parametrize("command", ["klass", "spec", "lint"])
def test_a_100_mb_spec_or_klass_is_refused_by_its_size(capsys, tmp_path, command):
    path = sparse(tmp_path / "big.yaml", head=b"attributes: [aStr]\n")
    argv = {
        "klass": ["check", "--klass", str(path), "--only", "accepts-valid", "--max-examples", "1"],
        "spec": ["check", "--spec", str(path), "--only", "accepts-valid", "--max-examples", "1"],
        "lint": ["spec", "lint", str(path)],
    }[command]
    code, output, seconds = run(capsys, *argv)
    assert_clean(code, output)
    assert seconds < 5
    assert "MB" in output and len(output.strip().splitlines()) <= 2


SPEC_FILE_CASES = [
    pytest.param(BOMB, "alias bomb", id="alias-bomb"),
    pytest.param(PYOBJ, "is not allowed", id="python-tag"),
    pytest.param(b"id: v1\nname: \xff\xfe\n", "UTF-8", id="invalid-utf8"),
    pytest.param(DEEP_FLOW, "deep", id="deep"),
    pytest.param(
        DEEP_BLOCK,
        "deep",
        id="deep-block",
    ),
]


@pytest.mark.parametrize("content, says", SPEC_FILE_CASES)
@pytest.mark.parametrize("command", ["check", "lint"])
def test_a_hostile_contract_yaml_is_refused(capsys, tmp_path, command, content, says):
    marker = tmp_path / "pwned"
    if isinstance(content, str):
        content = content.replace("{marker}", str(marker))
    folder = spec_copy(tmp_path)
    write(folder / "contract.yaml", content)
    if command == "check":
        argv = ["check", "--spec", str(folder), "--only", "accepts-valid", "--max-examples", "1"]
    else:
        argv = ["spec", "lint", str(folder / "contract.yaml")]
    code, output, _ = run(capsys, *argv)
    assert_clean(code, output, says=says)
    assert "contract.yaml" in output
    assert not marker.exists()


def _edit(folder: Path, find: str, replace: str, file: str = "methods/describeCustomer.yaml"):
    path = folder / file
    text = path.read_text()
    assert find in text
    path.write_text(text.replace(find, replace, 1))


@pytest.mark.parametrize(
    "ref, says",
    [
        ("https://example.com/custom-attributes.yaml", "$ref to a URL is not allowed"),
        ("//example.com/custom-attributes.yaml", "$ref to a URL is not allowed"),
        ("../../outside.yaml", "points outside the spec folder"),
        ("/etc/passwd", "points outside the spec folder"),
        ("link.yaml", "points outside the spec folder"),  # a symlink leading out
        ("../schemas/missing.yaml", "no such file"),
        ("../schemas/custom-attributes.yaml#/nowhere", "has no"),
    ],
)
@pytest.mark.parametrize("command", ["check", "lint"])
def test_a_ref_out_of_the_spec_folder_is_refused(capsys, tmp_path, command, ref, says):
    folder = spec_copy(tmp_path)
    write(tmp_path / "outside.yaml", "type: object\n")
    (folder / "methods" / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    _edit(folder, "{$ref: ../schemas/custom-attributes.yaml}", f"{{$ref: '{ref}'}}")
    if command == "check":
        argv = ["check", "--spec", str(folder), "--only", "accepts-valid", "--max-examples", "1"]
    else:
        argv = ["spec", "lint", str(folder / "contract.yaml")]
    code, output, _ = run(capsys, *argv)
    assert_clean(code, output, says=says)
    assert "describeCustomer.yaml" in output and "$ref" in output
    assert len(output.strip().splitlines()) <= 2  # the problem (+ lint's summary line)


@pytest.mark.parametrize(
    "find, replace, says",
    [
        ("role: describe\n", "role: describe\nrole: describe\n", "duplicate key"),
        ("callback_optional: true", "callback_optional: .nan", "NaN"),
    ],
    ids=["duplicate-key", "nan"],
)
def test_a_broken_method_file_is_refused(capsys, tmp_path, find, replace, says):
    folder = spec_copy(tmp_path)
    _edit(folder, find, replace)
    code, output, _ = run(
        capsys, "check", "--spec", str(folder), "--only", "accepts-valid", "--max-examples", "1"
    )
    assert_clean(code, output, codes=(2,), says=says)
    assert "describeCustomer.yaml:" in output


@pytest.mark.parametrize("style", ["bom", "crlf"])
def test_a_spec_with_bom_or_crlf_loads(tmp_path, style):
    folder = spec_copy(tmp_path)
    for path in folder.rglob("*.yaml"):
        text = path.read_text()
        path.write_bytes(
            ("\ufeff" + text).encode() if style == "bom" else text.replace("\n", "\r\n").encode()
        )
    assert load_spec(folder).guarantees == load_spec("v1").guarantees


# --- trace -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, says",
    [
        pytest.param("bomb.jsonl", BOMB, "not JSON", id="yaml-alias-bomb"),
        pytest.param("utf8.jsonl", b'{"x": "\xff"}\n', "not UTF-8", id="invalid-utf8"),
        pytest.param(
            "nan.jsonl",
            '{"t":0.3,"seq":NaN,"event":"call","method":"start","args":[{}]}\n',
            "nan.jsonl:1:",
            id="nan",
        ),
        pytest.param(
            "dup.jsonl",
            '{"t":0.3,"seq":1,"event":"call","method":"start","args":[{}]}\n'
            '{"t":0.4,"seq":2,"event":"callback","method":"start","call":1,"response":{},"error":null}\n'
            '{"t":0.7,"seq":3,"event":"call","method":"describeCustomer",'
            '"args":[{"attributes":{"emails":[null]}},"[function]"],'
            '"args":[{},"[function]"]}\n',
            "dup.jsonl:3",
            id="dup",
        ),
        pytest.param(
            "deep.jsonl",
            DEEP_FLOW,
            "deep.jsonl:1",
            id="deep",
        ),
    ],
)
def test_trace_refuses_hostile_records(capsys, tmp_path, name, content, says):
    code, output, seconds = run(capsys, "trace", str(write(tmp_path / name, content)))
    assert_clean(code, output, says=says)
    assert seconds < 10


def test_trace_of_a_100_mb_file_ends_quickly(capsys, tmp_path):
    code, output, seconds = run(capsys, "trace", str(sparse(tmp_path / "big.jsonl")))
    assert_clean(code, output, codes=(2,), says="big.jsonl:1")
    assert seconds < 10


@pytest.mark.parametrize("style", ["bom", "crlf"])
def test_trace_reads_bom_and_crlf(capsys, tmp_path, style):
    content = "\ufeff" + TRACE if style == "bom" else TRACE.replace("\n", "\r\n")
    code, output, _ = run(capsys, "trace", str(write(tmp_path / "t.jsonl", content)))
    assert code == 0, output


# --- fuzzing ---------------------------------------------------------------------------------

FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALID_JSON = json.dumps(
    {
        "attributes": {
            "emails": ["ada@example.com"],
            "phones": ["+1 (555) 010-2030"],
            "socials": [{"username": "ada", "type": "twitter"}],
        },
        "customAttributes": {"favoriteColorStr": "blue", "loyaltyPointsNum": 3},
    },
    indent=2,
).encode()
VALID_YAML = (
    b"attributes:\n  emails: [ada@example.com]\n  phones: ['+1 555 010 2030']\n"
    b"customAttributes:\n  vipBool: true\n---\n{}\n"
)
SPEC_FILES = sorted(p.relative_to(SPECS / "v1").as_posix() for p in (SPECS / "v1").rglob("*.yaml"))


@st.composite
def mutated(draw, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "dup"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(
                st.sampled_from(
                    [
                        b"{",
                        b"[",
                        b"]",
                        b'"',
                        b"&a ",
                        b"*a",
                        b"!!python/name:os.system ",
                        b"\xff",
                        b"\r",
                        b"\t",
                        b": ",
                        b"- ",
                        b"NaN",
                        b"\x00",
                        "\ufeff".encode(),
                    ]
                )
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "dup":
            data[at:at] = data[at : at + draw(st.integers(1, 40))]
    return bytes(data)


def _validate(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    import contextlib
    import io

    with (
        contextlib.redirect_stdout(io.StringIO()) as out,
        contextlib.redirect_stderr(io.StringIO()) as err,
    ):
        code = main(["validate", str(path)])
    output = out.getvalue() + err.getvalue()
    assert code in (0, 1, 2), output
    assert "Traceback" not in output
    if code == 2:
        assert output.strip()


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".json", ".jsonl", ".yaml"]))
def test_fuzz_validate_arbitrary_bytes(tmp_path, data, suffix):
    _validate(tmp_path, "fuzz" + suffix, data)


@FUZZ
@given(
    data=st.one_of(
        mutated(VALID_JSON).map(lambda d: (".json", d)),
        mutated(VALID_YAML).map(lambda d: (".yaml", d)),
    )
)
def test_fuzz_validate_mutated_payloads(tmp_path, data):
    suffix, content = data
    _validate(tmp_path, "mutated" + suffix, content)


@pytest.fixture(scope="module")
def fuzz_spec_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzzspec") / "spec"
    shutil.copytree(SPECS / "v1", folder)
    return folder


def _load_with(folder: Path, name: str, data: bytes) -> None:
    target = folder / name
    original = (SPECS / "v1" / name).read_bytes()
    target.write_bytes(data)
    try:
        load_spec(folder)
    except SpecError as exc:
        assert str(exc).strip()
    finally:
        target.write_bytes(original)


@FUZZ
@given(name=st.sampled_from(SPEC_FILES), data=st.binary(max_size=400))
def test_fuzz_spec_loader_arbitrary_bytes(fuzz_spec_folder, name, data):
    _load_with(fuzz_spec_folder, name, data)


@FUZZ
@given(data=st.data())
def test_fuzz_spec_loader_mutated_files(fuzz_spec_folder, data):
    name = data.draw(st.sampled_from(SPEC_FILES))
    content = data.draw(mutated((SPECS / "v1" / name).read_bytes()))
    _load_with(fuzz_spec_folder, name, content)


# --- streams, devices, FIFOs, symlinks -------------------------------------------------------
# These could hang: they run the CLI in a subprocess, with a generous timeout as a safety net
# only (the tool's own limits are what end them).


def cli_process(*argv: str, **kwargs) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "kustomer_contract.cli", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )
    return done.returncode, done.stdout + done.stderr


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


@needs_fifo
def test_validate_skips_a_fifo_found_in_a_directory(tmp_path):
    os.mkfifo(tmp_path / "pipe.json")
    write(tmp_path / "ok.json", "{}")
    code, output = cli_process("validate", str(tmp_path))
    assert_clean(code, output, codes=(0,))
    assert f"{tmp_path / 'pipe.json'}: skipped: a FIFO (named pipe), not a regular file" in output
    assert output.splitlines()[-1].startswith("1 files, 1 payloads, 0 problems")
    assert "1 skipped" in output.splitlines()[-1]


@needs_fifo
def test_a_directory_holding_only_a_fifo_has_no_payload_files(tmp_path):
    os.mkfifo(tmp_path / "pipe.json")
    code, output = cli_process("validate", "--format", "json", str(tmp_path))
    assert code == 2
    doc = json.loads(output[: output.rindex("}") + 1])
    assert [p["kind"] for p in doc["problems"]] == ["skipped", "unreadable"]
    assert doc["summary"]["skipped"] == 1


@needs_fifo
@pytest.mark.parametrize("command", ["validate", "trace"])
def test_a_named_fifo_without_a_writer_ends_at_once(tmp_path, command):
    os.mkfifo(tmp_path / "pipe.jsonl")
    code, output = cli_process(command, str(tmp_path / "pipe.jsonl"))
    assert_clean(code, output, codes=(2,), says="a FIFO (named pipe) with no writer")


def test_validate_reads_a_pipe_by_name_as_a_shell_process_substitution_gives_it(tmp_path):
    """``validate <(node build.js)``: the shell passes /dev/fd/N, a pipe; it is read."""
    if not os.path.isdir("/dev/fd"):
        pytest.skip("no /dev/fd")
    read_end, write_end = os.pipe()
    os.write(write_end, b'{"bogus": 1}\n')
    os.close(write_end)
    try:
        code, output = cli_process("validate", f"/dev/fd/{read_end}", pass_fds=(read_end,))
    finally:
        os.close(read_end)
    assert_clean(code, output, codes=(1,), says=f"/dev/fd/{read_end}:1:11: /bogus:")


needs_dev_zero = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")


@needs_dev_zero
@pytest.mark.parametrize(
    "argv, says",
    [
        (["validate", "/dev/zero"], "larger than 50 MB"),
        (["validate", "-"], "larger than 50 MB"),
        (["trace", "/dev/zero"], "the trace is larger than 50 MB"),
        (["trace", "-"], "the trace is larger than 50 MB"),
    ],
)
def test_an_endless_stream_ends_with_the_size_limit(argv, says):
    with open("/dev/zero", "rb") as zero:
        code, output = cli_process(*argv, stdin=zero)
    assert_clean(code, output, codes=(2,), says=says)


@needs_dev_zero
def test_a_device_named_json_is_bounded_and_skipped_in_a_walk(tmp_path):
    (tmp_path / "walked").mkdir()
    (tmp_path / "walked" / "zero.json").symlink_to("/dev/zero")
    write(tmp_path / "walked" / "ok.json", "{}")
    (tmp_path / "named.json").symlink_to("/dev/zero")
    code, output = cli_process("validate", str(tmp_path / "named.json"))
    assert_clean(code, output, codes=(2,), says="larger than 50 MB, the limit for a JSON file")
    code, output = cli_process("validate", str(tmp_path / "walked"))
    assert_clean(code, output, codes=(0,), says="zero.json: skipped: a character device")


def test_an_endless_line_is_not_skipped_forever(monkeypatch):
    """With no end of line in sight, reading stops instead of skipping the rest forever."""
    from kustomer_contract._core import payloads

    monkeypatch.setattr(payloads.base, "MAX_FILE_BYTES", 1000)
    reads = []

    class Endless:
        def readline(self, limit: int = -1) -> bytes:
            reads.append(limit)
            if len(reads) > 100:  # a safety net: the reader should have stopped long ago
                raise RuntimeError("still reading an endless line")
            return b"x" * limit

    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": Endless()}))
    items = list(payloads.read_payloads("-", kind="jsonl"))
    assert len(items) == 1 and "no end of line in the next" in items[0].message
    assert len(reads) == 2  # the line, then one bounded chunk of it (1 MB) to skip


def test_trace_with_standard_input_closed():
    code, output = cli_process("trace", "-", preexec_fn=lambda: os.close(0))
    assert_clean(code, output, codes=(2,), says="-: cannot check: no standard input is attached")
    code, output = cli_process("validate", "-", preexec_fn=lambda: os.close(0))
    assert_clean(code, output, codes=(2,), says="<stdin>: no standard input is attached")


def test_a_symlinked_directory_is_followed_once(capsys, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    write(real / "bad.json", '{"bogus": 1}')
    top = tmp_path / "top"
    top.mkdir()
    write(top / "ok.json", "{}")
    (top / "link").symlink_to(real)
    (top / "loop").symlink_to(top)  # a loop: must end, and say so
    (top / "again").symlink_to(real)  # the same directory twice: read once
    code, output, _ = run(capsys, "validate", str(top))
    assert_clean(code, output, codes=(1,))
    assert f"{top / 'again' / 'bad.json'}:1:11: /bogus:" in output  # "again" sorts first
    assert f"{top / 'link'}: skipped: the same directory as {top / 'again'}" in output
    assert f"{top / 'loop'}: skipped: the same directory as {top}" in output
    assert output.splitlines()[-1] == (
        "2 files, 2 payloads, 1 problems (1 invalid payloads), "
        "2 skipped (not regular files, or searched already)"
    )


def test_a_broken_symlink_is_reported(capsys, tmp_path):
    (tmp_path / "gone.json").symlink_to(tmp_path / "nowhere.json")
    code, output, _ = run(capsys, "validate", str(tmp_path))
    assert_clean(code, output, codes=(2,), says="a symlink to a file that does not exist")

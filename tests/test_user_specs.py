"""Specs written by users: every mistake is one ``file:line: ...`` line and exit 2 (lint: 1),
never a traceback, never a run that passes on cases it could not generate.

Each broken spec is a copy of the bundled v1, edited in a tmp folder.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from kustomer_contract.cli import main as cli_main
from kustomer_contract.engine import settings
from kustomer_contract.spec.lint import lint
from kustomer_contract.spec.loader import load_spec, specs_dir
from kustomer_contract.spec.schemas import ecma_regex, validator_for
from kustomer_contract.spec.types import SpecError

DESCRIBE = "methods/describeCustomer.yaml"
EMAIL_LIMIT = "      maxLength: 254\n"

RAISING_IMPL = """
class Raising:
    def start(self, options, callback):
        callback({}, None)

    def describeCustomer(self, options, callback=None):
        raise RuntimeError("always")


def make():
    return Raising()
"""


def spec_copy(tmp_path: Path, edits: dict[str, list[tuple[str, str]]] = {}) -> Path:  # noqa: B006
    spec_dir = tmp_path / "spec"
    shutil.copytree(specs_dir() / "v1", spec_dir)
    for name, changes in edits.items():
        path = spec_dir / name
        text = path.read_text()
        for old, new in changes:
            assert old in text, old
            text = text.replace(old, new, 1)
        path.write_text(text)
    return spec_dir


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = cli_main(list(argv))
    except SystemExit as exc:  # argparse refusing an option
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(capsys, spec_dir: Path, words: str, tmp_path: Path) -> None:
    """check, validate, fixtures and trace all refuse the spec: exit 2, one located line."""
    payload = tmp_path / "payload.json"
    payload.write_text("{}")
    commands = [
        ("check", "--spec", str(spec_dir), "--max-examples", "3"),
        ("validate", "--spec", str(spec_dir), str(payload)),
        ("fixtures", "--spec", str(spec_dir), "--count", "2"),
        ("trace", "--spec", str(spec_dir), str(payload)),
    ]
    for argv in commands:
        code, out, err = run_cli(capsys, *argv)
        assert code == 2, (argv, out, err)
        assert "Traceback" not in err and "contract holds" not in out
        assert words in err, (argv, err)
        assert re.search(r"\.yaml:\d+: /", err), err


# --- a $ref through a symlink loop ---------------------------------------------------------


def test_a_ref_through_a_symlink_loop_is_one_located_error(tmp_path, capsys):
    spec_dir = spec_copy(
        tmp_path,
        {
            "contract.yaml": [
                ("login: {$ref: methods/login.yaml}", "login: {$ref: methods/loop.yaml}")
            ]
        },
    )
    os.symlink("loop.yaml", spec_dir / "methods" / "loop.yaml")
    with pytest.raises(SpecError) as info:
        load_spec(spec_dir)
    assert info.value.key == "/methods/login/$ref"
    assert "symlink loop" in info.value.message and info.value.line > 0
    result = lint(spec_dir)
    assert [p.key for p in result.problems] == ["/methods/login/$ref"]
    assert_one_line_error(capsys, spec_dir, "symlink loop", tmp_path)


# --- constraints no value meets ------------------------------------------------------------


def test_min_length_above_max_length_is_refused_at_its_line(tmp_path, capsys):
    spec_dir = spec_copy(
        tmp_path, {DESCRIBE: [(EMAIL_LIMIT, EMAIL_LIMIT + "      minLength: 300\n")]}
    )
    with pytest.raises(SpecError) as info:
        load_spec(spec_dir)
    err = info.value
    assert err.key == "/methods/describeCustomer/options/$defs/email"
    assert "minLength 300 is above maxLength 254" in err.message
    lines = Path(err.file).read_text().splitlines()
    assert lines[err.line - 2].strip() == "email:"  # the line is the email schema's first
    assert_one_line_error(capsys, spec_dir, "minLength 300 is above maxLength 254", tmp_path)


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("options:\n  type: object\n", "options:\n  not: {}\n  type: object\n", "/options/not", "admits no valid options"),
        ("options:\n  type: object\n", "options:\n  type: []\n", "/options/type", "not a valid JSON Schema"),
        ("enum: [facebook, twitter, instagram, linkedin, pinterest]\n          x-hints",
         "type: integer\n          enum: [facebook, twitter]\n          x-hints", "/enum", "no value of the enum"),
        ("          minLength: 1\n", "          minLength: 1\n          maxItems: 2\n          minItems: 3\n", "/username", "minItems 3 is above maxItems 2"),
    ],
)  # fmt: skip
def test_schemas_that_admit_nothing_are_refused_at_load(tmp_path, capsys, old, new, key, words):
    spec_dir = spec_copy(tmp_path, {DESCRIBE: [(old, new)]})
    with pytest.raises(SpecError) as info:
        load_spec(spec_dir)
    assert info.value.key.endswith(key) and words in info.value.message
    assert not lint(spec_dir).ok


def test_options_that_admit_nothing_never_pass_an_implementation_that_always_raises(
    tmp_path, capsys, monkeypatch
):
    """Today's bug: `not: {}` let describeConversation's cases carry the run to 'holds'."""
    spec_dir = spec_copy(
        tmp_path,
        {DESCRIBE: [("options:\n  type: object\n", "options:\n  not: {}\n  type: object\n")]},
    )
    (tmp_path / "raising_impl.py").write_text(RAISING_IMPL)
    monkeypatch.syspath_prepend(str(tmp_path))
    code, out, err = run_cli(
        capsys, "check", "--impl", "raising_impl:make", "--spec", str(spec_dir),
        "--max-examples", "3", "--only", "accepts-valid",
    )  # fmt: skip
    assert code == 2 and "contract holds" not in out and "passed" not in out
    assert "admits no valid options for describeCustomer" in err
    assert "describeCustomer.yaml:" in err and "/methods/describeCustomer/options/not" in err


GENERATION_ONLY = [
    ("options:\n  type: object\n", "options:\n  type: object\n  required: [code]\n"),
    (
        "    customAttributes: {$ref: ../schemas/custom-attributes.yaml}\n",
        "    customAttributes: {$ref: ../schemas/custom-attributes.yaml}\n"
        "    code: {type: string, pattern: '^.{5,}$', maxLength: 3}\n",
    ),
]


def test_what_only_generation_finds_is_a_spec_error_naming_method_and_pointer(tmp_path, capsys):
    """A pattern that needs 5 characters under a maxLength of 3, on a required key: no cheap
    check sees it; generation finds no value and says where."""
    from kustomer_contract.generate import strategies

    spec_dir = spec_copy(tmp_path, {DESCRIBE: GENERATION_ONLY})
    spec = load_spec(spec_dir)  # nothing cheap to see
    with pytest.raises(SpecError) as info:
        strategies.valid_options(spec)
    assert info.value.key == "/methods/describeCustomer/options/properties/code"
    assert "no options for describeCustomer could be generated" in info.value.message
    assert lint(spec_dir).ok  # the spec layer alone cannot see it; lint with generation can
    also = [strategies.generation_problems]
    assert [p.key for p in lint(spec_dir, also=also).problems] == [info.value.key]
    code, out, err = run_cli(capsys, "spec", "lint", str(spec_dir))
    assert code == 1 and info.value.key in out
    code, out, err = run_cli(
        capsys, "check", "--spec", str(spec_dir), "--max-examples", "3", "--only", "accepts-valid"
    )
    assert code == 2 and "contract holds" not in out and "properties/code" in err
    code, out, err = run_cli(capsys, "fixtures", "--spec", str(spec_dir), "--count", "2")
    assert code == 2 and "Traceback" not in err and "properties/code" in err


# --- recursive $defs -----------------------------------------------------------------------

TREE = (
    "  $defs:\n",
    "  $defs:\n    tree:\n      type: object\n      properties:\n"
    "        child: {$ref: '#/$defs/tree'}\n",
)
TREE_PROPERTY = (
    "    customAttributes: {$ref: ../schemas/custom-attributes.yaml}\n",
    "    customAttributes: {$ref: ../schemas/custom-attributes.yaml}\n"
    "    tree: {$ref: '#/$defs/tree'}\n",
)


def test_a_legal_recursive_defs_generates_bounded_valid_options(tmp_path, capsys):
    from hypothesis import given, settings

    from kustomer_contract.generate import strategies

    spec_dir = spec_copy(tmp_path, {DESCRIBE: [TREE, TREE_PROPERTY]})
    spec = load_spec(spec_dir)
    assert lint(spec_dir).ok
    validator = validator_for(spec)
    depths = []

    @settings(max_examples=40, database=None, deadline=None)
    @given(strategies.valid_options(spec))
    def valid(options):
        assert validator.is_valid(options)
        node, depth = options.get("tree"), 0
        while isinstance(node, dict):
            node, depth = node.get("child"), depth + 1
        depths.append(depth)

    valid()
    assert max(depths) <= strategies.RECURSION_UNROLL + 1
    strategies.first_example(strategies.invalid_options(spec))  # no traceback either
    code, out, err = run_cli(
        capsys, "check", "--spec", str(spec_dir), "--max-examples", "5", "--only", "accepts-valid"
    )
    assert code == 0, err


def test_a_recursion_every_value_must_follow_cannot_be_generated_and_says_where(tmp_path):
    from kustomer_contract.generate import strategies

    required_tree = (
        TREE[0],
        TREE[1].replace("type: object\n", "type: object\n      required: [child]\n"),
    )
    spec_dir = spec_copy(
        tmp_path,
        {DESCRIBE: [required_tree, TREE_PROPERTY,
                    ("options:\n  type: object\n", "options:\n  type: object\n  required: [tree]\n")]},
    )  # fmt: skip
    spec = load_spec(spec_dir)
    with pytest.raises(SpecError) as info:
        strategies.valid_options(spec)
    assert info.value.key.startswith("/methods/describeCustomer/options/properties/tree")
    assert "recursive $ref (#/$defs/tree)" in info.value.message


# --- patterns that backtrack ---------------------------------------------------------------

REDOS = [
    ("pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'", "pattern: '^(a+)+$'"),
    ("      x-generate: email\n", ""),
]


def test_a_catastrophic_pattern_is_warned_about_and_validation_stays_linear(tmp_path, capsys):
    spec_dir = spec_copy(tmp_path, {DESCRIBE: REDOS})
    result = lint(spec_dir)
    assert result.ok and len(result.warnings) == 1
    warning = result.warnings[0]
    assert warning.key == "/methods/describeCustomer/options/$defs/email/pattern"
    assert "nests quantifiers" in warning.message and "RE2" in warning.message
    code, out, err = run_cli(capsys, "spec", "lint", str(spec_dir))
    assert code == 0 and "warning: regex '^(a+)+$'" in out
    regex = ecma_regex("^(a+)+$")
    assert regex.engine == "re2"  # linear time: Python's re takes 25 s on this input
    assert regex.search("a" * 60 + "b") is None and regex.search("a" * 60)
    spec = load_spec(spec_dir)
    assert validator_for(spec).problems({"attributes": {"emails": ["a" * 40 + "b"]}})


def test_the_fast_path_is_bounded_on_a_catastrophic_pattern_too():
    from kustomer_contract.spec.fastcheck import FastCheck
    from kustomer_contract.spec.schemas import PayloadValidator

    check = FastCheck(PayloadValidator({"type": "string", "pattern": "^(a+)+$"}))
    assert check.uses_rust  # jsonschema_rs: Rust regex, linear for this pattern
    assert not check.is_valid("a" * 100_000 + "b") and check.is_valid("a" * 100_000)


def test_a_pattern_re2_cannot_run_is_warned_about_and_still_validated(tmp_path):
    lookahead = "^(?=[^@]*@)[^@\\s]+@[^@\\s]+$"
    spec_dir = spec_copy(
        tmp_path,
        {DESCRIBE: [("pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'", f"pattern: '{lookahead}'")]},
    )
    result = lint(spec_dir)
    assert result.ok and ["cannot run in RE2" in w.message for w in result.warnings] == [True]
    regex = ecma_regex(lookahead)
    assert regex.engine == "re" and regex.search("a@b") and not regex.search("a@b\n")


@pytest.mark.parametrize(
    "pattern", [r"[^@\s]", r"\s", r"\S", r"\d", r"\D", r"\w", r"\W", r"[\d\w-]", r"."]
)
def test_re2_gives_every_code_point_the_validators_python_meaning(pattern):
    regex = ecma_regex(f"(?:{pattern})+")  # runs: few matches, so the test stays quick
    assert regex.engine == "re2"
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert [m.span() for m in regex.re2.finditer(every)] == [
        m.span() for m in regex.python.finditer(every)
    ]


def test_re2_keeps_ecma_dollar_and_copes_with_lone_surrogates():
    email = ecma_regex(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    assert email.engine == "re2"
    assert email.search("a@b.co") and not email.search("a@b.co\n")
    assert email.search("\ud800@b.co") and not email.search("\ud800 @b.co")
    assert not ecma_regex("^[a-z]+$").search("ab\ud800")
    assert ecma_regex("Str$").search("fooStr") and not ecma_regex("Str$").search("fooStr\n")


# --- a long enum ---------------------------------------------------------------------------


def test_a_hundred_thousand_value_enum_generates_in_linear_time(tmp_path):
    """Was over 300 s (a list scan per near miss); a quadratic step would time this out."""
    from kustomer_contract.generate import strategies

    values = [f"t{i}" for i in range(100_000)]
    spec_dir = spec_copy(
        tmp_path,
        {DESCRIBE: [("enum: [facebook, twitter, instagram, linkedin, pinterest]\n          x-hints",
                     f"enum: [{', '.join(values)}]\n          x-hints")]},
    )  # fmt: skip
    spec = load_spec(spec_dir)
    valid = strategies.first_example(strategies.valid_options(spec))
    assert validator_for(spec).is_valid(valid)
    assert strategies.first_example(strategies.invalid_options(spec)) is not None
    assert strategies.invalid_sweep(spec)


# --- numeric options -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["check", "--timeout", "1e10"], "at most 3600"),
        (["check", "--timeout", "nan"], "above 0"),
        (["check", "--timeout", "inf"], "above 0"),
        (["check", "--timeout", "-1"], "above 0"),
        (["check", "--max-examples", "0"], "from 1 to 1,000,000"),
        (["check", "--max-examples", "10000000"], "from 1 to 1,000,000"),
        (["check", "--max-examples", "1e3"], "not a whole number"),
        (["fixtures", "--count", "2000000"], "from 1 to 1,000,000"),
    ],
)
def test_numeric_options_out_of_range_exit_2_with_a_clear_message(capsys, argv, words):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and words in err and "Traceback" not in err


def test_numeric_option_parsers_raise_value_errors_the_plugin_reports():
    for bad in ("1e10", "nan", "0"):
        with pytest.raises(ValueError, match="seconds"):
            settings.positive_float(bad)
    with pytest.raises(ValueError, match="1,000,000"):
        settings.positive_int("1000001")
    assert settings.positive_float("3600") == 3600.0 and settings.positive_int(" 7 ") == 7

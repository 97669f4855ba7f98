"""Formats as the RFCs mean them, the same on every path; their near misses in the sweep."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kustomer_contract.callers import validate
from kustomer_contract.cli import validate as validate_command
from kustomer_contract.cli.main import main
from kustomer_contract.generate import values
from kustomer_contract.generate.strategies import invalid_sweep
from kustomer_contract.spec.fastcheck import FastCheck
from kustomer_contract.spec.formats import STRICT, conforms
from kustomer_contract.spec.loader import load_spec
from kustomer_contract.spec.schemas import PayloadValidator, formats_used, validator_for

ROOT = Path(__file__).resolve().parent.parent
V1 = load_spec("v1")

# (value, valid?) for each format the specs use; near misses of every kind, and their
# valid neighbours so that a checker refusing everything fails too.
CORPUS: dict[str, list[tuple[str, bool]]] = {
    "date-time": [
        ("2024-05-01T12:30:00Z", True),
        ("2024-05-01T12:30:00+02:00", True),
        ("2024-05-01T12:30:00.123-05:30", True),
        ("2024-02-29T00:00:00Z", True),  # a leap year
        ("2024-05-01t12:30:00z", True),  # RFC 3339 5.6: T and Z may be lower case
        ("2024-05-01T23:59:59+23:59", True),
        ("2024-05-01T12:30:00Z\n", False),
        ("2024-05-01T12:30:00+02:00\n", False),
        ("\n2024-05-01T12:30:00Z", False),
        (" 2024-05-01T12:30:00Z", False),
        ("2024-05-01T12:30:00Z ", False),
        ("2024-13-01T12:30:00Z", False),
        ("2024-00-01T12:30:00Z", False),
        ("2024-02-30T12:30:00Z", False),
        ("2023-02-29T12:30:00Z", False),
        ("2024-04-31T12:30:00Z", False),
        ("2024-05-32T12:30:00Z", False),
        ("2024-05-01T25:00:00Z", False),
        ("2024-05-01T24:00:00Z", False),
        ("2024-05-01T12:60:00Z", False),
        ("2024-05-01T12:30:61Z", False),
        ("2024-05-01T12:30:00+24:00", False),
        ("2024-05-01T12:30:00+02:60", False),
        ("2024-05-01T12:30:00+0200", False),
        ("2024-05-01T12:30:00", False),
        ("2024-05-01 12:30:00Z", False),
        ("2024-05-01", False),
        ("２０２４-05-01T12:30:00Z", False),  # fullwidth digits
        ("2024-05-01T12:30:00Z\u200b", False),
        ("", False),
    ],
    "uri": [
        ("https://example.com/", True),
        ("https://example.com/a%20b?q=1#top", True),
        ("mailto:marsha@example.com", True),
        ("urn:isbn:0451450523", True),
        ("http://[::1]:8080/", True),
        ("https://example.com/\n", False),
        ("\nhttps://example.com/", False),
        (" https://example.com/", False),
        ("https://example.com/ ", False),
        ("https://example.com/a b", False),
        ("https://exa mple.com", False),
        ("example.com/profile", False),  # no scheme
        ("//example.com/", False),  # a relative reference
        ("/relative/path", False),
        ("https://exämple.com/", False),  # unicode: an IRI, not a URI
        ("https://example.com/café", False),
        ("https://example.com/%zz", False),
        ("https://example.com/<b>", False),
        ("1http://example.com/", False),
        ("http://[::1", False),
        ("", False),
    ],
}
SITES = {"date-time": "lastOrderAt", "uri": "profileUrl"}
CASES = [(fmt, value, ok) for fmt, cases in CORPUS.items() for value, ok in cases]


def payload(fmt: str, value: str) -> dict:
    return {"customAttributes": {SITES[fmt]: value}}


def test_the_corpus_covers_every_format_the_specs_use():
    used = set()
    for name in ("v1", "v2"):
        spec = load_spec(name)
        for m in spec.describes:
            used |= formats_used(m.options_schema) | formats_used(m.response_schema)
    assert used == set(CORPUS) == set(SITES)


@pytest.mark.parametrize("fmt, value, ok", CASES, ids=[f"{f}-{v!r}" for f, v, _ in CASES])
def test_both_validators_give_the_rfc_verdict(fmt, value, ok):
    validator = validator_for(V1)
    fast = FastCheck(validator)
    assert fast.uses_rust
    assert conforms(value, fmt) is ok
    assert validator.is_valid(payload(fmt, value)) is ok  # the jsonschema message path
    assert fast.is_valid(payload(fmt, value)) is ok  # the jsonschema-rs fast path
    python_only = FastCheck(validator, use_rust=False)
    assert python_only.is_valid(payload(fmt, value)) is ok
    if not ok:
        [problem] = validator.problems(payload(fmt, value))
        assert (problem.pointer, problem.keyword) == (f"/customAttributes/{SITES[fmt]}", "format")


def test_validate_cli_gives_the_same_verdicts(tmp_path, capsys):
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(payload(f, v)) + "\n" for f, v, _ in CASES))
    parser = argparse.ArgumentParser(prog="kustomer-contract")
    validate_command.register(parser.add_subparsers(dest="command"))
    code = validate.run(parser.parse_args(["validate", str(path)]))
    out = capsys.readouterr().out
    refused = {int(line.split(":")[1]) for line in out.splitlines() if line.startswith(f"{path}:")}
    assert refused == {n for n, (_, _, ok) in enumerate(CASES, 1) if not ok}
    assert code == 1


@pytest.mark.parametrize("fmt", sorted(values.FORMAT_NEAR_MISSES))
def test_every_listed_near_miss_is_invalid(fmt):
    validator = validator_for(V1)
    fast = FastCheck(validator)
    for miss in values.FORMAT_NEAR_MISSES[fmt]:
        assert not conforms(miss, fmt), miss
        assert not fast.is_valid(payload(fmt, miss)), miss


def test_strict_formats_keep_jsonschemas_other_formats():
    checker = PayloadValidator({"format": "ipv4"})._validator.format_checker
    assert checker.conforms("1.2.3.4", "ipv4") and not checker.conforms("1.2.3.4\n", "ipv4")
    assert {"date-time", "uri", "uri-reference", "time"} <= set(checker.checkers)


# --- the sweep tries every near miss ---------------------------------------------------------


def _format_cases(sweep, method=None):
    return [
        (s.options, s.label)
        for case in sweep
        for s in case.steps
        if s.label["keyword"] == "format" and s.method == method
    ]


def test_the_sweep_tries_each_near_miss_once_labelled_by_the_validator(v1):
    cases = _format_cases(invalid_sweep(v1))
    validator = validator_for(v1)
    for fmt, name in SITES.items():
        pointer = f"/customAttributes/{name}"
        tried = [o["customAttributes"][name] for o, label in cases if label["pointer"] == pointer]
        assert sorted(tried) == sorted(values.FORMAT_NEAR_MISSES[fmt])
    for options, label in cases:
        [problem] = validator.problems(options)
        assert label == {
            "pointer": problem.pointer,
            "keyword": "format",
            "message": problem.message,
        }
    # describeConversation's own At and Url checks are swept as well
    assert len(_format_cases(invalid_sweep(v1), "describeConversation")) == len(cases)


def test_the_sweep_skips_a_near_miss_the_validator_accepts(v1, monkeypatch):
    extended = dict(values.FORMAT_NEAR_MISSES)
    extended["date-time"] = [*extended["date-time"], "2024-05-01T12:30:00Z"]
    monkeypatch.setattr(values, "FORMAT_NEAR_MISSES", extended)
    invalid_sweep.cache_clear()
    try:
        tried = [o["customAttributes"] for o, _ in _format_cases(invalid_sweep(v1))]
    finally:
        invalid_sweep.cache_clear()
    assert {"lastOrderAt": "2024-13-01T00:00:00Z"} in tried
    assert not any(v == "2024-05-01T12:30:00Z" for t in tried for v in t.values())


@pytest.mark.parametrize("module", ["accepts_loose_dates", "accepts_loose_urls"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_loose_format_checks_are_caught_on_every_seed(module, seed, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    impl = f"tests.gallery.{module}:make"
    code = main(["check", "--impl", impl, "--only", "rejects-invalid", "--seed", str(seed),
                 "--json"])  # fmt: skip
    [result] = json.loads(capsys.readouterr().out)["results"]
    assert code == 1 and result["status"] == "failed", result
    assert "format" in result["failure"]["expected"]


_NEAR_CORPUS = st.sampled_from([v for _, v, _ in CASES]) | st.text(
    alphabet="0123456789-:TZtz+.%/#?@[]abc \n\u00e9", max_size=30
)


@pytest.mark.skipif(
    importlib.util.find_spec("rfc3987") is not None,
    reason="with rfc3987 installed, jsonschema checks uri with another library",
)
@given(text=_NEAR_CORPUS | st.tuples(_NEAR_CORPUS, _NEAR_CORPUS).map("".join))
def test_strict_formats_are_jsonschemas_except_a_final_newline(text):
    from jsonschema import Draft202012Validator

    base = Draft202012Validator.FORMAT_CHECKER
    for name, strict in STRICT.items():
        assert strict(text) is (base.conforms(text, name) and not text.endswith("\n")), name


def test_a_valid_payload_is_judged_without_importing_what_it_does_not_need(tmp_path):
    # jsonschema's and PyYAML's imports are most of a one-file validate: once the spec is in
    # the cache, the fast path must need neither.
    path = tmp_path / "ok.json"
    attributes = {"lastOrderAt": "2024-05-01T12:30:00Z", "profileUrl": "https://example.com/"}
    path.write_text(json.dumps({"customAttributes": attributes}))
    probe = (
        "import sys; from kustomer_contract.cli.main import main; "
        f"code = main(['validate', {str(path)!r}]); "
        "print(code, *(name in sys.modules for name in sys.argv[1:]))"
    )
    # orjson and the JSON Lines reader pay off over many payloads, not for one; the cache
    # compares bytes, so a hit needs no hashlib; the records are NamedTuples, not dataclasses.
    heavy = ["jsonschema", "yaml", "xml.etree.ElementTree", "tempfile", "rfc3986_validator"]
    light = ["orjson", "kustomer_contract._core.payloads.jsonl", "hashlib", "dataclasses"]
    env = {**os.environ, "KUSTOMER_CONTRACT_CACHE_DIR": str(tmp_path / "cache")}

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe, *heavy, *light],
            capture_output=True,
            text=True,
            env=env,
        )
        return done.stdout.splitlines()[-1]

    assert run().startswith("0 True True")  # the spec is read, checked and stored
    none_light = " False" * len(light)
    # Then only what this payload needs: no JUnit writer, no spooling, and the URI grammar
    # only because profileUrl is a URI.
    assert run() == "0 False False False False True" + none_light
    path.write_text(json.dumps({"customAttributes": {"lastOrderAt": "2024-05-01T12:30:00Z"}}))
    assert run() == "0 False False False False False" + none_light

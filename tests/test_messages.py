"""Messages a person reads: each says what is wrong where, and what to do."""

from __future__ import annotations

import json

import pytest

from kustomer_contract.cli.main import main
from kustomer_contract.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, overall
from kustomer_contract.generate.cases import Step


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (5550100, "is a number: send the phone number as a string"),
        (None, "is null: leave missing values out of the list"),
        (["+1 555 0100"], "is not a phone number string"),
    ],
)
def test_a_wrong_type_in_a_phone_list_gets_the_hint_for_that_type(value, hint, tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"attributes": {"phones": [value]}}))
    assert main(["validate", str(path)]) == EXIT_FAILED
    (line,) = [t for t in capsys.readouterr().out.splitlines() if "/attributes/phones/0" in t]
    assert hint in line
    assert ("null or undefined" in line) == (value is None)  # that advice only where it fits


def test_a_rule_broken_at_the_root_is_named_as_such() -> None:
    step = Step("describe-invalid", {}, label={"pointer": "", "keyword": "additionalProperties"})
    assert step.broken_rule == "the options object: additionalProperties"
    nested = Step("describe-invalid", {}, label={"pointer": "/emails/0", "keyword": "format"})
    assert nested.broken_rule == "/emails/0: format"


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([], EXIT_OK),
        ([EXIT_OK, EXIT_FAILED], EXIT_FAILED),
        ([EXIT_FAILED, EXIT_USAGE], EXIT_USAGE),
        ([EXIT_USAGE, EXIT_FAILED, EXIT_OK], EXIT_USAGE),
        ([EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE], EXIT_INTERRUPTED),
    ],
)
def test_one_rule_combines_verdicts(codes, expected) -> None:
    assert overall(codes) == expected


def test_validate_and_trace_agree_when_input_is_unreadable_and_a_finding_is_made(tmp_path, capsys):
    payloads = tmp_path / "mixed.jsonl"
    payloads.write_text('{"attributes": {"emails": ["nope"]}}\n{not json\n')
    trace = tmp_path / "trace.jsonl"
    trace.write_text(
        'garbage\n{"seq": 1, "event": "call", "method": "describeCustomer", "args": [{}], "t": 0}\n'
    )
    validated, traced = main(["validate", str(payloads)]), main(["trace", str(trace)])
    out = capsys.readouterr().out
    assert validated == traced == EXIT_USAGE
    assert "/attributes/emails/0" in out and "start-first" in out  # the findings still shown


def test_not_before_start_names_the_early_call(capsys) -> None:
    code = main(
        ["check", "--impl", "tests.gallery.applies_before_start:make", "--only",
         "not-before-start", "--seed", "3", "--max-examples", "30", "--json"]
    )  # fmt: skip
    assert code == EXIT_FAILED
    failure = json.loads(capsys.readouterr().out)["results"][0]["failure"]
    early = failure["case"]["steps"][failure["step"]]
    assert early["action"] == "describe-before-start"
    assert (
        failure["call"].startswith("describeCustomer(")
        and failure["call"] != "describeCustomer({})"
    )
    assert "(seen in the response of describeCustomer({}))" in failure["observed"]

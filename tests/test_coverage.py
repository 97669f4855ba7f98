"""Contract coverage: targets come from the spec, a run reports what it exercised."""

import json

from kustomer_contract.cli import main
from kustomer_contract.coverage import CoverageRecorder
from kustomer_contract.model import Case, Step


def test_targets_come_from_the_spec(v1, klass):
    targets = CoverageRecorder(v1, klass=klass).coverage.targets
    for expected in [
        "describeCustomer: /attributes/socials/*/type = 'pinterest'",
        "describeCustomer: /customAttributes/<Bool$> is null",
        "describeCustomer: /attributes/emails/* at maxLength 254",
        "describeCustomer: /attributes/phones/* with 15 digits",
        "describeCustomer: invalid /customAttributes/? propertyNames",
        "describeCustomer: invalid /customAttributes/<name> klass",
        "describeConversation: /customAttributes/<At$> given",
        "rule describe-after-login broken",
        "guarantee no-lost-update",
    ]:
        assert expected in targets
    assert not any("klass" in t for t in CoverageRecorder(v1).coverage.targets)  # no Klass file


def test_recording_a_case(v1):
    recorder = CoverageRecorder(v1)
    case = Case((), (
        Step("describe-before-start", {"attributes": {"socials": [{"username": "m", "type": "twitter"}]}}),
        Step("describe", {"customAttributes": {"vipBool": None}}),
        Step("describe-invalid", {"attributes": {"emails": [None]}},
             label={"pointer": "/attributes/emails/0", "keyword": "type", "message": ""}),
    ))  # fmt: skip
    recorder.record("reflects-input", case)
    hit = recorder.coverage.hit
    assert "describeCustomer: /attributes/socials/*/type = 'twitter'" in hit
    assert "describeCustomer: /customAttributes/<Bool$> is null" in hit
    assert "describeCustomer: invalid /attributes/emails/* type" in hit
    assert {"rule start-first broken", "rule start-first kept", "guarantee reflects-input"} <= hit
    assert "rule describe-after-login kept" not in hit


def test_check_prints_coverage(capsys):
    assert main(["check", "--max-examples", "5", "--seed", "1", "--coverage", "--only", "accepts-valid"]) == 0
    out = capsys.readouterr().out
    assert "contract coverage:" in out and "missed:" in out  # 5 cases of one guarantee miss a lot
    assert main(["check", "--max-examples", "5", "--seed", "1", "--coverage", "--json", "--only", "accepts-valid"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert 0 < data["coverage"]["percent"] < 100 and data["coverage"]["missed"]

"""Contract coverage: targets come from the spec, a run reports what it exercised."""

import json

from kustomer_contract.cli.main import main
from kustomer_contract.engine.coverage import CoverageRecorder
from kustomer_contract.generate.cases import Case, Step


def test_targets_come_from_the_spec(v1, klass):
    targets = CoverageRecorder(v1, klass=klass).coverage.targets
    for expected in [
        "describeCustomer: /attributes/socials/*/type = 'pinterest'",
        "describeCustomer: /customAttributes/<Bool$> is null",
        "describeCustomer: /attributes/emails/* at maxLength 254",
        "describeCustomer: /attributes/phones/* with 15 digits",
        "describeCustomer: invalid /customAttributes/<name> klass",
        "describeConversation: /customAttributes/<At$> given",
        "rule describe-after-login broken",
        "guarantee no-lost-update",
    ]:
        assert expected in targets
    # A name off the Klass is a klass miss; kinds no Klass name has cannot be reached.
    assert "describeCustomer: invalid /customAttributes/? propertyNames" not in targets
    assert not any(t.startswith("describeConversation: /customAttributes/<Url$>") for t in targets)
    without = CoverageRecorder(v1).coverage.targets  # no Klass file: every name is possible
    assert not any("klass" in t for t in without)
    assert "describeCustomer: invalid /customAttributes/? propertyNames" in without
    assert "describeConversation: /customAttributes/<Url$> given" in without


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
    assert (
        main(
            ["check", "--max-examples", "5", "--seed", "1", "--coverage", "--only", "accepts-valid"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "contract coverage:" in out and "missed:" in out  # 5 cases of one guarantee miss a lot
    assert (
        main(
            [
                "check",
                "--max-examples",
                "5",
                "--seed",
                "1",
                "--coverage",
                "--json",
                "--only",
                "accepts-valid",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert 0 < data["coverage"]["percent"] < 100 and data["coverage"]["missed"]


def test_the_invalid_sweep_reaches_every_invalid_site_on_its_own(v1, klass):
    """rejects-invalid runs the sweep first: no invalid site is left to the seed's luck."""
    from kustomer_contract.generate.strategies import invalid_sweep

    for names in (None, klass):
        recorder = CoverageRecorder(v1, klass=names)
        sweep = invalid_sweep(v1, names)
        for case in sweep:
            recorder.record("rejects-invalid", case)
        invalid = {t for t in recorder.coverage.targets if ": invalid " in t and "klass" not in t}
        assert invalid and invalid <= recorder.coverage.hit, sorted(invalid - recorder.coverage.hit)
        assert all(step.label["message"] for case in sweep for step in case.steps)
        assert invalid_sweep(v1, names) is sweep  # cached: built once per run


def test_the_sweep_is_the_same_on_every_run(v1):
    from kustomer_contract.generate.strategies import invalid_sweep

    first = [c.to_json() for c in invalid_sweep(v1)]
    invalid_sweep.cache_clear()
    assert [c.to_json() for c in invalid_sweep(v1)] == first

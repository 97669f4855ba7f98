"""kustomer-contract fixtures: deterministic, labelled, and what the validator agrees with."""

import json

from kustomer_contract.cli.main import main
from kustomer_contract.spec.schemas import validator_for


def _lines(capsys, *args):
    assert main(["fixtures", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_same_seed_same_bytes(tmp_path, capsys):
    for out in ("a", "b"):
        assert (
            main(
                [
                    "fixtures",
                    "--kind",
                    "sequence",
                    "--count",
                    "5",
                    "--seed",
                    "9",
                    "--out",
                    str(tmp_path / out),
                ]
            )
            == 0
        )
    a = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    b = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert a == b and len(a) == 11  # a .json and a .js per sequence, and the manifest
    assert _lines(capsys, "--count", "5", "--seed", "1") == _lines(
        capsys, "--count", "5", "--seed", "1"
    )
    assert _lines(capsys, "--count", "5", "--seed", "1") != _lines(
        capsys, "--count", "5", "--seed", "2"
    )


def test_valid_fixtures_validate(v1, capsys):
    validator = validator_for(v1)
    payloads = _lines(capsys, "--count", "40", "--seed", "3")
    assert len(payloads) == 40
    assert all(validator.is_valid(p) for p in payloads)


def test_invalid_fixtures_carry_the_validators_verdict(v1, capsys, tmp_path):
    validator = validator_for(v1)
    for case in _lines(capsys, "--kind", "invalid", "--count", "40", "--seed", "3"):
        [problem] = validator.problems(case["payload"])
        assert case["label"] == {
            "pointer": problem.pointer,
            "keyword": problem.keyword,
            "message": problem.message,
        }
    assert main(["fixtures", "--kind", "invalid", "--count", "10", "--out", str(tmp_path)]) == 0
    labels = json.loads((tmp_path / "labels.json").read_text())
    assert len(labels) == 10
    for name, label in labels.items():
        [problem] = validator.problems(json.loads((tmp_path / name).read_text()))
        assert label["pointer"] == problem.pointer and label["keyword"] == problem.keyword


def test_klass_and_responses(v1, klass, capsys, data_dir):
    for p in _lines(capsys, "--count", "30", "--klass", str(data_dir / "klass.yaml")):
        assert set(p.get("customAttributes", {})) <= klass.attributes
    validator = validator_for(v1, "response")
    assert all(validator.is_valid(r) for r in _lines(capsys, "--kind", "response", "--count", "20"))


def test_sequences_have_a_runnable_javascript_twin(tmp_path, capsys):
    assert main(["fixtures", "--kind", "sequence", "--count", "3", "--out", str(tmp_path)]) == 0
    js = (tmp_path / "sequence-0001.js").read_text()
    assert "await call('start'" in js and js.rstrip().endswith("})();")
    case = json.loads((tmp_path / "sequence-0001.json").read_text())
    assert set(case) == {"tokens", "steps"}


def test_bad_spec_is_a_usage_error(capsys):
    assert main(["fixtures", "--spec", "v9"]) == 2
    assert "no such spec" in capsys.readouterr().err

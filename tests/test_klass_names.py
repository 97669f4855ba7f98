"""``check --klass`` refuses a Klass file holding a name ``validate`` would refuse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kustomer_contract.cli.main import main
from kustomer_contract.spec.loader import load_klass, load_spec
from kustomer_contract.spec.types import SpecError

ROOT = Path(__file__).resolve().parent.parent
HINT = "is not a Klass attribute name"  # the spec's own x-hints text for propertyNames


@pytest.mark.parametrize(
    "text, line, key, name",
    [
        ("# colours\nattributes:\n  - favoriteColorStr\n  - favoriteColor\n", 4, "attributes/1",
         "favoriteColor"),
        ("attributes: [vipBool, last_order_at]\n", 1, "attributes/1", "last_order_at"),
        ("attributes: [vipBool]\nklasses:\n  conversation:\n    - topicStr\n    - 2ndTryBool\n",
         5, "klasses/conversation/1", "2ndTryBool"),
    ],
)  # fmt: skip
def test_check_refuses_a_badly_named_klass_attribute(tmp_path, capsys, text, line, key, name):
    path = tmp_path / "klass.yaml"
    path.write_text(text)
    code = main(["check", "--klass", str(path), "--only", "rejects-invalid"])
    err = capsys.readouterr().err
    assert code == 2
    [message] = err.splitlines()
    assert message.startswith(f'kustomer-contract: error: {path}:{line}: {key}: "{name}" {HINT}')
    assert "Traceback" not in err


def test_the_message_is_validates(tmp_path, v1):
    # the same words validate prints for a payload using the name
    from kustomer_contract.spec.schemas import validator_for

    path = tmp_path / "k.yaml"
    path.write_text("attributes: [favoriteColor]\n")
    with pytest.raises(SpecError) as raised:
        load_klass(path, v1)
    [problem] = validator_for(v1).problems({"customAttributes": {"favoriteColor": None}})
    assert raised.value.message == problem.message


def test_the_rule_comes_from_the_spec(tmp_path, v1):
    # A spec whose naming rule differs judges the same file differently: nothing is hard-coded.
    import copy

    path = tmp_path / "k.yaml"
    path.write_text("attributes: [favoriteColor]\n")
    methods = {}
    for name, m in v1.methods.items():
        if m.klass is None:
            methods[name] = m
            continue
        schema = copy.deepcopy(m.options_schema)
        schema["properties"]["customAttributes"]["propertyNames"]["pattern"] = "^[a-z][A-Za-z]*$"
        methods[name] = m._replace(options_schema=schema)
    loose = v1._replace(methods=methods)
    assert load_klass(path, loose).attributes == {"favoriteColor"}
    with pytest.raises(SpecError):
        load_klass(path, v1)


def test_good_klass_files_still_load(v1):
    for name in ("klass.yaml", "klass_conversation.yaml"):
        klass = load_klass(ROOT / "tests" / "gallery" / name, v1)
        assert "favoriteColorStr" in klass.attributes
    assert load_klass(ROOT / "tests" / "gallery" / "klass.yaml", load_spec("v2")).attributes


def test_check_exits_2_as_a_process(tmp_path):
    path = tmp_path / "klass.yaml"
    path.write_text("attributes:\n  - favoriteColor\n")
    done = subprocess.run(
        [sys.executable, "-m", "kustomer_contract.cli", "check", "--klass", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert f'{path}:2: attributes/0: "favoriteColor" {HINT}' in done.stderr
    assert done.stdout == "" or "Traceback" not in done.stdout

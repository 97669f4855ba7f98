"""Specs as a product: the v2 spec, deprecations, spec diff / lint / export, explain."""

import argparse
import json
import shutil
from pathlib import Path

import pytest
import yaml

from kustomer_contract.cli import spec_commands
from kustomer_contract.spec.deprecations import deprecations, deprecations_in
from kustomer_contract.spec.diff import CALLERS, IMPLEMENTERS, diff
from kustomer_contract.spec.explain import entries, explain
from kustomer_contract.spec.lint import lint
from kustomer_contract.spec.loader import load_spec, specs_dir
from kustomer_contract.spec.schemas import validator_for

BROKEN = Path(__file__).parent / "data" / "broken_specs"
DESCRIBE = "/methods/describeCustomer"
ATTRS = f"{DESCRIBE}/options/properties/attributes/properties"
SHARED = ("sharedEmails", "sharedPhones", "sharedSocials")
OLD = ("emails", "phones", "socials")


def cli(capsys, *argv):
    parser = argparse.ArgumentParser(prog="kustomer-contract")
    spec_commands.register(parser.add_subparsers(dest="command"))
    code = spec_commands.run(parser.parse_args(list(argv)))
    out, err = capsys.readouterr()
    return code, out, err


# --- v2 and deprecations -------------------------------------------------------------------


def test_v2_loads_and_accepts_both_key_sets():
    v2 = load_spec("v2")
    assert v2.name == "v2"
    assert list(v2.guarantees) == list(load_spec("v1").guarantees)
    v = validator_for(v2)
    payload = {
        "attributes": {
            "sharedEmails": ["marsha@example.com"],
            "sharedPhones": ["+1 555 555 5555"],
            "sharedSocials": [{"username": "marsha", "type": "twitter"}],
            "emails": ["greg@example.com"],
        }
    }
    assert v.problems(payload) == []
    outputs = {r.input: r.output for r in v2.target.reflects}
    assert outputs["/attributes/sharedEmails"] == outputs["/attributes/emails"] == "/emails"
    assert outputs["/attributes/sharedPhones"] == "/phones"
    assert outputs["/attributes/sharedSocials"] == "/socials"


def test_v2_hints_do_not_send_shared_keys_to_v2():
    text = (specs_dir() / "v2" / "methods" / "describeCustomer.yaml").read_text()
    assert "--spec v2" not in text
    (problem,) = validator_for(load_spec("v2")).problems({"attributes": {"sharedEmail": []}})
    assert problem.keyword == "additionalProperties" and "--spec v2" not in problem.message
    # v1 still points v2 payloads at --spec v2
    (problem,) = validator_for(load_spec("v1")).problems({"attributes": {"sharedEmails": []}})
    assert "--spec v2" in problem.message


def test_deprecations_are_warnings_with_the_hint():
    v2 = load_spec("v2")
    payload = {
        "attributes": {"emails": ["a@example.com"], "sharedPhones": ["5555555555"], "socials": []}
    }
    assert validator_for(v2).problems(payload) == []
    found = deprecations(v2, payload)
    assert [(p.pointer, p.keyword) for p in found] == [
        ("/attributes/emails", "deprecated"),
        ("/attributes/socials", "deprecated"),
    ]
    assert "use sharedEmails" in found[0].message
    assert deprecations(v2, {"attributes": {"sharedEmails": ["a@example.com"]}}) == []
    assert deprecations(load_spec("v1"), payload) == []


def test_deprecations_walk_refs_items_and_patterns():
    schema = {
        "type": "object",
        "properties": {"list": {"type": "array", "items": {"$ref": "#/$defs/old"}}},
        "patternProperties": {"Old$": {"deprecated": True}},
        "$defs": {"old": {"deprecated": True, "x-hints": {"deprecated": "use new"}}},
    }
    found = deprecations_in(schema, {"list": [1, 2], "fooOld": 1, "bar": 2})
    assert [p.pointer for p in found] == ["/fooOld", "/list/0", "/list/1"]
    assert found[1].message == '"0" is deprecated: use new'


# --- diff ----------------------------------------------------------------------------------


def test_v1_to_v2_diff():
    changes = diff("v1", "v2")
    by_pointer = {}
    for c in changes:
        by_pointer.setdefault(c.pointer, []).append(c)
    for key in SHARED:
        (c,) = by_pointer[f"{ATTRS}/{key}"]
        assert c.breaking_for == (IMPLEMENTERS,)
        assert c.change == "added" and "implementations must accept it" in c.message
        assert key in c.message
    for key in OLD:
        (c,) = by_pointer[f"{ATTRS}/{key}/deprecated"]
        assert not c.breaking
    assert not any(CALLERS in c.breaking_for for c in changes)
    reflects = [c for c in changes if "/reflects/" in c.pointer]
    assert len(reflects) == 3 and all(c.breaking_for == (IMPLEMENTERS,) for c in reflects)
    # v2 is v1 plus the shared* keys: nothing else may drift apart
    assert sum(c.breaking for c in changes) == 6


def test_v2_to_v1_breaks_callers():
    changes = diff("v2", "v1")
    removed = [c for c in changes if c.pointer in {f"{ATTRS}/{k}" for k in SHARED}]
    assert len(removed) == 3 and all(CALLERS in c.breaking_for for c in removed)


def _variant(tmp_path, name, edits):
    target = tmp_path / name
    shutil.copytree(specs_dir() / "v1", target)
    for file, old, new in edits:
        path = target / file
        text = path.read_text()
        assert old in text, old
        path.write_text(text.replace(old, new, 1))
    return str(target)


def test_diff_judges_by_role(tmp_path):
    d = "methods/describeCustomer.yaml"
    c = "contract.yaml"
    other = _variant(
        tmp_path,
        "other",
        [
            (d, "      maxLength: 254\n", "      maxLength: 100\n"),  # options narrowed
            (
                d,
                "  required: [customerId, emails, phones, socials]",
                "  required: [customerId, emails, phones]",
            ),  # response requirement removed
            (
                d,
                "          enum: [facebook, twitter, instagram, linkedin, pinterest]\n          x-hints",
                "          enum: [facebook, twitter, instagram, linkedin, pinterest, tiktok]\n          x-hints",
            ),
            (
                d,
                "    custom:\n      type: object",
                "    custom:\n      type: object\n    plan:\n      type: string",
            ),
            (c, "  merge: append", "  merge: replace"),
            (
                c,
                "  - id: no-lost-update\n    text: describes in flight at the same time all end up applied\n",
                "",
            ),
            (
                c,
                "    method: describeCustomer\n    after: login",
                "    method: describeCustomer\n    after: start",
            ),
        ],
    )
    changes = {(c.pointer, c.change): c for c in diff("v1", other)}
    opt = f"{DESCRIBE}/options"
    assert changes[(f"{opt}/$defs/email/maxLength", "changed")].breaking_for == (
        CALLERS,
        IMPLEMENTERS,
    )
    assert changes[(f"{DESCRIBE}/response/required", "removed")].breaking_for == (CALLERS,)
    enum = changes[(f"{opt}/$defs/social/properties/type/enum", "added")]
    assert enum.breaking_for == (IMPLEMENTERS,) and "tiktok" in enum.message
    plan = changes[(f"{DESCRIBE}/response/properties/plan", "added")]
    assert plan.breaking_for == (IMPLEMENTERS,)
    assert changes[("/policies/merge", "changed")].breaking_for == (CALLERS, IMPLEMENTERS)
    assert changes[("/guarantees/12", "removed")].breaking_for == (CALLERS,)
    assert changes[("/rules/1", "changed")].breaking
    # and the reverse: options widened -> implementers
    back = {(c.pointer, c.change): c for c in diff(other, "v1")}
    assert back[(f"{opt}/$defs/email/maxLength", "changed")].breaking_for == (IMPLEMENTERS,)
    assert back[(f"{DESCRIBE}/response/required", "added")].breaking_for == (IMPLEMENTERS,)


def test_diff_cli(capsys):
    code, out, _ = cli(capsys, "spec", "diff", "v1", "v2")
    assert code == 1
    assert (
        f"BREAKING for implementers  {ATTRS}/sharedEmails: added: property sharedEmails added "
        "to options /attributes: implementations must accept it" in out.splitlines()
    )
    code, out, _ = cli(capsys, "spec", "diff", "v1", "v2", "--json")
    data = json.loads(out)
    assert code == 1 and data["breaking"] and data["breaking_for_callers"] == 0
    assert cli(capsys, "spec", "diff", "v2", "v2")[0] == 0
    code, _, err = cli(capsys, "spec", "diff", "v1", "v9")
    assert code == 2 and "no such spec" in err


# --- lint ----------------------------------------------------------------------------------

EXPECTED_LINT = {
    "bad_policy": ("contract.yaml", "/policies/merge", "is not one of"),
    "bad_reflects_input": (
        "describeCustomer.yaml",
        "/methods/describeCustomer/reflects/1/input",
        "'/attributes/phone'",
    ),
    "bad_regex": (
        "describeCustomer.yaml",
        "/methods/describeCustomer/options/$defs/email/pattern",
        "does not compile",
    ),
    "dangling_ref": ("describeCustomer.yaml", f"{ATTRS}/phones/items/$ref", "$ref to nothing"),
    "duplicate_guarantee": ("contract.yaml", "/guarantees/12/id", "used twice"),
    "missing_ref_file": ("contract.yaml", "/methods/logout/$ref", "no such file"),
    "unknown_generator": (
        "describeCustomer.yaml",
        "/methods/describeCustomer/options/$defs/email/x-generate",
        "'e-mail'",
    ),
    "unknown_rule_method": ("contract.yaml", "/rules/1/method", "'describeCustomers'"),
}


def test_every_broken_spec_has_a_case():
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(EXPECTED_LINT)


@pytest.mark.parametrize("name", sorted(EXPECTED_LINT))
def test_lint_finds_the_fault(name):
    file, key, needle = EXPECTED_LINT[name]
    result = lint(BROKEN / name)
    assert not result.unreadable
    (problem,) = result.problems
    assert Path(problem.file).name == file and problem.key == key and needle in problem.message
    assert problem.line > 0
    line = Path(problem.file).read_text().splitlines()[problem.line - 1]
    assert key.rsplit("/", 1)[-1].lstrip("$") in line or key.endswith("/id")


def test_lint_reports_several_problems(tmp_path):
    spec = _variant(
        tmp_path,
        "many",
        [
            ("contract.yaml", "  merge: append", "  merge: overwrite"),
            ("contract.yaml", "    method: start\n", "    method: begin\n"),
            ("methods/describeCustomer.yaml", "x-generate: username", "x-generate: handle"),
        ],
    )
    keys = {p.key for p in lint(spec).problems}
    assert {"/policies/merge", "/rules/0/method"} <= keys
    assert any(k.endswith("/x-generate") for k in keys)


def test_lint_cli(capsys):
    code, out, _ = cli(capsys, "spec", "lint", "v1", "v2", str(specs_dir() / "v2"))
    assert code == 0 and out == ""
    code, out, _ = cli(capsys, "spec", "lint", str(BROKEN / "dangling_ref"))
    assert code == 1
    assert "describeCustomer.yaml:27: " in out and "$ref to nothing" in out
    code, _, _ = cli(capsys, "spec", "lint", str(BROKEN / "nope"))
    assert code == 2
    code, out, _ = cli(capsys, "spec", "lint", "--json", str(BROKEN / "bad_policy"))
    assert code == 1 and json.loads(out)[0]["problems"][0]["key"] == "/policies/merge"


# --- export --------------------------------------------------------------------------------


def _walk_keys(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from _walk_keys(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk_keys(v)


def test_export_is_standalone_json_schema(capsys):
    from jsonschema import Draft202012Validator

    code, out, _ = cli(capsys, "spec", "export", "--schema", "options", "--spec", "v2")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "$defs" in schema and "email" in schema["$defs"]
    assert not any(k.startswith("x-") for k in _walk_keys(schema))
    Draft202012Validator.check_schema(schema)
    v = Draft202012Validator(schema)
    assert v.is_valid({"attributes": {"sharedEmails": ["a@example.com"]}})
    assert not v.is_valid({"attributes": {"sharedEmails": ["nope"]}})
    code, out, _ = cli(capsys, "spec", "export", "--schema", "options", "--keep-extensions")
    assert (
        "x-hints" in out
        and "sharedEmails" not in json.loads(out)["properties"]["attributes"]["properties"]
    )
    code, out, _ = cli(capsys, "spec", "export", "--schema", "response")
    assert code == 0 and "customerId" in json.loads(out)["required"]
    code, out, _ = cli(capsys, "spec", "export", "--schema", "options", "--method", "login")
    assert code == 0 and json.loads(out)["required"] == ["jwtToken"]
    assert cli(capsys, "spec", "export", "--schema", "response", "--method", "login")[0] == 2
    assert cli(capsys, "spec", "export", "--schema", "options", "--method", "nope")[0] == 2


# --- explain -------------------------------------------------------------------------------

KEYWORDS = [
    "type",
    "pattern",
    "maxLength",
    "minLength",
    "enum",
    "required",
    "additionalProperties",
    "propertyNames",
    "format",
    "klass",
    "deprecated",
]
OBLIGATIONS = ["start-first", "describe-after-login", "valid-options", "klass-attributes"]


def test_everything_can_be_explained():
    contract = yaml.safe_load((specs_dir() / "v1" / "contract.yaml").read_text())
    ids = [g["id"] for g in contract["guarantees"]] + [r["id"] for r in contract["rules"]]
    for id_ in ids + KEYWORDS + OBLIGATIONS:
        entry = explain(id_)
        assert entry is not None, id_
        assert entry.meaning and entry.why and entry.source and entry.right and entry.wrong
    assert {e.kind for e in entries().values()} == {"guarantees", "obligations", "errors"}


def test_explain_cli(capsys):
    code, out, _ = cli(capsys, "explain", "start-first")
    assert code == 0 and "Right:" in out and "Wrong:" in out and "kustomer-describe-customer" in out
    code, out, err = cli(capsys, "explain", "no-such-id")
    assert code == 2 and "reflects-input" in err and "additionalProperties" in err
    code, out, _ = cli(capsys, "explain")
    assert code == 0 and "no-lost-update" in out

"""The spec loader: the bundled spec, and broken specs refused with file, line and key."""

import shutil
from pathlib import Path

import pytest

from kustomer_contract.spec.loader import load_klass, load_spec, specs_dir
from kustomer_contract.spec.types import SpecError

DESIGN_GUARANTEES = [
    "accepts-valid",
    "response-conforms",
    "callback-once",
    "error-is-exception",
    "reflects-input",
    "keeps-earlier-data",
    "stable-identity",
    "rejects-invalid",
    "rejects-unknown-custom",
    "not-before-start",
    "input-untouched",
    "callback-optional",
    "no-lost-update",
]


def test_v1_has_every_guarantee_of_the_design(v1):
    assert list(v1.guarantees) == DESIGN_GUARANTEES
    assert v1.target.name == "describeCustomer"
    assert {m.role for m in v1.methods.values()} == {"start", "identify", "forget", "describe"}
    assert v1.merge == "append"
    assert [r.id for r in v1.rules] == ["start-first", "describe-after-login"]


def test_engine_names_no_kustomer_field():
    # All Kustomer knowledge lives in specs/: the engine never names a field.
    package = Path(__file__).resolve().parent.parent / "kustomer_contract"
    engine = [p for p in package.rglob("*.py") if "reference" not in p.parts]
    for path in engine:
        text = path.read_text()
        for field in ("emails", "phones", "socials", "customerId", "customAttributes"):
            assert field not in text, f"{path.name} names {field}"


@pytest.fixture
def spec_copy(tmp_path):
    target = tmp_path / "spec"
    shutil.copytree(specs_dir() / "v1", target)
    shutil.copy(specs_dir() / "meta-schema.yaml", tmp_path / "meta-schema.yaml")
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_a_copied_spec_loads_by_path(spec_copy):
    assert load_spec(spec_copy).name == "v1"
    assert load_spec(spec_copy / "contract.yaml").target.name == "describeCustomer"


@pytest.mark.parametrize(
    ("file", "old", "new", "key", "words"),
    [
        (
            "methods/login.yaml",
            "role: identify",
            "role: identity",
            "/methods/login/role",
            "is not one of",
        ),
        (
            "contract.yaml",
            "target: describeCustomer",
            "target: describeCustomr",
            "/target",
            "not one of the methods",
        ),
        (
            "contract.yaml",
            "after: login",
            "after: logon",
            "/rules/1/after",
            "no method of this spec defines",
        ),
        (
            "contract.yaml",
            "  - id: input-untouched",
            "  - id: accepts-valid",
            "/guarantees/10/id",
            "used twice",
        ),
        (
            "methods/describeCustomer.yaml",
            "pattern: '^\\+?",
            "pattern: '^(\\+?",
            "pattern",
            "does not compile",
        ),
        (
            "schemas/custom-attributes.yaml",
            "type: [boolean, 'null']",
            "type: [boolean, 'nul']",
            "/patternProperties/Bool$/type",
            "not a valid JSON Schema",
        ),
        ("contract.yaml", "merge: append", "merge: sometimes", "/policies/merge", "is not one of"),
    ],
)
def test_broken_specs_name_file_line_and_key(spec_copy, file, old, new, key, words):
    _edit(spec_copy / file, old, new)
    with pytest.raises(SpecError) as info:
        load_spec(spec_copy)
    err = info.value
    assert Path(err.file).name == Path(file).name
    assert key in err.key
    assert words in err.message
    assert err.line == _line_of(spec_copy / file, new.strip().split("\n")[0][:20]) or err.line > 0
    assert str(err).startswith(f"{err.file}:{err.line}: ")


@pytest.mark.parametrize(
    ("ref", "words"),
    [
        ("https://example.com/login.yaml", "URL is not allowed"),
        ("../../../etc/passwd", "outside the spec folder"),
        ("methods/nothere.yaml", "no such file"),
        ("methods/login.yaml#/nope", "has no"),
    ],
)
def test_refs_stay_inside_the_spec_folder(spec_copy, ref, words):
    _edit(
        spec_copy / "contract.yaml",
        "login: {$ref: methods/login.yaml}",
        f"login: {{$ref: '{ref}'}}",
    )
    with pytest.raises(SpecError) as info:
        load_spec(spec_copy)
    assert words in info.value.message
    assert info.value.line == _line_of(spec_copy / "contract.yaml", "login: {$ref")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("contract: a\ncontract: b\n", "duplicate key"),
        ("contract: !!python/object/apply:os.system ['true']\n", "not allowed"),
        (
            "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
            "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
            "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
            "alias",
        ),
        ("contract: [unclosed\n", "invalid YAML"),
        ("contract: a\n---\ncontract: b\n", "several YAML documents"),
        ("", "empty"),
    ],
)
def test_hostile_or_broken_yaml(spec_copy, text, words):
    (spec_copy / "contract.yaml").write_text(text)
    with pytest.raises(SpecError) as info:
        load_spec(spec_copy)
    assert words in info.value.message


def test_unknown_spec_name():
    with pytest.raises(SpecError, match="no such spec"):
        load_spec("v9")


def test_klass_file(data_dir, tmp_path):
    assert "vipBool" in load_klass(data_dir / "klass.yaml").attributes
    bad = tmp_path / "klass.yaml"
    bad.write_text("names: [a]\n")
    with pytest.raises(SpecError, match="top-level 'attributes:'"):
        load_klass(bad)
    bad.write_text("attributes: [1, 2]\n")
    with pytest.raises(SpecError, match="list of attribute names"):
        load_klass(bad)


def test_a_spec_and_its_methods_are_equal_only_to_themselves(v1):
    # As when they were dataclasses with eq=False: hashable although they hold dicts, and a
    # copy with the same fields is another spec (caches keyed by a spec must not mix them).
    import pickle

    copy = v1._replace()
    assert v1 == v1 and copy != v1 and not (copy == v1)
    assert len({v1, copy, v1.target, copy.target}) == 3  # the copy shares the target
    assert v1.target == copy.target and v1.target != v1.by_role("start")
    again = pickle.loads(pickle.dumps(v1))  # the disk cache stores specs so
    assert again != v1 and again.document == v1.document and again.target.name == "describeCustomer"
    assert "document" not in repr(v1) and len(repr(v1)) < 300

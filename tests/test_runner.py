"""The runner against implementations that keep the contract in less common ways: no false alarms."""

import threading
from pathlib import Path

import pytest

from kustomer_contract.drivers.python import PythonDriver
from kustomer_contract.engine.search import check_guarantee
from kustomer_contract.reference import KustomerDouble, KustomerError

ROOT = Path(__file__).resolve().parent.parent


class ClaimsTheVisitor(KustomerDouble):
    """A first login takes over the anonymous customer of the moment, as the real SDK may."""

    def login(self, options, callback=None):
        token = repr(options.get("jwtToken")) if isinstance(options, dict) else None
        started = self._started
        error = self._refuse("login", options)

        def finish():
            if error or not started:
                return None, error or KustomerError("not started")
            with self._lock:
                claimed = set(self._by_token.values())
                if token not in self._by_token:
                    self._by_token[token] = (
                        self._current if self._current not in claimed else self._new_customer()
                    )
                self._current = self._by_token[token]
                return {"identified": True}, None

        self._later(finish, callback)


class Synchronous(KustomerDouble):
    """Every callback fires inside the call, before it returns."""

    def _later(self, finish, callback):
        response, error = finish()
        if callback is not None:
            callback(response, error)


class RaisesBeforeStart(KustomerDouble):
    """Refuses early calls by raising at once (allowed) instead of calling back."""

    def describeCustomer(self, options, callback=None):
        if not self._started:
            raise KustomerError("call Kustomer.start first")
        return super().describeCustomer(options, callback)


class SlowStart(KustomerDouble):
    """start takes a while; everything else is quick."""

    def start(self, options=None, callback=None):
        def later():
            KustomerDouble.start(self, options, callback)

        threading.Timer(0.02, later).start()


@pytest.mark.parametrize("impl", [ClaimsTheVisitor, Synchronous, RaisesBeforeStart, SlowStart])
@pytest.mark.parametrize(
    "guarantee", ["stable-identity", "not-before-start", "keeps-earlier-data", "no-lost-update"]
)
def test_conformant_variants_pass(v1, impl, guarantee):
    driver = PythonDriver(impl, v1)
    result = check_guarantee(v1, driver, guarantee, max_examples=25, seed=11)
    assert result.status == "passed", result.failure and result.failure.violation


class ConversationsShareOneRecord(KustomerDouble):
    """describeConversation stores every conversation's attributes in one place."""

    def _record_for(self, method, options):
        self._names.setdefault("one", None)
        self._customers.setdefault("one", {})
        return "one"


class WithoutConversations:
    """A describeCustomer-only implementation: the optional method is simply not checked."""

    def __init__(self):
        self._inner = KustomerDouble()

    def __getattr__(self, name):
        if name == "describeConversation":
            raise AttributeError(name)
        return getattr(self._inner, name)


def test_describe_conversation_is_checked_from_yaml_alone(v1):
    assert [m.name for m in v1.describes] == ["describeCustomer", "describeConversation"]
    driver = PythonDriver(KustomerDouble, v1)
    instance = driver.new_instance()
    assert driver.has_method(instance, "describeConversation")
    for guarantee in (
        "reflects-input",
        "rejects-unknown-custom",
        "no-lost-update",
        "stable-identity",
    ):
        result = check_guarantee(v1, driver, guarantee, max_examples=20, seed=3)
        assert result.status == "passed", result.failure and result.failure.violation


def test_a_broken_conversation_record_is_caught(v1):
    driver = PythonDriver(ConversationsShareOneRecord, v1)
    # Found, not shrunk far: shrinking (500 cases by default) would be most of this test.
    result = check_guarantee(
        v1, driver, "stable-identity", max_examples=60, seed=3, shrink_budget=20
    )
    assert result.status == "failed"
    assert result.failure.violation.call.startswith("describeConversation(")


def test_an_implementation_without_the_optional_method(v1):
    from kustomer_contract.engine.session import Session, Settings

    session = Session(Settings(impl="tests.test_runner:WithoutConversations", max_examples=5))
    assert session.methods == ("describeCustomer",) and session.skipped == ["describeConversation"]
    assert session.check("reflects-input").status == "passed"


def test_a_new_describe_method_needs_yaml_only(tmp_path):
    """Add describeCompany to a copy of v1 as YAML: the engine and the reference check it as is."""
    import shutil

    from kustomer_contract.spec.loader import load_spec, specs_dir

    spec_dir = tmp_path / "spec"
    shutil.copytree(specs_dir() / "v1", spec_dir)
    shutil.copy(specs_dir() / "meta-schema.yaml", tmp_path / "meta-schema.yaml")
    method = (spec_dir / "methods" / "describeConversation.yaml").read_text()
    (spec_dir / "methods" / "describeCompany.yaml").write_text(
        method.replace("conversationId", "companyId").replace(
            "klass_name: conversation", "klass_name: company"
        )
    )
    contract = spec_dir / "contract.yaml"
    contract.write_text(contract.read_text().replace(
        "  describeConversation: {$ref: methods/describeConversation.yaml}\n",
        "  describeConversation: {$ref: methods/describeConversation.yaml}\n"
        "  describeCompany: {$ref: methods/describeCompany.yaml}\n",
    ))  # fmt: skip
    spec = load_spec(spec_dir)
    assert [m.name for m in spec.describes] == [
        "describeCustomer",
        "describeConversation",
        "describeCompany",
    ]
    driver = PythonDriver(lambda: KustomerDouble(spec), spec)
    for guarantee in ("reflects-input", "rejects-invalid", "keeps-earlier-data"):
        result = check_guarantee(spec, driver, guarantee, max_examples=15, seed=5)
        assert result.status == "passed", result.failure and result.failure.violation
    result = check_guarantee(spec, PythonDriver(lambda: ConversationsShareOneRecord(spec), spec),
                             "stable-identity", max_examples=40, seed=5,
                             shrink_budget=20)  # fmt: skip
    assert result.status == "failed"


def test_a_wrongly_accepted_unknown_name_is_not_blamed_on_not_before_start():
    """Its value may show up afterwards: that is rejects-unknown-custom's finding alone, even
    when the same value was also described before start (where it must never land)."""
    from kustomer_contract.engine.search import replay_case

    conversation = "000000000000000000000726"
    case = {"tokens": [], "steps": [
        {"action": "describe-before-start", "method": "describeConversation", "options": {
            "conversationId": conversation, "customAttributes": {"escalatedBool": False}}},
        {"action": "describe-unknown", "method": "describeConversation", "options": {
            "conversationId": conversation,
            "customAttributes": {"escalatedBool": False, "favoriteColorStr": ""}},
         "label": {"pointer": "/customAttributes/favoriteColorStr", "keyword": "klass",
                   "message": ""}},
    ]}  # fmt: skip
    result = replay_case(
        "tests.gallery.ignores_conversation_klass:make",
        case,
        klass=str(ROOT / "tests" / "gallery" / "klass_conversation.yaml"),
    )
    assert {v.guarantee for v in result.violations} == {"rejects-unknown-custom"}, result.explain()

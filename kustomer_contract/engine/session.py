"""One configured contract run, shared by the CLI and the pytest plugin."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ..drivers.base import Driver, ImplementationError, Kind
from ..drivers.targets import open_driver
from ..spec.bindings import ASYNC_BINDING, DEFAULT_BINDING, Binding, load_binding
from ..spec.loader import load_klass, load_spec
from ..spec.types import Klass, Spec
from .results import GuaranteeResult
from .search import check_guarantee
from .settings import (
    DEFAULT_GRACE,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_SPEC,
    DEFAULT_TIMEOUT,
    SHRINK_BUDGET,
)

REFERENCE = "kustomer_contract.reference:make"


@dataclass
class Settings:
    """What a user chose; every field has a CLI flag and a pytest option of the same name."""

    impl: str | None = None  # module:attribute; None means the bundled reference double
    node: str | None = None  # a JavaScript module run with Node, instead of impl
    browser: str | None = None  # a page (loopback URL or HTML file) defining window.Kustomer
    spec: str = DEFAULT_SPEC
    # How the implementation is called: web, core, promise or a binding file's path. None:
    # web, or promise when every method of the implementation turns out to be async.
    binding: str | None = None
    klass: str | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    grace: float = DEFAULT_GRACE  # seconds a callback is still watched for a second call
    only: list[str] = field(default_factory=list)
    shrink_budget: int = SHRINK_BUDGET  # cases tried to shrink a failure (a count: deterministic)


class Session:
    """Loads the spec, the Klass and the implementation once; checks guarantees one by one.

    Raises ``SpecError`` or ``ImplementationError`` for what the user must fix (exit code 2).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.spec: Spec = load_spec(settings.spec)
        self.klass: Klass | None = load_klass(settings.klass, self.spec) if settings.klass else None
        self.seed = settings.seed if settings.seed is not None else random.randrange(2**32)
        kind: Kind = "page" if settings.browser else "node" if settings.node else "python"
        self.impl: str = settings.browser or settings.node or settings.impl or REFERENCE
        self.binding: Binding = load_binding(settings.binding or DEFAULT_BINDING, self.spec)
        self.binding_found: str | None = None  # what made us pick the binding, when not told
        self.driver: Driver = open_driver(
            self.impl, self.spec, self.klass, kind, binding=self.binding
        )
        self._coverage: Any = None
        unknown = [g for g in settings.only if g not in self.spec.guarantees]
        if unknown:
            raise ImplementationError(
                f"unknown guarantee(s) {', '.join(unknown)}; the spec has {', '.join(self.spec.guarantees)}"
            )
        self.use_driver(self.driver)

    def use_driver(self, driver: Driver) -> None:
        """Check through ``driver``; fails early and clearly if its factory is broken."""
        self.driver = driver
        instance = driver.new_instance()
        if self.settings.binding is None:
            self._detect_binding(instance)
        surface = driver.binding
        # Optional methods (describeConversation) are checked where the implementation has them.
        self.methods = tuple(
            m.name
            for m in self.spec.describes
            if driver.has_method(instance, surface.surface(self.spec, m).method)
        )
        self.skipped = [m.name for m in self.spec.describes if m.name not in self.methods]

    def _detect_binding(self, instance: Any) -> None:
        """An implementation whose every method is async is called as the promise binding
        (said in the header); one with some async methods stays on web, whose verdict says
        which method returned an awaitable instead of calling back."""
        found = set(self.driver.async_methods(instance))
        required = [m.name for m in self.spec.methods.values() if not m.optional]
        if found and all(name in found for name in required):
            self.binding = load_binding(ASYNC_BINDING, self.spec)
            self.driver.binding = self.binding
            self.binding_found = "found: promise-returning methods"

    @property
    def guarantees(self) -> list[str]:
        return [
            g for g in self.spec.guarantees if not self.settings.only or g in self.settings.only
        ]

    def coverage(self) -> Any:
        """What the checks run so far exercised of the contract (created on first use)."""
        if self._coverage is None:
            from .coverage import CoverageRecorder

            self._coverage = CoverageRecorder(self.spec, self.methods, self.klass)
        return self._coverage

    def check(self, guarantee: str, on_case: Any = None, on_failure: Any = None) -> GuaranteeResult:
        recorder = self.coverage()

        def seen(name: str, case: Any) -> None:
            recorder.record(name, case)
            if on_case:
                on_case(name, case)

        s = self.settings
        return check_guarantee(
            self.spec,
            self.driver,
            guarantee,
            klass=self.klass,
            max_examples=s.max_examples,
            seed=self.seed,
            timeout=s.timeout,
            grace=s.grace,
            shrink_budget=s.shrink_budget,
            on_case=seen,
            methods=self.methods,
            on_failure=on_failure,
        )

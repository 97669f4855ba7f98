"""What checking produces: a case's result, the minimal failure, a guarantee's verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..generate.cases import Case
from .checks import Violation

# passed: no case broke it; failed: one did (``failure``); blocked: cases could not get far
# enough to judge it (``blocked_by``); error: the check itself could not run (``error``);
# not-checkable: the binding's surface cannot show it (``reason``), neither passed nor failed.
Status = Literal["passed", "failed", "blocked", "error", "not-checkable"]
NOT_FAILURES: frozenset[str] = frozenset({"passed", "not-checkable"})


@dataclass
class TimedCall:
    """One call of a case on the clock (``time.monotonic()``): made at ``began``, returned at
    ``returned``, during case step ``step`` (None: start, or a read after the steps). When
    its callback (or its Promise / return) came is its probe's (``Probe.calls``), read when
    asked, so a second call that came after the case shows too."""

    call: str
    began: float
    returned: float
    step: int | None = None
    probe: Any = field(default=None, repr=False, compare=False)  # None: no callback passed
    hung: bool = False
    raised: bool = False

    @property
    def settled(self) -> list[float]:
        return [at for at, _ in self.probe.calls] if self.probe is not None else []


@dataclass
class CaseResult:
    violations: list[Violation] = field(default_factory=list)
    blocked: str | None = None  # why the case stopped early, if it did
    transcript: list[str] = field(default_factory=list)
    # Every call, on the clock (left out of repr and ==: times differ from run to run).
    timeline: list[TimedCall] = field(default_factory=list, repr=False, compare=False)

    def of(self, guarantee: str) -> list[Violation]:
        return [v for v in self.violations if v.guarantee == guarantee]

    def explain(self, guarantee: str | None = None) -> str:
        found = self.of(guarantee) if guarantee else self.violations
        lines = [
            f"{v.guarantee}: {v.call}: expected {v.expected}; observed {v.observed}" for v in found
        ]
        return "\n".join(lines + ["calls:"] + self.transcript)


@dataclass
class Failure:
    """The smallest failing case hypothesis found for a guarantee."""

    guarantee: str
    violation: Violation
    case: Case  # as generated, before the implementation could touch its options
    transcript: list[str]
    seed: int
    shrink_stopped: bool = False  # the shrink budget ran out: the case may not be minimal
    timeline: list[TimedCall] = field(default_factory=list, repr=False, compare=False)


@dataclass
class GuaranteeResult:
    guarantee: str
    status: Status
    cases: int
    seconds: float
    failure: Failure | None = None
    blocked_by: str | None = None
    error: str | None = None
    shrink_budget: int | None = None  # the budget that applied, named when it ran out
    reason: str | None = None  # why it is not checkable through this surface

    @property
    def kept(self) -> bool:
        """Not a failure: passed, or not checkable through this surface (said so)."""
        return self.status in NOT_FAILURES

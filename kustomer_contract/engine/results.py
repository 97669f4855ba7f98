"""What checking produces: a case's result, the minimal failure, a guarantee's verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..generate.cases import Case
from .checks import Violation

# passed: no case broke it; failed: one did (``failure``); blocked: cases could not get far
# enough to judge it (``blocked_by``); error: the check itself could not run (``error``);
# not-checkable: the binding's surface cannot show it (``reason``), neither passed nor failed.
Status = Literal["passed", "failed", "blocked", "error", "not-checkable"]
NOT_FAILURES: frozenset[str] = frozenset({"passed", "not-checkable"})


@dataclass
class CaseResult:
    violations: list[Violation] = field(default_factory=list)
    blocked: str | None = None  # why the case stopped early, if it did
    transcript: list[str] = field(default_factory=list)

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

"""What every ``check`` output format shares: the run it reports, and the report interface.

A format is told when the run starts (the text header shows at once), when it is
interrupted (the guarantees done so far) and when it is done. What a failure says, the table
and the JSON document come from ``report.reproducers``, through the run's binding, so every
format says the same thing.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from ...engine.results import GuaranteeResult
from ..reproducers import failure_text, replayer, table, to_json

__all__ = [
    "TOOL",
    "CheckReport",
    "CheckRun",
    "counts",
    "escape_controls",
    "status_note",
    "verdict_line",
]

TOOL = "kustomer-contract"


@dataclass
class CheckRun:
    """One ``check`` run: its session (spec, implementation, settings, seed, binding,
    driver, coverage) and the verdicts so far."""

    session: Any  # engine.session.Session
    results: list[GuaranteeResult] = field(default_factory=list)
    seconds: float = 0.0
    coverage: bool = False  # --coverage: the formats that have a place for it show it
    interrupted_at: str | None = None  # the guarantee being checked when Ctrl-C came

    @property
    def spec(self) -> Any:
        return self.session.spec

    @property
    def settings(self) -> Any:
        return self.session.settings

    @property
    def failed(self) -> list[GuaranteeResult]:
        return [r for r in self.results if not r.kept]

    def replay(self, guarantee: str) -> str:
        """The command that reruns ``guarantee`` with every option that decided it."""
        return replayer(self.session)(guarantee)

    def failure_text(self, result: GuaranteeResult) -> str:
        """Everything a person needs to understand and reproduce one failed guarantee."""
        return failure_text(
            self.session.spec,
            result,
            impl=self.session.impl,
            klass=self.settings.klass,
            replay=self.replay(result.guarantee),
            timeout=self.settings.timeout,
            grace=self.settings.grace,
            binding=self.session.binding,
        )

    def table(self) -> str:
        return table(self.results)

    def document(self) -> dict[str, Any]:
        """The JSON report (``--json``): the run, each verdict, each failure's reproducers,
        and with ``--coverage`` its figure and what was missed."""
        document = to_json(
            self.session.spec,
            self.results,
            impl=self.session.impl,
            klass=self.settings.klass,
            seed=self.session.seed,
            timeout=self.settings.timeout,
            grace=self.settings.grace,
            replay=replayer(self.session),
            binding=self.session.binding,
        )
        if self.coverage:
            cov = self.contract_coverage()
            document["coverage"] = {"percent": round(cov.percent(), 1), "missed": cov.missed()}
        return document

    def contract_coverage(self) -> Any:
        """What the run exercised of the contract (``engine.coverage.Coverage``)."""
        return self.session.coverage().coverage

    def header(self) -> list[str]:
        """The lines that open the text report, before any guarantee is checked."""
        s, settings = self.session, self.settings
        lines = [
            f"kustomer-contract check: {s.impl} against spec {s.spec.name} "
            f"({len(s.guarantees)} guarantees, {settings.max_examples} cases each, seed {s.seed})"
        ]
        if settings.binding or s.binding_found:
            how = f" ({s.binding_found})" if s.binding_found else ""
            lines.append(f"  binding: {s.binding.name}{how}: {s.binding.title}")
        if s.driver.shape:
            lines.append(f"  found the implementation as: {s.driver.shape}")
        if s.skipped:
            lines.append(
                f"  not checked: {', '.join(s.skipped)} (optional; the implementation lacks it)"
            )
        return lines


def verdict_line(run: CheckRun) -> str:
    """The last line of the text report: the verdict, the counts, the time and the seed."""
    results, failed = run.results, run.failed
    cases = sum(r.cases for r in results)
    verdict = "the contract holds" if not failed else f"{len(failed)} guarantee(s) not kept"
    unjudged = sum(1 for r in results if r.status == "not-checkable")
    passed = len(results) - len(failed) - unjudged
    aside = f", {unjudged} not checkable through this surface" if unjudged else ""
    return (
        f"{verdict}: {passed}/{len(results)} passed{aside}, {cases} cases in "
        f"{run.seconds:.1f} s (seed {run.session.seed})"
    )


def status_note(result: GuaranteeResult) -> str | None:
    """Why a guarantee was not judged a pass or a failure (blocked, error, not checkable)."""
    if result.status == "blocked":
        return f"not judged: every case stopped early ({result.blocked_by})"
    if result.status == "error":
        return f"the check could not run: {result.error}"
    if result.status == "not-checkable":
        return f"not checkable through this surface: {result.reason}"
    return None


# Characters XML 1.0 cannot hold at all (controls, lone surrogates, U+FFFE/U+FFFF); an
# implementation can put anything in a response, and a failure shows the response.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with what XML 1.0 (and HTML) cannot hold shown as ``\\xNN`` / ``\\uNNNN``."""
    return _NOT_XML.sub(_escape, text)


class CheckReport(ABC):
    """One output format of ``check``: told of the start, an interruption and the end."""

    shows_progress = False  # whether the one-line progress may go to a terminal's stderr

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def say(self, *text: object) -> None:
        print(*text, file=self.out)

    def start(self, run: CheckRun) -> None:  # noqa: B027 - most formats say nothing yet
        """Before the first guarantee is checked."""

    def interrupted(self, run: CheckRun) -> None:  # noqa: B027 - nor when cut short
        """Ctrl-C: ``run.results`` holds the guarantees done so far."""

    @abstractmethod
    def finish(self, run: CheckRun) -> None:
        """Every guarantee is checked: write the report."""


def counts(results: Sequence[GuaranteeResult]) -> dict[str, int]:
    """How many verdicts of each status."""
    out: dict[str, int] = {}
    for r in results:
        out[r.status] = out.get(r.status, 0) + 1
    return out

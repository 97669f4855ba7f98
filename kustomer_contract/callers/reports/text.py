"""``file:line:col: /pointer: message``, one line each, then the summary."""

from __future__ import annotations

from ..._core.payloads import Payload, ReadProblem, Skipped
from .base import Located, Report, Summary, more_text, one_line, pointer_text

__all__ = ["TextReport"]


class TextReport(Report):
    """``file:line:col: /pointer: message``, one line each, then the summary."""

    def read_problem(self, problem: ReadProblem) -> None:
        where = f"{problem.source}:{problem.line}:{problem.col}" if problem.line else problem.source
        self.out.write(one_line(f"{where}: {problem.message}") + "\n")

    def payload(
        self, payload: Payload, problems: list[Located], more: int = 0, capped: bool = False
    ) -> None:
        for (line, col), p in problems:
            text = f"{payload.source}:{line}:{col}: {pointer_text(p.pointer)}: {p.message}"
            self.out.write(one_line(text) + "\n")
        if more > 0:
            self._at_payload(payload, more_text(more, capped=capped))

    def warnings(self, payload: Payload, warnings: list[Located], more: int = 0) -> None:
        for (line, col), w in warnings:
            text = f"{payload.source}:{line}:{col}: warning: {pointer_text(w.pointer)}: {w.message}"
            self.out.write(one_line(text) + "\n")
        if more > 0:
            self._at_payload(payload, "warning: " + more_text(more, "warnings"))

    def _at_payload(self, payload: Payload, text: str) -> None:
        line, col = payload.position("")
        self.out.write(one_line(f"{payload.source}:{line}:{col}: {text}") + "\n")

    def skipped(self, note: Skipped) -> None:
        self.out.write(one_line(f"{note.source}: {note.message}") + "\n")

    def finish(self, summary: Summary, *, spec: str, part: str) -> None:
        self.out.write(summary.line() + "\n")

"""GitHub Actions workflow commands, which the Actions log turns into annotations."""

from __future__ import annotations

from ..._core.payloads import Payload, ReadProblem, Skipped
from .base import TOOL, Located, Report, Summary, more_text, pointer_text

__all__ = ["GithubReport"]


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReport(Report):
    """GitHub Actions workflow commands: ``::error file=F,line=L,col=C,title=...::text``."""

    def _annotate(self, source: str, line: int, col: int, text: str, level: str = "error") -> None:
        props = [f"file={_gh_property(source)}"]
        if line:  # 0 = the whole file: no line to point at
            props.append(f"line={line}")
            if col:
                props.append(f"col={col}")
        props.append(f"title={TOOL}")
        self.out.write(f"::{level} {','.join(props)}::{_gh_data(text)}\n")

    def read_problem(self, problem: ReadProblem) -> None:
        self._annotate(problem.source, problem.line, problem.col, problem.message)

    def payload(
        self, payload: Payload, problems: list[Located], more: int = 0, capped: bool = False
    ) -> None:
        for (line, col), p in problems:
            self._annotate(payload.source, line, col, f"{pointer_text(p.pointer)}: {p.message}")
        if more > 0:
            line, col = payload.position("")
            self._annotate(payload.source, line, col, more_text(more, capped=capped))

    def warnings(self, payload: Payload, warnings: list[Located], more: int = 0) -> None:
        for (line, col), w in warnings:
            text = f"{pointer_text(w.pointer)}: {w.message}"
            self._annotate(payload.source, line, col, text, level="warning")
        if more > 0:
            line, col = payload.position("")
            self._annotate(payload.source, line, col, more_text(more, "warnings"), level="warning")

    def skipped(self, note: Skipped) -> None:
        self._annotate(note.source, 0, 0, note.message, level="notice")

    def finish(self, summary: Summary, *, spec: str, part: str) -> None:
        self.out.write(summary.line() + "\n")

"""One JSON document, written as the payloads are read."""

from __future__ import annotations

import json
from typing import IO, Any

from ..._core.payloads import Payload, ReadProblem, Skipped
from .base import Located, Report, SafeStream, Summary, more_text

__all__ = ["JsonReport"]


class JsonReport(Report):
    """One JSON document, streamed: ``{"problems": [...], "summary": {...}}``."""

    def __init__(self, out: IO[str] | SafeStream, note: IO[str]) -> None:
        super().__init__(out, note)
        self._first = True
        self.out.write('{"problems": [')

    def _entry(self, entry: dict[str, Any]) -> None:
        self.out.write(("\n  " if self._first else ",\n  ") + json.dumps(entry, ensure_ascii=False))
        self._first = False

    def read_problem(self, problem: ReadProblem) -> None:
        self._entry(
            {
                "kind": "unreadable",
                "file": problem.source,
                "payload": None,
                "line": problem.line,
                "col": problem.col,
                "pointer": None,
                "keyword": None,
                "message": problem.message,
            }
        )

    def payload(
        self, payload: Payload, problems: list[Located], more: int = 0, capped: bool = False
    ) -> None:
        for (line, col), p in problems:
            self._entry(
                {
                    "kind": "invalid",
                    "file": payload.source,
                    "payload": payload.index,
                    "line": line,
                    "col": col,
                    "pointer": p.pointer,
                    "keyword": p.keyword,
                    "message": p.message,
                }
            )
        if more > 0:
            line, col = payload.position("")
            self._entry(
                {
                    "kind": "more",
                    "file": payload.source,
                    "payload": payload.index,
                    "line": line,
                    "col": col,
                    "pointer": None,
                    "keyword": None,
                    "message": more_text(more, capped=capped),
                    "count": more,
                    "capped": capped,
                }
            )

    def skipped(self, note: Skipped) -> None:
        self._entry(
            {
                "kind": "skipped",
                "file": note.source,
                "payload": None,
                "line": 0,
                "col": 0,
                "pointer": None,
                "keyword": None,
                "message": note.message,
            }
        )

    def finish(self, summary: Summary, *, spec: str, part: str) -> None:
        tail = {"spec": spec, "as": part, **summary.as_json()}
        self.out.write(("]" if self._first else "\n]") + f',\n"summary": {json.dumps(tail)}}}\n')

"""GitHub Actions workflow commands, which the Actions log turns into annotations, then the
text report.

One ``::error`` per guarantee not kept (failed, or its check could not run), ``::warning``
for a blocked one, ``::notice`` for one not checkable through the binding's surface. A
message's newlines are encoded (``%0A``) as GitHub's rules ask, so each command is one line.
The text report after them is wrapped in ``::stop-commands::``, so that nothing an
implementation put in a response (and so in a failure) is read as a workflow command.
"""

from __future__ import annotations

import os

from ...engine.results import GuaranteeResult
from .base import TOOL, CheckRun, status_note
from .text import TextReport

__all__ = ["GithubReport", "command"]

_LEVEL = {"failed": "error", "error": "error", "blocked": "warning", "not-checkable": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, title: str, message: str) -> str:
    """``::level title=...::message``, escaped so that it is one line whatever it holds."""
    return f"::{level} title={_property(title)}::{_data(message)}"


def _message(run: CheckRun, result: GuaranteeResult) -> str:
    f = result.failure
    if f is None:
        return status_note(result) or result.status
    v = f.violation
    where = "start" if v.step is None else f"step {v.step + 1} of {len(f.case.steps)}"
    return "\n".join(
        [
            f"{run.spec.guarantees.get(result.guarantee, '')}",
            f"call:     {v.call}  ({where})",
            f"expected: {v.expected}",
            f"observed: {v.observed}",
            f"replay:   {run.replay(result.guarantee)}",
        ]
    )


class GithubReport(TextReport):
    """The text report, with an annotation per guarantee not passed before its table."""

    def finish(self, run: CheckRun) -> None:
        for r in run.results:
            level = _LEVEL.get(r.status)
            if level is None:
                continue
            title = f"{TOOL} check: {r.guarantee} {r.status} ({run.spec.name})"
            self.say(command(level, title, _message(run, r)))
        token = f"{TOOL}-{os.urandom(8).hex()}"
        self.say(f"::stop-commands::{token}")
        super().finish(run)
        self.say(f"::{token}::")

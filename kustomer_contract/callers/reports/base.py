"""What every ``validate`` report shares: the run's totals, the report interface, and the
escaping that keeps each message on one line whatever a payload holds."""

from __future__ import annotations

import re
from typing import IO

from ..._core.payloads import Payload, ReadProblem, Skipped
from ...errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, overall
from ...spec.schemas import Problem

__all__ = [
    "MAX_COUNTED",
    "MAX_SHOWN",
    "TOOL",
    "Located",
    "Report",
    "SafeStream",
    "Summary",
    "escape_char",
    "more_text",
    "one_line",
    "pointer_text",
]

TOOL = "kustomer-contract"
Located = tuple[tuple[int, int], Problem]
MAX_SHOWN = 20
"""Most problems (and warnings) reported for one payload; the rest are counted."""
# Distinct problems counted per payload: past it the count says "at least", so a million bad
# keys cost the time and memory of ten thousand.
MAX_COUNTED = 10_000


class Summary:
    """The run's counters, all starting at 0 (a plain class: see ``_core.payloads.base``)."""

    def __init__(self) -> None:
        self.files = 0
        self.payloads = 0
        self.problems = 0
        self.invalid = 0
        self.read_problems = 0
        self.unreadable_files = 0
        self.warnings = 0  # deprecated keys: reported, never a failure
        self.skipped = 0  # FIFOs, devices, directories seen twice: reported, never a failure
        self.uncounted = 0  # payloads whose problems were counted up to MAX_COUNTED only

    def __repr__(self) -> str:
        return f"Summary({self.as_json()})"

    @property
    def exit_code(self) -> int:
        return overall(
            [EXIT_USAGE if self.read_problems else EXIT_OK]
            + [EXIT_FAILED if self.invalid else EXIT_OK]
        )

    def line(self) -> str:
        text = (
            f"{self.files} files, {self.payloads} payloads, "
            f"{self.problems}{'+' if self.uncounted else ''} problems "
            f"({self.invalid} invalid payloads)"
        )
        if self.read_problems:
            text += (
                f", {self.read_problems} read problems "
                f"({self.unreadable_files} files not fully read)"
            )
        if self.warnings:
            text += f", {self.warnings} warnings (deprecated keys)"
        if self.skipped:
            text += f", {self.skipped} skipped (not regular files, or searched already)"
        return text

    def as_json(self) -> dict[str, int]:
        return {
            "files": self.files,
            "payloads": self.payloads,
            "problems": self.problems,
            "problems_uncounted": bool(self.uncounted),  # "problems" is then a lower bound
            "invalid_payloads": self.invalid,
            "read_problems": self.read_problems,
            "unreadable_files": self.unreadable_files,
            "warnings": self.warnings,
            "skipped": self.skipped,
            "exit_code": self.exit_code,
        }


_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` with line breaks and other controls shown as escapes."""
    return _CONTROL.sub(escape_char, text) if _CONTROL.search(text) else text


def pointer_text(pointer: str) -> str:
    return pointer or "/"  # as Problem.__str__ shows the whole payload


def more_text(more: int, what: str = "problems", capped: bool = False) -> str:
    if capped:
        return (
            f"... and at least {more} more {what} in this payload (the first {MAX_SHOWN} are "
            f"shown; counting stopped at {MAX_COUNTED})"
        )
    return f"... and {more} more {what} in this payload (the first {MAX_SHOWN} are shown)"


class SafeStream:
    """A text stream wrapper that never fails on characters the stream cannot encode."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._encoding = getattr(stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> None:
        try:
            self._stream.write(text)
        except UnicodeEncodeError:  # lone surrogates, or a non-UTF-8 locale
            safe = text.encode(self._encoding, "backslashreplace").decode(self._encoding)
            self._stream.write(safe)

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self.flush()


class Report:
    """One output format of ``validate``: told of each file, payload and problem in order."""

    shows_valid = False  # whether a valid payload is written (a JUnit testcase each)

    def __init__(self, out: IO[str] | SafeStream, note: IO[str]) -> None:
        self.out = out
        self.note = note  # where a human-readable summary goes when ``out`` cannot hold it

    def start_file(self, source: str) -> None:
        pass

    def end_file(self, source: str) -> None:
        pass

    def read_problem(self, problem: ReadProblem) -> None:
        raise NotImplementedError

    def payload(
        self, payload: Payload, problems: list[Located], more: int = 0, capped: bool = False
    ) -> None:
        """``problems``: ((line, col), problem) in file order, the first MAX_SHOWN; [] for a
        valid payload.  ``more``: how many further problems the payload has (``capped``: at
        least that many, counting stopped at MAX_COUNTED)."""
        raise NotImplementedError

    def finish(self, summary: Summary, *, spec: str, part: str) -> None:
        raise NotImplementedError

    def warnings(self, payload: Payload, warnings: list[Located], more: int = 0) -> None:
        """Deprecated keys of a payload; formats without a place for warnings skip them."""

    def skipped(self, note: Skipped) -> None:
        """Something a directory walk found and did not read (one line, never a failure)."""
        raise NotImplementedError

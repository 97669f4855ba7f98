"""JUnit XML, which CI systems show as test results."""

from __future__ import annotations

import re
import tempfile
import xml.etree.ElementTree as ET
from typing import IO

from ..._core.payloads import Payload, ReadProblem, Skipped
from .base import TOOL, Located, Report, SafeStream, Summary, escape_char, more_text, pointer_text

__all__ = ["JunitReport"]

# Characters XML 1.0 cannot hold at all (controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(escape_char, text)


def _open_tag(element: ET.Element) -> tuple[str, str]:
    """The start and end tags of ``element`` as text, for writing its children separately."""
    ET.SubElement(element, "x")
    text = ET.tostring(element, encoding="unicode")
    head, _, tail = text.partition("<x />")
    return head, tail


class JunitReport(Report):
    """JUnit XML: a testsuite per file, a testcase per payload, a failure per invalid one.

    Test cases are spooled to a temporary file (in memory up to a few MB), since the
    totals must be written first.
    """

    shows_valid = True

    def __init__(self, out: IO[str] | SafeStream, note: IO[str]) -> None:
        super().__init__(out, note)
        self._all = tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")
        self._suite = tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")
        self._counts = [0, 0, 0, 0]  # tests, failures, errors, skipped of the current file

    def start_file(self, source: str) -> None:
        self._suite.seek(0)
        self._suite.truncate()
        self._counts = [0, 0, 0, 0]

    def _case(self, case: ET.Element) -> None:
        self._suite.write(ET.tostring(case, encoding="unicode") + "\n")
        self._counts[0] += 1

    def read_problem(self, problem: ReadProblem) -> None:
        where = f"line {problem.line}, col {problem.col}" if problem.line else "whole file"
        case = ET.Element(
            "testcase", classname=_xml_text(problem.source), name=_xml_text(f"read ({where})")
        )
        error = ET.SubElement(case, "error", type="unreadable", message=_xml_text(problem.message))
        location = (
            f"{problem.source}:{problem.line}:{problem.col}" if problem.line else problem.source
        )
        error.text = _xml_text(f"{location}: {problem.message}")
        self._case(case)
        self._counts[2] += 1

    def payload(
        self, payload: Payload, problems: list[Located], more: int = 0, capped: bool = False
    ) -> None:
        line = payload.position("")[0]
        name = f"payload {payload.index}" + (f" (line {line})" if line else "")
        case = ET.Element("testcase", classname=_xml_text(payload.source), name=_xml_text(name))
        if problems:
            lines = []
            for (at_line, col), p in problems:
                lines.append(
                    f"{payload.source}:{at_line}:{col}: {pointer_text(p.pointer)}: {p.message}"
                )
            if more > 0:
                lines.append(more_text(more, capped=capped))
            first = problems[0][1]
            failure = ET.SubElement(
                case,
                "failure",
                type="invalid",
                message=_xml_text(
                    f"{'at least ' if capped else ''}{len(problems) + max(more, 0)} problems; "
                    f"first: "
                    f"{pointer_text(first.pointer)}: {first.message}"
                ),
            )
            failure.text = _xml_text("\n".join(lines))
            self._counts[1] += 1
        self._case(case)

    def skipped(self, note: Skipped) -> None:
        # Its own suite: a skip comes between files, never inside one.
        self.start_file(note.source)
        case = ET.Element("testcase", classname=_xml_text(note.source), name="skipped")
        ET.SubElement(case, "skipped", message=_xml_text(note.message))
        self._case(case)
        self._counts[3] += 1
        self.end_file(note.source)

    def end_file(self, source: str) -> None:
        tests, failures, errors, skipped = self._counts
        suite = ET.Element(
            "testsuite",
            name=_xml_text(source),
            tests=str(tests),
            failures=str(failures),
            errors=str(errors),
            skipped=str(skipped),
        )
        head, tail = _open_tag(suite)
        self._all.write(head + "\n")
        self._suite.seek(0)
        for chunk in iter(lambda: self._suite.read(1 << 16), ""):
            self._all.write(chunk)
        self._all.write(tail + "\n")

    def finish(self, summary: Summary, *, spec: str, part: str) -> None:
        root = ET.Element(
            "testsuites",
            name=f"{TOOL} validate ({spec}, {part})",
            tests=str(summary.payloads + summary.read_problems + summary.skipped),
            failures=str(summary.invalid),
            errors=str(summary.read_problems),
            skipped=str(summary.skipped),
        )
        head, tail = _open_tag(root)
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + head + "\n")
        self._all.seek(0)
        for chunk in iter(lambda: self._all.read(1 << 16), ""):
            self.out.write(chunk)
        self.out.write(tail + "\n")
        self._all.close()
        self._suite.close()
        self.note.write(summary.line() + "\n")

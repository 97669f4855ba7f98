"""``kustomer-contract validate PATH...``: check payload files against the spec.

Integrators run it in CI on the describeCustomer payloads their front end builds (JSON,
JSON Lines, YAML; files, directories or ``-`` for stdin). Every problem is reported at the
line and column of the offending value, with the spec's hint of what to do.

Exit codes: 0 every payload is valid; 1 some payload is invalid; 2 usage or input error
(a bad ``--spec`` / ``--klass``, or a file that could not be read or parsed). 2 wins over 1:
a run that could not read all of its input has not shown that the input is valid.

Output streams: text, github and json are written as the payloads are read (constant
memory, also for a JSON Lines file of millions of payloads); junit spools its test cases to
a temporary file (bounded memory) because the totals come first in the XML.

Bounded input: at most MAX_SHOWN problems are reported per payload (the rest are counted,
"... and N more problems in this payload"); in a directory, symlinked directories are
followed once each, and FIFOs, devices and sockets are skipped with a line saying so (a
skip is never a failure); a FIFO or device named on the command line is read within the
size limits of ``_core.payloads``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from .._core.payloads import (
    Payload,
    ReadProblem,
    Settled,
    Skipped,
    display_path,
    iter_payload_files,
    read_payloads,
)
from .._core.safe_write import AtomicFile, is_inside, same_file, silence_stdout
from ..spec.schemas import Problem

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "FORMATS", "run"]

from ..errors import EXIT_FAILED as EXIT_INVALID
from ..errors import EXIT_OK, EXIT_USAGE

FORMATS = ("text", "json", "github", "junit")
_TOOL = "kustomer-contract"
Located = tuple[tuple[int, int], Problem]
MAX_SHOWN = 20
# Distinct problems counted per payload: past it the count says "at least", so a million bad
# keys cost the time and memory of ten thousand.
MAX_COUNTED = 10_000
"""Most problems (and warnings) reported for one payload; the rest are counted."""


# ---------------------------------------------------------------------------
# Running


@dataclass
class Summary:
    files: int = 0
    payloads: int = 0
    problems: int = 0
    invalid: int = 0
    read_problems: int = 0
    unreadable_files: int = 0
    warnings: int = 0  # deprecated keys: reported, never a failure
    skipped: int = 0  # FIFOs, devices, directories seen twice: reported, never a failure
    uncounted: int = 0  # payloads whose problems were counted up to MAX_COUNTED only

    @property
    def exit_code(self) -> int:
        if self.read_problems:
            return EXIT_USAGE
        return EXIT_INVALID if self.invalid else EXIT_OK

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


def _error(message: str) -> int:
    print(f"{_TOOL}: error: {_one_line(message)}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    """Run ``validate`` for parsed arguments; returns the exit code."""
    from ..spec.fastcheck import FastCheck
    from ..spec.loader import load_klass, load_spec
    from ..spec.schemas import validator_for
    from ..spec.types import SpecError

    try:
        spec = load_spec(args.spec)
        klass = load_klass(args.klass, spec) if args.klass else None
        validator = validator_for(spec, args.part, klass=klass)
    except (SpecError, RuntimeError) as exc:
        return _error(str(exc))
    checker = FastCheck(validator)

    out: IO[str] | _SafeStream
    written: AtomicFile | None = None
    if args.output:
        clash = _output_clash(args)
        if clash:
            return _error(clash)
        try:  # the report replaces the file only once it is whole
            written = AtomicFile(args.output, errors="backslashreplace")
        except OSError as exc:
            return _error(f"{args.output}: cannot write the report: {exc.strerror or exc}")
        out = written.stream
    else:
        out = _SafeStream(sys.stdout)
    # The summary goes with the report, except where it would break a machine format.
    to_stdout = not args.output
    if args.format == "json":
        report: _Report = _JsonReport(out)
    elif args.format == "junit":
        report = _JunitReport(out, note=sys.stderr if to_stdout else sys.stdout)
    elif args.format == "github":
        report = _GithubReport(out)
    else:
        report = _TextReport(out)

    summary = Summary()
    warn = _deprecation_check(spec, args.part)
    try:
        try:
            _validate(args.paths, args.glob, checker, report, summary, warn)
            report.finish(summary, spec=spec.name, part=args.part)
            if written is not None:
                written.commit()
        finally:
            if written is not None:
                written.discard()  # after a commit: nothing left to drop
            else:
                out.flush()
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        silence_stdout()
        return summary.exit_code
    except OSError as exc:
        return _error(f"{args.output or 'stdout'}: cannot write the report: {exc}")
    return summary.exit_code


def _output_clash(args: argparse.Namespace) -> str | None:
    """Why ``--output`` must not be written, or None: it would replace (or be read as) input."""
    output = args.output
    if os.path.isdir(output):
        example = os.path.join(output, "report.json")
        return f"--output {output}: is a folder; give a file such as {example}"
    inputs = [p for p in args.paths if p != "-"]
    inputs += [p for p in (args.klass, args.spec) if p and os.path.exists(p)]
    for given in inputs:
        if os.path.isdir(given):
            if is_inside(output, given):  # it would be read as a payload, now or next time
                return (
                    f"--output {output}: is inside the input folder {given}; "
                    "write the report outside it"
                )
        elif same_file(output, given):  # also through a symlink or a hard link
            return f"--output {output}: is also an input ({given}); give another file"
    return None


def _deprecation_check(spec: Any, part: str) -> Any:
    """A function giving a payload's deprecated keys, or None when the spec deprecates none."""
    from ..spec.deprecations import deprecations

    method = spec.target
    schema = method.options_schema if part == "options" else method.response_schema
    if "'deprecated': True" not in repr(schema):  # most specs deprecate nothing: skip the walk
        return None
    return lambda value: deprecations(spec, value, part)


def _validate(
    paths: Sequence[str],
    glob: str | None,
    checker: Any,
    report: _Report,
    summary: Summary,
    warn: Any = None,
) -> None:
    for given in paths:
        found = 0
        for path in iter_payload_files([given], glob):
            if isinstance(path, Skipped):
                summary.skipped += 1
                report.skipped(path)
                continue
            found += 1
            summary.files += 1
            source = "<stdin>" if path == "-" else display_path(path)
            report.start_file(source)
            unread = False
            # Valid lines a report shows nothing of are only counted (when nothing warns).
            settled = (
                None if report.shows_valid or warn else Settled(checker.is_valid, checker.all_valid)
            )
            for item in read_payloads(path, settled=settled):
                if isinstance(item, ReadProblem):
                    summary.read_problems += 1
                    unread = True
                    report.read_problem(item)
                    continue
                summary.payloads += 1
                located: list[Located]
                if checker.is_valid(item.value):
                    located, count = [], 0
                else:
                    located, count = _first_in_file_order(
                        item, checker.validator.iter_problems(item.value)
                    )
                capped = count >= MAX_COUNTED
                if count:
                    summary.invalid += 1
                    summary.problems += count
                    summary.uncounted += capped
                report.payload(item, located, count - len(located), capped)
                warnings = warn(item.value) if warn else []
                if warnings:
                    summary.warnings += len(warnings)
                    item.locate(w.pointer for w in warnings)
                    shown = sorted((item.position(w.pointer), w) for w in warnings)
                    report.warnings(item, shown[:MAX_SHOWN], len(shown) - MAX_SHOWN)
            if settled is not None:
                summary.payloads += settled.count
            if unread:
                summary.unreadable_files += 1
            report.end_file(source)
        if not found:
            # A directory without payload files: validating nothing is not a pass.
            looked = (
                f"files matching {glob!r}"
                if glob
                else "*.json, *.jsonl, *.ndjson, *.yaml or *.yml files"
            )
            source = display_path(given)
            problem = ReadProblem(
                source, 0, 0, f"no payload files here (looked for {looked}; see --glob)"
            )
            summary.files += 1
            summary.read_problems += 1
            summary.unreadable_files += 1
            report.start_file(source)
            report.read_problem(problem)
            report.end_file(source)


def _first_in_file_order(
    payload: Payload, problems: Iterable[Problem]
) -> tuple[list[Located], int]:
    """The first MAX_SHOWN distinct problems in file order, and how many distinct ones in all.

    Memory stays bounded by MAX_SHOWN problems plus one hash per problem (for the count),
    however many problems the payload has: a million bad keys are counted, not kept, and
    only the problems shown are given a position (file order comes from the parsed value).
    """
    seen: set[int] = set()  # a hash collision could undercount by one: only the "N more"
    kept: list[tuple[tuple[int, ...], int, Problem]] = []
    order = payload.document_order()
    for problem in problems:
        key = hash(problem)
        if key in seen:
            continue
        seen.add(key)
        kept.append((order(problem.pointer), len(seen), problem))
        if len(seen) >= MAX_COUNTED:
            break
        if len(kept) >= 4 * MAX_SHOWN:
            kept.sort(key=_order)
            del kept[MAX_SHOWN:]
    kept.sort(key=_order)
    del kept[MAX_SHOWN:]
    payload.locate(problem.pointer for _, _, problem in kept)
    located = sorted((payload.position(problem.pointer), problem) for _, _, problem in kept)
    return located, len(seen)


def _order(entry: tuple[tuple[int, ...], int, Problem]) -> tuple[tuple[int, ...], int]:
    return entry[0], entry[1]  # problems at one place keep the order they were found in


# ---------------------------------------------------------------------------
# Text helpers

_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
# Characters XML 1.0 cannot hold at all (controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _one_line(text: str) -> str:
    """``text`` with line breaks and other controls shown as escapes."""
    return _CONTROL.sub(_escape_char, text) if _CONTROL.search(text) else text


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(_escape_char, text)


def _pointer(pointer: str) -> str:
    return pointer or "/"  # as Problem.__str__ shows the whole payload


class _SafeStream:
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


# ---------------------------------------------------------------------------
# Reports


class _Report:
    shows_valid = False  # whether a valid payload is written (a JUnit testcase each)

    def __init__(self, out: IO[str] | _SafeStream) -> None:
        self.out = out

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


def _more(more: int, what: str = "problems", capped: bool = False) -> str:
    if capped:
        return (
            f"... and at least {more} more {what} in this payload (the first {MAX_SHOWN} are "
            f"shown; counting stopped at {MAX_COUNTED})"
        )
    return f"... and {more} more {what} in this payload (the first {MAX_SHOWN} are shown)"


class _TextReport(_Report):
    """``file:line:col: /pointer: message``, one line each, then the summary."""

    def read_problem(self, problem: ReadProblem) -> None:
        where = f"{problem.source}:{problem.line}:{problem.col}" if problem.line else problem.source
        self.out.write(_one_line(f"{where}: {problem.message}") + "\n")

    def payload(
        self, payload: Payload, problems: list[Located], more: int = 0, capped: bool = False
    ) -> None:
        for (line, col), p in problems:
            text = f"{payload.source}:{line}:{col}: {_pointer(p.pointer)}: {p.message}"
            self.out.write(_one_line(text) + "\n")
        if more > 0:
            self._at_payload(payload, _more(more, capped=capped))

    def warnings(self, payload: Payload, warnings: list[Located], more: int = 0) -> None:
        for (line, col), w in warnings:
            text = f"{payload.source}:{line}:{col}: warning: {_pointer(w.pointer)}: {w.message}"
            self.out.write(_one_line(text) + "\n")
        if more > 0:
            self._at_payload(payload, "warning: " + _more(more, "warnings"))

    def _at_payload(self, payload: Payload, text: str) -> None:
        line, col = payload.position("")
        self.out.write(_one_line(f"{payload.source}:{line}:{col}: {text}") + "\n")

    def skipped(self, note: Skipped) -> None:
        self.out.write(_one_line(f"{note.source}: {note.message}") + "\n")

    def finish(self, summary: Summary, *, spec: str, part: str) -> None:
        self.out.write(summary.line() + "\n")


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


class _GithubReport(_Report):
    """GitHub Actions workflow commands: ``::error file=F,line=L,col=C,title=...::text``."""

    def _annotate(self, source: str, line: int, col: int, text: str, level: str = "error") -> None:
        props = [f"file={_gh_property(source)}"]
        if line:  # 0 = the whole file: no line to point at
            props.append(f"line={line}")
            if col:
                props.append(f"col={col}")
        props.append(f"title={_TOOL}")
        self.out.write(f"::{level} {','.join(props)}::{_gh_data(text)}\n")

    def read_problem(self, problem: ReadProblem) -> None:
        self._annotate(problem.source, problem.line, problem.col, problem.message)

    def payload(
        self, payload: Payload, problems: list[Located], more: int = 0, capped: bool = False
    ) -> None:
        for (line, col), p in problems:
            self._annotate(payload.source, line, col, f"{_pointer(p.pointer)}: {p.message}")
        if more > 0:
            line, col = payload.position("")
            self._annotate(payload.source, line, col, _more(more, capped=capped))

    def warnings(self, payload: Payload, warnings: list[Located], more: int = 0) -> None:
        for (line, col), w in warnings:
            text = f"{_pointer(w.pointer)}: {w.message}"
            self._annotate(payload.source, line, col, text, level="warning")
        if more > 0:
            line, col = payload.position("")
            self._annotate(payload.source, line, col, _more(more, "warnings"), level="warning")

    def skipped(self, note: Skipped) -> None:
        self._annotate(note.source, 0, 0, note.message, level="notice")

    def finish(self, summary: Summary, *, spec: str, part: str) -> None:
        self.out.write(summary.line() + "\n")


class _JsonReport(_Report):
    """One JSON document, streamed: ``{"problems": [...], "summary": {...}}``."""

    def __init__(self, out: IO[str] | _SafeStream) -> None:
        super().__init__(out)
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
                    "message": _more(more, capped=capped),
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


def _open_tag(element: ET.Element) -> tuple[str, str]:
    """The start and end tags of ``element`` as text, for writing its children separately."""
    ET.SubElement(element, "x")
    text = ET.tostring(element, encoding="unicode")
    head, _, tail = text.partition("<x />")
    return head, tail


class _JunitReport(_Report):
    """JUnit XML: a testsuite per file, a testcase per payload, a failure per invalid one.

    Test cases are spooled to a temporary file (in memory up to a few MB), since the
    totals must be written first.
    """

    shows_valid = True

    def __init__(self, out: IO[str] | _SafeStream, note: IO[str]) -> None:
        super().__init__(out)
        self.note = note
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
                    f"{payload.source}:{at_line}:{col}: {_pointer(p.pointer)}: {p.message}"
                )
            if more > 0:
                lines.append(_more(more, capped=capped))
            first = problems[0][1]
            failure = ET.SubElement(
                case,
                "failure",
                type="invalid",
                message=_xml_text(
                    f"{'at least ' if capped else ''}{len(problems) + max(more, 0)} problems; "
                    f"first: "
                    f"{_pointer(first.pointer)}: {first.message}"
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
            name=f"{_TOOL} validate ({spec}, {part})",
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

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
import os
import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any

from .._core.forked import default_workers
from .._core.payloads import (
    Payload,
    ReadProblem,
    Settled,
    Skipped,
    display_path,
    iter_payload_files,
    prejudged,
    read_payloads,
)
from .._core.safe_write import AtomicFile, is_inside, same_file, silence_stdout
from ..errors import EXIT_FAILED as EXIT_INVALID
from ..errors import EXIT_OK, EXIT_USAGE
from ..spec.schemas import Problem
from .reports import FORMATS, open_report
from .reports.base import (
    MAX_COUNTED,
    MAX_SHOWN,
    TOOL,
    Located,
    Report,
    SafeStream,
    Summary,
    one_line,
)

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "FORMATS",
    "MAX_COUNTED",
    "MAX_SHOWN",
    "Summary",
    "run",
]


def _error(message: str) -> int:
    print(f"{TOOL}: error: {one_line(message)}", file=sys.stderr)
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

    out: IO[str] | SafeStream
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
        out = SafeStream(sys.stdout)
    # The summary goes with the report, except where it would break a machine format.
    to_stdout = not args.output
    report = open_report(args.format, out, note=sys.stderr if to_stdout else sys.stdout)

    summary = Summary()
    warn = _deprecation_check(spec, args.part)
    try:
        try:
            jobs = getattr(args, "jobs", None) or default_workers()
            _validate(args.paths, args.glob, checker, report, summary, warn, jobs)
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
    report: Report,
    summary: Summary,
    warn: Any = None,
    jobs: int = 1,
) -> None:
    # Valid payloads a report shows nothing of are only counted (when nothing warns).
    counts_valid = not (report.shows_valid or warn)
    for given in paths:
        found = 0
        files = iter_payload_files([given], glob)
        for path, done in prejudged(files, checker.is_valid, jobs if counts_valid else 1):
            if isinstance(path, Skipped):
                summary.skipped += 1
                report.skipped(path)
                continue
            found += 1
            summary.files += 1
            source = "<stdin>" if path == "-" else display_path(path)
            report.start_file(source)
            if done:  # one valid payload, judged by a worker
                summary.payloads += 1
                report.end_file(source)
                continue
            unread = False
            settled = Settled(checker.is_valid, checker.all_valid) if counts_valid else None
            for item in read_payloads(path, settled=settled, workers=jobs):
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

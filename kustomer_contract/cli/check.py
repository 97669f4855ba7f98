"""``kustomer-contract check``: run every guarantee against an implementation."""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import time
from typing import Any, TextIO

from ..engine.settings import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_TIMEOUT,
    SHRINK_BUDGET,
    non_negative_float,
    positive_float,
    positive_int,
)
from ..errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, print_error
from ..report.formats import FORMATS
from .params import add_binding_option, add_spec_option

EPILOG = f"""exit codes:
  {EXIT_OK:<4} every guarantee kept
  {EXIT_FAILED:<4} a guarantee not kept
  {EXIT_USAGE:<4} usage, implementation or spec error (nothing judged)
  {EXIT_INTERRUPTED:<4} interrupted (Ctrl-C, SIGTERM): the table of the guarantees done

settings may also come from [tool.kustomer-contract] in pyproject.toml, found in the
current directory or a parent; the command line wins over it.
"""


def register(sub: Any) -> None:
    check = sub.add_parser(
        "check",
        help="run every guarantee against an implementation (the bundled reference by default)",
        description="Generate call sequences with hypothesis and check each guarantee of the spec.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "--impl",
        metavar="MODULE:ATTR",
        help="factory of the implementation, e.g. mypkg.fake:make (default: the bundled reference)",
    )
    check.add_argument(
        "--node",
        metavar="PATH",
        help="a JavaScript implementation run with Node: its default export (object, factory or "
        "class) or globalThis.Kustomer",
    )
    check.add_argument(
        "--browser",
        metavar="PAGE",
        help="a page in headless Chromium that defines window.Kustomer: a loopback URL, or an "
        "HTML file (its folder is served on loopback); needs the [browser] extra",
    )
    check.add_argument(
        "--klass", metavar="FILE", help="Klass YAML: attributes: [favoriteColorStr, ...]"
    )
    add_spec_option(check)
    check.set_defaults(spec=None)  # None: not given; pyproject.toml or the default decides
    add_binding_option(check)
    check.add_argument(
        "--max-examples",
        type=positive_int,
        metavar="N",
        help=f"generated cases per guarantee (default {DEFAULT_MAX_EXAMPLES})",
    )
    check.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed for generation; a failure prints the one to reuse",
    )
    check.add_argument(
        "--timeout",
        type=positive_float,
        metavar="S",
        help=f"seconds for a call to return and call back, together (default {DEFAULT_TIMEOUT:g})",
    )
    check.add_argument(
        "--grace",
        type=non_negative_float,
        default=None,
        metavar="S",
        help="seconds a callback is still watched, after its case, for a second call (default 0.5)",
    )
    check.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="GUARANTEE",
        help="check only this guarantee (repeatable)",
    )
    check.add_argument(
        "--shrink-budget",
        type=positive_int,
        metavar="N",
        help=f"cases tried to shrink a failure to a minimal one (default {SHRINK_BUDGET})",
    )
    check.add_argument(
        "--jobs",
        type=positive_int,
        metavar="N",
        help="processes that check guarantees side by side, each loading the implementation "
        "(default: two per CPU, at most 8; 1 with --browser); the report is the same, in the "
        "same order; 1: this process only",
    )
    check.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="text (default), json, junit (JUnit XML, a testcase per guarantee) or github "
        "(workflow annotations, then the text report)",
    )
    check.add_argument("--json", action="store_true", help="the same as --format json")
    check.add_argument(
        "--report",
        metavar="FILE",
        help="also write a self-contained HTML report to FILE: the table, each failure's call "
        "sequence on a timeline, the contract's coverage (FILE is replaced once it is whole)",
    )
    check.add_argument(
        "--coverage",
        action="store_true",
        help="show what the run exercised: schema branches and limits, rules kept and broken, guarantees",
    )


def run(args: argparse.Namespace) -> int:
    """Run the checks. While the implementation may run, what it prints goes to stderr (our
    stdout is the report, in the --format asked for) and it is held in its driver's
    ``running()`` context (a Python one: ``os._exit`` guarded), from loading it to the last
    verdict."""
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr), contextlib.ExitStack() as held:
        return _run_check(args, out, held)


def _run_check(args: argparse.Namespace, out: TextIO, held: contextlib.ExitStack) -> int:
    from .._core.forked import can_fork
    from .._core.safe_write import AtomicFile
    from ..drivers.base import ImplementationError
    from ..engine.config import ConfigError, choose
    from ..engine.config import load as load_config
    from ..engine.parallel import ForkedChecks, default_jobs
    from ..engine.results import GuaranteeResult
    from ..engine.session import Session, Settings
    from ..report.formats import CheckRun, open_report
    from ..report.formats.text import TextReport
    from ..report.progress import Progress
    from ..spec.guarantees import IDS
    from ..spec.types import SpecError

    try:  # the command line over [tool.kustomer-contract] in pyproject.toml over the defaults
        chosen = choose(vars(args), load_config())
    except ConfigError as exc:
        return print_error(exc)
    vars(args).update(chosen.values)
    if sum(1 for given in (args.impl, args.node, args.browser) if given) > 1:
        print_error("give one of --impl, --node and --browser")
        return EXIT_USAGE
    if args.json and args.format not in (None, "json"):
        print_error(f"give --json or --format {args.format}, not both")
        return EXIT_USAGE
    report = open_report("json" if args.json else args.format or "text", out)
    html = None
    if args.report:  # found unwritable now, not after the run
        try:
            html = AtomicFile(args.report, errors="backslashreplace")
        except OSError as exc:
            print_error(f"{args.report}: cannot write the report: {exc.strerror or exc}")
            return EXIT_USAGE
        held.callback(html.discard)  # nothing is left behind unless it is committed
    settings = Settings(
        browser=args.browser,
        node=args.node,
        impl=args.impl,
        spec=args.spec,
        binding=args.binding,
        klass=args.klass,
        max_examples=args.max_examples,
        seed=args.seed,
        timeout=args.timeout,
        only=args.only,
        **({} if args.grace is None else {"grace": args.grace}),
        shrink_budget=args.shrink_budget,
    )
    if settings.seed is None:  # one seed, drawn once, for this process and every worker
        settings.seed = random.randrange(2**32)
    wanted = len(set(settings.only)) or len(IDS)
    jobs = args.jobs or default_jobs(settings, wanted)
    workers = None
    if min(jobs, wanted) > 1 and can_fork():
        # Forked before this process builds its session: it has no threads yet to copy.
        workers = ForkedChecks(settings, min(jobs, wanted))
        held.callback(workers.close)
    try:
        session = Session(settings)
    except (SpecError, ImplementationError) as exc:
        print_error(exc)
        return EXIT_USAGE
    held.enter_context(session.driver.running())
    held.callback(session.driver.shutdown)  # a Node process group, a browser
    started = time.monotonic()
    progress = Progress(sys.stderr, guarantees=len(session.guarantees))  # live on a terminal
    held.callback(progress.clear)  # its timer thread stops on every way out
    checked = CheckRun(session, coverage=args.coverage)
    report.start(checked)
    if isinstance(report, TextReport) and chosen.config.path is not None and chosen.origins:
        print(f"  settings: {chosen.described()}", file=out)  # where each one came from
    results = checked.results
    started_ones: set[str] = set()
    done: dict[str, GuaranteeResult] = {}  # by guarantee; the report takes them in spec order

    def began(guarantee: str) -> None:
        started_ones.add(guarantee)
        progress.start(guarantee, settings.max_examples, session.guarantees.index(guarantee) + 1)

    def finished(guarantee: str, result: GuaranteeResult) -> None:
        done[guarantee] = result
        progress.end(result)

    def check_here(guarantee: str) -> GuaranteeResult:
        began(guarantee)
        return session.check(guarantee, progress.case, progress.failure)

    try:
        if workers is None:
            for guarantee in session.guarantees:
                finished(guarantee, check_here(guarantee))
        else:
            found = workers.results(
                session.guarantees,
                on_start=began,
                on_case=progress.case,
                on_failure=progress.failure,
            )
            for guarantee, result in found:
                # What went wrong in the worker is no verdict: that guarantee is checked here.
                finished(guarantee, result if result is not None else check_here(guarantee))
            session.coverage().coverage.hit.update(workers.hits)
        results.extend(done[g] for g in session.guarantees)
    except SpecError as exc:  # e.g. a spec whose options no generated case satisfies
        progress.clear()
        print_error(exc)
        return EXIT_USAGE
    except KeyboardInterrupt:  # the user's Ctrl-C (implementation code runs on other threads)
        progress.clear()
        results[:] = [done[g] for g in session.guarantees if g in done]
        running = [g for g in session.guarantees if g in started_ones and g not in done]
        checked.interrupted_at = ", ".join(running) or None
        report.interrupted(checked)
        print(
            f"kustomer-contract: interrupted while checking {checked.interrupted_at}; "
            f"{len(results)} of {len(session.guarantees)} guarantees done",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    progress.clear()
    checked.seconds = time.monotonic() - started
    report.finish(checked)
    if html is not None:
        from ..report.html import html_report

        try:
            html.stream.write(html_report(checked))
            html.commit()
        except OSError as exc:
            print_error(f"{args.report}: cannot write the report: {exc.strerror or exc}")
            return EXIT_USAGE
        print(f"kustomer-contract: HTML report written to {args.report}", file=sys.stderr)
    if any(r.status == "error" for r in results):
        return EXIT_USAGE
    return EXIT_FAILED if checked.failed else EXIT_OK

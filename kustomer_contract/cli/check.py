"""``kustomer-contract check``: run every guarantee against an implementation."""

from __future__ import annotations

import argparse
import contextlib
import json
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
from .params import add_binding_option, add_spec_option


def register(sub: Any) -> None:
    check = sub.add_parser(
        "check",
        help="run every guarantee against an implementation (the bundled reference by default)",
        description="Generate call sequences with hypothesis and check each guarantee of the spec.",
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
    add_binding_option(check)
    check.add_argument(
        "--max-examples",
        type=positive_int,
        default=DEFAULT_MAX_EXAMPLES,
        metavar="N",
        help="generated cases per guarantee (default 100)",
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
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help="seconds for a call to return and call back, together (default 2)",
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
        default=SHRINK_BUDGET,
        metavar="N",
        help=f"cases tried to shrink a failure to a minimal one (default {SHRINK_BUDGET})",
    )
    check.add_argument("--json", action="store_true", help="print the results as JSON")
    check.add_argument(
        "--coverage",
        action="store_true",
        help="show what the run exercised: schema branches and limits, rules kept and broken, guarantees",
    )


class _Progress:
    """A one-line progress display, only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled

    def __call__(self, guarantee: str, case: object = None) -> None:
        self.done += 1
        if self.enabled and self.done % 5 == 0:
            sys.stderr.write(f"\r\x1b[K  checking {guarantee}: {self.done} cases run")
            sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    """Run the checks. While the implementation may run, what it prints goes to stderr (our
    stdout is the report, JSON with --json) and it is held in its driver's ``running()``
    context (a Python one: ``os._exit`` guarded), from loading it to the last verdict."""
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr), contextlib.ExitStack() as held:
        return _run_check(args, out, held)


def _run_check(args: argparse.Namespace, out: TextIO, held: contextlib.ExitStack) -> int:
    def say(*text: object) -> None:
        print(*text, file=out)

    from ..drivers.base import ImplementationError
    from ..engine.session import Session, Settings
    from ..report.reproducers import failure_text, replayer, table, to_json
    from ..spec.types import SpecError

    if sum(1 for given in (args.impl, args.node, args.browser) if given) > 1:
        print_error("give one of --impl, --node and --browser")
        return EXIT_USAGE
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
    try:
        session = Session(settings)
    except (SpecError, ImplementationError) as exc:
        print_error(exc)
        return EXIT_USAGE
    held.enter_context(session.driver.running())
    held.callback(session.driver.shutdown)  # a Node process group, a browser
    started = time.monotonic()
    progress = _Progress(0, sys.stderr.isatty() and not args.json)
    if not args.json:
        say(
            f"kustomer-contract check: {session.impl} against spec {session.spec.name} "
            f"({len(session.guarantees)} guarantees, {settings.max_examples} cases each, seed {session.seed})"
        )
    if not args.json and (settings.binding or session.binding_found):
        how = f" ({session.binding_found})" if session.binding_found else ""
        say(f"  binding: {session.binding.name}{how}: {session.binding.title}")
    if not args.json and session.driver.shape:
        say(f"  found the implementation as: {session.driver.shape}")
    if not args.json and session.skipped:
        say(f"  not checked: {', '.join(session.skipped)} (optional; the implementation lacks it)")
    results = []
    running_now = None
    try:
        for running_now in session.guarantees:
            results.append(session.check(running_now, on_case=progress))
    except SpecError as exc:  # e.g. a spec whose options no generated case satisfies
        progress.clear()
        print_error(exc)
        return EXIT_USAGE
    except KeyboardInterrupt:  # the user's Ctrl-C (implementation code runs on other threads)
        progress.clear()
        if results and not args.json:
            say(table(results))
        print(
            f"kustomer-contract: interrupted while checking {running_now}; "
            f"{len(results)} of {len(session.guarantees)} guarantees done",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    progress.clear()
    seconds = time.monotonic() - started
    failed = [r for r in results if not r.kept]
    if args.json:
        document = to_json(
            session.spec,
            results,
            impl=session.impl,
            klass=settings.klass,
            seed=session.seed,
            timeout=settings.timeout,
            grace=settings.grace,
            replay=replayer(session),
            binding=session.binding,
        )
        if args.coverage:
            cov = session.coverage().coverage
            document["coverage"] = {"percent": round(cov.percent(), 1), "missed": cov.missed()}
        say(
            json.dumps(
                document,
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        say(table(results))
        for r in results:
            if r.failure:
                say()
                say(
                    failure_text(
                        session.spec,
                        r,
                        impl=session.impl,
                        klass=settings.klass,
                        replay=replayer(session)(r.guarantee),
                        timeout=settings.timeout,
                        grace=settings.grace,
                        binding=session.binding,
                    )
                )
        if args.coverage:
            say()
            say(session.coverage().coverage.report())
        page_errors = session.driver.page_errors
        if page_errors:  # often why a callback never came: the page's script threw first
            say(f"\nthe page's scripts threw {sum(page_errors.values())} uncaught error(s):")
            for text, times in page_errors.most_common(5):
                say(f"  {times} x {text}")
        cases = sum(r.cases for r in results)
        verdict = "the contract holds" if not failed else f"{len(failed)} guarantee(s) not kept"
        unjudged = sum(1 for r in results if r.status == "not-checkable")
        passed = len(results) - len(failed) - unjudged
        aside = f", {unjudged} not checkable through this surface" if unjudged else ""
        say(
            f"\n{verdict}: {passed}/{len(results)} passed{aside}, {cases} cases in "
            f"{seconds:.1f} s (seed {session.seed})"
        )
    if any(r.status == "error" for r in results):
        return EXIT_USAGE
    return EXIT_FAILED if failed else EXIT_OK
